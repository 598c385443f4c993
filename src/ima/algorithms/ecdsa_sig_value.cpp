#include "ima/algorithms/ecdsa_sig_value.hpp"

#include "ostree-ima/error.hpp"
#include "util/openssl_ptr.hpp"

#include <openssl/bn.h>
#include <openssl/ec.h>

#include <memory>
#include <string>

namespace ostree_ima {

namespace {

std::vector<std::uint8_t> encode_sig_value(const ECDSA_SIG *sig)
{
    const int size = i2d_ECDSA_SIG(sig, nullptr);
    if (size <= 0) {
        throw Error("cannot DER-encode an ECDSA signature");
    }
    std::vector<std::uint8_t> der(static_cast<std::size_t>(size));
    unsigned char *out = der.data();
    if (i2d_ECDSA_SIG(sig, &out) != size) {
        throw Error("cannot DER-encode an ECDSA signature");
    }
    return der;
}

// DER that decodes completely, with r and s no longer than the order.
EcdsaSigPtr parse_der(std::span<const std::uint8_t> signature, std::size_t order_bytes)
{
    const unsigned char *in = signature.data();
    EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &in, static_cast<long>(signature.size())));
    if (!sig || in != signature.data() + signature.size()) {
        return nullptr;
    }
    const BIGNUM *r = nullptr;
    const BIGNUM *s = nullptr;
    ECDSA_SIG_get0(sig.get(), &r, &s);
    const auto limit = static_cast<int>(order_bytes);
    if (BN_num_bytes(r) > limit || BN_num_bytes(s) > limit) {
        return nullptr;
    }
    return sig;
}

} // namespace

std::vector<std::uint8_t> ecdsa_raw_to_der(std::span<const std::uint8_t> signature,
                                           std::size_t order_bytes)
{
    if (order_bytes > 0 && signature.size() == 2 * order_bytes) {
        const auto half = static_cast<int>(order_bytes);
        BignumPtr r(BN_bin2bn(signature.data(), half, nullptr));
        BignumPtr s(BN_bin2bn(signature.data() + order_bytes, half, nullptr));
        EcdsaSigPtr sig(ECDSA_SIG_new());
        if (!r || !s || !sig) {
            throw Error("out of memory converting an ECDSA signature");
        }
        if (BN_is_zero(r.get()) || BN_is_zero(s.get())) {
            throw Error("the token returned an invalid ECDSA signature (r or s is zero)");
        }
        if (ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
            throw Error("cannot build an ECDSA signature");
        }
        (void)r.release(); // owned by sig now
        (void)s.release();
        return encode_sig_value(sig.get());
    }
    if (const auto sig = parse_der(signature, order_bytes)) {
        return encode_sig_value(sig.get());
    }
    throw Error("the token returned an ECDSA signature of " + std::to_string(signature.size()) +
                " bytes; expected " + std::to_string(2 * order_bytes) + " (r || s)");
}

} // namespace ostree_ima
