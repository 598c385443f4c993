// FUZZ_CHECK: an invariant of a fuzz target. A violation aborts, which both
// libFuzzer and the replay test (fuzz_replay_main.cpp) report as a crash.
#pragma once

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#define FUZZ_CHECK(condition)                                                                      \
    do {                                                                                           \
        if (!(condition)) {                                                                        \
            std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__,         \
                         #condition);                                                              \
            std::abort();                                                                          \
        }                                                                                          \
    } while (false)

// A message quoting hostile input is still one short line: at most
// max_bytes, and no control byte (quoted_input escapes them).
inline bool is_bounded_line(std::string_view message, std::size_t max_bytes)
{
    if (message.size() > max_bytes)
        return false;
    for (const char c : message)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            return false;
    return true;
}

// The longest message the signing-room parsers write: a few located
// problems, each quoting at most a few dozen characters of input.
inline constexpr std::size_t kMaxParseMessageBytes = 600;
