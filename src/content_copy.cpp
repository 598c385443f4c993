#include "content_copy.hpp"

#include "ostree-ima/error.hpp"

#include <algorithm>

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace ostree_ima {

namespace {
constexpr std::size_t kChunk = 256 * 1024;
} // namespace

ContentCopy::ContentCopy(int repo_dfd, std::uint64_t size, std::uint64_t in_memory_limit)
    : in_memory_(size <= in_memory_limit)
{
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
    while (ok_ && !chunk.empty()) {
        const ssize_t n = ::write(file_->get(), chunk.data(), chunk.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            ok_ = false; // replay() reports it; the caller inflates again
            break;
        }
        chunk = chunk.subspan(static_cast<std::size_t>(n));
        size_ += static_cast<std::uint64_t>(n);
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
    std::vector<std::uint8_t> buf(kChunk);
    std::uint64_t offset = 0;
    while (offset < size_) {
        const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, size_ - offset));
        const ssize_t n = ::pread(file_->get(), buf.data(), want, static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) // the sink saw part of it: no way back
            throw Error("cannot read back the content kept in the repository's tmp/: " +
                        (n == 0 ? std::string("truncated") : errno_text()));
        sink(std::span<const std::uint8_t>(buf.data(), static_cast<std::size_t>(n)));
        offset += static_cast<std::uint64_t>(n);
    }
    return true;
}

} // namespace ostree_ima
