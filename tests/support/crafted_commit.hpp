// Commits that the ostree CLI cannot make: files whose security.ima holds a
// value the kernel may refuse to setfattr (garbage, one byte, a hash-only
// type), written by libostree itself through a commit modifier, so the
// objects are real OSTree objects with exactly those bytes.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace test_support {

// Commits `tree` to `ref` of `repo` as `ostree commit -b ref` would
// (ostree.ref-binding = [ref]), every file without xattrs except the paths
// of `ima` ("/usr/bin/x"), whose only xattr is security.ima = the value.
// Returns the commit checksum.
std::string commit_with_ima_values(const std::string &repo, const std::string &tree,
                                   const std::string &ref,
                                   const std::map<std::string, std::vector<std::uint8_t>> &ima);

} // namespace test_support
