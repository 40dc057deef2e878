// First benchmarks: compile and evaluate over generated packs, and decoding apart from
// evaluation. The peer workload (shared/bench) is still to come (see issue "Performance").
#include <string>

#include "benchmark/benchmark.h"
#include "exportctl/exportctl.h"

namespace {

// N per-material rules, each for one ECCN and one destination, plus one embargo rule.
std::string GeneratedPack(int n) {
  static const char* kDest[] = {"BR", "CN", "IN", "ZA", "EG", "SA", "AE", "PK"};
  std::string text = "package gen\nset embargoed = {CU, IR, KP, SY}\n"
                     "rule embargo { cite \"c\" when any(c in route: c in embargoed) then prohibited }\n";
  for (int i = 0; i < n; ++i) {
    text += "rule r" + std::to_string(i) + " { cite \"c\" for each material m when route.destination == \"" +
            kDest[i % 8] + "\" and m.eccn matches \"9X" + std::to_string(i) +
            "*\" then license_required authority \"BIS\" basis \"CB2\" }\n";
  }
  return text;
}

exportctl::Request MakeRequest() {
  exportctl::Request r;
  r.id = "bench";
  r.date = "2026-11-25";
  r.route = {"US", "BR"};
  exportctl::Material m;
  m.id = "m1";
  m.eccn = "9X8.a";
  r.materials.push_back(m);
  return r;
}

void BM_Compile(benchmark::State& state) {
  std::string text = GeneratedPack(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto p = exportctl::Policy::CompileSources({{"gen.ecr", text}});
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Compile)->Range(8, 1 << 14)->Unit(benchmark::kMillisecond);

void BM_Evaluate(benchmark::State& state) {
  static const exportctl::Policy* policy = nullptr;
  static int size = -1;
  if (state.thread_index() == 0 && size != state.range(0)) {
    delete policy;
    policy = new exportctl::Policy(
        *exportctl::Policy::CompileSources({{"gen.ecr", GeneratedPack(static_cast<int>(state.range(0)))}}));
    size = static_cast<int>(state.range(0));
  }
  exportctl::Request r = MakeRequest();
  for (auto _ : state) benchmark::DoNotOptimize(policy->Evaluate(r));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Evaluate)->Range(8, 1 << 14)->ThreadRange(1, 2);

void BM_DecodeRequest(benchmark::State& state) {
  const std::string json =
      R"({"id":"1","date":"2026-11-25","route":["US","BR"],"end_user":{"name":"Lab"},)"
      R"("materials":[{"id":"m1","eccn":"1C351.a","category":"pathogen","un_number":"UN2814"}]})";
  for (auto _ : state) benchmark::DoNotOptimize(exportctl::Request::FromJson(json));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeRequest);

}  // namespace
