#include "tests/reference_interpreter.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "src/check/schema.h"
#include "src/common/source.h"

namespace exportctl::testing {
namespace {

using internal::Expr;
using internal::Op;
using internal::Owner;

// A value. Lists, sets and a table's keys are all `strings`; a material or party is `owner` and
// `index`; a list of them is `owner` and `count`.
struct Value {
  enum Kind { kBool, kNumber, kString, kDate, kStrings, kObject, kObjects, kError } kind = kBool;
  bool b = false;
  double number = 0;
  std::int32_t date = 0;
  std::string str;
  std::vector<std::string> strings;
  Owner owner = Owner::kRequest;
  int index = 0, count = 0;
  std::string code, message;  // kError
};

Value Bool(bool b) { return {.kind = Value::kBool, .b = b}; }
Value Number(double n) { return {.kind = Value::kNumber, .number = n}; }
Value String(std::string s) { return {.kind = Value::kString, .str = std::move(s)}; }
Value Strings(std::vector<std::string> v) {
  return {.kind = Value::kStrings, .strings = std::move(v)};
}
Value Objects(Owner owner, size_t n) {
  return {.kind = Value::kObjects, .owner = owner, .count = static_cast<int>(n)};
}
Value Error(std::string code, std::string message) {
  return {.kind = Value::kError, .code = std::move(code), .message = std::move(message)};
}

// Days since 1970-01-01 of a "YYYY-MM-DD" calendar date.
std::optional<std::int32_t> Days(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (t[i] < '0' || t[i] > '9') return std::nullopt;
  }
  using namespace std::chrono;
  year_month_day ymd{year{std::atoi(std::string(t.substr(0, 4)).c_str())},
                     month{static_cast<unsigned>(std::atoi(std::string(t.substr(5, 2)).c_str()))},
                     day{static_cast<unsigned>(std::atoi(std::string(t.substr(8, 2)).c_str()))}};
  if (!ymd.ok()) return std::nullopt;
  return static_cast<std::int32_t>(sys_days(ymd).time_since_epoch().count());
}

// `*` matches any run, `?` one character; `fold`: A-Z and a-z are the same letter (ASCII only).
bool Glob(std::string_view p, std::string_view s, bool fold = false) {
  auto same = [fold](char a, char b) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    return fold ? lower(a) == lower(b) : a == b;
  };
  if (p.empty()) return s.empty();
  if (p[0] == '*') return Glob(p.substr(1), s, fold) || (!s.empty() && Glob(p, s.substr(1), fold));
  return !s.empty() && (p[0] == '?' || same(p[0], s[0])) && Glob(p.substr(1), s.substr(1), fold);
}

// The attribute's row, found by its `attr` field. (Info(attr) indexes the table by the enum's
// position, which is what the engine's messages use; the oracle must not depend on that.)
const internal::AttrInfo& Describe(internal::Attr attr) {
  for (const internal::AttrInfo& a : internal::Attributes()) {
    if (a.attr == attr) return a;
  }
  std::cerr << "reference: no schema row for attribute " << static_cast<int>(attr) << "\n";
  std::abort();
}

template <typename T>
bool Compare(Op op, const T& a, const T& b) {
  switch (op) {
    case Op::kEq: return a == b;
    case Op::kNe: return a != b;
    case Op::kLt: return a < b;
    case Op::kLe: return a <= b;
    case Op::kGt: return a > b;
    default: return a >= b;
  }
}

class Interpreter {
 public:
  Interpreter(const internal::Program& program, const Request& request)
      : program_(program), request_(request) {}

  // The material a `for each material` rule is evaluated for, or -1.
  void ForMaterial(int m) {
    material_ = m;
    if (m >= 0) vars_[1] = {.kind = Value::kObject, .owner = Owner::kMaterial, .index = m};
  }
  // Binds a `for each` variable (a leg's country, or a value of a set, table or list).
  void Bind(int slot, std::string value) { vars_[slot] = String(std::move(value)); }
  const std::string& Bound(int slot) const { return vars_[slot].str; }

  Value Eval(const Expr& e) {
    switch (e.op) {  // the leaves, and the operators that do not simply propagate errors
      case Op::kConst:
        if (e.type == internal::Type::kString) return String(e.str);
        if (e.type == internal::Type::kNumber) return Number(e.num);
        if (e.type == internal::Type::kDate) return {.kind = Value::kDate, .date = e.date};
        return Bool(e.boolean);
      case Op::kAttr: return Read(std::string(Describe(e.attr).name));
      case Op::kVar: return vars_[e.slot];
      case Op::kSetRef: return Strings(program_.sets[e.slot].values);
      case Op::kTableRef: {
        std::vector<std::string> keys;
        for (const auto& [key, values] : program_.tables[e.slot].entries) keys.push_back(key);
        return Strings(keys);
      }
      case Op::kAnd:
      case Op::kOr: {
        std::vector<Value> values;
        for (const Expr& k : e.kids) values.push_back(Eval(k));
        return Absorb(values, e.op == Op::kOr);
      }
      case Op::kIsKnown: {
        Value v = Eval(e.kids[0]);
        return Bool(!(v.kind == Value::kError && v.code == "missing_field"));
      }
      case Op::kAny:
      case Op::kAll: {
        Value list = Eval(e.kids[0]);
        if (list.kind == Value::kError) return list;
        std::vector<Value> values;
        const bool strings = list.kind == Value::kStrings;
        for (int i = 0; i < (strings ? static_cast<int>(list.strings.size()) : list.count); ++i) {
          vars_[e.slot] = strings ? String(list.strings[i])
                                  : Value{.kind = Value::kObject, .owner = list.owner, .index = i};
          values.push_back(Eval(e.kids[1]));
        }
        return Absorb(values, e.op == Op::kAny);
      }
      default: break;
    }
    // The rest: the first operand (left to right) that is an error is the result.
    std::vector<Value> v;
    for (const Expr& k : e.kids) {
      v.push_back(Eval(k));
      if (v.back().kind == Value::kError) return v.back();
    }
    switch (e.op) {
      case Op::kMember: return Member(v[0], std::string(Describe(e.attr).name));
      case Op::kLookup: {
        const internal::Table& table = program_.tables[e.slot];
        for (const auto& [key, values] : table.entries) {
          if (key == v[0].str) return Strings(values);
        }
        return Error("missing_key",
                     absl::StrCat("table `", table.name, "` has no entry for `", v[0].str, "`"));
      }
      case Op::kNot: return Bool(!v[0].b);
      case Op::kIn:
        return Bool(std::find(v[1].strings.begin(), v[1].strings.end(), v[0].str) !=
                    v[1].strings.end());
      case Op::kMatches: return Bool(Glob(e.str, v[0].str, e.boolean));
      case Op::kMatchesAny:  // one of the set's values, read as a glob pattern
        return Bool(std::any_of(v[1].strings.begin(), v[1].strings.end(), [&](const std::string& p) {
          return Glob(p, v[0].str, e.boolean);
        }));
      case Op::kUnitLimit: return UnitLimit(e, v[0]);
      default:  // == != < <= > >=, between two values of one type
        if (v[0].kind == Value::kNumber) return Bool(Compare(e.op, v[0].number, v[1].number));
        if (v[0].kind == Value::kDate) return Bool(Compare(e.op, v[0].date, v[1].date));
        if (v[0].kind == Value::kString) return Bool(Compare(e.op, v[0].str, v[1].str));
        return Bool(Compare(e.op, v[0].b, v[1].b));
    }
  }

 private:
  // `or`/`any` (absorbing true) and `and`/`all` (absorbing false): an absorbing value anywhere
  // decides; otherwise the first error; otherwise the other value.
  static Value Absorb(const std::vector<Value>& values, bool absorbing) {
    for (const Value& v : values) {
      if (v.kind != Value::kError && v.b == absorbing) return Bool(absorbing);
    }
    for (const Value& v : values) {
      if (v.kind == Value::kError) return v;
    }
    return Bool(!absorbing);
  }

  // `4 L | 4 kg` (kids[0]: the material) in the material's own unit: the limit of the unit's
  // dimension (uL or ug in the program) divided by the unit's size in uL or ug. No unit: the
  // field is missing; a count unit or the dimension the rule gives no limit in: unit_mismatch.
  Value UnitLimit(const Expr& e, const Value& material) {
    const Material& m = request_.materials[material.index];
    if (!m.unit) {
      return Error("missing_field",
                   absl::StrCat("the request does not give `materials[", material.index,
                                "].unit` (material `", m.id,
                                "`), so its quantity cannot be compared with a limit in units"));
    }
    // The units, written out again here (not program.h's table): name, volume?, size in the
    // smallest unit (the checked program holds limits in uL and ug).
    static const struct {
      const char* name;
      bool volume;
      double size;
    } kSizes[] = {{"uL", true, 1},  {"mL", true, 1000},  {"L", true, 1000000}, {"ug", false, 1},
                  {"mg", false, 1000}, {"g", false, 1000000}, {"kg", false, 1000000000}};
    for (const auto& u : kSizes) {
      if (*m.unit != u.name) continue;
      const double limit = u.volume ? e.num : e.num2;
      if (!std::isnan(limit)) return Number(limit / u.size);
    }
    std::vector<std::string> dimensions;
    if (!std::isnan(e.num)) dimensions.push_back("a volume (mL, L)");
    if (!std::isnan(e.num2)) dimensions.push_back("a mass (g, kg)");
    return Error("unit_mismatch",
                 absl::StrCat("material `", m.id, "` is measured in `", *m.unit,
                              "`; the rule's limit is ", absl::StrJoin(dimensions, " or ")));
  }

  // `what` names the field as the engine's messages do: "`end_user.country`".
  static Value Missing(std::string_view what) {
    return Error("missing_field", absl::StrCat("the request does not give ", internal::Av(what)));
  }
  static Value Optional(const std::optional<std::string>& s, std::string_view name) {
    return s ? String(*s) : Missing(absl::StrCat("`", internal::Av(name), "`"));
  }

  // A request attribute by its name.
  Value Read(const std::string& name) {
    const Request& r = request_;
    const Exporter exporter = r.exporter.value_or(Exporter{});
    const EndUser user = r.end_user.value_or(EndUser{});
    const DataTransfer data = r.data.value_or(DataTransfer{});
    if (name == "id") return String(r.id);
    if (name == "date") return {.kind = Value::kDate, .date = *Days(r.date)};
    if (name == "exporter.name") return Optional(exporter.name, name);
    if (name == "exporter.country") return Optional(exporter.country, name);
    if (name == "exporter.us_owned") {
      return exporter.us_owned ? Bool(*exporter.us_owned) : Missing("`exporter.us_owned`");
    }
    if (name == "route") return Strings(r.route);
    if (name == "route.origin") return String(r.route.front());
    if (name == "route.destination") return String(r.route.back());
    if (name == "route.transit") return Strings({r.route.begin() + 1, r.route.end() - 1});
    if (name == "end_user.name") return Optional(user.name, name);
    if (name == "end_user.country") return Optional(user.country, name);
    if (name == "end_user.type") return Optional(user.type, name);
    if (name == "end_user.end_use") return Optional(user.end_use, name);
    if (name == "end_user.address") return Optional(user.address, name);
    const Value missing = Missing(absl::StrCat("`", name, "`"));
    if (name == "parties") return r.parties ? Objects(Owner::kParty, r.parties->size()) : missing;
    if (name == "materials") return Objects(Owner::kMaterial, r.materials.size());
    if (name == "data.personal_data")
      return data.personal_data ? Bool(*data.personal_data) : missing;
    if (name == "data.encrypted") return data.encrypted ? Bool(*data.encrypted) : missing;
    if (name == "data.categories") return data.categories ? Strings(*data.categories) : missing;
    if (name == "data.deidentification") return Optional(data.deidentification, name);
    if (name == "data.transfer_mechanism") return Optional(data.transfer_mechanism, name);
    if (name == "licenses") return r.licenses ? Strings(*r.licenses) : missing;
    if (name == "enters_commerce") return r.enters_commerce ? Strings(*r.enters_commerce) : missing;
    std::cerr << "reference: unknown request attribute " << name << "\n";
    std::abort();
  }

  // An attribute of a material or party by its name.
  Value Member(const Value& object, const std::string& name) {
    if (object.owner == Owner::kParty) {
      const Party& p = (*request_.parties)[object.index];
      const Value missing = Missing(absl::StrCat("`parties[", object.index, "].", name, "`"));
      if (name == "role") return String(p.role);
      if (name == "name") return p.name ? String(*p.name) : missing;
      if (name == "country") return p.country ? String(*p.country) : missing;
      std::cerr << "reference: unknown party attribute " << name << "\n";
      std::abort();
    }
    const Material& m = request_.materials[object.index];
    // Messages name the material whose field is missing, by position and id.
    const Value missing = Missing(
        absl::StrCat("`materials[", object.index, "].", name, "` (material `", m.id, "`)"));
    auto text = [&](const std::optional<std::string>& s) { return s ? String(*s) : missing; };
    auto number = [&](const std::optional<double>& n) { return n ? Number(*n) : missing; };
    if (name == "id") return String(m.id);
    if (name == "description") return text(m.description);
    if (name == "category") return text(m.category);
    if (name == "origin") return text(m.origin);
    if (name == "eccn") return text(m.eccn);
    if (name == "eu_dual_use") return text(m.eu_dual_use);
    if (name == "un_number") return text(m.un_number);
    if (name == "quantity") return number(m.quantity);
    if (name == "unit") return text(m.unit);
    if (name == "temperature") return text(m.temperature);
    if (name == "agent") return text(m.agent);
    if (name == "form") return text(m.form);
    if (name == "dry_ice_kg") return number(m.dry_ice_kg);
    std::cerr << "reference: unknown material attribute " << name << "\n";
    std::abort();
  }

  const internal::Program& program_;
  const Request& request_;
  int material_ = -1;
  Value vars_[64];  // by slot; 1 is the `for each material` variable
};

void AddUnique(std::vector<std::string>& v, const std::string& s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

// A country the shipment reaches, as `for each leg` names it.
struct RequestLeg {
  internal::Leg leg;
  std::string country;
};

// The legs of a valid request, in the order the shipment travels: the origin (route[0]), each
// transit (the countries between), the destination (the last), then the end user's country
// when the request gives it and it is not the destination.
std::vector<RequestLeg> LegsOf(const Request& r) {
  std::vector<RequestLeg> legs = {{internal::Leg::kOrigin, r.route.front()}};
  for (size_t i = 1; i + 1 < r.route.size(); ++i) legs.push_back({internal::Leg::kTransit, r.route[i]});
  legs.push_back({internal::Leg::kDestination, r.route.back()});
  if (r.end_user && r.end_user->country && *r.end_user->country != r.route.back()) {
    legs.push_back({internal::Leg::kEndUser, *r.end_user->country});
  }
  return legs;
}

// One time a rule held (or failed) for a material (-1: the whole shipment), on a leg (an index
// into LegsOf; -1: none), with the license it asks for.
struct Firing {
  int material = -1;
  int leg = -1;
  Value value;
  std::string authority, basis;
};

// Runs `rule` for the binders from `b` on (the material and earlier binders already bound),
// appending each time its condition holds or fails to `out`, in evaluation order.
// Whether `e` reads a variable bound at depth `slot` or deeper outside it (the variables its
// own quantifiers bind do not count).
bool ReadsVariableFrom(const Expr& e, int slot, std::vector<int> own = {}) {
  if (e.op == Op::kVar && e.slot >= slot &&
      std::find(own.begin(), own.end(), e.slot) == own.end()) {
    return true;
  }
  if (e.op == Op::kAny || e.op == Op::kAll) own.push_back(e.slot);
  for (const Expr& k : e.kids) {
    if (ReadsVariableFrom(k, slot, own)) return true;
  }
  return false;
}

void RunBinders(const internal::Rule& rule, size_t b, int material, int leg,
                const std::vector<RequestLeg>& legs, Interpreter& interpreter,
                std::vector<Firing>& out) {
  if (b == rule.binders.size()) {
    Value v = rule.when ? interpreter.Eval(*rule.when) : Bool(true);
    if (v.kind != Value::kError && !v.b) return;
    Firing f{material, leg, std::move(v), rule.authority, rule.basis};
    if (rule.authority_var >= 0) f.authority = interpreter.Bound(rule.binders[rule.authority_var].slot);
    if (rule.basis_var >= 0) f.basis = interpreter.Bound(rule.binders[rule.basis_var].slot);
    out.push_back(std::move(f));
    return;
  }
  const internal::Rule::Binder& binder = rule.binders[b];
  if (!binder.legs.empty()) {
    for (size_t i = 0; i < legs.size(); ++i) {
      if (std::find(binder.legs.begin(), binder.legs.end(), legs[i].leg) == binder.legs.end()) {
        continue;
      }
      interpreter.Bind(binder.slot, legs[i].country);
      RunBinders(rule, b + 1, material, static_cast<int>(i), legs, interpreter, out);
    }
    return;
  }
  Value domain = interpreter.Eval(*binder.domain);
  if (domain.kind == Value::kError) {
    // The values cannot be read: the rule fails closed, unless a condition of it that does not
    // depend on this clause's variable (or a later one) is false, as `and` absorbs an error.
    if (rule.when) {
      std::vector<const Expr*> terms;
      if (rule.when->op == Op::kAnd) {
        for (const Expr& k : rule.when->kids) terms.push_back(&k);
      } else {
        terms.push_back(&*rule.when);
      }
      for (const Expr* t : terms) {
        if (ReadsVariableFrom(*t, binder.slot)) continue;
        Value v = interpreter.Eval(*t);
        if (v.kind == Value::kBool && !v.b) return;
      }
    }
    out.push_back({material, leg, std::move(domain), "", ""});
    return;
  }
  std::vector<std::string> values = domain.strings;
  // A table's keys in order (lang-v2.md); a set's values too: a set has no order of its own
  // (unspecified in lang-v2.md; the engine sorts them). A list keeps the request's order.
  if (binder.domain->op == Op::kTableRef || binder.domain->op == Op::kSetRef ||
      binder.domain->op == Op::kLookup) {
    std::sort(values.begin(), values.end());
  }
  for (const std::string& value : values) {
    interpreter.Bind(binder.slot, value);
    RunBinders(rule, b + 1, material, leg, legs, interpreter, out);
  }
}

// Records the firings of `rule` into the decision: a reason per leg (one for a rule without
// legs), in the order of the legs, with the materials it held for there; the items, errors,
// licenses and conditions in evaluation order.
void Record(const internal::Rule& rule, std::vector<Firing> firings,
            const std::vector<RequestLeg>& legs, const Request& request, Decision& d) {
  // The decision reads in rule order; within a rule, a reason per leg in the order the
  // shipment travels; within that, material order (values in the order they were bound). The
  // errors and licenses follow the same order. (lang-v2.md leaves the order within a rule
  // open; this is the engine's, documented in src/eval/evaluator.cc.)
  std::stable_sort(firings.begin(), firings.end(), [](const Firing& a, const Firing& b) {
    return a.leg != b.leg ? a.leg < b.leg : a.material < b.material;
  });
  std::vector<Reason> reasons;
  std::vector<int> first_leg;  // of each reason: its leg (-1: none)
  for (const Firing& f : firings) {
    const bool error = f.value.kind == Value::kError;
    const Outcome outcome = error ? Outcome::kReview : rule.outcome;
    d.outcome = std::max(d.outcome, outcome);
    std::string leg = f.leg < 0 ? "" : std::string(internal::kLegNames[static_cast<int>(legs[f.leg].leg)]);
    std::string country = f.leg < 0 ? "" : legs[f.leg].country;
    // A reason per leg: a route through one country twice has two transit legs there.
    auto at = std::find(first_leg.begin(), first_leg.end(), f.leg);
    auto r = reasons.begin() + (at - first_leg.begin());
    if (r == reasons.end()) {
      r = reasons.insert(reasons.end(), {.rule = rule.id, .outcome = outcome});
      r->leg = leg;
      r->country = country;
      first_leg.push_back(f.leg);
    }
    r->outcome = std::max(r->outcome, outcome);
    std::vector<std::string> materials;
    for (size_t m = 0; m < request.materials.size(); ++m) {
      if (f.material >= 0 && f.material != static_cast<int>(m)) continue;
      d.items[m].outcome = std::max(d.items[m].outcome, outcome);
      AddUnique(d.items[m].reasons, rule.id);
      AddUnique(r->materials, request.materials[m].id);
      materials.push_back(request.materials[m].id);
    }
    if (error) {
      // The same failure of one rule (for several materials, legs or values) is one error.
      DecisionError e{f.value.code, f.value.message, rule.id};
      if (std::none_of(d.errors.begin(), d.errors.end(), [&](const DecisionError& o) {
            return o.code == e.code && o.message == e.message && o.rule == e.rule;
          })) {
        d.errors.push_back(std::move(e));
      }
    } else if (rule.outcome == Outcome::kLicenseRequired) {
      auto it = std::find_if(d.licenses_required.begin(), d.licenses_required.end(),
                             [&](const LicenseRequirement& l) {
                               return l.authority == f.authority && l.basis == f.basis;
                             });
      if (it == d.licenses_required.end()) {
        it = d.licenses_required.insert(it, {f.authority, f.basis, {}});
      }
      for (const std::string& m : materials) AddUnique(it->materials, m);
    } else if (rule.outcome == Outcome::kPermittedWithConditions &&
               std::none_of(d.conditions.begin(), d.conditions.end(),
                            [&](const Condition& c) { return c.rule == rule.id; })) {
      d.conditions.push_back({rule.text, rule.id, rule.citation});
    }
  }
  for (Reason& r : reasons) d.reasons.push_back(std::move(r));
}

}  // namespace

Decision ReferenceEvaluate(const internal::Program& program, const Request& request,
                           const std::optional<std::string>& as_of) {
  Decision d;
  d.request = request.id;
  if (!request.Validate().ok()) {
    d.outcome = Outcome::kReview;
    d.errors.push_back({"invalid_request", "", ""});
    return d;
  }
  const std::optional<std::int32_t> today = Days(as_of.value_or(request.date));
  if (!today) {
    d.outcome = Outcome::kReview;
    d.errors.push_back({"invalid_as_of", "", ""});
    return d;
  }
  for (const Material& m : request.materials) d.items.push_back({.material = m.id});
  const std::vector<RequestLeg> legs = LegsOf(request);
  Interpreter interpreter(program, request);
  for (const internal::Rule& rule : program.rules) {
    if (rule.effective_from && *today < *rule.effective_from) continue;
    if (rule.effective_until && *today >= *rule.effective_until) continue;
    const int runs = rule.per_material ? static_cast<int>(request.materials.size()) : 1;
    std::vector<Firing> firings;
    for (int m = 0; m < runs; ++m) {
      interpreter.ForMaterial(rule.per_material ? m : -1);
      RunBinders(rule, 0, rule.per_material ? m : -1, -1, legs, interpreter, firings);
    }
    Record(rule, firings, legs, request, d);
  }
  return d;
}

}  // namespace exportctl::testing
