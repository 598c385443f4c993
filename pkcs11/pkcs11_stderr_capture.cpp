#include "pkcs11_stderr_capture.hpp"

#include <cstdio>
#include <fcntl.h>
#include <iostream>
#include <sys/mman.h>
#include <unistd.h>

namespace ostree_ima::pkcs11 {

StderrCapture::StderrCapture()
{
    std::cerr.flush();
    std::fflush(stderr);
    capture_fd_ = memfd_create("ostree-ima-stderr", MFD_CLOEXEC);
    if (capture_fd_ < 0) {
        return;
    }
    saved_fd_ = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
    if (saved_fd_ < 0 || dup2(capture_fd_, STDERR_FILENO) < 0) {
        if (saved_fd_ >= 0) {
            close(saved_fd_);
            saved_fd_ = -1;
        }
        close(capture_fd_);
        capture_fd_ = -1;
    }
}

StderrCapture::~StderrCapture()
{
    finish();
}

std::string StderrCapture::finish()
{
    if (saved_fd_ < 0) {
        return captured_;
    }
    std::fflush(stderr);
    dup2(saved_fd_, STDERR_FILENO);
    close(saved_fd_);
    saved_fd_ = -1;

    char buffer[4096];
    off_t offset = 0;
    for (;;) {
        const ssize_t n = pread(capture_fd_, buffer, sizeof buffer, offset);
        if (n <= 0) {
            break;
        }
        captured_.append(buffer, static_cast<std::size_t>(n));
        offset += n;
    }
    close(capture_fd_);
    capture_fd_ = -1;
    return captured_;
}

} // namespace ostree_ima::pkcs11
