// screen() in the rule language: checking, evaluation against loaded lists, failing closed
// without them, the explicit opt-out, and the decision's `screening` report and policy block.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "exportctl/exportctl.h"
#include "tests/test_util.h"

namespace exportctl {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::DiagnosticCodes;
using testing::MustCompile;
using testing::SourceDir;

const Lists& TestLists() {
  static const Lists* lists = [] {
    absl::StatusOr<Lists> l =
        Lists::Load({SourceDir() + "/tests/data/screening/language-lists.json@2026-11-01"});
    if (!l.ok()) ADD_FAILURE() << l.status();
    return l.ok() ? new Lists(*std::move(l)) : nullptr;
  }();
  return *lists;
}

constexpr char kPack[] = R"(package scr
rule el {
  cite "15 CFR 744.11"
  when screen(end_user, {EL}) >= 92
  then license_required authority "BIS" basis "Entity List"
}
rule sdn_party {
  cite "31 CFR 501"
  when parties is known and any(p in parties: screen(p, {SDN}) >= 92)
  then prohibited "blocked"
}
rule possible {
  cite "x"
  when screen(end_user) >= 85 and screen(end_user) < 92
  then review "confirm or clear"
}
)";

Request MakeRequest(std::string end_user) {
  Request r;
  r.id = "S-1";
  r.date = "2026-11-25";
  r.route = {"US", "CN"};
  r.end_user = EndUser{std::move(end_user), "CN", std::nullopt, std::nullopt, std::nullopt};
  Material m;
  m.id = "m1";
  r.materials.push_back(m);
  return r;
}

EvaluateOptions WithLists() {
  EvaluateOptions o;
  o.lists = &TestLists();
  return o;
}

TEST(ScreenChecking, GoodCallsCompile) {
  EXPECT_THAT(DiagnosticCodes(kPack), ::testing::IsEmpty());
}

TEST(ScreenChecking, BadCallsAreDiagnosedWithStableCodes) {
  auto codes = [](const std::string& when) {
    return DiagnosticCodes("package x\nrule r { cite \"c\" when " + when + " then review }\n");
  };
  EXPECT_THAT(codes("scren(end_user) > 1"), ElementsAre("error:unknown_function"));
  EXPECT_THAT(codes("screen(end_user, {SDX}) > 1"), ElementsAre("error:unknown_value"));
  EXPECT_THAT(codes("screen(end_user.name) > 1"), ElementsAre("error:type_mismatch"));
  EXPECT_THAT(codes("any(m in materials: screen(m) > 1)"), ElementsAre("error:type_mismatch"));
  EXPECT_THAT(codes("screen(\"x\") > 1"), ElementsAre("error:type_mismatch"));
  EXPECT_THAT(codes("screen(end_user, \"SDN\") > 1"), ElementsAre("error:type_mismatch"));
  EXPECT_THAT(codes("screen(end_user, {SDN}, {EL}) > 1"), ElementsAre("error:wrong_arguments"));
  EXPECT_THAT(codes("screen(end_user) == \"SDN\""), ElementsAre("error:type_mismatch"));
  EXPECT_THAT(codes("screen(nobody) > 1"), ElementsAre("error:unknown_name"));
  EXPECT_THAT(codes("screen(end_user)"), ElementsAre("error:type_mismatch"));
  // Scores under the floor (85) read 0: a threshold there would never see what it asks about.
  EXPECT_THAT(codes("screen(end_user) >= 80"), ElementsAre("error:screen_threshold"));
  EXPECT_THAT(codes("50 < screen(end_user)"), ElementsAre("error:screen_threshold"));
  EXPECT_THAT(codes("screen(end_user) > 0"), ::testing::IsEmpty());
  EXPECT_THAT(codes("screen(end_user) >= 85"), ::testing::IsEmpty());
  EXPECT_THAT(codes("screen(end_user, {}) >= 92"), ElementsAre("error:unknown_value"));
}

TEST(ScreenChecking, DidYouMean) {
  std::vector<Diagnostic> diagnostics;
  (void)Policy::CompileSources(
      {{"t.ecr", "package x\nrule r { cite \"c\" when screen(end_user, {SDX}) > 1 then review }\n"}},
      &diagnostics);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_THAT(diagnostics[0].help, HasSubstr("SDN"));
}

TEST(Screen, ExactNameOnTheListedListFires) {
  Policy p = MustCompile(kPack);
  Decision d = p.Evaluate(MakeRequest("Harbin Vector Bioreagents Institute"), WithLists());
  EXPECT_EQ(d.outcome, Outcome::kLicenseRequired) << d.ToJson();
  ASSERT_EQ(d.screening.size(), 1u) << d.ToJson();
  const ScreeningMatch& m = d.screening[0];
  EXPECT_EQ(m.party, "end_user");
  EXPECT_EQ(m.name, "Harbin Vector Bioreagents Institute");
  EXPECT_EQ(m.list, "EL");
  EXPECT_EQ(m.entry, "T-EL-1");
  EXPECT_EQ(m.alias, "Harbin Vector Bioreagents Institute");
  EXPECT_GE(m.score, 92);
  EXPECT_EQ(m.rule, "scr.el");
  EXPECT_EQ(d.screening_status, "on");
  ASSERT_EQ(d.lists.size(), 1u);
  EXPECT_EQ(d.lists[0].code, "CSL");
  EXPECT_EQ(d.lists[0].date, "2026-11-01");
  EXPECT_THAT(d.lists[0].digest, ::testing::StartsWith("sha256:"));
  const std::string json = d.ToJson();
  EXPECT_THAT(json, HasSubstr(R"("screening":[{"party":"end_user","name":"Harbin Vector )"));
  EXPECT_THAT(json, HasSubstr(R"("lists":[{"code":"CSL","date":"2026-11-01","digest":"sha256:)"));
}

TEST(Screen, AnAliasMatchReportsTheAlias) {
  Policy p = MustCompile(kPack);
  Decision d = p.Evaluate(MakeRequest("Harbin Vector Institute of Bioreagents"), WithLists());
  EXPECT_EQ(d.outcome, Outcome::kLicenseRequired) << d.ToJson();
  ASSERT_EQ(d.screening.size(), 1u);
  EXPECT_EQ(d.screening[0].alias, "Harbin Vector Institute of Bioreagents");
}

TEST(Screen, ListCodesRestrictTheMatch) {
  // Listed on the SDN only: the EL rule does not fire, the possible-match rule sees nothing in
  // the 85-92 band, so nothing fires.
  Policy p = MustCompile(
      "package x\nrule el { cite \"c\" when screen(end_user, {EL}) >= 92 then review }\n"
      "rule sdn { cite \"c\" when screen(end_user, {SDN}) >= 92 then prohibited }\n");
  Decision d = p.Evaluate(MakeRequest("Qasr Trading Company"), WithLists());
  EXPECT_EQ(d.outcome, Outcome::kProhibited) << d.ToJson();
  ASSERT_EQ(d.reasons.size(), 1u);
  EXPECT_EQ(d.reasons[0].rule, "x.sdn");
}

TEST(Screen, CleanNamePermitted) {
  Policy p = MustCompile(kPack);
  Decision d = p.Evaluate(MakeRequest("Karolinska University Hospital"), WithLists());
  EXPECT_EQ(d.outcome, Outcome::kPermitted) << d.ToJson();
  EXPECT_TRUE(d.screening.empty());
  EXPECT_EQ(d.lists.size(), 1u);  // still says what it was screened against
}

TEST(Screen, WithoutListsFailsClosed) {
  Policy p = MustCompile(kPack);
  Decision d = p.Evaluate(MakeRequest("Karolinska University Hospital"));
  EXPECT_EQ(d.outcome, Outcome::kReview);
  ASSERT_FALSE(d.errors.empty());
  EXPECT_EQ(d.errors[0].code, "not_screened");
  EXPECT_EQ(d.screening_status, "no_lists");
  Verdict v;
  p.Decide(MakeRequest("Karolinska University Hospital"), &v);
  EXPECT_EQ(v.outcome, Outcome::kReview);
  EXPECT_TRUE(v.errors);
}

TEST(Screen, ExplicitOptOutIsSaid) {
  Policy p = MustCompile(kPack);
  EvaluateOptions o;
  o.no_screening = true;
  Decision d = p.Evaluate(MakeRequest("Harbin Vector Bioreagents Institute"), o);
  EXPECT_EQ(d.outcome, Outcome::kPermitted) << d.ToJson();
  EXPECT_EQ(d.screening_status, "off");
  EXPECT_THAT(d.ToJson(), HasSubstr(R"("screening":"off")"));
}

TEST(Screen, PartiesAreScreenedAndNamedByIndex) {
  Policy p = MustCompile(kPack);
  Request r = MakeRequest("Karolinska University Hospital");
  r.parties = std::vector<Party>{{"freight_forwarder", "Nordic Cold Chain AB", "SE"},
                                 {"consignee", "QASR TRADING CO.", "IR"}};
  Decision d = p.Evaluate(r, WithLists());
  EXPECT_EQ(d.outcome, Outcome::kProhibited) << d.ToJson();
  ASSERT_EQ(d.screening.size(), 1u) << d.ToJson();
  EXPECT_EQ(d.screening[0].party, "parties[1]");
  EXPECT_EQ(d.screening[0].name, "QASR TRADING CO.");
  EXPECT_EQ(d.screening[0].entry, "T-SDN-1");
  EXPECT_EQ(d.screening[0].rule, "scr.sdn_party");
}

TEST(Screen, AnUnnamedPartyCannotBeScreened) {
  Policy p = MustCompile(kPack);
  Request r = MakeRequest("Karolinska University Hospital");
  r.parties = std::vector<Party>{{"consignee", std::nullopt, "SE"}};
  Decision d = p.Evaluate(r, WithLists());
  EXPECT_EQ(d.outcome, Outcome::kReview) << d.ToJson();
  ASSERT_FALSE(d.errors.empty());
  EXPECT_EQ(d.errors[0].code, "missing_field");
  EXPECT_THAT(d.errors[0].message, HasSubstr("parties[0].name"));

  Request no_end_user = MakeRequest("x");
  no_end_user.end_user.reset();
  d = p.Evaluate(no_end_user, WithLists());
  EXPECT_EQ(d.outcome, Outcome::kReview);
  ASSERT_FALSE(d.errors.empty());
  EXPECT_THAT(d.errors[0].message, HasSubstr("`end_user`"));

  Request blank = MakeRequest(" -- ");
  d = p.Evaluate(blank, WithLists());
  EXPECT_EQ(d.outcome, Outcome::kReview);
  EXPECT_THAT(d.errors[0].message, HasSubstr("end_user.name"));
}

TEST(Screen, DecideAgreesWithEvaluate) {
  Policy p = MustCompile(kPack);
  for (const char* name : {"Harbin Vector Bioreagents Institute", "HVBI", "Qasr Trading Company",
                           "Karolinska University Hospital", "Harbin Vectr Bioreagent Institute"}) {
    Request r = MakeRequest(name);
    Verdict v;
    p.Decide(r, &v, WithLists());
    EXPECT_EQ(v.outcome, p.Evaluate(r, WithLists()).outcome) << name;
  }
}

TEST(Screen, ListsReportWhatTheyLoaded) {
  ASSERT_EQ(TestLists().info().size(), 1u);
  const ListInfo& info = TestLists().info()[0];
  EXPECT_EQ(info.entries, 3u);
  EXPECT_EQ(info.aliases, 2u);
  EXPECT_EQ(info.format, "csl-json");
  std::vector<ListMatch> m = TestLists().Screen("harbin vector bioreagents institute");
  ASSERT_FALSE(m.empty());
  EXPECT_EQ(m[0].entry, "T-EL-1");
  EXPECT_EQ(m[0].list, "EL");
  EXPECT_EQ(m[0].license_requirement, "For all items subject to the EAR.");
  ScreenOptions only_sdn;
  only_sdn.lists = {"SDN"};
  EXPECT_TRUE(TestLists().Screen("harbin vector bioreagents institute", only_sdn).empty());
}

// The standard pack's near-exact threshold and the matcher's country floor are one number: a
// near-exact name whose listed country differs from the party's still fires the pack's rule.
TEST(StandardScreeningPack, CountryNeverHidesANearExactMatch) {
  std::vector<Diagnostic> diagnostics;
  absl::StatusOr<Policy> pack = Policy::Compile({SourceDir() + "/rules/screening"}, &diagnostics);
  ASSERT_TRUE(pack.ok()) << pack.status();
  absl::StatusOr<Lists> bundled = Lists::Load({SourceDir() + "/lists"});
  ASSERT_TRUE(bundled.ok()) << bundled.status();
  EvaluateOptions o;
  o.lists = &*bundled;
  Request r = MakeRequest("Northwind Biotech Research Institute");  // listed in CN
  r.exporter = Exporter{"Acme Clinical Labs", "US"};
  for (const char* country : {"CN", "DE", "BR"}) {
    r.end_user->country = country;
    Decision d = pack->Evaluate(r, o);
    EXPECT_EQ(d.outcome, Outcome::kLicenseRequired) << country << ": " << d.ToJson();
    ASSERT_EQ(d.screening.size(), 1u) << country;
    EXPECT_EQ(d.screening[0].rule, "screening.parties.end_user_entity_list");
  }
}

// Only the matches a fired rule relied on are reported: the possible-match rule below is not
// credited with the listed consignee's exact match, only with the possible one.
TEST(Screen, ReportsOnlyTheMatchesARuleReliedOn) {
  Policy p = MustCompile(
      "package x\nrule possible { cite \"c\" when parties is known and any(p in parties: "
      "screen(p) >= 85 and screen(p) < 92) then review }\n"
      "rule blocked { cite \"c\" when parties is known and any(p in parties: "
      "screen(p, {SDN}) >= 92) then prohibited }\n");
  Request r = MakeRequest("Karolinska University Hospital");
  r.parties = std::vector<Party>{{"consignee", "Qasr Trading Company", "IR"},
                                 {"freight_forwarder", "Harbin Bioreagents Institute", "CN"}};
  Decision d = p.Evaluate(r, WithLists());
  EXPECT_EQ(d.outcome, Outcome::kProhibited);
  std::vector<std::string> got;
  for (const ScreeningMatch& m : d.screening) got.push_back(m.rule + " " + m.party + " " + m.entry);
  EXPECT_THAT(got, ::testing::UnorderedElementsAre("x.possible parties[1] T-EL-1",
                                                   "x.blocked parties[0] T-SDN-1"))
      << d.ToJson();
}

// A name with nothing a list could match (punctuation, spaces of any script, a dash) is no name:
// the party cannot be screened.
TEST(Screen, NamesWithNothingToMatchAreMissing) {
  Policy p = MustCompile(kPack);
  for (const char* name : {"\u2014", "\u00a0", "\u3002", "\u200b", " . ", "--"}) {
    Decision d = p.Evaluate(MakeRequest(name), WithLists());
    EXPECT_EQ(d.outcome, Outcome::kReview) << name;
    ASSERT_FALSE(d.errors.empty()) << name;
    EXPECT_EQ(d.errors[0].code, "missing_field") << name;
  }
}

// A call for lists none of which is loaded screens nothing: it fails closed.
TEST(Screen, ListsNotLoadedFailClosed) {
  absl::StatusOr<Lists> sdn_only = Lists::Load({SourceDir() + "/tests/data/lists/sdn_small.csv"});
  ASSERT_TRUE(sdn_only.ok()) << sdn_only.status();
  EvaluateOptions o;
  o.lists = &*sdn_only;
  Policy p = MustCompile(kPack);
  Decision d = p.Evaluate(MakeRequest("Harbin Vector Bioreagents Institute"), o);
  EXPECT_EQ(d.outcome, Outcome::kReview) << d.ToJson();
  ASSERT_FALSE(d.errors.empty());
  EXPECT_EQ(d.errors[0].code, "not_screened");
  EXPECT_EQ(d.errors[0].rule, "scr.el");
}

TEST(Screen, EmptyListsAreRefused) {
  absl::StatusOr<Lists> none = Lists::Load({});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(ListError::FromStatus(none.status())->code, "list_unreadable");
  const std::string empty = ::testing::TempDir() + "/empty-list.json";
  std::ofstream(empty) << R"({"results": []})";
  absl::StatusOr<Lists> l = Lists::Load({empty});
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(ListError::FromStatus(l.status())->code, "list_empty");
}

TEST(Screen, BadListsAreRefusedWithACode) {
  absl::StatusOr<Lists> l = Lists::Load({SourceDir() + "/tests/data/screening/no-such-file.csv"});
  ASSERT_FALSE(l.ok());
  std::optional<ListError> e = ListError::FromStatus(l.status());
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "list_unreadable");
  EXPECT_THAT(e->message, HasSubstr("no-such-file.csv"));
}

}  // namespace
}  // namespace exportctl
