// Opening a key through an OpenSSL engine (--engine=ID), e.g. libp11's pkcs11.
#pragma once

#include "ostree-ima/key_backend.hpp"
#include "ostree-ima/key_options.hpp"

#include <memory>

namespace ostree_ima {

std::unique_ptr<KeyBackend> open_engine_key(const KeyOptions &options);

} // namespace ostree_ima
