#include "repo/repo.hpp"

#include "ostree-ima/error.hpp"
#include "util/file_role.hpp"
#include "util/gerror.hpp"
#include "util/quoted_input.hpp"

#include <cerrno>
#include <cstring>
#include <sys/stat.h>

namespace ostree_ima {

Repo Repo::open(const std::string &path)
{
    struct stat st {};
    const std::string shown = shown_path(path);
    if (stat(path.c_str(), &st) != 0)
        throw Error(errno == ENOENT ? "repository " + shown + " does not exist; check --repo"
                                    : "cannot open repository " + shown + ": " +
                                          std::strerror(errno) + "; check --repo");
    // Not "does not exist" for a file that does (OSTREE_REPO=/etc/passwd).
    if (!S_ISDIR(st.st_mode))
        throw Error(shown + " is not an OSTree repository (" + file_kind(st.st_mode) +
                    ", not a directory); check --repo");
    const std::string config = path + "/config";
    if (stat(config.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        throw Error(shown + " is not an OSTree repository (no config file); check --repo");
    g_autoptr(GFile) file = g_file_new_for_path(path.c_str());
    OstreeRepo *repo = ostree_repo_new(file);
    GError *error = nullptr;
    if (!ostree_repo_open(repo, nullptr, &error)) {
        g_object_unref(repo);
        throw_gerror(error, "cannot open OSTree repository " + path);
    }
    return Repo(repo, path);
}

Repo::~Repo()
{
    if (repo_ != nullptr)
        g_object_unref(repo_);
}

OstreeRepoMode Repo::mode() const
{
    return ostree_repo_get_mode(repo_);
}

std::string Repo::resolve_commit(const std::string &rev) const
{
    GError *error = nullptr;
    g_autofree char *checksum = nullptr;
    if (!ostree_repo_resolve_rev(repo_, rev.c_str(), TRUE, &checksum, &error) ||
        checksum == nullptr) {
        if (error != nullptr)
            g_error_free(error);
        throw Error("unknown ref or commit " + quoted_input(rev) + " in repository " + path_ +
                    "; list refs with 'ostree refs --repo=" + path_ + "'");
    }
    // A checksum given directly must name a commit that is present.
    g_autoptr(GVariant) commit = nullptr;
    if (!ostree_repo_load_variant(repo_, OSTREE_OBJECT_TYPE_COMMIT, checksum, &commit, &error)) {
        g_error_free(error);
        throw Error("unknown ref or commit " + quoted_input(rev) + " in repository " + path_ +
                    ": the commit object is not present");
    }
    return checksum;
}

void Repo::require_xattr_support() const
{
    if (mode() == OSTREE_REPO_MODE_BARE_USER_ONLY)
        throw Error("repository " + path_ +
                    " is in bare-user-only mode, which drops extended attributes, so it cannot "
                    "hold security.ima; sign in an archive, bare or bare-user repository (e.g. "
                    "'ostree pull-local' into one)");
    if (mode() == OSTREE_REPO_MODE_BARE_SPLIT_XATTRS)
        throw Error("repository " + path_ +
                    " is in bare-split-xattrs mode, which this tool does not write yet; use an "
                    "archive, bare or bare-user repository");
}

} // namespace ostree_ima
