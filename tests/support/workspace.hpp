// The one fixture of the suites that run the binary: a temporary directory
// with keys, source trees and repositories made by the real tools. A suite's
// World derives from it and adds only what is particular to that suite (a
// token, a swtpm, the repositories it shares between its cases).
#pragma once

#include "fixtures.hpp"

#include <map>
#include <string>

namespace test_support {

class Workspace {
  public:
    Workspace() = default;
    Workspace(const Workspace &) = delete;
    Workspace &operator=(const Workspace &) = delete;

    // A key and self-signed certificate (make_key), made on first use and
    // kept: the same name gives the same key. spec as for make_key; asking
    // for a name made with another spec is a mistake in the suite (thrown).
    const KeyPair &key(const std::string &name, const std::string &spec);
    // The key made under that name, or a new RSA-2048 one.
    const KeyPair &key(const std::string &name);

    // Makes dir/name and runs shell_script there (`set -e`). Returns the path.
    std::string tree(const std::string &name, const std::string &shell_script);

    // make_source_tree in dir/tree, pre-signed with presign_key. Returns the path.
    std::string standard_tree(const KeyPair &presign_key);

    // make_repo of tree in a folder of its own, without fsync (durability is
    // not under test where this is used). Returns the repository's path.
    std::string repo(const std::string &mode, const std::string &tree,
                     const std::string &ref = "main");

    TempDir dir;

  private:
    std::map<std::string, std::pair<std::string, KeyPair>> keys_; // name -> spec, key
    int repos_ = 0;
};

} // namespace test_support
