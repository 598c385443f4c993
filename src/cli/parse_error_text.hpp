// The argument parser's errors in the tool's own words: CLI11 says "The
// following argument was not expected: x" or "--key is required"; the tool
// says what is wrong with which command and where to read more, as its own
// messages do.
#pragma once

#include <string>

namespace ostree_ima::cli {

// One line for CLI11's message `what` about `command` ("" before any
// command): "sign needs --key (see 'ostree-ima sign --help')".
std::string parse_error_text(const std::string &what, const std::string &command);

} // namespace ostree_ima::cli
