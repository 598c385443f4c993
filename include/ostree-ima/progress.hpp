// ProgressSink: how a long job tells its caller how far it is. The library
// counts and estimates; the caller shows it (the CLI draws one line on a
// terminal) or not at all. A request without a sink costs nothing extra.
#pragma once

#include "ostree-ima/export.hpp"

#include <cstdint>
#include <string_view>

namespace ostree_ima {

enum class ProgressState {
    Running,  // more updates follow
    Finished, // the step's last update: every unit done, `seconds` is its time taken
    Stopped,  // the step ended early (an error, an interrupt): no more updates
};

struct ProgressUpdate {
    ProgressState state = ProgressState::Running;
    // What is being done ("signing", "verifying", "computing digests",
    // "signing digests", "stripping"), and which step of the job it is
    // (apply: 1 of 2 recomputes the digests, 2 of 2 writes the commit).
    std::string_view step;
    unsigned step_number = 1;
    unsigned steps = 1;
    // What `done` and `total` count, singular and plural ("object",
    // "objects"): unique content objects, digests or files.
    std::string_view unit_one;
    std::string_view unit_many;
    std::uint64_t done = 0;
    std::uint64_t total = 0;
    // Bytes of the objects or files read so far and in all; bytes_total 0:
    // a step that reads none (sign-digests).
    std::uint64_t bytes_done = 0;
    std::uint64_t bytes_total = 0;
    // A step that makes signatures: by the key, and taken from earlier ones
    // (--reuse commits, the signature cache).
    bool signs = false;
    std::uint64_t signatures_made = 0;
    std::uint64_t signatures_reused = 0;
    double seconds = 0;       // since the step started
    double seconds_left = -1; // the estimate; negative: not known yet
};

class OSTREE_IMA_EXPORT ProgressSink {
  public:
    virtual ~ProgressSink();
    ProgressSink() = default;
    ProgressSink(const ProgressSink &) = delete;
    ProgressSink &operator=(const ProgressSink &) = delete;

    // Called from the job's threads, one call at a time: once the first
    // unit is done, then about four times a second, then once with Finished
    // or Stopped. Keep it short (the first call holds up a worker until it
    // returns); it must not throw.
    virtual void update(const ProgressUpdate &update) noexcept = 0;
};

} // namespace ostree_ima
