#include "signing/signature_store.hpp"

#include "objects/object_file_io.hpp"

#include <algorithm>

namespace ostree_ima {

namespace {
constexpr std::uint64_t kBlock = 1 << 20;
}

SignatureStore::SignatureStore(int repo_dfd) : repo_dfd_(repo_dfd) {}

SignatureStore::Ref SignatureStore::put(std::span<const std::uint8_t> signature)
{
    if (repo_dfd_ >= 0) {
        if (!file_) // on first use: a run that signs nothing makes none
            file_.emplace(open_object_tmpfile(repo_dfd_));
        const Ref ref{end_, static_cast<std::uint32_t>(signature.size())};
        write_all(file_->get(), signature.data(), signature.size(),
                  "a signature kept in the repository's tmp/");
        end_ += signature.size();
        return ref;
    }
    if (blocks_.empty() || blocks_.back().size() + signature.size() > kBlock) {
        blocks_.emplace_back();
        blocks_.back().reserve(std::max<std::size_t>(kBlock, signature.size()));
    }
    std::vector<std::uint8_t> &block = blocks_.back();
    const Ref ref{(static_cast<std::uint64_t>(blocks_.size() - 1) << 32) | block.size(),
                  static_cast<std::uint32_t>(signature.size())};
    block.insert(block.end(), signature.begin(), signature.end());
    return ref;
}

std::vector<std::uint8_t> SignatureStore::get(const Ref &ref) const
{
    std::vector<std::uint8_t> out(ref.size);
    if (file_) {
        pread_all(file_->get(), out.data(), out.size(), ref.offset,
                  "a signature kept in the repository's tmp/");
        return out;
    }
    const std::vector<std::uint8_t> &block = blocks_[ref.offset >> 32];
    const auto first = block.begin() + static_cast<std::ptrdiff_t>(ref.offset & 0xffffffffU);
    std::copy(first, first + ref.size, out.begin());
    return out;
}

} // namespace ostree_ima
