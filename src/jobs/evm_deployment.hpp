// What an OSTree deployment changes in the metadata an EVM signature covers,
// seen from the commit (docs/evm.md): /usr/etc is copied to /etc and merged,
// and an enabled SELinux policy gets every file labelled (a new
// security.selinux) at deploy when the commit carries no labels.
#pragma once

#include "objects/stored_object.hpp"
#include "repo/commit_plan.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ostree_ima {

struct EvmDeploymentPaths {
    std::vector<std::uint64_t> etc_paths; // per planned object: its paths under /usr/etc
};

EvmDeploymentPaths evm_deployment_paths(const CommitPlan &plan);

struct SelinuxConfig {
    bool enables_policy = false; // SELINUX=enforcing or permissive
    bool labelled = false;       // the object itself carries security.selinux
};
// The content object the deployed system reads as /etc/selinux/config:
// /etc is the commit's /usr/etc, and symlinks are followed inside the
// commit (an absolute target from its root, ".." stopping at the root, at
// most 40 links); nullopt when that names no regular file. `commit` is the
// commit variant.
std::optional<std::string> selinux_config_object(const ObjectStore &store, GVariant *commit);

// Reads the SELinux config object.
SelinuxConfig read_selinux_config(const ObjectStore &store, const std::string &checksum);

// The refusal, with its override; `lacking` says which files carry no
// security.selinux ("2 of its 3 signed files").
[[noreturn]] void throw_unlabelled_selinux_commit(const std::string &lacking);

} // namespace ostree_ima
