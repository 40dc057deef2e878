// Fuzz target: the audit log's reader (VerifyAuditStream) and its writer's recovery (AuditLog::Open
// on a file holding the bytes, then one record appended). Any bytes verify or are refused with a
// stable code and a line; a writer either refuses the file (audit_invalid), leaving it as it was,
// or appends after its last whole line without changing a byte of it, and when the bytes were a
// valid log, or one with a torn tail, the result verifies with one more record.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "exportctl/audit.h"
#include "src/audit/audit.h"
#include "tests/fuzz/fuzz_util.h"

namespace exportctl::fuzz {
namespace {

namespace fs = std::filesystem;

bool IsAuditCode(std::string_view code) {
  for (std::string_view known :
       {"audit_malformed", "audit_edited", "audit_deleted", "audit_reordered", "audit_inserted",
        "audit_torn_tail", "audit_head_mismatch"}) {
    if (code == known) return true;
  }
  return false;
}

// A directory of this process's own for the log file and the torn tails moved aside.
const fs::path& WorkDir() {
  static const fs::path* dir = [] {
    auto* d = new fs::path(fs::temp_directory_path() / ("exportctl_audit_fuzz_" + std::to_string(::getpid())));
    fs::create_directories(*d);
    return d;
  }();
  return *dir;
}

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void Run(std::string_view bytes) {
  std::istringstream in{std::string(bytes)};
  const AuditVerification v = internal::VerifyAuditStream(in, "");
  if (v.ok) {
    FUZZ_CHECK(v.code.empty() && v.head.starts_with("sha256:"), v.message);
  } else {
    FUZZ_CHECK(IsAuditCode(v.code), v.code);
    FUZZ_CHECK(v.message.starts_with("line "), v.message);
  }

  // The writer on a file holding the bytes.
  for (const auto& e : fs::directory_iterator(WorkDir())) fs::remove(e.path());
  const fs::path path = WorkDir() / "log.jsonl";
  {
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  const std::size_t whole = bytes.rfind('\n') == std::string_view::npos ? 0 : bytes.rfind('\n') + 1;
  const bool continuable = bytes.empty() || v.ok || (v.code == "audit_torn_tail");
  absl::StatusOr<std::unique_ptr<AuditLog>> log = AuditLog::Open(path.string());
  if (!log.ok()) {
    const std::optional<AuditError> error = AuditError::FromStatus(log.status());
    FUZZ_CHECK(error && error->code == "audit_invalid", log.status().ToString());
    FUZZ_CHECK(!continuable || whole == 0 || v.code == "audit_torn_tail", "a valid log was refused");
    FUZZ_CHECK(Slurp(path) == bytes, "a refused log was changed");
    return;
  }
  const Request& r = ExampleShipments().front();
  FUZZ_CHECK((*log)->Append(r, ExamplePolicy().Evaluate(r)).ok(), "append");
  FUZZ_CHECK((*log)->Flush().ok(), "flush");
  const std::string head = (*log)->head();
  log->reset();
  const std::string after = Slurp(path);
  FUZZ_CHECK(after.compare(0, whole, bytes.substr(0, whole)) == 0, "a whole line was rewritten");
  if (continuable) {
    const AuditVerification w = VerifyAuditLog(path.string(), head);
    FUZZ_CHECK(w.ok, w.message);
    FUZZ_CHECK(w.records == (whole == 0 ? 1 : v.records + 1) || v.code == "audit_torn_tail", w.message);
  }
}

}  // namespace
}  // namespace exportctl::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  exportctl::fuzz::Run(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
