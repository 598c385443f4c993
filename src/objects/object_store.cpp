#include "objects/archive_object.hpp"
#include "objects/bare_object.hpp"
#include "objects/object_file_io.hpp"
#include "objects/stored_object.hpp"

#include <algorithm>

namespace ostree_ima {

namespace {
// Content up to this size is kept in memory after the one read, and the new
// object's checksum is computed from there; for larger content it is
// computed over the new object's file once written (bare modes: page
// cache, see write_bare_object) or, in archive mode, over an unnamed file
// (ContentCopy) rather than inflating twice, so archive keeps little in
// memory. The total stays under kMemoryBudget whatever --jobs is.
constexpr std::uint64_t kInMemoryLimit = 16 * 1024 * 1024;
constexpr std::uint64_t kArchiveInMemoryLimit = 2 * 1024 * 1024;
constexpr std::uint64_t kMemoryBudget = 128 * 1024 * 1024;
} // namespace

ObjectStore::ObjectStore(OstreeRepo *repo, unsigned jobs)
    : repo_(repo), archive_(ostree_repo_get_mode(repo) == OSTREE_REPO_MODE_ARCHIVE),
      in_memory_limit_(std::min(archive_ ? kArchiveInMemoryLimit : kInMemoryLimit,
                                kMemoryBudget / std::max(jobs, 1U)))
{
}

std::unique_ptr<StoredObject> ObjectStore::open(const std::string &checksum) const
{
    if (archive_)
        return std::make_unique<ArchiveObject>(repo_, checksum, in_memory_limit_);
    return std::make_unique<BareObject>(repo_, checksum, in_memory_limit_);
}

std::string ObjectStore::relpath(const std::string &checksum) const
{
    return content_object_relpath(checksum, archive_);
}

} // namespace ostree_ima
