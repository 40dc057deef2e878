#ifndef EXPORTCTL_SRC_LICENSES_MATCH_H_
#define EXPORTCTL_SRC_LICENSES_MATCH_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "exportctl/decision.h"
#include "exportctl/licenses.h"
#include "exportctl/request.h"

namespace exportctl::internal {

// Meets the decision's license requirements with the licenses the request names (see
// EvaluateOptions::licenses): fills licenses_used, license_checks and licenses_available, lowers
// each `license_required` item whose every requirement a license covers to
// `permitted_with_conditions` (with the licenses' conditions), and the decision's outcome with
// them. `date` is the date the shipment is decided at.
// `balances` (license id -> what its cap has left, in its unit), when given, carries the caps
// across shipments and receives this one's draws, each also appended to `draws`; without it
// each shipment draws on the full caps.
void ApplyLicenses(const Licenses& licenses, const Request& request, std::string_view date,
                   Decision* decision,
                   absl::flat_hash_map<std::string, double>* balances = nullptr,
                   std::vector<LicenseDraw>* draws = nullptr);

}  // namespace exportctl::internal

#endif  // EXPORTCTL_SRC_LICENSES_MATCH_H_
