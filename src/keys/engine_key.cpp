// Engines are deprecated in OpenSSL 3 but still how many sites route keys.
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "keys/engine_key.hpp"

#include "keys/evp_key_backend.hpp"
#include "keys/key_reference.hpp"
#include "ostree-ima/error.hpp"
#include "secrets/pin_source.hpp"
#include "util/diagnostics.hpp"
#include "util/openssl_ptr.hpp"
#include "util/quoted_input.hpp"
#include "util/stderr_capture.hpp"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <openssl/engine.h>
#include <openssl/ui.h>
#include <optional>
#include <unistd.h>

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

// What the engine printed while loading the key, for the user: libp11
// prints the key id as given ("The private key was not found at: pkcs11:...
// ;pin-value=..."), so each mention of it is replaced by how messages show
// it, and each line is bounded.
std::string engine_output_without_key(const std::string &output, const std::string &key)
{
    constexpr std::size_t kMaxLineChars = 300;
    const std::string shown = shown_key_reference(key);
    std::string out;
    std::size_t start = 0;
    while (start < output.size()) {
        const std::size_t end = std::min(output.find('\n', start), output.size());
        std::string line = output.substr(start, end - start);
        if (!key.empty())
            for (auto at = line.find(key); at != std::string::npos;
                 at = line.find(key, at + shown.size()))
                line.replace(at, key.size(), shown);
        out += printable_input(line, kMaxLineChars) + "\n";
        start = end + 1;
    }
    return out;
}

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
    const PinSource pins(options.pin_file);
    const bool have_pin =
        pins.origin() == PinSource::Origin::File || pins.origin() == PinSource::Origin::Environment;
    const bool takes_pin = ENGINE_ctrl(handle->engine, ENGINE_CTRL_GET_CMD_FROM_NAME, 0,
                                       const_cast<char *>("PIN"), nullptr) > 0;
    if (options.key.find("pin-value=") != std::string::npos)
        warn("a PIN in the key URI (pin-value) is visible to other users of this machine; use "
             "--pin-file or pin-source instead");
    if (have_pin && takes_pin) {
        SecretString pin = pins.obtain("PIN for engine " + options.engine);
        if (ENGINE_ctrl_cmd_string(handle->engine, "PIN", pin.c_str(), 0) != 1)
            throw Error("engine " + quoted_input(options.engine) + " refused the PIN setting");
    }
    (void)openssl_error_text();

    // Unless the engine may have to prompt on a terminal, its output while it
    // loads the key is held back: replayed, key id replaced, on failure.
    const bool may_prompt = !have_pin && isatty(STDIN_FILENO) != 0;
    std::optional<StderrCapture> capture;
    if (!may_prompt)
        capture.emplace();
    EvpPkeyPtr key(ENGINE_load_private_key(handle->engine, options.key.c_str(), nullptr, nullptr));
    const std::string engine_output = capture ? capture->finish() : std::string();
    if (!key && !engine_output.empty())
        diagnose(DiagnosticKind::ModuleOutput,
                 engine_output_without_key(engine_output, options.key));
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
