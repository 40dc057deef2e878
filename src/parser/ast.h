#ifndef EXPORTCTL_SRC_PARSER_AST_H_
#define EXPORTCTL_SRC_PARSER_AST_H_

#include <cstdint>
#include <string>
#include <vector>

namespace exportctl::internal::ast {

// The parser produces one uniform node type; `kind` says how to read it. Offsets are bytes
// into the file, [begin, end).
enum class Kind : std::uint8_t {
  // Declarations.
  kSet,         // text = name; kids = {kSetLiteral}
  kTable,       // text = name; kids = kTableEntry...
  kTableEntry,  // kids = {key kString, kSetLiteral}
  kRule,        // text = name; kids = clauses
  kDecision,    // `decision table NAME {...}`: text = name; kids = clauses (kTitle, kCite,
                // kForEach, kWhen, kColumns, kComplete, kRow)
  kColumns,     // kids = the column expressions
  kComplete,    // `complete`: every combination of column values must have a row
  kRow,         // text = row name ("" if none); kids = {kCell..., [kEffective], [kTitle],
                // [kCite], kThen}
  kCell,        // key = "*" (any value), "not" or ""; kids = {kString value | kSetLiteral |
                // kPath set name}
  kRegime,      // `regime NAME {...}`: text = name; kids = clauses (kTitle, kCite, kCovers, kWhen)
  kCovers,      // `covers KIND of SET, ...`: text = kind; kids = the sets (or a kString "*")
  kPredicate,   // text = name; kids = {kParam..., body expression}
  kParam,       // text = parameter name
  // Rule clauses.
  kTitle,      // text
  kCite,       // text
  kEffective,  // kids = {kDate from, [kDate until]}
  kForEach,    // text = variable; key = material | leg | "" (a value of kids[0]); for a leg,
               // kids = kString leg names (destination, transit, end_user, origin)
  kWhen,       // kids = {expression}
  kThen,       // kids = {kEffect}
  kEffect,     // text = prohibited|review|license_required|condition|permitted; kids = kString
               // arguments, each with `key` = authority|basis|"" (the note or condition text),
               // or kPath (a variable bound by `for each`) with `key` = authority|basis
  // Expressions.
  kOr,          // kids = operands (two or more)
  kAnd,         // kids = operands (two or more)
  kNot,         // kids = {operand}
  kCompare,     // text = == != < <= > >=; kids = {lhs, rhs}
  kIn,          // kids = {element, collection}
  kNotIn,       // kids = {element, collection}
  kMatches,     // kids = {subject, kString pattern}; key = "ignoring case" or ""
  kMatchesAny,  // kids = {subject, set of patterns}; key = "ignoring case" or ""
  kIsKnown,     // kids = {path}
  kIsMissing,   // kids = {path}
  kAny,         // text = variable; kids = {collection, body}
  kAll,         // text = variable; kids = {collection, body}
  kString,      // text
  kDate,        // text = YYYY-MM-DD
  kNumber,      // number; key = its unit (`4 L`), or ""
  kQuantity,    // kids = kNumber with units: `4 L | 4 kg` (the same limit in each dimension)
  kBool,        // text = true|false
  kSetLiteral,  // kids = kString elements
  kPath,        // text = dotted name; key = "?" when written `name?` (absent: the test is false)
  kLookup,      // text = table name; kids = {key}
  kCall,        // text = function name; kids = arguments (`screen(end_user, {SDN})`)
  // Test blocks: `test NAME { title "...", request {JSON}, as_of DATE, expect OUTCOME,
  // fires RULE, ... }`.
  kTest,     // text = name; kids = test clauses (kTitle, kRequest, kAsOf, kExpect, kFires)
  kRequest,  // text = the request's JSON text
  kAsOf,     // kids = {kDate}
  kExpect,   // text = outcome name
  kFires,    // kids = kPath rule ids
};

struct Node {
  Kind kind = Kind::kString;
  std::string text;
  std::string key;
  double number = 0;
  std::vector<Node> kids;
  int begin = 0;
  int end = 0;
};

struct Import {
  std::string package;
  std::string alias;  // last component of `package` unless `as` is given
  int begin = 0;
  int end = 0;
};

struct File {
  std::string package;
  int package_begin = 0;
  int package_end = 0;
  std::vector<Import> imports;
  std::vector<Node> decls;
};

}  // namespace exportctl::internal::ast

#endif  // EXPORTCTL_SRC_PARSER_AST_H_
