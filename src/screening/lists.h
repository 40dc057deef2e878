#ifndef EXPORTCTL_SRC_SCREENING_LISTS_H_
#define EXPORTCTL_SRC_SCREENING_LISTS_H_

// Loading restricted-party list files into LoadedLists (list.h). Four formats, detected from the
// file's content (not its name):
//   - OFAC SDN legacy CSV ("ofac-sdn-csv", list code SDN): no header; ent_num, SDN_Name,
//     SDN_Type, Program, Title, Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner,
//     Remarks; `-0-` (spaces around it or not) is empty; SDN_Type -0- is an entity; Program
//     "SDGT] [IRGC" is two programs; aliases in Remarks as `a.k.a. 'NAME'` (also f.k.a., n.k.a.;
//     an alias that OFAC's truncation of Remarks left unclosed runs to the end); Latin-1,
//     converted to UTF-8 (a file that is already valid UTF-8 is kept as it is); CRLF; a trailing
//     0x1A. Countries only where OFAC names them unambiguously: "nationality X", "citizen X" in
//     Remarks and Vess_flag, through a table of OFAC's country names (none is guessed).
//   - trade.gov Consolidated Screening List JSON ("csl-json", code CSL): {"results": [...]},
//     each entry's `source` mapped to its list's code (EL, DPL, UVL, MEU, SDN, SSI, FSE, ISN, DTC,
//     CMIC, CAP, PLC, MBS); id from `id`, else `entity_number`; countries from
//     addresses[].country, nationalities and citizenships (ISO 3166-1 alpha-2).
//   - trade.gov Consolidated Screening List CSV ("csl-csv", code CSL): a header row (29 columns
//     in the files seen; columns are found by name), `;`-separated multi-values, a trailing 0x1A
//     row. Countries from citizenships and nationalities (the address column is free text).
//   - EU Financial Sanctions Files XML ("eu-fsf-xml", code EU): one entry per <sanctionEntity>
//     (id logicalId, else euReferenceNumber), names from every nameAlias (a name repeated in
//     several languages kept once), countries from citizenship and address countryIso2Code ("00",
//     the EU's unknown, skipped), programs from regulation programme, start_date from
//     designationDate else the first regulation's entryIntoForceDate. Matched by local name,
//     so the "http://eu.europa.eu/fsd/bulk/v1.1" namespace may be prefixed or not.
// A list that does not load cleanly is refused whole: the first malformed row, element or field
// is an error naming the file and its position, with a stable code (below). Each entry's
// `source` is "<file>:<line>", or "<file>:<line> ($.results[3])" for CSL JSON.
//
// A list's date is, in order: the date of a `PATH@YYYY-MM-DD`; the file's own (CSL JSON
// `search_performed_at`, EU XML `generationDate`, their first 10 characters); the last
// YYYY-MM-DD in the file's name ("ofac-sdn-2024-03-15.csv"); else empty.

#include <string>
#include <string_view>
#include <vector>

#include "exportctl/limits.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "src/screening/list.h"

struct evp_md_st;

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

// Files over kMaxListFileBytes are refused (the real SDN CSV is ~5 MiB; the full CSL ~40 MiB),
// and so are more than kMaxListEntries entries; a single field over kMaxListFieldBytes is
// list_malformed (exportctl/limits.h).
using exportctl::kMaxListFileBytes;

// Parses the bytes of one list file. `name` is what errors and `source` fields call the file.
// `date` ("YYYY-MM-DD" or empty) overrides the date found in the file (or in its name).
absl::StatusOr<LoadedList> ParseList(std::string_view name, std::string_view bytes,
                                     std::string_view date = {});

// Loads one list given as "PATH" or "PATH@YYYY-MM-DD".
absl::StatusOr<LoadedList> LoadListFile(std::string_view spec);

// Loads every list under `specs`: files, or directories searched recursively for *.csv, *.json
// and *.xml files (any case) in sorted order; other files (README.md) are ignored. A date given
// to a directory ("DIR@2024-03-15") applies to each of its files. Any failure refuses the whole
// set.
absl::StatusOr<std::vector<LoadedList>> LoadLists(const std::vector<std::string>& specs);

// Returns "sha256:<hex>" of `bytes` (OpenSSL).
std::string Sha256Digest(std::string_view bytes);
// OpenSSL's SHA-256, fetched once (an implicit fetch on each EVP_DigestInit costs about as much
// as hashing a short record).
const evp_md_st* Sha256Md();
// "sha256:" and the hex of a digest.
std::string DigestHex(const unsigned char* md, unsigned int len);

}  // namespace exportctl::internal

#endif  // EXPORTCTL_SRC_SCREENING_LISTS_H_
