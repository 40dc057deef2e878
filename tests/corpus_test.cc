// Runs every tests/corpus/**.json file. The Python tests run the same files through the
// bindings (bindings/python/tests/test_corpus.py), so the two cannot drift. Format: README.md
// in tests/corpus.
#include <simdjson.h>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "tests/test_util.h"

namespace exportctl {
namespace {

using exportctl::testing::FilesUnder;
using exportctl::testing::ReadText;
using exportctl::testing::SourceDir;
namespace dom = simdjson::dom;

std::vector<std::string> Strings(dom::element e) {
  std::vector<std::string> out;
  dom::array arr;
  if (e.get_array().get(arr)) return out;
  for (dom::element x : arr) out.emplace_back(std::string_view(x.get_string()));
  return out;
}

std::string Str(dom::object o, std::string_view key) {
  std::string_view s;
  return o[key].get_string().get(s) ? std::string() : std::string(s);
}

void RunCase(const Policy& policy, const Lists* lists, dom::object c) {
  std::string name = Str(c, "name");
  SCOPED_TRACE(name);
  std::string json;
  dom::element request;
  if (!c["request"].get(request)) {
    json = simdjson::minify(request);
  } else if (!c["request_file"].get(request)) {
    json = ReadText(SourceDir() + "/" + Str(c, "request_file"));
  } else {
    json = Str(c, "request_json");
  }
  absl::StatusOr<Request> r = Request::FromJson(json);
  std::string want_error = Str(c, "expected_request_error");
  if (!want_error.empty()) {
    ASSERT_FALSE(r.ok()) << "request should have been refused";
    EXPECT_EQ(std::string(*r.status().GetPayload("exportctl/code")), want_error)
        << r.status().message();
    std::string path = Str(c, "expected_path");
    EXPECT_TRUE(absl::StartsWith(r.status().message(), path + ": "))
        << r.status().message() << " does not start with " << path;
    return;
  }
  ASSERT_TRUE(r.ok()) << r.status();
  EvaluateOptions options;
  if (std::string as_of = Str(c, "as_of"); !as_of.empty()) options.as_of = as_of;
  options.lists = lists;
  bool no_screening = false;
  if (!c["no_screening"].get(no_screening)) options.no_screening = no_screening;
  Decision d = policy.Evaluate(*r, options);
  Verdict v;  // the fast path agrees with the full decision
  policy.Decide(*r, &v, options);
  EXPECT_EQ(v.outcome, d.outcome);
  EXPECT_EQ(v.errors, !d.errors.empty());
  std::vector<std::string> fired, reasons;
  for (std::uint32_t rule : v.rules) fired.push_back(policy.rule_id(rule));
  for (const Reason& x : d.reasons) {  // a rule over legs gives a reason per leg
    if (reasons.empty() || reasons.back() != x.rule) reasons.push_back(x.rule);
  }
  EXPECT_EQ(fired, reasons);
  dom::object want;
  ASSERT_FALSE(c["expected"].get(want)) << "case without `expected`";
  EXPECT_EQ(std::string(OutcomeName(d.outcome)), Str(want, "outcome")) << d.ToJson();
  dom::element e;
  if (!want["reasons"].get(e)) {
    std::vector<std::string> got;
    for (const Reason& x : d.reasons) got.push_back(x.rule);
    EXPECT_EQ(got, Strings(e)) << d.ToJson();
  }
  if (!want["legs"].get(e)) {  // "rule leg country" of every reason of a rule over legs
    std::vector<std::string> got;
    for (const Reason& x : d.reasons) {
      if (!x.leg.empty()) got.push_back(x.rule + " " + x.leg + " " + x.country);
    }
    EXPECT_EQ(got, Strings(e)) << d.ToJson();
  }
  if (!want["errors"].get(e)) {
    std::vector<std::string> got;
    for (const DecisionError& x : d.errors) got.push_back(x.code);
    EXPECT_EQ(got, Strings(e)) << d.ToJson();
  }
  if (!want["licenses"].get(e)) {
    std::vector<std::string> got;
    for (const LicenseRequirement& x : d.licenses_required) got.push_back(x.authority + " " + x.basis);
    EXPECT_EQ(got, Strings(e)) << d.ToJson();
  }
  if (!want["conditions"].get(e)) {
    std::vector<std::string> got;
    for (const Condition& x : d.conditions) got.push_back(x.rule);
    EXPECT_EQ(got, Strings(e)) << d.ToJson();
  }
  if (!want["screening"].get(e)) {  // "party list entry" of every match relied on
    std::vector<std::string> got;
    for (const ScreeningMatch& x : d.screening) got.push_back(x.party + " " + x.list + " " + x.entry);
    EXPECT_EQ(got, Strings(e)) << d.ToJson();
  }
}

TEST(Corpus, AllFiles) {
  auto files = FilesUnder("tests/corpus", ".json");
  ASSERT_GE(files.size(), 4u);
  for (auto& f : FilesUnder("rules/examples/expected", ".json")) files.push_back(f);
  size_t cases = 0;
  for (const auto& path : files) {
    SCOPED_TRACE(path.string());
    dom::parser parser;
    dom::object doc;
    ASSERT_FALSE(parser.load(path.string()).get(doc)) << "not a JSON object";
    std::vector<SourceFile> sources;
    std::vector<std::string> dirs;  // "rules_dir": one directory or a list of them
    if (std::string dir = Str(doc, "rules_dir"); !dir.empty()) dirs.push_back(dir);
    dom::element dir_list;
    if (!doc["rules_dir"].get(dir_list) && dir_list.is_array()) dirs = Strings(dir_list);
    for (std::string& d : dirs) d = SourceDir() + "/" + d;
    dom::object inline_rules;
    if (!doc["rules"].get(inline_rules)) {
      for (auto kv : inline_rules) {
        sources.push_back({std::string(kv.key), std::string(std::string_view(kv.value.get_string()))});
      }
    }
    std::vector<Diagnostic> diagnostics;
    absl::StatusOr<Policy> policy = dirs.empty() ? Policy::CompileSources(sources, &diagnostics)
                                                 : Policy::Compile(dirs, &diagnostics);
    dom::element want_diagnostics;
    if (!doc["expected_diagnostics"].get(want_diagnostics)) {
      std::vector<std::string> got;
      for (const Diagnostic& d : diagnostics) got.push_back((d.is_error() ? "error:" : "warning:") + d.code);
      EXPECT_EQ(got, Strings(want_diagnostics));
      ++cases;
      if (!policy.ok()) continue;
    }
    ASSERT_TRUE(policy.ok()) << policy.status() << (diagnostics.empty() ? "" : "\n" + diagnostics[0].Format());
    std::optional<Lists> lists;  // "lists": repo-relative list paths (PATH@DATE allowed)
    dom::element list_paths;
    if (!doc["lists"].get(list_paths)) {
      std::vector<std::string> paths = Strings(list_paths);
      for (std::string& p : paths) p = SourceDir() + "/" + p;
      absl::StatusOr<Lists> loaded = Lists::Load(paths);
      ASSERT_TRUE(loaded.ok()) << loaded.status();
      lists = *std::move(loaded);
    }
    dom::array list;
    if (doc["cases"].get(list)) continue;
    for (dom::element c : list) {
      RunCase(*policy, lists ? &*lists : nullptr, c.get_object());
      ++cases;
    }
  }
  EXPECT_GE(cases, 20u);
}

}  // namespace
}  // namespace exportctl

namespace exportctl {
namespace {

// Decoding into a reused Request gives what a fresh decode gives, whatever came before
// (including a request that failed half-way).
TEST(Request, DecodeIntoReusedRequest) {
  std::vector<std::string> lines;
  for (const auto& f : FilesUnder("rules/examples", ".json")) {
    if (f.parent_path().filename() != "examples") continue;
    lines.push_back(ReadText(f));
  }
  ASSERT_GE(lines.size(), 30u);
  lines.push_back(R"({"id":"x","date":"2026-11-25","route":["US","DE"],"materials":[{"id":"m","quantity":"bad"}]})");
  lines.push_back(R"({"id":"y","date":"2026-11-25","route":["US","DE"],"materials":[{"id":"m"}],"data":null})");
  // Every field, then objects present with every optional field absent, then null.
  lines.push_back(R"({"id":"f","date":"2026-11-25","route":["US","NL","DE"],
    "exporter":{"name":"E","country":"US"},
    "end_user":{"name":"N","country":"DE","type":"hospital","end_use":"u","address":"a"},
    "parties":[{"role":"consignee","name":"P","country":"NL"},{"role":"freight_forwarder"}],
    "materials":[{"id":"m1","description":"d","category":"pathogen","origin":"US","eccn":"1C351",
      "eu_dual_use":"1C351","un_number":"UN2814","quantity":1,"dry_ice_kg":2,"unit":"mL",
      "temperature":"frozen"},{"id":"m2"}],
    "data":{"personal_data":true,"categories":["health"],"deidentification":"none",
      "transfer_mechanism":"scc","encrypted":false},
    "licenses":["L1"]})");
  lines.push_back(R"({"id":"s","date":"2026-11-25","route":["US","DE"],"exporter":{},"end_user":{},
    "parties":[{"role":"consignee"}],"materials":[{"id":"m1"}],"data":{},"licenses":[]})");
  lines.push_back(R"({"id":"n","date":"2026-11-25","route":["US","DE"],"exporter":null,
    "end_user":null,"parties":null,"materials":[{"id":"m1","eccn":null}],"data":null,
    "licenses":null})");
  for (const std::string& before : lines) {  // every ordered pair of lines
    for (const std::string& json : lines) {
      Request reused;
      (void)Request::FromJson(before, &reused);
      absl::StatusOr<Request> fresh = Request::FromJson(json);
      absl::Status st = Request::FromJson(json, &reused);
      ASSERT_EQ(st.ok(), fresh.ok()) << json;
      // ToJson is the request again: decoding it gives the same request.
      if (st.ok()) EXPECT_EQ(Request::FromJson(fresh->ToJson())->ToJson(), fresh->ToJson());
      if (st.ok()) EXPECT_EQ(reused.ToJson(), fresh->ToJson()) << before << "\nthen " << json;
    }
  }
}

}  // namespace
}  // namespace exportctl
