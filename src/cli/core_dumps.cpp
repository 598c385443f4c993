#include "cli/core_dumps.hpp"

#include <sys/prctl.h>
#include <sys/resource.h>

namespace ostree_ima::cli {

void disable_core_dumps()
{
    const rlimit none{0, 0};
    (void)setrlimit(RLIMIT_CORE, &none);
    (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

} // namespace ostree_ima::cli
