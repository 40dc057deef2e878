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
  kMatches,   // kids[0] matches glob `str`
  kIsKnown,   // kids[0] (an attribute) is present
  kAny,       // kids[1] holds for some element of kids[0], bound at depth `slot`
  kAll,       // ... for every element
  kScreen,    // screen(PARTY[, {codes}]): the best list match's score for the party `attr`
              // (kEndUser, kExporter, or kParties with the party variable in kids[0]),
              // restricted to the list codes of set `slot` (-1: every list)
};

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
  bool per_material = false;
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

struct Program {
  std::vector<NamedSet> sets;
  std::vector<Table> tables;
  std::vector<Rule> rules;
  std::vector<TestCase> tests;
};

}  // namespace exportctl::internal

#endif  // EXPORTCTL_SRC_CHECK_PROGRAM_H_
