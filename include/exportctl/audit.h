#ifndef EXPORTCTL_AUDIT_H_
#define EXPORTCTL_AUDIT_H_

// A tamper-evident decision log: one JSON line per decision, each chained to the one before by
// SHA-256, so an edited, deleted, inserted or reordered line is found by VerifyAuditLog.
//
//   absl::StatusOr<std::unique_ptr<exportctl::AuditLog>> log =
//       exportctl::AuditLog::Open("decisions.audit.jsonl");
//   if (!log.ok()) return 2;            // audit_unwritable, audit_locked, audit_invalid
//   if ((*log)->recovered()) std::cerr << *(*log)->recovered() << "\n";  // a torn tail moved aside
//   exportctl::Decision d = policy.Evaluate(request, options);
//   (*log)->Append(request, d, options.licenses);  // thread-safe; lines never interleave
//   (*log)->Flush();                      // written and fsync'd: durable from here
//
// The file. Line 1 is the header, naming the format and the chain's genesis value:
//
//   {"format":"exportctl-audit/1","created":"2026-12-03T17:20:00.123Z",
//    "genesis":"sha256:<32 random bytes>","seq":0,"hash":"sha256:..."}
//
// then one record per decision:
//
//   {"request_sha256":"sha256:...","request":{...},"decision":{...},
//    "licenses":{"digest":"sha256:...","records":3} (or null),
//    "time":"2026-12-03T17:20:00.456Z","seq":1,"prev":"sha256:...","hash":"sha256:..."}
//
// `request` is the request as decoded, in canonical JSON (Request::ToJson), `request_sha256`
// its digest; `decision` is Decision::ToJson, whose "policy" object names the policy's digest,
// the date the rules were applied at and each list's code, date and digest; `licenses` the
// license repository's digest. Input that never became a request has "request":null and
// "input_sha256" instead. `prev` is the previous line's `hash` (the
// header's for record 1); `hash` is the SHA-256 of the line's bytes up to `,"hash"`. `seq`
// increases by one from line to line; `time` is when the record was appended (RFC 3339, UTC).
//
// What the chain cannot see: lines cut off the end (the shorter file is a valid log). Keep the
// head (AuditLog::head(), `exportctl audit verify` prints it) elsewhere and verify against it.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace exportctl {

struct Decision;
struct Request;
class Licenses;

namespace internal {
struct AuditRecordImpl;
struct AuditLogImpl;
}  // namespace internal

// A record formatted and half hashed, not yet in the log (AuditLog::Prepare, then Commit): the
// expensive part runs on any thread, the chaining in order.
class AuditRecord {
 public:
  AuditRecord(AuditRecord&&) noexcept;
  AuditRecord& operator=(AuditRecord&&) noexcept;
  ~AuditRecord();

 private:
  friend class AuditLog;
  explicit AuditRecord(std::unique_ptr<internal::AuditRecordImpl> impl);
  std::unique_ptr<internal::AuditRecordImpl> impl_;
};

class AuditLog {
 public:
  // Opens the log for appending, creating it with its header when absent or empty. A last line
  // without its newline (a torn write: the process died mid-write) is moved to a side file
  // (`PATH.torn-<time>`, said by recovered()) and the chain continues from the last whole line;
  // nothing whole is rewritten. The file is locked against a second writer while open.
  // Errors (AuditError::FromStatus): audit_unwritable, audit_locked (another process has it
  // open), audit_invalid (the last whole line is not a record whose hash holds).
  static absl::StatusOr<std::unique_ptr<AuditLog>> Open(const std::string& path);
  ~AuditLog();  // flushes

  // What Open did about a torn tail, or nullopt.
  const std::optional<std::string>& recovered() const;

  // Appends the record of `decision`, made for `request` (with `licenses`, the license
  // repository used, if any, recorded by digest; the lists are the decision's). Thread-safe;
  // buffered until Flush (or 1 MB).
  absl::Status Append(const Request& request, const Decision& decision,
                      const Licenses* licenses = nullptr);
  // The same in two steps: Prepare (thread-safe, lock-free: formats and hashes the record's
  // body) and Commit (in the order records are to appear: numbers and chains it).
  AuditRecord Prepare(const Request& request, const Decision& decision,
                      const Licenses* licenses = nullptr) const;
  // The same with the decision's JSON (Decision::ToJson, without a newline) already rendered,
  // as a caller that prints it has it: it is not rendered twice.
  AuditRecord Prepare(const Request& request, std::string_view decision_json,
                      const Licenses* licenses = nullptr) const;
  // For input that never became a request (a batch line that is not valid JSON, too long...):
  // "request" is null and "input_sha256" the digest of the bytes (null when not kept).
  AuditRecord PrepareInvalid(std::optional<std::string_view> input, const Decision& decision,
                             const Licenses* licenses = nullptr) const;
  absl::Status Commit(AuditRecord record);
  // Writes what was appended and fsyncs the file.
  absl::Status Flush();

  // The last line's hash ("sha256:...") and sequence number (0: the header alone).
  std::string head() const;
  std::uint64_t last_seq() const;

 private:
  explicit AuditLog(std::unique_ptr<internal::AuditLogImpl> impl);
  static AuditRecord Begin(std::string body);
  std::unique_ptr<internal::AuditLogImpl> impl_;
};

// What VerifyAuditLog found.
struct AuditVerification {
  bool ok = false;
  std::uint64_t records = 0;  // records (not counting the header) read and verified
  std::string head;           // the last verified line's hash
  // When not ok: the first bad line (1-based; 0: the file itself) and what is wrong.
  std::uint64_t line = 0;
  // audit_unreadable, audit_malformed, audit_edited (the line's hash does not match its
  // bytes), audit_deleted (a sequence gap), audit_reordered (a line out of sequence order),
  // audit_inserted (a sequence number repeated, or a line whose prev is not the previous
  // line's hash: inserted, or edited and re-hashed), audit_torn_tail (the last line has no
  // newline), audit_head_mismatch (not the expected head: lines cut off the end, or appended).
  std::string code;
  std::string message;
};

// Reads the whole log and checks every line's hash, the sequence and the chain. With
// `expect_head` ("sha256:..."), the log's last line must have that hash.
AuditVerification VerifyAuditLog(const std::string& path, std::string_view expect_head = "");

// The records of the log whose request has this id, as their lines (not verified: verify the log
// first). Errors: audit_unreadable, audit_malformed (with the line).
absl::StatusOr<std::vector<std::string>> AuditRecordsFor(const std::string& path,
                                                         std::string_view request_id);

// Why an audit operation failed, as values.
struct AuditError {
  std::string code;
  std::string message;
  static std::optional<AuditError> FromStatus(const absl::Status& status);
};

}  // namespace exportctl

#endif  // EXPORTCTL_AUDIT_H_
