// sign_commit: the whole `sign` job as a library call.
#pragma once

#include "ostree-ima/commit_binding.hpp"
#include "ostree-ima/export.hpp"
#include "ostree-ima/hash_algo.hpp"
#include "ostree-ima/ima_xattr.hpp"
#include "ostree-ima/key_backend.hpp"
#include "ostree-ima/path_selector.hpp"
#include "ostree-ima/progress.hpp"
#include "ostree-ima/signature_counts.hpp"
#include "ostree-ima/signature_scheme.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace ostree_ima {

struct SignRequest {
    std::string repo_path;
    std::string source_rev; // a ref or a commit checksum
    std::string target_ref; // empty: write the commit, move no ref
    const HashAlgo *algo = nullptr;
    KeyId key_id{};
    bool overwrite = false; // replace an existing security.ima
    // The signature scheme (ima_verity_scheme(): sigv3 over the fs-verity
    // digest, sha256); an existing signature of another scheme is replaced.
    const SignatureScheme *scheme = &ima_v2_scheme();
    unsigned jobs = 1;                // CPU workers (read, hash, write)
    ProgressSink *progress = nullptr; // told how far the job is (may be null)
    PathSelector selector;            // which files to sign (default: all)
    // Signed commits (refs or checksums) whose signatures by this key are
    // taken for the same digests instead of asking the key (each verified).
    std::vector<std::string> reuse;
    // A reuse commit that records its source commit (sign writes the record)
    // gives the signed object of each unchanged file without reading it
    // (RSA keys, no EVM). With reuse_reads_all every file is read and
    // hashed, and only signatures are taken: for reuse commits trusted for
    // their signatures but not for what they say they were made from
    // (docs/threat-model.md).
    bool reuse_reads_all = false;
    // An append-only file of the signatures the key makes, read at start:
    // a rerun after a failure asks the key only for what is missing.
    std::string signature_cache; // empty: none
    // EVM (docs/evm.md): with evm_key, a portable EVM signature
    // (security.evm) over every signed or kept file's security xattrs, owner
    // and mode, made by evm_key under evm_key_id; a valid one is kept.
    // evm_key must be another key than `key`, under another key id (one key
    // per format, docs/format.md): UsageError otherwise. Without, a
    // security.evm that a new security.ima makes stale is removed.
    KeyBackend *evm_key = nullptr;
    KeyId evm_key_id{};
    // Sign with EVM although the commit ships an enabled SELinux policy and
    // its files carry no security.selinux (deploy-time labelling would
    // invalidate every EVM signature: refused without it).
    bool evm_ignore_selinux = false;
    // Leave the files under /usr/etc without signature: not selected, and
    // their security.ima and security.evm removed (an old signature there
    // would ship).
    bool skip_usr_etc = false;
    // Write signatures that push a file's xattrs over the one 4 KiB block
    // ext4 without ea_inode holds them in (large, post-quantum signatures;
    // docs/format.md). Without it such a file is refused: Error naming it.
    bool allow_large_xattrs = false;
};

// Paths whose existing security.ima was replaced by a new signature, by why.
struct ReplacedCounts {
    std::uint64_t malformed = 0;     // not a well-formed signature
    std::uint64_t other_format = 0;  // a v2 signature by a sigv3 one, or back (well-formed)
    std::uint64_t not_verifying = 0; // the signing key's id, but not valid for the content
    std::uint64_t overwritten = 0;   // --overwrite
    [[nodiscard]] std::uint64_t invalid() const { return malformed + not_verifying; }
};

// Paths by what became of their security.evm.
struct EvmCounts {
    std::uint64_t made = 0;          // a new one (none before)
    std::uint64_t kept = 0;          // an existing one verified: kept
    std::uint64_t replaced = 0;      // a new one over one that did not verify
    std::uint64_t removed_stale = 0; // no EVM asked for; removed with the old security.ima
    // Of those with an EVM signature (made, kept, replaced): what deployment
    // may change (docs/evm.md).
    std::uint64_t under_usr_etc = 0;         // copied to /etc and merged there
    std::uint64_t without_selinux_label = 0; // no security.selinux
    bool selinux_policy = false;             // usr/etc/selinux/config says enforcing or permissive
};

struct SignReport {
    std::string source_commit;
    std::string new_commit;
    std::string ref;
    std::uint64_t files_signed = 0; // paths whose file got a new signature
    std::uint64_t files_kept = 0;   // paths whose existing security.ima was kept
    // Of files_kept: well-formed signatures by other keys (not checked: their
    // key is not ours), per key id.
    std::uint64_t files_kept_other_keys = 0;
    std::map<KeyId, std::uint64_t> other_key_ids;
    ReplacedCounts files_replaced;   // of files_signed
    std::uint64_t unique_signed = 0; // content objects signed
    std::uint64_t bytes_hashed = 0;  // content bytes hashed (and checked)
    SignatureCounts signatures;
    EvmCounts evm;
    CommitBinding binding; // the new commit's ref and collection bindings
    double seconds = 0;
    const SignatureScheme *scheme = &ima_v2_scheme(); // of the signatures written
    // Regular files under /usr/etc that carry a signature in the new commit
    // (signed or kept): deployment copies them to /etc, where admins edit
    // them and the /etc merge carries the then stale signature on
    // (docs/deploying.md). The first in path order, for the warning.
    std::uint64_t usr_etc_files_signed = 0;
    std::string usr_etc_first_signed;
    // skip_usr_etc: paths under /usr/etc whose security.ima or security.evm
    // was removed.
    std::uint64_t usr_etc_signatures_removed = 0;
    // What of the --reuse commits could not be read and was skipped (its
    // signatures made by the key instead), a record that could not be used
    // and a file not taken from a record (read instead): one warning each,
    // naming the commit and the path.
    std::vector<std::string> reuse_skipped;
};

// Writes a new commit in one OSTree transaction; moves target_ref only when
// every object is written. Without `overwrite` an existing security.ima is
// kept only when it could be valid: a well-formed v2 signature by another
// key, or one by the signing key that verifies for the content; anything else
// is replaced (docs/format.md). Throws Error (repository and ref untouched).
OSTREE_IMA_EXPORT SignReport sign_commit(const SignRequest &request, KeyBackend &key);

} // namespace ostree_ima
