// Engines are deprecated in OpenSSL 3 but still how many sites route keys.
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "engine_key.hpp"

#include "evp_key_backend.hpp"
#include "ostree-ima/error.hpp"
#include "ostree-ima/openssl_ptr.hpp"
#include "ostree-ima/pin_source.hpp"
#include "ostree-ima/quoted_input.hpp"
#include "shown_key_reference.hpp"

#include <cstdlib>
#include <iostream>
#include <openssl/engine.h>
#include <openssl/ui.h>

namespace ostree_ima {

namespace {

// Holds the functional reference; never made the process default (a default
// engine breaks tpm2-pkcs11 and every other OpenSSL user in the process).
struct EngineHandle {
    ENGINE *engine = nullptr;
    bool initialised = false;
    EngineHandle() = default;
    EngineHandle(const EngineHandle &) = delete;
    EngineHandle &operator=(const EngineHandle &) = delete;
    ~EngineHandle()
    {
        if (initialised)
            ENGINE_finish(engine);
        if (engine != nullptr)
            ENGINE_free(engine);
    }
};

} // namespace

std::unique_ptr<KeyBackend> open_engine_key(const KeyOptions &options)
{
    ENGINE_load_builtin_engines();
    auto handle = std::make_shared<EngineHandle>();
    handle->engine = ENGINE_by_id(options.engine.c_str());
    if (handle->engine == nullptr)
        throw Error("OpenSSL engine " + quoted_input(options.engine) +
                    " is not available: install it (e.g. libengine-pkcs11-openssl) or check "
                    "--engine; " +
                    openssl_error_text());
    if (ENGINE_init(handle->engine) != 1)
        throw Error("OpenSSL engine " + quoted_input(options.engine) +
                    " failed to initialise: " + openssl_error_text());
    handle->initialised = true;

    // A PIN from --pin-file or OSTREE_IMA_PIN goes to the engine through its
    // control command, never through argv. Otherwise the engine may prompt.
    const bool have_pin = !options.pin_file.empty() || std::getenv("OSTREE_IMA_PIN") != nullptr;
    const bool takes_pin = ENGINE_ctrl(handle->engine, ENGINE_CTRL_GET_CMD_FROM_NAME, 0,
                                       const_cast<char *>("PIN"), nullptr) > 0;
    if (options.key.find("pin-value=") != std::string::npos)
        std::cerr << "ostree-ima: warning: a PIN in the key URI (pin-value) is visible to other "
                     "users of this machine; use --pin-file or pin-source instead\n";
    if (have_pin && takes_pin) {
        const PinSource pins(
            options.pin_file.empty() ? std::nullopt : std::optional<std::string>(options.pin_file));
        SecretString pin = pins.obtain("PIN for engine " + options.engine);
        if (ENGINE_ctrl_cmd_string(handle->engine, "PIN", pin.c_str(), 0) != 1)
            throw Error("engine " + quoted_input(options.engine) + " refused the PIN setting");
    }
    (void)openssl_error_text();

    EvpPkeyPtr key(ENGINE_load_private_key(handle->engine, options.key.c_str(), nullptr, nullptr));
    if (!key)
        throw Error("engine " + quoted_input(options.engine) + " cannot load key " +
                    shown_key_reference(options.key) + ": " + openssl_error_text() +
                    "; check the key id and PIN");
    return std::make_unique<EvpKeyBackend>(std::move(key),
                                           "engine " + printable_input(options.engine) + " key " +
                                               shown_key_reference(options.key),
                                           options.jobs, handle, true);
}

} // namespace ostree_ima
