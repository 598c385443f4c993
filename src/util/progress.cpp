#include "util/progress.hpp"

#include <cstdio>

namespace ostree_ima {

namespace {
std::string human_bytes(double bytes)
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
} // namespace

Progress::Progress(bool enabled, std::uint64_t total_objects, std::uint64_t total_files)
    : enabled_(enabled), total_objects_(total_objects), total_files_(total_files),
      start_(std::chrono::steady_clock::now())
{
    if (enabled_)
        thread_ = std::thread([this] { run(); });
}

Progress::~Progress()
{
    finish();
}

void Progress::finish()
{
    {
        const std::lock_guard<std::mutex> lock(mutex_);
        if (stop_)
            return;
        stop_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) {
        thread_.join();
        std::fputs("\r\033[K", stderr);
        std::fflush(stderr);
    }
}

void Progress::run()
{
    std::unique_lock<std::mutex> lock(mutex_);
    while (!wake_.wait_for(lock, std::chrono::milliseconds(250), [this] { return stop_; }))
        draw(false);
}

void Progress::draw(bool /*last*/)
{
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const auto objects = objects_.load(std::memory_order_relaxed);
    const auto files = files_.load(std::memory_order_relaxed);
    const auto bytes = bytes_.load(std::memory_order_relaxed);
    const double rate = seconds > 0 ? static_cast<double>(bytes) / seconds : 0;
    std::string eta = "--";
    if (objects > 0 && total_objects_ >= objects) {
        const double left =
            seconds * static_cast<double>(total_objects_ - objects) / static_cast<double>(objects);
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.0f s", left);
        eta = buf;
    }
    std::fprintf(
        stderr, "\r\033[Ksigning: %llu/%llu files, %llu/%llu objects, %s, %s/s, %s left",
        static_cast<unsigned long long>(files), static_cast<unsigned long long>(total_files_),
        static_cast<unsigned long long>(objects), static_cast<unsigned long long>(total_objects_),
        human_bytes(static_cast<double>(bytes)).c_str(), human_bytes(rate).c_str(), eta.c_str());
    std::fflush(stderr);
}

} // namespace ostree_ima
