#include "workspace.hpp"

#include "process.hpp"

#include <stdexcept>

namespace test_support {

const KeyPair &Workspace::key(const std::string &name, const std::string &spec)
{
    const auto found = keys_.find(name);
    if (found != keys_.end()) {
        if (found->second.first != spec)
            throw std::logic_error("key '" + name + "' was made as " + found->second.first +
                                   ", not " + spec);
        return found->second.second;
    }
    return keys_.emplace(name, std::make_pair(spec, make_key(dir.path(), name, spec)))
        .first->second.second;
}

const KeyPair &Workspace::key(const std::string &name)
{
    const auto found = keys_.find(name);
    return found != keys_.end() ? found->second.second : key(name, "rsa:2048");
}

std::string Workspace::tree(const std::string &name, const std::string &shell_script)
{
    const std::string path = dir / name;
    sh_ok("set -e; mkdir -p " + quote(path) + "; cd " + quote(path) + "; " + shell_script);
    return path;
}

std::string Workspace::standard_tree(const KeyPair &presign_key)
{
    const std::string path = dir / "tree";
    make_source_tree(path, presign_key);
    return path;
}

std::string Workspace::repo(const std::string &mode, const std::string &tree,
                            const std::string &ref)
{
    const std::string folder = dir / ("repos-" + std::to_string(++repos_));
    sh_ok("mkdir " + quote(folder));
    const std::string path = make_repo(folder, mode, tree, ref);
    sh_ok("ostree config --repo=" + quote(path) + " set core.fsync false");
    return path;
}

} // namespace test_support
