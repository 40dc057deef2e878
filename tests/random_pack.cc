#include "tests/random_pack.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "src/check/schema.h"
#include "src/common/source.h"

namespace exportctl::testing {
namespace {

// The strings an attribute takes. Rule constants and requests draw from the same pools, so
// they meet. kUnit and the last four are the contract's closed vocabularies.
// clang-format off
enum Domain {
  kCountry, kEccn, kName, kText, kMaterialId, kUnit, kTemperature, kUnNumber, kUserType,
  kEndUse, kDataCategory, kLicense, kColumn, kAgent, kCategory, kRole, kDeidentification,
  kTransfer, kForm, kDomainCount
};
// clang-format on
bool Closed(Domain d) { return d >= kCategory || d == kUnit; }

const std::vector<std::string>& Values(Domain d) {
  auto strings = [](internal::Attr attr) {
    std::span<const std::string_view> v = internal::Info(attr).vocabulary;
    return std::vector<std::string>(v.begin(), v.end());
  };
  static const auto* values = new std::vector<std::vector<std::string>>{
      {"US", "DE", "FR", "CU", "IR", "RU", "BR", "CN", "KP", "UA-43", "UA-09"},
      {"1C351", "1C351.a", "1C351.d.1", "1C351.d.11", "1C35", "1C991.c", "2B352", "EAR99", "",
       "1c351.A", "1C351.D.1", "ear99"},
      {"Evil Corp", "Bad Labs Ltd", "evil corp", "Good Lab", "Evil Corp ", "EVIL CORP"},
      {"R-1", "lab 1", "Lab 1", "x", "", "LAB 1", "X"},
      {"m1", "m2", "m3"},
      {"mL", "L", "g", "kg", "vials", "uL", "mg", "ug", "each", "kits"},
      {"ambient", "refrigerated", "frozen", "dry_ice"},
      {"UN3373", "UN2814", "UN1845", "UN2900"},
      {"academic", "government", "commercial"},
      {"research", "diagnostic", "weapons"},
      {"health", "genetic", "biometric", "contact"},
      {"LIC-1", "LIC-2", "D123"},
      {"CB1", "CB2", "NS1", "AT1"},
      {"Mycobacterium tuberculosis", "mycobacterium tuberculosis", "Ebola virus", "Dengue virus",
       "Escherichia coli"},
      strings(internal::Attr::kMaterialCategory),
      strings(internal::Attr::kPartyRole),
      strings(internal::Attr::kDataDeidentification),
      strings(internal::Attr::kDataTransferMechanism),
      strings(internal::Attr::kMaterialForm),
  };
  return (*values)[d];
}

// Every attribute, as rules write it. Owner: R request, M material, P party. Type: s string,
// n number, b bool, d date, l list of strings, x list of materials, y list of parties.
struct GenAttr {
  std::string_view name;
  char owner, type;
  Domain domain;
};
// clang-format off
constexpr GenAttr kAttrs[] = {
    {"id", 'R', 's', kText}, {"date", 'R', 'd', kText}, {"exporter.name", 'R', 's', kName},
    {"exporter.country", 'R', 's', kCountry}, {"exporter.us_owned", 'R', 'b', kText},
    {"route", 'R', 'l', kCountry},
    {"route.origin", 'R', 's', kCountry}, {"route.destination", 'R', 's', kCountry},
    {"route.transit", 'R', 'l', kCountry}, {"end_user.name", 'R', 's', kName},
    {"end_user.country", 'R', 's', kCountry}, {"end_user.type", 'R', 's', kUserType},
    {"end_user.end_use", 'R', 's', kEndUse}, {"end_user.address", 'R', 's', kText},
    {"parties", 'R', 'y', kText}, {"materials", 'R', 'x', kText},
    {"data.personal_data", 'R', 'b', kText}, {"data.categories", 'R', 'l', kDataCategory},
    {"data.deidentification", 'R', 's', kDeidentification},
    {"data.transfer_mechanism", 'R', 's', kTransfer}, {"data.encrypted", 'R', 'b', kText},
    {"licenses", 'R', 'l', kLicense}, {"enters_commerce", 'R', 'l', kCountry},
    {"id", 'M', 's', kMaterialId},
    {"description", 'M', 's', kText}, {"category", 'M', 's', kCategory},
    {"origin", 'M', 's', kCountry}, {"eccn", 'M', 's', kEccn}, {"eu_dual_use", 'M', 's', kEccn},
    {"un_number", 'M', 's', kUnNumber}, {"quantity", 'M', 'n', kText},
    {"unit", 'M', 's', kUnit}, {"temperature", 'M', 's', kTemperature},
    {"dry_ice_kg", 'M', 'n', kText}, {"agent", 'M', 's', kAgent}, {"form", 'M', 's', kForm},
    {"role", 'P', 's', kRole}, {"name", 'P', 's', kName},
    {"country", 'P', 's', kCountry},
};
// clang-format on

// Close constants: 6 significant digits cannot tell most of these pairs apart.
const std::vector<std::string> kNumbers = {"0",
                                           "-1",
                                           "0.5",
                                           "1",
                                           "5",
                                           "1000",
                                           "1000000",
                                           "1000001",
                                           "1000000.5",
                                           "999999.5",
                                           "1000000.0",
                                           "1e6",
                                           "0.1",
                                           "0.10000001",
                                           "1e-7",
                                           "1.1e-7",
                                           "0.0000001",
                                           "2.5",
                                           "2.5000001",
                                           "123456.7",
                                           "123456.8",
                                           "9007199254740992",
                                           "9007199254740993",
                                           "9007199254740994",
                                           "1e16"};
const std::vector<std::string> kDates = {"2000-01-01", "2024-02-29", "2024-03-01", "2025-12-31",
                                         "2026-01-01", "2026-01-02", "2026-11-25", "2030-06-30"};

class Random {
 public:
  explicit Random(std::uint64_t seed) : rng_(seed) {}
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Int(0, static_cast<int>(v.size()) - 1)];
  }
  template <typename It>
  void Shuffle(It begin, It end) {
    std::shuffle(begin, end, rng_);
  }
  std::vector<std::string> Subset(Domain d, int lo, int hi) {
    std::vector<std::string> v = Values(d);
    std::shuffle(v.begin(), v.end(), rng_);
    v.resize(std::min<size_t>(v.size(), Int(lo, hi)));
    return v;
  }

 private:
  std::mt19937_64 rng_;
};

std::string Quote(std::string_view s) { return absl::StrCat("\"", internal::Av(s), "\""); }

// A set element or table key: a bare word when it can be one, else a string.
std::string Element(const std::string& v) {
  bool bare = !v.empty() && std::all_of(v.begin(), v.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
  return bare ? v : Quote(v);
}

std::string SetLiteral(const std::vector<std::string>& values) {
  std::vector<std::string> elements;
  for (const std::string& v : values) elements.push_back(Element(v));
  return absl::StrCat("{", absl::StrJoin(elements, ", "), "}");
}

class PackGenerator {
 public:
  explicit PackGenerator(std::uint64_t seed) : r_(seed) {}

  RandomPack Generate() {
    RandomPack pack;
    for (int d = 0; d < kDomainCount; ++d) {
      int n = d == kCountry || d == kEccn ? r_.Int(1, 2) : r_.Chance(0.4) ? 1 : 0;
      for (int i = 0; i < n && d != kColumn; ++i) {
        std::string name = absl::StrCat("s", sets_.size());
        pack.lists.push_back(absl::StrCat(
            "set ", name, " = ", SetLiteral(r_.Subset(static_cast<Domain>(d), 1, 4)), "\n"));
        sets_.push_back({name, static_cast<Domain>(d)});
      }
    }
    for (int t = r_.Int(1, 2); t > 0; --t) {
      Domain key = r_.Chance(0.6) ? kCountry : kEccn;
      std::vector<std::string> entries;
      for (const std::string& k : r_.Subset(key, 1, 4)) {
        if (!k.empty()) {
          entries.push_back(
              absl::StrCat("  ", Element(k), ": ", SetLiteral(r_.Subset(kColumn, 0, 3))));
        }
      }
      std::string name = absl::StrCat("t", tables_.size());
      pack.lists.push_back(
          absl::StrCat("table ", name, " = {\n", absl::StrJoin(entries, ",\n"), "\n}\n"));
      tables_.push_back({name, key, kColumn});
    }
    // Pattern sets and tables, for `matches any` (in mixed case, for `ignoring case`).
    for (int i = r_.Int(0, 2); i > 0; --i) {
      const Domain d = r_.Pick(std::vector<Domain>{kEccn, kEccn, kName, kText, kCountry, kUnNumber});
      std::string name = absl::StrCat("ps", pattern_sets_.size());
      pack.lists.push_back(absl::StrCat("set ", name, " = ", SetLiteral(Patterns(d, 1, 4)), "\n"));
      pattern_sets_.push_back({name, d});
    }
    if (r_.Chance(0.5)) {  // like the CCL's controls: column -> ECCN patterns
      std::vector<std::string> entries;
      for (const std::string& k : r_.Subset(kColumn, 1, 4)) {
        entries.push_back(absl::StrCat("  ", Element(k), ": ", SetLiteral(Patterns(kEccn, 0, 3))));
      }
      std::string name = absl::StrCat("pt", tables_.size());
      pack.lists.push_back(
          absl::StrCat("table ", name, " = {\n", absl::StrJoin(entries, ",\n"), "\n}\n"));
      tables_.push_back({name, kColumn, kEccn});
    }
    for (int i = r_.Int(0, 4); i > 0; --i) Predicate(pack);
    for (int i = r_.Int(3, 9); i > 0; --i) {
      const size_t index = pack.rules.size();
      pack.rules.push_back(r_.Chance(0.2) ? DecisionTable(index) : Rule(index));
    }
    pack.features = std::move(features_);
    return pack;
  }

 private:
  struct Var {
    char type;  // M material, P party, S string (of `domain`), T set (a predicate's parameter)
    Domain domain;
  };
  struct Operand {
    std::string text;
    Domain domain;
    size_t slot;     // the variable it reads (0: the request)
    bool attribute;  // not a bare variable: `is known` applies
  };
  struct Named {
    std::string name;
    Domain domain;         // of a set's values, of a table's keys
    Domain values = kText;  // of a table's values
  };
  struct Pred {
    std::string name;
    std::vector<Var> params;
    bool in_lists;  // declared in package gen.lists (else gen.rules)
  };

  // A name declared in gen.lists, from gen.rules (or, in a predicate of gen.lists, from there).
  std::string Ref(const std::string& name) {
    if (in_lists_) return name;
    return absl::StrCat(r_.Pick(std::vector<std::string>{"lists.", "L.", "gen.lists."}), name);
  }
  static std::string VarName(size_t slot, char type) {
    if (type == 'M') return slot == 1 ? "m" : absl::StrCat("m", slot);
    if (type == 'T') return absl::StrCat("S", slot);
    return absl::StrCat(type == 'P' ? "p" : "c", slot);
  }
  // `x?` (absent: the test is false) on a request attribute in a test, sometimes.
  std::string Opt(const Operand& o, double p = 0.25) {
    return o.attribute && r_.Chance(p) ? o.text + "?" : o.text;
  }
  // Patterns of a domain's values, some in another case; no duplicates.
  std::vector<std::string> Patterns(Domain d, int lo, int hi) {
    std::vector<std::string> out;
    for (int n = r_.Int(lo, hi); n > 0; --n) {
      std::string p = CasePattern(d);
      if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
    }
    return out;
  }
  std::string CasePattern(Domain d) {
    std::string p = Pattern(d);
    if (r_.Chance(0.4)) {
      for (char& c : p) {
        if (std::isalpha(static_cast<unsigned char>(c)) && r_.Chance(0.5)) c ^= 0x20;
      }
    }
    return p;
  }
  std::string Signature() const {
    std::string s;
    for (const Var& v : vars_) s += v.type;
    return s;
  }

  // The operands of one type readable here: request attributes, members of bound variables,
  // and (for strings) the string variables themselves.
  std::vector<Operand> Operands(char type) const {
    std::vector<Operand> out;
    for (const GenAttr& a : kAttrs) {
      if (a.type != type) continue;
      if (a.owner == 'R') out.push_back({std::string(a.name), a.domain, 0, true});
      for (size_t s = 0; s < vars_.size(); ++s) {
        if (vars_[s].type != a.owner) continue;
        out.push_back({absl::StrCat(VarName(s + 1, a.owner), ".", internal::Av(a.name)), a.domain,
                       s + 1, true});
      }
    }
    for (size_t s = 0; type == 's' && s < vars_.size(); ++s) {
      if (vars_[s].type == 'S') out.push_back({VarName(s + 1, 'S'), vars_[s].domain, s + 1, false});
    }
    return out;
  }
  // Picks one, preferring the innermost variable so quantifier bodies use their variable.
  Operand PickOperand(std::vector<Operand> ops) {
    std::vector<Operand> inner;
    for (const Operand& o : ops) {
      if (!vars_.empty() && o.slot == vars_.size()) inner.push_back(o);
    }
    return !inner.empty() && r_.Chance(0.6) ? r_.Pick(inner) : r_.Pick(ops);
  }
  std::vector<Operand> OfDomain(Domain d, const std::string& except) const {
    std::vector<Operand> out;
    for (const Operand& o : Operands('s')) {
      if (o.domain == d && o.text != except) out.push_back(o);
    }
    return out;
  }
  std::string Constant(Domain d) { return Quote(r_.Pick(Values(d))); }
  std::string Both(const std::string& a, const std::string& op, const std::string& b) {
    return r_.Chance(0.2) ? absl::StrCat(b, " ", op, " ", a) : absl::StrCat(a, " ", op, " ", b);
  }

  std::string Rule(size_t index) {
    const bool per_material = r_.Chance(0.55);
    vars_.clear();
    if (per_material) vars_.push_back({'M', kText});
    std::vector<std::string> clauses = {absl::StrCat("title \"rule ", index, "\"")};
    if (r_.Chance(0.85)) clauses.push_back(absl::StrCat("cite \"DIFF ", index, "\""));
    if (r_.Chance(0.25)) {
      int from = r_.Int(0, static_cast<int>(kDates.size()) - 2);
      int until = r_.Int(from + 1, static_cast<int>(kDates.size()));
      clauses.push_back(absl::StrCat(
          "effective ", kDates[from], " ..",
          until < static_cast<int>(kDates.size()) ? absl::StrCat(" ", kDates[until]) : ""));
    }
    if (per_material) clauses.push_back("for each material m");
    const size_t first_binder = vars_.size();
    const std::vector<std::string> binders = Binders();
    std::vector<std::string> binder_vars;
    for (size_t s = first_binder; s < vars_.size(); ++s) binder_vars.push_back(VarName(s + 1, 'S'));
    if (r_.Chance(0.92)) {
      std::string when = Condition(r_.Int(0, 3));
      if (r_.Chance(0.35)) when = absl::StrCat(IndexTerm(per_material), " and ", when);
      if (r_.Chance(0.3)) {  // a predicate's conjuncts join the rule's (the index sees them)
        if (std::string call = Call(); !call.empty()) when = absl::StrCat(call, " and ", when);
      }
      clauses.push_back("when " + when);
    }
    clauses.push_back("then " + Effect(binder_vars));
    r_.Shuffle(clauses.begin() + 1, clauses.end());
    // The `for each` clauses keep their order among themselves (a later one may range over an
    // earlier one's value, `for each col in t[c1]`) wherever they go.
    size_t at = 1;
    for (const std::string& b : binders) {
      at = r_.Int(static_cast<int>(at), static_cast<int>(clauses.size()));
      clauses.insert(clauses.begin() + at, b);
      ++at;
    }
    return absl::StrCat("rule r", index, " {\n  ", absl::StrJoin(clauses, "\n  "), "\n}\n");
  }

  // `decision table dN { columns A, B  row [NAME:] CELL, CELL ... then EFFECT }`: 1-3 string
  // columns (request attributes, or with `for each material m` the material's too, closed
  // vocabularies and open ones), an optional `when` from the condition generator, `complete`
  // sometimes, and rows with cells of every form (`*`, bare and quoted values, `{A, B}`,
  // `in SET`, `not ...`), `effective` windows on the generator's dates, names or none, their
  // own title or cite, and effects of every kind. The clauses come in any order (rows keep
  // theirs: an unnamed row is numbered).
  std::string DecisionTable(size_t index) {
    const std::string name = absl::StrCat("d", index);
    const bool per_material = r_.Chance(0.55);
    vars_.clear();
    if (per_material) vars_.push_back({'M', kText});
    std::vector<Operand> columns;
    for (int n = r_.Int(1, 3), tries = 0; static_cast<int>(columns.size()) < n && tries < 20;
         ++tries) {
      Operand c = PickOperand(Operands('s'));
      if (r_.Chance(0.5)) {  // the vocabularies the checker reads as such, and the destination
        std::vector<std::string> preferred = {"route.destination", "data.transfer_mechanism",
                                              "data.deidentification", "end_user.country"};
        if (per_material) {
          for (const char* m : {"m.category", "m.category", "m.eccn", "m.unit", "m.origin"}) {
            preferred.push_back(m);
          }
        }
        const std::string want = r_.Pick(preferred);
        for (const Operand& o : Operands('s')) {
          if (o.text == want) c = o;
        }
      }
      if (std::none_of(columns.begin(), columns.end(),
                       [&](const Operand& o) { return o.text == c.text; })) {
        columns.push_back(c);
      }
    }
    std::vector<std::string> head;  // before the first row: the table's title, cite, window
    std::vector<std::string> others;  // anywhere
    if (r_.Chance(0.5)) head.push_back(absl::StrCat("title \"table ", index, "\""));
    if (r_.Chance(0.8)) head.push_back(absl::StrCat("cite \"DIFF ", index, "\""));
    const bool table_window = r_.Chance(0.15);
    if (table_window) head.push_back("effective " + Window());
    if (per_material) others.push_back("for each material m");
    std::vector<std::string> texts;
    for (const Operand& c : columns) texts.push_back(c.text);
    others.push_back("columns " + absl::StrJoin(texts, ", "));
    if (r_.Chance(0.3)) {
      others.push_back("complete");
      features_.insert("complete table");
    }
    if (r_.Chance(0.6)) {
      std::string when = Condition(r_.Int(0, 2));
      if (r_.Chance(0.3)) when = absl::StrCat(IndexTerm(per_material), " and ", when);
      if (r_.Chance(0.2)) {
        if (std::string call = Call(); !call.empty()) when = absl::StrCat(call, " and ", when);
      }
      others.push_back("when " + when);
      features_.insert("table when");
    }
    std::vector<std::string> rows;
    for (int n = r_.Int(1, 5), k = 1; k <= n; ++k) rows.push_back(Row(name, k, columns, table_window));
    vars_.clear();
    // Rows in order, the other clauses shuffled in among them, the head first.
    r_.Shuffle(head.begin(), head.end());
    std::vector<std::string> clauses = rows;
    for (const std::string& c : others) {
      clauses.insert(clauses.begin() + r_.Int(0, static_cast<int>(clauses.size())), c);
    }
    clauses.insert(clauses.begin(), head.begin(), head.end());
    return absl::StrCat("decision table ", name, " {\n  ", absl::StrJoin(clauses, "\n  "),
                        "\n}\n");
  }

  // `FROM .. [UNTIL]` on the generator's dates (and so on the requests' edges).
  std::string Window() {
    const int from = r_.Int(0, static_cast<int>(kDates.size()) - 2);
    const int until = r_.Int(from + 1, static_cast<int>(kDates.size()));
    return absl::StrCat(kDates[from], " ..",
                        until < static_cast<int>(kDates.size()) ? " " + kDates[until] : "");
  }

  // A row of a table with a window of its own gets none (two random windows may not overlap,
  // and a row that can never hold is an error).
  std::string Row(const std::string& table, int k, const std::vector<Operand>& columns,
                  bool table_window) {
    std::vector<std::string> cells;
    for (const Operand& c : columns) cells.push_back(Cell(c.domain));
    std::string name;
    if (r_.Chance(0.4)) name = absl::StrCat(table, "_", r_.Chance(0.5) ? "n" : "row_", k, ": ");
    std::vector<std::string> clauses;
    if (!table_window && r_.Chance(0.3)) {
      clauses.push_back("effective " + Window());
      features_.insert("row's own window");
    }
    if (r_.Chance(0.2)) clauses.push_back(absl::StrCat("title \"", table, " row ", k, "\""));
    if (r_.Chance(0.2)) clauses.push_back(absl::StrCat("cite \"DIFF ", table, ".", k, "\""));
    clauses.push_back("then " + Effect({}));
    r_.Shuffle(clauses.begin(), clauses.end());
    return absl::StrCat("row ", name, absl::StrJoin(cells, ", "), " ", absl::StrJoin(clauses, " "));
  }

  // A cell of a column of the domain: `*`, a value (bare or quoted), `{A, B}`, `in SET`, or one
  // of these after `not`.
  std::string Cell(Domain d) {
    const int kind = r_.Int(0, 9);
    if (kind <= 1) {
      features_.insert("any cell");
      return "*";
    }
    const std::string neg = kind >= 8 ? "not " : "";
    if (kind >= 8) features_.insert("not cell");
    std::vector<std::string> named;
    for (const Named& s : sets_) {
      if (s.domain == d) named.push_back(s.name);
    }
    for (const Named& s : pattern_sets_) {  // globs, but `in` reads them as values
      if (s.domain == d && !Closed(d)) named.push_back(s.name);
    }
    switch (r_.Int(0, 5)) {
      case 0:
      case 1: {
        const std::string v = Element(r_.Pick(Values(d)));
        features_.insert(v.starts_with('"') ? "quoted cell" : "bare cell");
        return neg + v;
      }
      case 2: features_.insert("quoted cell"); return neg + Quote(r_.Pick(Values(d)));
      case 3:
        features_.insert("set cell");
        return neg + SetLiteral(r_.Subset(d, r_.Chance(0.1) ? 0 : 1, 3));
      default:
        if (named.empty()) return neg + SetLiteral(r_.Subset(d, 1, 3));
        features_.insert("in SET cell");
        return absl::StrCat(neg, "in ", Ref(r_.Pick(named)));
    }
  }

  // `for each leg` and `for each x in ...` clauses, binding string variables after the material.
  std::vector<std::string> Binders() {
    const bool leg = r_.Chance(0.3);
    const int values = r_.Chance(0.3) ? (r_.Chance(0.15) ? 2 : 1) : 0;
    const int leg_at = leg ? r_.Int(0, values) : -1;
    std::vector<std::string> out;
    for (int i = 0; i < values + (leg ? 1 : 0); ++i) {
      out.push_back(i == leg_at ? LegBinder() : ValueBinder());
    }
    return out;
  }
  std::string LegBinder() {
    std::vector<std::string> legs = {"origin", "transit", "destination", "end_user"};
    r_.Shuffle(legs.begin(), legs.end());
    legs.resize(r_.Int(1, 4));
    vars_.push_back({'S', kCountry});
    return absl::StrCat("for each leg ", VarName(vars_.size(), 'S'), " in ",
                        absl::StrJoin(legs, ", "));
  }
  std::string ValueBinder() {
    std::string domain;
    Domain d = kCountry;
    switch (r_.Int(0, 3)) {
      case 0:  // a set, named or literal
        if (!sets_.empty() && r_.Chance(0.7)) {
          const Named& set = r_.Pick(sets_);
          domain = Ref(set.name);
          d = set.domain;
        } else {
          d = r_.Pick(std::vector<Domain>{kCountry, kColumn, kLicense, kEccn});
          domain = SetLiteral(r_.Subset(d, 1, 3));
        }
        break;
      case 1: {  // a table's keys
        const Named& t = r_.Pick(tables_);
        domain = Ref(t.name);
        d = t.domain;
        break;
      }
      case 2: {  // a table's values at a key, often an earlier variable: `for each col in t[c1]`
        const Named& t = r_.Pick(tables_);
        std::vector<Operand> keys = OfDomain(t.domain, "");
        std::string key = !keys.empty() && r_.Chance(0.8) ? PickOperand(keys).text : Constant(t.domain);
        domain = absl::StrCat(Ref(t.name), "[", key, "]");
        d = t.values;
        break;
      }
      default: {
        static const std::vector<std::pair<std::string, Domain>> kLists = {
            {"route.transit", kCountry}, {"route", kCountry}, {"licenses", kLicense},
            {"data.categories", kDataCategory}, {"enters_commerce", kCountry}};
        std::tie(domain, d) = r_.Pick(kLists);
      }
    }
    vars_.push_back({'S', d});
    return absl::StrCat("for each ", VarName(vars_.size(), 'S'), " in ", domain);
  }

  // `predicate qN(PARAMS) = BODY` in either package, its parameters as variables of the body
  // (named as rules name theirs, so bodies and rules share subexpressions); it may call the
  // predicates declared before it. Rules call some of them, some never.
  void Predicate(RandomPack& pack) {
    Pred p{absl::StrCat("q", preds_.size()), {}, r_.Chance(0.3)};
    vars_.clear();
    for (int n = r_.Chance(0.3) ? 0 : r_.Int(1, 2); n > 0; --n) {
      switch (r_.Int(0, 5)) {
        case 0:
        case 1: vars_.push_back({'M', kText}); break;
        case 2:
        case 3:
          vars_.push_back({'S', r_.Pick(std::vector<Domain>{kCountry, kEccn, kName, kEndUse})});
          break;
        case 4: vars_.push_back({'T', r_.Pick(std::vector<Domain>{kCountry, kEccn})}); break;
        default: vars_.push_back({'P', kText}); break;
      }
    }
    p.params = vars_;
    in_lists_ = p.in_lists;
    const std::string body = Condition(r_.Int(0, 2));
    in_lists_ = false;
    std::vector<std::string> names;
    for (size_t s = 0; s < vars_.size(); ++s) names.push_back(VarName(s + 1, vars_[s].type));
    const std::string params = !names.empty()  ? absl::StrCat("(", absl::StrJoin(names, ", "), ")")
                               : r_.Chance(0.5) ? "()"
                                                : "";
    (p.in_lists ? pack.lists : pack.rules)
        .push_back(absl::StrCat("predicate ", p.name, params, " = ", body, "\n"));
    preds_.push_back(std::move(p));
    vars_.clear();
  }

  // A call of a predicate whose parameters the variables in scope can fill, or "".
  std::string Call() {
    std::vector<const Pred*> fits;
    for (const Pred& p : preds_) {
      if (in_lists_ && !p.in_lists) continue;
      bool ok = true;
      for (const Var& v : p.params) {
        if (v.type == 'M' || v.type == 'P') {
          ok &= std::any_of(vars_.begin(), vars_.end(), [&](const Var& x) { return x.type == v.type; });
        }
      }
      if (ok) fits.push_back(&p);
    }
    if (fits.empty()) return "";
    const Pred& p = *r_.Pick(fits);
    std::vector<std::string> args;
    for (const Var& v : p.params) {
      if (v.type == 'M' || v.type == 'P') {
        std::vector<std::string> candidates;
        for (size_t s = 0; s < vars_.size(); ++s) {
          if (vars_[s].type == v.type) candidates.push_back(VarName(s + 1, v.type));
        }
        args.push_back(r_.Pick(candidates));
      } else if (v.type == 'T') {
        args.push_back(SetOf(v.domain));
      } else {
        std::vector<Operand> same = OfDomain(v.domain, "");
        args.push_back(!same.empty() && r_.Chance(0.7) ? PickOperand(same).text : Constant(v.domain));
      }
    }
    const std::string name = p.in_lists && !in_lists_ ? Ref(p.name) : p.name;
    if (args.empty()) return r_.Chance(0.5) ? name : name + "()";
    return absl::StrCat(name, "(", absl::StrJoin(args, ", "), ")");
  }

  // A top-level conjunct the planner indexes rules by (destination, ECCN).
  std::string IndexTerm(bool per_material) {
    switch (r_.Int(0, per_material ? 4 : 1)) {
      case 0: return "route.destination == " + Constant(kCountry);
      case 1: return "route.destination in " + SetOf(kCountry);
      case 2: return "m.eccn == " + Constant(kEccn);
      case 3: return "m.eccn in " + SetLiteral(r_.Subset(kEccn, 1, 3));
      default:
        return "m.eccn matches " + Quote(r_.Pick(std::vector<std::string>{
                                       "1C351*", "1C*", "*", "EAR99", "1C351.d.1?", "2B352*"}));
    }
  }

  std::string Effect(const std::vector<std::string>& vars) {
    auto note = [&] { return r_.Chance(0.5) ? " \"see note\"" : ""; };
    switch (!vars.empty() && r_.Chance(0.4) ? 2 : r_.Int(0, 4)) {
      case 0: return absl::StrCat("permitted", note());
      case 1:
        return "condition " + Quote(r_.Pick(std::vector<std::string>{"label UN3373", "encrypt"}));
      case 2: {
        std::string a = "authority " + Quote(r_.Pick(std::vector<std::string>{"BIS", "BAFA"}));
        std::string b = "basis " + Quote(r_.Pick(std::vector<std::string>{"CB2", "NS1", "AT1"}));
        if (!vars.empty() && r_.Chance(0.7)) b = "basis " + r_.Pick(vars);  // `basis col`
        if (!vars.empty() && r_.Chance(0.25)) a = "authority " + r_.Pick(vars);
        return absl::StrCat("license_required ", r_.Chance(0.8) ? a + " " + b : b + " " + a);
      }
      case 3: return absl::StrCat("review", note());
      default: return absl::StrCat("prohibited", note());
    }
  }

  // any(x in LIST: BODY) or all(...), BODY generated with x bound.
  std::string Quantified(const std::string& list, Var var,
                         const std::function<std::string()>& body) {
    vars_.push_back(var);
    std::string text = absl::StrCat(r_.Chance(0.5) ? "any(" : "all(",
                                    VarName(vars_.size(), var.type), " in ", list, ": ");
    text += body() + ")";
    vars_.pop_back();
    return text;
  }

  std::string Condition(int depth) {
    const std::string sig = Signature();
    if (!in_lists_ && r_.Chance(0.3)) {  // reuse an earlier subexpression, so rules share vertices
      std::vector<std::string> fits;
      for (const auto& [s, text] : pool_) {
        bool binds =
            text.find("any(") != std::string::npos || text.find("all(") != std::string::npos;
        if (s == sig || (!binds && sig.starts_with(s))) fits.push_back(text);
      }
      if (!fits.empty()) return r_.Pick(fits);
    }
    std::string text;
    const int kind = depth == 0 ? 0 : r_.Int(0, 9);
    if (kind <= 3 || (kind == 9 && vars_.size() >= 4)) {
      text = Leaf();
    } else if (kind <= 7) {
      std::vector<std::string> kids;
      for (int k = r_.Int(2, 3); k > 0; --k) kids.push_back(Condition(depth - 1));
      text = absl::StrCat("(", absl::StrJoin(kids, kind <= 5 ? " and " : " or "), ")");
    } else if (kind == 8) {
      text = "not " + Condition(depth - 1);
    } else {
      static const std::vector<std::pair<std::string, Var>> kLists = {
          {"route", {'S', kCountry}},    {"route.transit", {'S', kCountry}},
          {"licenses", {'S', kLicense}}, {"data.categories", {'S', kDataCategory}},
          {"parties", {'P', kText}},     {"materials", {'M', kText}}};
      const auto& [list, var] = r_.Pick(kLists);
      text = Quantified(list == "materials" || r_.Chance(0.75) ? list : list + "?", var,
                        [&] { return Condition(depth - 1); });
    }
    if (!in_lists_) pool_.push_back({sig, text});
    return text;
  }

  // A comparison, membership, glob, `is known`: weighted by how much there is to get wrong.
  std::string Leaf() {
    const int kind = r_.Int(0, 23);
    if (kind >= 21) {
      if (std::string call = Call(); !call.empty()) return call;
    }
    if (kind >= 18) return MatchesAny();
    if (kind < 4) {
      Operand a = PickOperand(Operands('s'));
      std::vector<Operand> same = OfDomain(a.domain, a.text);
      std::string b = !same.empty() && r_.Chance(0.2) ? Opt(r_.Pick(same)) : Constant(a.domain);
      return Both(Opt(a), r_.Chance(0.7) ? "==" : "!=", b);
    }
    if (kind < 8) return Membership();
    if (kind < 10) {
      Operand a = PickOperand(Operands('s'));
      return absl::StrCat(Opt(a), " matches ", Quote(CasePattern(a.domain)),
                          r_.Chance(0.35) ? " ignoring case" : "");
    }
    if (kind < 14) return NumberComparison();
    if (kind == 14) {
      const std::string op = r_.Pick(std::vector<std::string>{"==", "!=", "<", "<=", ">", ">="});
      return Both("date", op, r_.Pick(kDates));
    }
    if (kind == 15) {
      return r_.Pick(std::vector<std::string>{
          "data.personal_data", "data.encrypted", "data.personal_data == true",
          "data.encrypted != false", "data.personal_data == data.encrypted", "true", "false",
          "data.personal_data?", "data.encrypted?", "data.encrypted? == false",
          "data.personal_data? != data.encrypted"});
    }
    std::vector<Operand> all;
    for (char type : std::string("snbdlxy")) {
      for (Operand& o : Operands(type)) {
        if (o.attribute) all.push_back(std::move(o));
      }
    }
    const std::string subject = PickOperand(all).text;
    return subject + (r_.Chance(0.5) ? " is known" : " is missing");
  }

  std::string SetOf(Domain d) {
    std::vector<std::string> refs = {SetLiteral(r_.Subset(d, 0, 3))};
    for (const Named& s : sets_) {
      if (s.domain == d) refs.push_back(Ref(s.name));
    }
    for (size_t s = 0; s < vars_.size(); ++s) {  // a predicate's set parameter
      if (vars_[s].type == 'T' && vars_[s].domain == d) refs.push_back(VarName(s + 1, 'T'));
    }
    return r_.Pick(refs);
  }

  // `x matches any SET [ignoring case]`: SET a pattern set, a plain set, a literal set or a
  // table lookup `pt[col]`.
  std::string MatchesAny() {
    Operand a = PickOperand(Operands('s'));
    std::vector<std::string> rhs = {SetLiteral(Patterns(a.domain, 0, 3)), SetOf(a.domain)};
    for (const Named& s : pattern_sets_) {
      if (s.domain == a.domain) rhs.push_back(Ref(s.name));
    }
    for (const Named& t : tables_) {
      if (t.values != a.domain && !(t.values == kEccn && r_.Chance(0.3))) continue;
      std::vector<Operand> keys = OfDomain(t.domain, "");
      std::string key = !keys.empty() && r_.Chance(0.8) ? PickOperand(keys).text : Constant(t.domain);
      rhs.push_back(absl::StrCat(Ref(t.name), "[", key, "]"));
      rhs.push_back(rhs.back());
    }
    return absl::StrCat(Opt(a), " matches any ", r_.Pick(rhs),
                        r_.Chance(0.4) ? " ignoring case" : "");
  }

  std::string Membership() {
    const std::string in = r_.Chance(0.25) ? " not in " : " in ";
    if (r_.Chance(0.2)) {  // a table lookup: "CB2" in t[route.destination]
      const Named& t = r_.Pick(tables_);
      std::vector<Operand> keys = OfDomain(t.domain, "");
      std::string key = !keys.empty() && r_.Chance(0.8) ? Opt(r_.Pick(keys), 0.1) : Constant(t.domain);
      const std::string column = Constant(t.values == kColumn ? kColumn : kEccn);
      return absl::StrCat(column, in, Ref(t.name), "[", key, "]");
    }
    Operand a = PickOperand(Operands('s'));
    a.text = Opt(a);
    std::vector<std::string> rhs = {SetOf(a.domain)};
    if (!Closed(a.domain)) {
      for (const Named& t : tables_) {
        if (t.domain == a.domain) rhs.push_back(Ref(t.name));
      }
      for (const GenAttr& l : kAttrs) {
        if (l.type == 'l' && l.domain == a.domain) {
          rhs.push_back(std::string(l.name) + (r_.Chance(0.2) ? "?" : ""));
        }
      }
      if (r_.Chance(0.1)) rhs.push_back(Ref(r_.Pick(sets_).name));
      if (r_.Chance(0.15)) a.text = Constant(a.domain);  // "US" in route
    }
    return absl::StrCat(a.text, in, r_.Pick(rhs));
  }

  // A glob near a value of the domain: exact, prefix*, ?, * in the middle, *suffix.
  std::string Pattern(Domain d) {
    std::string v = r_.Pick(Values(d));
    const int n = static_cast<int>(v.size());
    switch (r_.Int(0, 6)) {
      case 0: return v;
      case 1: return v.substr(0, r_.Int(0, n)) + "*";
      case 2:
        if (n > 0) v[r_.Int(0, n - 1)] = '?';
        return v;
      case 3: {
        int i = r_.Int(0, n), j = r_.Int(i, n);
        return v.substr(0, i) + "*" + v.substr(j);
      }
      case 4: return "*";
      case 5: return "*" + v.substr(r_.Int(0, n));
      default: return v + "?";
    }
  }

  std::string NumberComparison() {
    std::vector<Operand> ops = Operands('n');
    if (ops.empty()) {  // no material bound: quantify over the materials
      return Quantified("materials", {'M', kText}, [&] { return NumberComparison(); });
    }
    Operand a = PickOperand(ops);
    const std::string op = r_.Pick(std::vector<std::string>{"==", "!=", "<", "<=", ">", ">="});
    const bool quantity = a.text.ends_with(".quantity"), dry_ice = a.text.ends_with(".dry_ice_kg");
    if ((quantity || dry_ice) && r_.Chance(0.5)) return Both(Opt(a), op, Quantity(dry_ice));
    std::string b = ops.size() > 1 && r_.Chance(0.15) ? r_.Pick(ops).text : r_.Pick(kNumbers);
    return Both(Opt(a), op, b);
  }

  // `4 L`, `50 mL | 50 g`, `0.5 kg | 500 mL`; for dry ice (kg) a mass only.
  std::string Quantity(bool mass_only) {
    static const std::vector<std::string> kAmounts = {"4",    "0.5", "50",    "1",   "0.7",
                                                      "2.5",  "1000", "0.001", "1e3", "0.25",
                                                      "0.3", "4000"};
    auto unit = [&](bool volume) {
      return absl::StrCat(r_.Pick(kAmounts), " ",
                          r_.Pick(volume ? std::vector<std::string>{"uL", "mL", "L"}
                                         : std::vector<std::string>{"ug", "mg", "g", "kg"}));
    };
    if (mass_only) return unit(false);
    switch (r_.Int(0, 3)) {
      case 0: return unit(true);
      case 1: return unit(false);
      case 2: return absl::StrCat(unit(true), " | ", unit(false));
      default: return absl::StrCat(unit(false), " | ", unit(true));
    }
  }

  Random r_;
  std::vector<Var> vars_;
  std::vector<Named> sets_, tables_, pattern_sets_;
  std::vector<Pred> preds_;
  bool in_lists_ = false;  // generating a predicate of gen.lists: names are unqualified
  std::vector<std::pair<std::string, std::string>> pool_;  // (variables' signature, text)
  std::set<std::string> features_;  // RandomPack::features
};

std::string DaysToDate(std::int32_t days) {
  std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{days}}};
  return absl::StrFormat("%04d-%02d-%02d", static_cast<int>(ymd.year()),
                         static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

class RequestGenerator {
 public:
  RequestGenerator(std::uint64_t seed, const Edges& edges) : r_(seed), edges_(edges) {}

  std::string Day() {
    std::int32_t d = !edges_.days.empty() && r_.Chance(0.9) ? r_.Pick(edges_.days) : 20417;
    return DaysToDate(d + r_.Int(-1, 1));
  }

  Request Generate() {
    Request r;
    r.id = r_.Pick(std::vector<std::string>{"R-1", "lab 1", "x"});
    r.date = Day();
    for (int n = r_.Int(2, 5); n > 0; --n) r.route.push_back(Value(kCountry, A::kRouteTransit));
    r.route.front() = Value(kCountry, A::kRouteOrigin);
    r.route.back() = Value(kCountry, A::kRouteDestination);
    if (r_.Chance(0.2)) {  // "US" in route
      r.route[r_.Int(0, static_cast<int>(r.route.size()) - 1)] = Value(kCountry, A::kRoute);
    }
    if (r_.Chance(0.85)) {
      r.exporter = Exporter{Maybe(0.7, kName, A::kExporterName),
                            Maybe(0.75, kCountry, A::kExporterCountry)};
      if (r_.Chance(0.3)) r.exporter->us_owned = r_.Chance(0.5);
    }
    if (r_.Chance(0.8)) {
      r.end_user = EndUser{
          Maybe(0.7, kName, A::kEndUserName), Maybe(0.7, kCountry, A::kEndUserCountry),
          Maybe(0.7, kUserType, A::kEndUserType), Maybe(0.7, kEndUse, A::kEndUserEndUse),
          Maybe(0.6, kText, A::kEndUserAddress)};
      // In the destination (no end_user leg) as often as elsewhere.
      if (r.end_user->country && r_.Chance(0.4)) r.end_user->country = r.route.back();
    }
    if (r_.Chance(0.7)) {
      r.parties.emplace();
      for (int n = r_.Int(0, 3); n > 0; --n) {
        r.parties->push_back({Value(kRole, A::kPartyRole), Maybe(0.7, kName, A::kPartyName),
                              Maybe(0.7, kCountry, A::kPartyCountry)});
      }
    }
    for (int i = 1, n = r_.Int(1, 3); i <= n; ++i) {
      Material& m = r.materials.emplace_back();
      m.id = absl::StrCat("m", i);
      m.description = Maybe(0.5, kText, A::kMaterialDescription);
      m.category = Maybe(0.8, kCategory, A::kMaterialCategory);
      m.origin = Maybe(0.6, kCountry, A::kMaterialOrigin);
      m.eccn = Maybe(0.8, kEccn, A::kMaterialEccn);
      m.eu_dual_use = Maybe(0.5, kEccn, A::kMaterialEuDualUse);
      m.un_number = Maybe(0.5, kUnNumber, A::kMaterialUnNumber);
      m.unit = Maybe(0.7, kUnit, A::kMaterialUnit);
      m.temperature = Maybe(0.6, kTemperature, A::kMaterialTemperature);
      m.agent = Maybe(0.4, kAgent, A::kMaterialAgent);
      m.form = Maybe(0.4, kForm, A::kMaterialForm);
      if (r_.Chance(0.8)) m.quantity = Number();
      if (r_.Chance(0.6)) m.dry_ice_kg = Number();
      if (!edges_.quantities.empty() && r_.Chance(0.6)) {  // on a limit in units, in some unit
        const auto& [q, unit] = r_.Pick(edges_.quantities);
        const double inf = std::numeric_limits<double>::infinity();
        const int k = r_.Int(0, 4);
        m.quantity = k <= 1 ? q : k == 2 ? std::nextafter(q, inf) : k == 3 ? std::nextafter(q, -inf) : q * 2;
        if (r_.Chance(0.85)) m.unit = unit;
      }
    }
    if (r_.Chance(0.6)) {
      DataTransfer& d = r.data.emplace();
      if (r_.Chance(0.7)) d.personal_data = r_.Chance(0.5);
      if (r_.Chance(0.6)) d.categories = r_.Subset(kDataCategory, 0, 3);
      d.deidentification = Maybe(0.7, kDeidentification, A::kDataDeidentification);
      d.transfer_mechanism = Maybe(0.7, kTransfer, A::kDataTransferMechanism);
      if (r_.Chance(0.7)) d.encrypted = r_.Chance(0.5);
    }
    if (r_.Chance(0.5)) r.licenses = r_.Subset(kLicense, 0, 2);
    if (r.route.size() > 2 && r_.Chance(0.4)) {  // some of the transit countries, once each
      r.enters_commerce.emplace();
      for (size_t i = 1; i + 1 < r.route.size(); ++i) {
        const std::string& c = r.route[i];
        if (r_.Chance(0.5) && std::find(r.enters_commerce->begin(), r.enters_commerce->end(), c) ==
                                  r.enters_commerce->end()) {
          r.enters_commerce->push_back(c);
        }
      }
    }
    if (r_.Chance(1.0 / 30)) Break(r);
    return r;
  }

  std::optional<std::string> AsOf() {
    if (r_.Chance(0.7)) return std::nullopt;
    if (r_.Chance(0.95)) return Day();
    return r_.Pick(std::vector<std::string>{"2026-02-30", "2026-13-01", "26-01-01", "today"});
  }

 private:
  using A = internal::Attr;
  // A value of the domain, half the time one the rules compare the attribute with.
  std::string Value(Domain d, A attr) {
    if (auto it = edges_.strings.find(attr); it != edges_.strings.end() && r_.Chance(0.5)) {
      std::vector<std::string> valid;
      for (const std::string& v : it->second) {
        if (std::find(Values(d).begin(), Values(d).end(), v) != Values(d).end()) valid.push_back(v);
      }
      if (!valid.empty()) return r_.Pick(valid);
    }
    return r_.Pick(Values(d));
  }
  std::optional<std::string> Maybe(double p, Domain d, A attr) {
    if (!r_.Chance(p)) return std::nullopt;
    return Value(d, attr);
  }

  // On a constant, one step either side, or a little further.
  double Number() {
    double v = r_.Pick(std::vector<double>{0.0, -0.0, 0.5, 1e6, 2e6});
    if (!edges_.numbers.empty() && r_.Chance(0.85)) {
      const double c = r_.Pick(edges_.numbers), inf = std::numeric_limits<double>::infinity();
      const int k = r_.Int(0, 5);
      v = k <= 1   ? c
          : k == 2 ? std::nextafter(c, inf)
          : k == 3 ? std::nextafter(c, -inf)
          : k == 4 ? c + 0.5
                   : c - 1;
    }
    return v < 0 ? -v : v;  // -0.0 stays: it is valid and equal to 0
  }

  void Break(Request& r) {
    switch (r_.Int(0, 11)) {
      case 0: r.id.clear(); break;
      case 1: r.route.resize(1); break;
      case 2: r.route.back() = "ZZ"; break;
      case 3: r.materials[0].category = "pathogens"; break;
      case 4: r.materials[0].quantity = -1; break;
      case 5: r.materials[0].dry_ice_kg = std::numeric_limits<double>::infinity(); break;
      case 6: r.materials.push_back(r.materials[0]); break;
      case 7: r.date = "2026-02-30"; break;
      case 8: r.materials[0].un_number = "UN33"; break;
      case 9: r.materials.clear(); break;
      case 10: r.parties = std::vector<Party>{{"shipper", std::nullopt, std::nullopt}}; break;
      default: r.data = DataTransfer{.deidentification = "partial"}; break;
    }
  }

  Random r_;
  const Edges& edges_;
};

// JSON for failure messages: one overload per type of the request, absent fields left out.
std::string Json(const std::string& s) { return internal::JsonQuote(s); }
std::string Json(double d) { return absl::StrFormat("%.17g", d); }
std::string Json(bool b) { return b ? "true" : "false"; }
std::string Json(const Exporter& e);
std::string Json(const EndUser& u);
std::string Json(const Party& p);
std::string Json(const Material& m);
std::string Json(const DataTransfer& d);
template <typename T>
std::string Json(const std::vector<T>& v) {
  std::vector<std::string> items;
  for (const T& x : v) items.push_back(Json(x));
  return absl::StrCat("[", absl::StrJoin(items, ", "), "]");
}
struct Object {
  template <typename T>
  Object& operator()(std::string_view key, const T& v) {
    fields.push_back(absl::StrCat("\"", internal::Av(key), "\": ", Json(v)));
    return *this;
  }
  template <typename T>
  Object& operator()(std::string_view key, const std::optional<T>& v) {
    return v ? (*this)(key, *v) : *this;
  }
  operator std::string() const { return absl::StrCat("{", absl::StrJoin(fields, ", "), "}"); }
  std::vector<std::string> fields;
};
std::string Json(const Exporter& e) {
  return Object()("name", e.name)("country", e.country)("us_owned", e.us_owned);
}
std::string Json(const EndUser& u) {
  return Object()("name", u.name)("country", u.country)("type", u.type)("end_use", u.end_use)(
      "address", u.address);
}
std::string Json(const Party& p) {
  return Object()("role", p.role)("name", p.name)("country", p.country);
}
std::string Json(const Material& m) {
  return Object()("id", m.id)("description", m.description)("category", m.category)(
      "origin", m.origin)("eccn", m.eccn)("eu_dual_use", m.eu_dual_use)("un_number", m.un_number)(
      "quantity", m.quantity)("unit", m.unit)("temperature", m.temperature)("dry_ice_kg",
                                                                            m.dry_ice_kg)(
      "agent", m.agent)("form", m.form);
}
std::string Json(const DataTransfer& d) {
  return Object()("personal_data", d.personal_data)("categories", d.categories)(
      "deidentification", d.deidentification)("transfer_mechanism", d.transfer_mechanism)(
      "encrypted", d.encrypted);
}

}  // namespace

std::vector<SourceFile> RandomPack::Sources() const {
  return {{"gen/lists.ecr", absl::StrCat("package gen.lists\n\n", absl::StrJoin(lists, ""))},
          {"gen/rules.ecr", absl::StrCat("package gen.rules\n\nimport gen.lists\n"
                                         "import gen.lists as L\n\n",
                                         absl::StrJoin(rules, ""))}};
}

std::string RandomPack::Text() const {
  std::string out;
  for (const SourceFile& f : Sources()) absl::StrAppend(&out, "--- ", f.name, "\n", f.text);
  return out;
}

RandomPack GeneratePack(std::uint64_t seed) { return PackGenerator(seed).Generate(); }

Edges CollectEdges(const internal::Program& program) {
  Edges edges;
  std::function<void(const internal::Expr&)> walk = [&](const internal::Expr& e) {
    if (e.op == internal::Op::kConst && e.type == internal::Type::kNumber)
      edges.numbers.push_back(e.num);
    if (e.op == internal::Op::kConst && e.type == internal::Type::kDate)
      edges.days.push_back(e.date);
    if (e.op == internal::Op::kUnitLimit) {  // the limit (mL, g) in each unit of its dimension
      for (const internal::UnitInfo& u : internal::kUnits) {
        const double limit = u.volume ? e.num : e.num2;
        if (!std::isnan(limit)) edges.quantities.push_back({limit / u.factor, std::string(u.name)});
      }
    }
    // attr == "v", attr in SET, "v" in list: the values an attribute is compared with.
    if ((e.op == internal::Op::kEq || e.op == internal::Op::kNe || e.op == internal::Op::kIn) &&
        e.kids.size() == 2) {
      for (int side = 0; side < 2; ++side) {
        const internal::Expr &a = e.kids[side], &b = e.kids[1 - side];
        if (a.op != internal::Op::kAttr && a.op != internal::Op::kMember) continue;
        std::vector<std::string>& out = edges.strings[a.attr];
        if (b.op == internal::Op::kConst && b.type == internal::Type::kString) {
          out.push_back(b.str);
        } else if (b.op == internal::Op::kSetRef && side == 0) {
          const auto& v = program.sets[b.slot].values;
          out.insert(out.end(), v.begin(), v.end());
        }
      }
    }
    for (const internal::Expr& k : e.kids) walk(k);
  };
  for (const internal::Rule& r : program.rules) {
    if (r.when) walk(*r.when);
    if (r.effective_from) edges.days.push_back(*r.effective_from);
    if (r.effective_until) edges.days.push_back(*r.effective_until);
  }
  return edges;
}

Request GenerateRequest(std::uint64_t seed, const Edges& edges) {
  return RequestGenerator(seed, edges).Generate();
}

std::optional<std::string> GenerateAsOf(std::uint64_t seed, const Edges& edges) {
  return RequestGenerator(seed ^ 0x9e3779b97f4a7c15u, edges).AsOf();
}

std::string RequestToJson(const Request& r) {
  return Object()("id", r.id)("date", r.date)("route", r.route)("exporter", r.exporter)(
      "end_user", r.end_user)("parties", r.parties)("materials", r.materials)("data", r.data)(
      "licenses", r.licenses)("enters_commerce", r.enters_commerce);
}

}  // namespace exportctl::testing
