// ChildProcess: an ostree-ima run in the background, to be signalled while it
// works; what /proc says of it tells the test when it is mid-run.
#pragma once

#include "process.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

namespace test_support {

class ChildProcess {
  public:
    // Starts argv[0] (a path, not searched) with stdout and stderr going to
    // log_prefix.out and .err.
    ChildProcess(const std::vector<std::string> &argv, const std::string &log_prefix);
    ChildProcess(const ChildProcess &) = delete;
    ChildProcess &operator=(const ChildProcess &) = delete;
    // Kills and reaps it if the test did not wait for it.
    ~ChildProcess();

    [[nodiscard]] pid_t pid() const { return pid_; }
    void signal(int signo) const;

    // Whether it ended within `timeout` (then wait() returns at once).
    bool ends_within(std::chrono::milliseconds timeout);

    // Exit code as a shell gives it: 128 + signal when a signal ended it.
    Result wait();

    // Whether it holds an ostree staging directory of `repo` open, i.e. its
    // transaction is under way.
    [[nodiscard]] bool in_transaction(const std::string &repo) const;
    // Waits (up to 20 s) until in_transaction(repo); false if it never is
    // (the run ended, or is stuck before its transaction).
    bool wait_in_transaction(const std::string &repo)
    {
        return wait_until([&] { return in_transaction(repo); }, std::chrono::seconds(20));
    }
    // Bytes it read so far (/proc/PID/io rchar): a job that has read more
    // than its metadata is hashing content.
    [[nodiscard]] std::uint64_t bytes_read() const;
    // What it wrote on stderr so far.
    [[nodiscard]] std::string stderr_so_far() const;
    // CPU seconds it used so far, user and system (/proc/PID/stat).
    [[nodiscard]] double cpu_seconds() const;

    // Polls `ready` every 2 ms until it holds (true) or `timeout` passes or
    // the process ends (false).
    template <typename Ready> bool wait_until(Ready &&ready, std::chrono::milliseconds timeout)
    {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            if (ready())
                return true;
            if (ends_within(std::chrono::milliseconds(2)))
                return false;
        }
        return false;
    }

  private:
    std::string out_path_, err_path_;
    pid_t pid_ = -1;
    bool reaped_ = false;
};

} // namespace test_support
