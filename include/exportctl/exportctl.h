#ifndef EXPORTCTL_EXPORTCTL_H_
#define EXPORTCTL_EXPORTCTL_H_

// exportctl: an export-control rules engine for cross-border clinical research.
//
// A policy is a directory tree of rule files (`*.ecr`) written in the exportctl language
// (rules/LANGUAGE.md). A short file:
//
//   package examples.bio
//
//   set embargoed = {CU, IR, KP, SY}
//   set australia_group = {AR, AU, AT, BE, DE, FR, GB, US}
//
//   rule embargo {
//     title "Comprehensive embargo"
//     cite "15 CFR 746.1"
//     when any(c in route: c in embargoed)
//     then prohibited
//   }
//
//   rule cb2_license {
//     title "Human and animal pathogens to non-Australia Group countries"
//     cite "15 CFR 742.2(a)(2)"
//     for each material m
//     when m.eccn matches "1C351*" and route.destination not in australia_group
//     then license_required authority "BIS" basis "CB2"
//   }
//
// Compile once, evaluate many times, from many threads:
//
//   std::vector<exportctl::Diagnostic> diagnostics;
//   absl::StatusOr<exportctl::Policy> policy =
//       exportctl::Policy::Compile({"rules/examples/pack"}, &diagnostics);
//   if (!policy.ok()) { for (auto& d : diagnostics) std::cerr << d.Format(); return 1; }
//   absl::StatusOr<exportctl::Request> request = exportctl::Request::FromJson(json);
//   if (!request.ok()) { std::cerr << request.status(); return 2; }
//   exportctl::Decision decision = policy->Evaluate(*request);
//   std::cout << decision.ToJson() << "\n";  // {"request":"SHP-1","outcome":"license_required",...}
//
// Screening many requests: keep one Request, Decision or Verdict per thread and reuse it
// (Request::FromJson(json, &request), Evaluate(request, &decision)); Decide gives the outcome and
// the indices of the rules that fired (Policy::rule_id names them) without building texts.
// RunTests runs the `test` blocks of the rules.
//
// A request that breaks the contract is refused with its stable code and JSON path as values:
//
//   if (auto error = exportctl::RequestError::FromStatus(request.status())) {
//     std::cerr << error->path << ": " << error->message << " [" << error->code << "]\n";
//   }
//
// Two error channels: absl::Status says the machinery could not run (unreadable file, limits);
// the user's mistakes travel as data: Diagnostics from Compile, RequestErrors from decoding,
// DecisionErrors in a Decision. Evaluate is total and fails closed: an invalid request (checked
// again on every call, so a Request built in C++ is held to the same contract) or a rule that
// cannot be evaluated yields `review`.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "exportctl/limits.h"
#include "exportctl/decision.h"
#include "exportctl/diagnostic.h"
#include "exportctl/licenses.h"
#include "exportctl/lists.h"
#include "exportctl/request.h"

namespace exportctl {

namespace internal {
struct CompiledPolicy;
}  // namespace internal

// A rule file held in memory: its name (used in diagnostics and reasons) and its text.
struct SourceFile {
  std::string name;
  std::string text;
};

// What one rule's evaluation looked like, for explain and coverage. Each conjunct of the
// rule's `when` is listed with its text and its value ("true", "false", "error: ...", or
// "not evaluated" when an earlier conjunct already decided).
struct RuleTrace {
  struct Conjunct {
    std::string text;
    std::string source;  // "file:line:col"
    std::string value;
  };
  std::string rule;
  std::string material;  // empty for shipment rules
  bool fired = false;
  bool in_effect = true;  // false when the as-of date is outside the rule's `effective` window
  std::string error;      // non-empty when the rule failed closed
  std::vector<Conjunct> conjuncts;
};

// Receives one RuleTrace per rule (and material) the evaluator considered. Rules that the
// index ruled out for this request (another destination, another ECCN) are not reported.
// A listener is called from the evaluating thread only. It may evaluate again from OnRule (an
// explainer asking "what if", a logger): the state of an evaluation belongs to its call, so a
// nested evaluation neither sees nor disturbs the one that called the listener.
class TraceListener {
 public:
  virtual ~TraceListener() = default;
  virtual void OnRule(const RuleTrace& trace) = 0;
};

// The result of one `test` block written in the rule files (Policy::RunTests).
struct TestResult {
  std::string test;    // "package.name"
  std::string title;
  std::string source;  // "file:line:col" of the test block
  bool passed = false;
  std::string message;  // why it failed, e.g. "expected review, got permitted"
};

struct EvaluateOptions {
  // The date whose rules apply ("YYYY-MM-DD"); defaults to the request's date.
  std::optional<std::string> as_of;
  // When set, every considered rule is reported to it (slower; for explain and coverage).
  TraceListener* trace = nullptr;
  // The restricted-party lists `screen()` screens the parties against (lists.h). Not owned; must
  // outlive the call. Without lists, a rule calling screen() fails closed (`not_screened`).
  const Lists* lists = nullptr;
  // The caller's explicit opt-out: screen() reads 0 and the decision says screening was "off".
  bool no_screening = false;
  // The license repository (licenses.h). Not owned. When given, a `license_required` item is
  // met by a license the request names in `licenses` that covers it (authority, basis, item,
  // destination, re-export, end user, date window, quantity): the item becomes
  // `permitted_with_conditions` and the license's conditions join the decision's. A license never
  // lowers `review` or `prohibited`.
  const Licenses* licenses = nullptr;
};

// Limits enforced by Compile and Evaluate (a rule file over them is a diagnostic, not a crash):
// exportctl/limits.h.

// A compiled policy. Immutable after Compile, so a `const Policy` (and its copies, which share
// the compiled form) may be used from any number of threads at once. Cheap to copy and move.
class Policy {
 public:
  // Returns the policy compiled from the `.ecr` files under `paths` (files or directories,
  // searched recursively, read in sorted order). Fills `diagnostics` (if non-null) with every
  // error and warning. Returns InvalidArgument when any diagnostic is an error, NotFound or
  // another status when a path cannot be read.
  static absl::StatusOr<Policy> Compile(const std::vector<std::string>& paths,
                                        std::vector<Diagnostic>* diagnostics = nullptr);

  // Returns the policy compiled from in-memory sources; otherwise as Compile.
  static absl::StatusOr<Policy> CompileSources(std::vector<SourceFile> sources,
                                               std::vector<Diagnostic>* diagnostics = nullptr);

  // Returns the decision for `request`. Total: never throws, and fails closed (an invalid
  // request or as-of date, or a rule that cannot be evaluated, gives at least `review`).
  Decision Evaluate(const Request& request, const EvaluateOptions& options = {}) const;

  // The same, into `decision`, reusing its storage: a loop that keeps one Decision per thread
  // allocates far less. `decision` is overwritten entirely.
  void Evaluate(const Request& request, Decision* decision,
                const EvaluateOptions& options = {}) const;

  // Decides `request` into `verdict`: the same outcome as Evaluate, and the ids of the rules
  // that fired, without building reasons, texts or JSON. `verdict` is reused, so a loop over
  // requests allocates nothing once warm: the fast path for batch screening. Thread-safe.
  void Decide(const Request& request, Verdict* verdict, const EvaluateOptions& options = {}) const;

  // Returns "sha256:<hex>" over the compiled sources' names and texts.
  const std::string& digest() const;
  // Returns the sources the policy was compiled from (enough to compile it again), as copies.
  std::vector<SourceFile> sources() const;
  // Returns the number of rules.
  std::size_t rule_count() const;
  // Returns the rule ids ("package.name") in rule order (files sorted, then position).
  std::vector<std::string> rule_ids() const;
  // Returns the id of rule `index` (an index of Verdict::rules); index < rule_count().
  const std::string& rule_id(std::size_t index) const;
  // Runs the `test` blocks of the rule files (see rules/LANGUAGE.md, "Tests next to the rules")
  // and returns one result each, in file order.
  // `options` (lists, no_screening) apply to every test; each test's own as_of wins.
  std::vector<TestResult> RunTests(const EvaluateOptions& options = {}) const;
  // Returns the number of vertices of the evaluation graph (distinct subexpressions).
  std::size_t vertex_count() const;
  // Returns the evaluation graph in GraphViz DOT.
  std::string ToDot() const;

 private:
  explicit Policy(std::shared_ptr<const internal::CompiledPolicy> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const internal::CompiledPolicy> impl_;
};

}  // namespace exportctl

#endif  // EXPORTCTL_EXPORTCTL_H_
