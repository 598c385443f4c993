// measurement_algo: the hash the kernel measures a file with, as its
// security.ima decides (ima_get_hash_algo in security/integrity/ima/
// ima_appraise.c). The kernel reads security.ima for every template but
// `ima`, and measures a file whose value names an algorithm with that one,
// not with ima_hash. No I/O.
#pragma once

#include "ostree-ima/hash_algo.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace ostree_ima {

// The algorithm `xattr` makes the kernel measure with; nullptr when the
// kernel uses its ima_hash (no value, or one that names no algorithm), or
// names one this build does not know.
const HashAlgo *measurement_algo(const std::optional<std::vector<std::uint8_t>> &xattr);

} // namespace ostree_ima
