// TreeRewriter: writes new dirtrees in which file entries point at new
// content objects; untouched subtrees keep their checksum.
#pragma once

#include "commit_walker.hpp"

#include <functional>
#include <string>
#include <unordered_map>

namespace ostree_ima {

class TreeRewriter {
  public:
    // map_file(path, old content checksum) -> new content checksum.
    // When path_independent, identical dirtrees are rewritten once.
    using FileMap = std::function<std::string(const std::string &path, const std::string &csum)>;
    TreeRewriter(OstreeRepo *repo, FileMap map_file, bool path_independent);

    // Must run inside a transaction. Returns the new root dirtree checksum.
    // The new dirtrees are linked into objects/ directly: call
    // sync_repository before a commit refers to them.
    std::string rewrite(const std::string &root_tree);

    [[nodiscard]] std::uint64_t trees_written() const { return written_; }

  private:
    std::string rewrite_tree(const std::string &tree_checksum, std::string &path);
    OstreeRepo *repo_;
    CommitWalker walker_;
    FileMap map_file_;
    bool path_independent_;
    std::unordered_map<std::string, std::string> memo_;
    std::uint64_t written_ = 0;
};

} // namespace ostree_ima
