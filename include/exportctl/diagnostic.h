#ifndef EXPORTCTL_DIAGNOSTIC_H_
#define EXPORTCTL_DIAGNOSTIC_H_

#include <string>

namespace exportctl {

// One finding of the compiler about a rule file. Lines and columns are 1-based; columns count
// bytes. `code` is stable (snake_case, e.g. `parse_error`, `unknown_attribute`, `type_mismatch`,
// `duplicate_rule`); match on it, never on `message`. The full list is in rules/LANGUAGE.md.
struct Diagnostic {
  enum class Severity { kError, kWarning };
  Severity severity = Severity::kError;
  std::string code;
  std::string message;  // lowercase, user input in backticks
  std::string help;     // optional: a hint such as "did you mean `end_user.country`?"
  std::string file;
  int line = 0;
  int column = 0;
  int end_line = 0;
  int end_column = 0;
  std::string source_line;  // the text of `line`, for the caret snippet

  // Returns the diagnostic rendered as in a compiler:
  //   rules/x.ecr:12:8: error[unknown_attribute]: unknown attribute `end_user.contry`
  //      12 |   when end_user.contry in embargoed
  //         |        ^~~~~~~~~~~~~~~
  //   help: did you mean `end_user.country`?
  std::string Format() const;
  bool is_error() const { return severity == Severity::kError; }
};

}  // namespace exportctl

#endif  // EXPORTCTL_DIAGNOSTIC_H_
