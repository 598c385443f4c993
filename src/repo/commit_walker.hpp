// CommitWalker: loads a commit's commit, dirtree and dirmeta objects, each
// checked against its name (load_metadata_object) before anything is derived
// from it; CommitPlan walks the tree with it.
#pragma once

#include "util/glib_ptr.hpp"

#include <gio/gio.h>
#include <ostree.h>
#include <string>
#include <unordered_set>

namespace ostree_ima {

class CommitWalker {
  public:
    explicit CommitWalker(OstreeRepo *repo) : repo_(repo) {}

    // The commit variant; Error when it cannot be loaded or is corrupted.
    [[nodiscard]] GVariantPtr load_commit(const std::string &commit_checksum) const;
    // The root dirtree checksum of a commit variant.
    [[nodiscard]] static std::string root_tree(GVariant *commit);

    // `path` is the directory's path in the commit, for messages ("" is /).
    [[nodiscard]] GVariantPtr load_dirtree(const std::string &checksum,
                                           const std::string &path) const;

    // Checks the dirmeta named by a 32-byte `ay` once per walker (dirmetas
    // are carried into the new trees as they are).
    void check_dirmeta(GVariant *checksum_bytes, const std::string &path);

  private:
    OstreeRepo *repo_;
    std::unordered_set<std::string> dirmetas_checked_;
};

// Hex checksum of a 32-byte `ay` variant; Error when it is not 32 bytes.
std::string checksum_from_variant(GVariant *bytes);

// Hex checksum of 32 raw bytes.
std::string checksum_from_raw(const guchar *raw);

// A content object's header (mode, symlink target), without its content
// stream; Error naming the object when it cannot be read.
GObjectPtr<GFileInfo> content_object_info(OstreeRepo *repo, const std::string &checksum);

} // namespace ostree_ima
