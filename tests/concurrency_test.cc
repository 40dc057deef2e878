// One compiled Policy, one Lists and one Licenses shared by several threads (exportctl.h: a
// `const Policy` serves any number of threads; Lists and Licenses are immutable after Load):
// every thread's decisions equal the single-threaded ones, and they all write one audit log,
// which verifies. scripts/sanitize.sh tsan runs this under ThreadSanitizer, where a data race
// fails it even when the answers come out right.
#include <algorithm>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "exportctl/audit.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace exportctl {
namespace {

using exportctl::testing::FilesUnder;
using exportctl::testing::ReadText;
using exportctl::testing::SourceDir;

// The standard packs, as the CLI bundles them: every pack under rules/ but the examples.
Policy StandardPacks() {
  std::vector<std::string> packs;
  for (const auto& e : std::filesystem::directory_iterator(SourceDir() + "/rules")) {
    if (e.is_directory() && e.path().filename() != "examples") packs.push_back(e.path().string());
  }
  std::sort(packs.begin(), packs.end());
  absl::StatusOr<Policy> p = Policy::Compile(packs);
  EXPECT_TRUE(p.ok()) << p.status();
  return *std::move(p);
}

struct Expected {
  std::string json;
  Outcome outcome;
  std::vector<std::uint32_t> rules;
};

TEST(Concurrency, ThreadsShareOnePolicyWithListsAndLicenses) {
  const Policy policy = StandardPacks();
  absl::StatusOr<Lists> lists = Lists::Load({SourceDir() + "/lists"});
  ASSERT_TRUE(lists.ok()) << lists.status();
  absl::StatusOr<Licenses> licenses =
      Licenses::Load(SourceDir() + "/rules/examples/licenses/licenses.jsonl");
  ASSERT_TRUE(licenses.ok()) << licenses.status();
  EvaluateOptions options;
  options.lists = &*lists;
  options.licenses = &*licenses;

  // Every example shipment as written, and again naming every license of the repository, so
  // the license checks run on each.
  std::vector<std::string> ids;
  for (const License& l : licenses->all()) ids.push_back(l.id);
  std::vector<Request> requests;
  for (const auto& path : FilesUnder("rules/examples", ".json")) {
    absl::StatusOr<Request> r = Request::FromJson(ReadText(path));
    if (!r.ok()) continue;  // rules/examples/expected/ holds decisions, not requests
    requests.push_back(*r);
    r->licenses = ids;
    requests.push_back(*std::move(r));
  }
  ASSERT_GE(requests.size(), 200u);

  std::vector<Expected> expected;
  size_t licensed = 0;
  for (const Request& r : requests) {
    const Decision d = policy.Evaluate(r, options);
    Verdict v;
    policy.Decide(r, &v, options);
    expected.push_back({d.ToJson(), v.outcome, v.rules});
    licensed += !d.licenses_used.empty();
  }
  EXPECT_GE(licensed, 1u) << "no decision used a license: the test would not exercise them";

  // ... and every thread records its decisions in one audit log.
  const std::string log_path =
      (std::filesystem::path(::testing::TempDir()) / "concurrency_audit.jsonl").string();
  std::filesystem::remove(log_path);
  absl::StatusOr<std::unique_ptr<AuditLog>> log = AuditLog::Open(log_path);
  ASSERT_TRUE(log.ok()) << log.status();
  std::vector<int> log_errors(4, 0);

  constexpr int kThreads = 4;
  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::string> first_mismatch(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Decision reused;  // each thread reuses its own, as the batch path does
      Verdict verdict;
      for (int round = 0; round < 2; ++round) {
        // Each thread walks the requests from its own starting point, so different threads
        // evaluate different requests at the same moment.
        for (size_t k = 0; k < requests.size(); ++k) {
          const size_t i = (k + t * requests.size() / kThreads) % requests.size();
          const std::string fresh = policy.Evaluate(requests[i], options).ToJson();
          policy.Evaluate(requests[i], &reused, options);
          policy.Decide(requests[i], &verdict, options);
          if (!(*log)->Append(requests[i], reused, options.licenses).ok()) ++log_errors[t];
          if (k % 64 == 0 && !(*log)->Flush().ok()) ++log_errors[t];
          if (fresh != expected[i].json || reused.ToJson() != expected[i].json ||
              verdict.outcome != expected[i].outcome || verdict.rules != expected[i].rules) {
            if (mismatches[t]++ == 0) first_mismatch[t] = requests[i].id;
          }
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(mismatches[t], 0) << "thread " << t << ", first at request " << first_mismatch[t];
    EXPECT_EQ(log_errors[t], 0) << "thread " << t;
  }
  ASSERT_TRUE((*log)->Flush().ok());
  const AuditVerification v = VerifyAuditLog(log_path, (*log)->head());
  EXPECT_TRUE(v.ok) << v.message;
  EXPECT_EQ(v.records, 2u * kThreads * requests.size());
}

}  // namespace
}  // namespace exportctl
