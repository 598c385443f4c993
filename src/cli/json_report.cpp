#include "cli/json_report.hpp"

namespace ostree_ima::cli {

nlohmann::ordered_json json_report(const std::string &format)
{
    nlohmann::ordered_json j;
    j["format"] = format;
    j["version"] = kJsonReportVersion;
    return j;
}

} // namespace ostree_ima::cli
