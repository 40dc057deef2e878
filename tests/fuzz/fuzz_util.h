#ifndef EXPORTCTL_TESTS_FUZZ_FUZZ_UTIL_H_
#define EXPORTCTL_TESTS_FUZZ_FUZZ_UTIL_H_

// What the fuzz targets share: the repository's data, loaded once per process, and the checks of
// the invariants the engine promises. A broken invariant aborts, which libFuzzer reports as a
// crash (and the replay build as a failed test), with the message on stderr.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "exportctl/exportctl.h"

namespace exportctl::fuzz {

#define FUZZ_CHECK(cond, what)                                                         \
  do {                                                                                 \
    if (!(cond)) ::exportctl::fuzz::Fail(__FILE__, __LINE__, #cond, (what));           \
  } while (0)

[[noreturn]] inline void Fail(const char* file, int line, const char* cond, std::string_view what) {
  std::fprintf(stderr, "%s:%d: invariant broken: %s\n  %.*s\n", file, line, cond,
               static_cast<int>(what.size()), what.data());
  std::abort();
}

inline std::string SourceDir() { return EXPORTCTL_SOURCE_DIR; }

inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Setup failures are not findings: they mean the checkout is not where the binary expects it.
[[noreturn]] inline void SetupFailed(std::string_view what) {
  std::fprintf(stderr, "fuzz setup failed: %.*s\n", static_cast<int>(what.size()), what.data());
  std::exit(2);
}

// The standard packs as the CLI bundles them: every pack under rules/ but the examples.
inline const Policy& StandardPolicy() {
  static const Policy* policy = [] {
    std::vector<std::string> packs;
    for (const auto& e : std::filesystem::directory_iterator(SourceDir() + "/rules")) {
      if (e.is_directory() && e.path().filename() != "examples") packs.push_back(e.path());
    }
    std::sort(packs.begin(), packs.end());
    absl::StatusOr<Policy> p = Policy::Compile(packs);
    if (!p.ok()) SetupFailed(p.status().ToString());
    return new Policy(*std::move(p));
  }();
  return *policy;
}

// The small example pack (rules/examples/pack): fast to evaluate, so more requests per second.
inline const Policy& ExamplePolicy() {
  static const Policy* policy = [] {
    absl::StatusOr<Policy> p = Policy::Compile({SourceDir() + "/rules/examples/pack"});
    if (!p.ok()) SetupFailed(p.status().ToString());
    return new Policy(*std::move(p));
  }();
  return *policy;
}

// Small restricted-party lists of every format (the bundled SDN file is 3.7 MB: loading it in
// every fuzzing process would cost seconds and the matcher is the same on small lists).
inline const Lists& SmallLists() {
  static const Lists* lists = [] {
    absl::StatusOr<Lists> l = Lists::Load({SourceDir() + "/tests/data/lists",
                                           SourceDir() + "/lists/csl-examples.json",
                                           SourceDir() + "/lists/eu-examples.xml"});
    if (!l.ok()) SetupFailed(l.status().ToString());
    return new Lists(*std::move(l));
  }();
  return *lists;
}

inline const Licenses& ExampleLicenses() {
  static const Licenses* licenses = [] {
    absl::StatusOr<Licenses> l =
        Licenses::Load(SourceDir() + "/rules/examples/licenses/licenses.jsonl");
    if (!l.ok()) SetupFailed(l.status().ToString());
    return new Licenses(*std::move(l));
  }();
  return *licenses;
}

// Every example shipment under rules/examples that decodes as a request, in path order.
inline const std::vector<Request>& ExampleShipments() {
  static const std::vector<Request>* shipments = [] {
    std::vector<std::filesystem::path> paths;
    for (const auto& e :
         std::filesystem::recursive_directory_iterator(SourceDir() + "/rules/examples")) {
      if (e.is_regular_file() && e.path().extension() == ".json") paths.push_back(e.path());
    }
    std::sort(paths.begin(), paths.end());
    auto* out = new std::vector<Request>;
    for (const auto& p : paths) {
      if (absl::StatusOr<Request> r = Request::FromJson(ReadFile(p)); r.ok()) {
        out->push_back(*std::move(r));
      }
    }
    if (out->size() < 100) SetupFailed("fewer than 100 example shipments decode");
    return out;
  }();
  return *shipments;
}

inline bool IsValidJson(const std::string& text) {
  static thread_local simdjson::dom::parser parser;
  return !parser.parse(text).error();
}

// The promises of Evaluate and Decide (exportctl.h, decision.h), checked on one request:
//   - the outcome is one of the five;
//   - a decision with errors failed closed: at least `review` (so never `permitted`);
//   - the shipment's outcome is at least each item's;
//   - Decide gives Evaluate's outcome and says whether there were errors;
//   - evaluating into a reused Decision gives the same decision as a fresh one;
//   - the JSON is valid JSON, and the text rendering does not fail.
inline void CheckDecision(const Policy& policy, const Request& request,
                          const EvaluateOptions& options) {
  const Decision d = policy.Evaluate(request, options);
  const std::string json = d.ToJson();
  FUZZ_CHECK(d.outcome >= Outcome::kPermitted && d.outcome <= Outcome::kProhibited, json);
  if (!d.errors.empty()) FUZZ_CHECK(d.outcome >= Outcome::kReview, json);
  for (const ItemDecision& item : d.items) FUZZ_CHECK(d.outcome >= item.outcome, json);
  FUZZ_CHECK(IsValidJson(json), json);
  (void)d.ToText();

  static thread_local Verdict verdict;
  policy.Decide(request, &verdict, options);
  FUZZ_CHECK(verdict.outcome == d.outcome,
             std::string(OutcomeName(verdict.outcome)) + " from Decide; Evaluate: " + json);
  FUZZ_CHECK(verdict.errors == !d.errors.empty(), json);
  for (std::uint32_t rule : verdict.rules) FUZZ_CHECK(rule < policy.rule_count(), json);

  static thread_local Decision reused;
  policy.Evaluate(request, &reused, options);
  const std::string again = reused.ToJson();
  FUZZ_CHECK(again == json, "fresh: " + json + "\nreused: " + again);
}

}  // namespace exportctl::fuzz

#endif  // EXPORTCTL_TESTS_FUZZ_FUZZ_UTIL_H_
