#include "util/file_xattr.hpp"

#include "ostree-ima/error.hpp"

#include <cerrno>
#include <cstring>
#include <sys/xattr.h>

namespace ostree_ima {

std::optional<std::vector<std::uint8_t>> read_xattr(int fd, const std::string &name,
                                                    const std::string &what)
{
    // The size may change between the two calls (ERANGE): ask again.
    for (;;) {
        const ssize_t size = ::fgetxattr(fd, name.c_str(), nullptr, 0);
        if (size < 0 && (errno == ENODATA || errno == ENOTSUP))
            return std::nullopt;
        if (size < 0)
            break;
        std::vector<std::uint8_t> value(static_cast<std::size_t>(size));
        const ssize_t got = ::fgetxattr(fd, name.c_str(), value.data(), value.size());
        if (got >= 0) {
            value.resize(static_cast<std::size_t>(got));
            return value;
        }
        if (errno == ENODATA)
            return std::nullopt;
        if (errno != ERANGE)
            break;
    }
    throw Error("cannot read " + name + " of " + what + ": " + std::strerror(errno));
}

} // namespace ostree_ima
