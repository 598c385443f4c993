#include "transaction.hpp"

#include "gerror.hpp"

namespace ostree_ima {

Transaction::Transaction(OstreeRepo *repo) : repo_(repo)
{
    GError *error = nullptr;
    check_g(ostree_repo_prepare_transaction(repo_, nullptr, nullptr, &error), error,
            "cannot start a transaction (is the repository writable and not locked?)");
    open_ = true;
}

Transaction::~Transaction()
{
    if (open_)
        (void)ostree_repo_abort_transaction(repo_, nullptr, nullptr);
}

void Transaction::set_ref(const std::string &refspec, const std::string &checksum)
{
    g_autofree char *remote = nullptr;
    g_autofree char *ref = nullptr;
    GError *error = nullptr;
    check_g(ostree_parse_refspec(refspec.c_str(), &remote, &ref, &error), error,
            "invalid target ref '" + refspec + "'");
    ostree_repo_transaction_set_ref(repo_, remote, ref, checksum.c_str());
}

void Transaction::commit()
{
    GError *error = nullptr;
    check_g(ostree_repo_commit_transaction(repo_, nullptr, nullptr, &error), error,
            "cannot commit the transaction");
    open_ = false;
}

} // namespace ostree_ima
