// Opening a key through OpenSSL 3 providers' stores (--provider=NAME).
#pragma once

#include "ostree-ima/key_backend.hpp"
#include "ostree-ima/key_options.hpp"

#include <memory>

namespace ostree_ima {

std::unique_ptr<KeyBackend> open_provider_key(const KeyOptions &options);

} // namespace ostree_ima
