#include "util/progress.hpp"

#include <algorithm>
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

std::string human_seconds(double s)
{
    char buf[48];
    if (s < 0)
        return "--";
    if (s < 120)
        std::snprintf(buf, sizeof buf, "%.0f s", s);
    else if (s < 7200)
        std::snprintf(buf, sizeof buf, "%.0f min", s / 60);
    else
        std::snprintf(buf, sizeof buf, "%.1f h", s / 3600);
    return buf;
}
} // namespace

Progress::Progress(bool enabled, std::uint64_t total_objects, std::uint64_t total_stored_bytes,
                   std::function<SignatureProgress()> signatures)
    : enabled_(enabled), total_objects_(total_objects), total_stored_(total_stored_bytes),
      signatures_(std::move(signatures)), start_(std::chrono::steady_clock::now())
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
        draw();
}

double Progress::seconds_left(const Snapshot &s)
{
    if (s.objects == 0 || s.seconds <= 0)
        return -1;
    // Reading: the object-file bytes left at the rate they went.
    double left = 0;
    if (s.stored > 0 && s.total_stored > s.stored)
        left = s.seconds * static_cast<double>(s.total_stored - s.stored) /
               static_cast<double>(s.stored);
    // Signing: the objects left, as many of them needing the key as so far,
    // at the rate the key signs (its time per signature, so many at once).
    const SignatureProgress &sig = s.signatures;
    if (sig.made > 0 && sig.key_seconds > 0 && s.total_objects > s.objects) {
        const double per_object = static_cast<double>(sig.made) / static_cast<double>(s.objects);
        const double rate =
            static_cast<double>(sig.made) * std::max(sig.in_flight, 1U) / sig.key_seconds;
        left = std::max(left, per_object * static_cast<double>(s.total_objects - s.objects) / rate);
    }
    return left;
}

std::string Progress::line(const Snapshot &s)
{
    const double rate = s.seconds > 0 ? static_cast<double>(s.content) / s.seconds : 0;
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "signing: %llu/%llu objects, %s of %s read, %s/s; %llu signatures made, %llu "
                  "reused; %s left",
                  static_cast<unsigned long long>(s.objects),
                  static_cast<unsigned long long>(s.total_objects),
                  human_bytes(static_cast<double>(s.stored)).c_str(),
                  human_bytes(static_cast<double>(s.total_stored)).c_str(),
                  human_bytes(rate).c_str(), static_cast<unsigned long long>(s.signatures.made),
                  static_cast<unsigned long long>(s.signatures.reused),
                  human_seconds(seconds_left(s)).c_str());
    return buf;
}

void Progress::draw()
{
    Snapshot s;
    s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    s.objects = objects_.load(std::memory_order_relaxed);
    s.total_objects = total_objects_;
    s.stored = stored_.load(std::memory_order_relaxed);
    s.total_stored = total_stored_;
    s.content = content_.load(std::memory_order_relaxed);
    if (signatures_)
        s.signatures = signatures_();
    std::fprintf(stderr, "\r\033[K%s", line(s).c_str());
    std::fflush(stderr);
}

} // namespace ostree_ima
