#include "util/wording.hpp"

#include <cmath>
#include <cstdio>

namespace ostree_ima {

std::string grouped(std::uint64_t n)
{
    std::string digits = std::to_string(n);
    std::string out;
    out.reserve(digits.size() + digits.size() / 3);
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0)
            out += ',';
        out += digits[i];
    }
    return out;
}

std::string counted(std::uint64_t n, std::string_view one, std::string_view many)
{
    std::string out = grouped(n);
    out += ' ';
    out += n == 1 ? one : many;
    return out;
}

std::string duration_text(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0)
        return "--";
    char buf[48];
    // Rounded once, so that 59.96 s is "1 min 00 s", never "60.0 s".
    const double tenths = std::round(seconds * 10);
    if (tenths < 600) {
        std::snprintf(buf, sizeof buf, "%.1f s", tenths / 10);
        return buf;
    }
    const auto whole = static_cast<std::uint64_t>(std::llround(seconds));
    if (whole < 3600)
        std::snprintf(buf, sizeof buf, "%llu min %02llu s",
                      static_cast<unsigned long long>(whole / 60),
                      static_cast<unsigned long long>(whole % 60));
    else
        std::snprintf(buf, sizeof buf, "%llu h %02llu min",
                      static_cast<unsigned long long>(whole / 3600),
                      static_cast<unsigned long long>(whole / 60 % 60));
    return buf;
}

} // namespace ostree_ima
