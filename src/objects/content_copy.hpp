// ContentCopy: the inflated content of one archive object, kept from the one
// inflate for the second pass that the new object's checksum needs.
//
// The checksum covers header + content and the new header holds the
// signature of the content, so the content must be hashed twice. Small
// content stays in memory; larger content goes to an unnamed file in the
// repository's tmp/ (page cache, not process memory, and gone when closed),
// so a large file is neither inflated twice nor held in RSS. If that file
// cannot be written (e.g. a full disk), replay() says so and the caller
// inflates again.
#pragma once

#include "objects/content_sink.hpp"
#include "objects/object_file_io.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

namespace ostree_ima {

class ContentCopy {
  public:
    // Keeps `size` bytes in memory when size <= in_memory_limit, else in a
    // file under the repository's tmp/.
    ContentCopy(int repo_dfd, std::uint64_t size, std::uint64_t in_memory_limit);

    void append(std::span<const std::uint8_t> chunk);

    // Streams the kept content to sink; false (sink not called) when it
    // could not be kept.
    [[nodiscard]] bool replay(const ContentSink &sink) const;

  private:
    std::vector<std::uint8_t> &memory_; // this thread's scratch_vector
    std::optional<Fd> file_;
    bool in_memory_;
    bool ok_ = true;
    std::uint64_t size_ = 0;
};

} // namespace ostree_ima
