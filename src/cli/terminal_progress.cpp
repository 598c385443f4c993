#include "cli/terminal_progress.hpp"

#include "util/progress_text.hpp"

#include <cstdio>
#include <string>
#include <sys/ioctl.h>
#include <unistd.h>

namespace ostree_ima::cli {

namespace {
class TerminalProgress final : public ProgressSink {
  public:
    void update(const ProgressUpdate &u) noexcept override
    {
        try {
            // \r and "erase to the end of the line": the line is redrawn in place.
            std::string out = "\r\033[K";
            if (u.state == ProgressState::Running)
                out += fit(progress_line(u));
            else if (u.state == ProgressState::Finished)
                out += "ostree-ima: " + progress_summary(u) + "\n";
            std::fputs(out.c_str(), stderr);
            std::fflush(stderr);
        } catch (...) { // NOLINT(bugprone-empty-catch): no display is no failure
        }
    }

  private:
    // Cut to the terminal's width: a line that wraps cannot be redrawn in
    // place (\r goes back to the start of its last row only).
    static std::string fit(std::string line)
    {
        winsize size{};
        if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 1 &&
            line.size() >= size.ws_col)
            line.resize(size.ws_col - 1U);
        return line;
    }
};
} // namespace

std::unique_ptr<ProgressSink> terminal_progress(bool quiet, bool json)
{
    if (quiet || json || ::isatty(STDERR_FILENO) == 0)
        return nullptr;
    return std::make_unique<TerminalProgress>();
}

} // namespace ostree_ima::cli
