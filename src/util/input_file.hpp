// Files read by name (certificates, key files, PIN files, manifests,
// signatures files, the signature cache): typed and bounded. A FIFO cannot
// hang the open (it would also hang past SIGINT inside a job, whose handler
// only sets the stop flag), /dev/zero cannot fill memory, a directory is
// refused in one line instead of failing inside a stream.
#pragma once

#include "util/fd.hpp"
#include "util/file_role.hpp"

#include <cstddef>
#include <string>

namespace ostree_ima {

enum class InputType {
    Regular, // a regular file (or a symlink to one) only
    // Also a FIFO or a character device, read as it comes (a PIN file that
    // is a pipe, /dev/stdin); the open waits for a FIFO's writer, as before.
    // Directories, block devices and sockets are still refused.
    Stream,
};

// Opens `path` for reading. Regular: stat, then open with O_NONBLOCK (a FIFO
// swapped in meanwhile cannot block), fstat on the descriptor, O_NONBLOCK
// cleared. Throws Error naming the role: "cannot read certificate X: No
// such file or directory; check --cert", "certificate X is not a regular
// file (a directory); check --cert".
// PathShown::No: messages name the role only (a PKCS#11 URI's pin-source,
// where a secret may stand by mistake).
enum class PathShown { Yes, No };
Fd open_input_file(const std::string &path, const FileRole &role,
                   InputType type = InputType::Regular, PathShown shown = PathShown::Yes);

// The same, but a missing file gives an invalid Fd instead of an Error.
Fd open_input_file_if_exists(const std::string &path, const FileRole &role);

// The size of the regular file behind fd; Error when above max_bytes ("is
// larger than N bytes; is it the right file?").
std::size_t input_size(const Fd &fd, const std::string &path, std::size_t max_bytes,
                       const FileRole &role);

// Reads up to `size` bytes from the start of the file into `data`; returns
// how many (fewer when it shrank meanwhile). Error on a read error.
std::size_t read_input(const Fd &fd, const std::string &path, const FileRole &role, char *data,
                       std::size_t size);

// The whole regular file at `path`, at most max_bytes.
std::string read_input_file(const std::string &path, std::size_t max_bytes, const FileRole &role);

} // namespace ostree_ima
