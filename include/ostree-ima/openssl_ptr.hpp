// unique_ptr aliases for the OpenSSL objects the public API hands over: a
// key (EvpPkeyPtr) and a certificate (X509Ptr). The library's other owners
// are in src/util/openssl_ptr.hpp, not installed.
#pragma once

#include <memory>
#include <openssl/evp.h>
#include <openssl/x509.h>

namespace ostree_ima {

template <auto Fn> struct OpenSslDeleter {
    template <typename T> void operator()(T *p) const { Fn(p); }
};

using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509_free>>;

} // namespace ostree_ima
