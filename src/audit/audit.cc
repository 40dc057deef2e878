// The tamper-evident decision log (include/exportctl/audit.h).
//
// A line's hash is the SHA-256 of its bytes up to `,"hash"`. The record's body (request,
// decision, digests) comes first and its chaining fields (time, seq, prev) last, so the body is
// hashed on any thread (Prepare) and Commit only feeds the short tail to the same SHA-256 state
// and finishes it, in order, under the lock.

#include "exportctl/audit.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <simdjson.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <mutex>
#include <sstream>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "exportctl/decision.h"
#include "exportctl/licenses.h"
#include "exportctl/request.h"
#include "src/audit/audit.h"
#include "src/common/source.h"
#include "src/screening/lists.h"

namespace exportctl {
namespace internal {
namespace {

constexpr std::string_view kFormat = "exportctl-audit/1";
constexpr std::string_view kPayload = "exportctl.dev/audit-error";
constexpr std::string_view kHashKey = ",\"hash\":\"";
constexpr std::size_t kFlushBytes = 1 << 20;

absl::Status Fail(std::string_view code, std::string message) {
  absl::Status st = absl::FailedPreconditionError(message);
  st.SetPayload(Av(kPayload), absl::Cord(Av(code)));
  return st;
}

std::string Hex(const unsigned char* bytes, std::size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 15];
  }
  return out;
}

// SHA-256 state that lives inside a record (no allocation): OpenSSL's SHA256_CTX, deprecated
// in OpenSSL 3 in favour of EVP, whose context is heap-allocated and fetched per use; a record's
// body is hashed once on a worker and its tail on the committing thread.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
struct Sha256State {
  SHA256_CTX ctx;
  Sha256State() { SHA256_Init(&ctx); }
  void Update(std::string_view bytes) { SHA256_Update(&ctx, bytes.data(), bytes.size()); }
  std::string Finish() {
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256_Final(md, &ctx);
    return DigestHex(md, SHA256_DIGEST_LENGTH);
  }
};
#pragma GCC diagnostic pop

// Now, RFC 3339 in UTC with milliseconds. (The seconds are formatted once a second per thread:
// a batch appends thousands of records a second.)
std::string Now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  thread_local time_t second = -1;
  thread_local char prefix[48];
  if (ts.tv_sec != second) {
    tm utc{};
    gmtime_r(&ts.tv_sec, &utc);
    std::snprintf(prefix, sizeof prefix, "%04d-%02d-%02dT%02d:%02d:%02d", utc.tm_year + 1900,
                  utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
    second = ts.tv_sec;
  }
  const long ms = ts.tv_nsec / 1000000;
  std::string out(prefix);
  out += '.';
  out += static_cast<char>('0' + ms / 100);
  out += static_cast<char>('0' + ms / 10 % 10);
  out += static_cast<char>('0' + ms % 10);
  out += 'Z';
  return out;
}

// A line split at its hash: the bytes hashed and the hash it states, or nullopt when the line
// does not end in `,"hash":"sha256:<64 hex>"}`.
struct Split {
  std::string_view hashed;
  std::string_view stated;
};
std::optional<Split> SplitLine(std::string_view line) {
  const std::size_t at = line.rfind(kHashKey);
  if (at == std::string_view::npos || !absl::EndsWith(Av(line), "\"}")) return std::nullopt;
  std::string_view stated = line.substr(at + kHashKey.size());
  stated.remove_suffix(2);
  if (stated.size() != 7 + 64 || !absl::StartsWith(Av(stated), "sha256:")) return std::nullopt;
  for (char c : stated.substr(7)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  }
  return Split{line.substr(0, at), stated};
}

std::string HashOf(std::string_view bytes) { return Sha256Digest(bytes); }

// What a whole line says of the chain: its sequence number, prev (records) and hash.
struct Parsed {
  std::uint64_t seq = 0;
  std::string prev;   // "" for the header
  std::string hash;
  bool header = false;
};

// Parses and checks one line on its own: well-formed, and its hash holds. `code` and `why` say
// what is wrong otherwise.
bool ParseLine(simdjson::dom::parser& parser, std::string_view line, Parsed* out,
               std::string* code, std::string* why) {
  const std::optional<Split> split = SplitLine(line);
  simdjson::dom::element e;
  if (!split || parser.parse(line.data(), line.size()).get(e) || !e.is_object()) {
    *code = "audit_malformed";
    *why = "not a log line (a JSON object ending in its \"hash\")";
    return false;
  }
  std::uint64_t seq = 0;
  if (e["seq"].get(seq)) {
    *code = "audit_malformed";
    *why = "no \"seq\"";
    return false;
  }
  std::string_view format, prev;
  out->header = !e["format"].get(format);
  if (out->header && format != kFormat) {
    *code = "audit_malformed";
    *why = absl::StrCat("format `", Av(format), "` is not ", Av(kFormat));
    return false;
  }
  if (!out->header && e["prev"].get(prev)) {
    *code = "audit_malformed";
    *why = "no \"prev\"";
    return false;
  }
  if (HashOf(split->hashed) != split->stated) {
    *code = "audit_edited";
    *why = "the line's hash does not match its bytes (edited)";
    return false;
  }
  out->seq = seq;
  out->prev = std::string(prev);
  out->hash = std::string(split->stated);
  return true;
}

// Reads lines of at most kMaxAuditLineBytes; `torn` when the last one has no newline.
class LineReader {
 public:
  explicit LineReader(std::istream& in) : in_(in) {}
  // False at the end; `too_long` when a line exceeds the limit (reading stops).
  bool Next(std::string* line, bool* torn, bool* too_long) {
    line->clear();
    *torn = *too_long = false;
    for (;;) {
      if (at_ == buffer_.size()) {
        buffer_.resize(1 << 16);
        in_.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
        buffer_.resize(static_cast<std::size_t>(in_.gcount()));
        at_ = 0;
        if (buffer_.empty()) {
          *torn = !line->empty();
          return !line->empty();
        }
      }
      const std::size_t nl = buffer_.find('\n', at_);
      const std::size_t end = nl == std::string::npos ? buffer_.size() : nl;
      if (line->size() + (end - at_) > kMaxAuditLineBytes) {
        *too_long = true;
        return true;
      }
      line->append(buffer_, at_, end - at_);
      at_ = end;
      if (nl != std::string::npos) {
        ++at_;
        return true;
      }
    }
  }

 private:
  std::istream& in_;
  std::string buffer_;
  std::size_t at_ = 0;
};

}  // namespace

AuditVerification VerifyAuditStream(std::istream& in, std::string_view expect_head) {
  AuditVerification v;
  auto bad = [&](std::uint64_t line, std::string code, std::string why) {
    v.ok = false;
    v.line = line;
    v.code = std::move(code);
    v.message = absl::StrCat("line ", line, ": ", why);
    return v;
  };
  simdjson::dom::parser parser;
  LineReader reader(in);
  std::string line, code, why;
  bool torn = false, too_long = false;
  std::uint64_t number = 0, expected = 0;
  std::string prev;
  while (reader.Next(&line, &torn, &too_long)) {
    ++number;
    if (too_long) return bad(number, "audit_malformed", absl::StrCat("longer than ", kMaxAuditLineBytes, " bytes"));
    if (torn) {
      return bad(number, "audit_torn_tail",
                 "the last line has no newline (a torn write; the next writer moves it aside)");
    }
    Parsed p;
    if (!ParseLine(parser, line, &p, &code, &why)) return bad(number, code, why);
    if (number == 1) {
      if (!p.header || p.seq != 0) return bad(1, "audit_malformed", absl::StrCat("not an ", Av(kFormat), " header"));
      prev = p.hash;
      expected = 1;
      v.head = p.hash;
      continue;
    }
    if (p.header) return bad(number, "audit_inserted", "a second header");
    if (p.seq > expected) {
      // A gap: a line missing, or out of order (the missing number comes later).
      std::string rest;
      bool rest_torn = false, rest_long = false;
      std::uint64_t later = number;
      while (reader.Next(&rest, &rest_torn, &rest_long) && !rest_long) {
        ++later;
        Parsed q;
        std::string c, w;
        if (ParseLine(parser, rest, &q, &c, &w) && q.seq == expected) {
          return bad(number, "audit_reordered",
                     absl::StrCat("seq ", p.seq, " where ", expected, " belongs; ", expected,
                                  " is at line ", later, " (lines reordered)"));
        }
      }
      return bad(number, "audit_deleted",
                 absl::StrCat("seq ", p.seq, " follows ", expected - 1, ": ", p.seq - expected,
                              " record(s) deleted"));
    }
    if (p.seq < expected) {
      return p.seq + 1 == expected
                 ? bad(number, "audit_inserted", absl::StrCat("seq ", p.seq, " repeated (a line inserted)"))
                 : bad(number, "audit_reordered",
                       absl::StrCat("seq ", p.seq, " after ", expected - 1, " (lines reordered)"));
    }
    if (p.prev != prev) {
      return bad(number, "audit_inserted",
                 "prev is not the previous line's hash (a line inserted, or edited and re-hashed)");
    }
    prev = p.hash;
    v.head = p.hash;
    v.records = p.seq;
    ++expected;
  }
  if (number == 0) return bad(0, "audit_malformed", "empty: no header");
  if (!expect_head.empty() && v.head != expect_head) {
    return bad(number, "audit_head_mismatch",
               absl::StrCat("the last line's hash is ", v.head, ", not the expected ", Av(expect_head),
                            " (lines cut off the end, or appended since)"));
  }
  v.ok = true;
  v.line = 0;
  v.message = absl::StrCat(v.records, " records, head ", v.head);
  return v;
}

struct AuditRecordImpl {
  std::string body;
  Sha256State sha;  // over `body`
};

struct AuditLogImpl {
  std::string path;
  int fd = -1;
  std::mutex mu;
  std::vector<std::string> pending;  // committed lines, not yet written
  std::size_t pending_bytes = 0;
  std::uint64_t seq = 0;
  std::string head;
  std::optional<std::string> recovered;

  // Writes the committed lines as they are (writev, no copy into one buffer).
  absl::Status WritePending() {
    std::vector<iovec> io;
    for (std::size_t first = 0; first < pending.size();) {
      io.clear();
      for (std::size_t i = first; i < pending.size() && io.size() < 1024; ++i) {
        io.push_back({pending[i].data(), pending[i].size()});
      }
      first += io.size();
      for (std::size_t at = 0; at < io.size();) {
        const ssize_t n = ::writev(fd, io.data() + at, static_cast<int>(std::min<std::size_t>(io.size() - at, 1024)));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return Fail("audit_unwritable", absl::StrCat(path, ": write failed: ", std::strerror(errno)));
        // Skip what was written: whole iovecs, then part of one.
        std::size_t left = static_cast<std::size_t>(n);
        while (at < io.size() && left >= io[at].iov_len) left -= io[at++].iov_len;
        if (at < io.size()) {
          io[at].iov_base = static_cast<char*>(io[at].iov_base) + left;
          io[at].iov_len -= left;
        }
      }
    }
    pending.clear();
    pending_bytes = 0;
    return absl::OkStatus();
  }
  ~AuditLogImpl() {
    if (fd >= 0) ::close(fd);
  }
};

namespace {

// Reads `n` bytes at `offset`.
bool ReadAt(int fd, std::uint64_t offset, std::size_t n, std::string* out) {
  out->resize(n);
  std::size_t done = 0;
  while (done < n) {
    const ssize_t got = ::pread(fd, out->data() + done, n - done, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    done += static_cast<std::size_t>(got);
  }
  return true;
}

// The offset just after the last '\n' before `end` (0 when there is none).
bool LineStartBefore(int fd, std::uint64_t end, std::uint64_t* start) {
  std::string chunk;
  while (end > 0) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(end, 1 << 16));
    if (!ReadAt(fd, end - n, n, &chunk)) return false;
    const std::size_t nl = chunk.rfind('\n');
    if (nl != std::string::npos) {
      *start = end - n + nl + 1;
      return true;
    }
    end -= n;
  }
  *start = 0;
  return true;
}

bool WriteAll(int fd, std::string_view bytes) {
  for (std::size_t done = 0; done < bytes.size();) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

// The license repository used (the decision's own "policy" object names the policy digest, the
// date applied and each list's code, date and digest).
void AppendLicenses(std::string& out, const Licenses* licenses) {
  out += ",\"licenses\":";
  if (licenses) {
    out += "{\"digest\":";
    AppendJsonQuoted(out, licenses->digest());
    absl::StrAppend(&out, ",\"records\":", licenses->all().size(), "}");
  } else {
    out += "null";
  }
}

}  // namespace
}  // namespace internal

using internal::AuditLogImpl;
using internal::AuditRecordImpl;

AuditRecord::AuditRecord(std::unique_ptr<AuditRecordImpl> impl) : impl_(std::move(impl)) {}
AuditRecord::AuditRecord(AuditRecord&&) noexcept = default;
AuditRecord& AuditRecord::operator=(AuditRecord&&) noexcept = default;
AuditRecord::~AuditRecord() = default;

AuditLog::AuditLog(std::unique_ptr<AuditLogImpl> impl) : impl_(std::move(impl)) {}

AuditLog::~AuditLog() {
  if (impl_) Flush().IgnoreError();  // (a caller that cares calls Flush and reads the status)
}

absl::StatusOr<std::unique_ptr<AuditLog>> AuditLog::Open(const std::string& path) {
  using internal::Fail;
  auto impl = std::make_unique<AuditLogImpl>();
  impl->path = path;
  impl->fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (impl->fd < 0) return Fail("audit_unwritable", absl::StrCat(path, ": cannot be opened: ", std::strerror(errno)));
  const int fd = impl->fd;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    return Fail("audit_locked", absl::StrCat(path, ": another process is writing this log"));
  }
  struct stat st{};
  if (::fstat(fd, &st) != 0) return Fail("audit_unwritable", absl::StrCat(path, ": cannot be read"));
  const std::uint64_t size = static_cast<std::uint64_t>(st.st_size);
  auto unreadable = [&] { return Fail("audit_unwritable", absl::StrCat(path, ": cannot be read")); };
  // [0, whole) holds whole lines; [whole, size) a torn tail (a last line without its newline).
  std::uint64_t whole = size;
  std::string last;
  if (size > 0 && !internal::ReadAt(fd, size - 1, 1, &last)) return unreadable();
  if (size > 0 && last != "\n" && !internal::LineStartBefore(fd, size, &whole)) return unreadable();
  // The chain continues from the last whole line, which must hold; nothing is changed otherwise.
  if (whole > 0) {
    std::uint64_t start = 0;
    std::string line;
    if (!internal::LineStartBefore(fd, whole - 1, &start) ||
        whole - 1 - start > internal::kMaxAuditLineBytes || !internal::ReadAt(fd, start, whole - 1 - start, &line)) {
      return Fail("audit_invalid", absl::StrCat(path, ": the last line cannot be read"));
    }
    simdjson::dom::parser parser;
    internal::Parsed p;
    std::string code, why;
    if (!internal::ParseLine(parser, line, &p, &code, &why)) {
      return Fail("audit_invalid", absl::StrCat(path, ": the last line: ", why,
                                                "; run `exportctl audit verify` (nothing was appended)"));
    }
    impl->seq = p.seq;
    impl->head = p.hash;
  } else if (size > 0) {
    // No whole line: a header torn as it was written, or not a log at all (left alone).
    std::string torn;
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(size, 24));
    if (!internal::ReadAt(fd, 0, n, &torn)) return unreadable();
    if (std::string_view("{\"format\":\"exportctl-audit").substr(0, n) != torn.substr(0, 24)) {
      return Fail("audit_invalid", absl::StrCat(path, ": not an audit log (no header); nothing was appended"));
    }
  }
  if (whole < size) {
    // A torn tail: move the bytes after the last newline aside, then cut them off.
    const std::string side = absl::StrCat(path, ".torn-", internal::Now());
    const int out = ::open(side.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (out < 0) return Fail("audit_unwritable", absl::StrCat(side, ": cannot be created: ", std::strerror(errno)));
    std::string chunk;
    bool ok = true;
    for (std::uint64_t at = whole; ok && at < size; at += chunk.size()) {
      ok = internal::ReadAt(fd, at, static_cast<std::size_t>(std::min<std::uint64_t>(size - at, 1 << 20)), &chunk) &&
           internal::WriteAll(out, chunk);
    }
    ok = ok && ::fsync(out) == 0;
    ::close(out);
    if (!ok || ::ftruncate(fd, static_cast<off_t>(whole)) != 0 || ::fsync(fd) != 0) {
      return Fail("audit_unwritable", absl::StrCat(path, ": cannot move the torn tail to ", side));
    }
    impl->recovered = absl::StrCat(path, ": the last line was torn (", size - whole,
                                   " bytes without a newline); moved to ", side,
                                   "; the chain continues from the last whole line");
  }
  if (whole == 0) {
    unsigned char genesis[32];
    if (RAND_bytes(genesis, sizeof genesis) != 1) return Fail("audit_unwritable", "no random bytes for the genesis value");
    std::string header = absl::StrCat("{\"format\":\"", internal::Av(internal::kFormat), "\",\"created\":\"",
                                      internal::Now(), "\",\"genesis\":\"", internal::Hex(genesis, 32),
                                      "\",\"seq\":0");
    impl->head = internal::HashOf(header);
    absl::StrAppend(&header, internal::Av(internal::kHashKey), impl->head, "\"}\n");
    if (!internal::WriteAll(fd, header) || ::fsync(fd) != 0) {
      return Fail("audit_unwritable", absl::StrCat(path, ": cannot write the header"));
    }
  }
  if (::lseek(fd, 0, SEEK_END) < 0) return Fail("audit_unwritable", absl::StrCat(path, ": cannot seek"));
  return std::unique_ptr<AuditLog>(new AuditLog(std::move(impl)));
}

const std::optional<std::string>& AuditLog::recovered() const { return impl_->recovered; }

AuditRecord AuditLog::Begin(std::string body) {
  auto r = std::make_unique<AuditRecordImpl>();
  r->body = std::move(body);
  r->sha.Update(r->body);
  return AuditRecord(std::move(r));
}

namespace {
// {"request_sha256":...,"request":...,"decision": then `decision` appends the decision's JSON.
template <typename AppendDecision>
std::string Body(const Request& request, AppendDecision&& decision, const Licenses* licenses) {
  const std::string json = request.ToJson();
  std::string body;
  body.reserve(json.size() + 2048);
  body += "{\"request_sha256\":\"";
  body += internal::Sha256Digest(json);
  body += "\",\"request\":";
  body += json;
  body += ",\"decision\":";
  decision(body);
  internal::AppendLicenses(body, licenses);
  return body;
}
}  // namespace

AuditRecord AuditLog::Prepare(const Request& request, const Decision& decision,
                              const Licenses* licenses) const {
  return Begin(Body(request, [&](std::string& out) { decision.AppendJson(&out); }, licenses));
}

AuditRecord AuditLog::Prepare(const Request& request, std::string_view decision_json,
                              const Licenses* licenses) const {
  return Begin(Body(request, [&](std::string& out) { out += decision_json; }, licenses));
}

AuditRecord AuditLog::PrepareInvalid(std::optional<std::string_view> input,
                                     const Decision& decision, const Licenses* licenses) const {
  std::string body = "{\"request\":null,\"input_sha256\":";
  body += input ? "\"" + internal::Sha256Digest(*input) + "\"" : "null";
  body += ",\"decision\":";
  decision.AppendJson(&body);
  internal::AppendLicenses(body, licenses);
  return Begin(std::move(body));
}

absl::Status AuditLog::Commit(AuditRecord record) {
  AuditRecordImpl& r = *record.impl_;
  std::lock_guard<std::mutex> lock(impl_->mu);
  const std::string tail = absl::StrCat(",\"time\":\"", internal::Now(), "\",\"seq\":", impl_->seq + 1,
                                        ",\"prev\":\"", impl_->head, "\"");
  r.sha.Update(tail);
  const std::string hash = r.sha.Finish();
  std::string& line = r.body;  // the body becomes the line, in place
  absl::StrAppend(&line, tail, internal::Av(internal::kHashKey), hash, "\"}\n");
  impl_->pending_bytes += line.size();
  impl_->pending.push_back(std::move(line));
  ++impl_->seq;
  impl_->head = hash;
  if (impl_->pending_bytes >= internal::kFlushBytes) return impl_->WritePending();
  return absl::OkStatus();
}

absl::Status AuditLog::Append(const Request& request, const Decision& decision,
                              const Licenses* licenses) {
  return Commit(Prepare(request, decision, licenses));
}

absl::Status AuditLog::Flush() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (absl::Status st = impl_->WritePending(); !st.ok()) return st;
  if (::fsync(impl_->fd) != 0) {
    return internal::Fail("audit_unwritable", absl::StrCat(impl_->path, ": fsync failed: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

std::string AuditLog::head() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->head;
}

std::uint64_t AuditLog::last_seq() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->seq;
}

AuditVerification VerifyAuditLog(const std::string& path, std::string_view expect_head) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    AuditVerification v;
    v.code = "audit_unreadable";
    v.message = absl::StrCat(path, ": cannot be read");
    return v;
  }
  return internal::VerifyAuditStream(in, expect_head);
}

absl::StatusOr<std::vector<std::string>> AuditRecordsFor(const std::string& path,
                                                         std::string_view request_id) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return internal::Fail("audit_unreadable", absl::StrCat(path, ": cannot be read"));
  internal::LineReader reader(in);
  simdjson::dom::parser parser;
  std::vector<std::string> out;
  std::string line;
  bool torn = false, too_long = false;
  std::uint64_t number = 0;
  while (reader.Next(&line, &torn, &too_long)) {
    ++number;
    simdjson::dom::element e;
    if (too_long || parser.parse(line.data(), line.size()).get(e)) {
      if (torn) break;  // a torn tail is no record
      return internal::Fail("audit_malformed", absl::StrCat(path, ":", number, ": not a log line"));
    }
    std::string_view id;
    if (!e["request"]["id"].get(id) && id == request_id) out.push_back(line);
  }
  return out;
}

std::optional<AuditError> AuditError::FromStatus(const absl::Status& status) {
  auto code = status.GetPayload(internal::Av(internal::kPayload));
  if (status.ok() || !code) return std::nullopt;
  return AuditError{std::string(*code), std::string(status.message())};
}

}  // namespace exportctl
