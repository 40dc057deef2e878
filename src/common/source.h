#ifndef EXPORTCTL_SRC_COMMON_SOURCE_H_
#define EXPORTCTL_SRC_COMMON_SOURCE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "exportctl/diagnostic.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"

namespace exportctl::internal {

// Debian's Abseil has its own string_view; this bridges std::string_view into absl::StrCat.
inline absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// A byte range [begin, end) in one source file.
struct SourceRange {
  int file = -1;
  int begin = 0;
  int end = 0;
};

// The text of one rule file with a line index, for turning offsets into line:column.
class Source {
 public:
  Source(std::string name, std::string text);
  const std::string& name() const { return name_; }
  const std::string& text() const { return text_; }
  // 1-based line and column of a byte offset.
  int Line(int offset) const;
  int Column(int offset) const;
  std::string_view LineText(int line) const;
  // "name:line:col"
  std::string Location(int offset) const;

 private:
  std::string name_;
  std::string text_;
  std::vector<int> line_starts_;
};

// Collects diagnostics against a set of sources.
class DiagnosticSink {
 public:
  explicit DiagnosticSink(const std::vector<Source>* sources) : sources_(sources) {}
  void Error(SourceRange range, std::string code, std::string message, std::string help = "");
  void Warning(SourceRange range, std::string code, std::string message, std::string help = "");
  bool has_errors() const { return errors_ > 0; }
  std::vector<Diagnostic>& diagnostics() { return diagnostics_; }

 private:
  void Add(Diagnostic::Severity severity, SourceRange range, std::string code, std::string message,
           std::string help);
  const std::vector<Source>* sources_;
  std::vector<Diagnostic> diagnostics_;
  absl::flat_hash_set<std::string> seen_;  // file:line:column:code:message, each said once
  int errors_ = 0;
};

// Returns the candidate closest to `word` by edit distance (of equals, the first in byte order,
// so the answer does not depend on the candidates' order), or "" if none is close enough:
// within a third of the word's length, at least 2. A candidate whose length alone puts it out of
// reach costs nothing. With `budget`, each candidate costs 1 and each cell
// of an edit distance 1 more, taken from *budget; the search stops, with the best found so far,
// when it runs out (callers that suggest for every finding in a large input bound their time).
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates,
                         std::int64_t* budget = nullptr);

// Returns the offset of the first byte of `s` that is not part of well-formed UTF-8 (RFC 3629:
// no overlong forms, surrogates or code points past U+10FFFF, as JSON parsers require), or
// s.size() when all of it is. Every text that reaches a decision's JSON is checked with it.
std::size_t FirstInvalidUtf8(std::string_view s);

// Appends `v` as a JSON number (as absl::StrAppend writes it), or `null` when it is not finite:
// JSON has no infinity, and a ratio of two finite quantities need not be finite.
void AppendJsonNumber(std::string& out, double v);

// Returns `s` quoted as a JSON string.
std::string JsonQuote(std::string_view s);
// Appends `s` as a JSON string literal (quoted and escaped; a byte that does not start
// well-formed UTF-8, possible only in strings set from C++, written as U+FFFD).
void AppendJsonQuoted(std::string& out, std::string_view s);

}  // namespace exportctl::internal

#endif  // EXPORTCTL_SRC_COMMON_SOURCE_H_
