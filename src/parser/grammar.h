#ifndef EXPORTCTL_SRC_PARSER_GRAMMAR_H_
#define EXPORTCTL_SRC_PARSER_GRAMMAR_H_

#include <string>

#include "src/parser/ast.h"

namespace exportctl::internal::grammar {

// The outcome of one parse step. On failure `where` is the offending position and `expected`
// says what the grammar wanted there ("`}`", "expression", ...), or `too_deep` says the
// expressions nested deeper than the grammar recurses (kMaxRecursion in grammar_def.h).
struct Result {
  bool ok = false;
  const char* where = nullptr;
  std::string expected;
  bool too_deep = false;
};

// Parse `package a.b` and the `import`s after it; advances `it`.
Result ParseHeader(const char*& it, const char* end, const char* base, ast::File& file);
// Parse one declaration (set, table or rule); advances `it`. `it == end` after trailing
// whitespace and comments means the file is done.
Result ParseDecl(const char*& it, const char* end, const char* base, ast::Node& decl);
// Skip whitespace and comments.
void SkipSpace(const char*& it, const char* end);

}  // namespace exportctl::internal::grammar

#endif  // EXPORTCTL_SRC_PARSER_GRAMMAR_H_
