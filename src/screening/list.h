#ifndef EXPORTCTL_SRC_SCREENING_LIST_H_
#define EXPORTCTL_SRC_SCREENING_LIST_H_

// Restricted-party lists, as data (loaded apart from the rules, as OPA's data documents are):
// the entries of one list file, whatever its format. The loaders (lists.h) produce them; the
// matcher (matcher.h) indexes and screens names against them.

#include <cstdint>
#include <string>
#include <vector>

namespace exportctl::internal {

enum class EntryType : std::uint8_t { kUnknown, kIndividual, kEntity, kVessel, kAircraft };

// One listed party. `names[0]` is the primary name; the others are its aliases (a.k.a., f.k.a.,
// n.k.a., alt_names, nameAlias), each kept apart so a match can say which one matched.
struct ListEntry {
  std::string list;  // list code: SDN, EL, DPL, UVL, MEU, SSI, FSE, ISN, DTC, CMIC, CAP, PLC, MBS, EU
  std::string id;    // the entry's id in its list (SDN ent_num, CSL id or entity_number, EU logicalId)
  EntryType type = EntryType::kUnknown;
  std::vector<std::string> names;      // UTF-8, as written in the file
  std::vector<std::string> countries;  // ISO 3166-1 alpha-2 where the file gives them
  std::vector<std::string> programs;   // sanctions programmes / regimes
  std::string start_date, end_date;    // "YYYY-MM-DD" or empty
  std::string license_requirement;     // Entity List: the license requirement text
  std::string source;                  // where it came from: "file:line" or "file:line ($.results[3])"
};

// One loaded list file.
struct LoadedList {
  std::string code;     // the list code when one file holds one list (SDN, EU), else "CSL"
  std::string path;     // the file it was read from
  std::string date;     // "YYYY-MM-DD": from the file, or given as PATH@DATE
  std::string digest;   // "sha256:<hex>" of the file's bytes
  std::string format;   // "ofac-sdn-csv", "csl-json", "csl-csv", "eu-fsf-xml"
  std::vector<ListEntry> entries;
  std::size_t alias_count() const;  // names beyond each entry's primary one
};

}  // namespace exportctl::internal

#endif  // EXPORTCTL_SRC_SCREENING_LIST_H_
