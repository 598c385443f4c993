#include "jobs/evm_deployment.hpp"

#include "objects/xattr_list.hpp"
#include "ostree-ima/error.hpp"
#include "repo/planned_files_under.hpp"
#include "util/glib_ptr.hpp"

#include <sstream>

namespace ostree_ima {

EvmDeploymentPaths evm_deployment_paths(const CommitPlan &plan)
{
    EvmDeploymentPaths out;
    out.etc_paths.assign(plan.objects.size(), 0);
    for (const PlannedFile &file : planned_files_under(plan, "/usr/etc")) {
        ++out.etc_paths[file.object];
        if (file.path == "/usr/etc/selinux/config")
            out.selinux_config = file.object;
    }
    return out;
}

SelinuxConfig read_selinux_config(const ObjectStore &store, const std::string &checksum)
{
    SelinuxConfig config;
    const std::unique_ptr<StoredObject> object = store.open(checksum);
    if (!object->is_regular())
        return config;
    config.labelled = xattr_get(object->xattrs(), "security.selinux").has_value();
    std::string text;
    object->read(
        [&](std::span<const std::uint8_t> chunk) {
            if (text.size() < 65536)
                text.append(chunk.begin(), chunk.end());
        },
        false);
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        const auto first = line.find_first_not_of(" \t");
        if (first == std::string::npos || line[first] == '#')
            continue;
        line = line.substr(first);
        while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r'))
            line.pop_back();
        if (line.starts_with("SELINUX="))
            config.enables_policy = line == "SELINUX=enforcing" || line == "SELINUX=permissive";
    }
    return config;
}

void throw_unlabelled_selinux_commit()
{
    throw Error("the commit ships an enabled SELinux policy (usr/etc/selinux/config) but its "
                "files carry no security.selinux: deployment would label them and every EVM "
                "signature would be denied; commit with SELinux labels (e.g. ostree commit "
                "--selinux-policy), or pass --evm-ignore-selinux");
}

} // namespace ostree_ima
