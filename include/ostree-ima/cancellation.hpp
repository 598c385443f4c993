// Cancellation: a process-wide "stop" request, set by SIGINT/SIGTERM.
//
// Long jobs check it between units of work and throw Interrupted, so every
// RAII guard (the OSTree transaction above all) unwinds and nothing changes.
#pragma once

#include "ostree-ima/error.hpp"
#include "ostree-ima/export.hpp"

#include <atomic>
#include <string>

namespace ostree_ima {

// Set once a stop is requested; workers poll it (parallel_for's `stop`).
OSTREE_IMA_EXPORT const std::atomic<bool> &stop_flag();
[[nodiscard]] OSTREE_IMA_EXPORT bool stop_requested();

// Asks running jobs to stop, as the signal handler does; `signo` is kept
// for the exit code (0 when no signal is involved).
OSTREE_IMA_EXPORT void request_stop(int signo = 0);

// The signal that asked to stop, 0 if none.
[[nodiscard]] OSTREE_IMA_EXPORT int stop_signal();

// Installs SIGINT and SIGTERM handlers (async-signal-safe). While a
// StopScope exists they only request a stop; otherwise, e.g. at a passphrase
// prompt or in a command that never polls the flag, the signal ends the
// process as if no handler were installed. The handlers reset themselves: a
// second signal ends the process at once, which is also safe (nothing moves
// a ref but the final commit), only less tidy.
OSTREE_IMA_EXPORT void install_interrupt_handlers();

// Marks a job that polls stop_requested() often enough to honour it.
class OSTREE_IMA_EXPORT StopScope {
  public:
    StopScope();
    StopScope(const StopScope &) = delete;
    StopScope &operator=(const StopScope &) = delete;
    ~StopScope();
};

// A job stopped on request; the message says what was left unchanged.
class OSTREE_IMA_EXPORT Interrupted : public Error {
  public:
    explicit Interrupted(const std::string &unchanged)
        : Error("interrupted; nothing was changed: " + unchanged)
    {
    }
};

} // namespace ostree_ima
