#ifndef EXPORTCTL_SRC_PLAN_PLAN_H_
#define EXPORTCTL_SRC_PLAN_PLAN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "src/check/program.h"

namespace exportctl::internal {

// One vertex of the evaluation graph: a distinct subexpression (hash-consed, so a condition
// shared by many rules is one vertex and is evaluated once per request). Kids always have
// smaller indices than their parents: the vector is in topological order.
struct PlanNode {
  Op op = Op::kConst;
  Type type = Type::kBool;
  Attr attr = Attr::kId;
  std::uint8_t slot = 0;       // variable depth bound or read
  std::uint8_t innermost = 0;  // deepest variable this value depends on (0: the request only)
  std::uint32_t kids_begin = 0;
  std::uint32_t kid_count = 0;
  std::int32_t ref = -1;  // set, table or matcher index
  std::string str;
  double num = 0;
  std::int32_t date = 0;
  bool boolean = false;
  SourceRange range;  // where it was first written
  int rule = -1;      // the first rule that wrote it
};

using StringSet = absl::flat_hash_set<std::string>;

// `matches` patterns: `*` any run, `?` any one character. A trailing-`*`-only pattern is a
// prefix test; one without wildcards is an equality test.
struct Matcher {
  enum class Kind { kExact, kPrefix, kGlob } kind = Kind::kExact;
  std::string pattern;  // without the trailing `*` for kPrefix
  bool Match(std::string_view s) const;
};

struct PlanRule {
  int when = -1;                // node, or -1: always
  std::vector<int> conjuncts;   // the top-level `and` terms of `when`, for explain
  std::vector<SourceRange> conjunct_ranges;  // where this rule wrote them (nodes are shared)
};

// Rules indexed by their discriminating tests, so a request touches only candidate rules.
struct EccnIndex {
  std::vector<int> all;        // every rule in this bucket (for a material with no ECCN)
  std::vector<int> unkeyed;    // rules without an ECCN test
  absl::flat_hash_map<std::string, std::vector<int>> exact;
  absl::flat_hash_map<std::string, std::vector<int>> prefix;
  std::vector<int> prefix_lengths;
};

struct DestinationIndex {
  std::vector<int> any;  // rules without a destination test
  absl::flat_hash_map<std::string, std::vector<int>> by_destination;
};

struct Plan {
  Program program;
  std::vector<PlanNode> nodes;
  std::vector<std::uint32_t> kids;
  std::vector<StringSet> sets;
  std::vector<absl::flat_hash_map<std::string, int>> tables;  // key -> set index
  std::vector<Matcher> matchers;
  std::vector<PlanRule> rules;  // parallel to program.rules
  DestinationIndex shipment_rules;
  EccnIndex material_any_dest;
  absl::flat_hash_map<std::string, EccnIndex> material_by_dest;

  const std::uint32_t* Kids(const PlanNode& n) const { return kids.data() + n.kids_begin; }
};

// Builds the evaluation graph (Boost.Graph), hash-consing subexpressions, orders it
// topologically and indexes the rules.
Plan BuildPlan(Program program);

// Returns the graph in GraphViz DOT, rules as boxes pointing at their conditions.
std::string PlanToDot(const Plan& plan, const std::vector<Source>& sources);

}  // namespace exportctl::internal

#endif  // EXPORTCTL_SRC_PLAN_PLAN_H_
