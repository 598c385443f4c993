// Progress: a one-line progress display on stderr, for terminals only.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace ostree_ima {

class Progress {
  public:
    // Shows nothing unless `enabled` (the CLI enables it when stderr is a
    // terminal and neither --quiet nor --json was given).
    Progress(bool enabled, std::uint64_t total_objects, std::uint64_t total_files);
    Progress(const Progress &) = delete;
    Progress &operator=(const Progress &) = delete;
    ~Progress();

    // Called by workers after each unique object; lock-free.
    void object_done(std::uint64_t files, std::uint64_t bytes)
    {
        objects_.fetch_add(1, std::memory_order_relaxed);
        files_.fetch_add(files, std::memory_order_relaxed);
        bytes_.fetch_add(bytes, std::memory_order_relaxed);
    }
    // Clears the line; called before the final summary.
    void finish();

  private:
    void run();
    void draw(bool last);
    bool enabled_;
    std::uint64_t total_objects_;
    std::uint64_t total_files_;
    std::atomic<std::uint64_t> objects_{0};
    std::atomic<std::uint64_t> files_{0};
    std::atomic<std::uint64_t> bytes_{0};
    std::chrono::steady_clock::time_point start_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stop_ = false;
    std::thread thread_;
};

} // namespace ostree_ima
