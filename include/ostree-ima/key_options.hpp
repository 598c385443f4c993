// KeyOptions: what the user said about the signing key, for every command
// that signs (sign, ima-sign, sign-digests).
#pragma once

#include <string>
#include <vector>

namespace ostree_ima {

struct KeyOptions {
    // --key: a key file path, a pkcs11: URI, an engine key id (with engine),
    // or an OSSL_STORE URI (with providers).
    std::string key;
    std::string engine;                 // --engine=ID
    std::vector<std::string> providers; // --provider=NAME, repeatable
    std::string pin_file;               // --pin-file=PATH, empty when not given
    unsigned jobs = 1;                  // CPU worker threads of the job
    // Signatures in flight at once (--sessions): a remote token's sessions.
    // 0: as many as the token allows when it says (at most 64), else jobs.
    unsigned sessions = 0;
};

} // namespace ostree_ima
