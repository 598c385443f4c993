#include "pkcs11_certificate_finder.hpp"

#include "ostree-ima/error.hpp"
#include "pkcs11_attributes.hpp"
#include "pkcs11_error.hpp"
#include "pkcs11_login.hpp"
#include "pkcs11_objects.hpp"
#include "pkcs11_strings.hpp"
#include "softhsm_hint.hpp"
#include "util/diagnostics.hpp"
#include "util/quoted_input.hpp"

#include <iostream>
#include <set>

namespace ostree_ima::pkcs11 {

namespace {

std::vector<CK_OBJECT_HANDLE> search(const Session &session, const Pkcs11Uri &uri)
{
    ObjectTemplate templ(CKO_CERTIFICATE, uri.object_label(), uri.object_id());
    return find_objects(session, templ.attributes());
}

// The certificates one token shows for `uri`, logging in as the header says.
void collect(const ModulePtr &module, CK_SLOT_ID slot, const CK_TOKEN_INFO &token,
             const Pkcs11Uri &uri, const PinResolver &pins, std::vector<TokenCertificate> &out)
{
    TokenLogin login(module, slot, token_what(*module, token));
    auto handles = search(login.session(), uri);
    if (handles.empty() && (token.flags & CKF_LOGIN_REQUIRED) != 0 && pins.given()) {
        login.login(pins); // a wrong PIN is an Error at once, as for keys
        handles = search(login.session(), uri);
    }
    const ModuleHint hint = module_hint(uri);
    for (const auto handle : handles) {
        const ObjectInfo info = read_object_info(login.session(), handle);
        auto der = get_attribute(login.session(), handle, CKA_VALUE);
        const std::string object_uri =
            format_object_uri(token, CKO_CERTIFICATE, info.label, info.id, hint);
        if (!der || der->empty()) {
            throw Error("certificate " + object_uri + " has no readable value (CKA_VALUE)");
        }
        out.push_back({std::move(*der), object_uri});
    }
}

[[noreturn]] void throw_no_certificate(const Pkcs11Uri &uri, const LoadedModules &loaded,
                                       const std::vector<std::string> &token_uris)
{
    if (loaded.modules.empty()) {
        throw Error("no PKCS#11 module matches " + uri.display() +
                    "; check the URI's module-path or module-name");
    }
    if (token_uris.empty()) {
        // The modules' own messages may explain why (a TPM not reachable).
        diagnose(DiagnosticKind::ModuleOutput, loaded.module_output);
        std::vector<std::string> paths;
        for (const auto &module : loaded.modules)
            paths.push_back(module->path());
        throw Error("no token matches " + uri.display() +
                    "; 'ostree-ima keys' lists every registered module and token" +
                    softhsm_conf_hint(paths));
    }
    if (token_uris.size() == 1) {
        throw Error("no certificate matches " + uri.display() +
                    "; list the token's certificates with: ostree-ima keys '" + token_uris.front() +
                    "'");
    }
    throw Error("no certificate matches " + uri.display() + " on " +
                std::to_string(token_uris.size()) +
                " tokens; 'ostree-ima keys' with the URI's token and module lists their "
                "certificates");
}

} // namespace

TokenCertificate find_certificate(const Pkcs11Uri &uri, const LoadedModules &loaded,
                                  const PinResolver &pins)
{
    if (const auto klass = uri.object_class(); klass && *klass != CKO_CERTIFICATE) {
        throw Error(uri.display() + " names a " + class_name(*klass) +
                    "; a certificate URI needs type=cert (or no type)");
    }
    std::vector<std::string> token_uris;
    std::vector<TokenCertificate> candidates;
    for (const auto &module : loaded.modules) {
        for (const CK_SLOT_ID slot : module->slots(true)) {
            const auto slot_info = module->cryptoki().slot_info(slot);
            if (!slot_info) {
                continue;
            }
            const auto token_info = module->cryptoki().token_info_if_any(slot);
            if (!token_info || (token_info->flags & CKF_TOKEN_INITIALIZED) == 0 ||
                !uri.matches_slot(slot, *slot_info) || !uri.matches_token(*token_info)) {
                continue;
            }
            const CK_TOKEN_INFO &token = *token_info;
            token_uris.push_back(format_token_uri(token, module_hint(uri)));
            collect(module, slot, token, uri, pins, candidates);
        }
    }
    if (candidates.empty()) {
        throw_no_certificate(uri, loaded, token_uris);
    }
    std::set<std::vector<std::uint8_t>> different;
    std::string list;
    for (const auto &candidate : candidates) {
        different.insert(candidate.der);
        list += (list.empty() ? "" : " ; ") + candidate.uri;
    }
    if (different.size() > 1) {
        throw Error(uri.display() + " matches " + std::to_string(different.size()) +
                    " different certificates: " + list +
                    " ; make the URI name one (object=, id=, token=)");
    }
    return std::move(candidates.front());
}

} // namespace ostree_ima::pkcs11
