#include "cli/large_xattrs_option.hpp"

namespace ostree_ima::cli {

void add_large_xattrs_option(CLI::App &cmd, bool &allow)
{
    cmd.add_flag("--allow-large-xattrs", allow,
                 "write signatures that make a file's xattrs overflow the one 4 KiB block ext4 "
                 "without ea_inode holds them in (large signatures, for XFS, btrfs, composefs "
                 "or ext4 with ea_inode); refused without it");
}

} // namespace ostree_ima::cli
