// Whole-decision golden files: every example shipment (rules/examples/*.json) decided by the
// standard packs, every part of the decision (items, reasons, licenses, conditions, errors), in
// tests/golden/decisions/NAME.json. Any change to any decision shows up in review.
// EXPORTCTL_UPDATE_GOLDEN=1 rewrites them. The policy digest is replaced by "sha256:<policy>"
// so that editing a rule's text without changing a decision changes no golden file. Parties are
// screened against the bundled lists (lists/), whose dates and digests the files show.
// bindings/python/tests/test_golden_decisions.py compares the same files through Python.
#include <filesystem>

#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace exportctl {
namespace {

using exportctl::testing::ExpectGolden;
using exportctl::testing::FilesUnder;
using exportctl::testing::ReadText;
using exportctl::testing::SourceDir;

// Indents one line of JSON, one key or element a line (strings are copied as they are).
std::string Pretty(std::string_view json) {
  std::string out;
  int depth = 0;
  bool in_string = false;
  auto newline = [&] {
    out += '\n';
    out.append(2 * depth, ' ');
  };
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      out += c;
      if (c == '\\') out += json[++i];
      if (c == '"') in_string = false;
      continue;
    }
    const bool empty = (c == '{' || c == '[') && i + 1 < json.size() &&
                       (json[i + 1] == '}' || json[i + 1] == ']');
    switch (c) {
      case '"': in_string = true; out += c; break;
      case '{':
      case '[':
        out += c;
        if (empty) {
          out += json[++i];
        } else {
          ++depth;
          newline();
        }
        break;
      case '}':
      case ']':
        --depth;
        newline();
        out += c;
        break;
      case ',': out += c; newline(); break;
      case ':': out += ": "; break;
      default: out += c; break;
    }
  }
  return out + "\n";
}

// The standard packs, as the CLI bundles them: every pack under rules/ but the examples.
Policy StandardPacks() {
  std::vector<std::string> packs;
  for (const auto& e : std::filesystem::directory_iterator(SourceDir() + "/rules")) {
    if (e.is_directory() && e.path().filename() != "examples") packs.push_back(e.path().string());
  }
  std::sort(packs.begin(), packs.end());
  std::vector<Diagnostic> diagnostics;
  absl::StatusOr<Policy> p = Policy::Compile(packs, &diagnostics);
  EXPECT_TRUE(p.ok()) << p.status();
  return *std::move(p);
}

TEST(GoldenDecisions, EveryExampleShipment) {
  const Policy policy = StandardPacks();
  // The bundled lists, as the CLI screens against them by default.
  absl::StatusOr<Lists> lists = Lists::Load({SourceDir() + "/lists"});
  ASSERT_TRUE(lists.ok()) << lists.status();
  EvaluateOptions options;
  options.lists = &*lists;
  const std::filesystem::path dir = SourceDir() + "/tests/golden/decisions";
  std::filesystem::create_directories(dir);
  size_t n = 0;
  for (const auto& path : FilesUnder("rules/examples", ".json")) {
    if (path.parent_path().filename() != "examples") continue;
    SCOPED_TRACE(path.string());
    absl::StatusOr<Request> r = Request::FromJson(ReadText(path));
    ASSERT_TRUE(r.ok()) << r.status();
    Decision d = policy.Evaluate(*r, options);
    d.policy_digest = "sha256:<policy>";
    for (Reason& reason : d.reasons) {  // sources relative to the checkout
      if (reason.source.starts_with(SourceDir() + "/")) {
        reason.source.erase(0, SourceDir().size() + 1);
      }
    }
    ExpectGolden(dir / path.filename(), Pretty(d.ToJson()));
    ++n;
  }
  EXPECT_GE(n, 73u);
  // No golden file without its example.
  for (const auto& golden : FilesUnder("tests/golden/decisions", ".json")) {
    EXPECT_TRUE(std::filesystem::exists(SourceDir() + "/rules/examples/" +
                                        golden.filename().string()))
        << golden << " has no example shipment";
  }
}

TEST(GoldenDecisions, PrettyKeepsTheJson) {
  EXPECT_EQ(Pretty(R"({"a":[],"b":{"c":"x,\"y\"]"},"d":[1,2]})"),
            "{\n  \"a\": [],\n  \"b\": {\n    \"c\": \"x,\\\"y\\\"]\"\n  },\n  \"d\": [\n    1,\n"
            "    2\n  ]\n}\n");
}

}  // namespace
}  // namespace exportctl
