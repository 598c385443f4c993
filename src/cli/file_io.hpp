// Reading the release-signing files and writing them without ever leaving a
// half-written file behind.
#pragma once

#include <cstddef>
#include <string>

namespace ostree_ima::cli {

// The whole file; Error naming `what` and the path when it cannot be read or
// is larger than max_bytes.
std::string read_input_file(const std::string &path, std::size_t max_bytes,
                            const std::string &what);

// "-": stdout. An existing device, FIFO or socket (/dev/null, /dev/stdout)
// is written into, never replaced. Otherwise a temporary file beside `path`, flushed to disk and
// renamed over it, so readers see the old file or the whole new one. With
// Replace::Never, an existing `path` is an Error saying to add `--force`
// (checked by the rename itself: no window between check and write).
enum class Replace { Always, Never };
void write_output_file(const std::string &path, const std::string &contents,
                       Replace replace = Replace::Always);

} // namespace ostree_ima::cli
