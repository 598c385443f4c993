// Per-thread scratch buffers that keep their memory from one object to the
// next.
//
// A buffer allocated per object costs a zero-fill and, above glibc's mmap
// threshold, an mmap, a page fault per 4 KiB and an munmap, every time: on
// the 1 GB library corpus that is the whole content once more in page
// faults. Each call site names its own buffer with a tag type, so buffers in
// use at the same time on one thread never alias; a buffer keeps its largest
// size (bounded by what its call site asks for: one read chunk, or the
// in-memory limit of ContentSigner) until its thread ends.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace ostree_ima {

template <typename Tag> std::vector<std::uint8_t> &scratch_vector()
{
    thread_local std::vector<std::uint8_t> buffer;
    return buffer;
}

// `n` bytes of the Tag buffer of this thread; their content is unspecified.
template <typename Tag> std::span<std::uint8_t> scratch_buffer(std::size_t n)
{
    std::vector<std::uint8_t> &buffer = scratch_vector<Tag>();
    if (buffer.size() < n)
        buffer.resize(n);
    return {buffer.data(), n};
}

} // namespace ostree_ima
