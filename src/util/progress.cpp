#include "util/progress.hpp"

#include <algorithm>
#include <optional>

namespace ostree_ima {

ProgressSink::~ProgressSink() = default;

ProgressMeter::ProgressMeter(ProgressSink *sink, const ProgressStep &step, std::uint64_t total,
                             std::uint64_t total_weight, std::uint64_t total_bytes,
                             std::function<SignatureProgress()> signatures)
    : sink_(sink), step_(step), total_bytes_(total_bytes), signatures_(std::move(signatures)),
      start_(Clock::now())
{
    counts_.total = total;
    counts_.total_weight = total_weight;
    if (sink_ != nullptr)
        thread_ = std::thread([this] { run(); });
}

ProgressMeter::~ProgressMeter()
{
    end(ProgressState::Stopped);
}

void ProgressMeter::unit_done(std::uint64_t weight, std::uint64_t bytes, Clock::time_point started)
{
    if (sink_ == nullptr)
        return;
    const double t = std::chrono::duration<double>(Clock::now() - started).count();
    const auto w = static_cast<double>(weight);
    std::optional<ProgressUpdate> first;
    {
        const std::lock_guard<std::mutex> lock(mutex_);
        ++counts_.done;
        counts_.weight_done += weight;
        bytes_done_ += bytes;
        counts_.sum_w += w;
        counts_.sum_ww += w * w;
        counts_.sum_t += t;
        counts_.sum_wt += w * t;
        if (counts_.done == 1)
            first = current(ProgressState::Running);
    }
    // The first line as soon as there is something to tell, drawn here:
    // however fast the step, its counts show once before its last line.
    if (first)
        draw(*first);
}

void ProgressMeter::draw(const ProgressUpdate &update)
{
    const std::lock_guard<std::mutex> lock(draw_mutex_);
    sink_->update(update);
}

void ProgressMeter::finish()
{
    end(ProgressState::Finished);
}

void ProgressMeter::end(ProgressState state)
{
    {
        const std::lock_guard<std::mutex> lock(mutex_);
        if (done_)
            return;
        done_ = true;
        stop_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable())
        thread_.join();
    if (sink_ != nullptr)
        draw(current(state)); // no worker runs any more
}

void ProgressMeter::run()
{
    std::unique_lock<std::mutex> lock(mutex_);
    while (!wake_.wait_for(lock, std::chrono::milliseconds(250), [this] { return stop_; })) {
        const ProgressUpdate update = current(ProgressState::Running);
        // Workers are not held up while the line is drawn (a terminal can
        // block a write: flow control, a slow link).
        lock.unlock();
        draw(update);
        lock.lock();
    }
}

ProgressUpdate ProgressMeter::current(ProgressState state)
{
    ProgressUpdate u;
    u.state = state;
    u.step = step_.name;
    u.step_number = step_.number;
    u.steps = step_.of;
    u.unit_one = step_.unit_one;
    u.unit_many = step_.unit_many;
    u.done = counts_.done;
    u.total = counts_.total;
    u.bytes_done = bytes_done_;
    u.bytes_total = total_bytes_;
    u.signs = static_cast<bool>(signatures_);
    if (u.signs) {
        const SignatureProgress s = signatures_();
        u.signatures_made = s.made;
        u.signatures_reused = s.reused;
    }
    u.seconds = std::chrono::duration<double>(Clock::now() - start_).count();
    Snapshot now = counts_;
    now.seconds = u.seconds;
    u.seconds_left = state == ProgressState::Finished ? 0 : seconds_left(now);
    return u;
}

double ProgressMeter::seconds_left(const Snapshot &s)
{
    if (s.done >= s.total)
        return 0;
    if (s.done == 0 || s.seconds <= 0 || s.sum_t <= 0)
        return -1;
    const auto n = static_cast<double>(s.done);
    const double mean_w = s.sum_w / n;
    const double mean_t = s.sum_t / n;
    const double var_w = s.sum_ww / n - mean_w * mean_w;
    double a = 0; // seconds per unit
    double b = 0; // seconds per unit of weight
    if (var_w > 1e-6 * mean_w * mean_w && var_w > 0) {
        b = (s.sum_wt / n - mean_w * mean_t) / var_w;
        a = mean_t - b * mean_w;
    } else if (mean_w > 0) {
        b = mean_t / mean_w; // one weight so far: its cost is the weight's
    } else if (s.total_weight > s.weight_done) {
        return -1; // no unit with weight done yet: its cost is unknown
    } else {
        a = mean_t;
    }
    // A fit that says a unit or a byte costs less than nothing: the other
    // term alone.
    if (b < 0) {
        b = 0;
        a = mean_t;
    } else if (a < 0) {
        a = 0;
        b = s.sum_wt / s.sum_ww;
    }
    const double work_left =
        a * static_cast<double>(s.total - s.done) +
        b * static_cast<double>(s.total_weight - std::min(s.weight_done, s.total_weight));
    return s.seconds * work_left / s.sum_t;
}

} // namespace ostree_ima
