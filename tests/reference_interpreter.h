#ifndef EXPORTCTL_TESTS_REFERENCE_INTERPRETER_H_
#define EXPORTCTL_TESTS_REFERENCE_INTERPRETER_H_

#include <optional>
#include <string>

#include "exportctl/decision.h"
#include "exportctl/request.h"
#include "src/check/program.h"

namespace exportctl::testing {

// Decides `request` the slow, obvious way: a recursive walk over the checked AST of every rule,
// with no plan, index, sharing or memo. It reads the request by attribute name with its own
// name -> field mapping, so it is an oracle for Policy::Evaluate independent of the evaluator.
// It fills outcome, items (outcome, reasons), reasons (rule, outcome, materials), conditions
// (text, rule, citation), licenses_required and errors: code, rule, and the message in the
// documented format ("the request does not give `materials[0].unit` (material `m1`)").
// `as_of` is EvaluateOptions::as_of.
//
// Language v2: `matches any` and `ignoring case`, limits in units (unit_mismatch), `for each
// leg` and `for each x in ...` (a reason per rule and leg, with `leg` and `country`; the
// license's authority and basis from the variable), written from the language's description
// (README, "the language v2") and the comments of src/check/program.h, not from the evaluator.
// A `for each x in EXPR` whose values cannot be read fails closed unless a condition of the
// rule that does not read x (or a later variable) is false, as `and` absorbs an error.
Decision ReferenceEvaluate(const internal::Program& program, const Request& request,
                           const std::optional<std::string>& as_of);

}  // namespace exportctl::testing

#endif  // EXPORTCTL_TESTS_REFERENCE_INTERPRETER_H_
