// parallel_for: runs work(i) for i in [0, n) on `threads` threads.
#pragma once

#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace ostree_ima {

// Items are handed out one at a time (objects vary wildly in size). The
// first exception stops the hand-out and is rethrown once all threads end.
// `stop` lets the caller cancel (e.g. on SIGINT) between items.
template <typename Work>
void parallel_for(std::size_t n, unsigned threads, Work &&work,
                  const std::atomic<bool> *stop = nullptr)
{
    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    std::exception_ptr first_error;
    std::mutex error_mutex;
    auto run = [&] {
        for (;;) {
            if (failed.load() || (stop != nullptr && stop->load()))
                return;
            const std::size_t i = next.fetch_add(1);
            if (i >= n)
                return;
            try {
                work(i);
            } catch (...) {
                const std::lock_guard<std::mutex> lock(error_mutex);
                if (!first_error)
                    first_error = std::current_exception();
                failed.store(true);
                return;
            }
        }
    };
    const unsigned count = threads == 0 ? 1 : threads;
    std::vector<std::jthread> pool;
    pool.reserve(count > 1 ? count - 1 : 0);
    for (unsigned t = 1; t < count; ++t)
        pool.emplace_back(run);
    run();
    pool.clear(); // joins
    if (first_error)
        std::rethrow_exception(first_error);
}

} // namespace ostree_ima
