// Request decoding (simdjson DOM) and validation, with JSON paths in every error.
#include <cmath>
#include <array>
#include <cstdint>
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

// A JSON path, built as a string only when an error needs it: each level points at its parent,
// so decoding and validating a good request allocates no path.
// A Path points at its parent: keep the parent alive (a named local, or a temporary within the
// same full expression) while the child is used.
struct Path {
  const Path* parent = nullptr;
  std::string_view key;  // the member name; empty for an array element
  size_t index = 0;

  Path Key(std::string_view k) const { return {this, k, 0}; }
  Path Index(size_t i) const { return {this, {}, i}; }
  void Append(std::string& out) const {
    if (!parent) {
      out += "$";
      return;
    }
    parent->Append(out);
    if (key.empty()) {
      absl::StrAppend(&out, "[", index, "]");
    } else {
      absl::StrAppend(&out, ".", Av(key));
    }
  }
  std::string str() const {
    std::string out;
    Append(out);
    return out;
  }
};

const Path kRoot;

absl::Status Invalid(const Path& path, std::string_view code, std::string_view message) {
  absl::Status st = absl::InvalidArgumentError(absl::StrCat(path.str(), ": ", Av(message)));
  st.SetPayload("exportctl/code", absl::Cord(Av(code)));
  return st;
}

#define EXPORTCTL_CHECK_OK(expr)                  \
  do {                                            \
    if (absl::Status _s = (expr); !_s.ok()) return _s; \
  } while (0)

// Decodes an object whose keys must be among `names` (at most 32): calls
// `field(index, value, path)` for each present, non-null key, then `absent(index)` for every
// other key (decoding reuses the storage of the previous request, so absent fields are reset).
// Keys whose bit is set in `required` must be present and not null. Duplicate and unknown keys
// are errors.
template <size_t N, typename F, typename A>
absl::Status Fields(dom::element e, const Path& path, const std::array<std::string_view, N>& names,
                    std::uint32_t required, F&& field, A&& absent) {
  static_assert(N <= 32);
  dom::object obj;
  if (e.get_object().get(obj)) return Invalid(path, "invalid_type", "expected object");
  std::uint32_t seen = 0, assigned = 0;
  for (dom::key_value_pair kv : obj) {
    const std::string_view key = kv.key;
    const Path sub = path.Key(key);
    size_t i = 0;
    while (i < N && names[i] != key) ++i;
    if (i == N) {
      std::vector<std::string> all(names.begin(), names.end());
      std::string near = internal::ClosestMatch(key, all);
      return Invalid(sub, "unknown_field",
                     near.empty() ? "unknown field"
                                  : absl::StrCat("unknown field (did you mean `", near, "`?)"));
    }
    const std::uint32_t bit = std::uint32_t{1} << i;
    if (seen & bit) return Invalid(sub, "duplicate_key", "duplicate key");
    seen |= bit;
    if (kv.value.is_null()) {
      if (required & bit) return Invalid(sub, "missing_field", "required field is null");
      continue;  // null: unknown, as if absent
    }
    EXPORTCTL_CHECK_OK(field(i, kv.value, sub));
    assigned |= bit;
  }
  for (size_t i = 0; i < N; ++i) {
    if ((required >> i & 1) && !(seen >> i & 1)) {
      return Invalid(path.Key(names[i]), "missing_field", "required field is missing");
    }
    if (!(assigned >> i & 1)) absent(i);
  }
  return absl::OkStatus();
}

// The object held by `o`, engaged (keeping what it held, whose fields the decoder overwrites).
template <typename T>
T& Engaged(std::optional<T>& o) {
  return o ? *o : o.emplace();
}

absl::Status String(dom::element e, const Path& path, std::string& out) {
  std::string_view s;
  if (e.get_string().get(s)) return Invalid(path, "invalid_type", "expected string");
  out.assign(s);
  return absl::OkStatus();
}
absl::Status String(dom::element e, const Path& path, std::optional<std::string>& out) {
  return String(e, path, Engaged(out));
}
absl::Status Bool(dom::element e, const Path& path, std::optional<bool>& out) {
  bool b;
  if (e.get_bool().get(b)) return Invalid(path, "invalid_type", "expected boolean");
  out = b;
  return absl::OkStatus();
}
absl::Status Number(dom::element e, const Path& path, std::optional<double>& out) {
  double d;
  if (e.get_double().get(d)) return Invalid(path, "invalid_type", "expected number");
  out = d;
  return absl::OkStatus();
}
// Decodes an array into `out`, reusing its elements: `decode(item, path, element)`.
template <typename T, typename F>
absl::Status ArrayInto(dom::element e, const Path& path, size_t limit, std::vector<T>& out,
                       F&& decode) {
  dom::array arr;
  if (e.get_array().get(arr)) return Invalid(path, "invalid_type", "expected array");
  if (arr.size() > limit) {
    return Invalid(path, "too_large", absl::StrCat("more than ", limit, " entries"));
  }
  out.resize(arr.size());
  size_t i = 0;
  for (dom::element item : arr) {
    EXPORTCTL_CHECK_OK(decode(item, path.Index(i), out[i]));
    ++i;
  }
  return absl::OkStatus();
}
absl::Status Strings(dom::element e, const Path& path, size_t limit, std::vector<std::string>& out) {
  return ArrayInto(e, path, limit, out, [](dom::element item, const Path& p, std::string& s) {
    return String(item, p, s);
  });
}

absl::Status UnknownCountry(const std::string& c, const Path& path) {
  return Invalid(path, "unknown_country",
                 absl::StrCat("unknown country `", c, "` (expected an ISO 3166-1 alpha-2 code)"));
}
inline absl::Status CheckCountry(const std::string& c, const Path& path) {
  return internal::IsCountryCode(c) ? absl::OkStatus() : UnknownCountry(c, path);
}
absl::Status CheckCountry(const std::optional<std::string>& c, const Path& path) {
  return c ? CheckCountry(*c, path) : absl::OkStatus();
}

absl::Status CheckOneOf(const std::optional<std::string>& v, const Path& path,
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

absl::Status DecodeMaterial(dom::element e, const Path& path, Material& m) {
  static constexpr std::array<std::string_view, 11> kNames = {
      "id", "description", "category", "origin", "eccn", "eu_dual_use", "un_number",
      "quantity", "dry_ice_kg", "unit", "temperature"};
  std::optional<std::string>* strings[] = {nullptr,      &m.description, &m.category,
                                           &m.origin,    &m.eccn,        &m.eu_dual_use,
                                           &m.un_number, nullptr,        nullptr,
                                           &m.unit,      &m.temperature};
  return Fields(
      e, path, kNames, 1,
      [&](size_t i, dom::element v, const Path& p) {
        if (i == 0) return String(v, p, m.id);
        if (i == 7) return Number(v, p, m.quantity);
        if (i == 8) return Number(v, p, m.dry_ice_kg);
        return String(v, p, *strings[i]);
      },
      [&](size_t i) {
        if (i == 7) m.quantity.reset();
        if (i == 8) m.dry_ice_kg.reset();
        if (strings[i]) strings[i]->reset();
      });
}

absl::Status DecodeParty(dom::element e, const Path& path, Party& party) {
  static constexpr std::array<std::string_view, 3> kNames = {"role", "name", "country"};
  return Fields(
      e, path, kNames, 1,
      [&](size_t i, dom::element v, const Path& p) {
        if (i == 0) return String(v, p, party.role);
        return String(v, p, i == 1 ? party.name : party.country);
      },
      [&](size_t i) { (i == 1 ? party.name : party.country).reset(); });
}

absl::Status DecodeExporter(dom::element e, const Path& path, Exporter& x) {
  static constexpr std::array<std::string_view, 2> kNames = {"name", "country"};
  return Fields(
      e, path, kNames, 0,
      [&](size_t i, dom::element v, const Path& p) {
        return String(v, p, i == 0 ? x.name : x.country);
      },
      [&](size_t i) { (i == 0 ? x.name : x.country).reset(); });
}

absl::Status DecodeEndUser(dom::element e, const Path& path, EndUser& u) {
  static constexpr std::array<std::string_view, 5> kNames = {"name", "country", "type", "end_use",
                                                             "address"};
  std::optional<std::string>* fields[] = {&u.name, &u.country, &u.type, &u.end_use, &u.address};
  return Fields(
      e, path, kNames, 0,
      [&](size_t i, dom::element v, const Path& p) { return String(v, p, *fields[i]); },
      [&](size_t i) { fields[i]->reset(); });
}

absl::Status DecodeData(dom::element e, const Path& path, DataTransfer& x) {
  static constexpr std::array<std::string_view, 5> kNames = {
      "personal_data", "categories", "deidentification", "transfer_mechanism", "encrypted"};
  return Fields(
      e, path, kNames, 0,
      [&](size_t i, dom::element v, const Path& p) {
        switch (i) {
          case 0: return Bool(v, p, x.personal_data);
          case 1: return Strings(v, p, 64, Engaged(x.categories));
          case 2: return String(v, p, x.deidentification);
          case 3: return String(v, p, x.transfer_mechanism);
          default: return Bool(v, p, x.encrypted);
        }
      },
      [&](size_t i) {
        switch (i) {
          case 0: x.personal_data.reset(); break;
          case 1: x.categories.reset(); break;
          case 2: x.deidentification.reset(); break;
          case 3: x.transfer_mechanism.reset(); break;
          default: x.encrypted.reset(); break;
        }
      });
}

// Decodes into `r`, reusing its storage; every field is either decoded or reset.
absl::Status DecodeRequest(dom::element root, Request& r) {
  static constexpr std::array<std::string_view, 9> kNames = {
      "id", "date", "exporter", "route", "end_user", "parties", "materials", "data", "licenses"};
  // id, date, route and materials are required.
  constexpr std::uint32_t kRequired = 1 | 2 | 8 | 64;
  return Fields(
      root, kRoot, kNames, kRequired,
      [&](size_t i, dom::element v, const Path& p) {
        switch (i) {
          case 0: return String(v, p, r.id);
          case 1: return String(v, p, r.date);
          case 2: return DecodeExporter(v, p, Engaged(r.exporter));
          case 3: return Strings(v, p, kMaxRoute, r.route);
          case 4: return DecodeEndUser(v, p, Engaged(r.end_user));
          case 5: return ArrayInto(v, p, kMaxParties, Engaged(r.parties), DecodeParty);
          case 6: return ArrayInto(v, p, kMaxMaterials, r.materials, DecodeMaterial);
          case 7: return DecodeData(v, p, Engaged(r.data));
          default: return Strings(v, p, 1000, Engaged(r.licenses));
        }
      },
      [&](size_t i) {
        switch (i) {
          case 2: r.exporter.reset(); break;
          case 4: r.end_user.reset(); break;
          case 5: r.parties.reset(); break;
          case 7: r.data.reset(); break;
          case 8: r.licenses.reset(); break;
          default: break;  // required: never absent after a successful decode
        }
      });
}

}  // namespace

absl::Status Request::Validate() const {
  std::int32_t days;
  return internal::ValidateRequest(*this, &days);
}

absl::Status internal::ValidateRequest(const Request& request, std::int32_t* days) {
  const auto& [id, date, route, materials, exporter, end_user, parties, data, licenses] = request;
  if (id.empty()) return Invalid(kRoot.Key("id"), "invalid_value", "must not be empty");
  if (!internal::ParseDate(date, days)) {
    return Invalid(kRoot.Key("date"), "invalid_date",
                   absl::StrCat("`", date, "` is not a date (YYYY-MM-DD)"));
  }
  // Each check is a cheap test first; paths and messages are built only on failure.
  if (route.size() < 2) {
    return Invalid(kRoot.Key("route"), "invalid_value",
                   "needs at least the origin and the destination");
  }
  if (route.size() > kMaxRoute) return Invalid(kRoot.Key("route"), "too_large", "too many countries");
  for (size_t i = 0; i < route.size(); ++i) {
    if (!internal::IsCountryCode(route[i])) {
      return UnknownCountry(route[i], kRoot.Key("route").Index(i));
    }
  }
  if (materials.empty()) {
    return Invalid(kRoot.Key("materials"), "invalid_value", "needs at least one material");
  }
  if (materials.size() > kMaxMaterials) {
    return Invalid(kRoot.Key("materials"), "too_large", "too many materials");
  }
  absl::flat_hash_set<std::string_view> ids;  // only for long lists: small ones compare pairwise
  const Path materials_path = kRoot.Key("materials");  // a Path must outlive its children
  for (size_t i = 0; i < materials.size(); ++i) {
    const Material& m = materials[i];
    auto path = [&] { return materials_path.Index(i); };
    if (m.id.empty()) return Invalid(path().Key("id"), "invalid_value", "must not be empty");
    bool duplicate = false;
    if (materials.size() <= 16) {
      for (size_t j = 0; j < i && !duplicate; ++j) duplicate = materials[j].id == m.id;
    } else {
      duplicate = !ids.insert(m.id).second;
    }
    if (duplicate) {
      return Invalid(path().Key("id"), "duplicate_id",
                     absl::StrCat("material id `", m.id, "` is used twice"));
    }
    if (m.category) {
      EXPORTCTL_CHECK_OK(CheckOneOf(m.category, path().Key("category"), internal::MaterialCategories()));
    }
    if (m.origin && !internal::IsCountryCode(*m.origin)) {
      return UnknownCountry(*m.origin, path().Key("origin"));
    }
    if (m.quantity && (!std::isfinite(*m.quantity) || *m.quantity < 0)) {
      return Invalid(path().Key("quantity"), "invalid_value", "must be a finite number >= 0");
    }
    if (m.dry_ice_kg && (!std::isfinite(*m.dry_ice_kg) || *m.dry_ice_kg < 0)) {
      return Invalid(path().Key("dry_ice_kg"), "invalid_value", "must be a finite number >= 0");
    }
    if (m.un_number) {
      const std::string& u = *m.un_number;
      bool ok = u.size() == 6 && u[0] == 'U' && u[1] == 'N' &&
                std::all_of(u.begin() + 2, u.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (!ok) {
        return Invalid(path().Key("un_number"), "invalid_value",
                       absl::StrCat("`", u, "` is not a UN number (UN followed by four digits)"));
      }
    }
  }
  if (exporter && exporter->country && !internal::IsCountryCode(*exporter->country)) {
    return UnknownCountry(*exporter->country, kRoot.Key("exporter").Key("country"));
  }
  if (end_user && end_user->country && !internal::IsCountryCode(*end_user->country)) {
    return UnknownCountry(*end_user->country, kRoot.Key("end_user").Key("country"));
  }
  if (parties) {
    const Path parties_path = kRoot.Key("parties");
    if (parties->size() > kMaxParties) return Invalid(parties_path, "too_large", "too many parties");
    for (size_t i = 0; i < parties->size(); ++i) {
      const Path p = parties_path.Index(i);
      EXPORTCTL_CHECK_OK(CheckOneOf((*parties)[i].role, p.Key("role"), internal::PartyRoles()));
      EXPORTCTL_CHECK_OK(CheckCountry((*parties)[i].country, p.Key("country")));
    }
  }
  if (data) {
    const Path data_path = kRoot.Key("data");
    EXPORTCTL_CHECK_OK(CheckOneOf(data->deidentification, data_path.Key("deidentification"),
                                  internal::Deidentifications()));
    EXPORTCTL_CHECK_OK(CheckOneOf(data->transfer_mechanism, data_path.Key("transfer_mechanism"),
                                  internal::TransferMechanisms()));
  }
  return absl::OkStatus();
}

absl::StatusOr<Request> Request::FromJson(std::string_view json) {
  Request r;
  EXPORTCTL_CHECK_OK(FromJson(json, &r));
  return r;
}

absl::Status Request::FromJson(std::string_view json, Request* out) {
  if (json.size() > kMaxRequestBytes) {
    return Invalid(kRoot, "too_large", absl::StrCat("request is ", json.size(),
                                                    " bytes; the limit is ", kMaxRequestBytes));
  }
  thread_local dom::parser parser;
  dom::element root;
  if (auto error = parser.parse(json.data(), json.size()).get(root)) {
    return Invalid(kRoot, "invalid_json",
                   absl::StrCat("invalid JSON: ", simdjson::error_message(error)));
  }
  EXPORTCTL_CHECK_OK(DecodeRequest(root, *out));
  return out->Validate();
}

}  // namespace exportctl
