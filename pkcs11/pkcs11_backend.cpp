#include "pkcs11_backend.hpp"

#include "ostree-ima/error.hpp"
#include "pkcs11_error.hpp"
#include "pkcs11_key_finder.hpp"
#include "pkcs11_login.hpp"
#include "pkcs11_module.hpp"
#include "pkcs11_pin.hpp"
#include "pkcs11_session_pool.hpp"
#include "pkcs11_strings.hpp"
#include "pkcs11_uri.hpp"
#include "secrets/pin_source.hpp"
#include "util/quoted_input.hpp"

#include <atomic>
#include <mutex>
#include <optional>

namespace ostree_ima {

using namespace pkcs11;

struct Pkcs11Backend::State {
    // Declaration order is destruction order reversed: the pool's sessions
    // close before the login session, which closes before the module goes.
    FoundKey key;
    std::unique_ptr<SessionPool> pool;
    std::string description;
    std::size_t signature_size = 0; // the buffer C_Sign writes to (the key algorithm's)
    std::atomic<bool> pin_refused{false};
    // The token has room for our login session only (ulMaxSessionCount 1,
    // or C_OpenSession refused with none of the pool's open): a TPM's slot,
    // many smart cards. Signatures then run on the login session, one at a
    // time.
    std::atomic<bool> on_login_session{false};
    std::mutex login_session_mutex;

    std::vector<std::uint8_t> sign_once(const Session &session,
                                        std::span<const std::uint8_t> input);
    std::vector<std::uint8_t> sign_on_login_session(std::span<const std::uint8_t> input)
    {
        const std::lock_guard lock(login_session_mutex);
        return sign_once(key.login->session(), input);
    }
    std::string signing_what; // "signing with " + description: messages, built once
    [[nodiscard]] const std::string &context() const { return signing_what; }
};

namespace {

std::vector<std::uint8_t> sign_input(const FoundKey &key, const HashAlgo &algo,
                                     std::span<const std::uint8_t> digest)
{
    if (digest.size() != algo.digest_size) {
        throw Error("internal error: " + std::string(algo.name) + " digest of " +
                    std::to_string(digest.size()) + " bytes");
    }
    return key.algorithm->token_input(key.public_key.get(), algo, digest);
}

} // namespace

std::vector<std::uint8_t> Pkcs11Backend::State::sign_once(const Session &session,
                                                          std::span<const std::uint8_t> input)
{
    if (key.always_authenticate && pin_refused.load()) {
        throw Error(context() + ": the token refused the PIN before; not trying it again");
    }
    const Cryptoki &cryptoki = session.cryptoki();
    try {
        cryptoki.sign_init(session.handle(), key.algorithm->pkcs11_mechanism(), key.key.handle,
                           context());
    } catch (const Pkcs11Error &error) {
        const CK_RV rv = error.rv();
        if (rv == CKR_USER_NOT_LOGGED_IN || rv == CKR_KEY_HANDLE_INVALID ||
            rv == CKR_OBJECT_HANDLE_INVALID) {
            // We never log in again on our own: the PIN might be the reason.
            throw Pkcs11Error(context() + " (the token ended our login or forgot the key: was it "
                                          "removed or reset? run again)",
                              "C_SignInit", rv);
        }
        throw;
    }
    if (key.always_authenticate) {
        const CK_RV rv = log_in(session, CKU_CONTEXT_SPECIFIC, &key.pin);
        if (rv == CKR_PIN_INCORRECT || rv == CKR_PIN_LOCKED) {
            pin_refused = true;
            throw Error(context() + ": the token refused the PIN for the signature (" +
                        ckr_text(rv) +
                        "); it was not retried, but each wrong attempt uses one of the token's "
                        "tries and it may lock: check the PIN before running again");
        }
        if (rv != CKR_OK) {
            throw Pkcs11Error(context() + " (context-specific login)", "C_Login", rv);
        }
    }

    std::vector<std::uint8_t> signature =
        cryptoki.sign(session.handle(), input, signature_size, context());
    return key.algorithm->from_token_signature(key.public_key.get(), std::move(signature),
                                               context());
}

Pkcs11Backend::Pkcs11Backend(const KeyOptions &options) : state_(std::make_unique<State>())
{
    const Pkcs11Uri uri(options.key);
    const PinSource pin_source(options.pin_file);
    const PinResolver pins(uri, pin_source);

    // Only the module holding the key stays loaded: the others are released
    // when `loaded` goes out of scope.
    const LoadedModules loaded = load_modules(uri);
    state_->key = find_private_key(uri, loaded, pins);
    FoundKey &key = state_->key;

    // The module is named after the URI, so the URI does not repeat it.
    state_->description = format_object_uri(key.token, CKO_PRIVATE_KEY, key.key.label, key.key.id) +
                          " (token " + quoted_input(fixed_field(key.token.label)) + ", module " +
                          key.module->path() + ")";
    state_->signing_what = "signing with " + state_->description;
    const EVP_PKEY *pub = key.public_key.get();
    if (!key.algorithm->holds(pub)) {
        throw Error("the public key found for " + state_->description + " is not " +
                    std::string(key.algorithm->name()));
    }
    state_->signature_size = key.algorithm->token_signature_size(pub);

    state_->on_login_session = key.token.ulMaxSessionCount == 1;
    const unsigned capacity = SessionPool::capacity_for(options.jobs, options.sessions, key.token);
    state_->pool = std::make_unique<SessionPool>(key.module, key.slot, capacity,
                                                 "opening a session for " + state_->description);
}

Pkcs11Backend::~Pkcs11Backend() = default;

const EVP_PKEY *Pkcs11Backend::public_key() const
{
    return state_->key.public_key.get();
}

std::string Pkcs11Backend::description() const
{
    return state_->description;
}

std::vector<std::uint8_t> Pkcs11Backend::certificate_der() const
{
    return state_->key.certificate_der;
}

unsigned Pkcs11Backend::max_parallel() const
{
    return state_->pool->capacity();
}

std::vector<std::uint8_t> Pkcs11Backend::sign(const HashAlgo &algo,
                                              std::span<const std::uint8_t> digest)
{
    State &state = *state_;
    const auto input = sign_input(state.key, algo, digest);
    for (int attempt = 0;; ++attempt) {
        if (state.on_login_session) {
            return state.sign_on_login_session(input);
        }
        std::optional<SessionPool::Lease> pooled;
        try {
            pooled.emplace(state.pool->acquire());
        } catch (const Pkcs11Error &error) {
            // The pool holds no session and the token has no room for one
            // besides the login session.
            if (error.rv() != CKR_SESSION_COUNT) {
                throw;
            }
            state.on_login_session = true;
            continue;
        }
        SessionPool::Lease &lease = *pooled;
        try {
            return state.sign_once(lease.session(), input);
        } catch (const Pkcs11Error &error) {
            // An operation may still be active on the session: never reuse it.
            lease.discard();
            const bool session_lost =
                error.rv() == CKR_SESSION_HANDLE_INVALID || error.rv() == CKR_SESSION_CLOSED;
            if (!session_lost) {
                throw;
            }
            if (attempt > 0) {
                throw Error(std::string(error.what()) + " (also on a newly opened session)");
            }
            // The token dropped our sessions (all of them, usually): retry
            // once on a new one. The login is per token, so none is needed.
            state.pool->invalidate();
        } catch (...) {
            lease.discard();
            throw;
        }
    }
}

std::unique_ptr<KeyBackend> open_pkcs11_backend(const KeyOptions &options)
{
    return std::make_unique<Pkcs11Backend>(options);
}

} // namespace ostree_ima
