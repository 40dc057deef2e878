#include "src/check/checker.h"

#include "exportctl/limits.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "src/screening/list_set.h"

namespace exportctl::internal {

namespace {

using ast::Kind;
using ast::Node;

constexpr int kMaxVariables = 8;
constexpr int kMaxExpansion = 32;  // predicates within predicates
// Conditions written through predicates, counted after expansion: predicates that use each
// other twice over could otherwise grow a policy exponentially.
constexpr int kMaxExpandedNodes = 1'000'000;
constexpr size_t kMaxCheckedRows = 2'000;  // a decision table's overlap check compares pairs

struct Variable {
  std::string name;  // empty: a caller's variable, holding its depth inside a predicate's body
  Type type;
};

// What one file sees: its package, its imports, the variables in scope, and inside a
// predicate's body its parameters (bound to the caller's checked arguments).
struct Scope {
  int file = 0;
  std::string package;
  absl::flat_hash_map<std::string, std::string> aliases;  // alias -> package
  std::vector<Variable> vars;                             // depth = index + 1
  std::vector<std::pair<std::string, Expr>> params;
};


std::string Backticked(std::string_view s) { return absl::StrCat("`", Av(s), "`"); }

std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates,
                       std::int64_t* budget = nullptr) {
  std::string best = ClosestMatch(word, candidates, budget);
  return best.empty() ? "" : absl::StrCat("did you mean `", best, "`?");
}

// The help for a word outside a closed list: the closest one, else the whole list.
std::string DidYouMeanOrList(std::string_view word, const std::vector<std::string>& candidates) {
  std::string help = DidYouMean(word, candidates);
  return help.empty() ? absl::StrCat("one of: ", absl::StrJoin(candidates, ", ")) : help;
}

bool IsList(Type t) {
  return t == Type::kStringList || t == Type::kMaterialList || t == Type::kPartyList;
}

Type ElementType(Type list) {
  switch (list) {
    case Type::kMaterialList: return Type::kMaterial;
    case Type::kPartyList: return Type::kParty;
    default: return Type::kString;
  }
}

// `x not in S` and `a is missing` are the negations of `in` and `is known`.
Expr Negate(Expr e) {
  Expr neg;
  neg.op = Op::kNot;
  neg.type = Type::kBool;
  neg.range = e.range;
  neg.kids.push_back(std::move(e));
  return neg;
}

class Checker {
 public:
  Checker(const std::vector<ast::File>& files, const std::vector<Source>& sources,
          DiagnosticSink& sink)
      : files_(files), sources_(sources), sink_(sink) {}

  Program Run() {
    for (const ast::File& file : files_) {
      for (const Node& decl : file.decls) {
        if (decl.kind == Kind::kRule || decl.kind == Kind::kDecision) {
          packages_with_rules_[file.package] = true;
        }
      }
    }
    DeclareNames();
    for (size_t f = 0; f < files_.size(); ++f) scopes_.push_back(MakeScope(static_cast<int>(f)));
    CheckRecursion();
    for (size_t f = 0; f < files_.size(); ++f) {
      Scope scope = scopes_[f];
      for (const Node& decl : files_[f].decls) {
        if (decl.kind == Kind::kRule) LowerRule(decl, scope);
        if (decl.kind == Kind::kDecision) LowerDecision(decl, scope);
        if (decl.kind == Kind::kRegime) LowerRegime(decl, scope);
      }
    }
    if (program_.rules.size() > kMaxRules) {
      sink_.Error(program_.rules[kMaxRules].range, "too_many_rules",
                  absl::StrCat("the policy has ", program_.rules.size(), " rules; the limit is ",
                               kMaxRules));
    }
    if (!program_.regimes.empty()) AddCoverageRules();
    // A predicate no rule uses is still checked, once, with its parameters unbound.
    for (size_t i = 0; i < predicates_.size(); ++i) {
      if (!predicates_[i].used) CheckUnusedPredicate(static_cast<int>(i));
    }
    for (size_t f = 0; f < files_.size(); ++f) {  // tests name rules of any file
      Scope scope = scopes_[f];
      for (const Node& decl : files_[f].decls) {
        if (decl.kind == Kind::kTest) LowerTest(decl, scope);
      }
    }
    for (size_t i = 0; i < program_.sets.size(); ++i) {
      if (InLibrary(program_.sets[i].name)) continue;
      if (!set_used_[i]) {
        sink_.Warning(program_.sets[i].range, "unused_set",
                      absl::StrCat("set ", Backticked(program_.sets[i].name), " is never used"));
      }
    }
    for (size_t i = 0; i < program_.tables.size(); ++i) {
      if (InLibrary(program_.tables[i].name)) continue;
      if (!table_used_[i]) {
        sink_.Warning(program_.tables[i].range, "unused_table",
                      absl::StrCat("table ", Backticked(program_.tables[i].name),
                                   " is never used"));
      }
    }
    return std::move(program_);
  }

 private:
  enum class NameKind { kSet, kTable, kPredicate };
  struct Name {
    NameKind kind;
    int index;
  };
  struct Predicate {
    std::string name;  // package-qualified
    const Node* decl;
    int file;
    std::vector<std::string> params;
    bool used = false;
  };

  SourceRange Range(int file, const Node& n) const { return {file, n.begin, n.end}; }

  void DeclareNames() {
    for (size_t f = 0; f < files_.size(); ++f) {
      const ast::File& file = files_[f];
      int fi = static_cast<int>(f);
      if (file.package.empty()) continue;
      packages_[file.package] = true;
      for (const Node& decl : file.decls) {
        std::string name = absl::StrCat(file.package, ".", decl.text);
        if (decl.kind == Kind::kRule || decl.kind == Kind::kTest ||
            decl.kind == Kind::kDecision || decl.kind == Kind::kRegime) {
          continue;
        }
        if (names_.contains(name)) {
          sink_.Error(Range(fi, decl), "duplicate_name",
                      absl::StrCat(Backticked(name), " is declared twice"));
          continue;
        }
        if (decl.kind == Kind::kPredicate) {
          names_[name] = {NameKind::kPredicate, static_cast<int>(predicates_.size())};
          Predicate p{name, &decl, fi, {}};
          for (size_t k = 0; k + 1 < decl.kids.size(); ++k) {
            const Node& param = decl.kids[k];
            if (std::find(p.params.begin(), p.params.end(), param.text) != p.params.end()) {
              sink_.Error(Range(fi, param), "duplicate_variable",
                          absl::StrCat("parameter ", Backticked(param.text), " is given twice"));
            }
            p.params.push_back(param.text);
          }
          predicates_.push_back(std::move(p));
        } else if (decl.kind == Kind::kSet) {
          names_[name] = {NameKind::kSet, static_cast<int>(program_.sets.size())};
          NamedSet set{name, {}, Range(fi, decl)};
          if (decl.kids[0].kids.size() > kMaxSetEntries) {
            sink_.Error(Range(fi, decl), "too_many_entries",
                        absl::StrCat("set ", Backticked(name), " has ", decl.kids[0].kids.size(),
                                     " values; the limit is ", kMaxSetEntries));
          }
          for (const Node& v : decl.kids[0].kids) set.values.push_back(v.text);
          program_.sets.push_back(std::move(set));
          set_used_.push_back(false);
        } else if (decl.kind == Kind::kTable) {
          names_[name] = {NameKind::kTable, static_cast<int>(program_.tables.size())};
          Table table{name, {}, Range(fi, decl)};
          if (decl.kids.size() > kMaxSetEntries) {
            sink_.Error(Range(fi, decl), "too_many_entries",
                        absl::StrCat("table ", Backticked(name), " has ", decl.kids.size(),
                                     " rows; the limit is ", kMaxSetEntries));
          }
          absl::flat_hash_map<std::string, bool> keys;
          for (const Node& entry : decl.kids) {
            const std::string& key = entry.kids[0].text;
            if (keys.contains(key)) {
              sink_.Error(Range(fi, entry.kids[0]), "duplicate_key",
                          absl::StrCat("key ", Backticked(key), " appears twice in table ",
                                       Backticked(name)));
              continue;
            }
            keys[key] = true;
            std::vector<std::string> values;
            for (const Node& v : entry.kids[1].kids) values.push_back(v.text);
            table.entries.emplace_back(key, std::move(values));
          }
          program_.tables.push_back(std::move(table));
          table_used_.push_back(false);
        }
      }
    }
  }

  Scope MakeScope(int f) {
    Scope scope;
    scope.file = f;
    scope.package = files_[f].package;
    for (const ast::Import& import : files_[f].imports) {
      SourceRange range{f, import.begin, import.end};
      if (!packages_.contains(import.package)) {
        sink_.Error(range, "unknown_package",
                    absl::StrCat("no package ", Backticked(import.package), " in this policy"),
                    Suggest(import.package, [&] {
                      std::vector<std::string> known;
                      for (const auto& [p, unused] : packages_) known.push_back(p);
                      return known;
                    }));
        continue;
      }
      scope.aliases[import.alias] = import.package;
    }
    return scope;
  }

  // Returns the set or table a (possibly qualified) name refers to from `scope`.
  std::optional<Name> FindName(const std::string& text, const Scope& scope) const {
    std::vector<std::string> tries = {absl::StrCat(scope.package, ".", text)};
    if (size_t dot = text.find('.'); dot != std::string::npos) {
      if (auto it = scope.aliases.find(text.substr(0, dot)); it != scope.aliases.end()) {
        tries.push_back(absl::StrCat(it->second, text.substr(dot)));
      }
    }
    tries.push_back(text);
    for (const std::string& t : tries) {
      if (auto it = names_.find(t); it != names_.end()) return it->second;
    }
    return std::nullopt;
  }

  // "did you mean" among the names the program declares, for one finding. Its cost grows with
  // the program, so suggesting for every finding was quadratic: a 2 MB file of 20,000 sets and
  // 20,000 misspelled names took minutes. The suggestions of a compile share one budget of work
  // (ClosestMatch's units, a candidate listed costing kListed); once it is spent, findings are
  // reported without one (tens of milliseconds at most).
  static constexpr std::int64_t kSuggestionBudget = 20'000'000;
  static constexpr std::int64_t kListed = 64;
  std::string Suggest(std::string_view word,
                      absl::FunctionRef<std::vector<std::string>()> candidates) {
    if (suggestion_budget_ <= 0) return "";
    const std::vector<std::string> c = candidates();
    suggestion_budget_ -= kListed * static_cast<std::int64_t>(c.size());
    if (suggestion_budget_ <= 0) return "";
    return DidYouMean(word, c, &suggestion_budget_);
  }

  // The names `scope` can write; only those of one kind (predicates, say) when `only` is set.
  std::vector<std::string> VisibleNames(const Scope& scope,
                                        std::optional<NameKind> only = std::nullopt) const {
    std::vector<std::string> out;
    if (!only) {
      for (const Variable& v : scope.vars) {
        if (!v.name.empty()) out.push_back(v.name);
      }
      for (const auto& [name, unused] : scope.params) out.push_back(name);
      for (const AttrInfo& a : Attributes()) {
        if (a.owner == Owner::kRequest && a.is_attribute()) out.emplace_back(a.name);
      }
    }
    for (const auto& [name, what] : names_) {
      if (only && what.kind != *only) continue;
      out.push_back(name);
      if (absl::StartsWith(name, absl::StrCat(scope.package, "."))) {
        out.push_back(name.substr(scope.package.size() + 1));
      }
      for (const auto& [alias, package] : scope.aliases) {
        if (absl::StartsWith(name, absl::StrCat(package, "."))) {
          out.push_back(absl::StrCat(alias, name.substr(package.size())));
        }
      }
    }
    return out;
  }

  void TypeError(const Scope& s, const Node& n, std::string message) {
    sink_.Error(Range(s.file, n), "type_mismatch", std::move(message));
  }

  std::optional<Expr> ResolvePath(const Node& n, Scope& s) {
    std::vector<std::string> parts = absl::StrSplit(n.text, '.');
    Expr e;
    e.range = Range(s.file, n);
    // A variable, or a predicate's parameter (the caller's argument, already checked).
    std::optional<Expr> bound;
    for (int d = static_cast<int>(s.vars.size()); d >= 1 && !bound; --d) {
      const Variable& var = s.vars[d - 1];
      if (var.name != parts[0]) continue;
      Expr v;
      v.op = Op::kVar;
      v.slot = d;
      v.type = var.type;
      v.range = e.range;
      bound = std::move(v);
    }
    for (auto it = s.params.rbegin(); it != s.params.rend() && !bound; ++it) {
      if (it->first == parts[0]) bound = it->second;
    }
    if (bound) {
      Expr v = std::move(*bound);
      const Variable var{parts[0], v.type};
      if (parts.size() == 1) return v;
      Owner owner = var.type == Type::kMaterial ? Owner::kMaterial : Owner::kParty;
      std::vector<std::string> candidates;
      if (var.type == Type::kMaterial || var.type == Type::kParty) {
        for (const AttrInfo& a : Attributes()) {
          if (a.owner != owner) continue;
          if (parts.size() == 2 && a.name == parts[1]) {
            e.op = Op::kMember;
            e.attr = a.attr;
            e.type = a.type;
            e.kids.push_back(std::move(v));
            return e;
          }
          candidates.push_back(absl::StrCat(parts[0], ".", Av(a.name)));
        }
      }
      sink_.Error(e.range, "unknown_attribute",
                  absl::StrCat("unknown attribute ", Backticked(n.text), " of a ",
                               TypeName(var.type)),
                  DidYouMean(n.text, candidates));
      return std::nullopt;
    }
    if (IsRequestRoot(parts[0])) {
      std::vector<std::string> candidates;
      for (const AttrInfo& a : Attributes()) {
        if (a.owner != Owner::kRequest || !a.is_attribute()) continue;
        if (a.name == n.text) {
          e.op = Op::kAttr;
          e.attr = a.attr;
          e.type = a.type;
          return e;
        }
        candidates.emplace_back(a.name);
      }
      sink_.Error(e.range, "unknown_attribute",
                  absl::StrCat("unknown attribute ", Backticked(n.text)),
                  DidYouMean(n.text, candidates));
      return std::nullopt;
    }
    if (std::optional<Name> name = FindName(n.text, s)) {
      if (name->kind == NameKind::kPredicate) return Expand(name->index, {}, n, s);
      const bool table = name->kind == NameKind::kTable;
      e.op = table ? Op::kTableRef : Op::kSetRef;
      e.type = table ? Type::kTable : Type::kSet;
      e.slot = name->index;
      (table ? table_used_ : set_used_)[name->index] = true;
      return e;
    }
    sink_.Error(e.range, "unknown_name", absl::StrCat("unknown name ", Backticked(n.text)),
                Suggest(n.text, [&] { return VisibleNames(s); }));
    return std::nullopt;
  }

  // Checks a string constant against an attribute's closed vocabulary.
  void CheckVocabulary(const Expr& subject, const Expr& value) {
    if (subject.op != Op::kAttr && subject.op != Op::kMember) return;
    const AttrInfo& info = Info(subject.attr);
    if (info.vocabulary.empty()) return;
    auto check = [&](const std::string& v, SourceRange range) {
      for (std::string_view a : info.vocabulary) {
        if (a == v) return;
      }
      std::vector<std::string> allowed(info.vocabulary.begin(), info.vocabulary.end());
      sink_.Error(range, "unknown_value",
                  absl::StrCat(Backticked(v), " is not a value of `", Av(info.name), "`"),
                  DidYouMeanOrList(v, allowed));
    };
    if (value.op == Op::kConst && value.type == Type::kString) check(value.str, value.range);
    if (value.op == Op::kSetRef) {
      for (const std::string& v : program_.sets[value.slot].values) check(v, value.range);
    }
  }

  // `x?` in a test (`x? == v`, `x? in S`, `x? matches "..."`, `any(y in x?: ...)`) makes the
  // test false when x is absent: the test becomes `x is known and TEST`. On a true/false
  // attribute, `x?` alone reads absent as false. Anywhere else it is an error.
  static bool IsTest(Kind k) {
    return k == Kind::kCompare || k == Kind::kIn || k == Kind::kNotIn || k == Kind::kMatches ||
           k == Kind::kMatchesAny || k == Kind::kAny || k == Kind::kAll;
  }

  std::optional<Expr> Lower(const Node& n, Scope& s) {
    if (!IsTest(n.kind) && n.kind != Kind::kPath && n.kind != Kind::kLookup) {
      std::vector<Expr>* saved = std::exchange(optional_, nullptr);
      std::optional<Expr> e = LowerNode(n, s);
      optional_ = saved;
      return e;
    }
    if (!IsTest(n.kind)) return LowerNode(n, s);
    std::vector<Expr> optional;
    std::vector<Expr>* saved = std::exchange(optional_, &optional);
    std::optional<Expr> e = LowerNode(n, s);
    optional_ = saved;
    if (!e || optional.empty()) return e;
    return GuardKnown(std::move(optional), std::move(*e));
  }

  // `a is known and b is known and test`.
  static Expr GuardKnown(std::vector<Expr> attrs, Expr test) {
    std::vector<Expr> terms;
    const SourceRange range = test.range;
    for (Expr& a : attrs) {
      Expr known;
      known.op = Op::kIsKnown;
      known.type = Type::kBool;
      known.range = a.range;
      known.kids.push_back(std::move(a));
      terms.push_back(std::move(known));
    }
    terms.push_back(std::move(test));
    return Connect(Op::kAnd, std::move(terms), range);
  }

  // `terms` joined by `op` (kAnd or kOr), a term of the same op spliced in (`a and (b and c)` is
  // `a and b and c`: one conjunct each, for explain and the rule index); a single term alone.
  static Expr Connect(Op op, std::vector<Expr> terms, SourceRange range) {
    if (terms.size() == 1) return std::move(terms[0]);
    Expr e;
    e.op = op;
    e.type = Type::kBool;
    e.range = range;
    for (Expr& t : terms) {
      if (t.op == op) {
        for (Expr& k : t.kids) e.kids.push_back(std::move(k));
      } else {
        e.kids.push_back(std::move(t));
      }
    }
    return e;
  }

  std::optional<Expr> Optional(const Node& n, Expr attr, Scope& s) {
    if (attr.op != Op::kAttr && attr.op != Op::kMember) {
      sink_.Error(Range(s.file, n), "not_an_attribute",
                  absl::StrCat("`?` applies to request attributes; ", Backticked(n.text),
                               " is not one"));
      return std::nullopt;
    }
    if (attr.type == Type::kBool) return GuardKnown({attr}, attr);
    if (!optional_) {
      sink_.Error(Range(s.file, n), "misplaced_optional",
                  absl::StrCat(Backticked(absl::StrCat(n.text, "?")),
                               " belongs in a test: `x? == v`, `x? in S`, `x? matches \"...\"`, "
                               "`any(y in x?: ...)`, or alone on a true/false attribute"));
      return std::nullopt;
    }
    optional_->push_back(attr);
    return attr;
  }

  // Expands predicate `index` with the caller's checked arguments: its body is checked in its
  // own file's scope, its parameters standing for the arguments, the caller's variables keeping
  // their depths (hidden by name). The result is an ordinary condition, so the plan shares it
  // like any other and the rule index sees its tests.
  std::optional<Expr> Expand(int index, std::vector<Expr> args, const Node& call, Scope& caller) {
    Predicate& p = predicates_[index];
    p.used = true;
    SourceRange range = Range(caller.file, call);
    if (args.size() != p.params.size()) {
      sink_.Error(range, "wrong_arguments",
                  absl::StrCat("predicate ", Backticked(p.name), " takes ", p.params.size(),
                               p.params.size() == 1 ? " argument" : " arguments",
                               p.params.empty() ? "" : absl::StrCat(" (", absl::StrJoin(p.params, ", "), ")"),
                               ", given ", args.size()));
      return std::nullopt;
    }
    if (std::find(expanding_.begin(), expanding_.end(), index) != expanding_.end()) {
      return std::nullopt;  // recursion: reported where the predicate is declared
    }
    if (expanding_.size() >= static_cast<size_t>(kMaxExpansion)) {
      sink_.Error(range, "nesting_too_deep",
                  absl::StrCat("predicates nest more than ", kMaxExpansion, " deep"));
      return std::nullopt;
    }
    Scope body = scopes_[p.file];
    body.vars = caller.vars;
    for (Variable& v : body.vars) v.name.clear();
    for (size_t i = 0; i < args.size(); ++i) body.params.emplace_back(p.params[i], std::move(args[i]));
    expanding_.push_back(index);
    std::vector<Expr>* saved = std::exchange(optional_, nullptr);
    std::optional<Expr> e = Lower(p.decl->kids.back(), body);
    optional_ = saved;
    expanding_.pop_back();
    if (!e) return std::nullopt;
    if (e->type != Type::kBool) {
      TypeError(body, p.decl->kids.back(),
                absl::StrCat("a predicate is a condition; ", Backticked(p.name), " is a ",
                             TypeName(e->type)));
      return std::nullopt;
    }
    if (e->op != Op::kAnd && e->op != Op::kOr) e->range = range;
    return e;
  }

  // A predicate no rule uses: checked when it has no parameters, else only reported.
  // A package of declarations only (a library such as the standard concepts, `common`)
  // serves whichever packs are compiled with it: what they leave unused is no finding.
  bool InLibrary(const std::string& name) const {
    return !packages_with_rules_.contains(name.substr(0, name.rfind('.')));
  }

  void CheckUnusedPredicate(int index) {
    const Predicate& p = predicates_[index];
    if (!InLibrary(p.name)) sink_.Warning(Range(p.file, *p.decl), "unused_predicate",
                  absl::StrCat("predicate ", Backticked(p.name), " is never used"));
    if (!p.params.empty()) return;
    Scope scope = scopes_[p.file];
    Expand(index, {}, *p.decl, scope);
  }

  // Recursion is an error wherever it is: a predicate that reaches itself through the names its
  // body uses (directly or through other predicates).
  void CheckRecursion() {
    std::vector<std::vector<int>> uses(predicates_.size());
    for (size_t i = 0; i < predicates_.size(); ++i) {
      const Predicate& p = predicates_[i];
      CollectPredicateUses(p.decl->kids.back(), p, scopes_[p.file], uses[i]);
    }
    std::vector<int> state(predicates_.size(), 0);  // 0 new, 1 on the path, 2 done
    std::vector<int> path;
    std::function<void(int)> visit = [&](int i) {
      state[i] = 1;
      path.push_back(i);
      for (int j : uses[i]) {
        if (state[j] == 1) {
          std::vector<std::string> chain;
          auto from = std::find(path.begin(), path.end(), j);
          for (auto it = from; it != path.end(); ++it) chain.push_back(predicates_[*it].name);
          chain.push_back(predicates_[j].name);
          const Predicate& p = predicates_[j];
          sink_.Error(Range(p.file, *p.decl), "recursive_predicate",
                      absl::StrCat("predicate ", Backticked(p.name), " uses itself: ",
                                   absl::StrJoin(chain, " -> ")),
                      "a predicate is expanded where it is used, so it cannot recurse");
        } else if (state[j] == 0) {
          visit(j);
        }
      }
      path.pop_back();
      state[i] = 2;
    };
    for (size_t i = 0; i < predicates_.size(); ++i) {
      if (state[i] == 0) visit(static_cast<int>(i));
    }
  }

  void CollectPredicateUses(const Node& n, const Predicate& p, const Scope& s,
                            std::vector<int>& out) {
    if (n.kind == Kind::kCall || n.kind == Kind::kPath) {
      const bool param = std::find(p.params.begin(), p.params.end(), n.text) != p.params.end();
      if (!param) {
        if (std::optional<Name> name = FindName(n.text, s);
            name && name->kind == NameKind::kPredicate) {
          out.push_back(name->index);
        }
      }
    }
    for (const Node& k : n.kids) CollectPredicateUses(k, p, s, out);
  }

  std::optional<Expr> LowerNode(const Node& n, Scope& s) {
    Expr e;
    e.range = Range(s.file, n);
    if (!expanding_.empty() && ++expanded_nodes_ > kMaxExpandedNodes) {
      if (expanded_nodes_ == kMaxExpandedNodes + 1) {
        sink_.Error(e.range, "expansion_too_large",
                    absl::StrCat("predicates expand to more than ", kMaxExpandedNodes,
                                 " condition nodes"),
                    "a predicate that uses another several times multiplies it: share a "
                    "condition through a set or table instead");
      }
      return std::nullopt;
    }
    auto lower_kids = [&](Type want) -> bool {
      bool ok = true;
      for (const Node& kid : n.kids) {
        std::optional<Expr> k = Lower(kid, s);
        if (!k) {
          ok = false;
          continue;
        }
        if (k->type != want) {
          TypeError(s, kid, absl::StrCat("expected a ", TypeName(want), ", found a ",
                                         TypeName(k->type)));
          ok = false;
        }
        e.kids.push_back(std::move(*k));
      }
      return ok;
    };
    switch (n.kind) {
      case Kind::kString:
        e.op = Op::kConst;
        e.type = Type::kString;
        e.str = n.text;
        return e;
      case Kind::kNumber:
        e.op = Op::kConst;
        e.type = Type::kNumber;
        e.num = n.number;
        return e;
      case Kind::kBool:
        e.op = Op::kConst;
        e.type = Type::kBool;
        e.boolean = n.text == "true";
        return e;
      case Kind::kDate:
        e.op = Op::kConst;
        e.type = Type::kDate;
        if (!ParseDate(n.text, &e.date)) {
          sink_.Error(e.range, "invalid_date",
                      absl::StrCat(Backticked(n.text), " is not a calendar date"));
          return std::nullopt;
        }
        return e;
      case Kind::kSetLiteral: {
        NamedSet set{absl::StrCat("{...}@", sources_[s.file].Location(n.begin)), {}, e.range};
        for (const Node& v : n.kids) set.values.push_back(v.text);
        e.op = Op::kSetRef;
        e.type = Type::kSet;
        e.slot = static_cast<int>(program_.sets.size());
        program_.sets.push_back(std::move(set));
        set_used_.push_back(true);
        return e;
      }
      case Kind::kPath: {
        std::optional<Expr> p = ResolvePath(n, s);
        if (!p || n.key != "?") return p;
        return Optional(n, std::move(*p), s);
      }
      case Kind::kQuantity:
        TypeError(s, n, "a quantity with a unit (`4 L`) is compared with `m.quantity` or "
                        "`m.dry_ice_kg` (`m.quantity > 4 L`)");
        return std::nullopt;
      case Kind::kLookup: {
        if (n.key == "?") {
          sink_.Error(e.range, "not_an_attribute",
                      "`?` applies to request attributes, not to a table lookup");
          return std::nullopt;
        }
        std::optional<Name> name = FindName(n.text, s);
        if (!name || name->kind != NameKind::kTable) {
          sink_.Error(e.range, "unknown_table", absl::StrCat("unknown table ", Backticked(n.text)),
                      Suggest(n.text, [&] { return VisibleNames(s); }));
          return std::nullopt;
        }
        table_used_[name->index] = true;
        e.op = Op::kLookup;
        e.type = Type::kSet;
        e.slot = name->index;
        if (!lower_kids(Type::kString)) return std::nullopt;
        return e;
      }
      case Kind::kOr:
      case Kind::kAnd:
      case Kind::kNot:
        e.op = n.kind == Kind::kOr ? Op::kOr : n.kind == Kind::kAnd ? Op::kAnd : Op::kNot;
        e.type = Type::kBool;
        if (!lower_kids(Type::kBool)) return std::nullopt;
        if (e.op == Op::kNot) return e;
        return Connect(e.op, std::move(e.kids), e.range);
      case Kind::kCompare: {
        if (n.kids[0].kind == Kind::kQuantity || n.kids[1].kind == Kind::kQuantity) {
          return LowerQuantityCompare(n, s);
        }
        std::optional<Expr> lhs = Lower(n.kids[0], s);
        std::optional<Expr> rhs = Lower(n.kids[1], s);
        if (!lhs || !rhs) return std::nullopt;
        e.op = CompareOp(n.text);
        bool ordered = e.op != Op::kEq && e.op != Op::kNe;
        bool scalar = lhs->type == Type::kString || lhs->type == Type::kNumber ||
                      lhs->type == Type::kDate || lhs->type == Type::kBool;
        if (lhs->type == rhs->type && scalar && ordered && lhs->type != Type::kNumber &&
            lhs->type != Type::kDate) {
          TypeError(s, n, absl::StrCat("`", n.text, "` orders numbers and dates, not a ",
                                       TypeName(lhs->type)));
          return std::nullopt;
        }
        if (lhs->type != rhs->type || !scalar) {
          TypeError(s, n, absl::StrCat("cannot compare a ", TypeName(lhs->type), " with a ",
                                       TypeName(rhs->type), " using `", n.text, "`"));
          return std::nullopt;
        }
        CheckVocabulary(*lhs, *rhs);
        CheckVocabulary(*rhs, *lhs);
        if (!CheckScreenThreshold(*lhs, *rhs) || !CheckScreenThreshold(*rhs, *lhs)) {
          return std::nullopt;
        }
        e.type = Type::kBool;
        e.kids.push_back(std::move(*lhs));
        e.kids.push_back(std::move(*rhs));
        return e;
      }
      case Kind::kIn:
      case Kind::kNotIn: {
        std::optional<Expr> lhs = Lower(n.kids[0], s);
        std::optional<Expr> rhs = Lower(n.kids[1], s);
        if (!lhs || !rhs) return std::nullopt;
        if (lhs->type != Type::kString) {
          TypeError(s, n.kids[0], absl::StrCat("`in` needs a string on its left, found a ",
                                               TypeName(lhs->type)));
          return std::nullopt;
        }
        if (rhs->type != Type::kSet && rhs->type != Type::kTable &&
            rhs->type != Type::kStringList) {
          TypeError(s, n.kids[1],
                    absl::StrCat("`in` needs a set, a table or a list of strings on its right, "
                                 "found a ",
                                 TypeName(rhs->type)));
          return std::nullopt;
        }
        CheckVocabulary(*lhs, *rhs);
        e.op = Op::kIn;
        e.type = Type::kBool;
        e.kids.push_back(std::move(*lhs));
        e.kids.push_back(std::move(*rhs));
        return n.kind == Kind::kIn ? e : Negate(std::move(e));
      }
      case Kind::kMatches: {
        std::optional<Expr> lhs = Lower(n.kids[0], s);
        if (!lhs) return std::nullopt;
        if (lhs->type != Type::kString) {
          TypeError(s, n.kids[0], absl::StrCat("`matches` needs a string on its left, found a ",
                                               TypeName(lhs->type)));
          return std::nullopt;
        }
        e.op = Op::kMatches;
        e.type = Type::kBool;
        e.str = n.kids[1].text;
        e.boolean = n.key == "ignoring case";
        e.kids.push_back(std::move(*lhs));
        return e;
      }
      case Kind::kMatchesAny: {
        std::optional<Expr> lhs = Lower(n.kids[0], s);
        std::optional<Expr> rhs = Lower(n.kids[1], s);
        if (!lhs || !rhs) return std::nullopt;
        if (lhs->type != Type::kString) {
          TypeError(s, n.kids[0], absl::StrCat("`matches any` needs a string on its left, found a ",
                                               TypeName(lhs->type)));
          return std::nullopt;
        }
        if (rhs->type != Type::kSet) {
          TypeError(s, n.kids[1],
                    absl::StrCat("`matches any` needs a set of patterns on its right, found a ",
                                 TypeName(rhs->type)));
          return std::nullopt;
        }
        e.op = Op::kMatchesAny;
        e.type = Type::kBool;
        e.boolean = n.key == "ignoring case";
        e.kids.push_back(std::move(*lhs));
        e.kids.push_back(std::move(*rhs));
        return e;
      }
      case Kind::kIsKnown:
      case Kind::kIsMissing: {
        std::optional<Expr> subject = Lower(n.kids[0], s);
        if (!subject) return std::nullopt;
        if (subject->op != Op::kAttr && subject->op != Op::kMember) {
          sink_.Error(Range(s.file, n.kids[0]), "not_an_attribute",
                      "`is known` and `is missing` apply to request attributes only");
          return std::nullopt;
        }
        e.op = Op::kIsKnown;
        e.type = Type::kBool;
        e.kids.push_back(std::move(*subject));
        return n.kind == Kind::kIsKnown ? e : Negate(std::move(e));
      }
      case Kind::kAny:
      case Kind::kAll: {
        std::optional<Expr> collection = Lower(n.kids[0], s);
        if (!collection) return std::nullopt;
        if (!IsList(collection->type)) {
          TypeError(s, n.kids[0], absl::StrCat("`", n.kind == Kind::kAny ? "any" : "all",
                                               "` ranges over a list, found a ",
                                               TypeName(collection->type)));
          return std::nullopt;
        }
        if (!DeclareVariable(n.text, ElementType(collection->type), e.range, s)) {
          return std::nullopt;
        }
        std::optional<Expr> body = Lower(n.kids[1], s);
        s.vars.pop_back();
        if (!body) return std::nullopt;
        if (body->type != Type::kBool) {
          TypeError(s, n.kids[1], absl::StrCat("expected a condition, found a ",
                                               TypeName(body->type)));
          return std::nullopt;
        }
        e.op = n.kind == Kind::kAny ? Op::kAny : Op::kAll;
        e.type = Type::kBool;
        e.slot = static_cast<int>(s.vars.size()) + 1;
        e.kids.push_back(std::move(*collection));
        e.kids.push_back(std::move(*body));
        return e;
      }
      case Kind::kCall: {
        if (n.text == "screen") return LowerCall(n, s);
        std::optional<Name> name = FindName(n.text, s);
        if (!name || name->kind != NameKind::kPredicate) {
          sink_.Error(e.range, "unknown_function",
                      absl::StrCat("unknown function or predicate ", Backticked(n.text)),
                      Suggest(n.text, [&] {
                        std::vector<std::string> functions = VisibleNames(s, NameKind::kPredicate);
                        functions.push_back("screen");
                        return functions;
                      }));
          return std::nullopt;
        }
        std::vector<Expr> args;
        for (const Node& kid : n.kids) {
          std::optional<Expr> a = Lower(kid, s);
          if (!a) return std::nullopt;
          args.push_back(std::move(*a));
        }
        return Expand(name->index, std::move(args), n, s);
      }
      default:
        sink_.Error(e.range, "internal", "unexpected syntax node");
        return std::nullopt;
    }
  }

  static Op CompareOp(std::string_view text) {
    static const std::pair<std::string_view, Op> kOps[] = {
        {"==", Op::kEq}, {"!=", Op::kNe}, {"<", Op::kLt},
        {"<=", Op::kLe}, {">", Op::kGt},  {">=", Op::kGe}};
    for (const auto& [t, op] : kOps) {
      if (t == text) return op;
    }
    return Op::kEq;
  }

  // A number literal times a power of ten, scaled as a decimal (`0.7` mL is exactly 700 uL):
  // the literal's text with its exponent raised, read once (strtod rounds correctly).
  double Scaled(const Node& num, int file, double factor) const {
    // A view of the source itself: std::string::substr would return a temporary to dangle.
    std::string_view text =
        std::string_view(sources_[file].text()).substr(num.begin, num.end - num.begin);
    size_t n = 0;
    while (n < text.size() && (std::isdigit(static_cast<unsigned char>(text[n])) ||
                               text[n] == '.' || text[n] == '+' || text[n] == '-' ||
                               ((text[n] == 'e' || text[n] == 'E') && n + 1 < text.size() &&
                                (std::isdigit(static_cast<unsigned char>(text[n + 1])) ||
                                 text[n + 1] == '+' || text[n + 1] == '-')))) {
      ++n;
    }
    std::string digits(text.substr(0, n));
    long exponent = 0;
    if (size_t e = digits.find_first_of("eE"); e != std::string::npos) {
      exponent = std::strtol(digits.c_str() + e + 1, nullptr, 10);
      digits.resize(e);
    }
    exponent += std::lround(std::log10(factor));
    const double v = std::strtod(absl::StrCat(digits, "e", exponent).c_str(), nullptr);
    return std::isfinite(v) ? v : num.number * factor;
  }

  // `m.quantity > 4 L | 4 kg`: the limit is read in the material's own unit when the rule runs
  // (a unit of another dimension, or a count, is a unit_mismatch error then); `m.dry_ice_kg`
  // is in kg, so its limit converts now.
  std::optional<Expr> LowerQuantityCompare(const Node& n, Scope& s) {
    const bool left = n.kids[0].kind == Kind::kQuantity;
    const Node& qnode = n.kids[left ? 0 : 1];
    const Node& other = n.kids[left ? 1 : 0];
    if (other.kind == Kind::kQuantity) {
      TypeError(s, n, "compare a quantity attribute (`m.quantity`) with a quantity, not two quantities");
      return std::nullopt;
    }
    const double kNone = std::numeric_limits<double>::quiet_NaN();
    double volume = kNone, mass = kNone;
    for (const Node& num : qnode.kids) {
      const UnitInfo* u = FindUnit(num.key);
      SourceRange range = Range(s.file, num);
      if (!u) {
        const AttrInfo& unit = Info(Attr::kMaterialUnit);
        if (std::find(unit.vocabulary.begin(), unit.vocabulary.end(), num.key) !=
            unit.vocabulary.end()) {
          sink_.Error(range, "unit_mismatch",
                      absl::StrCat(Backticked(num.key), " counts items: a count has no unit to convert"),
                      "compare `m.quantity` with a plain number and test `m.unit`");
        } else {
          std::vector<std::string> names;
          for (const UnitInfo& k : kUnits) names.emplace_back(k.name);
          sink_.Error(range, "unknown_unit", absl::StrCat(Backticked(num.key), " is not a unit"),
                      DidYouMeanOrList(num.key, names));
        }
        return std::nullopt;
      }
      double& slot = u->volume ? volume : mass;
      if (!std::isnan(slot)) {
        sink_.Error(range, "unit_mismatch",
                    absl::StrCat("two ", u->volume ? "volume" : "mass",
                                 " limits: `|` gives the same limit in each dimension once"));
        return std::nullopt;
      }
      slot = Scaled(num, s.file, u->factor);
    }
    std::optional<Expr> subject = Lower(other, s);
    if (!subject) return std::nullopt;
    Expr limit;
    limit.range = Range(s.file, qnode);
    limit.type = Type::kNumber;
    const bool attribute = subject->op == Op::kMember || subject->op == Op::kAttr;
    if (attribute && subject->attr == Attr::kMaterialQuantity) {
      limit.op = Op::kUnitLimit;
      limit.num = volume;
      limit.num2 = mass;
      limit.kids.push_back(subject->kids[0]);
    } else if (attribute && subject->attr == Attr::kMaterialDryIceKg) {
      if (std::isnan(mass)) {
        sink_.Error(limit.range, "unit_mismatch",
                    "`dry_ice_kg` is a mass (kg): give its limit in kg or g");
        return std::nullopt;
      }
      limit.op = Op::kConst;
      limit.num = mass / FindUnit("kg")->factor;
    } else {
      TypeError(s, other,
                subject->type == Type::kNumber
                    ? absl::StrCat(Backticked(other.text), " has no unit: compare it with a plain number")
                    : absl::StrCat(Backticked(other.text), " is a ", TypeName(subject->type),
                                   "; a quantity with a unit compares with `m.quantity` or "
                                   "`m.dry_ice_kg`"));
      return std::nullopt;
    }
    Expr e;
    e.op = CompareOp(n.text);
    e.type = Type::kBool;
    e.range = Range(s.file, n);
    if (left) {
      e.kids.push_back(std::move(limit));
      e.kids.push_back(std::move(*subject));
    } else {
      e.kids.push_back(std::move(*subject));
      e.kids.push_back(std::move(limit));
    }
    return e;
  }

  // screen() computes scores from kScreenFloor up (lower best matches read 0), so comparing it
  // with a threshold under the floor would silently never see the scores it asks about.
  bool CheckScreenThreshold(const Expr& screen, const Expr& value) {
    if (screen.op != Op::kScreen || value.op != Op::kConst || value.type != Type::kNumber) {
      return true;
    }
    if (value.num <= 0 || value.num >= kScreenFloor) return true;
    sink_.Error(value.range, "screen_threshold",
                absl::StrCat("screen() scores below ", kScreenFloor,
                             " are not computed (they read 0); compare with 0 or with ",
                             kScreenFloor, " to 100"),
                absl::StrCat("the standard pack's thresholds: ", kScreenFloor,
                             " (possible match) and ", kNearExactScore, " (near-exact)"));
    return false;
  }

  // The built-in functions. One today: `screen(PARTY)` and `screen(PARTY, {LIST, ...})`, the best
  // score (0-100) of the party's name against the loaded restricted-party lists.
  std::optional<Expr> LowerCall(const Node& n, Scope& s) {
    Expr e;
    e.range = Range(s.file, n);
    if (n.text != "screen") {
      sink_.Error(e.range, "unknown_function", absl::StrCat("unknown function ", Backticked(n.text)),
                  DidYouMean(n.text, {"screen"}));
      return std::nullopt;
    }
    if (n.kids.empty() || n.kids.size() > 2) {
      sink_.Error(e.range, "wrong_arguments",
                  "`screen` takes a party and, optionally, a set of list codes");
      return std::nullopt;
    }
    e.op = Op::kScreen;
    e.type = Type::kNumber;
    e.slot = -1;
    // The party: `end_user`, `exporter`, or a variable bound to one of `parties`.
    const Node& party = n.kids[0];
    const std::string kPartyHelp = "`end_user`, `exporter` or a variable over `parties`";
    if (party.key == "?") {
      sink_.Error(Range(s.file, party), "misplaced_optional",
                  "`screen` screens a party, which must be there to be screened: drop the `?`",
                  "an absent party fails closed (missing_field, review)");
      return std::nullopt;
    }
    if (party.kind == Kind::kPath && party.text == "end_user") {
      e.attr = Attr::kEndUser;
    } else if (party.kind == Kind::kPath && party.text == "exporter") {
      e.attr = Attr::kExporter;
    } else {
      std::optional<Expr> var = party.kind == Kind::kPath ? Lower(party, s) : std::nullopt;
      if (!var || var->op != Op::kVar || var->type != Type::kParty) {
        if (party.kind != Kind::kPath || var) {
          TypeError(s, party, absl::StrCat("`screen` screens a party: ", kPartyHelp));
        }
        return std::nullopt;
      }
      e.attr = Attr::kParties;
      e.kids.push_back(std::move(*var));
    }
    if (n.kids.size() == 2) {
      std::optional<Expr> lists = Lower(n.kids[1], s);
      if (!lists) return std::nullopt;
      if (lists->op != Op::kSetRef) {
        TypeError(s, n.kids[1], absl::StrCat("`screen` takes a set of list codes, found a ",
                                             TypeName(lists->type)));
        return std::nullopt;
      }
      std::vector<std::string> codes(std::begin(kListCodes), std::end(kListCodes));
      if (program_.sets[lists->slot].values.empty()) {
        sink_.Error(lists->range, "unknown_value", "`screen` needs at least one list code",
                    absl::StrCat("one of: ", absl::StrJoin(codes, ", ")));
        return std::nullopt;
      }
      for (const std::string& v : program_.sets[lists->slot].values) {
        if (std::find(codes.begin(), codes.end(), v) != codes.end()) continue;
        sink_.Error(lists->range, "unknown_value",
                    absl::StrCat(Backticked(v), " is not a restricted-party list code"),
                    DidYouMeanOrList(v, codes));
        return std::nullopt;
      }
      e.slot = lists->slot;
    }
    return e;
  }

  // Whether `clause` was given before in its declaration (`what`: "rule", "test"...); says so.
  bool Repeated(absl::flat_hash_map<Kind, bool>& seen, const Node& clause, int f,
                std::string_view what) {
    if (!seen[clause.kind]) {
      seen[clause.kind] = true;
      return false;
    }
    sink_.Error(Range(f, clause), "duplicate_clause",
                absl::StrCat("this clause is given twice in the ", Av(what)));
    return true;
  }

  // A `when` clause's condition: a true/false expression, or nothing (reported).
  std::optional<Expr> LowerWhen(const Node& when, Scope& scope) {
    std::optional<Expr> cond = Lower(when.kids[0], scope);
    if (cond && cond->type != Type::kBool) {
      TypeError(scope, when.kids[0],
                absl::StrCat("`when` needs a condition, found a ", TypeName(cond->type)));
      return std::nullopt;
    }
    return cond;
  }

  void LowerTest(const Node& decl, const Scope& scope) {
    const int f = scope.file;
    TestCase test;
    test.id = absl::StrCat(scope.package, ".", decl.text);
    test.location = sources_[f].Location(decl.begin);
    if (!test_ids_.emplace(test.id, test.location).second) {
      sink_.Error(Range(f, decl), "duplicate_name",
                  absl::StrCat("test ", Backticked(test.id), " is already defined at ",
                               test_ids_[test.id]));
      return;
    }
    bool ok = true;
    absl::flat_hash_map<Kind, bool> seen;
    for (const Node& clause : decl.kids) {
      if (clause.kind != Kind::kFires && Repeated(seen, clause, f, "test")) {
        ok = false;
        continue;
      }
      switch (clause.kind) {
        case Kind::kTitle: test.title = clause.text; break;
        case Kind::kRequest:
          if (absl::Status st = Request::FromJson(clause.text, &test.request); !st.ok()) {
            std::optional<RequestError> error = RequestError::FromStatus(st);
            sink_.Error(Range(f, clause), "invalid_test_request",
                        absl::StrCat("the test's request is not valid: ", st.message(),
                                     error ? absl::StrCat(" [", error->code, "]") : ""));
            ok = false;
          }
          break;
        case Kind::kAsOf: {
          std::int32_t days = 0;
          if (!ParseDate(clause.kids[0].text, &days)) {
            sink_.Error(Range(f, clause.kids[0]), "invalid_date",
                        absl::StrCat(Backticked(clause.kids[0].text), " is not a calendar date"));
            ok = false;
          }
          test.as_of = clause.kids[0].text;
          break;
        }
        case Kind::kExpect:
          if (std::optional<Outcome> o = ParseOutcome(clause.text)) {
            test.expected = *o;
          } else {
            sink_.Error(Range(f, clause), "unknown_value",
                        absl::StrCat(Backticked(clause.text), " is not an outcome"),
                        DidYouMean(clause.text, {"permitted", "permitted_with_conditions",
                                                 "license_required", "review", "prohibited"}));
            ok = false;
          }
          break;
        case Kind::kFires:
          for (const Node& ref : clause.kids) {
            // A rule of this package by its name, or any rule by its full id.
            std::string id = ref.text;
            if (!rule_ids_.contains(id)) id = absl::StrCat(scope.package, ".", ref.text);
            if (!rule_ids_.contains(id)) {
              sink_.Error(Range(f, ref), "unknown_name",
                          absl::StrCat("no rule ", Backticked(ref.text)), Suggest(ref.text, [&] {
                            std::vector<std::string> ids;  // full ids, and this package's by name
                            for (const auto& [rule, where] : rule_ids_) {
                              ids.push_back(rule);
                              if (absl::StartsWith(rule, scope.package + ".")) {
                                ids.push_back(rule.substr(scope.package.size() + 1));
                              }
                            }
                            return ids;
                          }));
              ok = false;
              continue;
            }
            test.fires.push_back(id);
          }
          break;
        default: break;
      }
    }
    for (Kind required : {Kind::kRequest, Kind::kExpect}) {
      if (!seen[required]) {
        sink_.Error(Range(f, decl), "missing_clause",
                    absl::StrCat("a test needs `", required == Kind::kRequest ? "request" : "expect",
                                 "`"));
        ok = false;
      }
    }
    if (ok) program_.tests.push_back(std::move(test));
  }

  bool DeclareVariable(const std::string& name, Type type, SourceRange range, Scope& s) {
    for (const Variable& v : s.vars) {
      if (v.name == name) {
        sink_.Error(range, "duplicate_variable",
                    absl::StrCat("variable ", Backticked(name), " is already bound"));
        return false;
      }
    }
    if (IsRequestRoot(name) || FindName(name, s)) {
      sink_.Error(range, "duplicate_variable",
                  absl::StrCat("variable ", Backticked(name), " hides a name of the policy"),
                  "choose another name");
      return false;
    }
    if (s.vars.size() >= static_cast<size_t>(kMaxVariables)) {
      sink_.Error(range, "nesting_too_deep",
                  absl::StrCat("more than ", kMaxVariables, " nested variables"));
      return false;
    }
    s.vars.push_back({name, type});
    return true;
  }

  void LowerRule(const Node& decl, Scope& scope) {
    const int f = scope.file;
    Rule rule;
    rule.id = absl::StrCat(scope.package, ".", decl.text);
    rule.range = Range(f, decl);
    rule.location = sources_[f].Location(decl.begin);
    bool ok = true;
    if (!rule_ids_.emplace(rule.id, rule.location).second) {
      sink_.Error(rule.range, "duplicate_rule",
                  absl::StrCat("rule ", Backticked(rule.id), " is already defined at ",
                               rule_ids_[rule.id]));
      ok = false;
    }
    absl::flat_hash_map<Kind, bool> seen;
    const Node* when = nullptr;
    const Node* then = nullptr;
    const Node* material = nullptr;
    std::vector<const Node*> binders;  // `for each leg` and `for each x in ...`, in order
    for (const Node& clause : decl.kids) {
      if (clause.kind == Kind::kForEach && clause.key != "material") {
        binders.push_back(&clause);
        continue;
      }
      if (Repeated(seen, clause, f, "rule")) {
        ok = false;
        continue;
      }
      switch (clause.kind) {
        case Kind::kTitle: rule.title = clause.text; break;
        case Kind::kCite: rule.citation = clause.text; break;
        case Kind::kEffective: ok &= LowerWindow(clause, f, rule); break;
        case Kind::kForEach: material = &clause; break;
        case Kind::kWhen: when = &clause; break;
        case Kind::kThen: then = &clause; break;
        default: break;
      }
    }
    scope.vars.clear();
    // The material is the variable at depth 1 whatever the clauses' order (the runner binds it
    // there); legs and values follow in the order written.
    if (material) {
      rule.per_material = true;
      ok &= DeclareVariable(material->text, Type::kMaterial, Range(f, *material), scope);
    }
    bool bound = true;
    for (const Node* b : binders) bound = bound && LowerBinder(*b, scope, rule);
    ok &= bound;
    if (when && bound) {
      rule.when = LowerWhen(*when, scope);
      ok &= rule.when.has_value();
    }
    scope.vars.clear();
    if (!then) {
      sink_.Error(rule.range, "missing_effect",
                  absl::StrCat("rule ", Backticked(rule.id), " has no `then` clause"),
                  "add e.g. `then review`");
      ok = false;
    } else {
      ok &= LowerEffect(then->kids[0], f, rule);
    }
    if (rule.citation.empty()) {
      sink_.Warning(rule.range, "missing_citation",
                    absl::StrCat("rule ", Backticked(rule.id), " cites no regulation"),
                    "add `cite \"...\"` so decisions can say why");
    }
    if (ok) program_.rules.push_back(std::move(rule));
  }

  // --- regimes -----------------------------------------------------------------------------
  void LowerRegime(const Node& decl, Scope& scope) {
    const int f = scope.file;
    Regime regime;
    regime.id = absl::StrCat(scope.package, ".", decl.text);
    regime.title = decl.text;
    regime.range = Range(f, decl);
    if (!regime_ids_.emplace(regime.id, true).second) {
      sink_.Error(regime.range, "duplicate_name",
                  absl::StrCat("regime ", Backticked(regime.id), " is declared twice"));
      return;
    }
    bool ok = true;
    absl::flat_hash_map<Kind, bool> seen;
    scope.vars.clear();
    for (const Node& clause : decl.kids) {
      if (clause.kind != Kind::kCovers && Repeated(seen, clause, f, "regime")) {
        ok = false;
        continue;
      }
      switch (clause.kind) {
        case Kind::kTitle: regime.title = clause.text; break;
        case Kind::kCite: regime.citation = clause.text; break;
        case Kind::kWhen:
          regime.when = LowerWhen(clause, scope);
          ok &= regime.when.has_value();
          break;
        case Kind::kCovers: {
          auto it = std::find(std::begin(kLawKinds), std::end(kLawKinds), clause.text);
          if (it == std::end(kLawKinds)) {
            std::vector<std::string> kinds(std::begin(kLawKinds), std::end(kLawKinds));
            sink_.Error(Range(f, clause), "unknown_value",
                        absl::StrCat(Backticked(clause.text), " is not a kind of law a regime covers"),
                        DidYouMeanOrList(clause.text, kinds));
            ok = false;
            break;
          }
          std::vector<std::string> countries;
          for (const Node& c : clause.kids) {
            if (c.kind == Kind::kString && c.text == "*") {
              countries.push_back("*");
              continue;
            }
            std::optional<Expr> set = Lower(c, scope);
            if (!set) {
              ok = false;
              continue;
            }
            if (set->op != Op::kSetRef) {
              TypeError(scope, c, "a regime covers a set of countries, or `*` for every country");
              ok = false;
              continue;
            }
            for (const std::string& v : program_.sets[set->slot].values) countries.push_back(v);
          }
          regime.covers.emplace_back(static_cast<LawKind>(it - std::begin(kLawKinds)),
                                     std::move(countries));
          break;
        }
        default: break;
      }
    }
    if (regime.covers.empty()) {
      sink_.Error(regime.range, "missing_clause", "a regime needs `covers KIND of COUNTRIES`",
                  "for example `covers export_controls of {US}`");
      ok = false;
    }
    if (regime.citation.empty()) {
      sink_.Warning(regime.range, "missing_citation",
                    absl::StrCat("regime ", Backticked(regime.id), " cites no regulation"));
    }
    if (ok) program_.regimes.push_back(std::move(regime));
  }

  // A policy that declares regimes fails closed on what none of them covers: a shipment leaving
  // a country whose export controls, sanctions (of the origin or the exporter's country) or,
  // for personal data, data-protection law no regime covers is `review`; the destination's
  // import requirements no regime covers are a condition to check. One rule per kind, each
  // named in the decision's reasons (`coverage.export_controls`, ...).
  // What the coverage rule counts as personal data: the policy's own definition, the standard
  // concept `common.personal_data` (declared, pseudonymised, or special categories not
  // anonymised), which the library always provides; `data.personal_data` if a policy were
  // compiled without it.
  std::optional<Expr> PersonalData() {
    auto it = names_.find("common.personal_data");
    if (it != names_.end() && it->second.kind == NameKind::kPredicate &&
        predicates_[it->second.index].params.empty()) {
      const Predicate& p = predicates_[it->second.index];
      Scope scope = scopes_[p.file];
      if (std::optional<Expr> e = Expand(it->second.index, {}, *p.decl, scope)) return e;
    }
    Expr personal;
    personal.op = Op::kAttr;
    personal.attr = Attr::kDataPersonalData;
    personal.type = Type::kBool;
    personal.range = program_.regimes.front().range;
    return GuardKnown({personal}, personal);
  }

  void AddCoverageRules() {
    auto covered = [&](LawKind kind) {
      std::vector<std::string> countries;
      for (const Regime& r : program_.regimes) {
        for (const auto& [k, c] : r.covers) {
          if (k == kind) countries.insert(countries.end(), c.begin(), c.end());
        }
      }
      return countries;
    };
    const SourceRange where = program_.regimes.front().range;
    auto attr = [&](Attr a) {
      Expr e;
      e.op = Op::kAttr;
      e.attr = a;
      e.type = Info(a).type;
      e.range = where;
      return e;
    };
    // `ATTR not in COVERED` (`ATTR is known and ...` when `optional`); null when all are covered.
    auto uncovered = [&](Attr a, const std::vector<std::string>& countries,
                         bool optional) -> std::optional<Expr> {
      if (std::find(countries.begin(), countries.end(), "*") != countries.end()) return std::nullopt;
      NamedSet set{absl::StrCat("coverage:", Av(Info(a).name)), countries, where};
      Expr in;
      in.op = Op::kIn;
      in.type = Type::kBool;
      in.range = where;
      in.kids.push_back(attr(a));
      Expr ref;
      ref.op = Op::kSetRef;
      ref.type = Type::kSet;
      ref.slot = static_cast<int>(program_.sets.size());
      ref.range = where;
      program_.sets.push_back(std::move(set));
      set_used_.push_back(true);
      in.kids.push_back(std::move(ref));
      Expr test = Negate(std::move(in));
      if (!optional) return test;
      return GuardKnown({attr(a)}, std::move(test));
    };
    auto add = [&](LawKind kind, std::vector<std::optional<Expr>> tests,
                   std::optional<Expr> only_if, Outcome outcome, std::string text) {
      std::vector<Expr> any;
      for (auto& t : tests) {
        if (t) any.push_back(std::move(*t));
      }
      if (any.empty()) return;
      Rule rule;
      const std::string_view name = kLawKinds[static_cast<int>(kind)];
      rule.id = absl::StrCat("coverage.", Av(name));
      std::string words(kLawWords[static_cast<int>(kind)]);
      words[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(words[0])));
      rule.title = absl::StrCat(words, ": not covered by the policy's regimes");
      rule.citation = "the policy's regimes (rules/README.md, \"Coverage\")";
      rule.location = sources_[where.file].Location(where.begin);
      rule.range = where;
      rule.outcome = outcome;
      rule.text = std::move(text);
      Expr when = Connect(Op::kOr, std::move(any), where);
      if (only_if) {
        std::vector<Expr> both;
        both.push_back(std::move(*only_if));
        both.push_back(std::move(when));
        when = Connect(Op::kAnd, std::move(both), where);
      }
      rule.when = std::move(when);
      rule_ids_.emplace(rule.id, rule.location);
      program_.rules.push_back(std::move(rule));
    };
    const auto ec = covered(LawKind::kExportControls), sa = covered(LawKind::kSanctions),
               dp = covered(LawKind::kDataProtection), im = covered(LawKind::kImportRequirements);
    std::vector<std::optional<Expr>> tests;
    tests.push_back(uncovered(Attr::kRouteOrigin, ec, false));
    add(LawKind::kExportControls, std::move(tests), std::nullopt, Outcome::kReview,
        "no pack covers the export controls of the country the shipment leaves: decide them by "
        "hand (see coverage.not_covered)");
    tests.clear();
    tests.push_back(uncovered(Attr::kRouteOrigin, sa, false));
    tests.push_back(uncovered(Attr::kExporterCountry, sa, true));
    add(LawKind::kSanctions, std::move(tests), std::nullopt, Outcome::kReview,
        "no pack covers the sanctions of the origin or the exporter's country: decide them by "
        "hand (see coverage.not_covered)");
    tests.clear();
    tests.push_back(uncovered(Attr::kRouteOrigin, dp, false));
    const size_t rules_before = program_.rules.size();
    add(LawKind::kDataProtection, std::move(tests), PersonalData(), Outcome::kReview,
        "no pack covers the data-protection law of the country the personal data leave: decide "
        "it by hand (see coverage.not_covered)");
    if (program_.rules.size() > rules_before) {
      program_.data_protection_coverage_rule = static_cast<int>(rules_before);
    }
    tests.clear();
    tests.push_back(uncovered(Attr::kRouteDestination, im, false));
    add(LawKind::kImportRequirements, std::move(tests), std::nullopt,
        Outcome::kPermittedWithConditions,
        "check the destination's import requirements: no pack covers them (see "
        "coverage.not_covered)");
  }

  // --- decision tables ---------------------------------------------------------------------
  // A row's cell for one column, as the table analysis sees it: any value, the values listed,
  // or every value but those.
  struct Cell {
    bool any = false;
    bool negated = false;
    std::vector<std::string> values;
    bool Holds(const std::string& v) const {
      if (any) return true;
      const bool in = std::find(values.begin(), values.end(), v) != values.end();
      return negated ? !in : in;
    }
  };
  struct Row {
    std::string id;
    std::vector<Cell> cells;
    std::int32_t from = INT32_MIN, until = INT32_MAX;
    int rule = -1;  // its index in program_.rules, for comparing effects
    SourceRange range;
  };

  // `decision table NAME { columns A, B  row [NAME:] CELL, CELL [effective ..] then EFFECT }`:
  // each row is a rule, `when` and the cells its conjuncts; the fold's lattice is the hit
  // policy (the most restrictive row that holds wins). Rows with different effects that can
  // hold together are reported (`overlapping_rows`), and so, in a table marked `complete`, is a
  // combination of column values no row decides (`incomplete_table`).
  void LowerDecision(const Node& decl, Scope& scope) {
    const int f = scope.file;
    const std::string table = absl::StrCat(scope.package, ".", decl.text);
    std::string title, cite;
    const Node *when = nullptr, *columns = nullptr, *material = nullptr, *effective = nullptr;
    bool complete = false;
    std::vector<const Node*> rows;
    absl::flat_hash_map<Kind, bool> seen;
    for (const Node& clause : decl.kids) {
      if (clause.kind == Kind::kRow) {
        rows.push_back(&clause);
        continue;
      }
      if (Repeated(seen, clause, f, "table")) return;
      switch (clause.kind) {
        case Kind::kTitle: title = clause.text; break;
        case Kind::kCite: cite = clause.text; break;
        case Kind::kWhen: when = &clause; break;
        case Kind::kColumns: columns = &clause; break;
        case Kind::kForEach: material = &clause; break;
        case Kind::kEffective: effective = &clause; break;
        case Kind::kComplete: complete = true; break;
        default: break;
      }
    }
    if (!columns) {
      sink_.Error(Range(f, decl), "missing_clause", "a decision table needs `columns`");
      return;
    }
    scope.vars.clear();
    if (material) {
      if (!DeclareVariable(material->text, Type::kMaterial, Range(f, *material), scope)) return;
    }
    std::optional<Expr> condition;
    if (when) {
      condition = LowerWhen(*when, scope);
      if (!condition) return;
    }
    std::vector<Expr> cols;
    std::vector<std::vector<std::string>> domains;  // closed vocabularies ({} when open)
    for (const Node& c : columns->kids) {
      std::optional<Expr> col = Lower(c, scope);
      if (!col) return;
      if (col->type != Type::kString) {
        TypeError(scope, c, absl::StrCat("a column is a string attribute, found a ",
                                         TypeName(col->type)));
        return;
      }
      std::vector<std::string> domain;
      if (col->op == Op::kAttr || col->op == Op::kMember) {
        for (std::string_view v : Info(col->attr).vocabulary) domain.emplace_back(v);
      }
      domains.push_back(std::move(domain));
      cols.push_back(std::move(*col));
    }
    std::vector<Row> analysed;
    int index = 0;
    for (const Node* row : rows) {
      ++index;
      Rule rule;
      rule.id = absl::StrCat(scope.package, ".",
                             row->text.empty() ? absl::StrCat(decl.text, "_row", index) : row->text);
      rule.range = Range(f, *row);
      rule.location = sources_[f].Location(row->begin);
      rule.title = title;
      rule.citation = cite;
      rule.per_material = material != nullptr;
      bool ok = true;
      if (!rule_ids_.emplace(rule.id, rule.location).second) {
        sink_.Error(rule.range, "duplicate_rule",
                    absl::StrCat("rule ", Backticked(rule.id), " is already defined at ",
                                 rule_ids_[rule.id]));
        ok = false;
      }
      std::vector<const Node*> cells;
      const Node* then = nullptr;
      const Node* window = effective;
      for (const Node& k : row->kids) {
        switch (k.kind) {
          case Kind::kCell: cells.push_back(&k); break;
          case Kind::kTitle: rule.title = k.text; break;
          case Kind::kCite: rule.citation = k.text; break;
          case Kind::kEffective: window = &k; break;
          case Kind::kThen: then = &k; break;
          default: break;
        }
      }
      if (cells.size() != cols.size()) {
        sink_.Error(rule.range, "wrong_arguments",
                    absl::StrCat("the row has ", cells.size(), cells.size() == 1 ? " cell" : " cells",
                                 " for ", cols.size(),
                                 cols.size() == 1 ? " column" : " columns"));
        continue;
      }
      Row analysis;
      analysis.id = rule.id;
      analysis.range = rule.range;
      std::vector<Expr> body;  // the table's condition and the cells' tests
      if (condition) body.push_back(*condition);
      for (size_t c = 0; c < cells.size() && ok; ++c) {
        std::optional<Expr> test = LowerCell(*cells[c], cols[c], scope, analysis.cells.emplace_back());
        if (!test) {
          ok = false;
        } else if (test->op != Op::kConst) {
          body.push_back(std::move(*test));
        }
      }
      // The table's window and the row's both apply: the row holds where they overlap.
      if (effective) ok &= LowerWindow(*effective, f, rule);
      if (window != effective) {
        Rule own;
        if (LowerWindow(*window, f, own)) {
          if (own.effective_from) {
            rule.effective_from = std::max(rule.effective_from.value_or(INT32_MIN), *own.effective_from);
          }
          if (own.effective_until) {
            rule.effective_until = std::min(rule.effective_until.value_or(INT32_MAX), *own.effective_until);
          }
          if (rule.effective_from && rule.effective_until &&
              *rule.effective_until <= *rule.effective_from) {
            sink_.Error(Range(f, *window), "invalid_window",
                        "the row's window and the table's do not overlap");
            ok = false;
          }
        } else {
          ok = false;
        }
      }
      if (rule.effective_from) analysis.from = *rule.effective_from;
      if (rule.effective_until) analysis.until = *rule.effective_until;
      if (!then) {
        sink_.Error(rule.range, "missing_effect", "the row has no `then` clause",
                    "add e.g. `then review`");
        ok = false;
      } else {
        ok &= LowerEffect(then->kids[0], f, rule);
      }
      if (rule.citation.empty()) {
        sink_.Warning(rule.range, "missing_citation",
                      absl::StrCat("rule ", Backticked(rule.id), " cites no regulation"),
                      "add `cite \"...\"` to the table or the row");
      }
      if (!ok) continue;
      if (!body.empty()) rule.when = Connect(Op::kAnd, std::move(body), rule.range);
      analysis.rule = static_cast<int>(program_.rules.size());
      program_.rules.push_back(std::move(rule));
      analysed.push_back(std::move(analysis));
    }
    scope.vars.clear();
    CheckOverlaps(cols, domains, analysed, Range(f, decl));
    if (complete) CheckComplete(decl, f, cols, domains, analysed);
  }

  // A cell's test of its column, and what the analysis knows of it. `*` is no test (a true
  // constant); a value `col == v`; a set `col in S`; `not` negates.
  std::optional<Expr> LowerCell(const Node& cell, const Expr& column, Scope& s, Cell& out) {
    if (cell.key == "*") {
      out.any = true;
      Expr t;
      t.op = Op::kConst;
      t.boolean = true;
      return t;
    }
    const Node& v = cell.kids[0];
    std::optional<Expr> value = Lower(v, s);
    if (!value) return std::nullopt;
    if (value->op == Op::kConst && value->type == Type::kString) {
      out.values = {value->str};
    } else if (value->op == Op::kSetRef) {
      out.values = program_.sets[value->slot].values;
    } else {
      TypeError(s, v, "a cell is a value, a set `{A, B}` or `in SET`");
      return std::nullopt;
    }
    CheckVocabulary(column, *value);
    out.negated = cell.key == "not";
    Expr test;
    test.range = Range(s.file, cell);
    test.type = Type::kBool;
    test.op = value->op == Op::kSetRef ? Op::kIn : Op::kEq;
    test.kids.push_back(column);
    test.kids.push_back(std::move(*value));
    return out.negated ? Negate(std::move(test)) : test;
  }

  static std::string CellText(const Cell& c) {
    if (c.any) return "any value";
    std::string set = c.values.size() == 1 ? c.values[0] : absl::StrCat("{", absl::StrJoin(c.values, ", "), "}");
    return c.negated ? absl::StrCat("not ", set) : set;
  }

  // A value both cells hold for, if there is one ("" with `*found` for "any other value").
  static bool Meet(const Cell& a, const Cell& b, const std::vector<std::string>& domain,
                   std::string* witness) {
    std::vector<std::string> candidates = domain;
    for (const Cell* c : {&a, &b}) {
      for (const std::string& v : c->values) candidates.push_back(v);
    }
    for (const std::string& v : candidates) {
      if (a.Holds(v) && b.Holds(v)) {
        *witness = v;
        return true;
      }
    }
    // An open column has values no cell names: both hold for them unless one lists values.
    const bool a_open = a.any || a.negated, b_open = b.any || b.negated;
    if (domain.empty() && a_open && b_open) {
      *witness = "any other value";
      return true;
    }
    return false;
  }

  static bool SameEffect(const Rule& a, const Rule& b) {
    return a.outcome == b.outcome && a.text == b.text && a.authority == b.authority &&
           a.basis == b.basis && a.authority_var == b.authority_var && a.basis_var == b.basis_var;
  }

  void CheckOverlaps(const std::vector<Expr>& cols,
                     const std::vector<std::vector<std::string>>& domains,
                     const std::vector<Row>& rows, SourceRange table) {
    if (rows.size() > kMaxCheckedRows) {
      sink_.Warning(table, "overlapping_rows",
                    absl::StrCat("more than ", kMaxCheckedRows,
                                 " rows: their overlaps were not checked"));
      return;
    }
    for (size_t j = 0; j < rows.size(); ++j) {
      for (size_t i = 0; i < j; ++i) {
        const Row &a = rows[i], &b = rows[j];
        if (SameEffect(program_.rules[a.rule], program_.rules[b.rule])) continue;
        if (std::max(a.from, b.from) >= std::min(a.until, b.until)) continue;
        std::vector<std::string> where;
        bool meet = true;
        for (size_t c = 0; c < cols.size() && meet; ++c) {
          std::string witness;
          meet = Meet(a.cells[c], b.cells[c], domains[c], &witness);
          where.push_back(absl::StrCat(ColumnName(cols[c]), " = ", witness));
        }
        if (!meet) continue;
        const std::int32_t from = std::max(a.from, b.from), until = std::min(a.until, b.until);
        std::string window;
        if (from != INT32_MIN) absl::StrAppend(&window, " from ", FormatDate(from));
        if (until != INT32_MAX) absl::StrAppend(&window, " until ", FormatDate(until));
        sink_.Warning(b.range, "overlapping_rows",
                      absl::StrCat("rows ", Backticked(a.id), " and ", Backticked(b.id),
                                   " both hold for ", absl::StrJoin(where, ", "), window,
                                   " with different effects"),
                      "the most restrictive row wins; narrow one row's cells or its `effective` "
                      "window if that is not what the regulation says");
      }
    }
  }

  std::string ColumnName(const Expr& col) const {
    if (col.op == Op::kAttr) return std::string(Av(Info(col.attr).name));
    if (col.op == Op::kMember) return absl::StrCat("m.", Av(Info(col.attr).name));
    return "column";
  }

  // Every combination of column values, in every stretch of time the rows' windows cut, has a
  // row. A column with a closed vocabulary ranges over it; an open one over the values its
  // cells name and "any other value".
  void CheckComplete(const Node& decl, int f, const std::vector<Expr>& cols,
                     const std::vector<std::vector<std::string>>& domains,
                     const std::vector<Row>& rows) {
    const std::string kOther = "\x01other";
    std::vector<std::vector<std::string>> values(cols.size());
    double combinations = 1;
    for (size_t c = 0; c < cols.size(); ++c) {
      values[c] = domains[c];
      if (values[c].empty()) {
        for (const Row& r : rows) {
          for (const std::string& v : r.cells[c].values) {
            if (std::find(values[c].begin(), values[c].end(), v) == values[c].end()) {
              values[c].push_back(v);
            }
          }
        }
        values[c].push_back(kOther);
      }
      combinations *= static_cast<double>(values[c].size());
    }
    std::int32_t first_day = 0;  // dates start in 1900 (ParseDate)
    ParseDate("1900-01-01", &first_day);
    std::vector<std::int32_t> starts = {first_day};
    for (const Row& r : rows) {
      for (std::int32_t d : {r.from, r.until}) {
        if (d > first_day && d != INT32_MAX &&
            std::find(starts.begin(), starts.end(), d) == starts.end()) {
          starts.push_back(d);
        }
      }
    }
    std::sort(starts.begin(), starts.end());
    if (combinations * static_cast<double>(starts.size()) *
            static_cast<double>(std::max<size_t>(rows.size(), 1)) > 2e7) {
      sink_.Warning(Range(f, decl), "incomplete_table",
                    "too many combinations of column values to check the table is complete");
      return;
    }
    std::vector<size_t> pick(cols.size(), 0);
    int gaps = 0;
    std::string first;
    for (std::int32_t day : starts) {
      std::fill(pick.begin(), pick.end(), 0);
      for (;;) {
        const bool covered = std::any_of(rows.begin(), rows.end(), [&](const Row& r) {
          if (day < r.from || day >= r.until) return false;
          for (size_t c = 0; c < cols.size(); ++c) {
            const std::string& v = values[c][pick[c]];
            const Cell& cell = r.cells[c];
            if (v == kOther ? !(cell.any || cell.negated) : !cell.Holds(v)) return false;
          }
          return true;
        });
        if (!covered && gaps++ == 0) {
          std::vector<std::string> where;
          for (size_t c = 0; c < cols.size(); ++c) {
            const std::string& v = values[c][pick[c]];
            where.push_back(absl::StrCat(ColumnName(cols[c]), " = ",
                                         v == kOther ? "any other value" : v));
          }
          std::string when;
          if (day != first_day) when = absl::StrCat(" from ", FormatDate(day));
          first = absl::StrCat(absl::StrJoin(where, ", "), when);
        }
        size_t c = 0;
        while (c < pick.size() && ++pick[c] == values[c].size()) pick[c++] = 0;
        if (c == pick.size()) break;
      }
    }
    if (gaps > 0) {
      sink_.Warning(Range(f, decl), "incomplete_table",
                    absl::StrCat("no row decides ", first,
                                 gaps > 1 ? absl::StrCat(" (and ", gaps - 1, " more)") : ""),
                    "add a row for it, or a last row of `*` cells");
    }
  }

  // `effective FROM .. [UNTIL]` into the rule's window.
  bool LowerWindow(const Node& clause, int f, Rule& rule) {
    bool ok = true;
    std::int32_t days = 0;
    for (size_t i = 0; i < clause.kids.size(); ++i) {
      if (!ParseDate(clause.kids[i].text, &days)) {
        sink_.Error(Range(f, clause.kids[i]), "invalid_date",
                    absl::StrCat(Backticked(clause.kids[i].text), " is not a calendar date"));
        ok = false;
      } else {
        (i == 0 ? rule.effective_from : rule.effective_until) = days;
      }
    }
    if (rule.effective_from && rule.effective_until &&
        *rule.effective_until <= *rule.effective_from) {
      sink_.Error(Range(f, clause), "invalid_window", "the window ends before it starts");
      ok = false;
    }
    return ok;
  }

  // `for each leg c in destination, transit` or `for each col in SET`: a string variable the
  // rule ranges over.
  bool LowerBinder(const Node& clause, Scope& scope, Rule& rule) {
    const int f = scope.file;
    Rule::Binder binder;
    binder.name = clause.text;
    if (clause.key == "leg") {
      for (const Node& leg : clause.kids) {
        auto it = std::find(std::begin(kLegNames), std::end(kLegNames), leg.text);
        if (it == std::end(kLegNames)) {
          std::vector<std::string> names(std::begin(kLegNames), std::end(kLegNames));
          sink_.Error(Range(f, leg), "unknown_value",
                      absl::StrCat(Backticked(leg.text), " is not a leg"),
                      DidYouMeanOrList(leg.text, names));
          return false;
        }
        Leg l = static_cast<Leg>(it - std::begin(kLegNames));
        if (std::find(binder.legs.begin(), binder.legs.end(), l) != binder.legs.end()) {
          sink_.Error(Range(f, leg), "duplicate_value",
                      absl::StrCat("leg ", Backticked(leg.text), " is named twice"));
          return false;
        }
        binder.legs.push_back(l);
      }
      if (std::any_of(rule.binders.begin(), rule.binders.end(),
                      [](const Rule::Binder& b) { return !b.legs.empty(); })) {
        sink_.Error(Range(f, clause), "duplicate_clause", "a rule ranges over the legs once");
        return false;
      }
    } else {
      std::optional<Expr> domain = Lower(clause.kids[0], scope);
      if (!domain) return false;
      if (domain->type != Type::kSet && domain->type != Type::kTable &&
          domain->type != Type::kStringList) {
        TypeError(scope, clause.kids[0],
                  absl::StrCat("`for each` ranges over a set, a table's keys or a list of "
                               "strings, found a ",
                               TypeName(domain->type)));
        return false;
      }
      binder.domain = std::move(*domain);
    }
    if (!DeclareVariable(clause.text, Type::kString, Range(f, clause), scope)) return false;
    binder.slot = static_cast<int>(scope.vars.size());
    rule.binders.push_back(std::move(binder));
    return true;
  }

  bool LowerEffect(const Node& effect, int f, Rule& rule) {
    static const std::pair<std::string_view, Outcome> kEffects[] = {
        {"permitted", Outcome::kPermitted},
        {"condition", Outcome::kPermittedWithConditions},
        {"license_required", Outcome::kLicenseRequired},
        {"review", Outcome::kReview},
        {"prohibited", Outcome::kProhibited}};
    for (const auto& [name, outcome] : kEffects) {
      if (name == effect.text) rule.outcome = outcome;
    }
    bool ok = true;
    int notes = 0;
    for (const Node& arg : effect.kids) {
      if (arg.kind == Kind::kPath) {  // `basis col`: the value of a `for each` variable
        auto it = std::find_if(rule.binders.begin(), rule.binders.end(),
                               [&](const Rule::Binder& b) { return b.name == arg.text; });
        if (it == rule.binders.end()) {
          std::vector<std::string> names;
          for (const Rule::Binder& b : rule.binders) names.push_back(b.name);
          sink_.Error(Range(f, arg), "unknown_name",
                      absl::StrCat(Backticked(arg.text), " is not a variable of a `for each` clause"),
                      names.empty() ? "write the text in quotes, or bind it with `for each`"
                                    : DidYouMean(arg.text, names));
          ok = false;
          (arg.key == "authority" ? rule.authority : rule.basis) = arg.text;  // said once
          continue;
        }
        (arg.key == "authority" ? rule.authority_var : rule.basis_var) =
            static_cast<int>(it - rule.binders.begin());
        (arg.key == "authority" ? rule.authority : rule.basis) = arg.text;
      }
      if (arg.key == "authority" || arg.key == "basis") {
        if (rule.outcome != Outcome::kLicenseRequired) {
          sink_.Error(Range(f, arg), "unexpected_argument",
                      absl::StrCat("`", arg.key, "` belongs to `license_required` only"));
          ok = false;
        }
        (arg.key == "authority" ? rule.authority : rule.basis) = arg.text;
      } else if (rule.outcome == Outcome::kLicenseRequired || ++notes > 1) {
        sink_.Error(Range(f, arg), "unexpected_argument",
                    absl::StrCat("unexpected text ", Backticked(arg.text)));
        ok = false;
      } else {
        rule.text = arg.text;
      }
    }
    if (rule.outcome == Outcome::kLicenseRequired && (rule.authority.empty() || rule.basis.empty())) {
      sink_.Error(Range(f, effect), "missing_argument",
                  "`license_required` needs `authority \"...\"` and `basis \"...\"`",
                  "for example `license_required authority \"BIS\" basis \"CB2\"`");
      ok = false;
    }
    if (rule.outcome == Outcome::kPermittedWithConditions && rule.text.empty()) {
      sink_.Error(Range(f, effect), "missing_argument", "`condition` needs the obligation's text",
                  "for example `condition \"pack to UN3373 (P650)\"`");
      ok = false;
    }
    return ok;
  }

  const std::vector<ast::File>& files_;
  const std::vector<Source>& sources_;
  DiagnosticSink& sink_;
  Program program_;
  absl::flat_hash_map<std::string, Name> names_;
  absl::flat_hash_map<std::string, bool> packages_;
  absl::flat_hash_map<std::string, std::string> rule_ids_, test_ids_;
  absl::flat_hash_map<std::string, bool> regime_ids_;
  std::vector<bool> set_used_, table_used_;
  std::vector<Predicate> predicates_;
  absl::flat_hash_map<std::string, bool> packages_with_rules_;
  std::vector<Scope> scopes_;     // per file
  std::vector<int> expanding_;    // the predicates being expanded, outermost first
  int expanded_nodes_ = 0;        // nodes checked inside predicate bodies
  std::int64_t suggestion_budget_ = kSuggestionBudget;  // Suggest's work left
  std::vector<Expr>* optional_ = nullptr;  // the test being checked: its `x?` attributes
};

}  // namespace

Program Check(const std::vector<ast::File>& files, const std::vector<Source>& sources,
              DiagnosticSink& sink) {
  return Checker(files, sources, sink).Run();
}

}  // namespace exportctl::internal
