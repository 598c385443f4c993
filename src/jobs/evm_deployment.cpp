#include "jobs/evm_deployment.hpp"

#include "objects/xattr_list.hpp"
#include "ostree-ima/error.hpp"
#include "repo/commit_walker.hpp"
#include "repo/planned_files_under.hpp"
#include "util/gerror.hpp"
#include "util/glib_ptr.hpp"

#include <algorithm>
#include <deque>
#include <sstream>
#include <utility>

namespace ostree_ima {

EvmDeploymentPaths evm_deployment_paths(const CommitPlan &plan)
{
    EvmDeploymentPaths out;
    out.etc_paths.assign(plan.objects.size(), 0);
    for (const PlannedFile &file : planned_files_under(plan, "/usr/etc")) {
        ++out.etc_paths[file.object];
    }
    return out;
}

namespace {
constexpr int kMaxLinks = 40; // as the kernel's path walk

std::deque<std::string> components(const std::string &path)
{
    std::deque<std::string> out;
    std::size_t start = 0;
    while (start <= path.size()) {
        const std::size_t end = std::min(path.find('/', start), path.size());
        if (end > start)
            out.push_back(path.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

// The checksum of entry `name` of a dirtree's files (0) or dirs (1).
std::optional<std::string> entry(GVariant *dirtree, int which, const std::string &name)
{
    const GVariantPtr list(g_variant_get_child_value(dirtree, which));
    const gsize n = g_variant_n_children(list.get());
    for (gsize i = 0; i < n; ++i) {
        const GVariantPtr item(g_variant_get_child_value(list.get(), i));
        const char *entry_name = nullptr;
        g_variant_get_child(item.get(), 0, "&s", &entry_name);
        if (name == entry_name) {
            const GVariantPtr csum(g_variant_get_child_value(item.get(), 1));
            return checksum_from_variant(csum.get());
        }
    }
    return std::nullopt;
}

std::string symlink_target(OstreeRepo *repo, const std::string &checksum)
{
    const GObjectPtr<GFileInfo> info = content_object_info(repo, checksum);
    const char *target = g_file_info_get_symlink_target(info.get());
    return target != nullptr ? target : "";
}
} // namespace

std::optional<std::string> selinux_config_object(const ObjectStore &store, GVariant *commit)
{
    const CommitWalker walker(store.repo());
    // The directories walked into: dirtree checksum and path, the root first.
    std::vector<std::pair<std::string, std::string>> dirs{{CommitWalker::root_tree(commit), ""}};
    std::deque<std::string> rest = components("/etc/selinux/config");
    int links = 0;
    while (!rest.empty()) {
        const std::string name = rest.front();
        rest.pop_front();
        if (name == ".")
            continue;
        if (name == "..") {
            if (dirs.size() > 1)
                dirs.pop_back();
            continue;
        }
        const GVariantPtr tree = walker.load_dirtree(dirs.back().first, dirs.back().second);
        const std::string path = dirs.back().second + "/" + name;
        if (const auto sub = entry(tree.get(), 1, name)) {
            dirs.emplace_back(*sub, path);
            continue;
        }
        if (dirs.size() == 1 && name == "etc") {
            // /etc is /usr/etc, deployed: one level below the root, so that
            // "../.." from /etc/selinux is the root.
            const auto usr = entry(tree.get(), 1, "usr");
            const GVariantPtr usr_tree = usr ? walker.load_dirtree(*usr, "/usr") : GVariantPtr();
            const auto etc = usr_tree ? entry(usr_tree.get(), 1, "etc") : std::nullopt;
            if (!etc)
                return std::nullopt;
            dirs.emplace_back(*etc, "/usr/etc");
            continue;
        }
        const auto file = entry(tree.get(), 0, name);
        if (!file)
            return std::nullopt;
        const std::unique_ptr<StoredObject> object = store.open(*file); // checked against its name
        if (object->is_regular())
            return rest.empty() ? file : std::nullopt;
        if (++links > kMaxLinks)
            return std::nullopt;
        const std::string target = symlink_target(store.repo(), *file);
        if (target.starts_with('/'))
            dirs.resize(1);
        std::deque<std::string> parts = components(target);
        rest.insert(rest.begin(), parts.begin(), parts.end());
    }
    return std::nullopt; // a directory
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

void throw_unlabelled_selinux_commit(const std::string &lacking)
{
    throw Error("the commit ships an enabled SELinux policy (usr/etc/selinux/config) but " +
                lacking +
                " carry no security.selinux: deployment would label them and every EVM "
                "signature would be denied; commit with SELinux labels (e.g. ostree commit "
                "--selinux-policy), or pass --evm-ignore-selinux");
}

} // namespace ostree_ima
