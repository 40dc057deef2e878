// Golden tests: tests/golden/parser/NAME.ecr beside NAME.golden (the AST dump, then every
// diagnostic). EXPORTCTL_UPDATE_GOLDEN=1 regenerates the .golden files.
#include "src/parser/parser.h"

#include <chrono>
#include <cstdint>

#include "tests/test_util.h"

namespace exportctl::internal {
namespace {

using exportctl::testing::ExpectGolden;
using exportctl::testing::FilesUnder;
using exportctl::testing::ReadText;

std::string ParseToText(const std::string& name, const std::string& text) {
  std::vector<Source> sources{Source(name, text)};
  DiagnosticSink sink(&sources);
  ast::File file = ParseFile(sources[0], 0, sink);
  std::string out = DumpAst(file);
  for (const Diagnostic& d : sink.diagnostics()) out += d.Format();
  return out;
}

TEST(ParserGolden, AllFiles) {
  auto files = FilesUnder("tests/golden/parser", ".ecr");
  ASSERT_GE(files.size(), 6u);
  for (const auto& path : files) {
    SCOPED_TRACE(path.string());
    std::string name = "tests/golden/parser/" + path.filename().string();
    auto golden = path;
    ExpectGolden(golden.replace_extension(".golden"), ParseToText(name, ReadText(path)));
  }
}

TEST(Parser, ReportsEveryBrokenDeclarationNotOnlyTheFirst) {
  std::string out = ParseToText("x.ecr",
                                "package p\n"
                                "rule a { when x == then review }\n"
                                "set s = {A, B\n"
                                "rule b { then review }\n"
                                "rule c { when ( then review }\n");
  size_t errors = 0;
  for (size_t at = out.find("error[parse_error]"); at != std::string::npos;
       at = out.find("error[parse_error]", at + 1)) {
    ++errors;
  }
  EXPECT_EQ(errors, 3u) << out;
  EXPECT_NE(out.find("rule \"b\""), std::string::npos) << "recovered declaration lost:\n" << out;
}

TEST(Parser, DeepNestingIsADiagnosticNotACrash) {
  std::string deep = "package p\nrule r { when " + std::string(10000, '(') + "true" +
                     std::string(10000, ')') + " then review }\n";
  EXPECT_NE(ParseToText("x.ecr", deep).find("error[nesting_too_deep]"), std::string::npos);
  std::string nots = "package p\nrule r { when ";
  for (int i = 0; i < 5000; ++i) nots += "not ";
  nots += "true then review }\n";
  EXPECT_NE(ParseToText("x.ecr", nots).find("error[nesting_too_deep]"), std::string::npos);
}

// The nesting check before parsing reads strings, comments and test requests its own way; where
// the grammar reads the same text otherwise (it resumes after a syntax error inside what the
// check took for a string; `#` inside a test's JSON is no comment to the grammar), the grammar's
// own bound stops the recursion: a diagnostic, where these once overflowed the stack.
TEST(Parser, NestingTheCheckCannotSeeIsBoundedByTheGrammar) {
  const std::string parens = std::string(20000, '(') + "true" + std::string(20000, ')');
  std::string out = ParseToText("x.ecr", "package p\nrule a { title \"x\\\n"
                                         "rule b { cite \"y\" when " + parens + " then review }\n");
  EXPECT_NE(out.find("error[parse_error]"), std::string::npos) << out.substr(0, 2000);
  EXPECT_NE(out.find("error[nesting_too_deep]"), std::string::npos) << out.substr(0, 2000);
  out = ParseToText("x.ecr", "package p\ntest t { request {#" + std::string(200000, '{') + "\n}\n");
  EXPECT_NE(out.find("error"), std::string::npos);
  // A test's request may nest as JSON does; the grammar reads it without recursing.
  out = ParseToText("x.ecr", "package p\ntest t { request {\"a\": \"}{\\\"\", \"b\": {\"c\": {}}}"
                             " expect review }\n");
  EXPECT_EQ(out.find("error"), std::string::npos) << out;
}

// Rule text reaches decisions and their JSON: a file that is not UTF-8 is refused where it stops
// being UTF-8 (a title with a broken character once made the decision's JSON invalid).
TEST(Parser, RuleFilesAreUtf8) {
  for (const std::string bad : {"\xC3", "\xC3\x28", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80",
                                "\xF4\x90\x80\x80", "\xF8\x88\x80\x80\x80", "\x80", "\xFF"}) {
    SCOPED_TRACE(::testing::PrintToString(bad));
    std::string out = ParseToText("x.ecr", "package p\nrule r { title \"caf" + bad +
                                               "\" cite \"x\" then review }\n");
    EXPECT_NE(out.find("x.ecr:2:20: error[invalid_utf8]"), std::string::npos) << out;
  }
  EXPECT_EQ(ParseToText("x.ecr", "package p\n# Überprüfung, 出口管制, 🧪\n"
                                 "rule r { title \"café ✓ 𝔘\" cite \"x\" then review }\n")
                .find("error"),
            std::string::npos);
}

TEST(Strings, FirstInvalidUtf8IsStrict) {
  EXPECT_EQ(FirstInvalidUtf8(""), 0u);
  EXPECT_EQ(FirstInvalidUtf8("plain ascii"), 11u);
  EXPECT_EQ(FirstInvalidUtf8("\xC2\xA9 \xE2\x82\xAC \xF0\x9F\xA7\xAA \xF4\x8F\xBF\xBF"), 16u);
  EXPECT_EQ(FirstInvalidUtf8("ab\xC1\xBF"), 2u);          // overlong 2-byte
  EXPECT_EQ(FirstInvalidUtf8("ab\xE0\x9F\xBF"), 2u);      // overlong 3-byte
  EXPECT_EQ(FirstInvalidUtf8("ab\xF0\x8F\xBF\xBF"), 2u);  // overlong 4-byte
  EXPECT_EQ(FirstInvalidUtf8("ab\xED\xBF\xBF"), 2u);      // a surrogate
  EXPECT_EQ(FirstInvalidUtf8("ab\xF4\x90\x80\x80"), 2u);  // past U+10FFFF
  EXPECT_EQ(FirstInvalidUtf8("ab\xE2\x82"), 2u);          // cut short
  EXPECT_EQ(FirstInvalidUtf8("ab\xE2\x82\x41"), 2u);      // a continuation missing
}

TEST(Strings, ClosestMatchIsOrderFreeAndCheapForFarLengths) {
  EXPECT_EQ(ClosestMatch("colr", {"colb", "cola", "colour"}), "cola");
  EXPECT_EQ(ClosestMatch("colr", {"cola", "colb", "colour"}), "cola");
  EXPECT_EQ(ClosestMatch("colr", {"nothing", "alike"}), "");
  // A megabyte word is compared with no short candidate (its length puts them out of reach).
  const std::string huge(1 << 20, 'x');
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(ClosestMatch(huge, {"end_user.country", "route.destination"}), "");
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 1.0);
  std::int64_t budget = 150;  // enough for one candidate (1 + 10 x 10): then it stops
  EXPECT_EQ(ClosestMatch("abcdefghij", {"abcdefghiX", "abcdefghij"}, &budget), "abcdefghiX");
  EXPECT_EQ(budget, 0);
}

TEST(Parser, LongChainsAreFlatNotDeep) {
  std::string text = "package p\nrule r { when true";
  for (int i = 0; i < 20000; ++i) text += " or false";
  text += " then review }\n";
  std::string out = ParseToText("x.ecr", text);
  EXPECT_EQ(out.find("error"), std::string::npos);
}

// A call's range ends at its `)`, not over the whitespace after it (an `eps` at the end of a
// rule once skipped it before matching, so carets under calls ran one column too long).
TEST(Parser, CallRangeEndsAtItsParenthesis) {
  std::string text = "package p\nrule r { when f(x)   \n  then review }\n";
  const size_t begin = text.find("f(x)");
  std::string out = ParseToText("x.ecr", text);
  EXPECT_NE(out.find("call \"f\" @" + std::to_string(begin) + "-" + std::to_string(begin + 4)),
            std::string::npos)
      << out;
}

TEST(Parser, GarbageNeverCrashes) {
  std::string junk;
  unsigned seed = 7;
  for (int i = 0; i < 2000; ++i) {
    seed = seed * 1103515245 + 12345;
    junk += "{}()[]\"\\.:,=!<>*#/ \nabruleset0129"[(seed >> 16) % 32];
  }
  std::string out = ParseToText("x.ecr", junk);
  EXPECT_NE(out.find("error"), std::string::npos);
}

}  // namespace
}  // namespace exportctl::internal
