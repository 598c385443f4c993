// Module: one loaded and initialized PKCS#11 module (RAII), and the loading
// rules for a URI: module-path, module-name, or every registered module.
//
// p11-kit loads the modules ("managed" mode: it coordinates C_Initialize /
// C_Finalize with other users of the same module in this process); every
// other Cryptoki call goes through the module's Cryptoki wrapper.
#pragma once

#include "cryptoki.hpp"
#include "pkcs11_uri.hpp"

#include <p11-kit/pkcs11.h>

#include <memory>
#include <string>
#include <vector>

namespace ostree_ima::pkcs11 {

class Module {
  public:
    // Takes over a module that p11-kit loaded and that was initialized.
    // `registry_name` is the p11-kit registry name ("softhsm2"), or empty.
    Module(CK_FUNCTION_LIST *functions, std::string registry_name);
    ~Module();
    Module(const Module &) = delete;
    Module &operator=(const Module &) = delete;

    [[nodiscard]] const Cryptoki &cryptoki() const { return cryptoki_; }
    [[nodiscard]] const std::string &path() const { return path_; }
    [[nodiscard]] const std::string &registry_name() const { return registry_name_; }
    [[nodiscard]] const CK_INFO &info() const { return info_; }
    [[nodiscard]] std::string library_description() const;
    [[nodiscard]] std::string manufacturer() const;
    // "softhsm2 (/usr/lib/softhsm/libsofthsm2.so)" or just the path.
    [[nodiscard]] std::string display() const;
    // C_GetSlotList; only slots holding a token when `token_present`.
    [[nodiscard]] std::vector<CK_SLOT_ID> slots(bool token_present) const;

  private:
    CK_FUNCTION_LIST *functions_;
    Cryptoki cryptoki_;
    std::string registry_name_;
    std::string path_;
    CK_INFO info_{};
    bool skip_finalize_ = false;
};

using ModulePtr = std::shared_ptr<const Module>;

// A registered module that could not be used.
struct ModuleFailure {
    std::string name;   // registry name
    std::string reason; // "C_Initialize failed: CKR_...: ..."
};

struct LoadedModules {
    std::vector<ModulePtr> modules;
    std::vector<ModuleFailure> failures;
    // What the modules printed on stderr while they initialized (only when
    // every registered module was loaded); worth showing when nothing matched.
    std::string module_output;
};

// Loads what the URI asks for: its module-path only, its module-name from
// the p11-kit registry, or else every registered module. Modules whose
// library information does not match the URI are dropped. Throws Error
// naming the module when a module-path or module-name cannot be used.
LoadedModules load_modules(const Pkcs11Uri &uri);

} // namespace ostree_ima::pkcs11
