#include "util/write_fully.hpp"

#include <cerrno>
#include <cstdint>
#include <unistd.h>

namespace ostree_ima {

bool write_fully(int fd, const void *data, std::size_t size)
{
    const auto *p = static_cast<const std::uint8_t *>(data);
    while (size > 0) {
        const ssize_t n = ::write(fd, p, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return false;
        if (n == 0) {
            errno = ENOSPC;
            return false;
        }
        p += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

} // namespace ostree_ima
