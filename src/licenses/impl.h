#ifndef EXPORTCTL_SRC_LICENSES_IMPL_H_
#define EXPORTCTL_SRC_LICENSES_IMPL_H_

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "exportctl/licenses.h"
#include "src/plan/plan.h"

namespace exportctl::internal {

// A loaded repository: the licenses, by id, and what matching needs of each prepared once at
// load: its item patterns compiled, its end users normalised (NormalizeName).
struct LicensesImpl {
  std::vector<License> licenses;
  std::string digest;  // of the bytes loaded
  absl::flat_hash_map<std::string, std::size_t> by_id;
  std::vector<std::vector<Matcher>> items;          // by license index
  std::vector<std::vector<std::string>> end_users;  // by license index

  // The availability scan's index (a request that names no license is checked against the
  // licenses that could cover it, not the whole repository): license indices, in repository
  // order, by the authority that issued them and then by each destination they list ("": no
  // destinations, so any). The licenses of "EU" or a member state's authority (XX-NAME) are also
  // filed under `eu_member`, which the rules' "EU member state ..." authority asks.
  // An index entry carries what rejects most licenses without reading them: the window (days
  // since 1970) and a 64-bit filter of the end users' normalised names (0: any end user).
  struct Entry {
    std::uint32_t license;
    std::int32_t from, to;
    std::uint64_t users;
  };
  using ByDestination = absl::flat_hash_map<std::string, std::vector<Entry>>;
  absl::flat_hash_map<std::string, ByDestination> by_authority;
  ByDestination eu_member;

  void Add(License l, std::vector<Matcher> patterns);
  // The bit an end user's normalised name sets in Entry::users ("" sets none).
  static std::uint64_t UserBit(std::string_view normalized);

  // Calls fn(entry) for each license issued by `authority` (as SameAuthority reads it) that
  // lists `destination` or no destinations, once each, in repository order.
  template <typename Fn>
  void ForEachCandidate(std::string_view authority, std::string_view destination, Fn&& fn) const;
};

// Whether a license's authority is "EU" or an EU member state's (XX-NAME, XX a member state).
bool EuMemberAuthority(std::string_view license);
// Whether a rule's authority is the "EU member state ..." one that such licenses meet.
bool EuMemberRule(std::string_view rule);

template <typename Fn>
void LicensesImpl::ForEachCandidate(std::string_view authority, std::string_view destination,
                                    Fn&& fn) const {
  // Up to four sorted lists (the authority's and the EU group's, each for the destination and
  // for any destination), merged without copying.
  const std::vector<Entry>* lists[4];
  std::size_t at[4] = {0, 0, 0, 0};
  int n = 0;
  auto take = [&](const ByDestination& index) {
    for (std::string_view d : {destination, std::string_view()}) {
      if (auto it = index.find(absl::string_view(d.data(), d.size())); it != index.end()) {
        lists[n++] = &it->second;
      }
    }
  };
  if (auto it = by_authority.find(absl::string_view(authority.data(), authority.size()));
      it != by_authority.end()) {
    take(it->second);
  }
  if (EuMemberRule(authority)) take(eu_member);
  if (n == 1) {  // the common case: one list, nothing to merge
    for (const Entry& e : *lists[0]) fn(e);
    return;
  }
  for (;;) {
    const Entry* next = nullptr;
    for (int i = 0; i < n; ++i) {
      if (at[i] < lists[i]->size() && (!next || (*lists[i])[at[i]].license < next->license)) {
        next = &(*lists[i])[at[i]];
      }
    }
    if (!next) return;
    const std::uint32_t k = next->license;
    fn(*next);
    for (int i = 0; i < n; ++i) {
      if (at[i] < lists[i]->size() && (*lists[i])[at[i]].license == k) ++at[i];
    }
  }
}

}  // namespace exportctl::internal

#endif  // EXPORTCTL_SRC_LICENSES_IMPL_H_
