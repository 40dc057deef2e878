#include <algorithm>

#include "absl/strings/str_cat.h"
#include "exportctl/diagnostic.h"
#include "src/common/source.h"

namespace exportctl {

std::string Diagnostic::Format() const {
  std::string out = absl::StrCat(file, ":", line, ":", column, ": ",
                                 is_error() ? "error" : "warning", "[", code, "]: ", message, "\n");
  if (line > 0 && !source_line.empty()) {
    std::string gutter = std::to_string(line);
    std::string pad(gutter.size(), ' ');
    int width = (end_line == line && end_column > column) ? end_column - column : 1;
    width = std::max(1, std::min<int>(width, static_cast<int>(source_line.size()) - column + 2));
    std::string marks = "^" + std::string(width - 1, '~');
    absl::StrAppend(&out, " ", gutter, " | ", source_line, "\n", " ", pad, " | ",
                    std::string(std::max(0, column - 1), ' '), marks, "\n");
  }
  if (!help.empty()) absl::StrAppend(&out, "help: ", help, "\n");
  return out;
}

namespace internal {

Source::Source(std::string name, std::string text) : name_(std::move(name)), text_(std::move(text)) {
  line_starts_.push_back(0);
  for (int i = 0; i < static_cast<int>(text_.size()); ++i) {
    if (text_[i] == '\n') line_starts_.push_back(i + 1);
  }
}

int Source::Line(int offset) const {
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  return static_cast<int>(it - line_starts_.begin());
}

int Source::Column(int offset) const { return offset - line_starts_[Line(offset) - 1] + 1; }

std::string_view Source::LineText(int line) const {
  if (line < 1 || line > static_cast<int>(line_starts_.size())) return {};
  int begin = line_starts_[line - 1];
  int end = line < static_cast<int>(line_starts_.size()) ? line_starts_[line] - 1
                                                         : static_cast<int>(text_.size());
  std::string_view text(text_);
  std::string_view out = text.substr(begin, end - begin);
  if (!out.empty() && out.back() == '\r') out.remove_suffix(1);
  return out;
}

std::string Source::Location(int offset) const {
  return absl::StrCat(name_, ":", Line(offset), ":", Column(offset));
}

void DiagnosticSink::Error(SourceRange range, std::string code, std::string message,
                           std::string help) {
  Add(Diagnostic::Severity::kError, range, std::move(code), std::move(message), std::move(help));
}

void DiagnosticSink::Warning(SourceRange range, std::string code, std::string message,
                             std::string help) {
  Add(Diagnostic::Severity::kWarning, range, std::move(code), std::move(message), std::move(help));
}

void DiagnosticSink::Add(Diagnostic::Severity severity, SourceRange range, std::string code,
                         std::string message, std::string help) {
  Diagnostic d;
  d.severity = severity;
  d.code = std::move(code);
  d.message = std::move(message);
  d.help = std::move(help);
  if (range.file >= 0 && range.file < static_cast<int>(sources_->size())) {
    const Source& src = (*sources_)[range.file];
    d.file = src.name();
    d.line = src.Line(range.begin);
    d.column = src.Column(range.begin);
    int end = std::max(range.begin, range.end);
    d.end_line = src.Line(end);
    d.end_column = src.Column(end);
    d.source_line = std::string(src.LineText(d.line));
  }
  // A predicate's body is checked where each rule uses it: say each finding once.
  if (!seen_.insert(absl::StrCat(d.file, ":", d.line, ":", d.column, ":", d.code, ":", d.message))
           .second) {
    return;
  }
  if (severity == Diagnostic::Severity::kError) ++errors_;
  diagnostics_.push_back(std::move(d));
}

}  // namespace internal
}  // namespace exportctl
