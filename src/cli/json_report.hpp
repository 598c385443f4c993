// The first two fields of every --json report: which report it is and the
// version of its layout (docs/json-output.md). The version grows when a field
// changes meaning or goes away; new fields may appear in any version, so a
// consumer checks both and ignores fields it does not know.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace ostree_ima::cli {

inline constexpr int kJsonReportVersion = 1;

// {"format": format, "version": kJsonReportVersion}, for the report's other
// fields to follow.
nlohmann::ordered_json json_report(const std::string &format);

} // namespace ostree_ima::cli
