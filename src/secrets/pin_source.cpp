#include "secrets/pin_source.hpp"

#include "util/diagnostics.hpp"
#include "util/fd.hpp"
#include "util/input_file.hpp"

#include "ostree-ima/error.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

namespace ostree_ima {

namespace {

// Restores terminal echo on scope exit, even when reading throws.
class EchoOff {
  public:
    explicit EchoOff(int fd) : fd_(fd)
    {
        if (tcgetattr(fd_, &saved_) == 0) {
            termios quiet = saved_;
            quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
            active_ = tcsetattr(fd_, TCSAFLUSH, &quiet) == 0;
        }
    }
    EchoOff(const EchoOff &) = delete;
    EchoOff &operator=(const EchoOff &) = delete;
    ~EchoOff()
    {
        if (active_)
            tcsetattr(fd_, TCSAFLUSH, &saved_);
    }

  private:
    int fd_;
    termios saved_{};
    bool active_ = false;
};

// A PIN or passphrase longer than this is not one (/dev/zero as a PIN file
// would otherwise fill memory).
constexpr std::size_t kMaxSecretLine = 4096;

// Reads one line from fd without stdio buffers (which would keep copies).
SecretString read_line(int fd, const std::string &what)
{
    std::string line;
    line.reserve(256);
    char c = 0;
    for (;;) {
        const ssize_t n = ::read(fd, &c, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            SecretString wipe(std::move(line));
            throw Error("cannot read " + what + ": " + std::strerror(errno));
        }
        if (n == 0 || c == '\n')
            break;
        if (line.size() + 1 >= line.capacity()) {
            // Grow by hand so the old buffer is wiped, not freed with the secret in it.
            std::string bigger;
            bigger.reserve(line.capacity() * 2);
            bigger = line;
            OPENSSL_cleanse(line.data(), line.size());
            line.swap(bigger);
        }
        if (line.size() >= kMaxSecretLine) {
            SecretString wipe(std::move(line));
            throw Error(what + " holds no line of at most " + std::to_string(kMaxSecretLine) +
                        " bytes; is it the right file?");
        }
        line.push_back(c);
    }
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    c = 0;
    return SecretString(std::move(line));
}

} // namespace

PinSource::PinSource(std::optional<std::string> pin_file) : pin_file_(std::move(pin_file))
{
    if (pin_file_ && pin_file_->empty())
        pin_file_.reset();
}

SecretString PinSource::read_pin_file(const std::string &path, PathShown shown)
{
    const bool show = shown == PathShown::Yes;
    const std::string what = show ? "PIN file " + shown_path(path) : "the URI's pin-source file";
    // A FIFO or /dev/stdin too (a PIN handed over by a pipe): its open waits
    // for the writer, outside any job, where SIGINT ends the process.
    const Fd fd = open_input_file(path,
                                  show ? FileRole{"PIN file", "--pin-file or the URI's pin-source"}
                                       : FileRole{what, "the URI's pin-source (not shown)"},
                                  InputType::Stream, shown);
    struct stat st {};
    if (fstat(fd.get(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
        warn(what + " is readable by other users; chmod 600 it");
    return read_line(fd.get(), what);
}

PinSource::Origin PinSource::origin() const
{
    if (pin_file_)
        return Origin::File;
    if (std::getenv("OSTREE_IMA_PIN") != nullptr)
        return Origin::Environment;
    if (isatty(STDIN_FILENO) != 0)
        return Origin::Terminal;
    return Origin::None;
}

std::string PinSource::describe_origin() const
{
    switch (origin()) {
    case Origin::File:
        return "--pin-file " + *pin_file_;
    case Origin::Environment:
        return "OSTREE_IMA_PIN";
    case Origin::Terminal:
        return "the terminal";
    case Origin::None:
        break;
    }
    return "no source";
}

SecretString PinSource::obtain(const std::string &what) const
{
    const Origin from = origin();
    if (from == Origin::File)
        return read_pin_file(*pin_file_);
    if (from == Origin::Environment) {
        const char *env = std::getenv("OSTREE_IMA_PIN");
        return SecretString(std::string(env != nullptr ? env : ""));
    }
    if (from == Origin::Terminal) {
        const Fd tty(::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY));
        if (tty.get() >= 0) {
            const std::string prompt = "Enter " + what + ": ";
            (void)!::write(tty.get(), prompt.data(), prompt.size());
            SecretString secret;
            {
                const EchoOff echo_off(tty.get());
                secret = read_line(tty.get(), what);
            }
            (void)!::write(tty.get(), "\n", 1);
            return secret;
        }
    }
    throw Error(what + " is needed: give --pin-file=PATH or set OSTREE_IMA_PIN "
                       "(or run on a terminal to be prompted)");
}

} // namespace ostree_ima
