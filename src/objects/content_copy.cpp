#include "objects/content_copy.hpp"

#include "ostree-ima/error.hpp"
#include "util/scratch_buffer.hpp"

#include <algorithm>

#include <fcntl.h>
#include <unistd.h>

namespace ostree_ima {

namespace {
const char *const kWhat = "the content kept in the repository's tmp/";
struct KeptContent;
struct ReplayBuffer;
} // namespace

ContentCopy::ContentCopy(int repo_dfd, std::uint64_t size, std::uint64_t in_memory_limit)
    : memory_(scratch_vector<KeptContent>()), in_memory_(size <= in_memory_limit)
{
    memory_.clear();
    if (in_memory_) {
        memory_.reserve(size);
        return;
    }
    file_.emplace(::openat(repo_dfd, "tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
    ok_ = file_->get() >= 0;
}

void ContentCopy::append(std::span<const std::uint8_t> chunk)
{
    if (in_memory_) {
        memory_.insert(memory_.end(), chunk.begin(), chunk.end());
        return;
    }
    if (!ok_)
        return;
    try {
        write_all(file_->get(), chunk.data(), chunk.size(), kWhat);
        size_ += chunk.size();
    } catch (const Error &) {
        ok_ = false; // replay() reports it; the caller inflates again
    }
}

bool ContentCopy::replay(const ContentSink &sink) const
{
    if (in_memory_) {
        sink(memory_);
        return true;
    }
    if (!ok_)
        return false;
    // A read error after the sink saw part of the content is thrown: no way back.
    read_chunks(file_->get(), size_,
                scratch_buffer<ReplayBuffer>(std::clamp<std::uint64_t>(size_, 1, kIoChunk)), sink,
                kWhat);
    return true;
}

} // namespace ostree_ima
