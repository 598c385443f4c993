#include "ostree-ima/error.hpp"
#include "ostree-ima/key_backend.hpp"
#include "ostree-ima/key_options.hpp"

namespace ostree_ima {
std::unique_ptr<KeyBackend> open_pkcs11_backend(const KeyOptions &)
{
    throw Error("PKCS#11 keys are not supported by this build");
}
} // namespace ostree_ima
