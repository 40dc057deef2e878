// The phases measured apart (parse, check, plan, whole compile) over generated packs of 8 to
// 16,384 rules, evaluation on one shared const Policy (1 and 2 threads, with and without a trace
// listener, full Decision and Verdict), and request decoding apart from evaluation.
//
// The generated pack: N per-material rules, each for one destination (8 of them) and one ECCN
// prefix, plus an embargo rule. The index narrows a request to the rules of its destination and
// ECCN, so evaluation cost follows the rules a request can touch (BM_EvaluateTouching), not the
// pack size (BM_Evaluate).
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "exportctl/exportctl.h"
#include "src/check/checker.h"
#include "src/common/source.h"
#include "src/parser/parser.h"
#include "src/plan/plan.h"

namespace {

using exportctl::Policy;
using exportctl::Request;

// `n` rules; `touching` of them apply to destination BR and ECCN prefix 9X8 (the request).
std::string GeneratedPack(int n, int touching = 1) {
  static const char* kDest[] = {"BR", "CN", "IN", "ZA", "EG", "SA", "AE", "PK"};
  std::string text =
      "package gen\nset embargoed = {CU, IR, KP, SY}\n"
      "rule embargo { cite \"c\" when any(c in route: c in embargoed) then prohibited }\n";
  for (int i = 0; i < n; ++i) {
    const bool touches = i < touching;
    text += "rule r" + std::to_string(i) + " { cite \"c\" for each material m when " +
            "route.destination == \"" + (touches ? "BR" : kDest[1 + i % 7]) +
            "\" and m.eccn matches \"9X" + (touches ? "8" : std::to_string(i)) +
            "*\" and m.quantity < " + std::to_string(i + 1) +
            " then license_required authority \"BIS\" basis \"CB2\" }\n";
  }
  return text;
}

Request MakeRequest() {
  Request r;
  r.id = "bench";
  r.date = "2026-11-25";
  r.route = {"US", "BR"};
  exportctl::Material m;
  m.id = "m1";
  m.eccn = "9X8.a";
  m.quantity = 0.5;
  r.materials.push_back(m);
  return r;
}

// A generated pack taken through the phases before the one measured.
struct Phases {
  explicit Phases(int n) : sources{exportctl::internal::Source("gen.ecr", GeneratedPack(n))} {}
  std::vector<exportctl::internal::Source> sources;
  std::vector<exportctl::internal::ast::File> Parsed() {
    exportctl::internal::DiagnosticSink sink(&sources);
    return {exportctl::internal::ParseFile(sources[0], 0, sink)};
  }
  exportctl::internal::Program Checked() {
    exportctl::internal::DiagnosticSink sink(&sources);
    return exportctl::internal::Check(Parsed(), sources, sink);
  }
};

void BM_Parse(benchmark::State& state) {
  Phases pack(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(pack.Parsed());
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Parse)->Range(8, 1 << 14)->Unit(benchmark::kMillisecond);

void BM_Check(benchmark::State& state) {
  Phases pack(static_cast<int>(state.range(0)));
  std::vector<exportctl::internal::ast::File> files = pack.Parsed();
  for (auto _ : state) {
    exportctl::internal::DiagnosticSink sink(&pack.sources);
    benchmark::DoNotOptimize(exportctl::internal::Check(files, pack.sources, sink));
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Check)->Range(8, 1 << 14)->Unit(benchmark::kMillisecond);

void BM_Plan(benchmark::State& state) {
  Phases pack(static_cast<int>(state.range(0)));
  exportctl::internal::Program program = pack.Checked();
  for (auto _ : state) benchmark::DoNotOptimize(exportctl::internal::BuildPlan(program));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Plan)->Range(8, 1 << 14)->Unit(benchmark::kMillisecond);

void BM_Compile(benchmark::State& state) {
  std::string text = GeneratedPack(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(Policy::CompileSources({{"gen.ecr", text}}));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Compile)->Range(8, 1 << 14)->Unit(benchmark::kMillisecond);

// One policy per (size, touching), shared by the benchmark's threads.
const Policy& SharedPolicy(int n, int touching) {
  static std::map<std::pair<int, int>, Policy>* cache = new std::map<std::pair<int, int>, Policy>;
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache->find({n, touching});
  if (it == cache->end()) {
    it = cache->emplace(std::make_pair(n, touching),
                        *Policy::CompileSources({{"gen.ecr", GeneratedPack(n, touching)}}))
             .first;
  }
  return it->second;
}

class NullTrace : public exportctl::TraceListener {
 public:
  void OnRule(const exportctl::RuleTrace& t) override { benchmark::DoNotOptimize(t.fired); }
};

// Pack size grows, the request touches one rule: the cost stays flat.
void BM_Evaluate(benchmark::State& state) {
  const Policy& policy = SharedPolicy(static_cast<int>(state.range(0)), 1);
  Request r = MakeRequest();
  for (auto _ : state) benchmark::DoNotOptimize(policy.Evaluate(r));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Evaluate)->Range(8, 1 << 14)->ThreadRange(1, 2)->UseRealTime();

void BM_EvaluateWithTrace(benchmark::State& state) {
  const Policy& policy = SharedPolicy(static_cast<int>(state.range(0)), 1);
  Request r = MakeRequest();
  NullTrace trace;
  exportctl::EvaluateOptions options;
  options.trace = &trace;
  for (auto _ : state) benchmark::DoNotOptimize(policy.Evaluate(r, options));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EvaluateWithTrace)->Range(8, 1 << 14);

void DecideLoop(benchmark::State& state, const Policy& policy) {
  Request r = MakeRequest();
  exportctl::Verdict verdict;
  for (auto _ : state) {
    policy.Decide(r, &verdict);
    benchmark::DoNotOptimize(verdict.outcome);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Decide(benchmark::State& state) {
  DecideLoop(state, SharedPolicy(static_cast<int>(state.range(0)), 1));
}
BENCHMARK(BM_Decide)->Range(8, 1 << 14)->ThreadRange(1, 2)->UseRealTime();

// Pack of 16,384 rules; the request touches 1 to 1,024 of them: the cost follows these.
void BM_DecideTouching(benchmark::State& state) {
  DecideLoop(state, SharedPolicy(1 << 14, static_cast<int>(state.range(0))));
}
BENCHMARK(BM_DecideTouching)->RangeMultiplier(4)->Range(1, 1 << 10);

void BM_DecodeRequest(benchmark::State& state) {
  const std::string json =
      R"({"id":"1","date":"2026-11-25","route":["US","BR"],"end_user":{"name":"Lab"},)"
      R"("materials":[{"id":"m1","eccn":"1C351.a","category":"pathogen","un_number":"UN2814"}]})";
  for (auto _ : state) benchmark::DoNotOptimize(Request::FromJson(json));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeRequest);

void BM_DecisionToJson(benchmark::State& state) {
  const Policy& policy = SharedPolicy(8, 1);
  exportctl::Decision d = policy.Evaluate(MakeRequest());
  std::string out;
  for (auto _ : state) {
    out.clear();
    d.AppendJson(&out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecisionToJson);

// Every standard pack (screening included) on an example shipment with three named parties,
// screened against the bundled lists (the real SDN list and the example CSL file): what a
// decision costs end to end when the parties are screened. Arg 0: Decide; 1: Evaluate.
void BM_StandardPacksScreened(benchmark::State& state) {
  static const Policy* policy = [] {
    std::vector<std::string> packs;
    for (const char* p : {"data", "ear", "eu", "screening", "transport", "us_sanctions"}) {
      packs.push_back(std::string(EXPORTCTL_SOURCE_DIR) + "/rules/" + p);
    }
    return new Policy(*Policy::Compile(packs));
  }();
  static const exportctl::Lists* lists =
      new exportctl::Lists(*exportctl::Lists::Load({std::string(EXPORTCTL_SOURCE_DIR) + "/lists"}));
  const Request r = *Request::FromJson(
      R"({"id":"b","date":"2026-11-25","exporter":{"name":"Acme Clinical Labs","country":"US"},)"
      R"("route":["US","NL","DE"],"end_user":{"name":"Charite Universitaetsmedizin Berlin",)"
      R"("country":"DE"},"parties":[{"role":"freight_forwarder","name":"Rotterdam Cold Chain )"
      R"(Logistics B.V.","country":"NL"}],"materials":[{"id":"kit-1","category":"assay_kit",)"
      R"("eccn":"EAR99","quantity":20,"unit":"kits"}]})");
  exportctl::EvaluateOptions options;
  options.lists = lists;
  exportctl::Verdict verdict;
  exportctl::Decision decision;
  for (auto _ : state) {
    if (state.range(0) == 0) {
      policy->Decide(r, &verdict, options);
    } else {
      policy->Evaluate(r, &decision, options);
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_StandardPacksScreened)->Arg(0)->Arg(1);

// Every standard pack under the rules tree (every directory but the examples and the screening
// pack); $EXPORTCTL_BENCH_RULES points at another tree (to time other versions of the packs on
// this engine).
const Policy& StandardPacks() {
  namespace fs = std::filesystem;
  static const Policy* policy = [] {
    const char* env = std::getenv("EXPORTCTL_BENCH_RULES");
    const std::string root = env ? std::string(env) : std::string(EXPORTCTL_SOURCE_DIR) + "/rules";
    std::vector<std::string> packs;
    for (const auto& e : fs::directory_iterator(root)) {
      const std::string name = e.path().filename().string();
      if (e.is_directory() && name != "examples" && name != "screening") packs.push_back(e.path().string());
    }
    std::sort(packs.begin(), packs.end());
    return new Policy(*Policy::Compile(packs));
  }();
  return *policy;
}

// The example shipments (rules/examples/*.json but the screening ones), in file order.
const std::vector<Request>& ExampleShipments() {
  namespace fs = std::filesystem;
  static const std::vector<Request>* requests = [] {
    auto* out = new std::vector<Request>;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(std::string(EXPORTCTL_SOURCE_DIR) + "/rules/examples")) {
      const std::string name = e.path().filename().string();
      if (e.path().extension() == ".json" && name.rfind("screening-", 0) != 0) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) {
      std::ifstream in(f);
      std::stringstream text;
      text << in.rdbuf();
      out->push_back(*Request::FromJson(text.str()));
    }
    return out;
  }();
  return *requests;
}

// The example shipments through every standard pack but screening, per decision. Arg 0:
// Decide; 1: Evaluate.
void BM_StandardPacksExamples(benchmark::State& state) {
  const Policy* policy = &StandardPacks();
  const std::vector<Request>* requests = &ExampleShipments();
  exportctl::EvaluateOptions options;
  options.no_screening = true;
  exportctl::Verdict verdict;
  exportctl::Decision decision;
  for (auto _ : state) {
    for (const Request& r : *requests) {
      if (state.range(0) == 0) {
        policy->Decide(r, &verdict, options);
      } else {
        policy->Evaluate(r, &decision, options);
      }
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(requests->size()));
  state.counters["examples"] = static_cast<double>(requests->size());
}
BENCHMARK(BM_StandardPacksExamples)->Arg(0)->Arg(1);

// The same example shipments, each naming one of a 1,000-license repository (issue 13's
// target: within 1.5x of the rate without licenses, reported in the same run). Arg 0: Evaluate
// alone (the rate without licenses); arg 1: Evaluate, then the book draws on the licenses in
// order (what `eval --batch --licenses` does per shipment); arg 2: the same with requests that
// name no license, so each requirement is checked for licenses_available. The repository is
// drawn like a sponsor's (benchmarks/peer/workload.py draws the --batch one the same way):
// authorities, items, one to three destinations, a third naming end users, windows of which
// some have run out, a tenth capped.
void BM_StandardPacksExamplesLicensed(benchmark::State& state) {
  const Policy* policy = &StandardPacks();
  static const exportctl::Licenses* licenses = [] {
    std::uint32_t seed = 13;
    auto next = [&](std::uint32_t n) {
      seed = seed * 1664525u + 1013904223u;
      return (seed >> 8) % n;
    };
    const char* authorities[] = {"BIS", "BIS", "BIS", "BIS", "BIS", "BIS", "DE-BAFA", "OFAC", "CDC", "USDA APHIS"};
    const char* items[] = {"1C351.*", "1C353*", "1C991*", "2B352*", "EAR99", "1C*"};
    const char* countries[] = {"BR", "IN", "CN", "ZA", "KE", "NG", "EG", "SA", "AE", "SG", "TH", "VN",
                               "MY", "ID", "PH", "MX", "AR", "CL", "CO", "PE", "TR", "IL", "JP", "KR",
                               "CH", "GB", "DE", "FR", "US", "CA"};
    std::string text;
    for (int i = 0; i < 1000; ++i) {
      text += "{\"id\":\"L" + std::to_string(i) + "\",\"authority\":\"" + authorities[next(10)] +
              "\",\"items\":[\"" + items[next(6)] + "\",\"" + items[next(6)] + "\"],\"destinations\":[";
      for (std::uint32_t d = 0, n = 1 + next(3); d < n; ++d) {
        text += std::string(d ? "," : "") + "\"" + countries[next(30)] + "\"";
      }
      text += "]";
      if (next(3) == 0) text += ",\"end_users\":[\"Instituto Nacional de Infectologia\",\"Lab " + std::to_string(i) + "\"]";
      const int from = 2023 + static_cast<int>(next(4));
      text += ",\"valid_from\":\"" + std::to_string(from) + "-01-01\",\"valid_to\":\"" +
              std::to_string(from + 1 + static_cast<int>(next(3))) + "-12-31\"";
      if (next(10) == 0) text += ",\"quantity\":{\"limit\":1e12,\"unit\":\"mL\"}";
      text += ",\"reexport\":true,\"conditions\":[\"report each shipment\"]}\n";
    }
    return new exportctl::Licenses(*exportctl::Licenses::FromJson(text, "bench"));
  }();
  // Each shipment names a license the repository holds for it when there is one (so arg 1
  // uses licenses), else one of the repository's.
  static const std::vector<Request>* requests = [&] {
    auto* out = new std::vector<Request>(ExampleShipments());
    exportctl::EvaluateOptions scan;
    scan.no_screening = true;
    scan.licenses = licenses;
    for (std::size_t i = 0; i < out->size(); ++i) {
      Request& r = (*out)[i];
      r.licenses.reset();
      const exportctl::Decision d = policy->Evaluate(r, scan);
      r.licenses = std::vector<std::string>{
          d.licenses_available.empty() ? "L" + std::to_string(i % 1000) : d.licenses_available[0].license};
    }
    return out;
  }();
  exportctl::EvaluateOptions options;
  options.no_screening = true;
  exportctl::Decision decision;
  std::vector<exportctl::LicenseDraw> draws;
  std::int64_t used = 0, available = 0;
  for (auto _ : state) {
    exportctl::LicenseBook book(*licenses);
    for (const Request& listed : *requests) {
      Request unnamed;
      if (state.range(0) == 2) {
        unnamed = listed;
        unnamed.licenses.reset();
      }
      const Request& r = state.range(0) == 2 ? unnamed : listed;
      policy->Evaluate(r, &decision, options);
      if (state.range(0) >= 1) {
        book.Draw(r, &decision, &draws);
        used += static_cast<std::int64_t>(decision.licenses_used.size());
        available += static_cast<std::int64_t>(decision.licenses_available.size());
        draws.clear();
      }
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(requests->size()));
  const double passes = std::max<double>(1, static_cast<double>(state.iterations()));
  state.counters["licenses_used_per_pass"] = static_cast<double>(used) / passes;
  state.counters["licenses_available_per_pass"] = static_cast<double>(available) / passes;
}
BENCHMARK(BM_StandardPacksExamplesLicensed)->Arg(0)->Arg(1)->Arg(2);

// Loading the real SDN snapshot as a screening list: read, parse, SHA-256, and build the name
// index (what `--lists` costs before the first decision). Target: under 200 ms.
void BM_LoadSdnList(benchmark::State& state) {
  const std::string path = std::string(EXPORTCTL_SOURCE_DIR) + "/lists/ofac-sdn-2024-03-15.csv";
  for (auto _ : state) {
    absl::StatusOr<exportctl::Lists> lists = exportctl::Lists::Load({path});
    if (!lists.ok()) state.SkipWithError("the SDN list did not load");
    benchmark::DoNotOptimize(lists);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LoadSdnList)->Unit(benchmark::kMillisecond);

}  // namespace
