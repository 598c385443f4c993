// SignatureCounts: how the signatures of a run came about (made by the
// key, reused, rejected), as sign and sign-digests report them.
#pragma once

#include <cstdint>

namespace ostree_ima {

// How the signatures of a run came about.
struct SignatureCounts {
    std::uint64_t made = 0;        // by the key
    std::uint64_t from_commit = 0; // reused from a commit given to reuse
    std::uint64_t from_cache = 0;  // reused from the signature cache
    // Content objects taken whole, signed, from a --reuse commit by its
    // record of its source (not read; their signatures checked).
    std::uint64_t from_record = 0;
    std::uint64_t same_digest = 0;         // content already signed in this run
    std::uint64_t rejected = 0;            // known signatures that did not verify: skipped
    std::uint64_t cache_lines_skipped = 0; // of the signature cache: not entries
};

} // namespace ostree_ima
