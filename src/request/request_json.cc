// Request decoding (simdjson DOM) and validation, with JSON paths in every error.
#include <bit>
#include <cmath>
#include <cstdio>
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>

#include <simdjson.h>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "exportctl/request.h"
#include "src/check/schema.h"
#include "src/check/schema_table.h"
#include "src/common/source.h"
#include "src/common/status_macros.h"

namespace exportctl {

namespace {

using internal::AttrInfo;
using internal::Av;
using internal::Constraint;
using internal::Object;
using internal::Storage;
using internal::FieldsOf;
namespace dom = simdjson::dom;

constexpr char kErrorCodePayload[] = "exportctl/code";

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
  st.SetPayload(kErrorCodePayload, absl::Cord(Av(code)));
  return st;
}

// The object held by `o`, engaged (keeping what it held, whose fields the decoder overwrites).
template <typename T>
T& Engaged(std::optional<T>& o) {
  return o ? *o : o.emplace();
}

// Calls `fn` with the std::optional<Exporter | EndUser | DataTransfer> at `storage`.
template <typename S, typename Fn>
auto WithObject(Object child, S* storage, Fn&& fn) {
  using E = std::conditional_t<std::is_const_v<S>, const std::optional<Exporter>,
                               std::optional<Exporter>>;
  using U = std::conditional_t<std::is_const_v<S>, const std::optional<EndUser>,
                               std::optional<EndUser>>;
  using D = std::conditional_t<std::is_const_v<S>, const std::optional<DataTransfer>,
                               std::optional<DataTransfer>>;
  switch (child) {
    case Object::kExporter: return fn(*static_cast<E*>(storage));
    case Object::kEndUser: return fn(*static_cast<U*>(storage));
    default: return fn(*static_cast<D*>(storage));
  }
}

absl::Status String(dom::element e, const Path& path, std::string& out) {
  std::string_view s;
  if (e.get_string().get(s)) return Invalid(path, "invalid_type", "expected string");
  if (s.size() > kMaxStringBytes) {
    return Invalid(path, "too_large", absl::StrCat("a string of ", s.size(), " bytes; the limit is ", kMaxStringBytes));
  }
  out.assign(s);
  return absl::OkStatus();
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

absl::Status TooMany(const Path& path, const AttrInfo& f) {
  return Invalid(path, "too_large", absl::StrCat("more than ", f.max_items, " entries"));
}

// Decodes an array into `out`, reusing its elements: `decode(item, path, element)`.
template <typename T, typename F>
absl::Status ArrayInto(dom::element e, const Path& path, const AttrInfo& f, std::vector<T>& out,
                       F&& decode) {
  dom::array arr;
  if (e.get_array().get(arr)) return Invalid(path, "invalid_type", "expected array");
  if (f.max_items && arr.size() > f.max_items) return TooMany(path, f);
  out.resize(arr.size());
  size_t i = 0;
  for (dom::element item : arr) {
    EXPORTCTL_RETURN_IF_ERROR(decode(item, path.Index(i), out[i]));
    ++i;
  }
  return absl::OkStatus();
}

absl::Status DecodeObject(Object object, dom::element e, const Path& path, void* target);

// Decodes one present, non-null field of `target` (an instance of f.object). Inlined where `f`
// is a constant (DecodeFieldAt), so only its own case remains.
[[gnu::always_inline]] inline absl::Status DecodeField(const AttrInfo& f, dom::element v,
                                                      const Path& p, void* target) {
  void* m = f.In(target);
  auto string = [](dom::element item, const Path& ip, std::string& s) { return String(item, ip, s); };
  switch (f.storage) {
    case Storage::kString: return String(v, p, *static_cast<std::string*>(m));
    case Storage::kOptString:
      return String(v, p, Engaged(*static_cast<std::optional<std::string>*>(m)));
    case Storage::kOptNumber: return Number(v, p, *static_cast<std::optional<double>*>(m));
    case Storage::kOptBool: return Bool(v, p, *static_cast<std::optional<bool>*>(m));
    case Storage::kStrings:
      return ArrayInto(v, p, f, *static_cast<std::vector<std::string>*>(m), string);
    case Storage::kOptStrings:
      return ArrayInto(v, p, f,
                       Engaged(*static_cast<std::optional<std::vector<std::string>>*>(m)), string);
    case Storage::kOptObject:
      return WithObject(f.child, m, [&](auto& o) {
        return DecodeObject(f.child, v, p, &Engaged(o));
      });
    case Storage::kMaterials:
      return ArrayInto(v, p, f, *static_cast<std::vector<Material>*>(m),
                       [](dom::element item, const Path& ip, Material& x) {
                         return DecodeObject(Object::kMaterial, item, ip, &x);
                       });
    case Storage::kOptParties:
      return ArrayInto(v, p, f, Engaged(*static_cast<std::optional<std::vector<Party>>*>(m)),
                       [](dom::element item, const Path& ip, Party& x) {
                         return DecodeObject(Object::kParty, item, ip, &x);
                       });
    case Storage::kDerived: break;
  }
  return absl::InternalError(absl::StrCat("field `", Av(f.name), "` has no storage"));
}

template <size_t I>
absl::Status DecodeFieldAt(dom::element v, const Path& p, void* target) {
  return DecodeField(internal::kFields[I], v, p, target);
}

// Forgets an optional field the JSON did not give (decoding reuses the previous request's
// storage). Required fields are never absent after a successful decode.
[[gnu::always_inline]] inline void ResetField(const AttrInfo& f, void* target) {
  void* m = f.In(target);
  switch (f.storage) {
    case Storage::kOptString: static_cast<std::optional<std::string>*>(m)->reset(); break;
    case Storage::kOptNumber: static_cast<std::optional<double>*>(m)->reset(); break;
    case Storage::kOptBool: static_cast<std::optional<bool>*>(m)->reset(); break;
    case Storage::kOptStrings:
      static_cast<std::optional<std::vector<std::string>>*>(m)->reset();
      break;
    case Storage::kOptObject: WithObject(f.child, m, [](auto& o) { o.reset(); }); break;
    case Storage::kOptParties: static_cast<std::optional<std::vector<Party>>*>(m)->reset(); break;
    default: break;
  }
}

template <size_t I>
void ResetFieldAt(void* target) {
  ResetField(internal::kFields[I], target);
}

// The fields whose JSON key is in object O, as indices into kFields, in table order: the
// decoder's keys, fixed at compile time.
template <Object O>
constexpr size_t KeyedCount() {
  size_t n = 0;
  for (const AttrInfo& f : internal::kFields) n += f.object == O && !f.key.empty();
  return n;
}
template <Object O>
constexpr std::array<size_t, KeyedCount<O>()> Keyed() {
  std::array<size_t, KeyedCount<O>()> out{};
  size_t n = 0;
  for (size_t i = 0; i < std::size(internal::kFields); ++i) {
    if (internal::kFields[i].object == O && !internal::kFields[i].key.empty()) out[n++] = i;
  }
  return out;
}

// Decodes a JSON object into `target`, an instance of O, with the keys the schema gives it (at
// most 32). Unknown and duplicate keys are errors; null is as if absent; required keys must be
// present and not null.
template <Object O>
absl::Status DecodeObjectOf(dom::element e, const Path& path, void* target) {
  static constexpr auto kKeyed = Keyed<O>();
  static constexpr size_t N = kKeyed.size();
  static_assert(N <= 32);
  using Decoder = absl::Status (*)(dom::element, const Path&, void*);
  static constexpr auto kDecoders = []<size_t... J>(std::index_sequence<J...>) {
    return std::array<Decoder, N>{&DecodeFieldAt<kKeyed[J]>...};
  }(std::make_index_sequence<N>());
  static constexpr auto kResetters = []<size_t... J>(std::index_sequence<J...>) {
    return std::array<void (*)(void*), N>{&ResetFieldAt<kKeyed[J]>...};
  }(std::make_index_sequence<N>());
  static constexpr auto kKeys = []<size_t... J>(std::index_sequence<J...>) {
    return std::array<std::string_view, N>{internal::kFields[kKeyed[J]].key...};
  }(std::make_index_sequence<N>());
  static constexpr std::uint32_t kRequired = []<size_t... J>(std::index_sequence<J...>) {
    return ((std::uint32_t{internal::kFields[kKeyed[J]].required} << J) | ...);
  }(std::make_index_sequence<N>());
  dom::object obj;
  if (e.get_object().get(obj)) return Invalid(path, "invalid_type", "expected object");
  std::uint32_t seen = 0, assigned = 0;
  for (dom::key_value_pair kv : obj) {
    const std::string_view key = kv.key;
    size_t i = 0;
    while (i < N && kKeys[i] != key) ++i;
    if (i == N) {
      std::vector<std::string> names(kKeys.begin(), kKeys.end());
      std::string near = internal::ClosestMatch(key, names);
      return Invalid(path.Key(key), "unknown_field",
                     near.empty() ? "unknown field"
                                  : absl::StrCat("unknown field (did you mean `", near, "`?)"));
    }
    const std::uint32_t bit = std::uint32_t{1} << i;
    if (seen & bit) return Invalid(path.Key(key), "duplicate_key", "duplicate key");
    seen |= bit;
    if (kv.value.is_null()) {
      if (kRequired & bit) return Invalid(path.Key(key), "missing_field", "required field is null");
      continue;  // null: unknown, as if absent
    }
    EXPORTCTL_RETURN_IF_ERROR(kDecoders[i](kv.value, path.Key(key), target));
    assigned |= bit;
  }
  if (const std::uint32_t absent = kRequired & ~seen) {
    return Invalid(path.Key(kKeys[std::countr_zero(absent)]), "missing_field",
                   "required field is missing");
  }
  for (std::uint32_t unassigned = ~assigned & ((std::uint64_t{1} << N) - 1); unassigned;
       unassigned &= unassigned - 1) {
    kResetters[std::countr_zero(unassigned)](target);
  }
  return absl::OkStatus();
}

absl::Status DecodeObject(Object object, dom::element e, const Path& path, void* target) {
  switch (object) {
    case Object::kRequest: return DecodeObjectOf<Object::kRequest>(e, path, target);
    case Object::kExporter: return DecodeObjectOf<Object::kExporter>(e, path, target);
    case Object::kEndUser: return DecodeObjectOf<Object::kEndUser>(e, path, target);
    case Object::kData: return DecodeObjectOf<Object::kData>(e, path, target);
    case Object::kMaterial: return DecodeObjectOf<Object::kMaterial>(e, path, target);
    case Object::kParty: return DecodeObjectOf<Object::kParty>(e, path, target);
  }
  return absl::InternalError("unknown object");
}

// Validation runs twice over the same code: first `Quick` (a bool, no paths, no messages: the
// cost of every Evaluate and Decide), then, only when that fails, `Report`, which builds the
// error with its JSON path.
struct Quick {
  using Result = bool;
  static bool Ok() { return true; }
  static bool IsOk(bool r) { return r; }
  template <typename Message>
  static bool Fail(const Path&, std::string_view, Message&&) { return false; }
};
struct Report {
  using Result = absl::Status;
  static absl::Status Ok() { return absl::OkStatus(); }
  static bool IsOk(const absl::Status& r) { return r.ok(); }
  template <typename Message>
  static absl::Status Fail(const Path& path, std::string_view code, Message&& message) {
    return Invalid(path, code, message());
  }
};

#define EXPORTCTL_VALIDATE(expr)                  \
  do {                                            \
    if (auto _r = (expr); !R::IsOk(_r)) return _r; \
  } while (0)

// Whether a string value satisfies the field's constraint. `days` receives a date's days.
// Inlined where `f` is a constant (the quick validator), so only the one test remains.
inline bool Satisfies(const AttrInfo& f, const std::string& s, std::int32_t* days) {
  switch (f.constraint) {
    case Constraint::kNonEmpty: return !s.empty();
    case Constraint::kDate: return internal::ParseDate(s, days);
    case Constraint::kCountry: return internal::IsCountryCode(s);
    case Constraint::kTransitCountry: return internal::IsCountryCode(s);  // and InTransit
    case Constraint::kUnNumber:
      return s.size() == 6 && s[0] == 'U' && s[1] == 'N' &&
             std::all_of(s.begin() + 2, s.end(), [](char c) { return c >= '0' && c <= '9'; });
    case Constraint::kOneOf:
      return std::find(f.vocabulary.begin(), f.vocabulary.end(), s) != f.vocabulary.end();
    default: return true;
  }
}

// Checks one string value against the field's constraint, saying why when it fails.
template <typename R>
typename R::Result CheckString(const AttrInfo& f, const std::string& s, const Path& path,
                               std::int32_t* days) {
  if (Satisfies(f, s, days)) return R::Ok();
  switch (f.constraint) {
    case Constraint::kNonEmpty:
      return R::Fail(path, "invalid_value", [] { return "must not be empty"; });
    case Constraint::kDate:
      return R::Fail(path, "invalid_date",
                     [&] { return absl::StrCat("`", s, "` is not a date (YYYY-MM-DD)"); });
    case Constraint::kCountry:
    case Constraint::kTransitCountry:
      return R::Fail(path, "unknown_country", [&] {
        return absl::StrCat("unknown country `", s, "` (expected an ISO 3166-1 alpha-2 code)");
      });
    case Constraint::kUnNumber:
      return R::Fail(path, "invalid_value", [&] {
        return absl::StrCat("`", s, "` is not a UN number (UN followed by four digits)");
      });
    case Constraint::kOneOf: {
      return R::Fail(path, "invalid_value", [&] {
        std::vector<std::string> names(f.vocabulary.begin(), f.vocabulary.end());
        std::string near = internal::ClosestMatch(s, names);
        return absl::StrCat("unknown value `", s, "`",
                            near.empty() ? absl::StrCat(" (one of: ", absl::StrJoin(names, ", "), ")")
                                         : absl::StrCat(" (did you mean `", near, "`?)"));
      });
    }
    default: break;
  }
  return R::Ok();
}

template <typename R>
typename R::Result CheckCount(const AttrInfo& f, size_t n, const Path& path) {
  if (n < f.min_items) {
    return R::Fail(path, "invalid_value", [&] {
      return absl::StrCat("needs at least ", f.min_items, f.min_items == 1 ? " entry" : " entries");
    });
  }
  if (f.max_items && n > f.max_items) {
    return R::Fail(path, "too_large", [&] { return absl::StrCat("more than ", f.max_items, " entries"); });
  }
  return R::Ok();
}

// Per object, the fields validation has something to do for (a constraint, item counts, or an
// object to descend into), in schema order.
const std::array<std::vector<const AttrInfo*>, 6> kChecked = [] {
  std::array<std::vector<const AttrInfo*>, 6> checked;
  for (size_t o = 0; o < checked.size(); ++o) {
    for (const AttrInfo* f : FieldsOf(static_cast<Object>(o))) {
      if (f->checked()) checked[o].push_back(f);
    }
  }
  return checked;
}();

template <typename R>
typename R::Result ValidateObject(Object object, const void* target, const Path& path,
                                  std::int32_t* days);

// Validates a list of objects (materials, parties), each at path[i].
template <typename R, typename T>
typename R::Result ValidateObjects(const AttrInfo& f, Object object, const std::vector<T>& items,
                                   const Path& path, std::int32_t* days) {
  EXPORTCTL_VALIDATE(CheckCount<R>(f, items.size(), path));
  for (size_t i = 0; i < items.size(); ++i) {
    EXPORTCTL_VALIDATE(ValidateObject<R>(object, &items[i], path.Index(i), days));
  }
  return R::Ok();
}

// A country the route passes between its origin and its destination (kTransitCountry: a field
// of the request naming transit countries must name the route's).
bool InTransit(const Request& r, std::string_view c) {
  return r.route.size() > 2 && std::find(r.route.begin() + 1, r.route.end() - 1, c) != r.route.end() - 1;
}

// Material ids are used once each (small lists compare pairwise; long ones hash).
template <typename R>
typename R::Result CheckUniqueIds(const std::vector<Material>& materials, const Path& path) {
  if (materials.size() < 2) return R::Ok();
  std::optional<absl::flat_hash_set<std::string_view>> ids;
  if (materials.size() > 16) ids.emplace();
  for (size_t i = 0; i < materials.size(); ++i) {
    const std::string& id = materials[i].id;
    bool duplicate = false;
    if (!ids) {
      for (size_t j = 0; j < i && !duplicate; ++j) duplicate = materials[j].id == id;
    } else {
      duplicate = !ids->insert(id).second;
    }
    if (duplicate) {
      return R::Fail(path.Index(i).Key("id"), "duplicate_id",
                     [&] { return absl::StrCat("material id `", id, "` is used twice"); });
    }
  }
  return R::Ok();
}

// Validates every field of `target`, an instance of `object`, against the schema.
template <typename R>
typename R::Result ValidateObject(Object object, const void* target, const Path& path,
                                  std::int32_t* days) {
  for (const AttrInfo* fp : kChecked[static_cast<size_t>(object)]) {
    const AttrInfo& f = *fp;
    const void* m = f.In(target);
    switch (f.storage) {
      case Storage::kString:
        EXPORTCTL_VALIDATE(
            CheckString<R>(f, *static_cast<const std::string*>(m), path.Key(f.key), days));
        break;
      case Storage::kOptString:
        if (const auto& s = *static_cast<const std::optional<std::string>*>(m)) {
          EXPORTCTL_VALIDATE(CheckString<R>(f, *s, path.Key(f.key), days));
        }
        break;
      case Storage::kOptNumber:
        if (const auto& n = *static_cast<const std::optional<double>*>(m);
            n && f.constraint == Constraint::kNonNegative && !(std::isfinite(*n) && *n >= 0)) {
          return R::Fail(path.Key(f.key), "invalid_value",
                         [] { return "must be a finite number >= 0"; });
        }
        break;
      case Storage::kOptBool: break;
      case Storage::kStrings:
      case Storage::kOptStrings: {
        const std::vector<std::string>* list;
        if (f.storage == Storage::kStrings) {
          list = static_cast<const std::vector<std::string>*>(m);
        } else {
          const auto& o = *static_cast<const std::optional<std::vector<std::string>>*>(m);
          if (!o) break;
          list = &*o;
        }
        const Path p = path.Key(f.key);
        EXPORTCTL_VALIDATE(CheckCount<R>(f, list->size(), p));
        if (f.constraint == Constraint::kNone) break;
        for (size_t i = 0; i < list->size(); ++i) {
          EXPORTCTL_VALIDATE(CheckString<R>(f, (*list)[i], p.Index(i), days));
          if (f.constraint == Constraint::kTransitCountry &&
              !InTransit(*static_cast<const Request*>(target), (*list)[i])) {
            return R::Fail(p.Index(i), "invalid_value", [&] {
              return absl::StrCat("`", (*list)[i], "` is not a transit country of the route");
            });
          }
        }
        break;
      }
      case Storage::kOptObject:
        EXPORTCTL_VALIDATE(WithObject(f.child, m, [&](const auto& o) {
          return o ? ValidateObject<R>(f.child, &*o, path.Key(f.key), days) : R::Ok();
        }));
        break;
      case Storage::kMaterials: {
        const auto& materials = *static_cast<const std::vector<Material>*>(m);
        const Path p = path.Key(f.key);
        EXPORTCTL_VALIDATE(ValidateObjects<R>(f, Object::kMaterial, materials, p, days));
        EXPORTCTL_VALIDATE(CheckUniqueIds<R>(materials, p));
        break;
      }
      case Storage::kOptParties:
        if (const auto& parties = *static_cast<const std::optional<std::vector<Party>>*>(m)) {
          EXPORTCTL_VALIDATE(
              ValidateObjects<R>(f, Object::kParty, *parties, path.Key(f.key), days));
        }
        break;
      case Storage::kDerived: break;
    }
  }
  return R::Ok();
}

#undef EXPORTCTL_VALIDATE

// The quick validator, generated at compile time from the constant table: for each object, the
// fields with something to check, each with its storage, constraint and member known, so the
// compiler leaves straight-line tests. Same rules as ValidateObject, which reports the error
// with its path when this says no.
template <Object O>
bool QuickObject(const void* object, std::int32_t* days);

template <size_t I>
bool QuickField(const void* object, std::int32_t* days) {
  constexpr const AttrInfo& f = internal::kFields[I];
  if constexpr (f.storage == Storage::kDerived) {
    return true;
  } else {
    const void* m = f.at(const_cast<void*>(object));
    if constexpr (f.storage == Storage::kString) {
      return Satisfies(f, *static_cast<const std::string*>(m), days);
    } else if constexpr (f.storage == Storage::kOptString) {
      const auto& s = *static_cast<const std::optional<std::string>*>(m);
      return !s || Satisfies(f, *s, days);
    } else if constexpr (f.storage == Storage::kOptNumber) {
      const auto& n = *static_cast<const std::optional<double>*>(m);
      return f.constraint != Constraint::kNonNegative || !n || (std::isfinite(*n) && *n >= 0);
    } else if constexpr (f.storage == Storage::kStrings || f.storage == Storage::kOptStrings) {
      const std::vector<std::string>* list;
      if constexpr (f.storage == Storage::kStrings) {
        list = static_cast<const std::vector<std::string>*>(m);
      } else {
        const auto& o = *static_cast<const std::optional<std::vector<std::string>>*>(m);
        if (!o) return true;
        list = &*o;
      }
      if (!CheckCount<Quick>(f, list->size(), kRoot)) return false;
      if constexpr (f.constraint != Constraint::kNone) {
        for (const std::string& s : *list) {
          if (!Satisfies(f, s, days)) return false;
          if constexpr (f.constraint == Constraint::kTransitCountry) {
            if (!InTransit(*static_cast<const Request*>(object), s)) return false;
          }
        }
      }
      return true;
    } else if constexpr (f.storage == Storage::kOptObject) {
      return WithObject(f.child, m, [&](const auto& o) {
        return !o || QuickObject<f.child>(&*o, days);
      });
    } else if constexpr (f.storage == Storage::kMaterials) {
      const auto& materials = *static_cast<const std::vector<Material>*>(m);
      if (!CheckCount<Quick>(f, materials.size(), kRoot)) return false;
      for (const Material& x : materials) {
        if (!QuickObject<Object::kMaterial>(&x, days)) return false;
      }
      return CheckUniqueIds<Quick>(materials, kRoot);
    } else if constexpr (f.storage == Storage::kOptParties) {
      const auto& parties = *static_cast<const std::optional<std::vector<Party>>*>(m);
      if (!parties) return true;
      if (!CheckCount<Quick>(f, parties->size(), kRoot)) return false;
      for (const Party& x : *parties) {
        if (!QuickObject<Object::kParty>(&x, days)) return false;
      }
      return true;
    } else {
      return true;
    }
  }
}

template <Object O, size_t... I>
bool QuickFields(const void* object, std::int32_t* days, std::index_sequence<I...>) {
  return ((!(internal::kFields[I].object == O && !internal::kFields[I].key.empty() &&
             internal::kFields[I].checked()) ||
           QuickField<I>(object, days)) &&
          ...);
}

template <Object O>
bool QuickObject(const void* object, std::int32_t* days) {
  return QuickFields<O>(object, days, std::make_index_sequence<std::size(internal::kFields)>());
}

void AppendObject(Object object, const void* target, std::string& out);

// Appends a number so that it decodes to the same double (17 significant digits at most).
void AppendNumber(double d, std::string& out) {
  // Only a Request built in C++ holds one that is not finite (Validate refuses it); JSON has no
  // infinity, so its JSON says null, as an absent value (it was `inf`, which no parser reads).
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", d);
  out += buf;
}

void AppendStrings(const std::vector<std::string>& list, std::string& out) {
  out += '[';
  for (size_t i = 0; i < list.size(); ++i) {
    if (i) out += ',';
    internal::AppendJsonQuoted(out, list[i]);
  }
  out += ']';
}

template <typename T>
void AppendObjects(Object object, const std::vector<T>& items, std::string& out) {
  out += '[';
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    AppendObject(object, &items[i], out);
  }
  out += ']';
}

// Appends `target`, an instance of `object`, as JSON: every field the schema gives it, in the
// schema's order; absent optional fields are left out.
void AppendObject(Object object, const void* target, std::string& out) {
  out += '{';
  bool first = true;
  for (const AttrInfo* fp : FieldsOf(object)) {
    const AttrInfo& f = *fp;
    const void* m = f.In(target);
    // The key, then the value written in place; an absent value takes the key back out.
    const size_t mark = out.size();
    if (!first) out += ',';
    internal::AppendJsonQuoted(out, f.key);
    out += ':';
    const size_t at = out.size();
    std::string& value = out;
    switch (f.storage) {
      case Storage::kString: internal::AppendJsonQuoted(value, *static_cast<const std::string*>(m)); break;
      case Storage::kOptString:
        if (const auto& v = *static_cast<const std::optional<std::string>*>(m)) {
          internal::AppendJsonQuoted(value, *v);
        }
        break;
      case Storage::kOptNumber:
        if (const auto& v = *static_cast<const std::optional<double>*>(m)) AppendNumber(*v, value);
        break;
      case Storage::kOptBool:
        if (const auto& v = *static_cast<const std::optional<bool>*>(m)) value += *v ? "true" : "false";
        break;
      case Storage::kStrings: AppendStrings(*static_cast<const std::vector<std::string>*>(m), value); break;
      case Storage::kOptStrings:
        if (const auto& v = *static_cast<const std::optional<std::vector<std::string>>*>(m)) {
          AppendStrings(*v, value);
        }
        break;
      case Storage::kOptObject:
        WithObject(f.child, m, [&](const auto& o) {
          if (o) AppendObject(f.child, &*o, value);
        });
        break;
      case Storage::kMaterials:
        AppendObjects(Object::kMaterial, *static_cast<const std::vector<Material>*>(m), value);
        break;
      case Storage::kOptParties:
        if (const auto& v = *static_cast<const std::optional<std::vector<Party>>*>(m)) {
          AppendObjects(Object::kParty, *v, value);
        }
        break;
      case Storage::kDerived: break;
    }
    if (out.size() == at) {
      out.resize(mark);
      continue;
    }
    first = false;
  }
  out += '}';
}

}  // namespace

std::string Request::ToJson() const {
  std::string out;
  AppendObject(Object::kRequest, this, out);
  return out;
}

absl::Status Request::Validate() const {
  std::int32_t days;
  return internal::ValidateRequest(*this, &days);
}

absl::Status internal::ValidateRequest(const Request& request, std::int32_t* days) {
  if (QuickObject<Object::kRequest>(&request, days)) return absl::OkStatus();
  return ValidateObject<Report>(Object::kRequest, &request, kRoot, days);
}

std::optional<RequestError> RequestError::FromStatus(const absl::Status& status) {
  auto code = status.GetPayload(kErrorCodePayload);
  if (status.ok() || !code) return std::nullopt;
  RequestError error;
  error.code = std::string(*code);
  std::string_view message(status.message().data(), status.message().size());
  size_t colon = message.find(": ");
  error.path = std::string(message.substr(0, colon));
  error.message = std::string(colon == std::string_view::npos ? message : message.substr(colon + 2));
  return error;
}

absl::StatusOr<Request> Request::FromJson(std::string_view json) {
  Request r;
  EXPORTCTL_RETURN_IF_ERROR(FromJson(json, &r));
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
  EXPORTCTL_RETURN_IF_ERROR(DecodeObject(Object::kRequest, root, kRoot, out));
  return out->Validate();
}

}  // namespace exportctl
