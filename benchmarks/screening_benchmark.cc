// Name screening speed: one name against the real OFAC SDN list (2024-05-03, 14,965 entries,
// ~18,600 names) and against a generated list of 200,000 names, by the index (Screen) and, in the
// same run, by the linear scan with the same scorer (ScreenLinear). Each query is timed alone;
// the percentiles over the run are reported as counters (p50_us, p99_us), with items/s.
//
//   ./build/bin/screening_benchmark --benchmark_min_time=2s

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "src/screening/matcher.h"
#include "src/screening/lists.h"

namespace exportctl::internal {
namespace {

constexpr char kListPath[] = "/work/shared/data/lists/ofac-sdn-2024-05-03.csv";

struct Corpus {
  std::vector<ListEntry> entries;
  NameIndex index;
  std::vector<std::string> queries;
};

NameIndex IndexOf(const std::vector<ListEntry>& entries) {
  std::vector<const ListEntry*> pointers;
  for (const ListEntry& e : entries) pointers.push_back(&e);
  return NameIndex(std::move(pointers));
}

// The labelled query set of the quality test (variants and names that must not match).
std::vector<std::string> QuerySet() {
  std::ifstream in(std::string(EXPORTCTL_SOURCE_DIR) + "/tests/data/screening/queries.tsv");
  std::vector<std::string> queries;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const std::size_t a = line.find('\t'), b = line.find('\t', a + 1);
    queries.push_back(line.substr(a + 1, b - a - 1));
  }
  return queries;
}

const Corpus& Sdn() {
  static const Corpus* corpus = [] {
    auto* c = new Corpus;
    absl::StatusOr<LoadedList> list = LoadListFile(kListPath);
    if (!list.ok()) {
      std::fprintf(stderr, "%s\n", list.status().ToString().c_str());
      std::abort();
    }
    c->entries = std::move(list->entries);
    c->index = IndexOf(c->entries);
    c->queries = QuerySet();
    return c;
  }();
  return *corpus;
}

// 50,000 generated entries of 4 names each (a primary and 3 aliases), 200,000 names: 2-4 words
// drawn from the words of the real SDN names, as often as they occur there (so common words such
// as MOHAMMAD, AL, TRADING, COMPANY are as common as in a real list), half of the names with a
// legal form. The queries: 2,000 of its names with one edit, and the SDN query set.
const Corpus& Generated() {
  static const Corpus* corpus = [] {
    auto* c = new Corpus;
    std::vector<std::string> words;
    for (const ListEntry& e : Sdn().entries) {
      for (const std::string& name : e.names) {
        std::string word;
        for (char ch : name + " ") {
          if (ch == ' ' || ch == ',') {
            if (word.size() > 1) words.push_back(word);
            word.clear();
          } else {
            word.push_back(ch);
          }
        }
      }
    }
    std::mt19937 rng(20240503);
    auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
    const std::vector<std::string> forms = {"LLC", "LTD", "OOO", "JSC", "GMBH", "S.A.", "INC"};
    auto name = [&] {
      std::string n = words[pick(words.size())];
      for (std::size_t k = 0, more = 1 + pick(3); k < more; ++k) n += " " + words[pick(words.size())];
      if (pick(2) == 0) n += " " + forms[pick(forms.size())];
      return n;
    };
    c->entries.resize(50000);
    for (std::size_t i = 0; i < c->entries.size(); ++i) {
      ListEntry& e = c->entries[i];
      e.list = "GEN";
      e.id = std::to_string(i);
      for (int k = 0; k < 4; ++k) e.names.push_back(name());
    }
    c->index = IndexOf(c->entries);
    for (int k = 0; k < 2000; ++k) {
      std::string q = c->entries[pick(c->entries.size())].names[pick(4)];
      q[pick(q.size())] = 'Q';
      c->queries.push_back(q);
    }
    const std::vector<std::string>& sdn = Sdn().queries;
    c->queries.insert(c->queries.end(), sdn.begin(), sdn.end());
    return c;
  }();
  return *corpus;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  const std::size_t k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

// The index's p50 per corpus, for the linear scan's ratio in the same run.
double index_p50[2] = {0, 0};

void Run(benchmark::State& state, const Corpus& c, bool linear, int which) {
  std::vector<NameMatch> out;
  std::vector<double> micros;
  std::size_t i = 0, matches = 0;
  for (auto _ : state) {
    const NameQuery q{c.queries[i++ % c.queries.size()], "", kReviewScore};
    const auto start = std::chrono::steady_clock::now();
    if (linear) {
      c.index.ScreenLinear(q, &out);
    } else {
      c.index.Screen(q, &out);
    }
    const auto stop = std::chrono::steady_clock::now();
    micros.push_back(std::chrono::duration<double, std::micro>(stop - start).count());
    matches += out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
  const double p50 = Percentile(micros, 0.50);
  state.counters["p50_us"] = p50;
  state.counters["p99_us"] = Percentile(micros, 0.99);
  state.counters["names"] = static_cast<double>(c.index.name_count());
  state.counters["matches_per_query"] = static_cast<double>(matches) / std::max<double>(1, micros.size());
  if (!linear) index_p50[which] = p50;
  if (linear && index_p50[which] > 0) state.counters["linear_over_index_p50"] = p50 / index_p50[which];
}

void BM_ScreenSdn(benchmark::State& state) { Run(state, Sdn(), false, 0); }
void BM_ScreenLinearSdn(benchmark::State& state) { Run(state, Sdn(), true, 0); }
void BM_ScreenGenerated200k(benchmark::State& state) { Run(state, Generated(), false, 1); }
void BM_ScreenLinearGenerated200k(benchmark::State& state) { Run(state, Generated(), true, 1); }

BENCHMARK(BM_ScreenSdn)->Iterations(40000);
BENCHMARK(BM_ScreenLinearSdn)->Iterations(200);
BENCHMARK(BM_ScreenGenerated200k)->Iterations(40000);
BENCHMARK(BM_ScreenLinearGenerated200k)->Iterations(20);

}  // namespace
}  // namespace exportctl::internal
