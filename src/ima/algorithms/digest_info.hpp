// DER DigestInfo for RSA PKCS#1 v1.5 signatures made with CKM_RSA_PKCS,
// which pads whatever it is given: the DigestInfo must be built by us.
#pragma once

#include "ostree-ima/hash_algo.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace ostree_ima {

// DigestInfo ::= SEQUENCE { AlgorithmIdentifier (OID, NULL), OCTET STRING digest }
// for sha1, sha224, sha256, sha384, sha512, sm3 and streebog256/512, the
// algorithms the kernel's pkcs1pad(rsa) accepts for IMA. Throws Error for
// other algorithms or a digest of the wrong size.
std::vector<std::uint8_t> rsa_digest_info(const HashAlgo &algo,
                                          std::span<const std::uint8_t> digest);

} // namespace ostree_ima
