// The shared library's own file: every other symbol it exports comes from
// the layer libraries it is made of (cmake/Library.cmake).
#include "ostree-ima/version.hpp"

namespace ostree_ima {

const char *library_version()
{
    return OSTREE_IMA_VERSION;
}

} // namespace ostree_ima
