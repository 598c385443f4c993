// SignatureScheme: everything that differs between the security.ima
// signature formats, in one object per format (ima_v2_scheme.cpp,
// ima_verity_scheme.cpp) and one registry (signature_scheme.cpp): the
// digest it signs, the bytes of the xattr, how an existing value is
// classified, its names and its policy rule. Requests, the cache, manifests
// and verify carry a scheme; nothing outside this room asks which one it is.
// A new format is a new file here and a line in the registry (docs/design.md).
#pragma once

#include "ostree-ima/hash_algo.hpp"
#include "ostree-ima/ima_xattr.hpp"
#include "ostree-ima/signature_scheme.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ostree_ima {

// The digest a scheme signs, fed the file's content in order.
class SchemeDigest {
  public:
    virtual ~SchemeDigest();
    virtual void update(std::span<const std::uint8_t> data) = 0;
    [[nodiscard]] virtual std::vector<std::uint8_t> finish() = 0;
};

class SignatureScheme {
  public:
    SignatureScheme() = default;
    SignatureScheme(const SignatureScheme &) = delete;
    SignatureScheme &operator=(const SignatureScheme &) = delete;
    virtual ~SignatureScheme();

    // "v2", "verity": reports, manifests, JSON, the audit log.
    [[nodiscard]] virtual std::string_view name() const = 0;
    // The words messages put before "signature": "" or "fs-verity ".
    [[nodiscard]] virtual std::string_view message_prefix() const = 0;
    // The first field's prefix of its lines in the signature cache (at most
    // 16 bytes; no prefix is the start of another).
    [[nodiscard]] virtual std::string_view cache_prefix() const = 0;
    // Whether manifests and signature files name it (a version that names
    // its scheme); v2's keep the bytes of the versions before schemes.
    [[nodiscard]] virtual bool named_in_manifests() const = 0;
    // The conditions of its appraise rule (ima_policy): which signature the
    // kernel requires.
    [[nodiscard]] virtual std::string_view appraise_condition() const = 0;

    // Whether it can sign with `algo` (fs-verity: sha256 only).
    [[nodiscard]] virtual bool accepts(const HashAlgo &algo) const = 0;
    // Throws UsageError naming the algorithm when it cannot.
    virtual void require(const HashAlgo &algo) const = 0;
    // The digest a signature with `algo` signs; require()s it first.
    [[nodiscard]] virtual std::unique_ptr<SchemeDigest> digest(const HashAlgo &algo) const = 0;
    // Whether what it signs follows from the fs-verity digest the
    // filesystem measures (verify on a checkout asks the filesystem then).
    [[nodiscard]] virtual bool signs_fs_verity_digest() const = 0;
    // The digest a signature signs, from that measured fs-verity digest;
    // only when signs_fs_verity_digest().
    [[nodiscard]] virtual std::vector<std::uint8_t>
    digest_of_measured_verity(const HashAlgo &algo,
                              std::span<const std::uint8_t> verity_digest) const = 0;
    // Content whose signature in this scheme would also be a valid
    // signature of another format (the kernel tells the formats apart by
    // the xattr's type byte only): v2 signs a hash of the raw content, so
    // content that is an fs-verity file id or shaped like an EVM message is
    // refused. How many of the content's last bytes the check needs (0: it
    // has none; the content's size when it is all of it), then the reason
    // to refuse, from those bytes and the size; nullopt: none.
    [[nodiscard]] virtual std::uint64_t collision_tail_size(std::uint64_t content_size) const = 0;
    [[nodiscard]] virtual std::optional<std::string>
    collision(std::span<const std::uint8_t> tail, std::uint64_t content_size) const = 0;

    // The xattr value: header and signature.
    [[nodiscard]] virtual std::vector<std::uint8_t>
    encode(const HashAlgo &algo, const KeyId &key_id,
           std::span<const std::uint8_t> signature) const = 0;
    // Decodes outside data; never throws. A value of another scheme is not
    // well-formed for this one.
    [[nodiscard]] virtual ImaDecodeResult decode(std::span<const std::uint8_t> xattr) const = 0;
    // Whether the value claims this scheme (its type byte), well-formed or not.
    [[nodiscard]] virtual bool claims(std::span<const std::uint8_t> xattr) const = 0;
};

// Every scheme, the default first.
std::span<const SignatureScheme *const> signature_schemes();

// The scheme a security.ima value claims; the default when none does
// (garbage is judged malformed by the default scheme's decode).
const SignatureScheme &scheme_claimed_by(std::span<const std::uint8_t> xattr);

// Whether a well-formed value of another scheme than `scheme` (a format
// change, not a broken value).
bool well_formed_in_other_scheme(const SignatureScheme &scheme,
                                 std::span<const std::uint8_t> xattr);

} // namespace ostree_ima
