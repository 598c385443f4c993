#include "util/progress_text.hpp"

#include "util/wording.hpp"

#include <cstdio>

namespace ostree_ima {

std::string byte_size_text(double bytes)
{
    const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (bytes >= 1024 && u < 4) {
        bytes /= 1024;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
    return buf;
}

namespace {
// "[1/2] computing digests: " for a job of several steps.
std::string step_text(const ProgressUpdate &u)
{
    std::string out;
    if (u.steps > 1)
        out = "[" + std::to_string(u.step_number) + "/" + std::to_string(u.steps) + "] ";
    out += u.step;
    out += ": ";
    return out;
}

std::string signatures_text(const ProgressUpdate &u)
{
    if (!u.signs)
        return "";
    return "; " + counted(u.signatures_made, "signature", "signatures") + " made, " +
           grouped(u.signatures_reused) + " reused";
}

std::string per_second(double count, double seconds, std::string_view unit)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1f", seconds > 0 ? count / seconds : 0.0);
    return std::string(buf) + " " + std::string(unit) + "/s";
}
} // namespace

std::string progress_line(const ProgressUpdate &u)
{
    std::string out =
        step_text(u) + grouped(u.done) + "/" + counted(u.total, u.unit_one, u.unit_many) + ", ";
    if (u.bytes_total > 0)
        out += byte_size_text(static_cast<double>(u.bytes_done)) + " of " +
               byte_size_text(static_cast<double>(u.bytes_total)) + " read, " +
               byte_size_text(u.seconds > 0 ? static_cast<double>(u.bytes_done) / u.seconds : 0) +
               "/s";
    else
        out += per_second(static_cast<double>(u.done), u.seconds, u.unit_many);
    // Every unit done, the step not yet: what follows (a commit's trees, its
    // sync) is not counted, and "0.0 s left" would not be true.
    if (u.total > 0 && u.done >= u.total)
        return out + signatures_text(u) + "; finishing";
    return out + signatures_text(u) + "; " + duration_text(u.seconds_left) + " left";
}

std::string progress_summary(const ProgressUpdate &u)
{
    std::string out = step_text(u) + counted(u.done, u.unit_one, u.unit_many);
    if (u.bytes_total > 0)
        out += ", " + byte_size_text(static_cast<double>(u.bytes_done)) + " read";
    return out + signatures_text(u) + "; done in " + duration_text(u.seconds);
}

} // namespace ostree_ima
