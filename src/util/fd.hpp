// Fd: the one owner of a file descriptor in the tree: closed when it goes
// away, or by close() where the error of close(2) matters (NFS and quotas
// may report a failed write only there).
#pragma once

namespace ostree_ima {

class Fd {
  public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    Fd(Fd &&other) noexcept : fd_(other.release()) {}
    Fd &operator=(Fd &&other) noexcept;
    ~Fd();

    [[nodiscard]] int get() const { return fd_; }
    [[nodiscard]] bool valid() const { return fd_ >= 0; }
    // Gives the descriptor up without closing it.
    [[nodiscard]] int release()
    {
        const int fd = fd_;
        fd_ = -1;
        return fd;
    }
    // Closes now; false (errno set) when close(2) reports an error.
    bool close();

  private:
    int fd_ = -1;
};

} // namespace ostree_ima
