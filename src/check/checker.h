#ifndef EXPORTCTL_SRC_CHECK_CHECKER_H_
#define EXPORTCTL_SRC_CHECK_CHECKER_H_

#include <vector>

#include "src/check/program.h"
#include "src/common/source.h"
#include "src/parser/ast.h"

namespace exportctl::internal {

// Resolves names across packages, checks types, clauses and effects, and lowers the ASTs
// (files[i] parsed from source i) to a Program. Reports errors and warnings to `sink`; the
// Program is meaningful only when the sink has no errors.
Program Check(const std::vector<ast::File>& files, const std::vector<Source>& sources,
              DiagnosticSink& sink);

}  // namespace exportctl::internal

#endif  // EXPORTCTL_SRC_CHECK_CHECKER_H_
