// Opening a private key file (PEM or DER, optionally encrypted).
#pragma once

#include "ostree-ima/key_backend.hpp"
#include "ostree-ima/key_options.hpp"

#include <memory>

namespace ostree_ima {

std::unique_ptr<KeyBackend> open_key_file(const KeyOptions &options);

} // namespace ostree_ima
