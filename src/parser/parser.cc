#include "src/parser/parser.h"

#include <cctype>
#include <cstring>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "exportctl/exportctl.h"
#include "src/parser/grammar.h"

namespace exportctl::internal {

namespace {

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Returns the offset of the first place nested deeper than kMaxNestingDepth, or -1. Brackets
// and runs of `not` both deepen the parser's recursion, so both are bounded before parsing.
int FindExcessiveNesting(std::string_view text) {
  int depth = 0;
  int nots = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"' && text[i] != '\n'; ++i) {
        if (text[i] == '\\') ++i;
      }
    } else if (c == '#' || (c == '/' && i + 1 < text.size() && text[i + 1] == '/')) {
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (c == '(' || c == '[' || c == '{') {
      if (++depth > kMaxNestingDepth) return static_cast<int>(i);
      nots = 0;
    } else if (c == ')' || c == ']' || c == '}') {
      depth = depth > 0 ? depth - 1 : 0;
    } else if (IsWordChar(c)) {
      size_t j = i;
      while (j < text.size() && IsWordChar(text[j])) ++j;
      if (text.substr(i, j - i) == "not") {
        if (++nots > 8) return static_cast<int>(i);
      } else {
        nots = 0;
      }
      i = j - 1;
    }
  }
  return -1;
}

// Resumes after an error at the first line that starts a declaration, from the line of
// `where` on, but after `start` (the failed declaration) unless `inclusive`.
const char* NextDeclaration(const char* start, const char* where, const char* end,
                            bool inclusive = false) {
  const char* line = where;
  while (line > start && line[-1] != '\n') --line;
  for (;;) {
    if (line > start || (inclusive && line == start)) {
      const char* p = line;
      while (p < end && (*p == ' ' || *p == '\t')) ++p;
      for (std::string_view kw : {"rule", "set", "table", "test", "predicate", "decision", "regime"}) {
        if (static_cast<size_t>(end - p) > kw.size() && std::string_view(p, kw.size()) == kw &&
            !IsWordChar(p[kw.size()])) {
          return p;
        }
      }
    }
    line = static_cast<const char*>(std::memchr(line, '\n', end - line));
    if (!line) return end;
    ++line;
  }
}


constexpr std::string_view kKindNames[] = {
    "set", "table", "entry", "rule", "decision", "columns", "complete", "row", "cell",
    "regime", "covers", "predicate", "param", "title", "cite", "effective",
    "for_each", "when", "then", "effect", "or", "and", "not", "compare", "in", "not_in",
    "matches", "matches_any", "is_known", "is_missing", "any", "all", "string", "date", "number",
    "quantity", "bool", "set_literal", "path", "lookup", "call", "test", "request", "as_of",
    "expect", "fires"};
// One name per Kind, in its order (a table that drifted from its enum once mislabelled fields).
static_assert(std::size(kKindNames) == static_cast<size_t>(ast::Kind::kFires) + 1);

void Dump(const ast::Node& node, int indent, std::string& out) {
  absl::StrAppend(&out, std::string(indent * 2, ' '), Av(kKindNames[static_cast<int>(node.kind)]));
  if (!node.key.empty()) absl::StrAppend(&out, " ", node.key, ":");
  if (!node.text.empty()) absl::StrAppend(&out, " ", JsonQuote(node.text));
  if (node.kind == ast::Kind::kNumber) absl::StrAppend(&out, " ", node.number);
  absl::StrAppend(&out, " @", node.begin, "-", node.end, "\n");
  for (const ast::Node& kid : node.kids) Dump(kid, indent + 1, out);
}

}  // namespace

std::string DumpAst(const ast::File& file) {
  std::string out = absl::StrCat("package ", file.package, "\n");
  for (const ast::Import& i : file.imports) absl::StrAppend(&out, "import ", i.package, " as ", i.alias, "\n");
  for (const ast::Node& decl : file.decls) Dump(decl, 0, out);
  return out;
}

ast::File ParseFile(const Source& source, int file_index, DiagnosticSink& sink) {
  ast::File file;
  const std::string& text = source.text();
  auto error_at = [&](int offset, std::string code, std::string message) {
    sink.Error({file_index, offset, offset + 1}, std::move(code), std::move(message));
  };
  if (text.size() > kMaxRuleFileBytes) {
    error_at(0, "file_too_large",
             absl::StrCat("rule file is ", text.size(), " bytes; the limit is ", kMaxRuleFileBytes));
    return file;
  }
  // Rule text reaches decisions (titles, citations, notes) and their JSON, which must be UTF-8.
  if (size_t at = FirstInvalidUtf8(text); at < text.size()) {
    error_at(static_cast<int>(at), "invalid_utf8", "the file is not valid UTF-8 from here");
    return file;
  }
  if (int at = FindExcessiveNesting(text); at >= 0) {
    error_at(at, "nesting_too_deep",
             absl::StrCat("nesting deeper than ", kMaxNestingDepth,
                          " levels (or more than 8 `not` in a row)"));
    return file;
  }
  const char* base = text.data();
  const char* end = base + text.size();
  const char* it = base;
  grammar::Result r = grammar::ParseHeader(it, end, base, file);
  if (!r.ok) {
    error_at(static_cast<int>(r.where - base), "parse_error",
             absl::StrCat("expected ", r.expected, " at the start of the file"));
    it = NextDeclaration(base, r.where, end, /*inclusive=*/true);
  }
  for (;;) {
    grammar::SkipSpace(it, end);
    if (it >= end) break;
    const char* start = it;
    ast::Node decl;
    r = grammar::ParseDecl(it, end, base, decl);
    if (r.ok) {
      file.decls.push_back(std::move(decl));
      continue;
    }
    if (r.too_deep) {
      error_at(static_cast<int>(r.where - base), "nesting_too_deep",
               absl::StrCat("nesting deeper than ", kMaxNestingDepth,
                            " levels (or more than 8 `not` in a row)"));
      it = NextDeclaration(start, r.where, end);
      continue;
    }
    const char* at = r.where;
    grammar::SkipSpace(at, end);
    std::string found = "end of file";
    if (at < end) {
      const char* w = at;
      while (w < end && IsWordChar(*w)) ++w;
      found = absl::StrCat("`", w > at ? std::string(at, w) : std::string(1, *at), "`");
    }
    error_at(static_cast<int>(at - base), "parse_error",
             absl::StrCat("expected ", r.expected, ", found ", found));
    it = NextDeclaration(start, r.where, end);
  }
  return file;
}

}  // namespace exportctl::internal
