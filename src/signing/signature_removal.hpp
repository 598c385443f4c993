// remove_signature: a content object without security.ima and security.evm
// (which covers security.ima: alone it would be invalid). `strip` does it to
// the files it selects, `sign --skip-usr-etc` to the files under /usr/etc.
#pragma once

#include "objects/stored_object.hpp"

#include <optional>
#include <string>

namespace ostree_ima {

// The checksum of the object written without both, or nullopt when it is
// not a regular file or has neither (nothing written). xattr_remove keeps
// every other entry in place, so removing what `sign` added gives back the
// original object. Must run inside a transaction.
std::optional<std::string> remove_signature(StoredObject &object);

} // namespace ostree_ima
