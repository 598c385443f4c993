#include "repo/stop_check.hpp"

#include "ostree-ima/cancellation.hpp"

namespace ostree_ima {

void throw_if_stopped(OstreeRepo *repo, const std::string &target_ref)
{
    if (!stop_requested())
        return;
    if (target_ref.empty())
        throw Interrupted("no ref was to be moved");
    g_autofree char *checksum = nullptr;
    if (ostree_repo_resolve_rev(repo, target_ref.c_str(), TRUE, &checksum, nullptr) &&
        checksum != nullptr)
        throw Interrupted("the ref " + target_ref + " still points at " + checksum);
    throw Interrupted("the ref " + target_ref + " was not created");
}

} // namespace ostree_ima
