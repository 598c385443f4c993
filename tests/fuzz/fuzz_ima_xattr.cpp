// decode_ima_signature on any bytes: never crashes; what it accepts
// re-encodes to the same bytes.
#include "fuzz_check.hpp"
#include "ostree-ima/ima_xattr.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

using namespace ostree_ima;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::span<const std::uint8_t> input(data, size);
    const ImaDecodeResult r = decode_ima_signature(input);
    if (!r.ok) {
        FUZZ_CHECK(!r.problem.empty());
        return 0;
    }
    FUZZ_CHECK(r.value.algo != nullptr);
    FUZZ_CHECK(r.value.algo->kernel_id == r.value.hash_id);
    const std::vector<std::uint8_t> again =
        encode_ima_signature(*r.value.algo, r.value.key_id, r.value.signature);
    FUZZ_CHECK(std::equal(again.begin(), again.end(), input.begin(), input.end()));
    FUZZ_CHECK(parse_key_id(key_id_hex(r.value.key_id)) == r.value.key_id);
    return 0;
}
