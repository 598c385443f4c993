#include "pkcs11_module.hpp"

#include "util/diagnostics.hpp"
#include "util/malloc_ptr.hpp"

#include "ckr_text.hpp"
#include "ostree-ima/error.hpp"
#include "pkcs11_strings.hpp"
#include "softhsm_hint.hpp"
#include "util/quoted_input.hpp"
#include "util/stderr_capture.hpp"

#include <p11-kit/p11-kit.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <iostream>
#include <sys/stat.h>

namespace ostree_ima::pkcs11 {

namespace {

std::string take_string(char *owned)
{
    const MallocPtr<char> holder(owned);
    return owned == nullptr ? std::string() : std::string(owned);
}

// A module list from p11_kit_modules_load: releases what was not taken.
class ModuleList {
  public:
    explicit ModuleList(CK_FUNCTION_LIST **list) : list_(list) {}
    ~ModuleList()
    {
        if (list_ == nullptr) {
            return;
        }
        for (CK_FUNCTION_LIST **p = list_; *p != nullptr; ++p) {
            p11_kit_module_release(*p);
        }
        std::free(list_);
    }
    ModuleList(const ModuleList &) = delete;
    ModuleList &operator=(const ModuleList &) = delete;

    [[nodiscard]] CK_FUNCTION_LIST **get() const { return list_; }
    [[nodiscard]] std::vector<CK_FUNCTION_LIST *> items() const
    {
        std::vector<CK_FUNCTION_LIST *> out;
        for (CK_FUNCTION_LIST **p = list_; p != nullptr && *p != nullptr; ++p) {
            out.push_back(*p);
        }
        return out;
    }
    // The caller now owns `module` (it will release it).
    void take(CK_FUNCTION_LIST *module)
    {
        CK_FUNCTION_LIST **out = list_;
        for (CK_FUNCTION_LIST **p = list_; *p != nullptr; ++p) {
            if (*p != module) {
                *out++ = *p;
            }
        }
        *out = nullptr;
    }

  private:
    CK_FUNCTION_LIST **list_;
};

// Releases a loaded but not yet initialized module unless handed on.
struct ReleaseModule {
    void operator()(CK_FUNCTION_LIST *module) const { p11_kit_module_release(module); }
};
using LoadedModule = std::unique_ptr<CK_FUNCTION_LIST, ReleaseModule>;

std::string load_failure(const std::string &path)
{
    const char *message = p11_kit_message();
    const std::string reason = message == nullptr ? std::string() : std::string(message);
    const std::string hint = "; check --key's module-path";
    if (reason.find("C_GetFunctionList") != std::string::npos ||
        reason.find("C_GetInterface") != std::string::npos) {
        return "cannot load PKCS#11 module " + path +
               ": not a PKCS#11 module (it has no working C_GetFunctionList)" + hint;
    }
    return "cannot load PKCS#11 module " + path + ": " +
           (reason.empty() ? std::string("unknown reason") : reason) + hint;
}

ModulePtr load_by_path(const std::string &path)
{
    struct stat st {};
    if (path.find('/') != std::string::npos && stat(path.c_str(), &st) != 0) {
        throw Error("cannot load PKCS#11 module " + path +
                    ": no such file; check --key's module-path");
    }
    LoadedModule module(p11_kit_module_load(path.c_str(), 0));
    if (!module) {
        throw Error(load_failure(path));
    }
    const CK_RV rv = p11_kit_module_initialize(module.get());
    if (rv != CKR_OK) {
        throw Error("cannot initialize PKCS#11 module " + path +
                    ": C_Initialize failed: " + ckr_text(rv) + softhsm_conf_hint({path}));
    }
    auto loaded = std::make_shared<const Module>(module.get(), "");
    (void)module.release(); // now owned by `loaded`
    return loaded;
}

ModulePtr load_by_name(const std::string &name)
{
    ModuleList list(p11_kit_modules_load(nullptr, 0));
    if (list.get() == nullptr) {
        throw Error("cannot load the registered PKCS#11 modules: " +
                    std::string(p11_kit_message() ? p11_kit_message() : "unknown reason"));
    }
    CK_FUNCTION_LIST *found = p11_kit_module_for_name(list.get(), name.c_str());
    if (found == nullptr) {
        std::string names;
        for (auto *module : list.items()) {
            names += (names.empty() ? "" : ", ") + take_string(p11_kit_module_get_name(module));
        }
        throw Error("no registered PKCS#11 module is named " + quoted_input(name) +
                    " (registered: " + (names.empty() ? std::string("none") : names) +
                    "); check --key's module-name or use module-path");
    }
    list.take(found);
    LoadedModule module(found);
    const CK_RV rv = p11_kit_module_initialize(module.get());
    if (rv != CKR_OK) {
        const std::string filename = take_string(p11_kit_module_get_filename(found));
        throw Error("cannot initialize PKCS#11 module " + quoted_input(name) + " (" + filename +
                    "): C_Initialize failed: " + ckr_text(rv) + softhsm_conf_hint({filename}));
    }
    auto loaded = std::make_shared<const Module>(module.get(), name);
    (void)module.release();
    return loaded;
}

LoadedModules load_registered()
{
    LoadedModules result;
    StderrCapture capture;
    {
        ModuleList list(p11_kit_modules_load(nullptr, 0));
        if (list.get() == nullptr) {
            diagnose(DiagnosticKind::ModuleOutput, capture.finish()); // may say why
            throw Error("cannot load the registered PKCS#11 modules: " +
                        std::string(p11_kit_message() ? p11_kit_message() : "unknown reason"));
        }
        // Initialize one by one (not p11_kit_modules_initialize) so that we
        // know which module failed and why.
        for (auto *raw : list.items()) {
            list.take(raw);
            LoadedModule module(raw);
            const std::string name = take_string(p11_kit_module_get_name(raw));
            // Trust-policy modules (p11-kit-trust: the system CA bundle) hold
            // no private keys; loading one parses hundreds of certificates.
            // module-name= still reaches them.
            if (take_string(p11_kit_config_option(raw, "trust-policy")) == "yes") {
                continue;
            }
            const CK_RV rv = p11_kit_module_initialize(raw);
            if (rv != CKR_OK) {
                result.failures.push_back({name, "C_Initialize failed: " + ckr_text(rv)});
                if ((p11_kit_module_get_flags(raw) & P11_KIT_MODULE_CRITICAL) != 0) {
                    diagnose(DiagnosticKind::ModuleOutput, capture.finish()); // may say why
                    throw Error("cannot initialize the critical PKCS#11 module " +
                                quoted_input(name) + ": " + ckr_text(rv));
                }
                continue;
            }
            result.modules.push_back(std::make_shared<const Module>(module.get(), name));
            (void)module.release();
        }
    }
    result.module_output = capture.finish();
    return result;
}

} // namespace

Module::Module(CK_FUNCTION_LIST *functions, std::string registry_name)
    : functions_(functions), cryptoki_(*functions), registry_name_(std::move(registry_name)),
      path_(take_string(p11_kit_module_get_filename(functions))),
      info_(cryptoki_.info().value_or(CK_INFO{}))
{
    // SoftHSM2 can crash in C_Finalize (or at exit after it) when OpenSSL 3
    // is also used by the process: its crypto factory tears down OpenSSL
    // state (engines, RNG) that may still be in use. pkcs11-provider has the
    // same "no-deinit" quirk for it. Leaving it initialized costs nothing:
    // our sessions are closed (so the login ends), token state is in files.
    const std::string lower_path = [&] {
        std::string s = path_;
        std::transform(s.begin(), s.end(), s.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        return s;
    }();
    skip_finalize_ =
        manufacturer().starts_with("SoftHSM") || lower_path.find("softhsm") != std::string::npos;
}

Module::~Module()
{
    if (skip_finalize_) {
        // Releasing an initialized module would unload it without
        // C_Finalize (and leak p11-kit's session table): keep it loaded
        // until the process exits instead.
        return;
    }
    p11_kit_module_finalize(functions_);
    p11_kit_module_release(functions_);
}

std::string Module::library_description() const
{
    return fixed_field(info_.libraryDescription);
}

std::string Module::manufacturer() const
{
    return fixed_field(info_.manufacturerID);
}

std::string Module::display() const
{
    if (registry_name_.empty()) {
        return path_;
    }
    return registry_name_ + " (" + path_ + ")";
}

std::vector<CK_SLOT_ID> Module::slots(bool token_present) const
{
    return cryptoki_.slot_list(token_present, "listing the slots of module " + path_);
}

LoadedModules load_modules(const Pkcs11Uri &uri)
{
    LoadedModules result;
    if (const auto path = uri.module_path()) {
        result.modules.push_back(load_by_path(*path));
    } else if (const auto name = uri.module_name()) {
        result.modules.push_back(load_by_name(*name));
    } else {
        result = load_registered();
    }
    std::erase_if(result.modules,
                  [&](const ModulePtr &module) { return !uri.matches_module(module->info()); });
    return result;
}

} // namespace ostree_ima::pkcs11
