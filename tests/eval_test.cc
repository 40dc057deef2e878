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
  // JSON is UTF-8: a byte that starts no well-formed sequence (a string set from C++) is U+FFFD,
  // at every offset; well-formed sequences pass whole, also after an escape.
  for (size_t pos = 0; pos < 20; ++pos) {
    for (const std::string bad : {"\xC3", "\xFF", "\xED\xA0\x80", "\xC0\xAF"}) {
      std::string s(20, 'a');
      s.replace(pos, 1, bad);
      std::string want(pos, 'a');
      for (size_t k = 0; k < bad.size(); ++k) want += "\xEF\xBF\xBD";
      want += std::string(19 - pos, 'a');
      EXPECT_EQ(internal::JsonQuote(s), "\"" + want + "\"") << pos << " " << bad.size();
    }
  }
  EXPECT_EQ(internal::JsonQuote("\"\xF0\x9F\xA7\xAA\x01\xE2\x82\xAC"),
            "\"\\\"\xF0\x9F\xA7\xAA\\u0001\xE2\x82\xAC\"");
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

namespace exportctl {
namespace {

// Language v2 predicates are expanded at check time: a policy written with them decides every
// example shipment exactly like the same policy with each predicate's text written out (the
// same reasons, legs, materials, errors and their messages, licenses and conditions).
constexpr char kWithPredicates[] = R"ecr(package p
set e1 = {CU, IR, KP, SY}
set eu = {AT, BE, DE, DK, ES, FI, FR, IE, IT, NL, PL, SE}
set bio_eccns = {"1C351*", "1C353*", "1C354*", "1C991*", "2B352*"}
predicate subject_to_ear(m) = route.origin == "US" or m.origin == "US"
predicate us_nexus = exporter.country == "US" or route.origin == "US"
                     or any(m in materials: m.origin == "US")
predicate reaches(countries) = any(c in route: c in countries) or end_user.country? in countries
predicate in_eu(c) = c in eu
predicate personal_data_leaves_eu = data.personal_data? and in_eu(route.origin)
                                    and not in_eu(route.destination)
predicate bio_item(m) = m.eccn? matches any bio_eccns
rule ofac { cite "31 CFR 560.204" when us_nexus and reaches(e1) then prohibited }
rule bio_reexport { cite "15 CFR 734.3(a)(2)" for each material m
  when route.origin != "US" and subject_to_ear(m) and bio_item(m) then review }
rule bio_e1 { cite "15 CFR 742.2" for each material m
  when subject_to_ear(m) and bio_item(m) and reaches(e1)
  then license_required authority "BIS" basis "CB" }
rule gdpr { cite "GDPR Art. 44" when personal_data_leaves_eu and data.transfer_mechanism? == "none"
  then prohibited }
rule gdpr_safeguards { cite "GDPR Art. 46" when personal_data_leaves_eu then condition "safeguards" }
rule bio_legs { cite "15 CFR 738.4" for each material m for each leg c in transit, end_user
  when subject_to_ear(m) and bio_item(m) and not in_eu(c) then review "leg outside the EU" }
)ecr";
constexpr char kExpanded[] = R"ecr(package p
set e1 = {CU, IR, KP, SY}
set eu = {AT, BE, DE, DK, ES, FI, FR, IE, IT, NL, PL, SE}
set bio_eccns = {"1C351*", "1C353*", "1C354*", "1C991*", "2B352*"}
rule ofac { cite "31 CFR 560.204"
  when (exporter.country == "US" or route.origin == "US" or any(m in materials: m.origin == "US"))
       and (any(c in route: c in e1) or end_user.country? in e1)
  then prohibited }
rule bio_reexport { cite "15 CFR 734.3(a)(2)" for each material m
  when route.origin != "US" and (route.origin == "US" or m.origin == "US")
       and m.eccn? matches any bio_eccns
  then review }
rule bio_e1 { cite "15 CFR 742.2" for each material m
  when (route.origin == "US" or m.origin == "US") and m.eccn? matches any bio_eccns
       and (any(c in route: c in e1) or end_user.country? in e1)
  then license_required authority "BIS" basis "CB" }
rule gdpr { cite "GDPR Art. 44"
  when data.personal_data? and route.origin in eu and not route.destination in eu
       and data.transfer_mechanism? == "none"
  then prohibited }
rule gdpr_safeguards { cite "GDPR Art. 46"
  when data.personal_data? and route.origin in eu and not route.destination in eu
  then condition "safeguards" }
rule bio_legs { cite "15 CFR 738.4" for each material m for each leg c in transit, end_user
  when (route.origin == "US" or m.origin == "US") and m.eccn? matches any bio_eccns
       and not c in eu
  then review "leg outside the EU" }
)ecr";

std::string WithoutSources(Decision d) {
  for (Reason& r : d.reasons) r.source.clear();
  d.policy_digest.clear();
  return d.ToJson();
}

TEST(Predicates, DecideLikeTheirExpandedText) {
  Policy with = testing::MustCompile(kWithPredicates);
  Policy expanded = testing::MustCompile(kExpanded);
  size_t requests = 0, fired = 0;
  for (const auto& path : testing::FilesUnder("rules/examples", ".json")) {
    if (path.parent_path().filename() != "examples") continue;
    absl::StatusOr<Request> r = Request::FromJson(testing::ReadText(path));
    ASSERT_TRUE(r.ok()) << path << ": " << r.status();
    ++requests;
    Decision a = with.Evaluate(*r), b = expanded.Evaluate(*r);
    fired += !a.reasons.empty();
    EXPECT_EQ(WithoutSources(a), WithoutSources(b)) << path;
  }
  EXPECT_GE(requests, 30u);
  EXPECT_GE(fired, 10u);  // the comparison is not between two empty decisions
}

// A limit in units decides exactly at its edge whatever the units: the literal is scaled to the
// smallest unit as a decimal (kUnits' whole factors) and divided once by the material's factor.
// (Binary factors once made 0.01 mg "more than 10 ug" and 1000 ug not "at least 1 mg".)
// A shipment US -> DE of one material of `quantity` `unit`.
Request OneMaterial(double quantity, const char* unit) {
  Request r;
  r.id = "R";
  r.date = "2026-11-25";
  r.route = {"US", "DE"};
  Material m;
  m.id = "m1";
  m.quantity = quantity;
  m.unit = unit;
  r.materials.push_back(m);
  return r;
}

TEST(Units, EdgeOfALimitInASmallerUnitIsExact) {
  Policy p = testing::MustCompile(
      "package p\n"
      "rule over_10_ug { cite \"x\" for each material m when m.quantity > 10 ug then review }\n"
      "rule at_least_1_mg { cite \"x\" for each material m when m.quantity >= 1 mg then review }\n");
  auto fired = [&](double quantity, const char* unit) {
    std::vector<std::string> rules;
    for (const Reason& x : p.Evaluate(OneMaterial(quantity, unit)).reasons) rules.push_back(x.rule);
    return rules;
  };
  EXPECT_THAT(fired(0.01, "mg"), ElementsAre());                  // 10 ug is not over 10 ug
  EXPECT_THAT(fired(1000, "ug"), ElementsAre("p.over_10_ug", "p.at_least_1_mg"));  // 1 mg
}

// A literal longer than std::string's inline buffer is scaled from the rule's text too. (The
// checker once read it through a view of a destroyed temporary: the limit came out as 0, so
// 5 ug was "over" 0.0100000000000000000 mg. Found by the parser fuzzer, under ASan.)
TEST(Units, LongLiteralIsReadAsWritten) {
  Policy p = testing::MustCompile(
      "package p\n"
      "rule over_10_ug { cite \"x\" for each material m when m.quantity > 0.0100000000000000000 mg"
      " then review }\n");
  auto outcome = [&](double quantity) { return p.Evaluate(OneMaterial(quantity, "ug")).outcome; };
  EXPECT_EQ(outcome(5), Outcome::kPermitted);
  EXPECT_EQ(outcome(10), Outcome::kPermitted);
  EXPECT_EQ(outcome(11), Outcome::kReview);
}

}  // namespace
}  // namespace exportctl
