// The fs-verity scheme: type 6, header v3 (sigv3), a signature of the hash
// of the fs-verity file id, sha256 only (appraise_type=sigv3 on a rule
// with digest_type=verity).
#include "ima/schemes/signature_scheme.hpp"
#include "ima/verity_digest.hpp"
#include "ima/verity_file_id.hpp"
#include "ostree-ima/error.hpp"
#include "ostree-ima/ima_verity_xattr.hpp"

#include <string>

namespace ostree_ima {

namespace {
// The hash algorithm of fs-verity signatures: the fs-verity digest's, with
// which the kernel also hashes the file id.
const HashAlgo &verity_algo()
{
    return hash_algo_by_name("sha256");
}

class VerityContentDigest final : public SchemeDigest {
  public:
    explicit VerityContentDigest(const HashAlgo &algo) : algo_(algo) {}
    void update(std::span<const std::uint8_t> data) override { verity_.update(data); }
    std::vector<std::uint8_t> finish() override
    {
        return verity_file_id_digest(algo_, verity_.finish());
    }

  private:
    const HashAlgo &algo_;
    VerityDigest verity_;
};

class ImaVerityScheme final : public SignatureScheme {
  public:
    [[nodiscard]] std::string_view name() const override { return "verity"; }
    [[nodiscard]] std::string_view message_prefix() const override { return "fs-verity "; }
    [[nodiscard]] std::string_view cache_prefix() const override { return "verity-"; }
    [[nodiscard]] bool named_in_manifests() const override { return true; }
    // digest_type must come before appraise_type=sigv3: the kernel accepts
    // sigv3 only for a rule already marked verity.
    [[nodiscard]] std::string_view appraise_condition() const override
    {
        return "digest_type=verity appraise_type=sigv3";
    }
    [[nodiscard]] bool accepts(const HashAlgo &algo) const override
    {
        return &algo == &verity_algo();
    }
    void require(const HashAlgo &algo) const override
    {
        if (!accepts(algo))
            throw UsageError("fs-verity signatures use sha256 (the fs-verity digest's "
                             "algorithm), not " +
                             std::string(algo.name) + ": drop --hash or give --hash sha256");
    }
    [[nodiscard]] std::unique_ptr<SchemeDigest> digest(const HashAlgo &algo) const override
    {
        require(algo);
        return std::make_unique<VerityContentDigest>(algo);
    }
    [[nodiscard]] bool signs_fs_verity_digest() const override { return true; }
    [[nodiscard]] std::vector<std::uint8_t>
    digest_of_measured_verity(const HashAlgo &algo,
                              std::span<const std::uint8_t> verity_digest) const override
    {
        return verity_file_id_digest(algo, verity_digest);
    }
    // It signs the hash of a file id, which no other format signs.
    [[nodiscard]] std::uint64_t collision_tail_size(std::uint64_t /*content_size*/) const override
    {
        return 0;
    }
    [[nodiscard]] std::optional<std::string>
    collision(std::span<const std::uint8_t> /*tail*/, std::uint64_t /*content_size*/) const override
    {
        return std::nullopt;
    }
    [[nodiscard]] std::vector<std::uint8_t>
    encode(const HashAlgo &algo, const KeyId &key_id,
           std::span<const std::uint8_t> signature) const override
    {
        return encode_ima_verity_signature(algo, key_id, signature);
    }
    [[nodiscard]] ImaDecodeResult decode(std::span<const std::uint8_t> xattr) const override
    {
        return decode_ima_verity_signature(xattr);
    }
    [[nodiscard]] bool claims(std::span<const std::uint8_t> xattr) const override
    {
        return is_ima_verity_xattr(xattr);
    }
};
} // namespace

const SignatureScheme &ima_verity_scheme()
{
    static const ImaVerityScheme scheme;
    return scheme;
}

} // namespace ostree_ima
