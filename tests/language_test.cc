// The ```ecr blocks of rules/LANGUAGE.md compile together (one file each) without errors, and
// every ```ecr-error block fails with the code named on its `# error: CODE` line.
#include <regex>

#include "tests/test_util.h"

namespace exportctl {
namespace {

TEST(LanguageReference, EveryExampleIsChecked) {
  std::string doc = testing::ReadText(testing::SourceDir() + "/rules/LANGUAGE.md");
  std::regex block("```(ecr|ecr-error)\n([\\s\\S]*?)```");
  std::vector<SourceFile> good;
  int bad = 0;
  for (std::sregex_iterator it(doc.begin(), doc.end(), block), end; it != end; ++it) {
    std::string kind = (*it)[1], text = (*it)[2];
    std::string name = "LANGUAGE.md#" + std::to_string(good.size() + bad + 1);
    if (kind == "ecr") {
      good.push_back({name, text});
      continue;
    }
    SCOPED_TRACE(text);
    ++bad;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(text, m, std::regex("# error: (\\w+)")));
    std::vector<Diagnostic> diagnostics;
    EXPECT_FALSE(Policy::CompileSources({{name, text}}, &diagnostics).ok());
    std::string all;
    bool found = false;
    for (const Diagnostic& d : diagnostics) {
      found |= d.code == m[1].str();
      all += d.Format();
    }
    EXPECT_TRUE(found) << "expected " << m[1] << ", got:\n" << all;
  }
  std::vector<Diagnostic> diagnostics;
  absl::StatusOr<Policy> p = Policy::CompileSources(good, &diagnostics);
  std::string all;
  for (const Diagnostic& d : diagnostics) all += d.Format();
  ASSERT_TRUE(p.ok()) << all;
  // The examples' own test blocks pass, parties screened against the bundled lists.
  absl::StatusOr<Lists> lists = Lists::Load({testing::SourceDir() + "/lists"});
  ASSERT_TRUE(lists.ok()) << lists.status();
  EvaluateOptions options;
  options.lists = &*lists;
  std::vector<TestResult> tests = p->RunTests(options);
  EXPECT_GE(tests.size(), 1u);
  for (const TestResult& t : tests) EXPECT_TRUE(t.passed) << t.test << ": " << t.message;
  EXPECT_GE(good.size(), 6u);
  EXPECT_GE(bad, 4);
}

}  // namespace
}  // namespace exportctl
