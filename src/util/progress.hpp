// Progress: a one-line progress display on stderr, for terminals only.
//
// The time left is the larger of two estimates, so that it is right from
// the first seconds whatever bounds the run: the bytes of object files still
// to read at the rate they are read (objects go largest first, so a count of
// objects would be off by far), and the signatures still to make at the rate
// the key makes them, measured as the time spent waiting for it (a TPM signs
// a few a second; a CPU key thousands, and then reading bounds the run).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace ostree_ima {

struct SignatureProgress {
    std::uint64_t made = 0;   // by the key so far
    std::uint64_t reused = 0; // taken from earlier signatures
    double key_seconds = 0;   // spent waiting for the key, summed over workers
    unsigned in_flight = 1;   // signatures the key makes at once (sessions)
};

class Progress {
  public:
    // Shows nothing unless `enabled` (the CLI enables it when stderr is a
    // terminal and neither --quiet nor --json was given). `signatures` (may
    // be empty) tells how many signatures were made so far.
    Progress(bool enabled, std::uint64_t total_objects, std::uint64_t total_stored_bytes,
             std::function<SignatureProgress()> signatures = {});
    Progress(const Progress &) = delete;
    Progress &operator=(const Progress &) = delete;
    ~Progress();

    // Called by workers after each unique object (its object file's size,
    // the content bytes read); lock-free.
    void object_done(std::uint64_t stored_bytes, std::uint64_t content_bytes)
    {
        objects_.fetch_add(1, std::memory_order_relaxed);
        stored_.fetch_add(stored_bytes, std::memory_order_relaxed);
        content_.fetch_add(content_bytes, std::memory_order_relaxed);
    }
    // Clears the line; called before the final summary.
    void finish();

    // The line for these counts (for tests): "signing: 12/840 objects, ...".
    struct Snapshot {
        double seconds = 0;
        std::uint64_t objects = 0, total_objects = 0;
        std::uint64_t stored = 0, total_stored = 0, content = 0;
        SignatureProgress signatures;
    };
    static std::string line(const Snapshot &s);
    // Seconds left; negative when it cannot be told yet.
    static double seconds_left(const Snapshot &s);

  private:
    void run();
    void draw();
    bool enabled_;
    std::uint64_t total_objects_;
    std::uint64_t total_stored_;
    std::function<SignatureProgress()> signatures_;
    std::atomic<std::uint64_t> objects_{0};
    std::atomic<std::uint64_t> stored_{0};
    std::atomic<std::uint64_t> content_{0};
    std::chrono::steady_clock::time_point start_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stop_ = false;
    std::thread thread_;
};

} // namespace ostree_ima
