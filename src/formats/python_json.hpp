// python_json_dumps: JSON text exactly as Python's json.dumps writes it with
// its defaults (", " and ": " separators, one line, non-ASCII escaped as
// \uXXXX), so that a Keylime runtime policy and its DSSE envelope are the
// bytes Keylime's own tools would write for the same document.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace ostree_ima {

// Objects in insertion order (ordered_json), as Python keeps a dict's.
// Throws nlohmann's type_error for a string that is not UTF-8: check paths
// before they get here.
std::string python_json_dumps(const nlohmann::ordered_json &value);

} // namespace ostree_ima
