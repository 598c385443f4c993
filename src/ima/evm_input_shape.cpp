#include "ima/evm_input_shape.hpp"

#include "ostree-ima/ima_verity_xattr.hpp"
#include "ostree-ima/ima_xattr.hpp"

#include <array>

namespace ostree_ima {

namespace {
// Digest sizes by the kernel's hash id (include/uapi/linux/hash_info.h):
// every algorithm a kernel may name, not only those the tool signs with,
// since the message holds whatever security.ima the target file has.
constexpr std::array<std::uint8_t, 23> kKernelDigestSizes{
    16, 16, 20, 20, 32, 48, 64, 28, 16, 32, 40, 32, 48, 64, 16, 20, 24, 32, 32, 64, 32, 48, 64};

std::size_t kernel_digest_size(std::uint8_t id)
{
    return id < kKernelDigestSizes.size() ? kKernelDigestSizes[id] : 0;
}

// The security.ima types the tool does not write itself (the signature
// types, kEvmImaXattrDigsig and kImaVerityDigsig, come from their codecs).
constexpr std::uint8_t kImaXattrDigest = 0x01;   // sha1 digest (old)
constexpr std::uint8_t kImaXattrDigestNg = 0x04; // ima-ng digest

// Whether `value` is, exactly, a security.ima value the kernel could hold.
bool is_ima_value(std::span<const std::uint8_t> value)
{
    if (value.size() < 2)
        return false;
    switch (value[0]) {
    case kImaXattrDigest:
        return value.size() == 1 + 20;
    case kImaXattrDigestNg: {
        const std::size_t size = kernel_digest_size(value[1]);
        return size != 0 && value.size() == 2 + size;
    }
    case kEvmImaXattrDigsig:
    case kImaVerityDigsig: {
        // type, version, hash id, key id (4), signature size (2, BE), signature
        if (value.size() <= 9 || value[1] < 1 || value[1] > 3 || kernel_digest_size(value[2]) == 0)
            return false;
        const std::size_t sig_size = (std::size_t{value[7]} << 8) | value[8];
        return sig_size != 0 && value.size() == 9 + sig_size;
    }
    default:
        return false;
    }
}

// struct h_misc of a portable signature at the end of `tail`: `size` 24
// (unsigned long ino of 8 bytes) or 20 (of 4).
bool ends_in_h_misc(std::span<const std::uint8_t> tail, std::size_t size)
{
    if (tail.size() < size)
        return false;
    const auto misc = tail.subspan(tail.size() - size);
    const std::size_t ids = size - 12; // ino and generation, zero when portable
    for (std::size_t i = 0; i < ids; ++i)
        if (misc[i] != 0)
            return false;
    if (misc[size - 2] != 0 || misc[size - 1] != 0) // padding
        return false;
    const unsigned mode = misc[size - 4] | (unsigned{misc[size - 3]} << 8);
    switch (mode & 0170000U) {
    case 0010000U: // fifo
    case 0020000U: // character device
    case 0040000U: // directory
    case 0060000U: // block device
    case 0100000U: // regular file
    case 0120000U: // symlink
    case 0140000U: // socket
        return true;
    default:
        return false;
    }
}

// struct vfs_cap_data (v1: 12 bytes, v2: 20) or vfs_ns_cap_data (v3: 24):
// magic_etc (LE) holds the revision in its top byte, the effective flag in
// its lowest bit.
bool is_capability_value(std::span<const std::uint8_t> value)
{
    const std::uint8_t revision = value.size() == 12 ? 1 : value.size() == 20 ? 2 : 3;
    return value[0] <= 1 && value[1] == 0 && value[2] == 0 && value[3] == revision;
}

// A security.ima value ends exactly at `end`, after whatever precedes it.
bool ima_value_ends_at(std::span<const std::uint8_t> tail, std::size_t end)
{
    if (end < 2)
        return false;
    const std::size_t lowest = end > kMaxXattrValueSize ? end - kMaxXattrValueSize : 0;
    for (std::size_t start = end - 2;; --start) {
        if (is_ima_value(tail.subspan(start, end - start)))
            return true;
        if (start == lowest)
            return false;
    }
}
} // namespace

bool looks_like_evm_input(std::span<const std::uint8_t> tail, std::uint64_t total_size)
{
    if (total_size > kMaxEvmInputSize)
        return false;
    for (const std::size_t misc_size : {std::size_t{24}, std::size_t{20}}) {
        if (!ends_in_h_misc(tail, misc_size))
            continue;
        const std::size_t misc_at = tail.size() - misc_size;
        for (const std::size_t cap_size :
             {std::size_t{0}, std::size_t{12}, std::size_t{20}, std::size_t{24}}) {
            if (misc_at < cap_size)
                continue;
            const std::size_t ima_end = misc_at - cap_size;
            if (cap_size != 0 && !is_capability_value(tail.subspan(ima_end, cap_size)))
                continue;
            if (ima_value_ends_at(tail, ima_end))
                return true;
        }
    }
    return false;
}

} // namespace ostree_ima
