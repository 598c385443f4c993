// What `ostree-ima --version` prints: laid out as `ostree --version` lays
// out its own (YAML), with what a bug report and the bash completion need.
#pragma once

#include <string>

namespace ostree_ima::cli {

// "ostree-ima:\n Version: '1.0.0'\n ...\n Hash algorithms:\n  - sha1\n ...":
// the program's version, the libostree it was built with, the OpenSSL it
// runs with and
// the hash algorithms that OpenSSL has (the completion offers those).
std::string version_text();

} // namespace ostree_ima::cli
