// The tamper-evident decision log (exportctl/audit.h): the chain, every kind of tampering
// VerifyAuditLog names, torn tails, reopening, the lock, and writers on several threads.

#include "exportctl/audit.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "exportctl/exportctl.h"
#include "src/screening/lists.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace exportctl {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const Policy& Pack() {
  static const Policy* p = [] {
    absl::StatusOr<Policy> c = Policy::CompileSources({{"audit.ecr", R"ecr(package audit
rule cb2 {
  cite "x"
  for each material m
  when m.eccn? matches "1C351*"
  then license_required authority "BIS" basis "CB2"
}
)ecr"}});
    if (!c.ok()) std::abort();
    return new Policy(*std::move(c));
  }();
  return *p;
}

Request Shipment(int i) {
  Request r;
  r.id = absl::StrCat("S", i);
  r.date = "2026-06-01";
  r.route = {"US", "BR"};
  Material m;
  m.id = "m1";
  m.eccn = i % 2 ? "1C351.a.34" : "EAR99";
  r.materials.push_back(m);
  return r;
}

// A fresh path in the test's temporary directory.
std::string TempLog(const std::string& name) {
  const fs::path dir = fs::path(::testing::TempDir()) / absl::StrCat("audit_", ::getpid());
  fs::create_directories(dir);
  const fs::path p = dir / name;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string().rfind(name, 0) == 0) fs::remove(e.path());
  }
  return p.string();
}

// Writes `n` records to a new log at `path`; returns the head.
std::string Write(const std::string& path, int n, int first = 0) {
  absl::StatusOr<std::unique_ptr<AuditLog>> log = AuditLog::Open(path);
  EXPECT_TRUE(log.ok()) << log.status();
  for (int i = first; i < first + n; ++i) {
    const Request r = Shipment(i);
    EXPECT_TRUE((*log)->Append(r, Pack().Evaluate(r)).ok());
  }
  EXPECT_TRUE((*log)->Flush().ok());
  return (*log)->head();
}

std::vector<std::string> Lines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  std::vector<std::string> lines = absl::StrSplit(text.str(), '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

void Rewrite(const std::string& path, const std::vector<std::string>& lines, bool newline_at_end = true) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    out << lines[i];
    if (i + 1 < lines.size() || newline_at_end) out << "\n";
  }
}

// A line edited and its own hash recomputed, as a forger with the format would.
std::string Rehash(std::string line) {
  const std::size_t at = line.rfind(",\"hash\":\"");
  const std::string hashed = line.substr(0, at);
  return absl::StrCat(hashed, ",\"hash\":\"", internal::Sha256Digest(hashed), "\"}");
}

TEST(AuditTest, AppendsAChainThatVerifies) {
  const std::string path = TempLog("ok.jsonl");
  const std::string head = Write(path, 5);
  const AuditVerification v = VerifyAuditLog(path);
  EXPECT_TRUE(v.ok) << v.message;
  EXPECT_EQ(v.records, 5u);
  EXPECT_EQ(v.head, head);
  EXPECT_TRUE(VerifyAuditLog(path, head).ok);
  const std::vector<std::string> lines = Lines(path);
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_THAT(lines[0], HasSubstr(R"("format":"exportctl-audit/1")"));
  EXPECT_THAT(lines[0], HasSubstr(R"("genesis":")"));
  // A record: the request as decoded and its digest, the decision, the digests, the chain.
  const Request r = Shipment(0);
  EXPECT_THAT(lines[1], HasSubstr(absl::StrCat(R"("request_sha256":")", internal::Sha256Digest(r.ToJson()))));
  EXPECT_THAT(lines[1], HasSubstr(absl::StrCat(R"("request":)", r.ToJson(), R"(,"decision":{"request":"S0")")));
  EXPECT_THAT(lines[1], HasSubstr(absl::StrCat(R"("policy":{"digest":")", Pack().digest())));
  EXPECT_THAT(lines[1], HasSubstr(R"("licenses":null,"time":")"));
  EXPECT_THAT(lines[1], HasSubstr(R"(,"seq":1,"prev":"sha256:)"));
  // Reopened, the chain goes on.
  const std::string head2 = Write(path, 3, 5);
  const AuditVerification w = VerifyAuditLog(path, head2);
  EXPECT_TRUE(w.ok) << w.message;
  EXPECT_EQ(w.records, 8u);
  // Lines cut off the end: a valid shorter log, caught only against the head kept elsewhere.
  std::vector<std::string> lines2 = Lines(path);
  lines2.pop_back();
  Rewrite(path, lines2);
  EXPECT_TRUE(VerifyAuditLog(path).ok);
  const AuditVerification cut = VerifyAuditLog(path, head2);
  EXPECT_FALSE(cut.ok);
  EXPECT_EQ(cut.code, "audit_head_mismatch");
}

struct Tamper {
  std::string name;
  std::function<void(std::vector<std::string>&)> edit;
  std::string code;
  std::uint64_t line;
};

TEST(AuditTest, EachKindOfTamperingIsNamedWithItsLine) {
  const std::vector<Tamper> cases = {
      {"a byte edited", [](auto& l) { l[3].replace(l[3].find("\"S2\""), 4, "\"S9\""); }, "audit_edited", 4},
      {"a line deleted", [](auto& l) { l.erase(l.begin() + 3); }, "audit_deleted", 4},
      {"two lines swapped", [](auto& l) { std::swap(l[2], l[3]); }, "audit_reordered", 3},
      {"a line repeated", [](auto& l) { l.insert(l.begin() + 3, l[2]); }, "audit_inserted", 4},
      {"edited and re-hashed",
       [](auto& l) { l[3] = Rehash(l[3].replace(l[3].find("\"S2\""), 4, "\"S9\"")); }, "audit_inserted", 5},
      {"a line moved to the end", [](auto& l) { l.push_back(l[2]); l.erase(l.begin() + 2); }, "audit_reordered", 3},
      {"the header gone", [](auto& l) { l.erase(l.begin()); }, "audit_malformed", 1},
      {"a second header", [](auto& l) { l.insert(l.begin() + 2, l[0]); }, "audit_inserted", 3},
      {"not JSON", [](auto& l) { l[2] = "{\"seq\": 2"; }, "audit_malformed", 3},
  };
  for (const Tamper& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string path = TempLog("tamper.jsonl");
    Write(path, 5);
    std::vector<std::string> lines = Lines(path);
    c.edit(lines);
    Rewrite(path, lines);
    const AuditVerification v = VerifyAuditLog(path);
    EXPECT_FALSE(v.ok);
    EXPECT_EQ(v.code, c.code) << v.message;
    EXPECT_EQ(v.line, c.line) << v.message;
  }
  const AuditVerification missing = VerifyAuditLog(TempLog("missing.jsonl"));
  EXPECT_EQ(missing.code, "audit_unreadable");
}

TEST(AuditTest, ATornTailIsReportedThenMovedAsideByTheNextWriter) {
  const std::string path = TempLog("torn.jsonl");
  Write(path, 4);
  std::vector<std::string> lines = Lines(path);
  const std::string torn = lines.back().substr(0, lines.back().size() / 2);
  lines.back() = torn;
  Rewrite(path, lines, /*newline_at_end=*/false);
  const AuditVerification v = VerifyAuditLog(path);
  EXPECT_EQ(v.code, "audit_torn_tail");
  EXPECT_EQ(v.line, 5u);

  absl::StatusOr<std::unique_ptr<AuditLog>> log = AuditLog::Open(path);
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_TRUE((*log)->recovered().has_value());
  EXPECT_THAT(*(*log)->recovered(), HasSubstr("moved to"));
  EXPECT_EQ((*log)->last_seq(), 3u);  // the chain continues from the last whole line
  const Request r = Shipment(7);
  ASSERT_TRUE((*log)->Append(r, Pack().Evaluate(r)).ok());
  ASSERT_TRUE((*log)->Flush().ok());
  const std::string head = (*log)->head();
  log->reset();
  const AuditVerification after = VerifyAuditLog(path, head);
  EXPECT_TRUE(after.ok) << after.message;
  EXPECT_EQ(after.records, 4u);
  // The torn bytes are kept, whole, in the side file.
  int sides = 0;
  for (const auto& e : fs::directory_iterator(fs::path(path).parent_path())) {
    const std::string name = e.path().filename().string();
    if (name.rfind("torn.jsonl.torn-", 0) != 0) continue;
    ++sides;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str(), torn);
  }
  EXPECT_EQ(sides, 1);
}

TEST(AuditTest, OpenRefusesALogItCannotContinueAndASecondWriter) {
  const std::string path = TempLog("refuse.jsonl");
  Write(path, 2);
  {
    absl::StatusOr<std::unique_ptr<AuditLog>> first = AuditLog::Open(path);
    ASSERT_TRUE(first.ok());
    absl::StatusOr<std::unique_ptr<AuditLog>> second = AuditLog::Open(path);
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(AuditError::FromStatus(second.status())->code, "audit_locked");
  }
  std::vector<std::string> lines = Lines(path);
  lines.back().replace(lines.back().find("\"S1\""), 4, "\"S8\"");
  Rewrite(path, lines);
  absl::StatusOr<std::unique_ptr<AuditLog>> edited = AuditLog::Open(path);
  ASSERT_FALSE(edited.ok());
  EXPECT_EQ(AuditError::FromStatus(edited.status())->code, "audit_invalid");
  EXPECT_THAT(edited.status().message(), HasSubstr("audit verify"));
  EXPECT_EQ(Lines(path), lines);  // nothing appended, nothing rewritten
  // A file that is no log, with or without a torn tail, is refused and left as it was.
  for (const std::string text : {"some notes", "some notes\nmore", "{\"seq\":1}\n{\"se"}) {
    const std::string other = TempLog("other.txt");
    { std::ofstream(other, std::ios::binary) << text; }
    absl::StatusOr<std::unique_ptr<AuditLog>> no_log = AuditLog::Open(other);
    ASSERT_FALSE(no_log.ok()) << text;
    EXPECT_EQ(AuditError::FromStatus(no_log.status())->code, "audit_invalid");
    std::ifstream in(other, std::ios::binary);
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), text);
  }
  absl::StatusOr<std::unique_ptr<AuditLog>> dir = AuditLog::Open(::testing::TempDir());
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(AuditError::FromStatus(dir.status())->code, "audit_unwritable");
}

TEST(AuditTest, WritersOnSeveralThreadsNeverInterleave) {
  const std::string path = TempLog("threads.jsonl");
  absl::StatusOr<std::unique_ptr<AuditLog>> log = AuditLog::Open(path);
  ASSERT_TRUE(log.ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        const Request r = Shipment(t * 1000 + i);
        ASSERT_TRUE((*log)->Append(r, Pack().Evaluate(r)).ok());
        if (i % 50 == 0) ASSERT_TRUE((*log)->Flush().ok());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  ASSERT_TRUE((*log)->Flush().ok());
  const AuditVerification v = VerifyAuditLog(path, (*log)->head());
  EXPECT_TRUE(v.ok) << v.message;
  EXPECT_EQ(v.records, 1200u);
}

TEST(AuditTest, PreparedInAnyOrderCommittedInOrderAndShownByRequest) {
  const std::string path = TempLog("prepared.jsonl");
  absl::StatusOr<std::unique_ptr<AuditLog>> log = AuditLog::Open(path);
  ASSERT_TRUE(log.ok());
  const Request a = Shipment(1), b = Shipment(2);
  AuditRecord rb = (*log)->Prepare(b, Pack().Evaluate(b));
  AuditRecord ra = (*log)->Prepare(a, Pack().Evaluate(a));
  Decision bad;
  bad.outcome = Outcome::kReview;
  AuditRecord rc = (*log)->PrepareInvalid("{not json", bad);
  ASSERT_TRUE((*log)->Commit(std::move(ra)).ok());
  ASSERT_TRUE((*log)->Commit(std::move(rb)).ok());
  ASSERT_TRUE((*log)->Commit(std::move(rc)).ok());
  ASSERT_TRUE((*log)->Append(a, Pack().Evaluate(a)).ok());
  ASSERT_TRUE((*log)->Flush().ok());
  EXPECT_TRUE(VerifyAuditLog(path).ok);
  const std::vector<std::string> lines = Lines(path);
  EXPECT_THAT(lines[1], HasSubstr(R"("request":{"id":"S1")"));
  EXPECT_THAT(lines[2], HasSubstr(R"("request":{"id":"S2")"));
  EXPECT_THAT(lines[3], HasSubstr(absl::StrCat(R"("request":null,"input_sha256":")",
                                               internal::Sha256Digest("{not json"))));
  absl::StatusOr<std::vector<std::string>> s1 = AuditRecordsFor(path, "S1");
  ASSERT_TRUE(s1.ok());
  ASSERT_EQ(s1->size(), 2u);
  EXPECT_THAT((*s1)[1], HasSubstr(R"("seq":4)"));
  EXPECT_TRUE(AuditRecordsFor(path, "nope")->empty());
}

}  // namespace
}  // namespace exportctl
