#include "repo/transaction.hpp"

#include "repo/staging_cleanup.hpp"
#include "util/gerror.hpp"
#include "util/quoted_input.hpp"

namespace ostree_ima {

namespace {
std::string repo_path(OstreeRepo *repo)
{
    g_autofree char *path = g_file_get_path(ostree_repo_get_path(repo));
    return path != nullptr ? path : "(unnamed)";
}
} // namespace

Transaction::Transaction(OstreeRepo *repo) : repo_(repo)
{
    const std::string path = repo_path(repo_);
    GError *error = nullptr;
    // For root this fails only on a read-only mount; ostree's own error
    // would be a bare "mkdirat: Read-only file system".
    check_g(ostree_repo_is_writable(repo_, &error), error,
            "repository " + path + " is not writable");
    if (!ostree_repo_prepare_transaction(repo_, nullptr, nullptr, &error)) {
        // ostree retries its repository lock for core.lock-timeout-secs first.
        if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
            g_error_free(error);
            throw Error("repository " + path +
                        " is locked by another writer; try again later (ostree waited "
                        "core.lock-timeout-secs for it)");
        }
        throw_gerror(error, "cannot start a transaction in repository " + path);
    }
    open_ = true;
}

Transaction::~Transaction()
{
    if (open_) {
        (void)ostree_repo_abort_transaction(repo_, nullptr, nullptr);
        // libostree keeps the aborted staging directory for reuse; a failed
        // or interrupted run leaves nothing behind instead.
        remove_unused_staging_dirs(repo_);
    }
}

void Transaction::set_ref(const std::string &refspec, const std::string &checksum)
{
    g_autofree char *remote = nullptr;
    g_autofree char *ref = nullptr;
    GError *error = nullptr;
    check_g(ostree_parse_refspec(refspec.c_str(), &remote, &ref, &error), error,
            "invalid target ref " + quoted_input(refspec));
    ostree_repo_transaction_set_ref(repo_, remote, ref, checksum.c_str());
}

void Transaction::commit()
{
    GError *error = nullptr;
    check_g(ostree_repo_commit_transaction(repo_, nullptr, nullptr, &error), error,
            "cannot commit the transaction");
    open_ = false;
    // Those of earlier killed runs: libostree reuses only one of them.
    remove_unused_staging_dirs(repo_);
}

} // namespace ostree_ima
