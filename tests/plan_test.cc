#include "src/plan/plan.h"

#include "gmock/gmock.h"
#include "tests/test_util.h"

namespace exportctl {
namespace {

using exportctl::testing::MustCompile;

TEST(Plan, SharedSubexpressionsAreOneVertex) {
  const std::string one_rule =
      "package p\nset e = {CU, IR}\n"
      "rule a { cite \"x\" when route.destination in e then prohibited }\n";
  // `route.destination`, the set, and `in`.
  EXPECT_EQ(MustCompile(one_rule).vertex_count(), 3u);
  // The same condition in a second rule, written with a literal set of the same content and
  // different spacing, adds no vertex.
  EXPECT_EQ(MustCompile(one_rule + "rule b { cite \"x\" when route.destination  in {IR, CU} "
                                   "then review }\n")
                .vertex_count(),
            3u);
  // A new conjunct adds its own vertices, and the `and`, but reuses the shared `in`.
  EXPECT_EQ(MustCompile(one_rule + "rule b { cite \"x\" when route.destination in e and "
                                   "id == \"x\" then review }\n")
                .vertex_count(),
            3u + 3u + 1u);
}

TEST(Plan, VariablesAreSharedByPositionNotName) {
  Policy p = MustCompile(
      "package p\nset e = {CU}\n"
      "rule a { cite \"x\" when any(c in route: c in e) then prohibited }\n"
      "rule b { cite \"x\" when any(x in route: x in e) then review }\n");
  // route, var, set, in, any
  EXPECT_EQ(p.vertex_count(), 5u);
}

TEST(Plan, DotHasEveryRuleAndVertex) {
  Policy p = MustCompile(
      "package p\nrule a { cite \"x\" for each material m when m.eccn matches \"1C351*\" "
      "then review }\n");
  std::string dot = p.ToDot();
  EXPECT_THAT(dot, ::testing::HasSubstr("digraph"));
  EXPECT_THAT(dot, ::testing::HasSubstr("p.a"));
  EXPECT_THAT(dot, ::testing::HasSubstr("matches \\\"1C351*\\\""));
}

TEST(Plan, GlobMatcher) {
  internal::Matcher m{internal::Matcher::Kind::kGlob, "1C35?.*.1*"};
  EXPECT_TRUE(m.Match("1C351.d.15"));
  EXPECT_TRUE(m.Match("1C353.a.1"));
  EXPECT_FALSE(m.Match("1C351.d.25"));
  EXPECT_FALSE(m.Match("2B352.a.1"));
  internal::Matcher prefix{internal::Matcher::Kind::kPrefix, "1C351"};
  EXPECT_TRUE(prefix.Match("1C351.a"));
  EXPECT_FALSE(prefix.Match("1C35"));
}

}  // namespace
}  // namespace exportctl
