// write_fully: all of a buffer to a descriptor, short writes and EINTR
// retried. The one write loop of the files the tool writes (output files,
// repository objects); appends that must be one write(2) each (the
// signature cache, the audit log) do not use it.
#pragma once

#include <cstddef>

namespace ostree_ima {

// False with errno set when a write fails (0 bytes written: ENOSPC).
[[nodiscard]] bool write_fully(int fd, const void *data, std::size_t size);

} // namespace ostree_ima
