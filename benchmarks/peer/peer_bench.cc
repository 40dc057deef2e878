// The peer workload (../shared/bench/README.md), measured the way the peers were: requests
// decoded before timing, 10,000 warm-up calls, one timed pass over all 100k on one thread, then
// a latency pass over the first 20,000 calls timed one by one. Beside exportctl, the same policy
// hand-written in plain C++ (hash sets, no engine) as the floor.
//
//   peer_bench WORKLOAD_DIR    (written by benchmarks/peer/workload.py; see run_peer.sh)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "exportctl/exportctl.h"

namespace {

using Clock = std::chrono::steady_clock;
using exportctl::Outcome;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::vector<std::string> Lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The floor: the peer policy over the same decoded requests, with hash sets and nothing else.
class Floor {
 public:
  explicit Floor(const std::vector<std::string>& denied) : denied_(denied.begin(), denied.end()) {}

  Outcome Decide(const exportctl::Request& r) const {
    const std::string& dest = r.route.back();
    if (embargo_.contains(dest)) return Outcome::kProhibited;
    if (r.end_user && r.end_user->name && denied_.contains(*r.end_user->name)) {
      return Outcome::kProhibited;
    }
    const exportctl::Material& m = r.materials[0];
    if (m.eccn && controlled_.contains(*m.eccn) && !australia_group_.contains(dest)) {
      return Outcome::kLicenseRequired;
    }
    return Outcome::kPermitted;
  }

 private:
  absl::flat_hash_set<std::string> embargo_{"CU", "IR", "KP", "SY"};
  absl::flat_hash_set<std::string> controlled_{"1C351", "1C352", "1C353", "1C354"};
  absl::flat_hash_set<std::string> australia_group_{
      "AR", "AU", "AT", "BE", "BG", "CA", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE",
      "GR", "HU", "IS", "IN", "IE", "IT", "JP", "LV", "LT", "LU", "MT", "MX", "NL", "NZ",
      "NO", "PL", "PT", "KR", "RO", "SK", "SI", "ES", "SE", "CH", "TR", "UA", "GB", "US"};
  absl::flat_hash_set<std::string> denied_;
};

struct Row {
  std::string engine;
  double evals_per_s = 0, p50_us = 0, p99_us = 0, load_ms = 0;
  int counts[5] = {};
};

Row Measure(const std::string& engine, double load_ms,
            const std::vector<exportctl::Request>& requests,
            const std::function<Outcome(const exportctl::Request&)>& decide) {
  Row row;
  row.engine = engine;
  row.load_ms = load_ms;
  for (size_t i = 0; i < 10000; ++i) decide(requests[i % requests.size()]);
  auto start = Clock::now();
  for (const auto& r : requests) ++row.counts[static_cast<int>(decide(r))];
  row.evals_per_s = requests.size() / Seconds(Clock::now() - start);
  std::vector<double> lat;
  for (size_t i = 0; i < 20000 && i < requests.size(); ++i) {
    auto t0 = Clock::now();
    decide(requests[i]);
    lat.push_back(Seconds(Clock::now() - t0) * 1e6);
  }
  std::sort(lat.begin(), lat.end());
  row.p50_us = lat[lat.size() / 2];
  row.p99_us = lat[lat.size() * 99 / 100];
  return row;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: peer_bench WORKLOAD_DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  std::vector<exportctl::Request> requests;
  for (const std::string& line : Lines(dir + "/shipments.jsonl")) {
    auto r = exportctl::Request::FromJson(line);
    if (!r.ok()) {
      std::fprintf(stderr, "bad request: %s\n", std::string(r.status().message()).c_str());
      return 1;
    }
    requests.push_back(*std::move(r));
  }

  // Load: parse, check and plan the policy file (median of 5).
  std::vector<double> loads;
  absl::StatusOr<exportctl::Policy> policy;
  for (int i = 0; i < 5; ++i) {
    auto t0 = Clock::now();
    policy = exportctl::Policy::Compile({dir + "/policy.ecr"});
    loads.push_back(Seconds(Clock::now() - t0) * 1e3);
  }
  if (!policy.ok()) {
    std::fprintf(stderr, "policy: %s\n", std::string(policy.status().message()).c_str());
    return 1;
  }
  std::sort(loads.begin(), loads.end());

  auto t0 = Clock::now();
  Floor floor(Lines(dir + "/denied.txt"));
  const double floor_load = Seconds(Clock::now() - t0) * 1e3;

  exportctl::Verdict verdict;
  std::vector<Row> rows = {
      Measure("exportctl Decide (verdict)", loads[2], requests,
              [&](const exportctl::Request& r) {
                policy->Decide(r, &verdict);
                return verdict.outcome;
              }),
      Measure("exportctl Evaluate (full decision)", loads[2], requests,
              [&](const exportctl::Request& r) { return policy->Evaluate(r).outcome; }),
      Measure("plain C++ floor (hash sets)", floor_load, requests,
              [&](const exportctl::Request& r) { return floor.Decide(r); }),
  };

  std::printf("%-36s %12s %9s %9s %9s %8s %8s %8s\n", "engine", "evals/s", "p50 us", "p99 us",
              "load ms", "permit", "license", "deny");
  bool ok = true;
  for (const Row& r : rows) {
    std::printf("%-36s %12.0f %9.3f %9.3f %9.2f %8d %8d %8d\n", r.engine.c_str(), r.evals_per_s,
                r.p50_us, r.p99_us, r.load_ms, r.counts[0], r.counts[2], r.counts[4]);
    ok = ok && r.counts[0] == 71645 && r.counts[2] == 15566 && r.counts[4] == 12789;
  }
  std::printf("expected counts: permit 71645, license_required 15566, deny 12789: %s\n",
              ok ? "match" : "MISMATCH");
  return ok ? 0 : 1;
}
