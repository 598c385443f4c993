#include "ima/algorithms/public_key_params.hpp"

#include "ostree-ima/error.hpp"

#include <string>

namespace ostree_ima {

EvpPkeyPtr public_key_from_params(const char *type, OSSL_PARAM_BLD *builder)
{
    OsslParamPtr params(OSSL_PARAM_BLD_to_param(builder));
    EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) {
        throw Error(std::string("cannot build an OpenSSL ") + type + " public key");
    }
    EVP_PKEY *key = nullptr;
    if (EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
        return nullptr;
    }
    return EvpPkeyPtr(key);
}

} // namespace ostree_ima
