#ifndef EXPORTCTL_LICENSES_H_
#define EXPORTCTL_LICENSES_H_

// The license repository: the export licenses a sponsor holds, loaded apart from the rules (like
// the restricted-party lists), so one compiled Policy serves any repository version.
//
//   absl::StatusOr<exportctl::Licenses> licenses = exportctl::Licenses::Load("licenses.jsonl");
//   if (!licenses.ok()) {  // the file, the line or JSON path, and a stable code
//     std::cerr << licenses.status().message() << "\n";
//     return 2;
//   }
//   const exportctl::License* l = licenses->Find("D1234567");
//
// A file is a JSON array of records or JSON Lines (one record per line). A record:
//
//   {"id": "D1234567", "authority": "BIS", "type": "individual", "basis": ["CB2"],
//    "holder": "Northfield Clinical Supply Inc.", "items": ["1C351.a.*", "1C353"],
//    "destinations": ["BR", "IN"], "end_users": ["Instituto Nacional de Infectologia"],
//    "valid_from": "2026-01-15", "valid_to": "2027-01-14",
//    "quantity": {"limit": 500, "unit": "mL"}, "reexport": false,
//    "conditions": ["no re-transfer without BIS authorization"]}
//
// `id`, `authority`, `valid_from` and `valid_to` are required; the other keys narrow the license
// when given (no `destinations`: any destination; no `quantity`: no cap). Unknown keys, wrong
// types, bad dates or countries, `valid_to` before `valid_from`, a negative or non-finite limit,
// an unknown unit and duplicate ids are errors; a file that does not load cleanly is refused.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "exportctl/limits.h"

namespace exportctl {

struct LicenseQuantity {
  double limit = 0;  // >= 0, finite
  std::string unit;  // uL, mL, L, ug, mg, g, kg, or a count unit (vials, kits, ...)
};

struct License {
  std::string id;
  std::string authority;  // BIS, OFAC, or a member-state authority (DE-BAFA, NL-CDIU, ...)
  std::string type;       // e.g. individual, global, specific
  std::vector<std::string> basis;         // e.g. CB2; empty: any basis of the authority
  std::string holder;
  std::vector<std::string> items;         // ECCN or EU entry patterns (`*` wildcards)
  std::vector<std::string> destinations;  // ISO 3166 codes; empty: any destination
  std::vector<std::string> end_users;     // names; empty: any end user
  std::string valid_from, valid_to;       // YYYY-MM-DD, both inclusive
  std::optional<LicenseQuantity> quantity;
  std::optional<bool> reexport;           // re-exports allowed
  std::vector<std::string> conditions;
  std::string source;  // where the record was read: "file:line" (JSON Lines) or "file $[i]"
};

// One shipment's draw on a license's quantity cap, in the license's unit (a ledger line).
struct LicenseDraw {
  std::string license;
  std::string request;  // the request's id
  std::string date;     // the date it was decided at
  double quantity = 0;
  std::string unit;
  // {"license":"D1234567","request":"SHP-1","date":"2026-06-01","quantity":2,"unit":"mL"}
  std::string ToJson() const;
};

// Why a repository was refused, as values (Licenses::Load's status carries it).
struct LicenseError {
  std::string code;     // license_unreadable, license_too_large, license_malformed,
                        // license_unknown_field, license_invalid_type, license_missing_field,
                        // license_invalid_date, license_invalid_value, license_duplicate_id,
                        // license_ledger_invalid (LicenseBook::LoadLedger)
  std::string message;  // "licenses.jsonl:3: $.valid_to: ..." (file, line or path, what)

  static std::optional<LicenseError> FromStatus(const absl::Status& status);
};

class Licenses;
struct Decision;
struct Request;

// Quantity caps drawn across a book of shipments, in the order they are given: each shipment
// draws on what the ones before it left. Not thread-safe: draw in input order from one thread
// (EvaluateOptions::licenses checks each shipment against the full caps).
class LicenseBook {
 public:
  explicit LicenseBook(const Licenses& licenses);
  // Reads a ledger of earlier draws (LicenseDraw::ToJson lines): the balances start at the caps
  // minus them. A line that is not a draw of a capped license of the repository, or a last line
  // without its newline (a torn write), is refused (license_ledger_invalid, with file and line).
  absl::Status LoadLedger(const std::string& path);
  // Re-checks the licenses of `decision` (evaluated for `request` without licenses) against the
  // balances left, and draws: as EvaluateOptions::licenses, with depletion. The draws made are
  // appended to `draws`.
  void Draw(const Request& request, Decision* decision, std::vector<LicenseDraw>* draws);
  // Whether the book can change `decision` made with EvaluateOptions::licenses alone (full
  // caps, no draws): it checks, uses or lists a license with a cap. Only such decisions need
  // Draw, in order; the others the book would leave as they are (`eval --batch` decides them in
  // parallel and draws for the rest in input order).
  bool Affects(const Decision& decision) const;
  // What the license's cap has left (nullopt: no such capped license).
  std::optional<double> Remaining(std::string_view id) const;

 private:
  const Licenses* licenses_;
  absl::flat_hash_map<std::string, double> balances_;  // license id -> left, in its unit
};

// A license's standing on a date (`exportctl licenses`).
struct LicenseStatus {
  std::string license;
  std::string authority;
  std::string status;  // active, expiring, expired, not_yet_valid
  std::string valid_from, valid_to;
  int days_left = 0;   // to valid_to (inclusive of the last day); negative once expired
  std::optional<double> limit, used, remaining;  // capped licenses only, in `unit`
  std::string unit;
  std::string ToJson() const;
};

// A planned shipment that relies on a license that will not serve it.
struct LicenseAlert {
  std::string request;  // the planned shipment's id
  std::string license;
  std::string alert;    // expired (by the shipment's date), not_yet_valid, exhausted, unknown
  std::string detail;
  std::string ToJson() const;
};

// Each license's standing on `as_of` (YYYY-MM-DD) with the book's balances; `expiring_days`:
// a license whose last day is within that many days is `expiring`.
std::vector<LicenseStatus> LicenseStatuses(const Licenses& licenses, const LicenseBook& book,
                                           std::string_view as_of, int expiring_days);

// Walks `planned` shipments in order, each drawing on the licenses it names (its materials the
// license's items match, in the license's unit), and names each one that relies on a license
// that will have expired by its date (or is not yet valid), is unknown, or would be exhausted by
// the shipments before it. `book` holds the balances to start from (e.g. a ledger's).
std::vector<LicenseAlert> PlanAlerts(const Licenses& licenses, LicenseBook book,
                                     const std::vector<Request>& planned);

// A loaded license repository. Immutable after Load: share one across threads. Cheap to copy.
class Licenses;
namespace internal {
struct LicensesImpl;
const LicensesImpl& ImplOf(const Licenses& licenses);
}  // namespace internal

class Licenses {
 public:
  // Files over this size are refused (license_too_large); so are more than kMaxLicenseRecords
  // records (limits.h).
  static constexpr std::size_t kMaxFileBytes = kMaxLicenseFileBytes;

  static absl::StatusOr<Licenses> Load(const std::string& path);
  // The same from text; `name` stands for the file in messages.
  static absl::StatusOr<Licenses> FromJson(std::string_view text,
                                           std::string_view name = "<licenses>");

  const std::vector<License>& all() const;
  // The license with this id, or null.
  const License* Find(std::string_view id) const;
  // "sha256:<hex>" of the bytes loaded (the audit log records which repository was used).
  const std::string& digest() const;

 private:
  friend const internal::LicensesImpl& internal::ImplOf(const Licenses& licenses);
  using Impl = internal::LicensesImpl;
  explicit Licenses(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

}  // namespace exportctl

#endif  // EXPORTCTL_LICENSES_H_
