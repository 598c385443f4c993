#include "keys/provider_key.hpp"

#include "keys/evp_key_backend.hpp"
#include "keys/key_reference.hpp"
#include "ostree-ima/error.hpp"
#include "secrets/pin_source.hpp"
#include "util/openssl_ptr.hpp"
#include "util/quoted_input.hpp"

#include <cstring>
#include <exception>
#include <openssl/provider.h>
#include <openssl/store.h>
#include <openssl/ui.h>
#include <vector>

namespace ostree_ima {

namespace {

// Keeps the loaded providers for as long as the key lives.
struct ProviderSet {
    std::vector<OSSL_PROVIDER *> loaded;
    ProviderSet() = default;
    ProviderSet(const ProviderSet &) = delete;
    ProviderSet &operator=(const ProviderSet &) = delete;
    ~ProviderSet()
    {
        // Unload in reverse order of loading. (std::views::reverse does not
        // build with clang 14 + libstdc++ 12, which the fuzz build uses.)
        for (auto it = loaded.rbegin(); it != loaded.rend(); ++it) // NOLINT(modernize-loop-convert)
            OSSL_PROVIDER_unload(*it);
    }
};

struct StorePin {
    const PinSource *source = nullptr;
    std::string what;
    std::exception_ptr failure;
};

int store_pin_cb(char *buf, int size, int /*rwflag*/, void *arg)
{
    auto *req = static_cast<StorePin *>(arg);
    try {
        SecretString pin = req->source->obtain(req->what);
        if (pin.size() >= static_cast<std::size_t>(size))
            return -1;
        std::memcpy(buf, pin.c_str(), pin.size());
        return static_cast<int>(pin.size());
    } catch (...) {
        req->failure = std::current_exception();
        return -1;
    }
}

} // namespace

std::unique_ptr<KeyBackend> open_provider_key(const KeyOptions &options)
{
    auto providers = std::make_shared<ProviderSet>();
    // Loading any provider by hand stops OpenSSL from loading "default"
    // implicitly; digests and the public-key checks need it.
    std::vector<std::string> names = options.providers;
    if (std::find(names.begin(), names.end(), "default") == names.end())
        names.emplace_back("default");
    for (const auto &name : names) {
        OSSL_PROVIDER *prov = OSSL_PROVIDER_load(nullptr, name.c_str());
        if (prov == nullptr)
            throw Error("OpenSSL provider " + quoted_input(name) + " cannot be loaded: " +
                        openssl_error_text() + "; install it or check --provider");
        providers->loaded.push_back(prov);
    }

    const PinSource pins(options.pin_file);
    StorePin req{&pins, "PIN for " + shown_key_reference(options.key), nullptr};
    UiMethodPtr ui(UI_UTIL_wrap_read_pem_callback(store_pin_cb, 0));
    OsslStoreCtxPtr store(OSSL_STORE_open_ex(options.key.c_str(), nullptr, nullptr, ui.get(), &req,
                                             nullptr, nullptr, nullptr));
    if (!store)
        throw Error("no loaded provider can open " + shown_key_reference(options.key) + ": " +
                    openssl_error_text() + "; check --provider and the key URI");
    OSSL_STORE_expect(store.get(), OSSL_STORE_INFO_PKEY);
    EvpPkeyPtr key;
    int found = 0;
    while (OSSL_STORE_eof(store.get()) == 0) {
        OsslStoreInfoPtr info(OSSL_STORE_load(store.get()));
        if (req.failure)
            std::rethrow_exception(req.failure);
        if (!info)
            continue;
        if (OSSL_STORE_INFO_get_type(info.get()) == OSSL_STORE_INFO_PKEY) {
            ++found;
            if (!key)
                key.reset(OSSL_STORE_INFO_get1_PKEY(info.get()));
        }
    }
    if (found > 1)
        throw Error(shown_key_reference(options.key) + " holds " + std::to_string(found) +
                    " private keys; name exactly one");
    if (!key)
        throw Error("no private key at " + shown_key_reference(options.key) + ": " +
                    openssl_error_text() + "; check the key URI, --provider and the PIN");
    (void)openssl_error_text();
    return std::make_unique<EvpKeyBackend>(std::move(key),
                                           "provider key " + shown_key_reference(options.key),
                                           options.jobs, providers);
}

} // namespace ostree_ima
