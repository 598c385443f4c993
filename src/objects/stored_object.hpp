// StoredObject: one content object of a repository, opened to be read once
// and, when a job changes its xattrs, written again as a new object.
// ObjectStore picks the implementation for the repository's mode once:
// ArchiveObject (archive: our own inflate, the compressed body reused) or
// BareObject (bare and bare-user: libostree's reader, our own writer; other
// modes read only).
#pragma once

#include "objects/content_sink.hpp"

#include <cstdint>
#include <glib.h>
#include <memory>
#include <ostree.h>
#include <span>
#include <string>

namespace ostree_ima {

// The owner and mode an object stores (and hashes into its name).
struct ObjectOwnership {
    std::uint32_t uid = 0;
    std::uint32_t gid = 0;
    std::uint32_t mode = 0; // with the file type bits (S_IFREG)
};

class StoredObject {
  public:
    virtual ~StoredObject() = default;
    StoredObject() = default;
    StoredObject(const StoredObject &) = delete;
    StoredObject &operator=(const StoredObject &) = delete;

    // Only regular files and symlinks are stored; a symlink is checked
    // against its name when opened (it has no content to read).
    [[nodiscard]] virtual bool is_regular() const = 0;
    [[nodiscard]] virtual std::uint64_t size() const = 0;
    [[nodiscard]] virtual GVariant *xattrs() const = 0; // may be null: none
    [[nodiscard]] virtual ObjectOwnership ownership() const = 0;

    // Reads the whole content once, in order, calling sink for each chunk;
    // throws Error naming the object when it does not hash to its name (or,
    // archive, its compressed stream is damaged). With `keep`, the object
    // keeps what write_with_xattrs needs so it need not read again.
    virtual void read(const ContentSink &sink, bool keep) = 0;

    // Writes the same object (owner, mode, content) with `xattrs` straight
    // into objects/ and returns its checksum. Must run inside a transaction;
    // call sync_repository before a commit refers to it.
    virtual std::string write_with_xattrs(GVariant *xattrs) = 0;
};

class ObjectStore {
  public:
    // `jobs` objects are open at a time: what each keeps in memory is
    // bounded so that the total stays small whatever the number.
    ObjectStore(OstreeRepo *repo, unsigned jobs);

    // Error names the object when it is missing, corrupted or neither a
    // regular file nor a symlink.
    [[nodiscard]] std::unique_ptr<StoredObject> open(const std::string &checksum) const;

    // objects/XX/YYY.file or .filez.
    [[nodiscard]] std::string relpath(const std::string &checksum) const;
    [[nodiscard]] OstreeRepo *repo() const { return repo_; }

  private:
    OstreeRepo *repo_;
    bool archive_;
    std::uint64_t in_memory_limit_;
};

} // namespace ostree_ima
