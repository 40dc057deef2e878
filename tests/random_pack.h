#ifndef EXPORTCTL_TESTS_RANDOM_PACK_H_
#define EXPORTCTL_TESTS_RANDOM_PACK_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "exportctl/exportctl.h"
#include "src/check/program.h"

namespace exportctl::testing {

// A generated policy, as rule-file text: package gen.lists holds the sets and tables (one
// declaration each), package gen.rules the rules (one each), so a failing case can be shrunk by
// dropping declarations.
struct RandomPack {
  std::vector<std::string> lists;
  std::vector<std::string> rules;

  std::vector<SourceFile> Sources() const;
  std::string Text() const;  // both files, for printing
};

// Returns a random pack: sets, tables, rules over every attribute of the schema, with close
// numeric and date constants and subexpressions shared between rules. Deterministic in `seed`.
RandomPack GeneratePack(std::uint64_t seed);

// The number and date constants of a checked program (comparisons and `effective` windows), so
// requests can sit exactly on them and one step either side.
struct Edges {
  std::vector<double> numbers;
  std::vector<std::int32_t> days;
};
Edges CollectEdges(const internal::Program& program);

// A random request near `edges`: absent optional fields, every closed-vocabulary value, several
// materials, parties and transits; about one in thirty is invalid. Deterministic in `seed`.
Request GenerateRequest(std::uint64_t seed, const Edges& edges);
// A random `as_of` option for the same seed: mostly none, sometimes near `edges`, rarely invalid.
std::optional<std::string> GenerateAsOf(std::uint64_t seed, const Edges& edges);

// The request as JSON, in the contract's shape (numbers with 17 digits), for failure messages.
std::string RequestToJson(const Request& request);

}  // namespace exportctl::testing

#endif  // EXPORTCTL_TESTS_RANDOM_PACK_H_
