#include "jobs/evm_deployment.hpp"

#include "objects/xattr_list.hpp"
#include "ostree-ima/error.hpp"
#include "util/glib_ptr.hpp"

#include <sstream>

namespace ostree_ima {

namespace {
constexpr std::string_view kEtc = "/usr/etc";

bool under_etc(const std::string &dir)
{
    return dir.starts_with(kEtc) && (dir.size() == kEtc.size() || dir[kEtc.size()] == '/');
}

// Every path, also of directories recorded once for several paths.
void walk(const CommitPlan &plan, std::size_t dir_index, std::string &path, EvmDeploymentPaths &out)
{
    const PlannedDir &dir = plan.dirs[dir_index];
    const bool etc = under_etc(path);
    GVariantPtr files(g_variant_get_child_value(dir.dirtree.get(), 0));
    for (std::size_t i = 0; i < dir.file_object.size(); ++i) {
        const std::int64_t object = dir.file_object[i];
        if (object == kNotSelected)
            continue;
        const auto index = static_cast<std::size_t>(object);
        if (etc)
            ++out.etc_paths[index];
        if (path == "/usr/etc/selinux") {
            const char *name = nullptr;
            g_variant_get_child(files.get(), i, "(&s@ay)", &name, nullptr);
            if (std::string_view(name) == "config")
                out.selinux_config = index;
        }
    }
    GVariantPtr dirs(g_variant_get_child_value(dir.dirtree.get(), 1));
    const std::size_t base = path.size();
    for (std::size_t i = 0; i < dir.subdirs.size(); ++i) {
        const char *name = nullptr;
        g_variant_get_child(dirs.get(), i, "(&s@ay@ay)", &name, nullptr, nullptr);
        path.append("/").append(name);
        walk(plan, dir.subdirs[i], path, out);
        path.resize(base);
    }
}
} // namespace

EvmDeploymentPaths evm_deployment_paths(const CommitPlan &plan)
{
    EvmDeploymentPaths out;
    out.etc_paths.assign(plan.objects.size(), 0);
    if (plan.dirs.empty())
        return out;
    std::string path;
    walk(plan, 0, path, out);
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
