// Printing a PKCS#11 listing: human text and JSON.
#pragma once

#include "pkcs11_listing.hpp"

#include <nlohmann/json_fwd.hpp>

#include <ostream>
#include <vector>

namespace ostree_ima {

// Indented text, one module / slot / object per line, with the --key URI of
// each private key on the line below it.
void print_pkcs11_listing(std::ostream &out, const std::vector<Pkcs11ModuleListing> &listing);

// {"format": "ostree-ima-keys", "version": 1, "modules": [{"name", "path",
// ..., "slots": [{..., "objects": [...]}]}]} (docs/json-output.md)
nlohmann::json pkcs11_listing_to_json(const std::vector<Pkcs11ModuleListing> &listing);

} // namespace ostree_ima
