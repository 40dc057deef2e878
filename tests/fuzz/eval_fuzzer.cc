// Fuzz target: compile, then evaluate, checking the invariants of every decision (fuzz_util.h:
// one of the five outcomes; a decision with errors fails closed, so it is never `permitted`;
// Decide agrees with Evaluate; a reused Decision equals a fresh one; valid JSON).
//
// Two modes, chosen by the input's first non-blank byte:
//   `{`        a request, decoded and decided by the example pack (rules/examples/pack) and by
//              the standard packs with lists and licenses, screening on and off, and as of
//              another date and of one that is none (the request's id). A request the
//              decoder refuses is still evaluated, as the partial Request it left: Evaluate
//              validates again and must fail closed on it. The same again with texts set from
//              the raw bytes, as a C++ caller may (the decision's JSON must stay valid).
//   otherwise  a rule pack, compiled and, when it compiles, run on every example shipment under
//              rules/examples with the lists and licenses, and its `test` blocks run. Text after
//              a NUL byte is one more request, decided by this pack.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "src/check/schema.h"
#include "tests/fuzz/fuzz_util.h"

namespace exportctl::fuzz {
namespace {

EvaluateOptions WithData() {
  EvaluateOptions options;
  options.lists = &SmallLists();
  options.licenses = &ExampleLicenses();
  return options;
}

void Decide(const Policy& policy, const Request& request) {
  const bool valid = request.Validate().ok();
  for (int variant = 0; variant < 5; ++variant) {
    EvaluateOptions options;
    if (variant == 1) options = WithData();
    if (variant == 2) options.no_screening = true;
    if (variant == 3) options.as_of = "2021-06-30";  // before most rules' effective windows end
    if (variant == 4) options.as_of = request.id;    // rarely a date: fails closed, invalid_as_of
    CheckDecision(policy, request, options);
    std::int32_t days;
    if (!valid || (options.as_of && !internal::ParseDate(*options.as_of, &days))) {
      // Fails closed on a request or an as-of date that breaks the contract.
      const Decision d = policy.Evaluate(request, options);
      FUZZ_CHECK(!d.errors.empty() && d.outcome >= Outcome::kReview, d.ToJson());
    }
  }
}

void RunRequest(std::string_view json) {
  static Request request;  // reused: a refused decode leaves a partial request in it
  (void)Request::FromJson(json, &request);
  Decide(ExamplePolicy(), request);
  Decide(StandardPolicy(), request);
  // As a C++ caller may build it: texts taken from the raw bytes, UTF-8 or not.
  Request raw = request;
  raw.id.assign(json.substr(json.size() / 2, 24));
  if (!raw.materials.empty()) raw.materials[0].description = std::string(json.substr(0, 24));
  Decide(ExamplePolicy(), raw);
}

void RunPack(std::string_view input) {
  const size_t nul = input.find('\0');
  const std::string_view text = input.substr(0, nul);
  absl::StatusOr<Policy> policy = Policy::CompileSources({{"fuzz.ecr", std::string(text)}});
  if (!policy.ok()) return;
  const EvaluateOptions options = WithData();
  for (const Request& shipment : ExampleShipments()) CheckDecision(*policy, shipment, options);
  for (const TestResult& t : policy->RunTests(options)) {
    FUZZ_CHECK(t.passed || !t.message.empty(), t.test + " failed without saying why");
  }
  if (nul != std::string_view::npos) {
    Request request;
    (void)Request::FromJson(input.substr(nul + 1), &request);
    Decide(*policy, request);
  }
}

void Run(std::string_view input) {
  const size_t first = input.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && input[first] == '{') {
    RunRequest(input);
  } else {
    RunPack(input);
  }
}

}  // namespace
}  // namespace exportctl::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  exportctl::fuzz::Run(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
