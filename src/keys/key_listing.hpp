// list_keys: what a signing room sees of its tokens (`ostree-ima keys`):
// modules, tokens, private keys and certificates, each with its --key URI
// and IMA key id. Only PKCS#11 holds keys worth listing.
#pragma once

#include "secrets/pin_source.hpp"

#include <string>

namespace ostree_ima {

// `uri` selects modules and tokens ("" for every registered module); with
// `login`, logs in where a token requires it to show private keys. Text or
// JSON (docs/keys.md). Throws Error on a bad URI, module or PIN.
std::string list_keys(const std::string &uri, bool login, const PinSource &pins, bool json);

} // namespace ostree_ima
