// read_xattr: one extended attribute of an open file, as it is on disk.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ostree_ima {

// nullopt when the file has no such attribute (or the filesystem none at
// all); throws Error naming `what` for any other failure.
std::optional<std::vector<std::uint8_t>> read_xattr(int fd, const std::string &name,
                                                    const std::string &what);

} // namespace ostree_ima
