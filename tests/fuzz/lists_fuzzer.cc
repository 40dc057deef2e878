// Fuzz target: the restricted-party list loaders (every format lists.h accepts: OFAC SDN CSV,
// CSL JSON and CSV, EU XML; the format is detected from the content, so one target reaches all
// four) and the name matcher behind them. A file loads or is refused with a stable code and its
// position; a loaded file's entries are indexed, and the index answers exactly as the linear scan
// (matcher.h promises it) for names taken from the file. The input's first bytes are also
// screened, as a name, against small fixed lists: index against linear scan again.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "src/screening/list_set.h"
#include "src/screening/lists.h"
#include "src/screening/matcher.h"
#include "tests/fuzz/fuzz_util.h"

namespace exportctl::fuzz {
namespace {

using internal::NameIndex;
using internal::NameMatch;
using internal::NameQuery;

bool IsListCode(std::string_view code) {
  for (std::string_view known : {"list_unreadable", "list_unknown_format", "list_too_large",
                                 "list_malformed", "list_missing_field", "list_invalid_field",
                                 "list_invalid_date", "list_duplicate_id", "list_empty"}) {
    if (code == known) return true;
  }
  return false;
}

std::string Describe(const std::vector<NameMatch>& matches) {
  std::string out;
  for (const NameMatch& m : matches) {
    out += std::to_string(m.entry) + "/" + std::to_string(m.alias) + ":" +
           std::to_string(m.score) + " ";
  }
  return out;
}

// The index's answer at the review and near-exact thresholds against the linear scan's (scanned
// once: the near-exact answer is the review answer's prefix of matches at 92 or more, as both
// are best first).
void ExpectIndexAgrees(const NameIndex& index, std::string_view name, std::string_view country) {
  std::vector<NameMatch> linear;
  index.ScreenLinear({name, country, internal::kReviewScore}, &linear);
  for (int min_score : {internal::kReviewScore, internal::kNearExactScore}) {
    std::vector<NameMatch> fast, slow;
    index.Screen({name, country, min_score}, &fast);
    for (const NameMatch& m : linear) {
      if (m.score >= min_score) slow.push_back(m);
    }
    const bool same = std::equal(fast.begin(), fast.end(), slow.begin(), slow.end(),
                                 [](const NameMatch& a, const NameMatch& b) {
                                   return a.entry == b.entry && a.alias == b.alias &&
                                          a.score == b.score;
                                 });
    FUZZ_CHECK(same, "query `" + std::string(name) + "` at " + std::to_string(min_score) +
                         ": index " + Describe(fast) + "/ linear " + Describe(slow));
    for (const NameMatch& m : fast) FUZZ_CHECK(m.score <= 100, Describe(fast));
  }
}

void Run(std::string_view bytes) {
  absl::StatusOr<internal::LoadedList> list = internal::ParseList("fuzz.list", bytes);
  if (!list.ok()) {
    std::optional<ListError> error = ListError::FromStatus(list.status());
    FUZZ_CHECK(error.has_value(), list.status().ToString());
    FUZZ_CHECK(IsListCode(error->code), error->code);
    FUZZ_CHECK(error->message.starts_with("fuzz.list"), error->message);
  } else {
    FUZZ_CHECK(list->digest.starts_with("sha256:"), list->digest);
    const ListInfo info{list->code, list->path, list->date, list->digest, list->format,
                        list->entries.size(), list->alias_count()};
    FUZZ_CHECK(IsValidJson(info.ToJson()), info.ToJson());
    std::vector<const internal::ListEntry*> entries;
    for (const internal::ListEntry& e : list->entries) {
      FUZZ_CHECK(!e.id.empty() && !e.names.empty() && !e.names[0].empty(), e.source);
      for (const std::string& c : e.countries) FUZZ_CHECK(c.size() == 2, e.source + ": " + c);
      // What a match on the entry says, as `exportctl screen` and decisions print it.
      const ListMatch match{e.list, e.id, e.names[0], e.names.back(), 100, "", e.countries,
                            e.programs, e.license_requirement, e.source};
      FUZZ_CHECK(IsValidJson(match.ToJson()), match.ToJson());
      entries.push_back(&e);
    }
    const NameIndex index(std::move(entries));
    for (size_t i = 0; i < list->entries.size() && i < 8; ++i) {
      const internal::ListEntry& e = list->entries[i];
      for (size_t n = 0; n < e.names.size() && n < 3; ++n) {
        ExpectIndexAgrees(index, e.names[n], e.countries.empty() ? "" : e.countries[0]);
      }
    }
  }
  const NameIndex& fixed = internal::ListSetOf(SmallLists())->index;
  const std::string_view name = bytes.substr(0, 256);
  ExpectIndexAgrees(fixed, name, bytes.size() % 2 ? "IR" : "");  // with a country, or without
  const int self = internal::ScoreName(name, name);
  FUZZ_CHECK(self >= 0 && self <= 100, std::to_string(self));
}

}  // namespace
}  // namespace exportctl::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  exportctl::fuzz::Run(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
