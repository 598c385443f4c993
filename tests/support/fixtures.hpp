// Test fixtures made with the real tools: temporary directories, keys and
// certificates (openssl CLI), source trees and OSTree repositories (ostree
// CLI), and a libostree reader to inspect what ostree-ima wrote.
#pragma once

#include "process.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace test_support {

// The ostree-ima binary under test and the source tree (set by CMake).
std::string binary();
std::string source_dir();

class TempDir {
  public:
    TempDir();
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;
    ~TempDir();
    [[nodiscard]] const std::string &path() const { return path_; }
    [[nodiscard]] std::string operator/(const std::string &name) const
    {
        return path_ + "/" + name;
    }

  private:
    std::string path_;
};

struct KeyPair {
    std::string name;     // "rsa2048"
    std::string key_pem;  // private key file
    std::string cert_pem; // self-signed certificate, SKID = hash
    std::string cert_der;
};

// Generates with `openssl genpkey` + `openssl req -x509`. spec: "rsa:2048",
// "rsa:4096", "ec:P-256", "ec:P-384", "ed25519", "rsa:1024", "ec:P-521".
KeyPair make_key(const std::string &dir, const std::string &name, const std::string &spec);

// The same with a certificate whose subjectKeyIdentifier is skid_hex
// (lower-case hex, any bytes: not the SHA-1 of the key, as a CA may
// number its keys), or that has none when skid_hex is empty. Checked with
// certificate_skid_hex.
KeyPair make_key_with_skid(const std::string &dir, const std::string &name, const std::string &spec,
                           const std::string &skid_hex);

// The subjectKeyIdentifier as `openssl x509 -ext subjectKeyIdentifier`
// prints it, as lower-case hex without colons; "" when there is none.
std::string certificate_skid_hex(const std::string &cert);

// The tree of the integration tests: nested directories, empty and large
// files, an executable, a symlink, the same content at several paths, a file
// with a user.* xattr and one pre-signed by evmctl with `presign_key`.
void make_source_tree(const std::string &dir, const KeyPair &presign_key);

// `ostree init` + `ostree commit` of `tree` to ref `main`. Returns the repo path.
std::string make_repo(const std::string &dir, const std::string &mode, const std::string &tree,
                      const std::string &ref = "main");

std::string rev_parse(const std::string &repo, const std::string &rev);
bool ref_exists(const std::string &repo, const std::string &ref);

// What the tests compare of each file of a commit, read with libostree.
struct FileFacts {
    bool regular = false;
    std::uint32_t uid = 0, gid = 0, mode = 0;
    std::uint64_t size = 0;
    std::string symlink_target;
    std::string other_xattrs; // every xattr but security.ima, printed
    std::optional<std::vector<std::uint8_t>> ima;
};
std::map<std::string, FileFacts> read_commit_files(const std::string &repo, const std::string &rev);

// Every part of the commit object but the root dirtree, printed.
std::string commit_without_root(const std::string &repo, const std::string &rev);
// The same without the metadata's ostree.ref-binding (which follows the ref
// a commit is signed for) and ostree-ima.signing (the record sign adds).
std::string commit_without_root_and_binding(const std::string &repo, const std::string &rev);
// The source commit that the commit's ostree-ima.signing record names;
// nullopt when it has none.
std::optional<std::string> commit_signing_source(const std::string &repo, const std::string &rev);
// The commit's ostree.ref-binding; nullopt when it has none.
std::optional<std::vector<std::string>> commit_ref_binding(const std::string &repo,
                                                           const std::string &rev);
std::string commit_root_tree(const std::string &repo, const std::string &rev);

// Checks out rev and runs `evmctl ima_verify --key cert` on every regular
// file; returns the paths (relative) that failed, with evmctl's output.
std::vector<std::string> evmctl_verify_checkout(const std::string &repo, const std::string &rev,
                                                const std::string &cert_der,
                                                const std::string &workdir);

// Checks every regular file of rev as the kernel checks a sigv3 signature,
// without ostree-ima: a security.ima of type 6, version 3, sha256, whose
// size field matches, and whose signature `openssl dgst -sha256 -verify`
// accepts with cert's key over the file id {0x06, 0x04, the digest
// `fsverity digest` gives for the file of a checkout}. Returns the paths
// that failed, each with why (evmctl 1.4 cannot check sigv3).
std::vector<std::string> verity_verify_checkout(const std::string &repo, const std::string &rev,
                                                const std::string &cert_der,
                                                const std::string &workdir);

// ostree fsck passes.
void require_fsck(const std::string &repo);

} // namespace test_support
