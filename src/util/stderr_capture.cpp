#include "util/stderr_capture.hpp"

#include <cstdio>
#include <fcntl.h>
#include <iostream>
#include <sys/mman.h>
#include <unistd.h>

namespace ostree_ima {

StderrCapture::StderrCapture()
{
    std::cerr.flush();
    std::fflush(stderr);
    capture_fd_ = Fd(memfd_create("ostree-ima-stderr", MFD_CLOEXEC));
    if (!capture_fd_.valid())
        return;
    saved_fd_ = Fd(fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3));
    if (!saved_fd_.valid() || dup2(capture_fd_.get(), STDERR_FILENO) < 0) {
        (void)saved_fd_.close();
        (void)capture_fd_.close();
    }
}

StderrCapture::~StderrCapture()
{
    finish();
}

std::string StderrCapture::finish()
{
    if (!saved_fd_.valid())
        return captured_;
    std::fflush(stderr);
    dup2(saved_fd_.get(), STDERR_FILENO);
    (void)saved_fd_.close();

    char buffer[4096];
    off_t offset = 0;
    for (;;) {
        const ssize_t n = pread(capture_fd_.get(), buffer, sizeof buffer, offset);
        if (n <= 0) {
            break;
        }
        captured_.append(buffer, static_cast<std::size_t>(n));
        offset += n;
    }
    (void)capture_fd_.close();
    return captured_;
}

} // namespace ostree_ima
