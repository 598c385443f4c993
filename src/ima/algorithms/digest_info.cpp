#include "ima/algorithms/digest_info.hpp"

#include "ostree-ima/error.hpp"

#include <string>

namespace ostree_ima {

namespace {

// Fixed prefixes, as in RFC 8017 section 9.2 note 1 and the kernel's
// crypto/rsa-pkcs1pad.c; keyed by the kernel's hash_algo id.
struct Prefix {
    std::uint8_t kernel_id;
    std::size_t digest_size;
    std::vector<std::uint8_t> bytes;
};

const std::vector<Prefix> &prefixes()
{
    static const std::vector<Prefix> table = {
        // sha1, OID 1.3.14.3.2.26
        {2,
         20,
         {0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04,
          0x14}},
        // sha256, OID 2.16.840.1.101.3.4.2.1
        {4,
         32,
         {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
          0x05, 0x00, 0x04, 0x20}},
        // sha384, OID 2.16.840.1.101.3.4.2.2
        {5,
         48,
         {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02,
          0x05, 0x00, 0x04, 0x30}},
        // sha512, OID 2.16.840.1.101.3.4.2.3
        {6,
         64,
         {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03,
          0x05, 0x00, 0x04, 0x40}},
        // sha224, OID 2.16.840.1.101.3.4.2.4
        {7,
         28,
         {0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04,
          0x05, 0x00, 0x04, 0x1c}},
        // sm3, OID 1.2.156.10197.1.401
        {17,
         32,
         {0x30, 0x30, 0x30, 0x0c, 0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x83, 0x11, 0x05,
          0x00, 0x04, 0x20}},
        // streebog256, OID 1.2.643.7.1.1.2.2
        {18,
         32,
         {0x30, 0x30, 0x30, 0x0c, 0x06, 0x08, 0x2a, 0x85, 0x03, 0x07, 0x01, 0x01, 0x02, 0x02, 0x05,
          0x00, 0x04, 0x20}},
        // streebog512, OID 1.2.643.7.1.1.2.3
        {19,
         64,
         {0x30, 0x50, 0x30, 0x0c, 0x06, 0x08, 0x2a, 0x85, 0x03, 0x07, 0x01, 0x01, 0x02, 0x03, 0x05,
          0x00, 0x04, 0x40}},
    };
    return table;
}

} // namespace

std::vector<std::uint8_t> rsa_digest_info(const HashAlgo &algo,
                                          std::span<const std::uint8_t> digest)
{
    for (const auto &prefix : prefixes()) {
        if (prefix.kernel_id != algo.kernel_id) {
            continue;
        }
        if (digest.size() != prefix.digest_size) {
            throw Error("internal error: a " + std::string(algo.name) + " digest has " +
                        std::to_string(prefix.digest_size) + " bytes, not " +
                        std::to_string(digest.size()));
        }
        std::vector<std::uint8_t> out(prefix.bytes);
        out.insert(out.end(), digest.begin(), digest.end());
        return out;
    }
    throw Error("RSA signatures with " + std::string(algo.name) +
                " are not supported by the PKCS#11 backend (no DigestInfo encoding known)");
}

} // namespace ostree_ima
