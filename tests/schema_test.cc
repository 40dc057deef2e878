// The request's fields are described once (src/check/schema.cc). These tests fail when anything
// that the table drives drifts from it: the documentation's attribute table, and, field by
// field, decoding, validation, ToJson and what a rule reads.
#include <limits>

#include "gmock/gmock.h"
#include "src/check/schema.h"
#include "tests/test_util.h"

namespace exportctl {
namespace {

using exportctl::testing::MustCompile;
using exportctl::testing::ReadText;
using exportctl::testing::SourceDir;
using internal::AttrInfo;
using internal::Attributes;
using internal::Constraint;
using internal::Owner;
using internal::Storage;
using internal::Type;

// The attribute table of rules/LANGUAGE.md, as the schema renders it.
std::string RenderAttributeTable() {
  std::string out =
      "| attribute | JSON | type | required | values |\n|---|---|---|---|---|\n";
  for (const AttrInfo& a : Attributes()) {
    if (!a.is_attribute()) continue;
    std::string name(a.name);
    if (a.owner == Owner::kMaterial) name = "m." + name;
    if (a.owner == Owner::kParty) name = "p." + name;
    std::string values;
    switch (a.constraint) {
      case Constraint::kCountry: values = "ISO 3166-1 alpha-2 (or UA-09, UA-14, UA-23, UA-40, UA-43, UA-65)"; break;
      case Constraint::kDate: values = "YYYY-MM-DD"; break;
      case Constraint::kUnNumber: values = "UN and four digits"; break;
      case Constraint::kNonNegative: values = "a finite number >= 0"; break;
      case Constraint::kNonEmpty: values = "not empty"; break;
      case Constraint::kUniqueIds: values = "ids unique"; break;
      case Constraint::kTransitCountry: values = "countries of `route` between its origin and destination"; break;
      case Constraint::kOneOf:
        for (std::string_view v : a.vocabulary) {
          absl::StrAppend(&values, values.empty() ? "" : ", ", "`", std::string(v), "`");
        }
        break;
      case Constraint::kNone: break;
    }
    if (a.max_items) {
      absl::StrAppend(&values, values.empty() ? "" : "; ", a.min_items, " to ", a.max_items,
                      " entries");
    }
    if (!a.doc.empty()) absl::StrAppend(&values, values.empty() ? "" : "; ", std::string(a.doc));
    absl::StrAppend(&out, "| `", name, "` | `", internal::JsonPath(a), "` | ",
                    internal::TypeName(a.type), " | ", a.required ? "yes" : "", " | ", values,
                    " |\n");
  }
  return out;
}

TEST(Schema, LanguageMdListsEveryAttribute) {
  const std::string path = SourceDir() + "/rules/LANGUAGE.md";
  std::string doc = ReadText(path);
  const std::string begin = "<!-- request-attributes: generated from src/check/schema.cc -->\n";
  const std::string end = "<!-- end of request-attributes -->";
  size_t b = doc.find(begin), e = doc.find(end);
  ASSERT_NE(b, std::string::npos) << "LANGUAGE.md lacks the marker " << begin;
  ASSERT_NE(e, std::string::npos);
  b += begin.size();
  const std::string want = RenderAttributeTable();
  if (std::getenv("EXPORTCTL_UPDATE_GOLDEN")) {
    doc.replace(b, e - b, want);
    std::ofstream(path, std::ios::binary) << doc;
    return;
  }
  EXPECT_EQ(doc.substr(b, e - b), want)
      << "rules/LANGUAGE.md's attribute table differs from the schema; regenerate it with "
         "EXPORTCTL_UPDATE_GOLDEN=1";
}

// A valid JSON value for a field.
std::string SampleValue(const AttrInfo& a) {
  std::string one = "\"x\"";
  if (a.constraint == Constraint::kCountry || a.constraint == Constraint::kTransitCountry) {
    one = "\"DE\"";
  }
  if (a.constraint == Constraint::kDate) one = "\"2026-11-25\"";
  if (a.constraint == Constraint::kUnNumber) one = "\"UN3373\"";
  if (a.constraint == Constraint::kOneOf) one = absl::StrCat("\"", std::string(a.vocabulary[0]), "\"");
  switch (a.type) {
    case Type::kNumber: return "2.5";
    case Type::kBool: return "true";
    case Type::kStringList: return a.min_items >= 2 ? absl::StrCat("[", one, ",", one, "]")
                                                    : absl::StrCat("[", one, "]");
    case Type::kPartyList: return R"([{"role":"consignee"}])";
    case Type::kMaterialList: return R"([{"id":"m1"}])";
    default: return one;
  }
}

// Every optional field, given alone in a JSON request: it decodes, survives ToJson, and a rule
// reads it (`is known` holds); left out, the rule sees it absent. Required fields: leaving one
// out is `missing_field` at its path.
TEST(Schema, EveryFieldDecodesRoundTripsAndIsRead) {
  int fields = 0;
  for (const AttrInfo& a : Attributes()) {
    if (!a.is_attribute() || a.storage == Storage::kDerived) continue;
    SCOPED_TRACE(std::string(a.name));
    const std::string value = SampleValue(a);
    std::string id = "\"R\"", date = "\"2026-11-25\"", route = R"(["US","DE"])";
    std::string material = R"("id":"m1")", extra;
    const std::string key(a.key);
    if (a.attr == internal::Attr::kId) id = value;
    if (a.attr == internal::Attr::kDate) date = value;
    if (a.attr == internal::Attr::kRoute) route = value;
    if (a.constraint == Constraint::kTransitCountry) route = R"(["US","DE","FR"])";
    switch (a.object) {
      case internal::Object::kMaterial:
        if (key != "id") absl::StrAppend(&material, ",\"", key, "\":", value);
        break;
      case internal::Object::kParty:
        extra = absl::StrCat(R"(,"parties":[{"role":"consignee")",
                             key == "role" ? "" : absl::StrCat(",\"", key, "\":", value), "}]");
        break;
      case internal::Object::kExporter:
      case internal::Object::kEndUser:
      case internal::Object::kData: {
        const std::string object(internal::JsonPath(a).substr(2, internal::JsonPath(a).find('.', 2) - 2));
        extra = absl::StrCat(",\"", object, "\":{\"", key, "\":", value, "}");
        break;
      }
      case internal::Object::kRequest:
        if (!a.required) extra = absl::StrCat(",\"", key, "\":", value);
        break;
    }
    const std::string json =
        absl::StrCat("{\"id\":", id, ",\"date\":", date, ",\"route\":", route,
                     ",\"materials\":[{", material, "}]", extra, "}");
    absl::StatusOr<Request> r = Request::FromJson(json);
    ASSERT_TRUE(r.ok()) << json << "\n" << r.status();
    EXPECT_EQ(Request::FromJson(r->ToJson())->ToJson(), r->ToJson());
    EXPECT_THAT(r->ToJson(), ::testing::HasSubstr(absl::StrCat("\"", key, "\":")));

    std::string read(a.name);
    if (a.owner == Owner::kMaterial) read = "m." + read;
    if (a.owner == Owner::kParty) read = "p." + read;
    std::string cond = read + " is known";
    if (a.owner == Owner::kParty) cond = absl::StrCat("any(p in parties: ", cond, ")");
    Policy p = MustCompile(absl::StrCat("package s\nrule r { cite \"x\" ",
                                        a.owner == Owner::kMaterial ? "for each material m " : "",
                                        "when ", cond, " then review }\n"));
    EXPECT_EQ(p.Evaluate(*r).outcome, Outcome::kReview) << r->ToJson();
    if (!a.required && a.source == internal::Attr::kCount && a.owner != Owner::kParty) {
      absl::StatusOr<Request> bare = Request::FromJson(
          R"({"id":"R","date":"2026-11-25","route":["US","DE"],"materials":[{"id":"m1"}]})");
      EXPECT_EQ(p.Evaluate(*bare).outcome, Outcome::kPermitted);
    }
    if (a.required && a.object == internal::Object::kRequest) {
      // The same request without this key.
      std::string without = "{";
      for (const auto& [k, v] : {std::pair<std::string, std::string>{"id", id}, {"date", date},
                                 {"route", route}, {"materials", absl::StrCat("[{", material, "}]")}}) {
        if (k != key) absl::StrAppend(&without, without.size() > 1 ? "," : "", "\"", k, "\":", v);
      }
      without += "}";
      absl::StatusOr<Request> missing = Request::FromJson(without);
      ASSERT_FALSE(missing.ok()) << without;
      std::optional<RequestError> error = RequestError::FromStatus(missing.status());
      ASSERT_TRUE(error.has_value());
      EXPECT_EQ(error->code, "missing_field");
      EXPECT_EQ(error->path, absl::StrCat("$.", key));
    }
    ++fields;
  }
  EXPECT_GE(fields, 30);
}

// A Request built in C++ may hold what JSON cannot say: its JSON stays JSON (null for a number
// that is not finite, U+FFFD for a byte that is not UTF-8), and it is refused, failing closed.
TEST(Schema, ARequestBuiltInCodeAlwaysWritesJson) {
  Request r;
  r.id = "R\xFF";
  r.date = "2026-11-25";
  r.route = {"US", "DE"};
  Material m;
  m.id = "m1";
  m.quantity = std::numeric_limits<double>::infinity();
  m.dry_ice_kg = std::numeric_limits<double>::quiet_NaN();
  r.materials.push_back(m);
  EXPECT_EQ(r.ToJson(), "{\"id\":\"R\xEF\xBF\xBD\",\"date\":\"2026-11-25\",\"route\":[\"US\",\"DE\"],"
                        "\"materials\":[{\"id\":\"m1\",\"quantity\":null,\"dry_ice_kg\":null}]}");
  EXPECT_FALSE(r.Validate().ok());
  const Decision d = MustCompile("package s\nrule r { cite \"x\" then permitted }\n").Evaluate(r);
  EXPECT_EQ(d.outcome, Outcome::kReview);
  EXPECT_THAT(d.ToJson(), ::testing::HasSubstr("\"request\":\"R\xEF\xBF\xBD\""));
}

}  // namespace
}  // namespace exportctl
