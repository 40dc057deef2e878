// The license repository: loading, and every way a repository is refused (licenses.h).

#include "exportctl/licenses.h"

#include <algorithm>
#include <fstream>
#include <functional>
#include <random>

#include "absl/strings/str_cat.h"

#include "exportctl/exportctl.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace exportctl {
namespace {

using ::testing::HasSubstr;

constexpr char kRecord[] =
    R"({"id": "D1234567", "authority": "BIS", "type": "individual", "basis": ["CB2"],)"
    R"( "holder": "Northfield Clinical Supply Inc.", "items": ["1C351.a.*", "1C353"],)"
    R"( "destinations": ["BR", "IN"], "end_users": ["Instituto Nacional de Infectologia"],)"
    R"( "valid_from": "2026-01-15", "valid_to": "2027-01-14",)"
    R"( "quantity": {"limit": 500, "unit": "mL"}, "reexport": false,)"
    R"( "conditions": ["no re-transfer without BIS authorization"]})";

TEST(LicensesTest, LoadsJsonLinesAndArrays) {
  const std::string lines = std::string(kRecord) + "\n\n" +
      R"({"id": "EU-1", "authority": "DE-BAFA", "valid_from": "2026-01-01", "valid_to": "2026-12-31"})" + "\n";
  absl::StatusOr<Licenses> a = Licenses::FromJson(lines, "book.jsonl");
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_EQ(a->all().size(), 2u);
  const License* l = a->Find("D1234567");
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(l->authority, "BIS");
  EXPECT_EQ(l->basis, std::vector<std::string>{"CB2"});
  EXPECT_EQ(l->destinations, (std::vector<std::string>{"BR", "IN"}));
  ASSERT_TRUE(l->quantity.has_value());
  EXPECT_EQ(l->quantity->limit, 500);
  EXPECT_EQ(l->quantity->unit, "mL");
  EXPECT_EQ(l->reexport, std::optional<bool>(false));
  EXPECT_EQ(l->source, "book.jsonl:1");
  EXPECT_EQ(a->Find("EU-1")->source, "book.jsonl:3");
  EXPECT_FALSE(a->Find("EU-1")->quantity.has_value());
  EXPECT_EQ(a->Find("nope"), nullptr);

  absl::StatusOr<Licenses> b = Licenses::FromJson(std::string("[") + kRecord + "]", "book.json");
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->Find("D1234567")->source, "book.json $[0]");
  EXPECT_TRUE(Licenses::FromJson("", "empty.jsonl").ok());
  EXPECT_TRUE(Licenses::FromJson("[]", "empty.json").ok());
}

struct Bad {
  std::string json;
  std::string code;
  std::string where;
};

TEST(LicensesTest, MalformedRepositoriesAreRefusedWithPathAndCode) {
  const std::string ok_dates = R"("valid_from": "2026-01-01", "valid_to": "2026-12-31")";
  const std::vector<Bad> cases = {
      {"{not json", "license_malformed", "f:1: not valid JSON"},
      {"[1, 2", "license_malformed", "f: not valid JSON"},
      {R"({"id": "a", "authority": "BIS", )" + ok_dates + R"(, "colour": "red"})",
       "license_unknown_field", "f:1: $.colour"},
      {R"({"id": 7, "authority": "BIS", )" + ok_dates + "}", "license_invalid_type", "f:1: $.id"},
      {R"({"authority": "BIS", )" + ok_dates + "}", "license_missing_field", "f:1: $.id"},
      {R"({"id": "a", )" + ok_dates + "}", "license_missing_field", "f:1: $.authority"},
      {R"({"id": "a", "authority": "BIS", "valid_from": "2026-01-01"})", "license_missing_field",
       "f:1: $.valid_to"},
      {R"({"id": "a", "authority": "BIS", "valid_from": "2026-02-30", "valid_to": "2026-12-31"})",
       "license_invalid_date", "f:1: $.valid_from"},
      {R"({"id": "a", "authority": "BIS", "valid_from": "2026-12-31", "valid_to": "2026-01-01"})",
       "license_invalid_value", "f:1: $.valid_to"},
      {R"({"id": "a", "authority": "BIS", )" + ok_dates + R"(, "destinations": ["BR", "XX"]})",
       "license_invalid_value", "f:1: $.destinations[1]"},
      {R"({"id": "a", "authority": "BIS", )" + ok_dates + R"(, "basis": ["CB2", 3]})",
       "license_invalid_type", "f:1: $.basis[1]"},
      {R"({"id": "a", "authority": "BIS", )" + ok_dates + R"(, "quantity": {"limit": -1, "unit": "mL"}})",
       "license_invalid_value", "f:1: $.quantity.limit"},
      {R"({"id": "a", "authority": "BIS", )" + ok_dates + R"(, "quantity": {"limit": 1, "unit": "pints"}})",
       "license_invalid_value", "f:1: $.quantity.unit"},
      {R"({"id": "a", "authority": "BIS", )" + ok_dates + R"(, "quantity": {"limit": 1}})",
       "license_missing_field", "f:1: $.quantity.unit"},
      {R"({"id": "a", "authority": "BIS", )" + ok_dates + R"(, "reexport": "no"})",
       "license_invalid_type", "f:1: $.reexport"},
      {R"({"id": "a", "authority": "BIS", "authority": "OFAC", )" + ok_dates + "}",
       "license_malformed", "f:1: $.authority"},
      {R"({"id": "", "authority": "BIS", )" + ok_dates + "}", "license_invalid_value", "f:1: $.id"},
      {"[\"x\"]", "license_invalid_type", "f $[0]"},
      {R"({"id": "a", "authority": "BIS", )" + ok_dates + "}\n" + R"({"id": "a", "authority": "OFAC", )" +
           ok_dates + "}",
       "license_duplicate_id", "f:2: $.id"},
  };
  for (const Bad& c : cases) {
    SCOPED_TRACE(c.json);
    absl::StatusOr<Licenses> r = Licenses::FromJson(c.json, "f");
    ASSERT_FALSE(r.ok());
    std::optional<LicenseError> e = LicenseError::FromStatus(r.status());
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->code, c.code);
    EXPECT_THAT(e->message, HasSubstr(c.where));
  }
}

TEST(LicensesTest, UnreadableAndExampleFiles) {
  absl::StatusOr<Licenses> r = Licenses::Load("/nonexistent/licenses.jsonl");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(LicenseError::FromStatus(r.status())->code, "license_unreadable");
  absl::StatusOr<Licenses> ex =
      Licenses::Load(std::string(EXPORTCTL_SOURCE_DIR) + "/rules/examples/licenses/licenses.jsonl");
  ASSERT_TRUE(ex.ok()) << ex.status();
  EXPECT_GE(ex->all().size(), 3u);
}

}  // namespace
}  // namespace exportctl

// --- Does a license cover a shipment? (EvaluateOptions::licenses) ---------------------------

namespace exportctl {
namespace {

const char kPack[] = R"ecr(package lic
rule cb2 {
  cite "x"
  for each material m
  when m.eccn? matches "1C351*"
  then license_required authority "BIS" basis "CB2"
}
rule eu {
  cite "x"
  for each material m
  when m.eu_dual_use? matches "1C351*"
  then license_required authority "EU member state competent authority" basis "2021/821 Art. 3(1)"
}
rule unsure {
  cite "x"
  for each material m
  when m.category? == "toxin"
  then review "check"
}
)ecr";

const Policy& Pack() {
  static const Policy* p = [] {
    absl::StatusOr<Policy> c = Policy::CompileSources({{"lic.ecr", kPack}});
    if (!c.ok()) std::abort();
    return new Policy(*std::move(c));
  }();
  return *p;
}

const char kRepo[] =
    R"({"id": "L1", "authority": "BIS", "basis": ["CB2"], "items": ["1C351.a.*"], "destinations": ["BR", "CL"],)"
    R"( "end_users": ["Instituto Nacional de Infectologia"], "valid_from": "2026-01-15", "valid_to": "2027-01-14",)"
    R"( "quantity": {"limit": 500, "unit": "mL"}, "reexport": false, "conditions": ["report each shipment"]})" "\n"
    R"({"id": "L2", "authority": "OFAC", "valid_from": "2026-01-01", "valid_to": "2027-12-31"})" "\n"
    R"({"id": "L3", "authority": "DE-BAFA", "valid_from": "2026-01-01", "valid_to": "2027-12-31"})" "\n"
    R"({"id": "L4", "authority": "BIS", "basis": ["CB1"], "valid_from": "2026-01-01", "valid_to": "2027-12-31"})" "\n"
    R"({"id": "L5", "authority": "CH-SECO", "valid_from": "2026-01-01", "valid_to": "2027-12-31"})" "\n";

const Licenses& Repo() {
  static const Licenses* r = new Licenses(*Licenses::FromJson(kRepo, "repo.jsonl"));
  return *r;
}

// A CB2 shipment L1 covers; `edit` changes it.
Request Shipment() {
  Request r;
  r.id = "S";
  r.date = "2026-06-01";
  r.route = {"US", "BR"};
  r.end_user = EndUser{"Instituto Nacional de Infectologia", "BR", std::nullopt, std::nullopt, std::nullopt};
  r.licenses = std::vector<std::string>{"L1"};
  Material m;
  m.id = "m1";
  m.eccn = "1C351.a.34";
  m.quantity = 2;
  m.unit = "mL";
  r.materials.push_back(m);
  return r;
}

Decision Judge(const Request& r) {
  EvaluateOptions o;
  o.licenses = &Repo();
  return Pack().Evaluate(r, o);
}

std::vector<std::string> Reasons(const Decision& d) {
  for (const LicenseCheck& c : d.license_checks) {
    if (!c.covers) return c.reasons;
  }
  return {};
}

TEST(LicenseMatchTest, ACoveringLicenseMeetsTheRequirement) {
  Decision d = Judge(Shipment());
  EXPECT_EQ(d.outcome, Outcome::kPermittedWithConditions) << d.ToJson();
  ASSERT_EQ(d.licenses_used.size(), 1u);
  EXPECT_EQ(d.licenses_used[0].license, "L1");
  EXPECT_EQ(d.licenses_used[0].basis, "CB2");
  EXPECT_EQ(d.licenses_used[0].remaining, std::optional<double>(498));
  ASSERT_EQ(d.license_checks.size(), 1u);
  EXPECT_TRUE(d.license_checks[0].covers);
  EXPECT_TRUE(std::any_of(d.conditions.begin(), d.conditions.end(),
                          [](const Condition& c) { return c.text == "report each shipment"; }));
  EXPECT_THAT(d.ToJson(), HasSubstr(R"("licenses_used":[{"license":"L1","authority":"BIS","basis":"CB2","materials":["m1"],"remaining":{"quantity":498,"unit":"mL"}}])"));
  // Without a repository the decision is as before, its JSON without the license keys.
  Decision plain = Pack().Evaluate(Shipment());
  EXPECT_EQ(plain.outcome, Outcome::kLicenseRequired);
  EXPECT_THAT(plain.ToJson(), ::testing::Not(HasSubstr("license_checks")));
  // Decide agrees with Evaluate.
  Verdict v;
  EvaluateOptions o;
  o.licenses = &Repo();
  Pack().Decide(Shipment(), &v, o);
  EXPECT_EQ(v.outcome, Outcome::kPermittedWithConditions);
}

TEST(LicenseMatchTest, EachReasonAloneAndTogether) {
  struct Case {
    std::string name;
    std::function<void(Request&)> edit;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"item", [](Request& r) { r.materials[0].eccn = "1C351.c.2"; }, "item 1C351.c.2 not listed"},
      {"destination", [](Request& r) { r.route = {"US", "AR"}; r.end_user->country = "AR"; }, "destination AR not listed"},
      {"re-export", [](Request& r) { r.end_user->country = "CL"; }, "re-export to CL not authorized"},
      {"end user", [](Request& r) { r.end_user->name = "Another Lab"; }, "end user Another Lab not listed"},
      {"day before", [](Request& r) { r.date = "2026-01-14"; }, "not valid before 2026-01-15"},
      {"day after", [](Request& r) { r.date = "2027-01-15"; }, "expired on 2027-01-14"},
      {"quantity", [](Request& r) { r.materials[0].quantity = 0.6; r.materials[0].unit = "L"; },
       "quantity 0.6 L exceeds the 500 mL remaining"},
      {"units", [](Request& r) { r.materials[0].unit = "g"; }, "unit g cannot be compared with the license's mL"},
      {"no quantity", [](Request& r) { r.materials[0].quantity.reset(); }, "quantity not given (the license has a cap)"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Request r = Shipment();
    c.edit(r);
    Decision d = Judge(r);
    EXPECT_EQ(d.outcome, Outcome::kLicenseRequired) << d.ToJson();
    EXPECT_EQ(Reasons(d), std::vector<std::string>{c.reason}) << d.ToJson();
    EXPECT_TRUE(d.licenses_used.empty());
  }
  // The first and the last day are inside the window.
  for (const char* day : {"2026-01-15", "2027-01-14"}) {
    Request r = Shipment();
    r.date = day;
    EXPECT_EQ(Judge(r).outcome, Outcome::kPermittedWithConditions) << day;
  }
  // Several at once: every reason, not only the first.
  Request r = Shipment();
  r.date = "2027-03-01";
  r.end_user->name = "Another Lab";
  r.materials[0].quantity = 600;
  EXPECT_EQ(Reasons(Judge(r)), (std::vector<std::string>{"end user Another Lab not listed", "expired on 2027-01-14",
                                                       "quantity 600 mL exceeds the 500 mL remaining"}));
}

TEST(LicenseMatchTest, AuthorityBasisUnknownAndNeverBelowReview) {
  Request r = Shipment();
  r.licenses = std::vector<std::string>{"L2", "nope"};
  Decision d = Judge(r);
  EXPECT_EQ(d.outcome, Outcome::kLicenseRequired);
  ASSERT_EQ(d.license_checks.size(), 2u);
  EXPECT_EQ(d.license_checks[0].reasons[0], "authority OFAC is not BIS");
  EXPECT_EQ(d.license_checks[1].reasons, std::vector<std::string>{"unknown license"});
  // A member state's authority meets the EU rule's requirement.
  Request eu = Shipment();
  eu.materials[0].eccn.reset();
  eu.materials[0].eu_dual_use = "1C351.a.34";
  eu.licenses = std::vector<std::string>{"L3"};
  EXPECT_EQ(Judge(eu).outcome, Outcome::kPermittedWithConditions) << Judge(eu).ToJson();
  // A basis the license does not list; an authority outside the EU for the EU rule.
  Request basis = Shipment();
  basis.licenses = std::vector<std::string>{"L4"};
  EXPECT_EQ(Reasons(Judge(basis)), std::vector<std::string>{"basis CB2 not listed"});
  eu.licenses = std::vector<std::string>{"L5"};
  EXPECT_EQ(Reasons(Judge(eu)),
            std::vector<std::string>{"authority CH-SECO is not EU member state competent authority"});
  EXPECT_EQ(Judge(eu).outcome, Outcome::kLicenseRequired);
  // A license never lowers review.
  Request t = Shipment();
  t.materials[0].category = "toxin";
  Decision rv = Judge(t);
  EXPECT_EQ(rv.outcome, Outcome::kReview);
  EXPECT_TRUE(rv.licenses_used.empty());
  // No license named: the repository's covering licenses are listed, not used.
  Request none = Shipment();
  none.licenses.reset();
  Decision av = Judge(none);
  EXPECT_EQ(av.outcome, Outcome::kLicenseRequired);
  ASSERT_EQ(av.licenses_available.size(), 1u);
  EXPECT_EQ(av.licenses_available[0].license, "L1");
  EXPECT_TRUE(av.licenses_used.empty());
}

// The availability scan reads an index (by authority and destination), not the repository:
// over a generated repository and shipments, the licenses it lists are exactly those that,
// named alone, cover, in repository order.
TEST(LicenseMatchTest, AvailableIsEveryLicenseThatWouldCover) {
  std::mt19937 rng(13);
  auto pick = [&](const std::vector<std::string>& from) { return from[rng() % from.size()]; };
  const std::vector<std::string> authorities = {"BIS", "OFAC", "DE-BAFA", "EU", "NL-CDIU", "US-BIS", "CH-SECO"};
  const std::vector<std::string> countries = {"BR", "CL", "IN", "AR", "DE"};
  const std::vector<std::string> items = {"1C351.a.*", "1C351*", "1C351.c.2", "2B352"};
  std::string text;
  for (int i = 0; i < 300; ++i) {
    text += absl::StrCat(R"({"id": "L)", i, R"(", "authority": ")", pick(authorities), "\"");
    if (rng() % 3) text += absl::StrCat(R"(, "basis": [")", rng() % 2 ? "CB2" : "2021/821 Art. 3(1)", "\"]");
    if (rng() % 3) text += absl::StrCat(R"(, "items": [")", pick(items), R"(", ")", pick(items), "\"]");
    if (rng() % 4) {
      text += absl::StrCat(R"(, "destinations": [")", pick(countries), R"(", ")", pick(countries), "\"]");
    }
    if (rng() % 3 == 0) text += R"(, "end_users": ["Instituto Nacional de Infectologia"])";
    if (rng() % 2) text += R"(, "reexport": true)";
    if (rng() % 3 == 0) text += R"(, "quantity": {"limit": 10, "unit": "mL"})";
    text += rng() % 4 ? R"(, "valid_from": "2026-01-01", "valid_to": "2026-12-31"})"
                      : R"(, "valid_from": "2025-01-01", "valid_to": "2025-12-31"})";
    text += "\n";
  }
  absl::StatusOr<Licenses> repo = Licenses::FromJson(text, "generated.jsonl");
  ASSERT_TRUE(repo.ok()) << repo.status();
  EvaluateOptions o;
  o.licenses = &*repo;
  int listed = 0;
  for (int s = 0; s < 60; ++s) {
    Request r = Shipment();
    r.licenses.reset();
    r.route = {"US", pick(countries)};
    r.end_user->country = rng() % 3 ? r.route.back() : pick(countries);
    if (rng() % 2) r.end_user->name = "Another Lab";
    r.materials[0].eccn = rng() % 2 ? "1C351.a.34" : "1C351.c.2";
    if (rng() % 2) std::swap(r.materials[0].eccn, r.materials[0].eu_dual_use);
    r.materials[0].quantity = rng() % 2 ? 2 : 20;
    const Decision d = Pack().Evaluate(r, o);
    ASSERT_EQ(d.licenses_required.size(), 1u) << d.ToJson();
    std::vector<std::string> available, covering;
    for (const LicenseUse& a : d.licenses_available) available.push_back(a.license);
    for (const License& l : repo->all()) {
      Request named = r;
      named.licenses = std::vector<std::string>{l.id};
      const Decision n = Pack().Evaluate(named, o);
      if (!n.licenses_used.empty()) covering.push_back(l.id);
    }
    EXPECT_EQ(available, covering) << "shipment " << s << ": " << d.ToJson();
    listed += static_cast<int>(available.size());
  }
  EXPECT_GT(listed, 20);  // the generated cases do reach covering licenses
}

}  // namespace
}  // namespace exportctl

namespace exportctl {
namespace {

TEST(LicenseBookTest, DrawsInOrderAndReadsTheLedger) {
  LicenseBook book(Repo());
  EXPECT_EQ(book.Remaining("L1"), std::optional<double>(500));
  EXPECT_EQ(book.Remaining("L2"), std::nullopt);  // no cap
  std::vector<LicenseDraw> draws;
  // Two materials of one shipment draw one after the other: 300 mL then 300 mL of 500.
  Request r = Shipment();
  r.materials[0].quantity = 300;
  Material second = r.materials[0];
  second.id = "m2";
  r.materials.push_back(second);
  Decision d = Pack().Evaluate(r);
  book.Draw(r, &d, &draws);
  ASSERT_EQ(draws.size(), 1u);
  EXPECT_EQ(draws[0].quantity, 300);
  EXPECT_EQ(draws[0].ToJson(), R"({"license":"L1","request":"S","date":"2026-06-01","quantity":300,"unit":"mL"})");
  EXPECT_EQ(book.Remaining("L1"), std::optional<double>(200));
  EXPECT_EQ(d.outcome, Outcome::kLicenseRequired);  // m2 is not covered: 300 > 200
  // Units convert within volume: 0.1 L is 100 mL.
  Request small = Shipment();
  small.materials[0].quantity = 0.1;
  small.materials[0].unit = "L";
  Decision s = Pack().Evaluate(small);
  book.Draw(small, &s, &draws);
  EXPECT_EQ(s.outcome, Outcome::kPermittedWithConditions);
  EXPECT_EQ(book.Remaining("L1"), std::optional<double>(100));

  const std::string dir = ::testing::TempDir();
  auto ledger = [&](const std::string& name, const std::string& text) {
    const std::string path = dir + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  };
  LicenseBook replay(Repo());
  ASSERT_TRUE(replay.LoadLedger(ledger("ok.jsonl", draws[0].ToJson() + "\n\n")).ok());
  EXPECT_EQ(replay.Remaining("L1"), std::optional<double>(200));
  EXPECT_TRUE(LicenseBook(Repo()).LoadLedger(dir + "/absent.jsonl").ok());  // nothing drawn yet
  for (const auto& [text, why] : std::vector<std::pair<std::string, std::string>>{
           {draws[0].ToJson(), "torn line"},
           {"not json\n", "not a draw"},
           {R"({"license":"L2","request":"S","date":"2026-06-01","quantity":1,"unit":"mL"})" "\n", "no capped license"},
           {R"({"license":"L1","request":"S","date":"2026-06-01","quantity":1,"unit":"g"})" "\n", "unit g"},
           {R"({"license":"L1","request":"S","date":"2026-06-01","quantity":-1,"unit":"mL"})" "\n", ">= 0"},
           // Each finite, together past the largest double (once an `inf` balance, not JSON).
           {R"({"license":"L1","request":"S","date":"2026-06-01","quantity":1e308,"unit":"mL"})" "\n"
            R"({"license":"L1","request":"T","date":"2026-06-01","quantity":1e308,"unit":"mL"})" "\n",
            "bad.jsonl:2: the draws on `L1` add up past any quantity"}}) {
    absl::Status st = LicenseBook(Repo()).LoadLedger(ledger("bad.jsonl", text));
    ASSERT_FALSE(st.ok()) << text;
    EXPECT_THAT(std::string(st.message()), HasSubstr(why));
    EXPECT_EQ(LicenseError::FromStatus(st)->code, "license_ledger_invalid");
  }
}

// The status listing is JSON whatever the balances: a draw a billion times a tiny cap is a
// percentage past any double, written as null (it was `inf`).
TEST(LicenseBookTest, StatusJsonStaysJsonForAnyBalance) {
  absl::StatusOr<Licenses> repo = Licenses::FromJson(
      R"({"id": "T", "authority": "BIS", "valid_from": "2026-01-01", "valid_to": "2026-12-31",)"
      R"( "quantity": {"limit": 1e-300, "unit": "mL"}})");
  ASSERT_TRUE(repo.ok()) << repo.status();
  const std::string path = ::testing::TempDir() + "/tiny.jsonl";
  std::ofstream(path, std::ios::binary)
      << R"({"license":"T","request":"S","date":"2026-06-01","quantity":1e10,"unit":"mL"})" "\n";
  LicenseBook book(*repo);
  ASSERT_TRUE(book.LoadLedger(path).ok());
  std::vector<LicenseStatus> statuses = LicenseStatuses(*repo, book, "2026-06-01", 30);
  ASSERT_EQ(statuses.size(), 1u);
  EXPECT_THAT(statuses[0].ToJson(),
              HasSubstr(R"("limit":1e-300,"used":1e+10,"remaining":-1e+10,"percent_used":null,)"));
}

}  // namespace
}  // namespace exportctl
