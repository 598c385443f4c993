// How sign, ima-sign, apply and strip tell the user about the new commit's
// ref and collection bindings (see src/commit_binding.hpp for the rules).
#pragma once

#include "ostree-ima/commit_binding.hpp"

#include <nlohmann/json.hpp>
#include <string>

namespace ostree_ima::cli {

// Lines for stderr (each ending in '\n'; empty when there is nothing to say):
// what was rebound, or, without a target ref, which refs the commit is bound
// to and what to do about it.
std::string binding_text(const CommitBinding &binding, const std::string &target_ref,
                         const std::string &new_commit);

// {"ref_binding": {"source": [...]|null, "commit": [...]|null},
//  "collection_binding": {"source": s|null, "commit": s|null}}
void add_binding_json(nlohmann::ordered_json &report, const CommitBinding &binding);

} // namespace ostree_ima::cli
