#ifndef EXPORTCTL_TESTS_TEST_UTIL_H_
#define EXPORTCTL_TESTS_TEST_UTIL_H_

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "exportctl/exportctl.h"
#include "gtest/gtest.h"

namespace exportctl::testing {

inline std::string SourceDir() { return EXPORTCTL_SOURCE_DIR; }

inline std::string ReadText(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::vector<std::filesystem::path> FilesUnder(const std::string& dir, const std::string& ext) {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(SourceDir() + "/" + dir)) {
    if (e.is_regular_file() && e.path().extension() == ext) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Compiles one in-memory file; returns the diagnostics' codes ("error:code" / "warning:code").
inline std::vector<std::string> DiagnosticCodes(const std::string& text) {
  std::vector<Diagnostic> diagnostics;
  (void)Policy::CompileSources({{"test.ecr", text}}, &diagnostics);
  std::vector<std::string> codes;
  for (const Diagnostic& d : diagnostics) {
    codes.push_back((d.is_error() ? "error:" : "warning:") + d.code);
  }
  return codes;
}

inline Policy MustCompile(const std::string& text) {
  std::vector<Diagnostic> diagnostics;
  absl::StatusOr<Policy> p = Policy::CompileSources({{"test.ecr", text}}, &diagnostics);
  std::string all;
  for (const Diagnostic& d : diagnostics) all += d.Format();
  if (!p.ok()) {
    ADD_FAILURE() << all;
    return *Policy::CompileSources({{"empty.ecr", "package empty\n"}});
  }
  return *std::move(p);
}

// Golden-file comparison; EXPORTCTL_UPDATE_GOLDEN=1 rewrites the file instead.
inline void ExpectGolden(const std::filesystem::path& golden, const std::string& actual) {
  if (std::getenv("EXPORTCTL_UPDATE_GOLDEN")) {
    std::ofstream(golden, std::ios::binary) << actual;
    return;
  }
  ASSERT_TRUE(std::filesystem::exists(golden)) << golden << " is missing; actual:\n" << actual;
  EXPECT_EQ(ReadText(golden), actual) << "golden " << golden << " differs; actual:\n" << actual;
}

}  // namespace exportctl::testing

#endif  // EXPORTCTL_TESTS_TEST_UTIL_H_
