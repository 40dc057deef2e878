#include "src/plan/plan.h"

#include <algorithm>
#include <bit>
#include <sstream>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/graphviz.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace exportctl::internal {

StringSet::StringSet(const std::vector<std::string>& values)
    : strings_(values.begin(), values.end()), values_(values) {
  for (const std::string& v : values) {
    if (v.find_first_of("*?") != std::string::npos) patterns_.push_back(Matcher::Make(v));
    int i = CodeIndex(v);
    all_codes_ = all_codes_ && i >= 0;
    if (i >= 0) codes_.set(i);
  }
}


namespace {
bool SameText(std::string_view a, std::string_view b, bool fold) {
  return fold ? absl::EqualsIgnoreCase(absl::string_view(a.data(), a.size()),
                                       absl::string_view(b.data(), b.size()))
              : a == b;
}
}  // namespace

Matcher Matcher::Make(const std::string& pattern) {
  Matcher m;
  size_t wild = pattern.find_first_of("*?");
  if (wild == std::string::npos) {
    m.kind = Matcher::Kind::kExact;
    m.pattern = pattern;
  } else if (wild == pattern.size() - 1 && pattern.back() == '*') {
    m.kind = Matcher::Kind::kPrefix;
    m.pattern = pattern.substr(0, wild);
  } else {
    m.kind = Matcher::Kind::kGlob;
    m.pattern = pattern;
  }
  return m;
}

bool Matcher::Match(std::string_view s, bool fold, std::uint64_t* budget) const {
  switch (kind) {
    case Kind::kExact: return SameText(s, pattern, fold);
    case Kind::kPrefix:
      return s.size() >= pattern.size() && SameText(s.substr(0, pattern.size()), pattern, fold);
    case Kind::kGlob: break;
  }
  // Iterative glob with single-star backtracking: never exponential, but up to
  // len(s) x len(pattern) comparisons, which the budget bounds.
  std::uint64_t spent = 0;
  const std::uint64_t allowed = budget ? *budget : ~std::uint64_t{0};
  size_t p = 0, t = 0, star = std::string::npos, mark = 0;
  while (t < s.size()) {
    if (++spent > allowed) {
      *budget = 0;
      return false;
    }
    if (p < pattern.size() && pattern[p] == '*') {  // a wildcard, even facing a `*` of the text
      star = p++;
      mark = t;
    } else if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == s[t] ||
                                      (fold && absl::ascii_tolower(pattern[p]) == absl::ascii_tolower(s[t])))) {
      ++p;
      ++t;
    } else if (star != std::string::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  if (budget) *budget -= spent;
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

namespace {

// Boost.Graph renders the plan (PlanToDot). The plan itself needs no graph algorithm: vertices
// are created kids first, so the vector is already in topological order.
using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;

std::string_view OpName(Op op) {
  static constexpr std::string_view kNames[] = {
      "const", "attr", "var", "member", "set", "table", "lookup", "or", "and", "not", "==",
      "!=", "<", "<=", ">", ">=", "in", "matches", "is known", "any", "all", "screen",
      "matches any", "unit limit"};
  static_assert(std::size(kNames) == static_cast<size_t>(Op::kUnitLimit) + 1, "one name per Op");
  return kNames[static_cast<int>(op)];
}

class Builder {
 public:
  explicit Builder(Program program) { plan_.program = std::move(program); }

  Plan Build() {
    for (const NamedSet& s : plan_.program.sets) set_ids_.push_back(InternSet(s.values));
    for (const Table& t : plan_.program.tables) {
      auto& table = plan_.tables.emplace_back();
      auto& keys = plan_.table_keys.emplace_back();
      for (const auto& [key, values] : t.entries) {
        table[key] = InternSet(values);
        keys.push_back(key);
      }
      std::sort(keys.begin(), keys.end());
    }
    for (size_t r = 0; r < plan_.program.rules.size(); ++r) {
      const Rule& rule = plan_.program.rules[r];
      PlanRule pr;
      if (rule.when) pr.when = Intern(*rule.when);
      if (rule.effective_from) pr.from = *rule.effective_from;
      if (rule.effective_until) pr.until = *rule.effective_until;
      for (const Rule::Binder& b : rule.binders) {
        PlanRule::Binder pb;
        pb.slot = static_cast<std::uint8_t>(b.slot);
        for (Leg l : b.legs) pb.legs |= 1u << static_cast<int>(l);
        plan_.has_legs = plan_.has_legs || !b.legs.empty();
        if (b.domain) pb.domain = Intern(*b.domain);
        pr.binders.push_back(pb);
      }
      if (rule.authority_var >= 0) pr.authority_slot = rule.binders[rule.authority_var].slot;
      if (rule.basis_var >= 0) pr.basis_slot = rule.binders[rule.basis_var].slot;
      plan_.rules.push_back(std::move(pr));
    }
    for (size_t r = 0; r < plan_.rules.size(); ++r) {
      PlanRule& pr = plan_.rules[r];
      if (pr.when < 0) continue;
      const PlanNode& n = plan_.nodes[pr.when];
      const Expr& when = *plan_.program.rules[r].when;
      if (n.op == Op::kAnd) {
        pr.conjuncts.assign(plan_.Kids(n), plan_.Kids(n) + n.kid_count);
        for (const Expr& k : when.kids) pr.conjunct_ranges.push_back(k.range);
      } else {
        pr.conjuncts = {pr.when};
        pr.conjunct_ranges = {when.range};
      }
    }
    for (PlanRule& pr : plan_.rules) {
      if (pr.when >= 0) CollectScreens(pr.when, pr.screens);
    }
    for (const Regime& r : plan_.program.regimes) {
      plan_.regime_when.push_back(r.when ? Intern(*r.when) : -1);
    }
    MarkMemoized();
    Index();
    return std::move(plan_);
  }

 private:
  int InternSet(std::vector<std::string> values) {
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    auto [it, inserted] = set_by_content_.try_emplace(values, static_cast<int>(plan_.sets.size()));
    if (inserted) plan_.sets.emplace_back(values);
    return it->second;
  }

  int Intern(const Expr& e) {
    std::vector<std::uint32_t> kids;
    std::uint32_t mask = 0;
    for (const Expr& k : e.kids) {
      int id = Intern(k);
      kids.push_back(static_cast<std::uint32_t>(id));
      mask |= masks_[id];
    }
    PlanNode n;
    n.op = e.op;
    n.type = e.type;
    n.attr = e.attr;
    if (e.op == Op::kAttr || e.op == Op::kMember) n.field = &Info(e.attr);
    n.slot = static_cast<std::uint8_t>(e.slot);
    n.str = e.str;
    n.num = e.num;
    n.num2 = e.num2;
    n.date = e.date;
    n.boolean = e.boolean;
    if (e.op == Op::kSetRef) n.ref = set_ids_[e.slot];
    if (e.op == Op::kTableRef || e.op == Op::kLookup) n.ref = e.slot;
    if (e.op == Op::kScreen) n.ref = e.slot >= 0 ? set_ids_[e.slot] : -1;
    if (n.ref >= 0 || e.op == Op::kScreen) n.slot = 0;  // the checker's index is replaced by the plan's `ref`
    if (e.op == Op::kMatches) {
      n.ref = static_cast<int>(plan_.matchers.size());
      plan_.matchers.push_back(Matcher::Make(e.str));
    }
    if (e.op == Op::kVar) mask |= 1u << e.slot;
    if (e.op == Op::kAny || e.op == Op::kAll) mask &= ~(1u << e.slot);
    NodeKey key{n.op, n.type, n.attr, n.slot, n.op == Op::kMatches ? -1 : n.ref, n.str,
                std::bit_cast<std::uint64_t>(n.num), std::bit_cast<std::uint64_t>(n.num2), n.date,
                n.boolean, kids};
    if (auto it = by_key_.find(key); it != by_key_.end()) {
      if (e.op == Op::kMatches) plan_.matchers.pop_back();
      return it->second;
    }
    n.innermost = mask == 0 ? 0 : static_cast<std::uint8_t>(31 - std::countl_zero(mask));
    n.kids_begin = static_cast<std::uint32_t>(plan_.kids.size());
    n.kid_count = static_cast<std::uint32_t>(kids.size());
    plan_.kids.insert(plan_.kids.end(), kids.begin(), kids.end());
    int id = static_cast<int>(plan_.nodes.size());
    plan_.nodes.push_back(std::move(n));
    masks_.push_back(mask);
    by_key_.emplace(std::move(key), id);
    return id;
  }

  // The screen() vertices under `node`, each once, with the comparisons made of them.
  void CollectScreens(int node, std::vector<PlanRule::Screen>& out) const {
    const PlanNode& n = plan_.nodes[node];
    auto find = [&](int screen) -> PlanRule::Screen& {
      for (PlanRule::Screen& s : out) {
        if (s.node == screen) return s;
      }
      return out.emplace_back(PlanRule::Screen{screen, {}});
    };
    if (n.op == Op::kScreen) find(node);
    if (n.op >= Op::kEq && n.op <= Op::kGe && n.kid_count == 2) {
      const std::uint32_t* kids = plan_.Kids(n);
      const PlanNode& a = plan_.nodes[kids[0]];
      const PlanNode& b = plan_.nodes[kids[1]];
      static constexpr Op kFlipped[] = {Op::kEq, Op::kNe, Op::kGt, Op::kGe, Op::kLt, Op::kLe};
      const int op = static_cast<int>(n.op) - static_cast<int>(Op::kEq);
      if (a.op == Op::kScreen && b.op == Op::kConst) find(kids[0]).bounds.push_back({n.op, b.num});
      if (b.op == Op::kScreen && a.op == Op::kConst) {
        find(kids[1]).bounds.push_back({kFlipped[op], a.num});
      }
    }
    for (std::uint32_t k = 0; k < n.kid_count; ++k) CollectScreens(plan_.Kids(n)[k], out);
  }

  // Marks the vertices whose values are remembered: those with several parents (shared
  // conditions), and, when tracing, the conjuncts of rules that explain shows.
  void MarkMemoized() {
    std::vector<int> parents(plan_.nodes.size(), 0);
    for (const PlanNode& n : plan_.nodes) {
      for (std::uint32_t k = 0; k < n.kid_count; ++k) ++parents[plan_.Kids(n)[k]];
    }
    for (const PlanRule& r : plan_.rules) {
      if (r.when >= 0) ++parents[r.when];
      for (int c : r.conjuncts) plan_.nodes[c].explained = true;
    }
    for (size_t i = 0; i < plan_.nodes.size(); ++i) {
      if (parents[i] > 1) plan_.nodes[i].shared = true;
    }
  }

  // The values a top-level conjunct pins `subject` to, if it is `subject == "x"`,
  // `subject in set`, `subject matches "exact"` or, when the index can hold prefixes (ECCNs),
  // `subject matches "prefix*"`. A conjunct the index cannot hold is no key: the rule then goes
  // where every request looks, never nowhere.
  struct Keys {
    std::vector<std::string> exact;
    std::string prefix;
    bool found = false;
  };
  Keys Discriminate(const Rule& rule, Attr attr, bool prefixes) const {
    Keys keys;
    if (!rule.when) return keys;
    std::vector<const Expr*> terms;
    if (rule.when->op == Op::kAnd) {
      for (const Expr& k : rule.when->kids) terms.push_back(&k);
    } else {
      terms.push_back(&*rule.when);
    }
    auto is_subject = [&](const Expr& e) {
      return (e.op == Op::kAttr || (e.op == Op::kMember && e.kids[0].slot == 1)) && e.attr == attr;
    };
    for (const Expr* t : terms) {
      if (t->op == Op::kEq && t->kids[1].op == Op::kConst && is_subject(t->kids[0])) {
        keys.exact = {t->kids[1].str};
      } else if (t->op == Op::kIn && t->kids[1].op == Op::kSetRef && is_subject(t->kids[0])) {
        keys.exact = plan_.program.sets[t->kids[1].slot].values;
      } else if (t->op == Op::kMatches && !t->boolean && is_subject(t->kids[0])) {
        Matcher m = Matcher::Make(t->str);
        if (m.kind == Matcher::Kind::kGlob) continue;
        if (m.kind == Matcher::Kind::kPrefix && !prefixes) continue;
        if (m.kind == Matcher::Kind::kExact) keys.exact = {m.pattern};
        if (m.kind == Matcher::Kind::kPrefix) keys.prefix = m.pattern;
      } else {
        continue;
      }
      keys.found = true;
      return keys;
    }
    return keys;
  }

  static void AddToEccnIndex(EccnIndex& index, int r, const Keys& eccn) {
    index.all.push_back(r);
    if (!eccn.found) {
      index.unkeyed.push_back(r);
    } else if (!eccn.exact.empty()) {
      for (const std::string& k : eccn.exact) index.exact[k].push_back(r);
    } else {
      index.prefix[eccn.prefix].push_back(r);
      int len = static_cast<int>(eccn.prefix.size());
      if (std::find(index.prefix_lengths.begin(), index.prefix_lengths.end(), len) ==
          index.prefix_lengths.end()) {
        index.prefix_lengths.push_back(len);
      }
    }
  }

  void Index() {
    for (size_t i = 0; i < plan_.program.rules.size(); ++i) {
      const Rule& rule = plan_.program.rules[i];
      int r = static_cast<int>(i);
      Keys dest = Discriminate(rule, Attr::kRouteDestination, /*prefixes=*/false);
      if (!rule.per_material) {
        if (!dest.found) plan_.shipment_rules.any.push_back(r);
        for (const std::string& d : dest.exact) plan_.shipment_rules.by_destination[d].push_back(r);
        continue;
      }
      Keys eccn = Discriminate(rule, Attr::kMaterialEccn, /*prefixes=*/true);
      if (!dest.found) AddToEccnIndex(plan_.material_any_dest, r, eccn);
      for (const std::string& d : dest.exact) AddToEccnIndex(plan_.material_by_dest[d], r, eccn);
    }
  }

  // What makes two vertices one: every field, compared exactly (numbers bit for bit), never a
  // printed form (printing rounds: 1000000 and 1000001 once became one vertex).
  struct NodeKey {
    Op op;
    Type type;
    Attr attr;
    std::uint8_t slot;
    std::int32_t ref;
    std::string str;
    std::uint64_t num_bits;
    std::uint64_t num2_bits;
    std::int32_t date;
    bool boolean;
    std::vector<std::uint32_t> kids;

    bool operator==(const NodeKey&) const = default;
    template <typename H>
    friend H AbslHashValue(H h, const NodeKey& k) {
      return H::combine(std::move(h), k.op, k.type, k.attr, k.slot, k.ref, k.str, k.num_bits,
                        k.num2_bits, k.date, k.boolean, k.kids);
    }
  };

  Plan plan_;
  std::vector<int> set_ids_;
  absl::flat_hash_map<std::vector<std::string>, int> set_by_content_;  // by content, exactly
  absl::flat_hash_map<NodeKey, int> by_key_;
  std::vector<std::uint32_t> masks_;
};

std::string Label(const Plan& plan, const PlanNode& n) {
  switch (n.op) {
    case Op::kConst:
      if (n.type == Type::kString) return absl::StrCat("\"", n.str, "\"");
      if (n.type == Type::kBool) return n.boolean ? "true" : "false";
      if (n.type == Type::kDate) return absl::StrCat("date ", n.date);
      return absl::StrCat(n.num);
    case Op::kAttr: return std::string(Av(Info(n.attr).name));
    case Op::kVar: return absl::StrCat("var ", n.slot);
    case Op::kMember: return absl::StrCat(".", Av(Info(n.attr).name));
    case Op::kSetRef: return absl::StrCat("set of ", plan.sets[n.ref].size());
    case Op::kTableRef: return absl::StrCat("table ", plan.program.tables[n.ref].name);
    case Op::kLookup: return absl::StrCat(plan.program.tables[n.ref].name, "[]");
    case Op::kMatches: return absl::StrCat("matches \"", n.str, "\"", n.boolean ? " ignoring case" : "");
    case Op::kUnitLimit: return absl::StrCat("limit ", n.num, " mL | ", n.num2, " g");
    case Op::kAny:
    case Op::kAll: return absl::StrCat(Av(OpName(n.op)), " (var ", n.slot, ")");
    case Op::kScreen:
      return absl::StrCat("screen ", n.attr == Attr::kEndUser    ? "end_user"
                                     : n.attr == Attr::kExporter ? "exporter"
                                                                 : "party",
                          n.ref >= 0 ? absl::StrCat(" (", plan.sets[n.ref].size(), " lists)") : "");
    default: return std::string(Av(OpName(n.op)));
  }
}

}  // namespace

Plan BuildPlan(Program program) { return Builder(std::move(program)).Build(); }

std::string PlanToDot(const Plan& plan) {
  const size_t n = plan.nodes.size();
  Graph g(n + plan.rules.size());
  std::vector<std::string> labels(n + plan.rules.size());
  std::vector<bool> is_rule(labels.size(), false);
  for (size_t v = 0; v < n; ++v) {
    const PlanNode& node = plan.nodes[v];
    labels[v] = Label(plan, node);
    for (std::uint32_t k = 0; k < node.kid_count; ++k) boost::add_edge(v, plan.Kids(node)[k], g);
  }
  for (size_t r = 0; r < plan.rules.size(); ++r) {
    const Rule& rule = plan.program.rules[r];
    labels[n + r] = absl::StrCat(rule.id, "\\n", Av(OutcomeName(rule.outcome)));
    is_rule[n + r] = true;
    if (plan.rules[r].when >= 0) boost::add_edge(n + r, plan.rules[r].when, g);
  }
  std::ostringstream out;
  boost::write_graphviz(out, g, [&](std::ostream& os, size_t v) {
    std::string label;
    for (char c : labels[v]) {
      if (c == '"') label += '\\';
      label += c;
    }
    os << "[label=\"" << label << "\"" << (is_rule[v] ? ", shape=box" : "") << "]";
  });
  return out.str();
}

}  // namespace exportctl::internal
