#include "keys/key_file.hpp"

#include "keys/evp_key_backend.hpp"
#include "ostree-ima/certificate.hpp"
#include "ostree-ima/error.hpp"
#include "secrets/pin_source.hpp"
#include "util/input_file.hpp"
#include "util/openssl_ptr.hpp"

#include <cstring>
#include <exception>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <span>

namespace ostree_ima {

namespace {

// State for OpenSSL's passphrase callback: asks the PinSource at most once.
struct PassphraseRequest {
    const PinSource *source = nullptr;
    std::string what;
    bool asked = false;
    SecretString passphrase;
    std::exception_ptr failure; // exceptions must not cross OpenSSL's C frames
};

int passphrase_cb(char *buf, std::size_t size, std::size_t *len, const OSSL_PARAM * /*params*/,
                  void *arg)
{
    auto *req = static_cast<PassphraseRequest *>(arg);
    try {
        if (!req->asked) {
            req->asked = true;
            req->passphrase = req->source->obtain(req->what);
        }
        if (req->passphrase.size() > size)
            return 0;
        std::memcpy(buf, req->passphrase.c_str(), req->passphrase.size());
        *len = req->passphrase.size();
        return 1;
    } catch (...) {
        req->failure = std::current_exception();
        return 0;
    }
}

struct WipedBuffer {
    std::vector<std::uint8_t> bytes;
    WipedBuffer() = default;
    WipedBuffer(const WipedBuffer &) = delete;
    WipedBuffer &operator=(const WipedBuffer &) = delete;
    ~WipedBuffer()
    {
        if (!bytes.empty())
            OPENSSL_cleanse(bytes.data(), bytes.size());
    }
};

// Whether the bytes are an X.509 certificate (PEM or DER): the file most
// often given as --key by mistake, next to the key it belongs to.
bool is_certificate(std::span<const std::uint8_t> data, const std::string &what)
{
    try {
        (void)Certificate::from_bytes(data, what);
        return true;
    } catch (const Error &) {
        return false;
    }
}

} // namespace

std::unique_ptr<KeyBackend> open_key_file(const KeyOptions &options)
{
    const std::string &path = options.key;
    const std::string what = "key file " + path;
    // A private key in PEM is a few kB (RSA-16384 about 13 kB).
    constexpr std::size_t kMaxKeyFile = 1024 * 1024;
    const FileRole role{"key file", "--key (a private key file or a pkcs11: URI)"};
    WipedBuffer data;
    {
        const Fd fd = open_input_file(path, role);
        // Sized once: a vector that grows frees unwiped copies of the key.
        data.bytes.resize(input_size(fd, path, kMaxKeyFile, role));
        data.bytes.resize(read_input(fd, path, role, reinterpret_cast<char *>(data.bytes.data()),
                                     data.bytes.size()));
    }

    EVP_PKEY *raw = nullptr;
    OsslDecoderCtxPtr dctx(OSSL_DECODER_CTX_new_for_pkey(&raw, nullptr, nullptr, nullptr,
                                                         EVP_PKEY_KEYPAIR, nullptr, nullptr));
    if (!dctx)
        throw Error("cannot set up a key decoder: " + openssl_error_text());
    const PinSource pins(options.pin_file);
    PassphraseRequest req;
    req.source = &pins;
    req.what = "passphrase for " + what;
    OSSL_DECODER_CTX_set_passphrase_cb(dctx.get(), passphrase_cb, &req);

    const unsigned char *p = data.bytes.data();
    std::size_t left = data.bytes.size();
    const bool decoded = OSSL_DECODER_from_data(dctx.get(), &p, &left) == 1 && raw != nullptr;
    EvpPkeyPtr key(raw);
    const std::string detail = openssl_error_text();
    if (req.failure)
        std::rethrow_exception(req.failure);
    if (!decoded) {
        if (req.asked)
            throw Error("wrong passphrase for " + what +
                        " (or the file is damaged); check --pin-file or OSTREE_IMA_PIN");
        if (is_certificate(data.bytes, what))
            throw Error(what + " is a certificate, not a private key; pass it as --cert and the "
                               "private key as --key");
        throw Error(what + " holds no private key OpenSSL can read (PEM or DER, RSA or EC)" +
                    (detail.empty() ? "" : ": " + detail));
    }
    return std::make_unique<EvpKeyBackend>(std::move(key), what, options.jobs);
}

} // namespace ostree_ima
