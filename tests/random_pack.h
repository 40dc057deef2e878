#ifndef EXPORTCTL_TESTS_RANDOM_PACK_H_
#define EXPORTCTL_TESTS_RANDOM_PACK_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "exportctl/exportctl.h"
#include "src/check/program.h"

namespace exportctl::testing {

// A generated policy, as rule-file text: package gen.lists holds the sets and tables (one
// declaration each), package gen.rules the rules (one each), so a failing case can be shrunk by
// dropping declarations.
struct RandomPack {
  std::vector<std::string> lists;
  std::vector<std::string> rules;  // and decision tables
  // What the generator wrote that the checked program no longer shows apart (the kinds of a
  // decision table's cells, `complete`), for the test's check that the generator reaches them.
  std::set<std::string> features;

  std::vector<SourceFile> Sources() const;
  std::string Text() const;  // both files, for printing
};

// Returns a random pack: sets, tables, rules over every attribute of the schema, with close
// numeric and date constants and subexpressions shared between rules; and the language v2:
// predicates (with and without parameters, nested, declared in either package, some unused),
// `x?` tests, `matches any` (pattern sets, literal sets, table lookups) and `ignoring case`,
// quantities with units, `for each leg` and `for each x in SET|TABLE|table[key]|list` with the
// effect's authority or basis from the variable; decision tables (over request and material
// columns, with cells of every form, row windows, `complete`). Deterministic in `seed`.
RandomPack GeneratePack(std::uint64_t seed);

// The number and date constants of a checked program (comparisons and `effective` windows), so
// requests can sit exactly on them and one step either side; and each limit in units
// (`m.quantity > 4 L | 4 kg`) read in every unit of its dimensions (4 L, 4000 mL, 4000000 uL,
// 4 kg, 4000 g...), so materials can sit on the converted edge in any unit.
// And the strings rules and decision tables' cells compare each string attribute with
// (`route.destination == "DE"`, `m.category in {toxin, pathogen}`, a cell `in s1`), so requests
// meet the rows' values more often than a uniform draw would.
struct Edges {
  std::vector<double> numbers;
  std::vector<std::int32_t> days;
  std::vector<std::pair<double, std::string>> quantities;  // (quantity, unit)
  std::map<internal::Attr, std::vector<std::string>> strings;
};
Edges CollectEdges(const internal::Program& program);

// A random request near `edges`: absent optional fields, every closed-vocabulary value, several
// materials (in every unit, count units and none, often on a converted limit), parties and
// transits, an end user in the destination or elsewhere or nowhere, strings in mixed case, half
// of them values the rules compare their attribute with (`edges.strings`);
// about one in thirty is invalid. Deterministic in `seed`.
Request GenerateRequest(std::uint64_t seed, const Edges& edges);
// A random `as_of` option for the same seed: mostly none, sometimes near `edges`, rarely invalid.
std::optional<std::string> GenerateAsOf(std::uint64_t seed, const Edges& edges);

// The request as JSON, in the contract's shape (numbers with 17 digits), for failure messages.
std::string RequestToJson(const Request& request);

}  // namespace exportctl::testing

#endif  // EXPORTCTL_TESTS_RANDOM_PACK_H_
