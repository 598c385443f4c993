// throw_if_stopped: the point between two phases of a job where a stop
// request (SIGINT/SIGTERM) ends it, before the transaction can move a ref.
#pragma once

#include <ostree.h>
#include <string>

namespace ostree_ima {

// Throws Interrupted naming where `target_ref` (may be empty) still points.
void throw_if_stopped(OstreeRepo *repo, const std::string &target_ref);

} // namespace ostree_ima
