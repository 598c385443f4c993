#include "util/fd.hpp"

#include <unistd.h>

namespace ostree_ima {

Fd &Fd::operator=(Fd &&other) noexcept
{
    if (this != &other) {
        (void)close();
        fd_ = other.release();
    }
    return *this;
}

Fd::~Fd()
{
    (void)close();
}

bool Fd::close()
{
    if (fd_ < 0)
        return true;
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc == 0;
}

} // namespace ostree_ima
