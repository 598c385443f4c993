// ProgressMeter: counts a step's units of work as workers finish them and
// hands the counts, with an estimate of the time left, to the caller's
// ProgressSink (include/ostree-ima/progress.hpp) from a thread of its own.
// Without a sink it does nothing.
//
// The time left: each unit's cost (the worker time it took, waiting for the
// key included) is fitted as a + b * weight over the units done, by least
// squares: `a` what any unit costs (opening, checking, writing an object; a
// signature from the key), `b` what each byte read costs. The units left,
// and their weight left, at that cost, turned into wall time at the ratio
// of wall time to worker time so far. Objects go largest first, so a count
// alone would say minutes at the start and bytes alone "0 s" for the last
// small objects (a run that reuses its signatures: nothing left to read,
// thousands of objects left to open and write); a slow key shows in `a`.
#pragma once

#include "ostree-ima/progress.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string_view>
#include <thread>

namespace ostree_ima {

// Signatures so far, for a step that makes them.
struct SignatureProgress {
    std::uint64_t made = 0;   // by the key
    std::uint64_t reused = 0; // taken from earlier signatures
};

// What a step is called and what it counts (ProgressUpdate's fields).
struct ProgressStep {
    std::string_view name;
    std::string_view unit_one = "object";
    std::string_view unit_many = "objects";
    unsigned number = 1;
    unsigned of = 1;
};

class ProgressMeter {
  public:
    using Clock = std::chrono::steady_clock;

    // `total` units of `total_weight` in all (bytes to read; sign-digests:
    // the digests no earlier signature covers), `total_bytes` of them read
    // (0: none). `signatures` (may be empty: a step that signs nothing) is
    // asked for the signatures so far at each update.
    ProgressMeter(ProgressSink *sink, const ProgressStep &step, std::uint64_t total,
                  std::uint64_t total_weight, std::uint64_t total_bytes,
                  std::function<SignatureProgress()> signatures = {});
    ProgressMeter(const ProgressMeter &) = delete;
    ProgressMeter &operator=(const ProgressMeter &) = delete;
    // Stopped, unless finish() was called.
    ~ProgressMeter();

    [[nodiscard]] bool enabled() const { return sink_ != nullptr; }
    // A worker finished one unit that it started at `started`; thread-safe.
    void unit_done(std::uint64_t weight, std::uint64_t bytes, Clock::time_point started);
    // The step's last update (Finished), with the time it took.
    void finish();

    // The counts the estimate is made of (for tests: a run made up).
    struct Snapshot {
        double seconds = 0; // wall time since the step started
        std::uint64_t done = 0, total = 0;
        std::uint64_t weight_done = 0, total_weight = 0;
        // Sums over the units done of their weight (w), worker seconds (t)
        // and products, for the fit.
        double sum_w = 0, sum_ww = 0, sum_t = 0, sum_wt = 0;
    };
    // Seconds left; negative when it cannot be told yet.
    static double seconds_left(const Snapshot &s);

  private:
    // The last update, once (Finished or Stopped); stops the drawing thread.
    void end(ProgressState state);
    void run();
    void draw(const ProgressUpdate &update);
    // Under mutex_.
    [[nodiscard]] ProgressUpdate current(ProgressState state);
    ProgressSink *sink_;
    ProgressStep step_;
    std::uint64_t total_bytes_;
    std::function<SignatureProgress()> signatures_;
    Clock::time_point start_;
    std::mutex mutex_; // guards counts_, bytes_done_ and the flags below
    Snapshot counts_;
    std::uint64_t bytes_done_ = 0;
    std::mutex draw_mutex_; // one call of the sink at a time
    std::condition_variable wake_;
    bool stop_ = false;
    bool done_ = false; // finish() or the destructor ran
    std::thread thread_;
};

} // namespace ostree_ima
