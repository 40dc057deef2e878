// Request decoding (simdjson DOM) and validation, with JSON paths in every error.
#include <cmath>
#include <functional>
#include <string>

#include <simdjson.h>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "exportctl/request.h"
#include "src/check/schema.h"
#include "src/common/source.h"

namespace exportctl {

namespace {

using internal::Av;
namespace dom = simdjson::dom;

constexpr size_t kMaxRequestBytes = 1 << 20;
constexpr size_t kMaxRoute = 64;
constexpr size_t kMaxMaterials = 10000;
constexpr size_t kMaxParties = 1000;

absl::Status Invalid(const std::string& path, std::string_view code, std::string message) {
  absl::Status st = absl::InvalidArgumentError(absl::StrCat(path, ": ", message));
  st.SetPayload("exportctl/code", absl::Cord(Av(code)));
  return st;
}

#define EXPORTCTL_CHECK_OK(expr)                  \
  do {                                            \
    if (absl::Status _s = (expr); !_s.ok()) return _s; \
  } while (0)

class Decoder {
 public:
  using Field = std::pair<std::string_view, std::function<absl::Status(dom::element, const std::string&)>>;

  // Decodes an object whose keys must be among `fields`; `required` keys must be present.
  absl::Status Object(dom::element e, const std::string& path, const std::vector<Field>& fields,
                      std::vector<std::string_view> required) {
    dom::object obj;
    if (e.get_object().get(obj)) return Invalid(path, "invalid_type", "expected object");
    absl::flat_hash_set<std::string_view> seen;
    for (dom::key_value_pair kv : obj) {
      std::string_view key = kv.key;
      std::string sub = absl::StrCat(path, ".", Av(key));
      if (!seen.insert(key).second) return Invalid(sub, "duplicate_key", "duplicate key");
      const Field* field = nullptr;
      for (const Field& f : fields) {
        if (f.first == key) field = &f;
      }
      if (!field) {
        std::vector<std::string> names;
        for (const Field& f : fields) names.emplace_back(f.first);
        std::string near = internal::ClosestMatch(key, names);
        return Invalid(sub, "unknown_field",
                       near.empty() ? "unknown field"
                                    : absl::StrCat("unknown field (did you mean `", near, "`?)"));
      }
      if (kv.value.is_null()) {
        bool is_required = std::find(required.begin(), required.end(), key) != required.end();
        if (is_required) return Invalid(sub, "missing_field", "required field is null");
        continue;  // null: unknown, as if absent
      }
      EXPORTCTL_CHECK_OK(field->second(kv.value, sub));
    }
    for (std::string_view r : required) {
      if (!seen.contains(r)) {
        return Invalid(absl::StrCat(path, ".", Av(r)), "missing_field", "required field is missing");
      }
    }
    return absl::OkStatus();
  }

  static absl::Status String(dom::element e, const std::string& path, std::string& out) {
    std::string_view s;
    if (e.get_string().get(s)) return Invalid(path, "invalid_type", "expected string");
    out.assign(s);
    return absl::OkStatus();
  }
  static absl::Status String(dom::element e, const std::string& path,
                             std::optional<std::string>& out) {
    return String(e, path, out.emplace());
  }
  static absl::Status Bool(dom::element e, const std::string& path, std::optional<bool>& out) {
    bool b;
    if (e.get_bool().get(b)) return Invalid(path, "invalid_type", "expected boolean");
    out = b;
    return absl::OkStatus();
  }
  static absl::Status Number(dom::element e, const std::string& path, std::optional<double>& out) {
    double d;
    if (e.get_double().get(d)) return Invalid(path, "invalid_type", "expected number");
    out = d;
    return absl::OkStatus();
  }
  static absl::Status Array(dom::element e, const std::string& path, size_t limit,
                            const std::function<absl::Status(dom::element, const std::string&)>& each) {
    dom::array arr;
    if (e.get_array().get(arr)) return Invalid(path, "invalid_type", "expected array");
    if (arr.size() > limit) {
      return Invalid(path, "too_large", absl::StrCat("more than ", limit, " entries"));
    }
    size_t i = 0;
    for (dom::element item : arr) {
      EXPORTCTL_CHECK_OK(each(item, absl::StrCat(path, "[", i++, "]")));
    }
    return absl::OkStatus();
  }
  static absl::Status Strings(dom::element e, const std::string& path, size_t limit,
                              std::vector<std::string>& out) {
    return Array(e, path, limit, [&](dom::element item, const std::string& p) {
      return String(item, p, out.emplace_back());
    });
  }
};

absl::Status CheckCountry(const std::optional<std::string>& c, const std::string& path) {
  if (c && !internal::IsCountryCode(*c)) {
    return Invalid(path, "unknown_country",
                   absl::StrCat("unknown country `", *c, "` (expected an ISO 3166-1 alpha-2 code)"));
  }
  return absl::OkStatus();
}

absl::Status CheckOneOf(const std::optional<std::string>& v, const std::string& path,
                        const std::vector<std::string_view>& allowed) {
  if (!v) return absl::OkStatus();
  for (std::string_view a : allowed) {
    if (a == *v) return absl::OkStatus();
  }
  std::vector<std::string> names(allowed.begin(), allowed.end());
  std::string near = internal::ClosestMatch(*v, names);
  return Invalid(path, "invalid_value",
                 absl::StrCat("unknown value `", *v, "`",
                              near.empty() ? "" : absl::StrCat(" (did you mean `", near, "`?)")));
}

}  // namespace

absl::Status Request::Validate() const {
  if (id.empty()) return Invalid("$.id", "invalid_value", "must not be empty");
  std::int32_t days;
  if (!internal::ParseDate(date, &days)) {
    return Invalid("$.date", "invalid_date", absl::StrCat("`", date, "` is not a date (YYYY-MM-DD)"));
  }
  if (route.size() < 2) {
    return Invalid("$.route", "invalid_value", "needs at least the origin and the destination");
  }
  if (route.size() > kMaxRoute) return Invalid("$.route", "too_large", "too many countries");
  for (size_t i = 0; i < route.size(); ++i) {
    EXPORTCTL_CHECK_OK(CheckCountry(route[i], absl::StrCat("$.route[", i, "]")));
  }
  if (materials.empty()) return Invalid("$.materials", "invalid_value", "needs at least one material");
  if (materials.size() > kMaxMaterials) return Invalid("$.materials", "too_large", "too many materials");
  absl::flat_hash_set<std::string> ids;
  for (size_t i = 0; i < materials.size(); ++i) {
    const Material& m = materials[i];
    std::string p = absl::StrCat("$.materials[", i, "]");
    if (m.id.empty()) return Invalid(p + ".id", "invalid_value", "must not be empty");
    if (!ids.insert(m.id).second) {
      return Invalid(p + ".id", "duplicate_id", absl::StrCat("material id `", m.id, "` is used twice"));
    }
    EXPORTCTL_CHECK_OK(CheckOneOf(m.category, p + ".category", internal::MaterialCategories()));
    EXPORTCTL_CHECK_OK(CheckCountry(m.origin, p + ".origin"));
    if (m.quantity && (!std::isfinite(*m.quantity) || *m.quantity < 0)) {
      return Invalid(p + ".quantity", "invalid_value", "must be a finite number >= 0");
    }
    if (m.dry_ice_kg && (!std::isfinite(*m.dry_ice_kg) || *m.dry_ice_kg < 0)) {
      return Invalid(p + ".dry_ice_kg", "invalid_value", "must be a finite number >= 0");
    }
    if (m.un_number) {
      const std::string& u = *m.un_number;
      bool ok = u.size() == 6 && u[0] == 'U' && u[1] == 'N' &&
                std::all_of(u.begin() + 2, u.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (!ok) {
        return Invalid(p + ".un_number", "invalid_value",
                       absl::StrCat("`", u, "` is not a UN number (UN followed by four digits)"));
      }
    }
  }
  if (exporter) EXPORTCTL_CHECK_OK(CheckCountry(exporter->country, "$.exporter.country"));
  if (end_user) EXPORTCTL_CHECK_OK(CheckCountry(end_user->country, "$.end_user.country"));
  if (parties) {
    if (parties->size() > kMaxParties) return Invalid("$.parties", "too_large", "too many parties");
    for (size_t i = 0; i < parties->size(); ++i) {
      std::string p = absl::StrCat("$.parties[", i, "]");
      EXPORTCTL_CHECK_OK(CheckOneOf((*parties)[i].role, p + ".role", internal::PartyRoles()));
      EXPORTCTL_CHECK_OK(CheckCountry((*parties)[i].country, p + ".country"));
    }
  }
  if (data) {
    EXPORTCTL_CHECK_OK(CheckOneOf(data->deidentification, "$.data.deidentification",
                                  internal::Deidentifications()));
    EXPORTCTL_CHECK_OK(CheckOneOf(data->transfer_mechanism, "$.data.transfer_mechanism",
                                  internal::TransferMechanisms()));
  }
  return absl::OkStatus();
}

absl::StatusOr<Request> Request::FromJson(std::string_view json) {
  if (json.size() > kMaxRequestBytes) {
    return Invalid("$", "too_large", absl::StrCat("request is ", json.size(), " bytes; the limit is ",
                                                  kMaxRequestBytes));
  }
  thread_local dom::parser parser;
  dom::element root;
  if (auto error = parser.parse(json.data(), json.size()).get(root)) {
    return Invalid("$", "invalid_json", absl::StrCat("invalid JSON: ", simdjson::error_message(error)));
  }
  Request r;
  Decoder d;
  using D = Decoder;
  using E = dom::element;
  using P = const std::string&;
  auto material = [&](E e, P p) {
    Material& m = r.materials.emplace_back();
    return d.Object(e, p,
                    {{"id", [&](E v, P q) { return D::String(v, q, m.id); }},
                     {"description", [&](E v, P q) { return D::String(v, q, m.description); }},
                     {"category", [&](E v, P q) { return D::String(v, q, m.category); }},
                     {"origin", [&](E v, P q) { return D::String(v, q, m.origin); }},
                     {"eccn", [&](E v, P q) { return D::String(v, q, m.eccn); }},
                     {"eu_dual_use", [&](E v, P q) { return D::String(v, q, m.eu_dual_use); }},
                     {"un_number", [&](E v, P q) { return D::String(v, q, m.un_number); }},
                     {"quantity", [&](E v, P q) { return D::Number(v, q, m.quantity); }},
                     {"dry_ice_kg", [&](E v, P q) { return D::Number(v, q, m.dry_ice_kg); }},
                     {"unit", [&](E v, P q) { return D::String(v, q, m.unit); }},
                     {"temperature", [&](E v, P q) { return D::String(v, q, m.temperature); }}},
                    {"id"});
  };
  auto party = [&](E e, P p) {
    Party& pa = r.parties->emplace_back();
    return d.Object(e, p,
                    {{"role", [&](E v, P q) { return D::String(v, q, pa.role); }},
                     {"name", [&](E v, P q) { return D::String(v, q, pa.name); }},
                     {"country", [&](E v, P q) { return D::String(v, q, pa.country); }}},
                    {"role"});
  };
  absl::Status st = d.Object(
      root, "$",
      {{"id", [&](E v, P q) { return D::String(v, q, r.id); }},
       {"date", [&](E v, P q) { return D::String(v, q, r.date); }},
       {"exporter",
        [&](E v, P q) {
          Exporter& x = r.exporter.emplace();
          return d.Object(v, q,
                          {{"name", [&](E w, P s) { return D::String(w, s, x.name); }},
                           {"country", [&](E w, P s) { return D::String(w, s, x.country); }}},
                          {});
        }},
       {"route", [&](E v, P q) { return D::Strings(v, q, kMaxRoute, r.route); }},
       {"end_user",
        [&](E v, P q) {
          EndUser& u = r.end_user.emplace();
          return d.Object(v, q,
                          {{"name", [&](E w, P s) { return D::String(w, s, u.name); }},
                           {"country", [&](E w, P s) { return D::String(w, s, u.country); }},
                           {"type", [&](E w, P s) { return D::String(w, s, u.type); }},
                           {"end_use", [&](E w, P s) { return D::String(w, s, u.end_use); }},
                           {"address", [&](E w, P s) { return D::String(w, s, u.address); }}},
                          {});
        }},
       {"parties",
        [&](E v, P q) {
          r.parties.emplace();
          return D::Array(v, q, kMaxParties, party);
        }},
       {"materials", [&](E v, P q) { return D::Array(v, q, kMaxMaterials, material); }},
       {"data",
        [&](E v, P q) {
          DataTransfer& x = r.data.emplace();
          return d.Object(
              v, q,
              {{"personal_data", [&](E w, P s) { return D::Bool(w, s, x.personal_data); }},
               {"categories",
                [&](E w, P s) { return D::Strings(w, s, 64, x.categories.emplace()); }},
               {"deidentification", [&](E w, P s) { return D::String(w, s, x.deidentification); }},
               {"transfer_mechanism",
                [&](E w, P s) { return D::String(w, s, x.transfer_mechanism); }},
               {"encrypted", [&](E w, P s) { return D::Bool(w, s, x.encrypted); }}},
              {});
        }},
       {"licenses", [&](E v, P q) { return D::Strings(v, q, 1000, r.licenses.emplace()); }}},
      {"id", "date", "route", "materials"});
  if (!st.ok()) return st;
  EXPORTCTL_CHECK_OK(r.Validate());
  return r;
}

}  // namespace exportctl
