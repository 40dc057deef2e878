#ifndef EXPORTCTL_SRC_PLAN_PLAN_H_
#define EXPORTCTL_SRC_PLAN_PLAN_H_

#include <array>
#include <bitset>
#include <climits>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "src/check/program.h"

namespace exportctl::internal {

// One vertex of the evaluation graph: a distinct subexpression (hash-consed, so a condition
// shared by many rules is one vertex and is evaluated once per request). Kids always have
// smaller indices than their parents: the vector is in topological order.
struct PlanNode {
  Op op = Op::kConst;
  Type type = Type::kBool;
  Attr attr = Attr::kId;
  const AttrInfo* field = nullptr;  // kAttr, kMember: Info(attr), resolved once
  std::uint8_t slot = 0;       // variable depth bound or read
  std::uint8_t innermost = 0;  // deepest variable this value depends on (0: the request only)
  bool shared = false;     // several parents: remember its value
  bool explained = false;  // a rule's conjunct: remember its value when tracing, for explain
  std::uint32_t kids_begin = 0;
  std::uint32_t kid_count = 0;
  std::int32_t ref = -1;  // set, table or matcher index
  std::string str;
  double num = 0;
  double num2 = 0;
  std::int32_t date = 0;
  bool boolean = false;
};

// `matches` patterns: `*` any run, `?` any one character. A trailing-`*`-only pattern is a
// prefix test; one without wildcards is an equality test. `fold`: ignoring ASCII case.
struct Matcher {
  enum class Kind { kExact, kPrefix, kGlob } kind = Kind::kExact;
  std::string pattern;  // without the trailing `*` for kPrefix
  static Matcher Make(const std::string& pattern);
  // `budget`, when given, is the characters a glob may still compare (evaluation's
  // kMaxMatchSteps): each comparison spends one, and at 0 the match stops, false, with *budget 0.
  bool Match(std::string_view s, bool fold = false, std::uint64_t* budget = nullptr) const;
};

// A set of strings. A set of two-letter codes (countries, in practice) also keeps a 26x26
// bitmap, so "country in set" is one bit test, without hashing. Its values in order, for
// `for each`; for `matches any`, a value without wildcards is an equality (the hash set, or a
// case-insensitive comparison), and only the values with wildcards get a matcher.
class StringSet {
 public:
  StringSet(const std::vector<std::string>& values);  // sorted, unique
  const std::vector<std::string>& values() const { return values_; }
  // (`budget` as for Matcher::Match; the case-insensitive scan spends one per value.)
  bool AnyMatches(std::string_view s, bool fold, std::uint64_t* budget) const {
    if (!fold) {
      if (contains(s)) return true;
    } else {
      if (*budget < values_.size()) {
        *budget = 0;
        return false;
      }
      *budget -= values_.size();
      for (const std::string& v : values_) {
        if (absl::EqualsIgnoreCase(v, absl::string_view(s.data(), s.size()))) return true;
      }
    }
    for (const Matcher& m : patterns_) {
      if (m.Match(s, fold, budget)) return true;
      if (*budget == 0) return false;
    }
    return false;
  }
  bool contains(std::string_view s) const {
    if (all_codes_) {
      int i = CodeIndex(s);
      return i >= 0 && codes_[i];
    }
    return strings_.contains(absl::string_view(s.data(), s.size()));
  }
  size_t size() const { return strings_.size(); }

 private:
  absl::flat_hash_set<std::string> strings_;
  std::vector<std::string> values_;
  std::vector<Matcher> patterns_;  // the values with wildcards
  std::bitset<26 * 26> codes_;
  bool all_codes_ = true;
};

struct PlanRule {
  int when = -1;                // node, or -1: always
  std::int32_t from = INT32_MIN, until = INT32_MAX;  // the effective window, in days
  std::vector<int> conjuncts;   // the top-level `and` terms of `when`, for explain
  std::vector<SourceRange> conjunct_ranges;  // where this rule wrote them (nodes are shared)
  // Its screen() vertices, whose matches the decision reports, each with the comparisons the
  // rule makes of it (`screen(p) >= 85 and screen(p) < 92`): a match is reported only when its
  // score passes them all, so a rule is credited with the matches it relied on.
  struct Screen {
    int node;
    std::vector<std::pair<Op, double>> bounds;  // score OP value
  };
  std::vector<Screen> screens;
  // `for each leg` / `for each x in ...`: the variable's depth, and the legs (a bit per Leg) or
  // the node of the values it ranges over.
  struct Binder {
    std::uint8_t slot = 0;
    std::uint8_t legs = 0;
    int domain = -1;
  };
  std::vector<Binder> binders;
  int authority_slot = -1, basis_slot = -1;  // the variable whose value is the authority/basis
};

// Rules indexed by their discriminating tests, so a request touches only candidate rules.
struct EccnIndex {
  std::vector<int> all;        // every rule in this bucket (for a material with no ECCN)
  std::vector<int> unkeyed;    // rules without an ECCN test
  absl::flat_hash_map<std::string, std::vector<int>> exact;
  absl::flat_hash_map<std::string, std::vector<int>> prefix;
  std::vector<int> prefix_lengths;
};

// Buckets keyed by country: two-letter codes through a 26x26 table (no hashing on the hot
// path), other keys ("UA-43") through a map.
template <typename T>
class ByCountry {
 public:
  ByCountry() { by_code_.fill(-1); }
  T& operator[](const std::string& key) {
    int c = CodeIndex(key);
    std::int32_t& slot = c >= 0 ? by_code_[c] : by_name_.try_emplace(key, -1).first->second;
    if (slot < 0) {
      slot = static_cast<std::int32_t>(buckets_.size());
      buckets_.emplace_back();
    }
    return buckets_[slot];
  }
  const T* Find(std::string_view key) const {
    int c = CodeIndex(key);
    std::int32_t slot = -1;
    if (c >= 0) {
      slot = by_code_[c];
    } else if (auto it = by_name_.find(absl::string_view(key.data(), key.size()));
               it != by_name_.end()) {
      slot = it->second;
    }
    return slot < 0 ? nullptr : &buckets_[slot];
  }

 private:
  std::vector<T> buckets_;
  std::array<std::int32_t, 26 * 26> by_code_;
  absl::flat_hash_map<std::string, std::int32_t> by_name_;
};

struct DestinationIndex {
  std::vector<int> any;  // rules without a destination test
  ByCountry<std::vector<int>> by_destination;
};

struct Plan {
  Program program;
  std::vector<PlanNode> nodes;
  std::vector<std::uint32_t> kids;
  std::vector<StringSet> sets;
  std::vector<absl::flat_hash_map<std::string, int>> tables;  // key -> set index
  std::vector<std::vector<std::string>> table_keys;           // each table's keys, sorted
  std::vector<Matcher> matchers;
  std::vector<PlanRule> rules;  // parallel to program.rules
  bool has_legs = false;        // some rule ranges over the legs (`for each leg`)
  std::vector<int> regime_when; // per program.regimes: its `when` node, or -1
  DestinationIndex shipment_rules;
  EccnIndex material_any_dest;
  ByCountry<EccnIndex> material_by_dest;

  const std::uint32_t* Kids(const PlanNode& n) const { return kids.data() + n.kids_begin; }
};

// Builds the evaluation graph, hash-consing subexpressions, and indexes the rules. A vertex is
// added after its kids, so `nodes` is in topological order by construction.
Plan BuildPlan(Program program);

// Returns the graph in GraphViz DOT, rules as boxes pointing at their conditions.
std::string PlanToDot(const Plan& plan);

}  // namespace exportctl::internal

#endif  // EXPORTCTL_SRC_PLAN_PLAN_H_
