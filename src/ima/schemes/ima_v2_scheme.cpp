// The v2 scheme: type 3, header v2, a signature of the file digest with any
// hash algorithm the kernel knows (appraise_type=imasig).
#include "ima/evm_input_shape.hpp"
#include "ima/file_digest.hpp"
#include "ima/schemes/signature_scheme.hpp"
#include "ima/verity_file_id.hpp"
#include "ostree-ima/error.hpp"

#include <algorithm>

namespace ostree_ima {

namespace {
class FileContentDigest final : public SchemeDigest {
  public:
    explicit FileContentDigest(const HashAlgo &algo) : digest_(algo) {}
    void update(std::span<const std::uint8_t> data) override { digest_.update(data); }
    std::vector<std::uint8_t> finish() override { return digest_.finish(); }

  private:
    FileDigest digest_;
};

class ImaV2Scheme final : public SignatureScheme {
  public:
    [[nodiscard]] std::string_view name() const override { return "v2"; }
    [[nodiscard]] std::string_view message_prefix() const override { return ""; }
    [[nodiscard]] std::string_view cache_prefix() const override { return ""; }
    [[nodiscard]] bool named_in_manifests() const override { return false; }
    [[nodiscard]] std::string_view appraise_condition() const override
    {
        return "appraise_type=imasig";
    }
    [[nodiscard]] bool accepts(const HashAlgo & /*algo*/) const override { return true; }
    void require(const HashAlgo & /*algo*/) const override {}
    [[nodiscard]] std::unique_ptr<SchemeDigest> digest(const HashAlgo &algo) const override
    {
        return std::make_unique<FileContentDigest>(algo);
    }
    [[nodiscard]] bool signs_fs_verity_digest() const override { return false; }
    [[nodiscard]] std::vector<std::uint8_t>
    digest_of_measured_verity(const HashAlgo & /*algo*/,
                              std::span<const std::uint8_t> /*verity_digest*/) const override
    {
        throw Error("a v2 signature does not sign the fs-verity digest"); // a caller's bug
    }
    [[nodiscard]] std::uint64_t collision_tail_size(std::uint64_t content_size) const override
    {
        // Longer content is no other format's message.
        return content_size <= kMaxEvmInputSize ? std::min(content_size, kEvmInputTailSize) : 0;
    }
    [[nodiscard]] std::optional<std::string> collision(std::span<const std::uint8_t> tail,
                                                       std::uint64_t content_size) const override
    {
        if (content_size == tail.size() && is_verity_file_id(tail))
            return "its content is an fs-verity file id (type 0x06, an algorithm and a digest); "
                   "its v2 signature would also be a valid fs-verity signature of every file "
                   "with that digest, so it is not signed: remove or change the file, or "
                   "exclude it (--exclude)";
        if (looks_like_evm_input(tail, content_size))
            return "its content is shaped like an EVM message (a security.ima value, then a "
                   "struct h_misc with an owner and mode); its v2 signature would also be a "
                   "valid portable security.evm for a file with that metadata where one key is "
                   "trusted for IMA and EVM, so it is not signed: remove or change the file, or "
                   "exclude it (--exclude)";
        return std::nullopt;
    }
    [[nodiscard]] std::vector<std::uint8_t>
    encode(const HashAlgo &algo, const KeyId &key_id,
           std::span<const std::uint8_t> signature) const override
    {
        return encode_ima_signature(algo, key_id, signature);
    }
    [[nodiscard]] ImaDecodeResult decode(std::span<const std::uint8_t> xattr) const override
    {
        return decode_ima_signature(xattr);
    }
    [[nodiscard]] bool claims(std::span<const std::uint8_t> xattr) const override
    {
        return !xattr.empty() && xattr[0] == kEvmImaXattrDigsig;
    }
};
} // namespace

const SignatureScheme &ima_v2_scheme()
{
    static const ImaV2Scheme scheme;
    return scheme;
}

} // namespace ostree_ima
