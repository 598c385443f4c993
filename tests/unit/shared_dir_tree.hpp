// The small tree the objects and repo unit suites share: two identical
// subdirectories (one dirtree at two paths), an executable, and content
// shared by three paths.
#pragma once

#include "fixtures.hpp"
#include "process.hpp"

#include <sstream>
#include <string>

namespace unit_fixtures {

struct SharedDirTree {
    test_support::TempDir dir;
    std::string tree = dir / "tree";
    SharedDirTree()
    {
        using test_support::quote;
        test_support::sh_ok("set -e; mkdir -p " + quote(tree) + "/a/same " + quote(tree) +
                            "/b/same; cd " + quote(tree) +
                            "; for d in a b; do printf one > $d/same/one; printf two > " +
                            "$d/same/two; done; printf one > top; printf '#!/bin/sh\\n' > run; "
                            "chmod 755 run");
    }
    [[nodiscard]] std::string repo(const std::string &mode) const
    {
        return test_support::make_repo(dir.path(), mode, tree);
    }
};

// The checksum `ostree ls -C` gives for path in ref main.
inline std::string ls_checksum(const std::string &repo, const std::string &path)
{
    std::istringstream line(test_support::sh_ok("ostree ls --repo=" + test_support::quote(repo) +
                                                " -C main " + test_support::quote(path)));
    std::string mode, uid, gid, size, csum;
    line >> mode >> uid >> gid >> size >> csum;
    return csum;
}

} // namespace unit_fixtures
