// Every limit of exportctl/limits.h, at the limit (accepted) and one past it (refused with its
// code), and rule packs built to be slow, which stop at the evaluation budget.

#include "exportctl/limits.h"

#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "exportctl/audit.h"
#include "exportctl/exportctl.h"
#include "exportctl/licenses.h"
#include "src/audit/audit.h"
#include "src/screening/lists.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace exportctl {
namespace {

using ::testing::HasSubstr;

// The codes of the error diagnostics compiling `text` gives.
std::vector<std::string> Errors(const std::string& text) {
  std::vector<Diagnostic> diagnostics;
  (void)Policy::CompileSources({{"limits.ecr", text}}, &diagnostics);
  std::vector<std::string> codes;
  for (const Diagnostic& d : diagnostics) {
    if (d.is_error()) codes.push_back(d.code);
  }
  return codes;
}

bool Has(const std::vector<std::string>& codes, const std::string& code) {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

constexpr char kRule[] = "rule r {\n  cite \"x\"\n  then permitted\n}\n";

TEST(LimitsTest, RuleFileBytes) {
  const std::string head = absl::StrCat("package p\n", kRule, "#");
  std::string at = head + std::string(kMaxRuleFileBytes - head.size() - 1, 'x') + "\n";
  ASSERT_EQ(at.size(), kMaxRuleFileBytes);
  EXPECT_TRUE(Errors(at).empty());
  at.insert(head.size(), "x");
  EXPECT_EQ(Errors(at), std::vector<std::string>{"file_too_large"});
}

TEST(LimitsTest, NestingDepth) {
  // The rule's braces are one level; the parentheses the rest.
  auto pack = [](int parens) {
    return absl::StrCat("package p\nrule r {\n  cite \"x\"\n  when ", std::string(parens, '('),
                        "route.destination == \"BR\"", std::string(parens, ')'),
                        "\n  then permitted\n}\n");
  };
  EXPECT_TRUE(Errors(pack(kMaxNestingDepth - 1)).empty());
  EXPECT_TRUE(Has(Errors(pack(kMaxNestingDepth)), "nesting_too_deep"));
}

TEST(LimitsTest, RulesPerPolicy) {
  auto pack = [](std::size_t n) {
    std::string text = "package p\n";
    text.reserve(n * 40);
    for (std::size_t i = 0; i < n; ++i) absl::StrAppend(&text, "rule r", i, " { cite \"x\" then permitted }\n");
    return text;
  };
  EXPECT_TRUE(Errors(pack(kMaxRules)).empty());
  EXPECT_EQ(Errors(pack(kMaxRules + 1)), std::vector<std::string>{"too_many_rules"});
}

TEST(LimitsTest, SetAndTableEntries) {
  auto set = [](std::size_t n) {
    std::string text = "package p\nset s = {";
    for (std::size_t i = 0; i < n; ++i) absl::StrAppend(&text, i ? ", " : "", "v", i);
    return absl::StrCat(text, "}\nrule r {\n  cite \"x\"\n  when route.destination in s\n  then review\n}\n");
  };
  EXPECT_TRUE(Errors(set(kMaxSetEntries)).empty());
  EXPECT_EQ(Errors(set(kMaxSetEntries + 1)), std::vector<std::string>{"too_many_entries"});
  auto table = [](std::size_t n) {
    std::string text = "package p\ntable t = {\n";
    for (std::size_t i = 0; i < n; ++i) absl::StrAppend(&text, "  k", i, ": {a},\n");
    return absl::StrCat(text, "}\nrule r {\n  cite \"x\"\n  when route.destination in t\n  then review\n}\n");
  };
  EXPECT_TRUE(Errors(table(kMaxSetEntries)).empty());
  EXPECT_EQ(Errors(table(kMaxSetEntries + 1)), std::vector<std::string>{"too_many_entries"});
}

// The request error's code and path, or "ok".
std::string Decode(const std::string& json) {
  Request r;
  const absl::Status st = Request::FromJson(json, &r);
  if (st.ok()) return "ok";
  const std::optional<RequestError> e = RequestError::FromStatus(st);
  return e ? absl::StrCat(e->code, " ", e->path) : std::string(st.message());
}

std::string Shipment(const std::string& extra = "", const std::string& route = R"(["US", "BR"])",
                     const std::string& materials = R"([{"id": "m1"}])") {
  return absl::StrCat(R"({"id": "s", "date": "2026-06-01", "route": )", route,
                      R"(, "materials": )", materials, extra, "}");
}

std::string List(std::size_t n, const std::function<std::string(std::size_t)>& item) {
  std::string out = "[";
  for (std::size_t i = 0; i < n; ++i) absl::StrAppend(&out, i ? "," : "", item(i));
  return out + "]";
}

TEST(LimitsTest, RequestBytesAndStrings) {
  std::string at = Shipment();
  at.append(kMaxRequestBytes - at.size(), ' ');
  EXPECT_EQ(Decode(at), "ok");
  EXPECT_EQ(Decode(at + " "), "too_large $");
  const std::string head = Shipment(R"(, "end_user": {"name": ")");
  EXPECT_EQ(Decode(Shipment(absl::StrCat(R"(, "end_user": {"name": ")", std::string(kMaxStringBytes, 'a'), R"("})"))), "ok");
  EXPECT_EQ(Decode(Shipment(absl::StrCat(R"(, "end_user": {"name": ")", std::string(kMaxStringBytes + 1, 'a'), R"("})"))),
            "too_large $.end_user.name");
}

TEST(LimitsTest, RequestListSizes) {
  const std::vector<std::string> countries = {"BR", "DE", "FR", "NL", "BE", "IT", "ES", "PT"};
  auto route = [&](std::size_t n) {
    return List(n, [&](std::size_t i) { return i == 0 ? std::string("\"US\"") : "\"" + countries[i % countries.size()] + "\""; });
  };
  EXPECT_EQ(Decode(Shipment("", route(kMaxRouteCountries))), "ok");
  EXPECT_EQ(Decode(Shipment("", route(kMaxRouteCountries + 1))), "too_large $.route");
  auto materials = [](std::size_t n) { return List(n, [](std::size_t i) { return absl::StrCat(R"({"id": "m)", i, "\"}"); }); };
  EXPECT_EQ(Decode(Shipment("", R"(["US", "BR"])", materials(kMaxMaterials))), "ok");
  EXPECT_EQ(Decode(Shipment("", R"(["US", "BR"])", materials(kMaxMaterials + 1))), "too_large $.materials");
  auto parties = [](std::size_t n) {
    return absl::StrCat(R"(, "parties": )", List(n, [](std::size_t) { return std::string(R"({"role": "consignee", "name": "A"})"); }));
  };
  EXPECT_EQ(Decode(Shipment(parties(kMaxParties))), "ok");
  EXPECT_EQ(Decode(Shipment(parties(kMaxParties + 1))), "too_large $.parties");
  auto licenses = [](std::size_t n) {
    return absl::StrCat(R"(, "licenses": )", List(n, [](std::size_t i) { return absl::StrCat("\"L", i, "\""); }));
  };
  EXPECT_EQ(Decode(Shipment(licenses(kMaxRequestLicenses))), "ok");
  EXPECT_EQ(Decode(Shipment(licenses(kMaxRequestLicenses + 1))), "too_large $.licenses");
  auto categories = [](std::size_t n) {
    return absl::StrCat(R"(, "data": {"categories": )", List(n, [](std::size_t i) { return absl::StrCat("\"c", i, "\""); }), "}");
  };
  EXPECT_EQ(Decode(Shipment(categories(kMaxDataCategories))), "ok");
  EXPECT_EQ(Decode(Shipment(categories(kMaxDataCategories + 1))), "too_large $.data.categories");
}

std::string ListCode(const absl::StatusOr<internal::LoadedList>& l) {
  if (l.ok()) return "ok";
  const std::optional<ListError> e = ListError::FromStatus(l.status());
  return e ? e->code : std::string(l.status().message());
}

TEST(LimitsTest, ListFileBytesAndEntries) {
  // At the size limit the file is read (and refused for what it is, not for its size).
  std::string bytes(kMaxListFileBytes, ' ');
  EXPECT_EQ(ListCode(internal::ParseList("big.csv", bytes)), "list_unknown_format");
  bytes += ' ';
  EXPECT_EQ(ListCode(internal::ParseList("big.csv", bytes)), "list_too_large");
  bytes.clear();
  bytes.shrink_to_fit();
  // Entries: an SDN CSV (ent_num, name, type, program, ...) of kMaxListEntries rows.
  auto sdn = [](std::size_t n) {
    std::string out;
    out.reserve(n * 40);
    for (std::size_t i = 1; i <= n; ++i) {
      absl::StrAppend(&out, i, ",\"N", i, "\",-0- ,\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n");
    }
    return out;
  };
  EXPECT_EQ(ListCode(internal::ParseList("sdn.csv", sdn(kMaxListEntries))), "ok");
  EXPECT_EQ(ListCode(internal::ParseList("sdn.csv", sdn(kMaxListEntries + 1))), "list_too_large");
}

std::string LicenseCode(const std::string& text) {
  const absl::StatusOr<Licenses> l = Licenses::FromJson(text, "limits.jsonl");
  if (l.ok()) return "ok";
  const std::optional<LicenseError> e = LicenseError::FromStatus(l.status());
  return e ? e->code : std::string(l.status().message());
}

TEST(LimitsTest, LicenseRepositories) {
  EXPECT_EQ(LicenseCode(std::string(kMaxLicenseFileBytes, '\n')), "ok");
  EXPECT_EQ(LicenseCode(std::string(kMaxLicenseFileBytes + 1, '\n')), "license_too_large");
  auto records = [](std::size_t n) {
    std::string out;
    out.reserve(n * 80);
    for (std::size_t i = 0; i < n; ++i) {
      absl::StrAppend(&out, R"({"id":"L)", i, R"(","authority":"BIS","valid_from":"2026-01-01","valid_to":"2026-12-31"})", "\n");
    }
    return out;
  };
  EXPECT_EQ(LicenseCode(records(kMaxLicenseRecords)), "ok");
  EXPECT_EQ(LicenseCode(records(kMaxLicenseRecords + 1)), "license_too_large");
  auto item = [](std::size_t n) {
    return absl::StrCat(R"({"id":"L","authority":"BIS","valid_from":"2026-01-01","valid_to":"2026-12-31","items":["1C)",
                        std::string(n - 2, '*'), "\"]}");
  };
  EXPECT_EQ(LicenseCode(item(kMaxLicenseItemBytes)), "ok");
  EXPECT_EQ(LicenseCode(item(kMaxLicenseItemBytes + 1)), "license_invalid_value");
}

TEST(LimitsTest, AuditLineBytes) {
  std::istringstream at(std::string(kMaxAuditLineBytes, 'x') + "\n");
  const AuditVerification a = internal::VerifyAuditStream(at, "");
  EXPECT_EQ(a.code, "audit_malformed");
  EXPECT_THAT(a.message, ::testing::Not(HasSubstr("longer than")));  // read, then found wanting
  std::istringstream past(std::string(kMaxAuditLineBytes + 1, 'x') + "\n");
  const AuditVerification p = internal::VerifyAuditStream(past, "");
  EXPECT_EQ(p.code, "audit_malformed");
  EXPECT_THAT(p.message, HasSubstr("longer than"));
}

// Packs built to be slow stop at the evaluation budget, failing closed.
Decision Judge(const std::string& pack, const std::string& request) {
  absl::StatusOr<Policy> policy = Policy::CompileSources({{"slow.ecr", pack}});
  EXPECT_TRUE(policy.ok()) << policy.status();
  absl::StatusOr<Request> r = Request::FromJson(request);
  EXPECT_TRUE(r.ok()) << r.status();
  return policy->Evaluate(*r);
}

bool Limited(const Decision& d) {
  return std::any_of(d.errors.begin(), d.errors.end(),
                     [](const DecisionError& e) { return e.code == "evaluation_limit"; });
}

TEST(LimitsTest, NestedQuantifiersStopAtTheBindingBudget) {
  std::string route = "[\"US\"";
  for (std::uint32_t i = 1; i < kMaxRouteCountries; ++i) route += ", \"BR\"";
  route += "]";
  const std::string request = Shipment("", route);
  // route^levels bindings: 64^3 = 262,144 stay within the budget, 64^4 = 16.8 M do not.
  auto pack = [](int levels) {
    std::string when = "c0 == \"XX\"";
    for (int l = levels - 1; l >= 0; --l) when = absl::StrCat("any(c", l, " in route: ", when, ")");
    return absl::StrCat("package p\nrule slow {\n  cite \"x\"\n  when ", when, "\n  then prohibited\n}\n");
  };
  const Decision fine = Judge(pack(3), request);
  EXPECT_EQ(fine.outcome, Outcome::kPermitted) << fine.ToJson();
  EXPECT_FALSE(Limited(fine));
  const Decision slow = Judge(pack(4), request);
  EXPECT_EQ(slow.outcome, Outcome::kReview) << slow.ToJson();
  EXPECT_TRUE(Limited(slow)) << slow.ToJson();
  // `for each` over a large set times a quantifier: the same budget.
  std::string values = "v0";
  for (std::size_t i = 1; i < kMaxSetEntries; ++i) absl::StrAppend(&values, ", v", i);
  const std::string each = absl::StrCat(
      "package p\nset big = {", values, "}\nrule slow {\n  cite \"x\"\n  for each v in big\n",
      "  when any(c in route: any(d in route: c == v and d == v))\n  then prohibited\n}\n");
  const Decision slow_each = Judge(each, request);
  EXPECT_EQ(slow_each.outcome, Outcome::kReview);
  EXPECT_TRUE(Limited(slow_each)) << slow_each.errors.size();
}

TEST(LimitsTest, HugeGlobAlternationsStopAtTheMatchBudget) {
  // 20,000 globs that each scan the whole text several times, against a 60 KB description.
  std::string patterns = "\"*a*a*a*a*b0\"";
  for (int i = 1; i < 20'000; ++i) absl::StrAppend(&patterns, ", \"*a*a*a*a*b", i, "\"");
  const std::string pack = absl::StrCat(
      "package p\nset globs = {", patterns, "}\nrule slow {\n  cite \"x\"\n  for each material m\n",
      "  when m.description? matches any globs\n  then prohibited\n}\n");
  const std::string long_text = Shipment("", R"(["US", "BR"])",
                                         absl::StrCat(R"([{"id": "m1", "description": ")", std::string(60'000, 'a'), "\"}]"));
  const Decision slow = Judge(pack, long_text);
  EXPECT_EQ(slow.outcome, Outcome::kReview) << slow.ToJson().substr(0, 300);
  EXPECT_TRUE(Limited(slow));
  const std::string short_text = Shipment("", R"(["US", "BR"])", R"([{"id": "m1", "description": "aaaab7"}])");
  const Decision fine = Judge(pack, short_text);
  EXPECT_EQ(fine.outcome, Outcome::kProhibited);
  EXPECT_FALSE(Limited(fine));
}

}  // namespace
}  // namespace exportctl
