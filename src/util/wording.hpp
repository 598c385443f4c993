// Wording shared by every message a person reads: counts with the right
// plural ("1 file", "2 files") and durations in one style ("2.4 s").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ostree_ima {

// "1 file", "0 files", "2,000 files": n, then `one` when n is 1, else `many`.
// Thousands are grouped with commas, as the docs write figures.
std::string counted(std::uint64_t n, std::string_view one, std::string_view many);

// n with thousands grouped: "20,000".
std::string grouped(std::uint64_t n);

// A duration as the tool writes it everywhere: "0.4 s", "12.3 s" (one
// decimal below a minute), "2 min 05 s", "1 h 04 min". Negative or not
// finite: "--" (not known yet).
std::string duration_text(double seconds);

} // namespace ostree_ima
