#include "pkcs11_key_finder.hpp"

#include "ostree-ima/error.hpp"
#include "pkcs11_attributes.hpp"
#include "pkcs11_error.hpp"
#include "pkcs11_public_key.hpp"
#include "pkcs11_strings.hpp"
#include "softhsm_hint.hpp"
#include "util/diagnostics.hpp"
#include "util/quoted_input.hpp"

#include <algorithm>
#include <iostream>
#include <map>
#include <tuple>
#include <utility>

namespace ostree_ima::pkcs11 {

namespace {

// How many objects an error message lists per token before "...".
constexpr std::size_t max_listed_objects = 20;

struct TokenState {
    ModulePtr module;
    CK_SLOT_ID slot = 0;
    CK_TOKEN_INFO token{};
    std::string what;
    std::shared_ptr<TokenLogin> login;
    SecretString pin; // wiped when the search is over unless handed on
};

struct Candidate {
    std::shared_ptr<TokenState> token;
    ObjectInfo object;
};

std::vector<ObjectInfo> search_private_keys(const Session &session, const Pkcs11Uri &uri)
{
    ObjectTemplate templ(CKO_PRIVATE_KEY, uri.object_label(), uri.object_id());
    std::vector<ObjectInfo> found;
    for (const auto handle : find_objects(session, templ.attributes())) {
        found.push_back(read_object_info(session, handle));
    }
    return found;
}

// What a token shows, for "no private key matches" messages.
std::string list_token_objects(const TokenState &state)
{
    const Session &session = state.login->session();
    std::string text = token_what(*state.module, state.token) + ": ";
    std::vector<CK_ATTRIBUTE> everything;
    std::vector<ObjectInfo> infos;
    try {
        for (const auto handle : find_objects(session, everything)) {
            ObjectInfo info = read_object_info(session, handle);
            if (info.object_class == CKO_PRIVATE_KEY || info.object_class == CKO_PUBLIC_KEY ||
                info.object_class == CKO_CERTIFICATE) {
                infos.push_back(std::move(info));
            }
        }
    } catch (const Error &error) {
        return text + "(cannot list objects: " + error.what() + ")";
    }
    // Private keys first, then certificates, public keys; by label and id.
    std::sort(infos.begin(), infos.end(), [](const ObjectInfo &a, const ObjectInfo &b) {
        const auto rank = [](CK_OBJECT_CLASS c) {
            return c == CKO_PRIVATE_KEY ? 0 : c == CKO_CERTIFICATE ? 1 : 2;
        };
        return std::tuple(rank(a.object_class), a.label, a.id) <
               std::tuple(rank(b.object_class), b.label, b.id);
    });
    std::string objects;
    std::size_t listed = 0;
    for (const auto &info : infos) {
        if (listed++ == max_listed_objects) {
            objects += ", ...";
            break;
        }
        objects += (objects.empty() ? "" : ", ") + describe_object(info);
    }
    text += objects.empty() ? "no keys or certificates" : objects;
    if (!state.login->logged_in()) {
        text += " (not logged in: private objects are hidden)";
    }
    return text;
}

[[noreturn]] void throw_no_match(const Pkcs11Uri &uri, const LoadedModules &loaded,
                                 const std::vector<std::shared_ptr<TokenState>> &tokens,
                                 const std::vector<std::string> &other_tokens)
{
    std::string failures;
    for (const auto &failure : loaded.failures) {
        failures += (failures.empty() ? "" : ", ") + failure.name + " (" + failure.reason + ")";
    }
    const std::string failed =
        failures.empty() ? "" : "; modules that failed to initialize: " + failures;

    // When no token matched, the modules' own messages (tpm2-pkcs11's TCTI
    // errors, for instance) may explain why: show them then, and only then.
    if ((loaded.modules.empty() || tokens.empty()) && !loaded.module_output.empty()) {
        diagnose(DiagnosticKind::ModuleOutput, loaded.module_output);
    }
    if (loaded.modules.empty()) {
        throw Error("no PKCS#11 module matches " + uri.display() + failed);
    }
    if (tokens.empty()) {
        std::string others;
        for (const auto &other : other_tokens) {
            others += (others.empty() ? "" : ", ") + other;
        }
        std::vector<std::string> paths;
        for (const auto &module : loaded.modules)
            paths.push_back(module->path());
        for (const auto &failure : loaded.failures)
            paths.push_back(failure.name);
        throw Error("no token matches " + uri.display() +
                    "; tokens present: " + (others.empty() ? std::string("none") : others) +
                    failed + softhsm_conf_hint(paths));
    }
    std::string seen;
    for (const auto &token : tokens) {
        seen += (seen.empty() ? "" : "; ") + list_token_objects(*token);
    }
    throw Error("no private key matches " + uri.display() + "; found on matching tokens: " + seen +
                failed);
}

// The same token reached through two modules (a module registered twice,
// or a proxy) shows the same objects twice: keep the first.
void drop_duplicates_across_modules(std::vector<Candidate> &candidates)
{
    std::map<std::string, const Module *> seen;
    std::vector<Candidate> kept;
    for (auto &candidate : candidates) {
        const CK_TOKEN_INFO &t = candidate.token->token;
        const std::string key = fixed_field(t.manufacturerID) + '\n' + fixed_field(t.model) + '\n' +
                                fixed_field(t.serialNumber) + '\n' + fixed_field(t.label) + '\n' +
                                to_hex(candidate.object.id) + '\n' + candidate.object.label;
        const Module *module = candidate.token->module.get();
        const auto [it, inserted] = seen.emplace(key, module);
        if (!inserted && it->second != module) {
            continue;
        }
        kept.push_back(std::move(candidate));
    }
    candidates = std::move(kept);
}

std::string candidate_uri(const Candidate &candidate, const ModuleHint &hint)
{
    return format_object_uri(candidate.token->token, CKO_PRIVATE_KEY, candidate.object.label,
                             candidate.object.id, hint);
}

// The certificate object with the key's CKA_ID whose public key is the key's.
std::vector<std::uint8_t> read_certificate(const FoundKey &found)
{
    if (found.key.id.empty()) {
        return {};
    }
    const Session &session = found.login->session();
    ObjectTemplate templ(CKO_CERTIFICATE, std::nullopt, found.key.id);
    std::vector<std::uint8_t> chosen;
    for (const auto handle : find_objects(session, templ.attributes())) {
        auto der = get_attribute(session, handle, CKA_VALUE);
        if (!der) {
            continue;
        }
        const auto key = public_key_from_certificate(*der);
        if (!key || EVP_PKEY_eq(key.get(), found.public_key.get()) != 1) {
            warn("ignoring certificate '" + get_string_attribute(session, handle, CKA_LABEL) +
                 "' with CKA_ID " + to_hex(found.key.id) + " on " + found.token_what +
                 ": it is not for the key " + found.uri);
            continue;
        }
        if (!chosen.empty()) {
            note(found.token_what + " has several certificates for " + found.uri +
                 "; using the first one");
            break;
        }
        chosen = std::move(*der);
    }
    return chosen;
}

FoundKey make_found_key(Candidate candidate, const Pkcs11Uri &uri, const PinResolver &pins)
{
    TokenState &state = *candidate.token;
    FoundKey found;
    found.module = state.module;
    found.slot = state.slot;
    found.token = state.token;
    found.token_what = state.what;
    found.login = state.login;
    found.key = std::move(candidate.object);
    found.uri = format_object_uri(state.token, CKO_PRIVATE_KEY, found.key.label, found.key.id,
                                  module_hint(uri));
    const Session &session = found.login->session();

    if (get_bool_attribute(session, found.key.handle, CKA_SIGN) == false) {
        throw Error("key " + found.uri + " is not allowed to sign (CKA_SIGN is false)");
    }
    found.algorithm = found.key.key_type ? find_key_algorithm(*found.key.key_type) : nullptr;
    if (found.algorithm == nullptr) {
        throw Error("key " + found.uri + " is a " +
                    (found.key.key_type ? key_type_name(*found.key.key_type)
                                        : std::string("key of unknown type")) +
                    " key; IMA signatures need an RSA or EC key");
    }

    found.always_authenticate =
        get_bool_attribute(session, found.key.handle, CKA_ALWAYS_AUTHENTICATE).value_or(false);
    if (found.always_authenticate) {
        if ((state.token.flags & CKF_PROTECTED_AUTHENTICATION_PATH) != 0) {
            throw Error("key " + found.uri +
                        " requires the PIN on the PIN pad for every signature "
                        "(CKA_ALWAYS_AUTHENTICATE); it cannot sign many files unattended");
        }
        // The context-specific logins need the PIN; log in with it first so
        // that a wrong PIN fails once, here, and is never repeated.
        if (!found.login->logged_in()) {
            found.login->login(pins, &state.pin);
        }
        if (state.pin.empty()) {
            // Logged in without our PIN (by someone else in this process):
            // an unverified PIN must not be tried once per signature.
            throw Error("key " + found.uri +
                        " needs the PIN for every signature (CKA_ALWAYS_AUTHENTICATE) but "
                        "no verified PIN is available");
        }
        found.pin = std::move(state.pin);
    }
    state.pin.clear();

    try {
        found.public_key =
            public_key_for_key(session, found.key.handle, found.algorithm, found.key.id);
    } catch (const Error &error) {
        throw Error("reading the public key of " + found.uri + ": " + error.what());
    }
    if (!found.public_key) {
        throw Error("cannot read the public key of " + found.uri +
                    ": the private key does not expose it and there is no public key or "
                    "certificate object with the same CKA_ID on " +
                    found.token_what);
    }
    found.certificate_der = read_certificate(found);
    return found;
}

} // namespace

FoundKey find_private_key(const Pkcs11Uri &uri, const LoadedModules &loaded,
                          const PinResolver &pins)
{
    if (const auto klass = uri.object_class(); klass && *klass != CKO_PRIVATE_KEY) {
        throw Error("--key " + uri.display() + " names a " + class_name(*klass) +
                    "; a signing key needs type=private (or no type)");
    }

    std::vector<std::shared_ptr<TokenState>> tokens;
    std::vector<std::string> other_tokens;
    std::vector<Candidate> candidates;
    for (const auto &module : loaded.modules) {
        for (const CK_SLOT_ID slot : module->slots(true)) {
            const auto slot_found = module->cryptoki().slot_info(slot);
            if (!slot_found) {
                continue; // token removed meanwhile, or not usable
            }
            const auto token_found = module->cryptoki().token_info_if_any(slot);
            if (!token_found) {
                continue;
            }
            const CK_SLOT_INFO &slot_info = *slot_found;
            const CK_TOKEN_INFO &token_info = *token_found;
            if (!uri.matches_slot(slot, slot_info) || !uri.matches_token(token_info) ||
                (token_info.flags & CKF_TOKEN_INITIALIZED) == 0) {
                other_tokens.push_back(token_what(*module, token_info));
                continue;
            }
            auto state = std::make_shared<TokenState>();
            state->module = module;
            state->slot = slot;
            state->token = token_info;
            state->what = token_what(*module, token_info);
            try {
                state->login = std::make_shared<TokenLogin>(module, slot, state->what);
            } catch (const Pkcs11Error &error) {
                // One broken token must not hide a key on another: report
                // it only if nothing is found.
                other_tokens.emplace_back(error.what());
                continue;
            }
            tokens.push_back(state);

            if ((token_info.flags & CKF_LOGIN_REQUIRED) != 0) {
                state->login->login(pins, &state->pin);
            }
            auto found = search_private_keys(state->login->session(), uri);
            if (found.empty() && !state->login->logged_in() &&
                (token_info.flags & CKF_USER_PIN_INITIALIZED) != 0) {
                // Private keys are usually private objects: look again after login.
                state->login->login(pins, &state->pin);
                found = search_private_keys(state->login->session(), uri);
            }
            for (auto &object : found) {
                candidates.push_back({state, std::move(object)});
            }
        }
    }

    drop_duplicates_across_modules(candidates);
    if (candidates.empty()) {
        throw_no_match(uri, loaded, tokens, other_tokens);
    }
    if (candidates.size() > 1) {
        std::string list;
        const ModuleHint hint = module_hint(uri);
        for (const auto &candidate : candidates) {
            list += (list.empty() ? "" : " ; ") + candidate_uri(candidate, hint);
        }
        throw Error(uri.display() + " matches " + std::to_string(candidates.size()) +
                    " private keys: " + list + " ; make --key name one (id=, serial=, token=)");
    }
    return make_found_key(std::move(candidates.front()), uri, pins);
}

} // namespace ostree_ima::pkcs11
