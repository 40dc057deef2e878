// Fuzz target: the license repository loader (Licenses::FromJson, a JSON array or JSON Lines), and
// what is done with a loaded repository: license matching in the decision, the ledger of earlier
// draws (after a NUL byte in the input), the book's draws, the status listing and the
// planned-shipment alerts. A repository loads or is refused with a stable
// code naming the file; a loaded one keeps the loader's promises (ids found, dates in order,
// finite non-negative caps), and decisions that name its licenses keep the engine's invariants.

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tests/fuzz/fuzz_util.h"

namespace exportctl::fuzz {
namespace {

bool IsLicenseCode(std::string_view code) {
  for (std::string_view known :
       {"license_unreadable", "license_too_large", "license_malformed", "license_unknown_field",
        "license_invalid_type", "license_missing_field", "license_invalid_date",
        "license_invalid_value", "license_duplicate_id"}) {
    if (code == known) return true;
  }
  return false;
}

// Example shipments that need a license under the standard packs: the ones a license can meet.
const std::vector<Request>& LicensedShipments() {
  static const std::vector<Request>* shipments = [] {
    auto* out = new std::vector<Request>;
    EvaluateOptions options;
    options.lists = &SmallLists();
    for (const Request& r : ExampleShipments()) {
      if (StandardPolicy().Evaluate(r, options).outcome == Outcome::kLicenseRequired) {
        out->push_back(r);
      }
      if (out->size() == 12) break;
    }
    if (out->empty()) SetupFailed("no example shipment needs a license");
    return out;
  }();
  return *shipments;
}

// The ledger is read from a file (LicenseBook::LoadLedger takes a path): one per process,
// rewritten for each input, removed at exit.
const std::string& LedgerPath() {
  static const std::string* path = [] {
    char name[] = "/tmp/exportctl-fuzz-ledger-XXXXXX";
    const int fd = mkstemp(name);
    if (fd < 0) SetupFailed("cannot make a temporary ledger file");
    close(fd);
    auto* p = new std::string(name);
    std::atexit([] { std::remove(LedgerPath().c_str()); });
    return p;
  }();
  return *path;
}

void Run(std::string_view input) {
  // The repository, then (after a NUL byte, when there is one) a ledger of earlier draws.
  const size_t nul = input.find('\0');
  const std::string_view text = input.substr(0, nul);
  absl::StatusOr<Licenses> licenses = Licenses::FromJson(text, "fuzz.jsonl");
  if (!licenses.ok()) {
    std::optional<LicenseError> error = LicenseError::FromStatus(licenses.status());
    FUZZ_CHECK(error.has_value(), licenses.status().ToString());
    FUZZ_CHECK(IsLicenseCode(error->code), error->code);
    FUZZ_CHECK(error->message.starts_with("fuzz.jsonl"), error->message);
    return;
  }
  std::vector<std::string> ids;
  for (const License& l : licenses->all()) {
    FUZZ_CHECK(licenses->Find(l.id) == &l, l.id);
    FUZZ_CHECK(!l.id.empty() && !l.authority.empty(), l.source);
    FUZZ_CHECK(l.valid_from <= l.valid_to, l.source);
    if (l.quantity) FUZZ_CHECK(std::isfinite(l.quantity->limit) && l.quantity->limit >= 0, l.source);
    if (ids.size() < 8) ids.push_back(l.id);
  }

  EvaluateOptions options;
  options.lists = &SmallLists();
  options.licenses = &*licenses;
  LicenseBook book(*licenses);
  if (nul != std::string_view::npos) {
    std::ofstream(LedgerPath(), std::ios::binary | std::ios::trunc) << input.substr(nul + 1);
    if (absl::Status st = book.LoadLedger(LedgerPath()); !st.ok()) {
      std::optional<LicenseError> error = LicenseError::FromStatus(st);
      FUZZ_CHECK(error && error->code == "license_ledger_invalid", st.ToString());
      FUZZ_CHECK(error->message.starts_with(LedgerPath() + ":"), error->message);
      book = LicenseBook(*licenses);
    }
  }
  std::vector<Request> planned;
  for (Request request : LicensedShipments()) {
    request.licenses = ids;
    CheckDecision(StandardPolicy(), request, options);
    // As `eval --licenses` with a book: decided without the repository, then drawn in order.
    EvaluateOptions plain = options;
    plain.licenses = nullptr;
    Decision d = StandardPolicy().Evaluate(request, plain);
    std::vector<LicenseDraw> draws;
    book.Draw(request, &d, &draws);
    FUZZ_CHECK(IsValidJson(d.ToJson()), d.ToJson());
    for (const LicenseDraw& draw : draws) {
      FUZZ_CHECK(std::isfinite(draw.quantity) && draw.quantity >= 0, draw.ToJson());
      FUZZ_CHECK(IsValidJson(draw.ToJson()), draw.ToJson());
    }
    planned.push_back(std::move(request));
  }
  for (const LicenseStatus& s : LicenseStatuses(*licenses, book, "2026-06-01", 30)) {
    FUZZ_CHECK(IsValidJson(s.ToJson()), s.ToJson());
  }
  for (const LicenseAlert& a : PlanAlerts(*licenses, book, planned)) {
    FUZZ_CHECK(IsValidJson(a.ToJson()), a.ToJson());
  }
}

}  // namespace
}  // namespace exportctl::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  exportctl::fuzz::Run(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
