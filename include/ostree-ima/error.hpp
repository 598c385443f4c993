// Error types shared by the library and the CLI.
#pragma once

#include "ostree-ima/export.hpp"

#include <stdexcept>
#include <string>

namespace ostree_ima {

// A failure the user can act on: the message is one line naming what failed
// and what to do. The CLI prints it and exits 1.
class OSTREE_IMA_EXPORT Error : public std::runtime_error {
  public:
    explicit Error(const std::string &message) : std::runtime_error(message) {}
};

// What a lookup names is not there (`keys URI`: no token or object matches):
// exit 1, and the answer a script asks `keys -q` for, so -q prints nothing.
class OSTREE_IMA_EXPORT NotFound : public Error {
  public:
    explicit NotFound(const std::string &message) : Error(message) {}
};

// A bad invocation (unknown option value, unsupported hash name...): exit 2.
class OSTREE_IMA_EXPORT UsageError : public Error {
  public:
    explicit UsageError(const std::string &message) : Error(message) {}
};

} // namespace ostree_ima
