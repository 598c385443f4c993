// open_key_backend: turns KeyOptions into the KeyBackend that can sign.
#pragma once

#include "ostree-ima/export.hpp"
#include "ostree-ima/key_backend.hpp"
#include "ostree-ima/key_options.hpp"

#include <memory>

namespace ostree_ima {

// Routes: --engine -> EngineBackend; --provider -> ProviderBackend;
// "pkcs11:" -> Pkcs11Backend; otherwise a key file (FileKeyBackend).
OSTREE_IMA_EXPORT std::unique_ptr<KeyBackend> open_key_backend(const KeyOptions &options);

} // namespace ostree_ima
