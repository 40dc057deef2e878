#ifndef EXPORTCTL_LISTS_H_
#define EXPORTCTL_LISTS_H_

// Restricted-party lists: data loaded apart from the rules, as OPA's data documents are. One
// compiled Policy serves any number of list versions, and lists reload without recompiling:
//
//   absl::StatusOr<exportctl::Lists> lists = exportctl::Lists::Load({"lists/"});
//   if (!lists.ok()) {  // the file, its line or JSON path / XML element, and a stable code
//     std::cerr << lists.status().message() << "\n";
//     return 2;
//   }
//   exportctl::EvaluateOptions options;
//   options.lists = &*lists;  // rules calling screen() screen the parties against these
//   exportctl::Decision decision = policy->Evaluate(request, options);
//
// A rule that calls `screen()` while no lists are given fails closed (`review`, error code
// `not_screened`), unless EvaluateOptions::no_screening says the caller opted out.
//
// Formats (detected from the content): the OFAC SDN legacy CSV, trade.gov's Consolidated
// Screening List as JSON or CSV, and the EU Financial Sanctions Files XML. A file that does not
// load cleanly is refused whole.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace exportctl {

class Lists;
namespace internal {
struct ListSet;
const ListSet* ListSetOf(const Lists& lists);
}  // namespace internal

// What one loaded list file is: the decision's policy block names it, so an auditor knows what
// a party was screened against.
struct ListInfo {
  std::string code;    // SDN, EU, or CSL (a Consolidated Screening List file holds many lists)
  std::string path;    // the file it was read from
  std::string date;    // "YYYY-MM-DD" from the file or its name, or given as PATH@DATE; "" unknown
  std::string digest;  // "sha256:<hex>" of the file's bytes
  std::string format;  // ofac-sdn-csv, csl-json, csl-csv, eu-fsf-xml
  std::size_t entries = 0;
  std::size_t aliases = 0;  // names beyond each entry's primary one

  // {"code":"SDN","date":"2024-03-15","digest":"sha256:...","path":"...","format":"...",
  //  "entries":14466,"aliases":...}
  std::string ToJson() const;
};

// One listed party a name matched.
struct ListMatch {
  std::string list;   // the entry's list code: SDN, EL, DPL, UVL, MEU, ..., EU
  std::string entry;  // its id in that list
  std::string name;   // its primary name
  std::string alias;  // the name that matched (the primary name or one of its aliases)
  int score = 0;      // 0-100
  std::string type;   // individual, entity, vessel, aircraft, or ""
  std::vector<std::string> countries;
  std::vector<std::string> programs;
  std::string license_requirement;  // Entity List entries
  std::string source;               // "file:line" it was read from

  std::string ToJson() const;
};

// The threshold `exportctl screen` and ScreenOptions use unless told otherwise: the standard
// screening pack's "possible match" threshold (rules/screening/), where a person should look.
// Lower thresholds are answered exactly too (more slowly: the name index is tuned from here up).
inline constexpr int kDefaultScreenThreshold = 85;

struct ScreenOptions {
  std::string country;          // the party's country (ISO alpha-2), when known
  int threshold = kDefaultScreenThreshold;  // matches scoring below are not returned
  std::vector<std::string> lists;  // list codes to screen against; empty: every list
  std::size_t limit = 10;       // at most this many matches, best first
};

// One name's result as `exportctl screen --format json` prints it:
// {"name":"...","matches":[ListMatch::ToJson()...]}.
std::string ScreeningToJson(std::string_view name, const std::vector<ListMatch>& matches);

// Why a list file was refused, as values (Lists::Load's status carries it).
struct ListError {
  std::string code;      // list_unreadable, list_unknown_format, list_too_large, list_malformed,
                         // list_missing_field, list_invalid_field, list_invalid_date,
                         // list_duplicate_id, list_empty (a file with no entries)
  std::string message;   // "lists/x.csv:12:3: ..." (file, position, what is wrong)

  static std::optional<ListError> FromStatus(const absl::Status& status);
};

// Loaded, indexed restricted-party lists. Immutable after Load: share one across threads.
// Cheap to copy (copies share the loaded data).
class Lists {
 public:
  // Loads every list under `paths`: files given as "PATH" or "PATH@YYYY-MM-DD" (the date the list
  // is as of, when the file does not say), or directories searched recursively for *.csv, *.json
  // and *.xml in sorted order. Any file that does not load refuses the whole set.
  static absl::StatusOr<Lists> Load(const std::vector<std::string>& paths);

  // The loaded files, in load order.
  const std::vector<ListInfo>& info() const;
  // Returns the entries `name` matches at or above `options.threshold`, best first (one per
  // entry, with the alias that matched). Thread-safe.
  std::vector<ListMatch> Screen(std::string_view name, const ScreenOptions& options = {}) const;

 private:
  friend const internal::ListSet* internal::ListSetOf(const Lists& lists);
  explicit Lists(std::shared_ptr<const internal::ListSet> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const internal::ListSet> impl_;
};

}  // namespace exportctl

#endif  // EXPORTCTL_LISTS_H_
