#include "ostree-ima/cancellation.hpp"

#include <csignal>

namespace ostree_ima {

namespace {
// Lock-free atomics are async-signal-safe; static_asserts keep it that way.
std::atomic<bool> g_stop{false};
std::atomic<int> g_signal{0};
std::atomic<int> g_scopes{0};
static_assert(std::atomic<bool>::is_always_lock_free);
static_assert(std::atomic<int>::is_always_lock_free);

extern "C" void on_interrupt(int signo)
{
    if (g_scopes.load() > 0) {
        request_stop(signo);
        return;
    }
    // SA_RESETHAND has restored the default action: re-raised, the signal
    // ends the process once this handler returns.
    (void)raise(signo);
}
} // namespace

StopScope::StopScope()
{
    g_scopes.fetch_add(1);
}

StopScope::~StopScope()
{
    g_scopes.fetch_sub(1);
}

const std::atomic<bool> &stop_flag()
{
    return g_stop;
}

bool stop_requested()
{
    return g_stop.load();
}

void request_stop(int signo)
{
    g_signal.store(signo);
    g_stop.store(true);
}

int stop_signal()
{
    return g_signal.load();
}

void install_interrupt_handlers()
{
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    // SA_RESTART: libraries' blocking calls carry on (the flag is polled);
    // SA_RESETHAND: a second Ctrl-C is not ignored while a file is hashed.
    action.sa_flags = SA_RESTART | SA_RESETHAND;
    for (const int signo : {SIGINT, SIGTERM})
        (void)sigaction(signo, &action, nullptr);
}

} // namespace ostree_ima
