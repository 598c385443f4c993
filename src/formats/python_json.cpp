#include "formats/python_json.hpp"

namespace ostree_ima {

namespace {
void append_python_json(const nlohmann::ordered_json &value, std::string &out)
{
    if (value.is_object()) {
        out += '{';
        bool first = true;
        for (const auto &[key, item] : value.items()) {
            if (!first)
                out += ", ";
            first = false;
            // A key is dumped as the string it is; ensure_ascii as Python.
            out += nlohmann::ordered_json(key).dump(-1, ' ', true);
            out += ": ";
            append_python_json(item, out);
        }
        out += '}';
    } else if (value.is_array()) {
        out += '[';
        bool first = true;
        for (const auto &item : value) {
            if (!first)
                out += ", ";
            first = false;
            append_python_json(item, out);
        }
        out += ']';
    } else {
        // Scalars: strings escaped as Python's ensure_ascii does (\", \\,
        // \n..., other controls and everything past 0x7e as \u00xx, pairs
        // past the BMP), integers in decimal, null/true/false.
        out += value.dump(-1, ' ', true);
    }
}
} // namespace

std::string python_json_dumps(const nlohmann::ordered_json &value)
{
    std::string out;
    append_python_json(value, out);
    return out;
}

} // namespace ostree_ima
