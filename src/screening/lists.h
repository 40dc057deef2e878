#ifndef EXPORTCTL_SRC_SCREENING_LISTS_H_
#define EXPORTCTL_SRC_SCREENING_LISTS_H_

// Loading restricted-party list files into LoadedLists (list.h). Four formats, detected from the
// file's content (not its name):
//   - OFAC SDN legacy CSV ("ofac-sdn-csv"): no header; ent_num, SDN_Name, SDN_Type, Program,
//     Title, Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks; `-0-` is empty;
//     aliases in Remarks as `a.k.a. 'NAME'` (also f.k.a., n.k.a.); Latin-1; CRLF; trailing 0x1A.
//   - trade.gov Consolidated Screening List JSON ("csl-json"): {"results": [...]}.
//   - trade.gov Consolidated Screening List CSV ("csl-csv"): a header row of 29 columns,
//     `;`-separated multi-values, a trailing 0x1A row.
//   - EU Financial Sanctions Files XML ("eu-fsf-xml"): <sanctionEntity> elements (pugixml).
// A list that does not load cleanly is refused whole: the first malformed row, element or field
// is an error naming the file and its position, with a stable code (ListErrorCode).

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "src/screening/list.h"

namespace exportctl::internal {

// The payload key under which a list error's stable code travels in an absl::Status (as the
// request decoder's codes do). The status message is "<file>:<position>: <message>", where the
// position is "<line>:<column>" for CSV and XML, or "<line>:<column> ($.results[3].name)" for
// JSON.
inline constexpr std::string_view kListErrorPayload = "exportctl.dev/list-error";

// The stable codes:
//   list_unreadable      the file cannot be read (or is a directory with no list files)
//   list_unknown_format  the content is none of the four formats
//   list_too_large       over kMaxListFileBytes
//   list_malformed       a row, JSON value or XML element that does not parse
//   list_missing_field   a required field is absent or empty (id, name)
//   list_invalid_field   a field with a value outside its vocabulary (type, country, date)
//   list_invalid_date    a `PATH@DATE` date that is not YYYY-MM-DD
//   list_duplicate_id    two entries with the same list code and id in one file

// Files over this size are refused (the real SDN CSV is ~5 MiB; the full CSL ~40 MiB).
inline constexpr std::size_t kMaxListFileBytes = 256u << 20;

// Parses the bytes of one list file. `name` is what errors and `source` fields call the file.
// `date` ("YYYY-MM-DD" or empty) overrides the date found in the file (or in its name).
absl::StatusOr<LoadedList> ParseList(std::string_view name, std::string_view bytes,
                                     std::string_view date = {});

// Loads one list given as "PATH" or "PATH@YYYY-MM-DD".
absl::StatusOr<LoadedList> LoadListFile(std::string_view spec);

// Loads every list under `specs`: files, or directories searched recursively for *.csv, *.json
// and *.xml files in sorted order. Any failure refuses the whole set.
absl::StatusOr<std::vector<LoadedList>> LoadLists(const std::vector<std::string>& specs);

// Returns "sha256:<hex>" of `bytes` (OpenSSL).
std::string Sha256Digest(std::string_view bytes);

}  // namespace exportctl::internal

#endif  // EXPORTCTL_SRC_SCREENING_LISTS_H_
