#include "pkcs11_session_pool.hpp"

#include "pkcs11_error.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace ostree_ima::pkcs11 {

unsigned SessionPool::capacity_for(unsigned jobs, unsigned sessions, const CK_TOKEN_INFO &token)
{
    const CK_ULONG token_max = token.ulMaxSessionCount;
    const bool token_says = token_max != CK_EFFECTIVELY_INFINITE &&
                            token_max != CK_UNAVAILABLE_INFORMATION && token_max != 0;
    // One session is our login session, which stays open.
    const CK_ULONG token_room = token_says ? std::max<CK_ULONG>(token_max - 1, 1) : max_capacity;
    CK_ULONG capacity = sessions != 0 ? sessions : token_says ? token_room : std::max(jobs, 1U);
    capacity = std::min<CK_ULONG>({capacity, token_room, max_capacity});
    return static_cast<unsigned>(std::max<CK_ULONG>(capacity, 1));
}

SessionPool::SessionPool(ModulePtr module, CK_SLOT_ID slot, unsigned capacity, std::string what)
    : module_(std::move(module)), slot_(slot), what_(std::move(what)),
      capacity_(std::max(capacity, 1U))
{
    // give_back() is noexcept: idle_ never outgrows the initial capacity.
    idle_.reserve(capacity_);
}

SessionPool::Lease::Lease(SessionPool *pool, Session session, std::uint64_t generation)
    : pool_(pool), session_(std::move(session)), generation_(generation)
{
}

SessionPool::Lease::Lease(Lease &&other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)), session_(std::move(other.session_)),
      generation_(other.generation_), discard_(other.discard_)
{
    other.session_.reset();
}

SessionPool::Lease::~Lease()
{
    if (pool_ != nullptr) {
        pool_->give_back(std::move(session_), generation_, discard_);
    }
}

SessionPool::Lease SessionPool::acquire()
{
    std::unique_lock lock(mutex_);
    for (;;) {
        if (!idle_.empty()) {
            Session session = std::move(idle_.back());
            idle_.pop_back();
            return Lease(this, std::move(session), generation_);
        }
        if (open_ < capacity_) {
            ++open_;
            const std::uint64_t generation = generation_;
            lock.unlock();
            try {
                return Lease(this, Session(module_, slot_, what_), generation);
            } catch (const Pkcs11Error &error) {
                lock.lock();
                --open_;
                available_.notify_one();
                if (error.rv() != CKR_SESSION_COUNT || open_ == 0) {
                    throw;
                }
                // The token is full: make do with the sessions we hold.
                capacity_ = open_;
                continue;
            } catch (...) {
                lock.lock();
                --open_;
                available_.notify_one();
                throw;
            }
        }
        available_.wait(lock);
    }
}

void SessionPool::give_back(std::optional<Session> session, std::uint64_t generation,
                            bool discard) noexcept
{
    std::optional<Session> to_close;
    {
        const std::lock_guard lock(mutex_);
        if (!session) {
            --open_;
        } else if (discard || generation != generation_) {
            to_close = std::move(session);
            --open_;
        } else {
            idle_.push_back(std::move(*session));
        }
    }
    available_.notify_one();
    // to_close's destructor closes the session outside the lock.
}

void SessionPool::invalidate()
{
    std::vector<Session> stale;
    {
        const std::lock_guard lock(mutex_);
        ++generation_;
        // Move out rather than swap: idle_ keeps its reserved capacity.
        stale.assign(std::make_move_iterator(idle_.begin()), std::make_move_iterator(idle_.end()));
        idle_.clear();
        open_ -= static_cast<unsigned>(stale.size());
    }
    available_.notify_all();
}

unsigned SessionPool::capacity() const
{
    const std::lock_guard lock(mutex_);
    return capacity_;
}

} // namespace ostree_ima::pkcs11
