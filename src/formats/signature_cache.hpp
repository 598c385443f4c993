// The signature cache (--signature-cache=PATH): an append-only file of the
// signatures a key made, one per line, so that a run that failed halfway
// (token removed, session lost, SIGKILL, network cut) can be run again and
// ask the key only for what is missing. docs/keys.md has the format:
//
//   # ostree-ima signature cache 1
//   sha256 <digest hex> <key id hex> <signature base64>
//   verity-sha256 <digest hex> <key id hex> <signature base64>
//
// The first field is the hash algorithm of a v2 signature's file digest, or
// `verity-` and the algorithm for a sigv3 one (its digest is the hash of the
// fs-verity file id): the two never stand in for each other, and a cache
// written before sigv3 reads as it did (a binary that predates sigv3 skips
// the verity lines as not entries).
//
// Read as untrusted input: a line that is not exactly that (garbage, a
// truncated last line after a crash) is skipped and counted, never an
// error; every signature taken from it is verified before it is used.
#pragma once

#include "ostree-ima/hash_algo.hpp"
#include "ostree-ima/ima_xattr.hpp"
#include "ostree-ima/signature_scheme.hpp"
#include "util/fd.hpp"

#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ostree_ima {

struct CachedSignature {
    const SignatureScheme *scheme = &ima_v2_scheme();
    const HashAlgo *algo = nullptr;
    std::vector<std::uint8_t> digest;
    KeyId key_id{};
    std::vector<std::uint8_t> signature;
};

// One line, without its newline; nullopt when it is not a valid entry.
std::optional<CachedSignature> parse_cache_line(std::string_view line);
std::string format_cache_line(const CachedSignature &entry); // with its newline

struct CacheContents {
    std::vector<CachedSignature> entries;
    std::uint64_t skipped = 0; // lines that are not entries (a cut last line among them)
};

// The entries of a cache file's text.
CacheContents parse_signature_cache(std::string_view text);

// The cache file, read when opened, then appended to as entries are made:
// one write(2) per line (a killed process loses nothing written), fsync
// every kSyncEvery lines and when closed (a power cut loses at most those).
// Thread-safe.
class SignatureCacheWriter {
  public:
    static constexpr unsigned kSyncEvery = 32;
    // A cache beyond this is refused (a 4096-bit RSA signature's line is
    // under 800 bytes: over a million signatures; an ML-DSA-87 one under
    // 6,400: over 160,000).
    static constexpr std::size_t kMaxBytes = std::size_t{1} << 30;
    // Opens the file as util/append_file.hpp does (only a regular file of
    // this user, never through a link; created mode 0600 with its header
    // line) and reads it. An existing cache that cannot be written (a
    // read-only file or mount) is read all the same: the Error comes at the
    // first append, when a line must actually be written.
    explicit SignatureCacheWriter(const std::string &path);
    SignatureCacheWriter(const SignatureCacheWriter &) = delete;
    SignatureCacheWriter &operator=(const SignatureCacheWriter &) = delete;
    ~SignatureCacheWriter();

    // What the file held when opened.
    [[nodiscard]] const CacheContents &contents() const { return contents_; }

    // Error names the file when it cannot be written.
    void append(const CachedSignature &entry);

  private:
    std::string path_;
    Fd fd_;
    bool writable_ = true;
    std::string why_not_writable_;
    CacheContents contents_;
    std::mutex mutex_;
    unsigned unsynced_ = 0;
};

} // namespace ostree_ima
