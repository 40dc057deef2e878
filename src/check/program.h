#ifndef EXPORTCTL_SRC_CHECK_PROGRAM_H_
#define EXPORTCTL_SRC_CHECK_PROGRAM_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "exportctl/decision.h"
#include "exportctl/request.h"
#include "src/check/schema.h"
#include "src/common/source.h"

namespace exportctl::internal {

// The checked, name-resolved form of a policy: what the checker hands to the planner.
enum class Op : std::uint8_t {
  kConst,     // str / num / date / boolean
  kAttr,      // request attribute `attr`
  kVar,       // the variable bound at depth `slot`
  kMember,    // attribute `attr` of the variable in kids[0]
  kSetRef,    // set number `slot`
  kTableRef,  // table number `slot` (only as the right side of `in`: key membership)
  kLookup,    // table number `slot` at key kids[0]; a set
  kOr,
  kAnd,
  kNot,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kIn,        // kids[0] in kids[1] (set, table keys or list)
  kMatches,   // kids[0] matches glob `str` (ignoring ASCII case when `boolean`)
  kIsKnown,   // kids[0] (an attribute) is present
  kAny,       // kids[1] holds for some element of kids[0], bound at depth `slot`
  kAll,       // ... for every element
  kScreen,    // screen(PARTY[, {codes}]): the best list match's score for the party `attr`
              // (kEndUser, kExporter, or kParties with the party variable in kids[0]),
              // restricted to the list codes of set `slot` (-1: every list)
  kMatchesAny,  // kids[0] matches one of the glob patterns of the set kids[1] (ignoring ASCII
                // case when `boolean`)
  kUnitLimit,   // a limit given in units (`4 L | 4 kg`) read in the unit of the material kids[0]:
                // `num` uL (NaN: no volume given), `num2` ug (NaN: no mass given)
};

// Units a quantity literal may carry (`4 L`), with their dimension and factor to the base unit,
// the smallest one (uL, ug): whole factors, so a limit converts with one exact step (4 L =
// 4,000,000 uL = 4000 mL; 10 ug = 0.01 mg compares equal to a material of 0.01 mg). The count
// units of `m.unit` (vials, kits...) have none: a limit in them is an error.
struct UnitInfo {
  std::string_view name;
  bool volume;
  double factor;
};
inline constexpr UnitInfo kUnits[] = {{"uL", true, 1},  {"mL", true, 1e3},  {"L", true, 1e6},
                                      {"ug", false, 1}, {"mg", false, 1e3}, {"g", false, 1e6},
                                      {"kg", false, 1e9}};
inline const UnitInfo* FindUnit(std::string_view name) {
  for (const UnitInfo& u : kUnits) {
    if (u.name == name) return &u;
  }
  return nullptr;
}

// The countries a shipment reaches, as `for each leg` names them.
enum class Leg : std::uint8_t { kOrigin, kTransit, kDestination, kEndUser };
inline constexpr std::string_view kLegNames[] = {"origin", "transit", "destination", "end_user"};

// The list codes `screen(PARTY, {...})` accepts (src/screening: each loaded entry has one).
inline constexpr std::string_view kListCodes[] = {"SDN", "EL",  "DPL", "UVL", "MEU",
                                                 "SSI", "FSE", "ISN", "DTC", "CMIC",
                                                 "CAP", "PLC", "MBS", "EU"};

struct Expr {
  Op op = Op::kConst;
  Type type = Type::kBool;
  Attr attr = Attr::kId;
  int slot = 0;
  std::string str;
  double num = 0;
  double num2 = 0;
  std::int32_t date = 0;
  bool boolean = false;
  std::vector<Expr> kids;
  SourceRange range;
};

struct NamedSet {
  std::string name;  // package-qualified
  std::vector<std::string> values;
  SourceRange range;
};

struct Table {
  std::string name;
  std::vector<std::pair<std::string, std::vector<std::string>>> entries;
  SourceRange range;
};

struct Rule {
  std::string id;  // package.name
  std::string title;
  std::string citation;
  std::string location;  // file:line:col
  SourceRange range;
  std::optional<std::int32_t> effective_from, effective_until;  // days; until is exclusive
  bool per_material = false;  // `for each material m`: m is the variable at depth 1
  // `for each leg c in destination, transit` and `for each col in SET`: the rule is evaluated
  // for each value (after the material's), and fires for each value its condition holds for.
  struct Binder {
    int slot = 0;  // the variable's depth
    std::string name;
    std::vector<Leg> legs;       // a leg binder: the legs it ranges over
    std::optional<Expr> domain;  // a value binder: a set, a table (its keys) or a list of strings
  };
  std::vector<Binder> binders;
  int authority_var = -1, basis_var = -1;  // the binder whose value is the authority or basis
  Outcome outcome = Outcome::kPermitted;
  std::string authority, basis;  // license_required
  std::string text;              // the condition's text, or the note of review/prohibited
  std::optional<Expr> when;      // absent: always
};

// A `test` block: a request and what the policy must answer for it.
struct TestCase {
  std::string id;        // package.name
  std::string title;
  std::string location;  // file:line:col
  Request request;       // decoded and validated by the checker
  std::optional<std::string> as_of;
  Outcome expected = Outcome::kPermitted;
  std::vector<std::string> fires;  // rule ids that must be among the reasons
};

// The kinds of law a `regime` covers, for a country: the decision's coverage names what no
// regime of the policy covers, and the policy's fail-closed coverage rules act on it.
enum class LawKind : std::uint8_t {
  kExportControls,
  kSanctions,
  kDataProtection,
  kImportRequirements,
  kTransport,
};
inline constexpr std::string_view kLawKinds[] = {"export_controls", "sanctions", "data_protection",
                                                 "import_requirements", "transport"};
inline constexpr std::string_view kLawWords[] = {"export controls", "sanctions", "data protection",
                                                 "import requirements", "transport rules"};

// `regime NAME { covers KIND of SET ... when CONDITION }`.
struct Regime {
  std::string id;     // package.name
  std::string title;  // what the decision's coverage calls it ("US EAR")
  std::string citation;
  std::vector<std::pair<LawKind, std::vector<std::string>>> covers;  // "*": every country
  std::optional<Expr> when;  // when it applies to a shipment (absent: a covered country is on it)
  SourceRange range;
};

struct Program {
  std::vector<NamedSet> sets;
  std::vector<Table> tables;
  std::vector<Rule> rules;
  std::vector<TestCase> tests;
  std::vector<Regime> regimes;
  // The rule the checker synthesised for personal data whose data-protection law no regime
  // covers (`coverage.data_protection`), or -1: the decision lists that law as not covered
  // exactly when this rule fires, so the two cannot disagree on what personal data are.
  int data_protection_coverage_rule = -1;
};

}  // namespace exportctl::internal

#endif  // EXPORTCTL_SRC_CHECK_PROGRAM_H_
