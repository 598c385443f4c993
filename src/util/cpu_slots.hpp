// CpuSlots: how many workers may use the CPU at once, apart from how many
// may wait on something else. A job with a slow or remote key runs more
// workers than cores (one per signature in flight): each holds a slot while
// it reads, hashes and writes, and gives it up while it waits for the key,
// so the cores stay busy hashing and the token stays busy signing.
#pragma once

#include <condition_variable>
#include <mutex>

namespace ostree_ima {

class CpuSlots {
  public:
    explicit CpuSlots(unsigned slots) : free_(slots == 0 ? 1 : slots) {}

    // A slot held for a scope; away() gives it up for a call that waits.
    class Held {
      public:
        explicit Held(CpuSlots &slots) : slots_(slots) { slots_.take(); }
        Held(const Held &) = delete;
        Held &operator=(const Held &) = delete;
        ~Held() { slots_.give(); }
        template <typename Wait> decltype(auto) away(Wait &&wait)
        {
            slots_.give();
            struct Back {
                CpuSlots &slots;
                ~Back() { slots.take(); }
            } back{slots_};
            return wait();
        }

      private:
        CpuSlots &slots_;
    };

  private:
    void take()
    {
        std::unique_lock<std::mutex> lock(mutex_);
        freed_.wait(lock, [&] { return free_ > 0; });
        --free_;
    }
    void give()
    {
        {
            const std::lock_guard<std::mutex> lock(mutex_);
            ++free_;
        }
        freed_.notify_one();
    }
    std::mutex mutex_;
    std::condition_variable freed_;
    unsigned free_;
};

} // namespace ostree_ima
