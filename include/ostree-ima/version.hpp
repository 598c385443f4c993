// library_version: the version of the libostree-ima a program runs with.
#pragma once

#include "ostree-ima/export.hpp"

namespace ostree_ima {

// "MAJOR.MINOR.PATCH" from the project's version; the SONAME carries MAJOR.
[[nodiscard]] OSTREE_IMA_EXPORT const char *library_version();

} // namespace ostree_ima
