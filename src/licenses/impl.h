#ifndef EXPORTCTL_SRC_LICENSES_IMPL_H_
#define EXPORTCTL_SRC_LICENSES_IMPL_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "exportctl/licenses.h"
#include "src/plan/plan.h"

namespace exportctl::internal {

// A loaded repository: the licenses, by id, and each one's item patterns compiled once (the
// availability scan matches every license's items against every requirement).
struct LicensesImpl {
  std::vector<License> licenses;
  absl::flat_hash_map<std::string, std::size_t> by_id;
  std::vector<std::vector<Matcher>> items;  // by license index
};

}  // namespace exportctl::internal

#endif  // EXPORTCTL_SRC_LICENSES_IMPL_H_
