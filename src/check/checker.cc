#include "src/check/checker.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
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

struct Variable {
  std::string name;
  Type type;
};

// What one file sees: its package, its imports, the variables in scope.
struct Scope {
  int file = 0;
  std::string package;
  absl::flat_hash_map<std::string, std::string> aliases;  // alias -> package
  std::vector<Variable> vars;                             // depth = index + 1
};

std::string Backticked(std::string_view s) { return absl::StrCat("`", Av(s), "`"); }

std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best = ClosestMatch(word, candidates);
  return best.empty() ? "" : absl::StrCat("did you mean `", best, "`?");
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
    DeclareNames();
    for (size_t f = 0; f < files_.size(); ++f) {
      Scope scope = MakeScope(static_cast<int>(f));
      for (const Node& decl : files_[f].decls) {
        if (decl.kind == Kind::kRule) LowerRule(decl, scope);
      }
    }
    for (size_t f = 0; f < files_.size(); ++f) {  // tests name rules of any file
      Scope scope = MakeScope(static_cast<int>(f));
      for (const Node& decl : files_[f].decls) {
        if (decl.kind == Kind::kTest) LowerTest(decl, scope);
      }
    }
    for (size_t i = 0; i < program_.sets.size(); ++i) {
      if (!set_used_[i]) {
        sink_.Warning(program_.sets[i].range, "unused_set",
                      absl::StrCat("set ", Backticked(program_.sets[i].name), " is never used"));
      }
    }
    for (size_t i = 0; i < program_.tables.size(); ++i) {
      if (!table_used_[i]) {
        sink_.Warning(program_.tables[i].range, "unused_table",
                      absl::StrCat("table ", Backticked(program_.tables[i].name),
                                   " is never used"));
      }
    }
    return std::move(program_);
  }

 private:
  struct Name {
    bool is_table;
    int index;
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
        if (decl.kind == Kind::kRule || decl.kind == Kind::kTest) continue;
        if (names_.contains(name)) {
          sink_.Error(Range(fi, decl), "duplicate_name",
                      absl::StrCat(Backticked(name), " is declared twice"));
          continue;
        }
        if (decl.kind == Kind::kSet) {
          names_[name] = {false, static_cast<int>(program_.sets.size())};
          NamedSet set{name, {}, Range(fi, decl)};
          for (const Node& v : decl.kids[0].kids) set.values.push_back(v.text);
          program_.sets.push_back(std::move(set));
          set_used_.push_back(false);
        } else if (decl.kind == Kind::kTable) {
          names_[name] = {true, static_cast<int>(program_.tables.size())};
          Table table{name, {}, Range(fi, decl)};
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
        std::vector<std::string> known;
        for (const auto& [p, unused] : packages_) known.push_back(p);
        sink_.Error(range, "unknown_package",
                    absl::StrCat("no package ", Backticked(import.package), " in this policy"),
                    DidYouMean(import.package, known));
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

  std::vector<std::string> VisibleNames(const Scope& scope) const {
    std::vector<std::string> out;
    for (const Variable& v : scope.vars) out.push_back(v.name);
    for (const AttrInfo& a : Attributes()) {
      if (a.owner == Owner::kRequest && a.is_attribute()) out.emplace_back(a.name);
    }
    for (const auto& [name, unused] : names_) {
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

  std::optional<Expr> ResolvePath(const Node& n, const Scope& s) {
    std::vector<std::string> parts = absl::StrSplit(n.text, '.');
    Expr e;
    e.range = Range(s.file, n);
    for (int d = static_cast<int>(s.vars.size()); d >= 1; --d) {
      const Variable& var = s.vars[d - 1];
      if (var.name != parts[0]) continue;
      Expr v;
      v.op = Op::kVar;
      v.slot = d;
      v.type = var.type;
      v.range = e.range;
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
      e.op = name->is_table ? Op::kTableRef : Op::kSetRef;
      e.type = name->is_table ? Type::kTable : Type::kSet;
      e.slot = name->index;
      (name->is_table ? table_used_ : set_used_)[name->index] = true;
      return e;
    }
    sink_.Error(e.range, "unknown_name", absl::StrCat("unknown name ", Backticked(n.text)),
                DidYouMean(n.text, VisibleNames(s)));
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
      std::string help = DidYouMean(v, allowed);
      if (help.empty()) help = absl::StrCat("one of: ", absl::StrJoin(allowed, ", "));
      sink_.Error(range, "unknown_value",
                  absl::StrCat(Backticked(v), " is not a value of `", Av(info.name), "`"), help);
    };
    if (value.op == Op::kConst && value.type == Type::kString) check(value.str, value.range);
    if (value.op == Op::kSetRef) {
      for (const std::string& v : program_.sets[value.slot].values) check(v, value.range);
    }
  }

  std::optional<Expr> Lower(const Node& n, Scope& s) {
    Expr e;
    e.range = Range(s.file, n);
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
      case Kind::kPath:
        return ResolvePath(n, s);
      case Kind::kLookup: {
        std::optional<Name> name = FindName(n.text, s);
        if (!name || !name->is_table) {
          sink_.Error(e.range, "unknown_table", absl::StrCat("unknown table ", Backticked(n.text)),
                      DidYouMean(n.text, VisibleNames(s)));
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
        return e;
      case Kind::kCompare: {
        std::optional<Expr> lhs = Lower(n.kids[0], s);
        std::optional<Expr> rhs = Lower(n.kids[1], s);
        if (!lhs || !rhs) return std::nullopt;
        static const std::pair<std::string_view, Op> kOps[] = {
            {"==", Op::kEq}, {"!=", Op::kNe}, {"<", Op::kLt},
            {"<=", Op::kLe}, {">", Op::kGt},  {">=", Op::kGe}};
        for (const auto& [text, op] : kOps) {
          if (text == n.text) e.op = op;
        }
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
        e.kids.push_back(std::move(*lhs));
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
      case Kind::kCall:
        return LowerCall(n, s);
      default:
        sink_.Error(e.range, "internal", "unexpected syntax node");
        return std::nullopt;
    }
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
    if (n.kids.size() > 2) {
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
        std::string help = DidYouMean(v, codes);
        if (help.empty()) help = absl::StrCat("one of: ", absl::StrJoin(codes, ", "));
        sink_.Error(lists->range, "unknown_value",
                    absl::StrCat(Backticked(v), " is not a restricted-party list code"), help);
        return std::nullopt;
      }
      e.slot = lists->slot;
    }
    return e;
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
      if (clause.kind != Kind::kFires && seen[clause.kind]) {
        sink_.Error(Range(f, clause), "duplicate_clause", "this clause is given twice in the test");
        ok = false;
        continue;
      }
      seen[clause.kind] = true;
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
              std::vector<std::string> ids;  // full ids, and this package's rules by name
              for (const auto& [rule, where] : rule_ids_) {
                ids.push_back(rule);
                if (absl::StartsWith(rule, scope.package + ".")) {
                  ids.push_back(rule.substr(scope.package.size() + 1));
                }
              }
              std::sort(ids.begin(), ids.end());  // a stable suggestion
              sink_.Error(Range(f, ref), "unknown_name",
                          absl::StrCat("no rule ", Backticked(ref.text)), DidYouMean(ref.text, ids));
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
    for (const Node& clause : decl.kids) {
      if (seen[clause.kind]) {
        sink_.Error(Range(f, clause), "duplicate_clause", "this clause is given twice in the rule");
        ok = false;
        continue;
      }
      seen[clause.kind] = true;
      switch (clause.kind) {
        case Kind::kTitle: rule.title = clause.text; break;
        case Kind::kCite: rule.citation = clause.text; break;
        case Kind::kEffective: {
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
            sink_.Error(Range(f, clause), "invalid_window",
                        "the window ends before it starts");
            ok = false;
          }
          break;
        }
        case Kind::kForEach: rule.per_material = true; break;
        case Kind::kWhen: when = &clause; break;
        case Kind::kThen: then = &clause; break;
        default: break;
      }
    }
    scope.vars.clear();
    if (rule.per_material) {
      const Node* each = nullptr;
      for (const Node& c : decl.kids) {
        if (c.kind == Kind::kForEach) each = &c;
      }
      ok &= DeclareVariable(each->text, Type::kMaterial, Range(f, *each), scope);
    }
    if (when) {
      std::optional<Expr> cond = Lower(when->kids[0], scope);
      if (cond && cond->type != Type::kBool) {
        TypeError(scope, when->kids[0],
                  absl::StrCat("`when` needs a condition, found a ", TypeName(cond->type)));
        cond.reset();
      }
      ok &= cond.has_value();
      rule.when = std::move(cond);
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
  std::vector<bool> set_used_, table_used_;
};

}  // namespace

Program Check(const std::vector<ast::File>& files, const std::vector<Source>& sources,
              DiagnosticSink& sink) {
  return Checker(files, sources, sink).Run();
}

}  // namespace exportctl::internal
