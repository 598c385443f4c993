// ContentSink: receives a content object's bytes, chunk by chunk, in order.
#pragma once

#include <cstdint>
#include <functional>
#include <span>

namespace ostree_ima {

using ContentSink = std::function<void(std::span<const std::uint8_t>)>;

} // namespace ostree_ima
