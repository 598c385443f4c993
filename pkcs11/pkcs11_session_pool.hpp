// SessionPool: sessions on one token, handed out to signing threads.
//
// Sessions open lazily up to the capacity. A C_OpenSession failure is an
// error for the caller, not a reason to wait, except CKR_SESSION_COUNT while
// some of our own sessions are in use: then the capacity shrinks to what the
// token allows and the caller waits for one of them (libp11 0.4.12 waits
// forever on any failure, so a removed token hangs the signer).
#pragma once

#include "pkcs11_module.hpp"
#include "pkcs11_session.hpp"

#include <p11-kit/pkcs11.h>

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace ostree_ima::pkcs11 {

class SessionPool {
  public:
    // Upper bound whatever the token says: more sessions than threads or
    // than this only cost token memory.
    static constexpr unsigned max_capacity = 64;

    // Sessions wanted: `sessions` when given (--sessions), else as many as
    // the token allows when it says so (ulMaxSessionCount less our login
    // session), else `jobs`; never more than the token allows or 64, >= 1.
    static unsigned capacity_for(unsigned jobs, unsigned sessions, const CK_TOKEN_INFO &token);

    // `what` names module and token in error messages.
    SessionPool(ModulePtr module, CK_SLOT_ID slot, unsigned capacity, std::string what);
    SessionPool(const SessionPool &) = delete;
    SessionPool &operator=(const SessionPool &) = delete;
    ~SessionPool() = default; // every Lease must have been returned

    // A session borrowed from the pool; goes back when destroyed.
    class Lease {
      public:
        Lease(Lease &&other) noexcept;
        Lease &operator=(Lease &&) = delete;
        Lease(const Lease &) = delete;
        Lease &operator=(const Lease &) = delete;
        ~Lease();

        [[nodiscard]] const Session &session() const { return *session_; }
        // The session must not be reused (an operation may still be active
        // on it, or the token dropped it): it is closed instead of pooled.
        void discard() noexcept { discard_ = true; }

      private:
        friend class SessionPool;
        Lease(SessionPool *pool, Session session, std::uint64_t generation);

        SessionPool *pool_;
        std::optional<Session> session_;
        std::uint64_t generation_;
        bool discard_ = false;
    };

    // Blocks until a session is free or can be opened; throws Pkcs11Error
    // when the token refuses a new session for any other reason.
    [[nodiscard]] Lease acquire();

    // The token lost our sessions (reset, removed): close the idle ones and
    // close, rather than pool, those handed out before this call.
    void invalidate();

    [[nodiscard]] unsigned capacity() const;

  private:
    void give_back(std::optional<Session> session, std::uint64_t generation, bool discard) noexcept;

    ModulePtr module_;
    CK_SLOT_ID slot_;
    std::string what_;

    mutable std::mutex mutex_;
    std::condition_variable available_;
    std::vector<Session> idle_;
    unsigned open_ = 0; // idle + lent + being opened
    unsigned capacity_;
    std::uint64_t generation_ = 0;
};

} // namespace ostree_ima::pkcs11
