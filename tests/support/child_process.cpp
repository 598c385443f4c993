#include "child_process.hpp"

#include "text_files.hpp"

#include <boost/test/unit_test.hpp>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace test_support {

namespace fs = std::filesystem;

ChildProcess::ChildProcess(const std::vector<std::string> &argv, const std::string &log_prefix)
    : out_path_(log_prefix + ".out"), err_path_(log_prefix + ".err")
{
    // Everything the child needs is prepared before fork: it only calls
    // async-signal-safe functions.
    std::vector<char *> args;
    for (const auto &a : argv)
        args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    const int out = ::open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    const int err = ::open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    BOOST_REQUIRE(out >= 0 && err >= 0);
    pid_ = ::fork();
    if (pid_ == 0) {
        ::dup2(out, STDOUT_FILENO);
        ::dup2(err, STDERR_FILENO);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    ::close(out);
    ::close(err);
    BOOST_REQUIRE(pid_ > 0);
}

ChildProcess::~ChildProcess()
{
    if (pid_ > 0 && !reaped_) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
}

void ChildProcess::signal(int signo) const
{
    BOOST_REQUIRE(::kill(pid_, signo) == 0);
}

bool ChildProcess::ends_within(std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    do {
        siginfo_t info{};
        if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
            info.si_pid == pid_)
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    } while (std::chrono::steady_clock::now() < deadline);
    return false;
}

Result ChildProcess::wait()
{
    int status = 0;
    BOOST_REQUIRE(::waitpid(pid_, &status, 0) == pid_);
    reaped_ = true;
    Result r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = read_text(out_path_);
    r.err = read_text(err_path_);
    return r;
}

bool ChildProcess::in_transaction(const std::string &repo) const
{
    const std::string needle = fs::canonical(repo).string() + "/tmp/staging-";
    std::error_code ec;
    for (const auto &e : fs::directory_iterator("/proc/" + std::to_string(pid_) + "/fd", ec)) {
        const std::string target = fs::read_symlink(e.path(), ec).string();
        if (!ec && target.rfind(needle, 0) == 0)
            return true;
    }
    return false;
}

std::uint64_t ChildProcess::bytes_read() const
{
    std::istringstream io(read_text("/proc/" + std::to_string(pid_) + "/io"));
    std::string key;
    std::uint64_t value = 0;
    while (io >> key >> value)
        if (key == "rchar:")
            return value;
    return 0;
}

std::string ChildProcess::stderr_so_far() const
{
    return read_text(err_path_);
}

double ChildProcess::cpu_seconds() const
{
    // Fields after the command name (which may hold spaces) in parentheses.
    const std::string stat = read_text("/proc/" + std::to_string(pid_) + "/stat");
    const auto close = stat.rfind(')');
    if (close == std::string::npos)
        return 0;
    std::istringstream rest(stat.substr(close + 2));
    std::string field;
    std::uint64_t utime = 0;
    std::uint64_t stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
        if (i == 14)
            utime = std::stoull(field);
        if (i == 15)
            stime = std::stoull(field);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

} // namespace test_support
