// Text helpers for Cryptoki's fixed-width, blank-padded fields and byte ids.
#pragma once

#include "util/text_encoding.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace ostree_ima::pkcs11 {

// A CK_UTF8CHAR[n] field (blank padded, not NUL terminated) without padding.
std::string fixed_field(const unsigned char *field, std::size_t size);

template <std::size_t N> std::string fixed_field(const unsigned char (&field)[N])
{
    return fixed_field(field, N);
}

// Lower-case hex without separators ("0a1b"): the one of util/.
using ostree_ima::to_hex;

} // namespace ostree_ima::pkcs11
