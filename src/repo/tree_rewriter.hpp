// TreeRewriter: writes the new dirtrees of a planned commit, in which file
// entries point at new content objects; untouched directories keep their
// dirtree. Works from the dirtrees CommitPlan recorded: none is loaded or
// matched again.
#pragma once

#include "repo/commit_plan.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ostree_ima {

class TreeRewriter {
  public:
    // new_checksum[i] is the new checksum of plan.objects[i] (the same when
    // it is unchanged). Both must outlive the rewriter.
    TreeRewriter(OstreeRepo *repo, const CommitPlan &plan,
                 const std::vector<RawChecksum> &new_checksum);

    // Must run inside a transaction. Returns the new root dirtree checksum.
    // The new dirtrees are linked into objects/ directly: call
    // sync_repository before a commit refers to them.
    std::string rewrite();

    [[nodiscard]] std::uint64_t trees_written() const { return written_; }

  private:
    const std::string &rewrite_dir(std::size_t index);
    OstreeRepo *repo_;
    const CommitPlan &plan_;
    const std::vector<RawChecksum> &new_checksum_;
    // Per recorded directory: its new dirtree, once written (a directory
    // shared by several paths is written once).
    std::vector<std::optional<std::string>> done_;
    std::uint64_t written_ = 0;
};

} // namespace ostree_ima
