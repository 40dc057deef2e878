#ifndef EXPORTCTL_SRC_EVAL_EVALUATOR_H_
#define EXPORTCTL_SRC_EVAL_EVALUATOR_H_

#include <cstdint>
#include <vector>

#include "exportctl/exportctl.h"
#include "src/plan/plan.h"

namespace exportctl::internal {

// Evaluates a plan on a request. `sources` are the policy's rule files (for trace texts).
// Thread-safe: all scratch state is thread-local; the plan is only read.
// The decision goes to `out`, whose storage is reused.
void EvaluatePlan(const Plan& plan, const std::vector<Source>& sources, const std::string& digest,
                  const Request& request, const EvaluateOptions& options, Decision* out);

// The same outcome, without building the decision (the allocation-free fast path).
void DecidePlan(const Plan& plan, const Request& request, const EvaluateOptions& options,
                Verdict* verdict);

}  // namespace exportctl::internal

#endif  // EXPORTCTL_SRC_EVAL_EVALUATOR_H_
