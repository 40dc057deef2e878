#include "src/eval/evaluator.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "src/screening/list_set.h"

namespace exportctl::internal {

namespace {

constexpr int kMaxDepth = 16;

// What a decision is when it cannot be made: an invalid request or as-of date, or a rule that
// failed.
constexpr Outcome kFailClosed = Outcome::kReview;

enum class ErrorCode : std::uint8_t {
  kNone,
  kMissingField,
  kMissingKey,
  kNotScreened,
  kUnitMismatch,
  kEvaluationLimit
};

// The stable codes of DecisionError, by ErrorCode.
constexpr std::string_view kErrorCodes[] = {"", "missing_field", "missing_key", "not_screened",
                                            "unit_mismatch", "evaluation_limit"};
static_assert(std::size(kErrorCodes) == static_cast<size_t>(ErrorCode::kEvaluationLimit) + 1);

// A value during evaluation, 32 bytes. Strings and lists point into the request or the plan:
// no copies. Which members hold depends on `kind`.
struct Value {
  enum class Kind : std::uint8_t { kBool, kNumber, kString, kDate, kList, kSet, kTable, kObject, kError };
  Kind kind = Kind::kBool;
  bool b = false;
  ErrorCode error = ErrorCode::kNone;
  Type elem = Type::kString;  // list element or object type
  union {
    std::uint32_t count = 0;  // list length
    std::int32_t date;
    std::int32_t node;  // for errors: the node that failed
  };
  union {
    double num = 0;
    const void* ptr;  // list elements, set, table, material or party
  };
  std::string_view str;

  static Value Bool(bool v) { Value x; x.b = v; return x; }
  static Value Error(ErrorCode code, int node) {
    Value x;
    x.kind = Kind::kError;
    x.error = code;
    x.node = node;
    return x;
  }
  bool is_error() const { return kind == Kind::kError; }
};

static_assert(sizeof(Value) == 32);

struct Hit {
  int rule;
  int material;  // -1 for shipment rules
  Value value;   // true, or an error
  int leg = -1;  // `for each leg`: the leg (an index into Scratch::legs) it fired for
  int bound = -1;  // `basis col`: the values its variables had (an index into Scratch::bound)
};
static_assert(sizeof(Hit) == 48);

// Per-thread scratch, reused across requests so the hot path allocates nothing. Memoized
// values are valid while their stamp is not older than the binding of their innermost variable.
struct Scratch {
  std::vector<Value> values;
  std::vector<std::uint64_t> stamps;
  std::uint64_t counter = 0;  // variable bindings, ever (Evaluator::Exhausted counts them)
  std::uint64_t bound_at[kMaxDepth + 1] = {};
  Value vars[kMaxDepth + 1];
  std::vector<Hit> hits;
  std::vector<std::pair<Leg, std::string_view>> legs;  // the countries the shipment reaches
  std::vector<std::pair<std::string_view, std::string_view>> bound;  // authority, basis
  std::vector<bool> regimes;  // when building a Decision: whether each regime applied
  // Screening: each party's matches, screened once per evaluation (`parties_screened` of
  // `screened` are this evaluation's; the rest keep their storage for the next one).
  struct Screened {
    const void* party = nullptr;
    std::vector<NameMatch> matches;
  };
  std::vector<Screened> screened;
  size_t parties_screened = 0;
  // When building a Decision: what each screen() vertex answered, for the `screening` report.
  struct ScreenUse {
    int node;
    const void* party;
    NameMatch match;  // score 0: no match
  };
  std::vector<ScreenUse> screen_uses;
  bool recording = false;
};

// Evaluation state belongs to one call: a call leases its thread's Scratch and gives it back
// when it returns, so a loop of calls reuses one (no allocation once warm). A call made while
// another runs on the same thread (a TraceListener that evaluates again, a nested policy)
// leases a spare Scratch of its own, so neither disturbs the other.
class ScratchLease {
 public:
  ScratchLease() : mine_(Mine()) {
    if (!mine_.busy) {  // the common case: no evaluation running on this thread
      mine_.busy = true;
      scratch_ = &mine_.first;
    } else if (!mine_.spare.empty()) {
      nested_ = std::move(mine_.spare.back());
      mine_.spare.pop_back();
      scratch_ = nested_.get();
    } else {
      nested_ = std::make_unique<Scratch>();
      scratch_ = nested_.get();
    }
  }
  ~ScratchLease() {
    if (nested_) {
      mine_.spare.push_back(std::move(nested_));
    } else {
      mine_.busy = false;
    }
  }
  ScratchLease(const ScratchLease&) = delete;
  ScratchLease& operator=(const ScratchLease&) = delete;
  Scratch& operator*() { return *scratch_; }

 private:
  struct ThreadScratch {
    Scratch first;  // the outermost evaluation's
    bool busy = false;
    std::vector<std::unique_ptr<Scratch>> spare;  // for nested evaluations, kept for reuse
  };
  static ThreadScratch& Mine() {
    thread_local ThreadScratch mine;
    return mine;
  }
  ThreadScratch& mine_;
  Scratch* scratch_ = nullptr;
  std::unique_ptr<Scratch> nested_;
};

class Evaluator {
 public:
  Evaluator(const Plan& plan, const Request& request, const EvaluateOptions& options, Scratch& s,
            bool tracing)
      : plan_(plan),
        request_(request),
        s_(s),
        tracing_(tracing),
        lists_(options.lists ? ListSetOf(*options.lists) : nullptr),
        no_screening_(options.no_screening) {
    s_.parties_screened = 0;
    s_.screen_uses.clear();
    if (s_.values.size() < plan.nodes.size()) {
      s_.values.resize(plan.nodes.size());
      s_.stamps.resize(plan.nodes.size(), 0);
    }
    s_.bound_at[0] = ++s_.counter;
    start_ = s_.counter;
  }

  // Whether this evaluation has bound variables (`any`, `all`, `for each`) more than
  // kMaxEvaluationSteps times: a rule that nests quantifiers over long lists stops there and
  // fails closed (evaluation_limit) instead of running for hours.
  bool Exhausted() const { return s_.counter - start_ > kMaxEvaluationSteps; }

  const Value& Var(int depth) const { return s_.vars[depth]; }

  void Bind(int depth, Value v) {
    s_.vars[depth] = v;
    s_.bound_at[depth] = ++s_.counter;
  }

  Value Eval(std::uint32_t i) {
    const PlanNode& n = plan_.nodes[i];
    if (!Remembered(n)) return Compute(i, n);
    if (s_.stamps[i] >= s_.bound_at[n.innermost]) return s_.values[i];
    Value v = Compute(i, n);
    s_.values[i] = v;
    s_.stamps[i] = s_.counter;
    return v;
  }

  // Whether node i was evaluated for the current bindings, and its value.
  const Value* Peek(std::uint32_t i) const {
    const PlanNode& n = plan_.nodes[i];
    return Remembered(n) && s_.stamps[i] >= s_.bound_at[n.innermost] ? &s_.values[i] : nullptr;
  }

  // Values are remembered for shared vertices, and for rule conjuncts while tracing.
  bool Remembered(const PlanNode& n) const { return n.shared || (tracing_ && n.explained); }

  static Value String(std::string_view s) {
    Value v;
    v.kind = Value::Kind::kString;
    v.str = s;
    return v;
  }

  static Value List(const void* ptr, size_t count, Type elem) {
    Value v;
    v.kind = Value::Kind::kList;
    v.ptr = ptr;
    v.count = static_cast<std::uint32_t>(count);
    v.elem = elem;
    return v;
  }

  static Value Number(double n) {
    Value v;
    v.kind = Value::Kind::kNumber;
    v.num = n;
    return v;
  }

  // Reads field `f` of `object` (the request, or the material or party a variable is bound to),
  // as the schema describes it: every attribute is read here, by its storage.
  // Inlined into Compute: reading is on every request's path.
  [[gnu::always_inline]] Value Read(const AttrInfo& f, const void* object, int node) {
    // Missing: an error that keeps the material or party read (ErrorMessage names it).
    const void* const read = object;
    auto missing = [&] {
      Value v = Value::Error(ErrorCode::kMissingField, node);
      v.ptr = read;
      return v;
    };
    if (f.storage == Storage::kDerived) {
      const auto& list = *static_cast<const std::vector<std::string>*>(
          Info(f.source).In(&request_));
      if (f.derive == Derive::kMiddle) {
        return list.size() < 2 ? List(nullptr, 0, Type::kString)
                               : List(list.data() + 1, list.size() - 2, Type::kString);
      }
      if (list.empty()) return missing();
      return String(f.derive == Derive::kFirst ? list.front() : list.back());
    }
    if (f.object != Object::kMaterial && f.object != Object::kParty) {
      object = ObjectIn(request_, f.object);
      if (!object) return missing();
    }
    const void* m = f.In(object);
    switch (f.storage) {
      case Storage::kString: {
        const std::string& s = *static_cast<const std::string*>(m);
        if (f.type != Type::kDate) return String(s);
        Value v;  // a date is stored as its text and read as days
        v.kind = Value::Kind::kDate;
        return ParseDate(s, &v.date) ? v : missing();
      }
      case Storage::kOptString:
        if (const auto& s = *static_cast<const std::optional<std::string>*>(m)) return String(*s);
        return missing();
      case Storage::kOptNumber: {
        const auto& n = *static_cast<const std::optional<double>*>(m);
        return n ? Number(*n) : missing();
      }
      case Storage::kOptBool: {
        const auto& b = *static_cast<const std::optional<bool>*>(m);
        return b ? Value::Bool(*b) : missing();
      }
      case Storage::kStrings: {
        const auto& l = *static_cast<const std::vector<std::string>*>(m);
        return List(l.data(), l.size(), Type::kString);
      }
      case Storage::kOptStrings: {
        const auto& l = *static_cast<const std::optional<std::vector<std::string>>*>(m);
        return l ? List(l->data(), l->size(), Type::kString) : missing();
      }
      case Storage::kMaterials: {
        const auto& l = *static_cast<const std::vector<Material>*>(m);
        return List(l.data(), l.size(), Type::kMaterial);
      }
      case Storage::kOptParties: {
        const auto& l = *static_cast<const std::optional<std::vector<Party>>*>(m);
        return l ? List(l->data(), l->size(), Type::kParty) : missing();
      }
      default: return missing();  // objects are not attributes: the checker never asks for one
    }
  }

  static Value Element(const Value& list, std::uint32_t i) {
    Value v;
    switch (list.elem) {
      case Type::kMaterial:
        v.kind = Value::Kind::kObject;
        v.elem = Type::kMaterial;
        v.ptr = static_cast<const Material*>(list.ptr) + i;
        return v;
      case Type::kParty:
        v.kind = Value::Kind::kObject;
        v.elem = Type::kParty;
        v.ptr = static_cast<const Party*>(list.ptr) + i;
        return v;
      default: return String(static_cast<const std::string*>(list.ptr)[i]);
    }
  }

  Value Compute(std::uint32_t i, const PlanNode& n) {
    const std::uint32_t* kids = plan_.Kids(n);
    switch (n.op) {
      case Op::kConst: {
        Value v;
        switch (n.type) {
          case Type::kString: return String(n.str);
          case Type::kNumber: v.kind = Value::Kind::kNumber; v.num = n.num; return v;
          case Type::kDate: v.kind = Value::Kind::kDate; v.date = n.date; return v;
          default: return Value::Bool(n.boolean);
        }
      }
      case Op::kAttr: return Read(*n.field, &request_, static_cast<int>(i));
      case Op::kVar: return s_.vars[n.slot];
      case Op::kMember: {
        Value object = Eval(kids[0]);
        if (object.is_error()) return object;
        return Read(*n.field, object.ptr, static_cast<int>(i));
      }
      case Op::kSetRef: {
        Value v;
        v.kind = Value::Kind::kSet;
        v.ptr = &plan_.sets[n.ref];
        return v;
      }
      case Op::kTableRef: {
        Value v;
        v.kind = Value::Kind::kTable;
        v.ptr = &plan_.tables[n.ref];
        return v;
      }
      case Op::kLookup: return Lookup(i, n, kids);
      case Op::kAnd:
      case Op::kOr: {
        // false absorbs in `and`, true in `or`, whatever the order; otherwise an error wins.
        const bool absorbing = n.op == Op::kOr;
        Value error;
        for (std::uint32_t k = 0; k < n.kid_count; ++k) {
          Value v = Eval(kids[k]);
          if (v.is_error()) {
            if (!error.is_error()) error = v;
          } else if (v.b == absorbing) {
            return Value::Bool(absorbing);
          }
        }
        return error.is_error() ? error : Value::Bool(!absorbing);
      }
      case Op::kNot: {
        Value v = Eval(kids[0]);
        return v.is_error() ? v : Value::Bool(!v.b);
      }
      case Op::kEq:
      case Op::kNe:
      case Op::kLt:
      case Op::kLe:
      case Op::kGt:
      case Op::kGe: return Compare(n, kids);
      case Op::kIn: {
        Value a = Eval(kids[0]);
        if (a.is_error()) return a;
        if (const PlanNode& set = plan_.nodes[kids[1]]; set.op == Op::kSetRef) {
          return Value::Bool(plan_.sets[set.ref].contains(a.str));
        }
        return In(a, kids);
      }
      case Op::kMatches: {
        Value a = Eval(kids[0]);
        if (a.is_error()) return a;
        const bool m = plan_.matchers[n.ref].Match(a.str, n.boolean, &match_budget_);
        if (match_budget_ == 0) return Value::Error(ErrorCode::kEvaluationLimit, static_cast<int>(&n - plan_.nodes.data()));
        return Value::Bool(m);
      }
      case Op::kMatchesAny: {
        Value a = Eval(kids[0]);
        if (a.is_error()) return a;
        Value set = Eval(kids[1]);
        if (set.is_error()) return set;
        const bool m = static_cast<const StringSet*>(set.ptr)->AnyMatches(a.str, n.boolean, &match_budget_);
        if (match_budget_ == 0) return Value::Error(ErrorCode::kEvaluationLimit, static_cast<int>(&n - plan_.nodes.data()));
        return Value::Bool(m);
      }
      case Op::kUnitLimit: return UnitLimit(i, n, kids);
      case Op::kIsKnown: {
        Value v = Eval(kids[0]);
        return Value::Bool(!(v.is_error() && v.error == ErrorCode::kMissingField &&
                             v.node == static_cast<int>(kids[0])));
      }
      case Op::kAny:
      case Op::kAll: return Quantifier(n, kids);
      case Op::kScreen: return Screen(i, n, kids);
    }
    return Value::Error(ErrorCode::kMissingField, static_cast<int>(i));
  }

  // The longer operations, as functions of their own.

  // A limit given in units (`4 L | 4 kg`), in the unit of the material: its quantity compares
  // with it as given. A material without a unit is missing it; one in a unit of another
  // dimension, or in a count, cannot be compared (unit_mismatch), never silently false.
  Value UnitLimit(std::uint32_t i, const PlanNode& n, const std::uint32_t* kids) {
    Value object = Eval(kids[0]);
    if (object.is_error()) return object;
    const Material* m = static_cast<const Material*>(object.ptr);
    if (!m->unit) {
      Value e = Value::Error(ErrorCode::kMissingField, static_cast<int>(i));
      e.ptr = m;
      return e;
    }
    const UnitInfo* u = FindUnit(*m->unit);
    const double limit = !u ? std::numeric_limits<double>::quiet_NaN() : u->volume ? n.num : n.num2;
    if (std::isnan(limit)) {
      Value e = Value::Error(ErrorCode::kUnitMismatch, static_cast<int>(i));
      e.ptr = m;
      return e;
    }
    return Number(limit / u->factor);
  }
  Value Lookup(std::uint32_t i, const PlanNode& n, const std::uint32_t* kids) {
    Value key = Eval(kids[0]);
    if (key.is_error()) return key;
    const auto& table = plan_.tables[n.ref];
    auto it = table.find(absl::string_view(key.str.data(), key.str.size()));
    if (it == table.end()) {
      Value e = Value::Error(ErrorCode::kMissingKey, static_cast<int>(i));
      e.str = key.str;
      return e;
    }
    Value v;
    v.kind = Value::Kind::kSet;
    v.ptr = &plan_.sets[it->second];
    return v;
  }

  Value Compare(const PlanNode& n, const std::uint32_t* kids) {
    Value a = Eval(kids[0]);
    if (a.is_error()) return a;
    Value b = Eval(kids[1]);
    if (b.is_error()) return b;
    int c = 0;
    switch (a.kind) {
      case Value::Kind::kString: c = a.str.compare(b.str); break;
      case Value::Kind::kNumber: c = a.num < b.num ? -1 : a.num > b.num ? 1 : 0; break;
      case Value::Kind::kDate: c = a.date < b.date ? -1 : a.date > b.date ? 1 : 0; break;
      default: c = a.b == b.b ? 0 : 1; break;
    }
    switch (n.op) {
      case Op::kEq: return Value::Bool(c == 0);
      case Op::kNe: return Value::Bool(c != 0);
      case Op::kLt: return Value::Bool(c < 0);
      case Op::kLe: return Value::Bool(c <= 0);
      case Op::kGt: return Value::Bool(c > 0);
      default: return Value::Bool(c >= 0);
    }
  }

  // `a in X` where X is not a named set: a table's keys, a list attribute or a computed set.
  Value In(const Value& a, const std::uint32_t* kids) {
    Value b = Eval(kids[1]);
    if (b.is_error()) return b;
    if (b.kind == Value::Kind::kSet) {
      return Value::Bool(static_cast<const StringSet*>(b.ptr)->contains(a.str));
    }
    if (b.kind == Value::Kind::kTable) {
      return Value::Bool(static_cast<const absl::flat_hash_map<std::string, int>*>(b.ptr)->contains(
          absl::string_view(a.str.data(), a.str.size())));
    }
    const std::string* items = static_cast<const std::string*>(b.ptr);
    return Value::Bool(std::find(items, items + b.count, a.str) != items + b.count);
  }

  Value Quantifier(const PlanNode& n, const std::uint32_t* kids) {
    Value list = Eval(kids[0]);
    if (list.is_error()) return list;
    const bool absorbing = n.op == Op::kAny;
    Value error;
    for (std::uint32_t k = 0; k < list.count; ++k) {
      Bind(n.slot, Element(list, k));
      if (Exhausted()) return Value::Error(ErrorCode::kEvaluationLimit, static_cast<int>(&n - plan_.nodes.data()));
      Value v = Eval(kids[1]);
      if (v.is_error()) {
        if (!error.is_error()) error = v;
      } else if (v.b == absorbing) {
        return Value::Bool(absorbing);
      }
    }
    return error.is_error() ? error : Value::Bool(!absorbing);
  }

  // screen(PARTY[, {codes}]): the best score among the party's matches on those lists, 0 when
  // none reaches kScreenFloor. A party without a name cannot be screened: missing_field.
  Value Screen(std::uint32_t i, const PlanNode& n, const std::uint32_t* kids) {
    const std::optional<std::string>* name = nullptr;
    const std::optional<std::string>* country = nullptr;
    const void* party = nullptr;
    if (n.attr == Attr::kParties) {
      Value v = Eval(kids[0]);
      if (v.is_error()) return v;
      const Party* p = static_cast<const Party*>(v.ptr);
      party = p, name = &p->name, country = &p->country;
    } else if (n.attr == Attr::kEndUser && request_.end_user) {
      party = &*request_.end_user, name = &request_.end_user->name;
      country = &request_.end_user->country;
    } else if (n.attr == Attr::kExporter && request_.exporter) {
      party = &*request_.exporter, name = &request_.exporter->name;
      country = &request_.exporter->country;
    }
    if (!name || !*name || NormalizeName(**name).empty()) {  // nothing a list could match
      Value e = Value::Error(ErrorCode::kMissingField, static_cast<int>(i));
      e.ptr = party;
      return e;
    }
    if (no_screening_) return Number(0);
    if (!lists_ || !Loaded(n)) return Value::Error(ErrorCode::kNotScreened, static_cast<int>(i));
    const std::vector<NameMatch>& matches =
        Matches(party, **name, country->has_value() ? std::string_view(**country) : "");
    NameMatch best;
    for (const NameMatch& m : matches) {  // best first
      if (n.ref < 0 || plan_.sets[n.ref].contains(lists_->index.entry(m.entry).list)) {
        best = m;
        break;
      }
    }
    if (s_.recording) s_.screen_uses.push_back({static_cast<int>(i), party, best});
    return Number(best.score);
  }

  // The party's matches on every loaded list, screened on first use in this evaluation.
  const std::vector<NameMatch>& Matches(const void* party, std::string_view name,
                                        std::string_view country) {
    for (size_t k = 0; k < s_.parties_screened; ++k) {
      if (s_.screened[k].party == party) return s_.screened[k].matches;
    }
    if (s_.screened.size() == s_.parties_screened) s_.screened.emplace_back();
    Scratch::Screened& slot = s_.screened[s_.parties_screened++];
    slot.party = party;
    lists_->index.Screen({name, country, kScreenFloor}, &slot.matches);
    return slot.matches;
  }

  // Whether any list the call asks for was loaded (a call for lists none of which is loaded
  // screens nothing: not_screened).
  bool Loaded(const PlanNode& n) const {
    if (n.ref < 0) return true;  // every list: Lists holds at least one entry
    return std::any_of(lists_->codes.begin(), lists_->codes.end(),
                       [&](const std::string& c) { return plan_.sets[n.ref].contains(c); });
  }

 private:
  const Plan& plan_;
  const Request& request_;
  Scratch& s_;
  const bool tracing_;  // remember the conjuncts' values for explain
  const ListSet* lists_;
  const bool no_screening_;
  std::uint64_t start_ = 0;  // s_.counter when this evaluation began
  std::uint64_t match_budget_ = kMaxMatchSteps;  // characters `matches` may still compare
};

std::string ValueText(const Value* v) {
  if (!v) return "not evaluated";
  switch (v->kind) {
    case Value::Kind::kBool: return v->b ? "true" : "false";
    case Value::Kind::kError: return "error";
    default: return "value";
  }
}

// "end_user", "exporter" or "parties[i]": the party a screen() vertex read.
std::string PartyLabel(const Request& request, Attr attr, const void* party) {
  if (attr == Attr::kEndUser) return "end_user";
  if (attr == Attr::kExporter) return "exporter";
  return absl::StrCat("parties[", static_cast<const Party*>(party) - request.parties->data(), "]");
}

std::string ScreenedPartyMissing(const Request& request, const PlanNode& n, const Value& v) {
  if (!v.ptr) {
    return absl::StrCat("the request does not give `", PartyLabel(request, n.attr, nullptr), "`");
  }
  return absl::StrCat("the request does not give `", PartyLabel(request, n.attr, v.ptr),
                      ".name` (or gives one with no letters or digits)");
}

std::string ErrorMessage(const Plan& plan, const Request& request, const Hit& hit) {
  const Value& v = hit.value;
  const PlanNode& n = plan.nodes[v.node];
  if (v.error == ErrorCode::kMissingKey) {
    return absl::StrCat("table `", plan.program.tables[n.ref].name, "` has no entry for `",
                        Av(v.str), "`");
  }
  if (v.error == ErrorCode::kEvaluationLimit) {
    return absl::StrCat("evaluating the rules for this request exceeds a limit (",
                        kMaxEvaluationSteps, " variable bindings, or ", kMaxMatchSteps,
                        " characters compared by `matches`): not decided");
  }
  if (v.error == ErrorCode::kNotScreened) {
    return "screen() needs restricted-party lists and none of the lists it asks for was loaded "
           "(load them with --lists, or opt out explicitly with --no-screening)";
  }
  if (n.op == Op::kScreen) return absl::StrCat("cannot screen: ", ScreenedPartyMissing(request, n, v));
  if (n.op == Op::kUnitLimit) {
    const size_t i = static_cast<const Material*>(v.ptr) - request.materials.data();
    const Material& m = request.materials[i];
    if (v.error == ErrorCode::kMissingField) {
      return absl::StrCat("the request does not give `materials[", i, "].unit` (material `", m.id,
                          "`), so its quantity cannot be compared with a limit in units");
    }
    std::vector<std::string> dims;
    if (!std::isnan(n.num)) dims.push_back("a volume (mL, L)");
    if (!std::isnan(n.num2)) dims.push_back("a mass (g, kg)");
    return absl::StrCat("material `", m.id, "` is measured in `", *m.unit,
                        "`; the rule's limit is ", absl::StrJoin(dims, " or "));
  }
  // A member read keeps the object it read (`ptr`): the message names that very material or
  // party, whichever variable (`for each`, `any`, `all`) was bound to it.
  const AttrInfo& field = Info(n.attr);
  if (n.op == Op::kMember && field.owner == Owner::kMaterial) {
    const size_t i = static_cast<const Material*>(v.ptr) - request.materials.data();
    return absl::StrCat("the request does not give `materials[", i, "].", Av(field.name),
                        "` (material `", request.materials[i].id, "`)");
  }
  if (n.op == Op::kMember && field.owner == Owner::kParty) {
    const size_t i = static_cast<const Party*>(v.ptr) - request.parties->data();
    return absl::StrCat("the request does not give `parties[", i, "].", Av(field.name), "`");
  }
  return absl::StrCat("the request does not give `", Av(field.name), "`");
}

void AppendUnique(std::vector<std::string>& v, const std::string& s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

// Whether a regime without `when` applies: a country it covers is the origin, the exporter's,
// or the destination (or it covers every country).
bool RegimeReaches(const Regime& regime, const Request& request) {
  for (const auto& [kind, countries] : regime.covers) {
    for (const std::string& c : countries) {
      if (c == "*" || c == request.route.front() || c == request.route.back() ||
          (request.exporter && request.exporter->country == c)) {
        return true;
      }
    }
  }
  return false;
}

// Runs every candidate rule on `request`, leaving the hits in `s.hits` in rule order. Returns
// false, with a fail-closed error in `code` and `message`, for an invalid request or as-of date.
// Reports to `trace` (which needs the `sources`) when it is set.
bool RunRules(const Plan& plan, const Request& request, const EvaluateOptions& options,
              TraceListener* trace, const std::vector<Source>& sources, Scratch& s,
              std::string_view* code, std::string* message) {
  std::int32_t as_of = 0;
  if (absl::Status st = ValidateRequest(request, &as_of); !st.ok()) {
    *code = "invalid_request";
    *message = std::string(st.message());
    return false;
  }
  if (options.as_of && !ParseDate(*options.as_of, &as_of)) {
    *code = "invalid_as_of";
    *message = absl::StrCat("`", *options.as_of, "` is not a date (YYYY-MM-DD)");
    return false;
  }

  Evaluator ev(plan, request, options, s, trace != nullptr);
  s.hits.clear();
  s.bound.clear();
  const std::string& destination = request.route.back();
  // The legs `for each leg` ranges over: origin, transits, destination, and the end user's
  // country when it is not the destination.
  s.legs.clear();
  if (plan.has_legs) {
    s.legs.emplace_back(Leg::kOrigin, request.route.front());
    for (size_t i = 1; i + 1 < request.route.size(); ++i) {
      s.legs.emplace_back(Leg::kTransit, request.route[i]);
    }
    s.legs.emplace_back(Leg::kDestination, destination);
    if (request.end_user && request.end_user->country &&
        *request.end_user->country != destination) {
      s.legs.emplace_back(Leg::kEndUser, *request.end_user->country);
    }
  }

  // Evaluates rule r for the current bindings (or records `failed`); a hit when it holds or
  // fails.
  auto fire = [&](int r, int material, int leg, const Value* failed) __attribute__((noinline)) {
    const PlanRule& pr = plan.rules[r];
    const bool effective = as_of >= pr.from && as_of < pr.until;
    Value v = Value::Bool(true);
    if (failed) {
      v = *failed;
    } else if (effective && pr.when >= 0) {
      v = ev.Eval(pr.when);
    }
    if (effective && (v.is_error() || v.b)) {
      Hit& hit = s.hits.emplace_back(Hit{r, material, v, leg, -1});
      if (pr.authority_slot >= 0 || pr.basis_slot >= 0) {
        hit.bound = static_cast<int>(s.bound.size());
        s.bound.emplace_back(pr.authority_slot >= 0 ? ev.Var(pr.authority_slot).str : "",
                             pr.basis_slot >= 0 ? ev.Var(pr.basis_slot).str : "");
      }
    }
    if (trace) {
      const Rule& rule = plan.program.rules[r];
      RuleTrace t;
      t.rule = rule.id;
      if (material >= 0) t.material = request.materials[material].id;
      t.in_effect = effective;
      t.fired = effective && (v.is_error() || v.b);
      if (effective && v.is_error()) t.error = ErrorMessage(plan, request, Hit{r, material, v, leg, -1});
      for (size_t c = 0; c < pr.conjuncts.size(); ++c) {
        const SourceRange& range = pr.conjunct_ranges[c];
        const Source& src = sources[range.file];
        t.conjuncts.push_back({src.text().substr(range.begin, range.end - range.begin),
                               src.Location(range.begin), ValueText(ev.Peek(pr.conjuncts[c]))});
      }
      trace->OnRule(t);
    }
  };
  // Binds the rule's `for each` variables from the b-th on, firing for each combination.
  auto each = [&](auto& self, int r, int material, size_t b, int leg) -> void {
    const PlanRule& pr = plan.rules[r];
    if (b == pr.binders.size()) return fire(r, material, leg, nullptr);
    const PlanRule::Binder& binder = pr.binders[b];
    // Past the evaluation's budget the rule fails closed, once, and stops binding.
    auto exhausted = [&] {
      if (!ev.Exhausted()) return false;
      const Value limit = Value::Error(ErrorCode::kEvaluationLimit, pr.when >= 0 ? pr.when : 0);
      if (s.hits.empty() || s.hits.back().rule != r || !s.hits.back().value.is_error()) {
        fire(r, material, leg, &limit);
      }
      return true;
    };
    if (binder.domain < 0) {
      for (size_t l = 0; l < s.legs.size(); ++l) {
        if (!((binder.legs >> static_cast<int>(s.legs[l].first)) & 1)) continue;
        ev.Bind(binder.slot, Evaluator::String(s.legs[l].second));
        if (exhausted()) return;
        self(self, r, material, b + 1, static_cast<int>(l));
      }
      return;
    }
    const Value domain = ev.Eval(static_cast<std::uint32_t>(binder.domain));
    if (domain.is_error()) {
      // The values cannot be read: the rule fails closed, unless a condition of it that does
      // not depend on this variable (or a later one) is false, as `and` absorbs an error.
      for (int c : pr.conjuncts) {
        if (plan.nodes[c].innermost >= binder.slot) continue;
        const Value v = ev.Eval(static_cast<std::uint32_t>(c));
        if (!v.is_error() && !v.b) return;
      }
      return fire(r, material, leg, &domain);
    }
    auto bind = [&](std::string_view v) {
      ev.Bind(binder.slot, Evaluator::String(v));
      if (exhausted()) return false;
      self(self, r, material, b + 1, leg);
      return true;
    };
    if (domain.kind == Value::Kind::kSet) {
      for (const std::string& v : static_cast<const StringSet*>(domain.ptr)->values()) {
        if (!bind(v)) return;
      }
    } else if (domain.kind == Value::Kind::kTable) {
      const PlanNode& n = plan.nodes[binder.domain];
      for (const std::string& v : plan.table_keys[n.ref]) {
        if (!bind(v)) return;
      }
    } else {
      const std::string* items = static_cast<const std::string*>(domain.ptr);
      for (std::uint32_t k = 0; k < domain.count; ++k) {
        if (!bind(items[k])) return;
      }
    }
  };
  // Inlined at its four call sites: the loop over candidate rules is the hot path.
  auto run = [&](int r, int material) __attribute__((always_inline)) {
    const PlanRule& pr = plan.rules[r];
    if (!trace && pr.binders.empty()) {  // the common case, kept short
      if (as_of < pr.from || as_of >= pr.until) return;
      const Value v = pr.when >= 0 ? ev.Eval(pr.when) : Value::Bool(true);
      if (v.is_error() || v.b) s.hits.push_back(Hit{r, material, v, -1, -1});
      return;
    }
    if (pr.binders.empty() || as_of < pr.from || as_of >= pr.until) {
      return fire(r, material, -1, nullptr);
    }
    each(each, r, material, 0, -1);
  };

  // Shipment rules: those for any destination and those for this one.
  for (int r : plan.shipment_rules.any) run(r, -1);
  if (const std::vector<int>* rules = plan.shipment_rules.by_destination.Find(destination)) {
    for (int r : *rules) run(r, -1);
  }

  // Material rules, per material, narrowed by destination and ECCN.
  const EccnIndex* buckets[2] = {&plan.material_any_dest, plan.material_by_dest.Find(destination)};
  const Value materials =
      Evaluator::List(request.materials.data(), request.materials.size(), Type::kMaterial);
  for (size_t m = 0; m < request.materials.size(); ++m) {
    const int material = static_cast<int>(m);
    ev.Bind(1, Evaluator::Element(materials, static_cast<std::uint32_t>(m)));
    const std::optional<std::string>& eccn = request.materials[m].eccn;
    for (const EccnIndex* index : buckets) {
      if (!index) continue;
      if (!eccn) {
        for (int r : index->all) run(r, material);
        continue;
      }
      for (int r : index->unkeyed) run(r, material);
      if (!index->exact.empty()) {
        if (auto it = index->exact.find(*eccn); it != index->exact.end()) {
          for (int r : it->second) run(r, material);
        }
      }
      for (int len : index->prefix_lengths) {
        if (len > static_cast<int>(eccn->size())) continue;
        if (auto it = index->prefix.find(absl::string_view(eccn->data(), len));
            it != index->prefix.end()) {
          for (int r : it->second) run(r, material);
        }
      }
    }
  }
  // The regimes that apply, for the decision's coverage (a `when` that fails counts as applied).
  if (s.recording) {
    s.regimes.assign(plan.regime_when.size(), false);
    for (size_t i = 0; i < plan.regime_when.size(); ++i) {
      const int when = plan.regime_when[i];
      if (when < 0) {
        s.regimes[i] = RegimeReaches(plan.program.regimes[i], request);
      } else {
        const Value v = ev.Eval(static_cast<std::uint32_t>(when));
        s.regimes[i] = v.is_error() || v.b;
      }
    }
  }
  // Rule order; within a rule, a reason per leg; within that, material order (the values of
  // `for each x in ...` in the order they were bound).
  auto by_rule = [](const Hit& a, const Hit& b) {
    if (a.rule != b.rule) return a.rule < b.rule;
    if (a.leg != b.leg) return a.leg < b.leg;
    return a.material < b.material;
  };
  if (!std::is_sorted(s.hits.begin(), s.hits.end(), by_rule)) {
    std::stable_sort(s.hits.begin(), s.hits.end(), by_rule);
  }
  return true;
}

// Whether some regime of the policy covers the law of `kind` in `country`.
bool Covered(const Plan& plan, LawKind kind, std::string_view country) {
  for (const Regime& r : plan.program.regimes) {
    for (const auto& [k, countries] : r.covers) {
      if (k != kind) continue;
      for (const std::string& c : countries) {
        if (c == "*" || c == country) return true;
      }
    }
  }
  return false;
}

// The decision's coverage: the regimes that applied, and the law of the shipment's countries no
// regime covers (the same tests as the policy's coverage.* rules, named).
void FillCoverage(const Plan& plan, const Request& request, const Scratch& s, Coverage* out) {
  out->evaluated.clear();
  out->not_covered.clear();
  if (plan.program.regimes.empty()) return;
  for (size_t i = 0; i < plan.program.regimes.size(); ++i) {
    if (i < s.regimes.size() && s.regimes[i]) out->evaluated.push_back(plan.program.regimes[i].title);
  }
  auto check = [&](LawKind kind, std::string_view country) {
    if (country.empty() || Covered(plan, kind, country)) return;
    std::string entry = absl::StrCat(Av(kLawWords[static_cast<int>(kind)]), " of ", Av(country));
    if (std::find(out->not_covered.begin(), out->not_covered.end(), entry) ==
        out->not_covered.end()) {
      out->not_covered.push_back(std::move(entry));
    }
  };
  const std::string_view origin = request.route.front();
  const std::string_view exporter =
      request.exporter && request.exporter->country ? std::string_view(*request.exporter->country) : "";
  check(LawKind::kExportControls, origin);
  check(LawKind::kSanctions, origin);
  check(LawKind::kSanctions, exporter);
  const int dp = plan.program.data_protection_coverage_rule;
  if (dp >= 0 && std::any_of(s.hits.begin(), s.hits.end(), [&](const Hit& h) { return h.rule == dp; })) {
    check(LawKind::kDataProtection, origin);
  }
  check(LawKind::kImportRequirements, request.route.back());
}

// Folds the hits into outcomes; the one place that does. A hit's outcome is its rule's, or
// `review` when the rule failed closed; the decision's is the most restrictive (none: permitted).
// Calls `visit(hit, rule, outcome, first)` for each hit in rule order; `first` marks a rule's
// first hit for a leg (one reason per rule and leg, however many materials it fired for).
template <typename Visit>
Outcome Fold(const Plan& plan, const std::vector<Hit>& hits, Visit&& visit) {
  Outcome outcome = Outcome::kPermitted;
  for (size_t h = 0; h < hits.size(); ++h) {
    const Hit& hit = hits[h];
    const Rule& rule = plan.program.rules[hit.rule];
    const Outcome o = hit.value.is_error() ? kFailClosed : rule.outcome;
    outcome = std::max(outcome, o);
    visit(hit, rule, o, h == 0 || hits[h - 1].rule != hit.rule || hits[h - 1].leg != hit.leg);
  }
  return outcome;
}

// Adds to `out` the list matches rule `r` relied on: the best match of each of its screen()
// vertices, for each party that vertex screened, once each.
void ReportScreening(const Plan& plan, const Request& request, const ListSet* lists,
                     const Scratch& s, int r, std::vector<ScreeningMatch>* out) {
  const std::vector<PlanRule::Screen>& screens = plan.rules[r].screens;
  if (screens.empty() || !lists) return;
  const std::string& rule = plan.program.rules[r].id;
  for (const Scratch::ScreenUse& use : s.screen_uses) {
    auto it = std::find_if(screens.begin(), screens.end(),
                           [&](const PlanRule::Screen& x) { return x.node == use.node; });
    if (use.match.score == 0 || it == screens.end()) continue;
    const double score = use.match.score;
    const bool relied = std::all_of(it->bounds.begin(), it->bounds.end(), [&](const auto& b) {
      switch (b.first) {
        case Op::kEq: return score == b.second;
        case Op::kNe: return score != b.second;
        case Op::kLt: return score < b.second;
        case Op::kLe: return score <= b.second;
        case Op::kGt: return score > b.second;
        default: return score >= b.second;
      }
    });
    if (!relied) continue;
    const PlanNode& n = plan.nodes[use.node];
    const ListEntry& e = lists->index.entry(use.match.entry);
    ScreeningMatch m;
    m.party = PartyLabel(request, n.attr, use.party);
    m.name = n.attr == Attr::kEndUser    ? *request.end_user->name
             : n.attr == Attr::kExporter ? *request.exporter->name
                                         : *static_cast<const Party*>(use.party)->name;
    m.list = e.list;
    m.entry = e.id;
    m.alias = e.names[use.match.alias];
    m.score = use.match.score;
    m.rule = rule;
    auto same = [&](const ScreeningMatch& o) {
      return o.rule == m.rule && o.party == m.party && o.list == m.list && o.entry == m.entry;
    };
    if (std::none_of(out->begin(), out->end(), same)) out->push_back(std::move(m));
  }
}

}  // namespace

void DecidePlan(const Plan& plan, const Request& request, const EvaluateOptions& options,
                Verdict* verdict) {
  ScratchLease lease;
  Scratch& s = *lease;
  s.recording = false;
  verdict->rules.clear();
  verdict->errors = false;
  std::string_view code;
  std::string message;
  static const std::vector<Source> kNoSources;
  if (!RunRules(plan, request, options, nullptr, kNoSources, s, &code, &message)) {
    verdict->outcome = kFailClosed;
    verdict->errors = true;
    return;
  }
  verdict->outcome = Fold(plan, s.hits, [&](const Hit& hit, const Rule&, Outcome, bool first) {
    verdict->errors = verdict->errors || hit.value.is_error();
    if (first && (verdict->rules.empty() || verdict->rules.back() != static_cast<std::uint32_t>(hit.rule))) {
      verdict->rules.push_back(static_cast<std::uint32_t>(hit.rule));
    }
  });
}

void EvaluatePlan(const Plan& plan, const std::vector<Source>& sources, const std::string& digest,
                  const Request& request, const EvaluateOptions& options, Decision* out) {
  // Reset `out` keeping the storage of its strings and items.
  Decision& d = *out;
  d.request.assign(request.id);
  d.reasons.clear();
  d.licenses_required.clear();
  d.conditions.clear();
  d.errors.clear();
  d.policy_digest.assign(digest);
  d.as_of.assign(options.as_of ? *options.as_of : request.date);
  d.screening.clear();
  d.lists.clear();
  d.coverage.evaluated.clear();
  d.coverage.not_covered.clear();
  const ListSet* lists = options.lists ? ListSetOf(*options.lists) : nullptr;
  d.screening_status = options.no_screening ? "off" : lists ? "on" : "no_lists";
  if (lists && !options.no_screening) {
    for (const ListInfo& l : lists->info) d.lists.push_back({l.code, l.date, l.digest});
  }
  ScratchLease lease;
  Scratch& s = *lease;
  s.recording = true;
  std::string_view code;
  std::string message;
  if (!RunRules(plan, request, options, options.trace, sources, s, &code, &message)) {
    d.items.clear();
    d.outcome = kFailClosed;
    d.errors.push_back({std::string(code), std::move(message), ""});
    return;
  }

  FillCoverage(plan, request, s, &d.coverage);

  // Assemble the decision, in rule order.
  d.items.resize(request.materials.size());
  for (size_t m = 0; m < request.materials.size(); ++m) {
    ItemDecision& item = d.items[m];
    item.material.assign(request.materials[m].id);
    item.outcome = Outcome::kPermitted;
    item.reasons.clear();
  }
  std::vector<std::string> materials;
  d.outcome = Fold(plan, s.hits, [&](const Hit& hit, const Rule& rule, Outcome outcome,
                                     bool first) {
    if (first) {
      Reason& reason = d.reasons.emplace_back();
      reason.rule = rule.id;
      reason.outcome = outcome;
      reason.title = rule.title;
      reason.citation = rule.citation;
      reason.source = rule.location;
      if (rule.outcome != Outcome::kPermittedWithConditions) reason.note = rule.text;
      if (hit.leg >= 0) {
        reason.leg = kLegNames[static_cast<int>(s.legs[hit.leg].first)];
        reason.country = s.legs[hit.leg].second;
      }
    }
    Reason& reason = d.reasons.back();
    reason.outcome = std::max(reason.outcome, outcome);
    materials.clear();
    for (size_t m = 0; m < request.materials.size(); ++m) {
      if (hit.material >= 0 && hit.material != static_cast<int>(m)) continue;
      ItemDecision& item = d.items[m];
      item.outcome = std::max(item.outcome, outcome);
      AppendUnique(item.reasons, rule.id);
      AppendUnique(reason.materials, item.material);
      materials.push_back(item.material);
    }
    if (hit.value.is_error()) {
      // A rule that fails the same way for several legs or values says so once.
      DecisionError e{std::string(kErrorCodes[static_cast<int>(hit.value.error)]),
                      ErrorMessage(plan, request, hit), rule.id};
      if (std::none_of(d.errors.begin(), d.errors.end(), [&](const DecisionError& o) {
            return o.code == e.code && o.message == e.message && o.rule == e.rule;
          })) {
        d.errors.push_back(std::move(e));
      }
      return;
    }
    ReportScreening(plan, request, lists, s, hit.rule, &d.screening);
    if (rule.outcome == Outcome::kLicenseRequired) {
      // `basis col`: the value the rule's variable had when it fired.
      const std::string_view authority =
          rule.authority_var >= 0 ? s.bound[hit.bound].first : rule.authority;
      const std::string_view basis = rule.basis_var >= 0 ? s.bound[hit.bound].second : rule.basis;
      auto it = std::find_if(d.licenses_required.begin(), d.licenses_required.end(),
                             [&](const LicenseRequirement& l) {
                               return l.authority == authority && l.basis == basis;
                             });
      if (it == d.licenses_required.end()) {
        it = d.licenses_required.insert(
            it, {std::string(authority), std::string(basis), {}});
      }
      for (const std::string& m : materials) AppendUnique(it->materials, m);
    } else if (rule.outcome == Outcome::kPermittedWithConditions &&
               (d.conditions.empty() || d.conditions.back().rule != rule.id)) {
      // Once per rule, from its first hit that did not fail (an earlier one may have).
      d.conditions.push_back({rule.text, rule.id, rule.citation});
    }
  });
}

}  // namespace exportctl::internal
