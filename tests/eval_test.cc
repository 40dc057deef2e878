#include <thread>

#include "gmock/gmock.h"
#include "src/check/schema.h"
#include "src/common/source.h"
#include "tests/test_util.h"

namespace exportctl {
namespace {

using exportctl::testing::MustCompile;
using ::testing::ElementsAre;

Request Shipment(std::string destination, std::optional<std::string> eccn) {
  Request r;
  r.id = "R";
  r.date = "2026-11-25";
  r.route = {"US", std::move(destination)};
  Material m;
  m.id = "m1";
  m.eccn = std::move(eccn);
  r.materials.push_back(m);
  return r;
}

TEST(Eval, NoRuleFiringIsPermitted) {
  Policy p = MustCompile("package p\nrule a { cite \"x\" when route.destination == \"IR\" then prohibited }\n");
  Decision d = p.Evaluate(Shipment("DE", "EAR99"));
  EXPECT_EQ(d.outcome, Outcome::kPermitted);
  EXPECT_TRUE(d.reasons.empty());
  EXPECT_EQ(d.items.size(), 1u);
}

TEST(Eval, MissingFieldFailsClosedUnlessAFalseConjunctDecides) {
  Policy p = MustCompile(
      "package p\n"
      "rule a { cite \"x\" for each material m when m.eccn matches \"1C351*\" then license_required authority \"BIS\" basis \"CB2\" }\n"
      "rule b { cite \"x\" for each material m when route.destination == \"FR\" and m.eccn == \"X\" then prohibited }\n");
  Decision d = p.Evaluate(Shipment("DE", std::nullopt));
  EXPECT_EQ(d.outcome, Outcome::kReview);
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_EQ(d.errors[0].code, "missing_field");
  EXPECT_EQ(d.errors[0].rule, "p.a");
  EXPECT_TRUE(d.licenses_required.empty());
}

TEST(Eval, MostRestrictiveWinsAndItemsCarryShipmentRules) {
  Policy p = MustCompile(
      "package p\n"
      "rule c { cite \"x\" then condition \"pack\" }\n"
      "rule l { cite \"x\" for each material m when m.eccn == \"1C351\" then license_required authority \"BIS\" basis \"CB2\" }\n");
  Request r = Shipment("BR", "1C351");
  Material other;
  other.id = "m2";
  other.eccn = "EAR99";
  r.materials.push_back(other);
  Decision d = p.Evaluate(r);
  EXPECT_EQ(d.outcome, Outcome::kLicenseRequired);
  EXPECT_EQ(d.items[0].outcome, Outcome::kLicenseRequired);
  EXPECT_EQ(d.items[1].outcome, Outcome::kPermittedWithConditions);
  EXPECT_THAT(d.items[1].reasons, ElementsAre("p.c"));
  ASSERT_EQ(d.licenses_required.size(), 1u);
  EXPECT_THAT(d.licenses_required[0].materials, ElementsAre("m1"));
  ASSERT_EQ(d.conditions.size(), 1u);
  EXPECT_EQ(d.conditions[0].text, "pack");
}

TEST(Eval, EffectiveWindowUsesAsOf) {
  Policy p = MustCompile(
      "package p\nrule a { cite \"x\" effective 2025-01-01 .. 2026-01-01 then prohibited }\n");
  Request r = Shipment("DE", "EAR99");
  EXPECT_EQ(p.Evaluate(r).outcome, Outcome::kPermitted);
  EvaluateOptions o;
  o.as_of = "2025-06-01";
  EXPECT_EQ(p.Evaluate(r, o).outcome, Outcome::kProhibited);
  o.as_of = "2026-01-01";  // the end is exclusive
  EXPECT_EQ(p.Evaluate(r, o).outcome, Outcome::kPermitted);
  o.as_of = "yesterday";
  Decision d = p.Evaluate(r, o);
  EXPECT_EQ(d.outcome, Outcome::kReview);
  EXPECT_EQ(d.errors[0].code, "invalid_as_of");
}

TEST(Eval, InvalidRequestFailsClosed) {
  Policy p = MustCompile("package p\nrule a { cite \"x\" when false then review }\n");
  Decision d = p.Evaluate(Shipment("XX", "EAR99"));
  EXPECT_EQ(d.outcome, Outcome::kReview);
  EXPECT_EQ(d.errors[0].code, "invalid_request");
}

// The index must never change an answer: the same rules with and without indexable tests.
TEST(Eval, IndexAgreesWithUnindexedRules) {
  std::string indexed = "package p\nset ag = {DE, FR}\n";
  std::string plain = indexed;
  const char* dests[] = {"DE", "BR", "CN", "FR"};
  const char* eccns[] = {"1C351.a", "1C353", "2B352", "EAR99"};
  for (int i = 0; i < 4; ++i) {
    indexed += "rule i" + std::to_string(i) + " { cite \"x\" for each material m when route.destination == \"" +
               dests[i] + "\" and m.eccn matches \"" + std::string(eccns[i]).substr(0, 4) +
               "*\" then review }\n";
    plain += "rule i" + std::to_string(i) + " { cite \"x\" for each material m when not (route.destination != \"" +
             dests[i] + "\") and not not (m.eccn matches \"" + std::string(eccns[i]).substr(0, 4) +
             "*\") then review }\n";
  }
  Policy a = MustCompile(indexed), b = MustCompile(plain);
  for (const char* d : dests) {
    for (const char* e : eccns) {
      Decision x = a.Evaluate(Shipment(d, e)), y = b.Evaluate(Shipment(d, e));
      EXPECT_EQ(x.outcome, y.outcome) << d << " " << e;
      EXPECT_EQ(x.reasons.size(), y.reasons.size()) << d << " " << e;
    }
  }
}

TEST(Eval, QuantifiersAndErrorsInsideThem) {
  Policy p = MustCompile(
      "package p\nset denied = {\"Evil Corp\"}\n"
      "rule a { cite \"x\" when any(q in parties: q.name in denied) then prohibited }\n"
      "rule b { cite \"x\" when all(c in route: c in {US, DE}) then condition \"ok\" }\n");
  Request r = Shipment("DE", "EAR99");
  r.parties = std::vector<Party>{{"consignee", std::nullopt, "DE"}, {"freight_forwarder", "Evil Corp", "NL"}};
  Decision d = p.Evaluate(r);
  EXPECT_EQ(d.outcome, Outcome::kProhibited);  // true absorbs the other party's missing name
  r.parties->pop_back();
  d = p.Evaluate(r);
  EXPECT_EQ(d.outcome, Outcome::kReview);  // now the missing name decides: fail closed
  EXPECT_EQ(d.errors[0].code, "missing_field");
}

TEST(Eval, TableLookupWithMissingKeyFailsClosed) {
  Policy p = MustCompile(
      "package p\ntable chart = {DE: {}, BR: {CB2}}\n"
      "rule a { cite \"x\" when \"CB2\" in chart[route.destination] then license_required authority \"BIS\" basis \"CB2\" }\n");
  EXPECT_EQ(p.Evaluate(Shipment("BR", "X")).outcome, Outcome::kLicenseRequired);
  EXPECT_EQ(p.Evaluate(Shipment("DE", "X")).outcome, Outcome::kPermitted);
  Decision d = p.Evaluate(Shipment("FR", "X"));
  EXPECT_EQ(d.outcome, Outcome::kReview);
  EXPECT_EQ(d.errors[0].code, "missing_key");
}

class Collect : public TraceListener {
 public:
  void OnRule(const RuleTrace& t) override { traces.push_back(t); }
  std::vector<RuleTrace> traces;
};

TEST(Eval, TraceExplainsWhyNot) {
  Policy p = MustCompile(
      "package p\nrule a { cite \"x\" for each material m when m.eccn matches \"1C*\" and route.destination != \"DE\" then review }\n");
  Collect c;
  EvaluateOptions o;
  o.trace = &c;
  p.Evaluate(Shipment("DE", "1C351"), o);
  ASSERT_EQ(c.traces.size(), 1u);
  EXPECT_FALSE(c.traces[0].fired);
  EXPECT_EQ(c.traces[0].material, "m1");
  ASSERT_EQ(c.traces[0].conjuncts.size(), 2u);
  EXPECT_EQ(c.traces[0].conjuncts[1].text, "route.destination != \"DE\"");
  EXPECT_EQ(c.traces[0].conjuncts[1].value, "false");
  EXPECT_EQ(c.traces[0].conjuncts[1].source, "test.ecr:2:69");
}

TEST(Eval, ConcurrentEvaluationOnASharedConstPolicy) {
  const Policy p = MustCompile(
      "package p\nset ag = {DE, FR}\n"
      "rule a { cite \"x\" for each material m when m.eccn matches \"1C351*\" and route.destination not in ag then license_required authority \"BIS\" basis \"CB2\" }\n");
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        bool hit = (i + t) % 2 == 0;
        Decision d = p.Evaluate(Shipment(hit ? "BR" : "DE", "1C351.a"));
        if (d.outcome != (hit ? Outcome::kLicenseRequired : Outcome::kPermitted)) ++wrong;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace exportctl

namespace exportctl {
namespace {

// The word-at-a-time scan must find an escape at every offset, UTF-8 must pass through.
TEST(JsonQuote, EscapesAtEveryOffset) {
  for (size_t pos = 0; pos < 20; ++pos) {
    for (char c : {'"', '\\', '\n', '\x01', '\x1f'}) {
      std::string s(20, 'a');
      s[pos] = c;
      std::string q = internal::JsonQuote(s);
      std::string want = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\n' ? "\\n"
                         : c == '\x01' ? "\\u0001" : "\\u001f";
      EXPECT_EQ(q, "\"" + std::string(pos, 'a') + want + std::string(19 - pos, 'a') + "\"");
    }
  }
  EXPECT_EQ(internal::JsonQuote("Charité Universitätsmedizin ø"), "\"Charité Universitätsmedizin ø\"");
  EXPECT_EQ(internal::JsonQuote(" !#~\x7f"), "\" !#~\x7f\"");
}

}  // namespace
}  // namespace exportctl

namespace exportctl {
namespace {

// ParseDate remembers the last date per thread; the cache must never change an answer.
TEST(ParseDate, CacheKeepsAnswers) {
  std::int32_t a = 0, b = 0, c = 0;
  ASSERT_TRUE(internal::ParseDate("2026-11-25", &a));
  ASSERT_TRUE(internal::ParseDate("2026-11-25", &b));
  ASSERT_TRUE(internal::ParseDate("2026-11-26", &c));
  EXPECT_EQ(a, b);
  EXPECT_EQ(c, a + 1);
  ASSERT_TRUE(internal::ParseDate("2024-02-29", &a));
  EXPECT_FALSE(internal::ParseDate("2025-02-29", &a));
  EXPECT_FALSE(internal::ParseDate("2024-02-2", &a));
  EXPECT_FALSE(internal::ParseDate("2024-02-29x", &a));
  ASSERT_TRUE(internal::ParseDate("1970-01-01", &a));
  EXPECT_EQ(a, 0);
}

}  // namespace
}  // namespace exportctl

namespace exportctl {
namespace {

// A reused Decision carries nothing over from the request before.
TEST(Evaluate, ReusedDecisionEqualsFresh) {
  std::vector<Diagnostic> diagnostics;
  auto policy = Policy::Compile({testing::SourceDir() + "/rules/examples/pack"}, &diagnostics);
  ASSERT_TRUE(policy.ok()) << policy.status();
  std::vector<Request> requests;
  for (const char* name : {"ebola-to-brazil", "plasma-to-germany", "reagents-to-iran",
                           "unclassified-pathogen"}) {
    auto r = Request::FromJson(
        testing::ReadText(testing::SourceDir() + "/rules/examples/" + name + ".json"));
    ASSERT_TRUE(r.ok()) << r.status();
    requests.push_back(*r);
  }
  Request invalid = requests[0];
  invalid.route = {"US"};  // fails closed
  requests.push_back(invalid);
  Decision reused;
  for (int round = 0; round < 2; ++round) {
    for (size_t i = 0; i < requests.size(); ++i) {
      const Request& r = requests[round ? requests.size() - 1 - i : i];
      policy->Evaluate(r, &reused);
      EXPECT_EQ(reused.ToJson(), policy->Evaluate(r).ToJson());
    }
  }
}

}  // namespace
}  // namespace exportctl
