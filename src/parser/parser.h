#ifndef EXPORTCTL_SRC_PARSER_PARSER_H_
#define EXPORTCTL_SRC_PARSER_PARSER_H_

#include "src/common/source.h"
#include "src/parser/ast.h"

namespace exportctl::internal {

// Parses one rule file. Reports every syntax error it can find to `sink` (after an error it
// resumes at the next line that starts a declaration) and returns what it could parse.
ast::File ParseFile(const Source& source, int file_index, DiagnosticSink& sink);

// Returns the AST as indented text, one node a line, for golden tests.
std::string DumpAst(const ast::File& file);

}  // namespace exportctl::internal

#endif  // EXPORTCTL_SRC_PARSER_PARSER_H_
