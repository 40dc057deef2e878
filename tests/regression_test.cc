// The defects of issue 9, each as the test of its whole class: constants that differ must stay
// apart in the plan, every field of the schema must be named as itself everywhere, and an
// evaluation must not be disturbed by another one started from inside it.
#include <cstring>
#include <limits>

#include "gmock/gmock.h"
#include "src/check/schema.h"
#include "tests/test_util.h"

namespace exportctl {
namespace {

using exportctl::testing::MustCompile;
using internal::AttrInfo;
using internal::Attributes;
using internal::Owner;
using ::testing::HasSubstr;

Request OneMaterial(Material m) {
  Request r;
  r.id = "R";
  r.date = "2026-11-25";
  r.route = {"US", "DE"};
  m.id = "m1";
  r.materials.push_back(std::move(m));
  return r;
}

// The repro: `> 1000000` and `> 1000001` were one vertex (the key printed 6 digits).
TEST(Regression, CloseNumericConstantsAreDistinctVertices) {
  Policy p = MustCompile(R"(package exp
rule big    { cite "x" for each material m when m.quantity > 1000000 then review "over 1000000" }
rule bigger { cite "x" for each material m when m.quantity > 1000001 then prohibited "over 1000001" }
)");
  Material m;
  m.quantity = 1000000.5;
  Decision d = p.Evaluate(OneMaterial(m));
  EXPECT_EQ(d.outcome, Outcome::kReview) << d.ToJson();
  ASSERT_EQ(d.reasons.size(), 1u);
  EXPECT_EQ(d.reasons[0].rule, "exp.big");
}

// The class: for pairs of constants that differ in the last bit, or only past the sixth digit,
// a rule per constant; each must see its own.
TEST(Regression, EveryPairOfDistinctConstantsStaysApart) {
  const double pairs[][2] = {
      {1000000, 1000001},
      {0.1, 0.10000001},
      {1e-7, 1.1e-7},
      {9007199254740992.0, 9007199254740994.0},
      {1.0, std::nextafter(1.0, 2.0)},
      {123456.7, 123456.8},
  };
  for (const auto& [lo, hi] : pairs) {
    SCOPED_TRACE(absl::StrCat(lo, " vs ", hi));
    // Literals printed with full precision (17 significant digits).
    char a[64], b[64];
    std::snprintf(a, sizeof a, "%.17g", lo);
    std::snprintf(b, sizeof b, "%.17g", hi);
    Policy p = MustCompile(absl::StrCat(
        "package exp\n",
        "rule lt_hi { cite \"x\" for each material m when m.quantity < ", b, " then review }\n",
        "rule lt_lo { cite \"x\" for each material m when m.quantity < ", a, " then prohibited }\n"));
    Material m;
    m.quantity = lo;  // lo < hi but not lo < lo
    Decision d = p.Evaluate(OneMaterial(m));
    EXPECT_EQ(d.outcome, Outcome::kReview) << d.ToJson();
  }
}

// The repro: a missing `m.unit` was reported as `dry_ice_kg` (the table was indexed by the
// enum's position, and the two orders differed).
TEST(Regression, MissingUnitIsReportedAsUnit) {
  Policy p = MustCompile(R"(package exp
rule u { cite "x" for each material m when m.unit == "mL" then review }
)");
  Decision d = p.Evaluate(OneMaterial(Material{}));
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_THAT(d.errors[0].message, HasSubstr("`materials[0].unit`"));
  EXPECT_THAT(p.ToDot(), HasSubstr("\".unit\""));
  EXPECT_THAT(p.ToDot(), ::testing::Not(HasSubstr("dry_ice_kg")));
}

// The class: every attribute of the schema, read where the request does not give it, is named as
// itself in the error, and its vertex is labelled with its own name.
TEST(Regression, EveryAttributeIsNamedAsItself) {
  int checked = 0;
  for (const AttrInfo& a : Attributes()) {
    if (!a.is_attribute() || a.required || a.storage == internal::Storage::kDerived) continue;
    if (a.source != internal::Attr::kCount) continue;  // origin falls back to exporter.country
    SCOPED_TRACE(std::string(a.name));
    const std::string name(a.name);
    std::string read = a.owner == Owner::kMaterial ? "m." + name
                       : a.owner == Owner::kParty  ? "p." + name
                                                   : name;
    // A condition that reads the attribute and cannot be decided without it.
    std::string cond;
    switch (a.type) {
      case internal::Type::kNumber: cond = read + " > 0"; break;
      case internal::Type::kBool: cond = read + " == true"; break;
      case internal::Type::kString:
        cond = absl::StrCat(read, " == \"", a.vocabulary.empty() ? "z" : std::string(a.vocabulary[0]), "\"");
        break;
      case internal::Type::kStringList: cond = "\"z\" in " + read; break;
      default: cond = absl::StrCat("any(x in ", read, ": true)"); break;
    }
    if (a.owner == Owner::kParty) cond = absl::StrCat("any(p in parties: ", cond, ")");
    const std::string rule = absl::StrCat("package exp\nrule r { cite \"x\" ",
                                          a.owner == Owner::kMaterial ? "for each material m " : "",
                                          "when ", cond, " then review }\n");
    Policy p = MustCompile(rule);
    Request r = OneMaterial(Material{});
    r.exporter.emplace();
    r.end_user.emplace();
    r.data.emplace();
    if (a.attr != internal::Attr::kParties) {
      r.parties.emplace().push_back({"consignee", std::nullopt, std::nullopt});
    }
    Decision d = p.Evaluate(r);
    ASSERT_EQ(d.errors.size(), 1u) << d.ToJson();
    EXPECT_EQ(d.errors[0].code, "missing_field");
    EXPECT_THAT(d.errors[0].message, HasSubstr(absl::StrCat(
        a.owner == Owner::kMaterial ? "materials[0]." : "", name, "`")));
    std::string label = a.owner == Owner::kRequest ? absl::StrCat("\"", name, "\"")
                                                   : absl::StrCat("\".", name, "\"");
    EXPECT_THAT(p.ToDot(), HasSubstr(label));
    ++checked;
  }
  EXPECT_GE(checked, 20);
}

// A listener that evaluates again, on the same thread, while the outer evaluation runs.
class ReentrantListener : public TraceListener {
 public:
  ReentrantListener(const Policy& policy, Request other) : policy_(policy), other_(std::move(other)) {}
  void OnRule(const RuleTrace&) override {
    inner_ = policy_.Evaluate(other_);
    Verdict v;
    policy_.Decide(other_, &v);
    ++calls_;
  }
  int calls() const { return calls_; }
  const Decision& inner() const { return inner_; }

 private:
  const Policy& policy_;
  Request other_;
  Decision inner_;
  int calls_ = 0;
};

// The repro: scratch was thread_local, so the inner evaluation cleared the outer one's hits and
// `prohibited` came out `permitted`.
TEST(Regression, ListenerThatEvaluatesAgainDoesNotChangeTheOuterDecision) {
  Policy p = MustCompile(R"(package exp
set embargoed = {IR, KP}
rule embargo { cite "x" when route.destination in embargoed then prohibited }
rule big { cite "x" for each material m when m.quantity is known and m.quantity > 10 then review }
rule later { cite "x" when route.origin == "US" then condition "keep records" }
)");
  Request outer = OneMaterial(Material{});
  outer.route = {"US", "IR"};
  outer.materials[0].quantity = 100;
  Request harmless = OneMaterial(Material{});
  harmless.route = {"FR", "DE"};
  const Decision alone = p.Evaluate(outer);
  ASSERT_EQ(alone.outcome, Outcome::kProhibited);

  ReentrantListener listener(p, harmless);
  EvaluateOptions options;
  options.trace = &listener;
  Decision traced = p.Evaluate(outer, options);
  EXPECT_GE(listener.calls(), 3);
  EXPECT_EQ(traced.ToJson(), alone.ToJson());
  EXPECT_EQ(listener.inner().outcome, Outcome::kPermitted);
  Verdict v;
  p.Decide(outer, &v, options);
  EXPECT_EQ(v.outcome, Outcome::kProhibited);
  EXPECT_EQ(v.rules.size(), 3u);
}

TEST(Regression, UnitHasAClosedVocabulary) {
  auto decode = [](std::string unit) {
    return Request::FromJson(absl::StrCat(
        R"({"id":"u","date":"2026-11-25","route":["US","DE"],"materials":[{"id":"m","unit":")",
        unit, R"("}]})"));
  };
  for (const char* ok : {"uL", "mL", "L", "ug", "mg", "g", "kg", "each", "unit", "units", "vial",
                         "vials", "tube", "tubes", "kit", "kits", "box", "boxes"}) {
    EXPECT_TRUE(decode(ok).ok()) << ok;
  }
  absl::StatusOr<Request> bad = decode("furlongs");
  ASSERT_FALSE(bad.ok());
  std::optional<RequestError> error = RequestError::FromStatus(bad.status());
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, "invalid_value");
  EXPECT_EQ(error->path, "$.materials[0].unit");
  EXPECT_THAT(error->message, HasSubstr("furlongs"));
  // A request built in C++ is held to the same vocabulary when evaluated.
  Material m;
  m.unit = "furlongs";
  Decision d = MustCompile("package e\n").Evaluate(OneMaterial(m));
  EXPECT_EQ(d.outcome, Outcome::kReview);
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_EQ(d.errors[0].code, "invalid_request");
}

TEST(Regression, RequestErrorIsTyped) {
  absl::StatusOr<Request> r = Request::FromJson(
      R"({"id":"x","date":"2026-11-25","route":["US","DE"],"materials":[{"id":"a"},{"id":"b","quantity":"1"}]})");
  ASSERT_FALSE(r.ok());
  std::optional<RequestError> e = RequestError::FromStatus(r.status());
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "invalid_type");
  EXPECT_EQ(e->path, "$.materials[1].quantity");
  EXPECT_EQ(e->message, "expected number");
  EXPECT_FALSE(RequestError::FromStatus(absl::OkStatus()).has_value());
  EXPECT_FALSE(RequestError::FromStatus(absl::NotFoundError("x")).has_value());
}

// A Verdict outlives the policy that decided it.
TEST(Regression, VerdictOutlivesThePolicy) {
  Verdict v;
  std::vector<std::string> ids;
  {
    Policy p = MustCompile(R"(package exp
rule a { cite "x" when route.destination == "DE" then review }
rule b { cite "x" when route.origin == "US" then prohibited }
)");
    p.Decide(OneMaterial(Material{}), &v);
    for (std::uint32_t r : v.rules) ids.push_back(p.rule_id(r));
  }
  EXPECT_EQ(v.outcome, Outcome::kProhibited);
  EXPECT_EQ(v.rules, (std::vector<std::uint32_t>{0, 1}));
  EXPECT_EQ(ids, (std::vector<std::string>{"exp.a", "exp.b"}));
}

}  // namespace
}  // namespace exportctl
