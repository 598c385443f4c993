// CKM_ECDSA returns r || s (each the size of the curve order); X.509, OpenSSL
// and the kernel want DER ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace ostree_ima {

// Converts a raw r||s signature of 2 x `order_bytes` to DER. A module that
// already returned DER (some do) is accepted as is, re-encoded. Throws Error
// when the input is neither.
std::vector<std::uint8_t> ecdsa_raw_to_der(std::span<const std::uint8_t> signature,
                                           std::size_t order_bytes);

} // namespace ostree_ima
