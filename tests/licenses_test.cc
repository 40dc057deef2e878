// The license repository: loading, and every way a repository is refused (licenses.h).

#include "exportctl/licenses.h"

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
