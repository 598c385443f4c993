// CommitWalker: reads a commit's dirtrees and reports every file with its path.
// Every commit, dirtree and dirmeta it reads is checked against its name
// (load_metadata_object) before anything is derived from it.
#pragma once

#include "gvariant_ptr.hpp"

#include <functional>
#include <ostree.h>
#include <string>
#include <unordered_set>

namespace ostree_ima {

struct FileEntry {
    const std::string &path;             // "/usr/bin/ls"
    const std::string &content_checksum; // the content object
};

class CommitWalker {
  public:
    explicit CommitWalker(OstreeRepo *repo) : repo_(repo) {}

    // The commit variant; Error when it cannot be loaded or is corrupted.
    [[nodiscard]] GVariantPtr load_commit(const std::string &commit_checksum) const;
    // The root dirtree checksum of a commit variant.
    [[nodiscard]] static std::string root_tree(GVariant *commit);

    // Calls on_file for every file entry (regular files and symlinks: the
    // dirtree does not tell them apart), depth first, in dirtree order. Also
    // checks every dirmeta once (they are carried into the new trees).
    void walk(const std::string &commit_checksum,
              const std::function<void(const FileEntry &)> &on_file);

    // `path` is the directory's path in the commit, for messages ("" is /).
    [[nodiscard]] GVariantPtr load_dirtree(const std::string &checksum,
                                           const std::string &path) const;

  private:
    void walk_tree(const std::string &tree_checksum, std::string &path,
                   const std::function<void(const FileEntry &)> &on_file);
    void check_dirmeta(GVariant *checksum_bytes, const std::string &path);
    OstreeRepo *repo_;
    std::unordered_set<std::string> dirmetas_checked_;
};

// Hex checksum of a 32-byte `ay` variant; Error when it is not 32 bytes.
std::string checksum_from_variant(GVariant *bytes);

// Hex checksum of 32 raw bytes.
std::string checksum_from_raw(const guchar *raw);

} // namespace ostree_ima
