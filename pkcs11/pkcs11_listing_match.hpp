// Whether a `keys URI` listing found what the URI asks for. A URI that
// matches nothing is a failure (exit 1), so that a script can ask "is this
// key here?" with `ostree-ima keys -q URI`, and a typo in a label does not
// look like an empty token.
#pragma once

#include "pkcs11_listing.hpp"
#include "pkcs11_uri.hpp"

#include <vector>

namespace ostree_ima {

// Throws Error (one line naming the URI and what to do) when `uri` selects
// something and `listing` holds no token it matches, or, when the URI names
// an object (object, id or type), no key or certificate. The bare
// "pkcs11:" (every module) never fails here.
void require_listing_match(const pkcs11::Pkcs11Uri &uri,
                           const std::vector<Pkcs11ModuleListing> &listing);

} // namespace ostree_ima
