// Golden tests: tests/golden/check/NAME.ecr beside NAME.golden (every diagnostic, formatted).
#include "src/check/checker.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "tests/test_util.h"

namespace exportctl {
namespace {

using ::testing::ElementsAre;
using exportctl::testing::DiagnosticCodes;
using exportctl::testing::ExpectGolden;
using exportctl::testing::FilesUnder;
using exportctl::testing::ReadText;

TEST(CheckerGolden, AllFiles) {
  auto files = FilesUnder("tests/golden/check", ".ecr");
  ASSERT_GE(files.size(), 8u);
  for (const auto& path : files) {
    SCOPED_TRACE(path.string());
    std::vector<Diagnostic> diagnostics;
    (void)Policy::CompileSources(
        {{"tests/golden/check/" + path.filename().string(), ReadText(path)}}, &diagnostics);
    std::string out;
    for (const Diagnostic& d : diagnostics) out += d.Format();
    auto golden = path;
    ExpectGolden(golden.replace_extension(".golden"), out);
  }
}

TEST(Checker, DidYouMeanNamesTheAttribute) {
  std::vector<Diagnostic> diagnostics;
  (void)Policy::CompileSources(
      {{"a.ecr", "package p\nrule r { cite \"x\" when end_user.contry == \"DE\" then review }\n"}},
      &diagnostics);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0].code, "unknown_attribute");
  EXPECT_EQ(diagnostics[0].help, "did you mean `end_user.country`?");
  EXPECT_EQ(diagnostics[0].line, 2);
  EXPECT_EQ(diagnostics[0].column, 24);
}

// "did you mean" looks through every declared name; for every finding of a large file that was
// quadratic (20,000 sets and 20,000 misspelled names: minutes). The suggestions now share a
// budget: every finding is still reported, the first ones with their suggestion, in bounded time.
TEST(Checker, SuggestionsForManyFindingsTakeBoundedTime) {
  std::string text = "package p\n";
  constexpr int kNames = 10000;
  for (int i = 0; i < kNames; ++i) absl::StrAppend(&text, "set s", i, " = {A}\n");
  for (int i = 0; i < kNames; ++i) {
    absl::StrAppend(&text, "rule r", i, " { cite \"x\" when route.destination in zz", i,
                    " then review }\n");
  }
  absl::StrAppend(&text, "rule last { cite \"x\" when route.destination in s77x then review }\n");
  const auto start = std::chrono::steady_clock::now();
  std::vector<Diagnostic> diagnostics;
  EXPECT_FALSE(Policy::CompileSources({{"big.ecr", text}}, &diagnostics).ok());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 10.0);  // ~0.15 s (2 s under ASan); minutes when it was quadratic
  std::vector<const Diagnostic*> unknown;
  for (const Diagnostic& d : diagnostics) {
    if (d.code == "unknown_name") unknown.push_back(&d);
  }
  ASSERT_EQ(unknown.size(), kNames + 1u);
  EXPECT_EQ(unknown[0]->help, "did you mean `s0`?") << unknown[0]->Format();
  EXPECT_EQ(unknown.back()->help, "") << "the budget should be spent by the last finding";
}

TEST(Checker, NamesResolveAcrossPackagesByAliasAndFullName) {
  std::vector<Diagnostic> diagnostics;
  absl::StatusOr<Policy> p = Policy::CompileSources(
      {{"a.ecr", "package a.groups\nset s = {CU}\ntable t = {CU: {X}}\n"},
       {"b.ecr",
        "package b\nimport a.groups\nimport a.groups as g\n"
        "rule r { cite \"x\" when route.destination in groups.s or route.destination in g.s\n"
        "  or route.destination in a.groups.s or \"X\" in g.t[route.destination] then review }\n"}},
      &diagnostics);
  EXPECT_TRUE(p.ok()) << (diagnostics.empty() ? "" : diagnostics[0].Format());
  EXPECT_TRUE(diagnostics.empty());
}

TEST(Checker, WarningsDoNotStopCompilation) {
  EXPECT_THAT(DiagnosticCodes("package p\nset s = {A}\nrule r { then review }\n"),
              ElementsAre("warning:unused_set", "warning:missing_citation"));
  std::vector<Diagnostic> d;
  EXPECT_TRUE(Policy::CompileSources({{"a.ecr", "package p\nset s = {A}\n"}}, &d).ok());
}

TEST(Checker, ErrorsStopCompilationWithInvalidArgument) {
  std::vector<Diagnostic> d;
  auto p = Policy::CompileSources({{"a.ecr", "package p\nrule r { when x then review }\n"}}, &d);
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
}

// A screened party must be there: `screen(end_user?)` is misplaced_optional like every other
// misplaced `?` (it once compiled, the `?` silently ignored).
TEST(Checker, OptionalOnAScreenedPartyIsMisplaced) {
  EXPECT_THAT(DiagnosticCodes("package p\nrule r { cite \"x\" when screen(end_user?) >= 92 then review }\n"),
              ElementsAre("error:misplaced_optional"));
  EXPECT_THAT(DiagnosticCodes("package p\nrule r { cite \"x\" when screen(exporter?) >= 92 then review }\n"),
              ElementsAre("error:misplaced_optional"));
}

// `basis NAME` with NAME bound by no `for each` clause is one error, unknown_name (it once also
// reported missing_argument, as if no basis were given).
TEST(Checker, UnboundBasisIsOneError) {
  EXPECT_THAT(DiagnosticCodes("package p\nrule r { cite \"x\" for each material m "
                              "when m.eccn? matches \"1C351*\" "
                              "then license_required authority \"BIS\" basis column }\n"),
              ElementsAre("error:unknown_name"));
}

}  // namespace
}  // namespace exportctl

namespace exportctl {
namespace {

// Predicates that each use the one before twice would double the condition 31 times over
// (2^31 nodes): the checker stops at its budget with one error instead of running out of memory.
TEST(Checker, PredicateExpansionHasABudget) {
  std::string text = "package p\npredicate p0 = route.destination == \"BR\"\n";
  for (int i = 1; i <= 31; ++i) {
    absl::StrAppend(&text, "predicate p", i, " = p", i - 1, " or (p", i - 1,
                    " and route.origin == \"US\")\n");
  }
  absl::StrAppend(&text, "rule r { cite \"x\" when p31 then review }\n");
  EXPECT_THAT(DiagnosticCodes(text), ::testing::Contains("error:expansion_too_large"));
}

// A decision table of many rows compiles without comparing every pair of rows.
TEST(Checker, LargeDecisionTablesSkipTheOverlapCheck) {
  std::string text = "package p\ndecision table t {\n  cite \"x\"\n  columns route.destination\n";
  for (int i = 0; i < 3000; ++i) absl::StrAppend(&text, "  row \"X", i, "\" then review\n");
  absl::StrAppend(&text, "}\n");
  EXPECT_THAT(DiagnosticCodes(text), ::testing::ElementsAre("warning:overlapping_rows"));
}

}  // namespace
}  // namespace exportctl
