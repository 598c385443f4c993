// Pkcs11Uri on any text: returns or throws Error/UsageError; the text it
// shows in messages never holds a pin-value, and the object URI we format
// from its label and id parses again to the same label and id.
//
// And whatever the text, a PIN added to it under any spelling of
// "pin-value" (misspelled, percent-encoded, in either case, with blanks)
// never appears in the display, the messages or describe_unrecognized.
#include "fuzz_check.hpp"
#include "ostree-ima/error.hpp"
#include "pkcs11_uri.hpp"
#include "pkcs11_uri_text.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

using namespace ostree_ima;
using namespace ostree_ima::pkcs11;

namespace {

// A display (at most 300 characters) and up to three located problems.
constexpr std::size_t kMaxUriMessageBytes = 1000;

// Whether `text` has "pin-value" followed by '=' (p11-kit skips blanks
// around names and matches them case-sensitively; be stricter): a message
// may say a pin-value was hidden, never show one.
bool shows_pin_value(const std::string &text)
{
    std::string lower = text;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (auto at = lower.find("pin-value"); at != std::string::npos;
         at = lower.find("pin-value", at + 1)) {
        auto next = lower.find_first_not_of(" \t\r\n", at + 9);
        if (next != std::string::npos && lower[next] == '=')
            return true;
    }
    return false;
}

// Spellings that may carry a PIN: p11-kit's own name, the ones of issue
// #10, and what blanks (which p11-kit removes) and case make of them.
constexpr std::array<std::string_view, 14> kPinSpellings = {
    "pin-value",  "pin%2Dvalue", "pin%2dvalue", "pin-valu%65", "%70in-value",
    "pinvalue",   "pin_value",   "PIN-VALUE",   "Pin-Value",   "pin -value",
    "pin-value ", " pin-value",  "pin\n-value", "pin\tvalue"};

// Not a word an input holds by chance (a fuzzer builds it); the second, of the
// same length and alphabet, tells the secret we added from one the input
// spells itself (blanks removed, percent-decoded, as a token label shows).
constexpr std::string_view kSecret = "Zq7SecretPin4713";
constexpr std::string_view kOtherSecret = "Xw5OtherWord9264";

// What messages show of `text` with `spelling=secret` as one more
// attribute: in the query when text has one, else in the path or
// (new_query) as a new query. Pkcs11Uri's display and errors (which include
// the bounded display and describe_unrecognized) and the audit log's
// display, joined.
std::string shown_with_pin(const std::string &text, std::string_view spelling, bool new_query,
                           std::string_view secret)
{
    std::string uri = text;
    const bool has_query = text.find('?') != std::string::npos;
    uri += has_query ? "&" : (new_query ? "?" : ";");
    uri.append(spelling);
    uri += "=";
    uri.append(secret);
    std::string shown = uri_display(uri, kUnboundedUriDisplay);
    shown += '\n';
    try {
        const Pkcs11Uri parsed(uri);
        shown += parsed.display();
    } catch (const Error &e) {
        shown += e.what();
    }
    return shown;
}

// The secret is hidden unless it shows where another secret would not: an
// input that spells it itself (the fuzzer found "Zq7Secret\r...\rPin4713"
// in a token label, whose blanks the parser drops) is not a leak.
void check_secret_hidden(const std::string &text, std::string_view spelling, bool new_query)
{
    const std::string shown = shown_with_pin(text, spelling, new_query, kSecret);
    if (shown.find(kSecret) == std::string::npos)
        return;
    const std::string control = shown_with_pin(text, spelling, new_query, kOtherSecret);
    FUZZ_CHECK(control.find(kSecret) != std::string::npos);
    // Then the other secret is hidden, unless the input spells both.
    FUZZ_CHECK(control.find(kOtherSecret) == std::string::npos ||
               shown.find(kOtherSecret) != std::string::npos);
}

void blank_padded(unsigned char *field, std::size_t size, std::string_view text)
{
    std::memset(field, ' ', size);
    std::memcpy(field, text.data(), std::min(size, text.size()));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string text(reinterpret_cast<const char *>(data), size);
    if (text.find(kSecret) == std::string::npos) {
        // Every spelling, in the path or a new query by turns (inputs of
        // each length take the other turn), so each input costs 14 parses.
        for (std::size_t i = 0; i < kPinSpellings.size(); ++i)
            check_secret_hidden(text, kPinSpellings[i], (i + size) % 2 == 0);
    }
    std::optional<Pkcs11Uri> uri;
    try {
        uri.emplace(text);
    } catch (const Error &e) {
        FUZZ_CHECK(!shows_pin_value(e.what())); // UsageError is an Error
        FUZZ_CHECK(is_bounded_line(e.what(), kMaxUriMessageBytes));
        return 0;
    }
    FUZZ_CHECK(!shows_pin_value(uri->display()));
    FUZZ_CHECK(is_bounded_line(uri->display(), kMaxUriMessageBytes));
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
