#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <tuple>

#include <openssl/evp.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "exportctl/exportctl.h"
#include "src/check/checker.h"
#include "src/common/prelude.h"
#include "src/eval/evaluator.h"
#include "src/licenses/match.h"
#include "src/parser/parser.h"
#include "src/plan/plan.h"

namespace exportctl {

namespace internal {

struct CompiledPolicy {
  std::vector<Source> sources;  // the rule files (each text held once, here)
  std::string digest;
  Plan plan;
};

namespace {

std::string Sha256(const std::vector<internal::Source>& files) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  for (const internal::Source& f : files) {
    // Length-prefixed, so no two different policies hash the same byte stream.
    const std::string& name = f.name();
    const std::string& text = f.text();
    std::string header = absl::StrCat(name.size(), ":", name, ":", text.size(), ":");
    EVP_DigestUpdate(ctx, header.data(), header.size());
    EVP_DigestUpdate(ctx, text.data(), text.size());
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  static const char kHex[] = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

absl::Status ReadFile(const std::filesystem::path& path, std::vector<SourceFile>& out) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) return absl::NotFoundError(absl::StrCat(path.string(), ": ", ec.message()));
  if (size > kMaxRuleFileBytes) {
    return absl::ResourceExhaustedError(absl::StrCat(path.string(), ": rule file is ", size,
                                                     " bytes; the limit is ", kMaxRuleFileBytes));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path.string(), ": cannot open"));
  std::ostringstream text;
  text << in.rdbuf();
  out.push_back({path.generic_string(), text.str()});
  return absl::OkStatus();
}

}  // namespace
}  // namespace internal

absl::StatusOr<Policy> Policy::Compile(const std::vector<std::string>& paths,
                                       std::vector<Diagnostic>* diagnostics) {
  namespace fs = std::filesystem;
  std::vector<SourceFile> files;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<fs::path> found;
      for (fs::recursive_directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->is_regular_file() && it->path().extension() == ".ecr") found.push_back(it->path());
      }
      if (ec) return absl::NotFoundError(absl::StrCat(p, ": ", ec.message()));
      std::sort(found.begin(), found.end());
      for (const fs::path& f : found) {
        if (absl::Status st = internal::ReadFile(f, files); !st.ok()) return st;
      }
    } else if (fs::exists(p, ec)) {
      if (absl::Status st = internal::ReadFile(p, files); !st.ok()) return st;
    } else {
      return absl::NotFoundError(absl::StrCat(p, ": no such file or directory"));
    }
  }
  if (files.empty()) {
    return absl::NotFoundError("no `.ecr` rule files found under the given paths");
  }
  return CompileSources(std::move(files), diagnostics);
}

absl::StatusOr<Policy> Policy::CompileSources(std::vector<SourceFile> files,
                                              std::vector<Diagnostic>* diagnostics) {
  using namespace internal;
  auto compiled = std::make_shared<CompiledPolicy>();
  for (SourceFile& f : files) compiled->sources.emplace_back(std::move(f.name), std::move(f.text));
  DiagnosticSink sink(&compiled->sources);
  std::vector<ast::File> asts;
  for (size_t i = 0; i < compiled->sources.size(); ++i) {
    asts.push_back(ParseFile(compiled->sources[i], static_cast<int>(i), sink));
  }
  // A pack that imports the standard concepts without giving them gets the built-in copy.
  const auto declares = [&](std::string_view package) {
    return std::any_of(asts.begin(), asts.end(),
                       [&](const ast::File& a) { return a.package == package; });
  };
  const bool imports_common = std::any_of(asts.begin(), asts.end(), [](const ast::File& a) {
    return std::any_of(a.imports.begin(), a.imports.end(),
                       [](const ast::Import& i) { return i.package == "common"; });
  });
  bool prelude = false;
  if (imports_common && !declares("common")) {
    prelude = true;
    compiled->sources.emplace_back(std::string(kPreludeName), std::string(kPreludeText));
    const int i = static_cast<int>(compiled->sources.size()) - 1;
    asts.push_back(ParseFile(compiled->sources[i], i, sink));
  }
  compiled->digest = Sha256(compiled->sources);
  Program program = Check(asts, compiled->sources, sink);
  if (diagnostics) {
    *diagnostics = sink.diagnostics();
    if (prelude) {  // what a pack does not use of the built-in concepts is no finding of its own
      std::erase_if(*diagnostics, [](const Diagnostic& d) {
        return !d.is_error() && d.file == kPreludeName;
      });
    }
    std::stable_sort(diagnostics->begin(), diagnostics->end(),
                     [](const Diagnostic& a, const Diagnostic& b) {
                       return std::tie(a.file, a.line, a.column) < std::tie(b.file, b.line, b.column);
                     });
  }
  if (sink.has_errors()) {
    int errors = 0;
    for (const Diagnostic& d : sink.diagnostics()) errors += d.is_error();
    return absl::InvalidArgumentError(absl::StrCat("the policy has ", errors, " error",
                                                   errors == 1 ? "" : "s"));
  }
  compiled->plan = BuildPlan(std::move(program));
  return Policy(std::move(compiled));
}

void Policy::Decide(const Request& request, Verdict* verdict, const EvaluateOptions& options) const {
  internal::DecidePlan(impl_->plan, request, options, verdict);
  if (options.licenses && verdict->outcome == Outcome::kLicenseRequired) {
    // Licenses can lower the outcome: the full evaluation decides it (same outcome as Evaluate).
    thread_local Decision d;
    Evaluate(request, &d, options);
    verdict->outcome = d.outcome;
  }
}

Decision Policy::Evaluate(const Request& request, const EvaluateOptions& options) const {
  Decision d;
  Evaluate(request, &d, options);
  return d;
}

void Policy::Evaluate(const Request& request, Decision* decision,
                      const EvaluateOptions& options) const {
  internal::EvaluatePlan(impl_->plan, impl_->sources, impl_->digest, request, options, decision);
  if (options.licenses) {
    internal::ApplyLicenses(*options.licenses, request, decision->as_of, decision);
  } else {
    decision->licenses_checked = false;
    decision->licenses_used.clear();
    decision->license_checks.clear();
    decision->licenses_available.clear();
  }
}

const std::string& Policy::digest() const { return impl_->digest; }
std::vector<SourceFile> Policy::sources() const {
  std::vector<SourceFile> files;
  for (const internal::Source& s : impl_->sources) files.push_back({s.name(), s.text()});
  return files;
}
std::vector<std::string> Policy::rule_ids() const {
  std::vector<std::string> ids;
  for (const internal::Rule& r : impl_->plan.program.rules) ids.push_back(r.id);
  return ids;
}

const std::string& Policy::rule_id(std::size_t index) const {
  return impl_->plan.program.rules[index].id;
}

std::vector<TestResult> Policy::RunTests(const EvaluateOptions& base) const {
  std::vector<TestResult> results;
  for (const internal::TestCase& t : impl_->plan.program.tests) {
    TestResult& r = results.emplace_back();
    r.test = t.id;
    r.title = t.title;
    r.source = t.location;
    EvaluateOptions options = base;
    if (t.as_of) options.as_of = t.as_of;
    Decision d = Evaluate(t.request, options);
    std::vector<std::string> problems;
    if (d.outcome != t.expected) {
      problems.push_back(absl::StrCat("expected ", internal::Av(OutcomeName(t.expected)),
                                      ", got ", internal::Av(OutcomeName(d.outcome))));
    }
    for (const std::string& rule : t.fires) {
      if (std::none_of(d.reasons.begin(), d.reasons.end(),
                       [&](const Reason& reason) { return reason.rule == rule; })) {
        problems.push_back(absl::StrCat("rule ", rule, " did not fire"));
      }
    }
    r.passed = problems.empty();
    r.message = absl::StrJoin(problems, "; ");
  }
  return results;
}

std::size_t Policy::rule_count() const { return impl_->plan.program.rules.size(); }
std::size_t Policy::vertex_count() const { return impl_->plan.nodes.size(); }
std::string Policy::ToDot() const { return internal::PlanToDot(impl_->plan); }

}  // namespace exportctl
