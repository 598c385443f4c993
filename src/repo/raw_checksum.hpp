// RawChecksum: an object checksum as its 32 bytes, for maps of many objects
// (a 64-digit string key costs three times the memory: an allocation each).
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <glib.h>
#include <string>

namespace ostree_ima {

using RawChecksum = std::array<std::uint8_t, 32>;

struct RawChecksumHash {
    std::size_t operator()(const RawChecksum &raw) const noexcept
    {
        std::size_t h = 0; // a checksum's bytes are uniformly distributed
        std::memcpy(&h, raw.data(), sizeof h);
        return h;
    }
};

// The 32 bytes of a checksum `ay` variant; Error when it is not 32 long.
RawChecksum raw_checksum_from_variant(GVariant *bytes);
// Its inverse: a new floating `ay` of the 32 bytes, as dirtrees hold them.
GVariant *raw_checksum_variant(const RawChecksum &raw);
RawChecksum raw_checksum_from_hex(const std::string &hex);
std::string hex_of(const RawChecksum &raw);

} // namespace ostree_ima
