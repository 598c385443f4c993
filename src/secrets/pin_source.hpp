// PinSource: where a PIN or key passphrase comes from, in the documented order.
#pragma once

#include "secrets/secret.hpp"
#include "util/input_file.hpp"

#include <optional>
#include <string>

namespace ostree_ima {

// Order: an explicit file (--pin-file, or a PKCS#11 URI's pin-source),
// then the OSTREE_IMA_PIN environment variable, then a no-echo prompt on the
// controlling terminal when stdin is a terminal. Never argv.
class PinSource {
  public:
    // `pin_file`: --pin-file's value; empty (the option not given) is none.
    explicit PinSource(std::optional<std::string> pin_file = std::nullopt);

    // Reads the secret. `what` names what it unlocks ("passphrase for key
    // file /k.pem", "user PIN for token 'release'") and is used in the prompt
    // and in errors. Throws Error when no source is available.
    [[nodiscard]] SecretString obtain(const std::string &what) const;

    // The one place the order is decided: which source obtain() reads.
    enum class Origin { File, Environment, Terminal, None };
    [[nodiscard]] Origin origin() const;
    // That source as messages name it: "--pin-file /p", "OSTREE_IMA_PIN",
    // "the terminal", "no source".
    [[nodiscard]] std::string describe_origin() const;

    // Whether any non-interactive source or a terminal is available.
    [[nodiscard]] bool available() const { return origin() != Origin::None; }

    [[nodiscard]] const std::optional<std::string> &pin_file() const { return pin_file_; }

    // Reads a PIN file: the first line, without its trailing newline (and
    // \r). Warns on stderr when the file is readable by group or others.
    // PathShown::No: messages never show the path (a URI's pin-source).
    static SecretString read_pin_file(const std::string &path, PathShown shown = PathShown::Yes);

  private:
    std::optional<std::string> pin_file_;
};

} // namespace ostree_ima
