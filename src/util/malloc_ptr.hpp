// MallocPtr: memory a C library hands over for us to free(3) (p11-kit's
// strings).
#pragma once

#include <cstdlib>
#include <memory>

namespace ostree_ima {

struct FreeDeleter {
    void operator()(void *p) const { std::free(p); }
};
template <typename T> using MallocPtr = std::unique_ptr<T, FreeDeleter>;

} // namespace ostree_ima
