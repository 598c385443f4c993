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
    std::vector<std::uint64_t> etc_paths;      // per planned object: its paths under /usr/etc
    std::optional<std::size_t> selinux_config; // the object of /usr/etc/selinux/config
};

EvmDeploymentPaths evm_deployment_paths(const CommitPlan &plan);

struct SelinuxConfig {
    bool enables_policy = false; // SELINUX=enforcing or permissive
    bool labelled = false;       // the object itself carries security.selinux
};
// Reads the /usr/etc/selinux/config object.
SelinuxConfig read_selinux_config(const ObjectStore &store, const std::string &checksum);

// The refusal, with its override.
[[noreturn]] void throw_unlabelled_selinux_commit();

} // namespace ostree_ima
