// SignatureStore: where a run keeps the signatures it finished, for the
// digests met again (the same content under another object): packed in
// memory, or, given a repository, appended to an unnamed file in its tmp/
// (gone with the process), so that memory does not grow by a signature per
// file (a commit of 1,000,000 files holds 256 MB of RSA-2048 signatures;
// docs/benchmarks.md, "Memory").
#pragma once

#include "util/fd.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace ostree_ima {

class SignatureStore {
  public:
    // Where a stored signature is.
    struct Ref {
        std::uint64_t offset;
        std::uint32_t size;
    };

    // `repo_dfd` < 0: in memory.
    explicit SignatureStore(int repo_dfd = -1);

    // Not thread-safe: the caller serialises.
    Ref put(std::span<const std::uint8_t> signature);
    [[nodiscard]] std::vector<std::uint8_t> get(const Ref &ref) const;

  private:
    int repo_dfd_;
    std::optional<Fd> file_;
    std::uint64_t end_ = 0;
    std::vector<std::vector<std::uint8_t>> blocks_; // in memory: 1 MiB each
};

} // namespace ostree_ima
