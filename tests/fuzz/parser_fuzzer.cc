// Fuzz target: the rule parser and checker. The input is rule text; NUL bytes split it into up to
// four files (so imports, packages across files and duplicates are reached too). Compile must
// never crash or hang; it succeeds exactly when no diagnostic is an error, and every diagnostic
// carries a stable code and a position in a file it was given.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tests/fuzz/fuzz_util.h"

namespace exportctl::fuzz {
namespace {

bool IsStableCode(std::string_view code) {
  if (code.empty()) return false;
  for (char c : code) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

void Run(std::string_view input) {
  std::vector<SourceFile> files;
  for (size_t start = 0; files.size() < 4;) {
    size_t nul = input.find('\0', start);
    if (files.size() == 3) nul = std::string_view::npos;  // the last file keeps the rest
    files.push_back({"fuzz" + std::to_string(files.size()) + ".ecr",
                     std::string(input.substr(start, nul - start))});
    if (nul == std::string_view::npos) break;
    start = nul + 1;
  }
  std::vector<Diagnostic> diagnostics;
  absl::StatusOr<Policy> policy = Policy::CompileSources(files, &diagnostics);
  bool errors = false;
  for (const Diagnostic& d : diagnostics) {
    const std::string text = d.Format();
    errors |= d.is_error();
    FUZZ_CHECK(IsStableCode(d.code), text);
    FUZZ_CHECK(!d.message.empty(), text);
    if (!d.file.empty()) {  // a diagnostic about a file points into it
      bool known = false;
      for (const SourceFile& f : files) known |= f.name == d.file;
      FUZZ_CHECK(known, text);
      FUZZ_CHECK(d.line >= 1 && d.column >= 1, text);
    }
  }
  FUZZ_CHECK(policy.ok() == !errors, policy.status().ToString());
  if (!policy.ok()) return;
  FUZZ_CHECK(policy->digest().starts_with("sha256:"), policy->digest());
  const std::vector<std::string> ids = policy->rule_ids();
  FUZZ_CHECK(ids.size() == policy->rule_count(), "rule_ids and rule_count disagree");
  for (size_t i = 0; i < ids.size(); ++i) FUZZ_CHECK(policy->rule_id(i) == ids[i], ids[i]);
  (void)policy->ToDot();
  (void)policy->vertex_count();
}

}  // namespace
}  // namespace exportctl::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  exportctl::fuzz::Run(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
