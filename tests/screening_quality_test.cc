// Screening quality on the real OFAC SDN list (2024-05-03) and the labelled query set
// tests/data/screening/queries.tsv (made by make_queries.py beside it, fixed seed): recall per
// variant class and false positives at the chosen thresholds (kReviewScore, kNearExactScore), and
// a sweep that evidences the choice. A hit: the expected entry is the best match and scores at or
// above the threshold. A false positive: a must-not-match name with any match at or above it.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "src/screening/matcher.h"
#include "src/screening/lists.h"

namespace exportctl::internal {
namespace {

constexpr char kListPath[] = "/work/shared/data/lists/ofac-sdn-2024-05-03.csv";

struct Query {
  std::string cls, name, expected_id, listed;
};

std::vector<Query> ReadQueries() {
  std::ifstream in(std::string(EXPORTCTL_SOURCE_DIR) + "/tests/data/screening/queries.tsv");
  std::vector<Query> queries;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f(1);
    for (char c : line) {
      if (c == '\t') {
        f.emplace_back();
      } else {
        f.back().push_back(c);
      }
    }
    if (f.size() >= 3) queries.push_back({f[0], f[1], f[2], f.size() > 3 ? f[3] : ""});
  }
  return queries;
}

bool MustNotMatch(const Query& q) { return q.expected_id == "-"; }

// The best match of each query, screened once at the lowest threshold of the sweep.
struct Outcome {
  bool has_match = false;
  std::string best_id;
  std::string best_name;
  int score = 0;
};

class ScreeningQualityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<LoadedList> list = LoadListFile(kListPath);
    if (!list.ok()) std::fprintf(stderr, "%s\n", list.status().ToString().c_str());
    entries_ = new std::vector<ListEntry>(list.ok() ? std::move(list->entries) : std::vector<ListEntry>{});
    std::vector<const ListEntry*> pointers;
    for (const ListEntry& e : *entries_) pointers.push_back(&e);
    index_ = new NameIndex(std::move(pointers));
    queries_ = new std::vector<Query>(ReadQueries());
    outcomes_ = new std::vector<Outcome>;
    std::vector<NameMatch> matches;
    for (const Query& q : *queries_) {
      // The index answers at the review threshold; below it Screen is the linear scan, needed
      // only for the queries without a match there (the sweep's lower end).
      index_->Screen({q.name, "", kReviewScore}, &matches);
      if (matches.empty()) index_->Screen({q.name, "", kSweepFrom}, &matches);
      Outcome o;
      if (!matches.empty()) {
        const ListEntry& e = index_->entry(matches[0].entry);
        o = {true, e.id, e.names[matches[0].alias], matches[0].score};
      }
      outcomes_->push_back(o);
    }
  }
  static void TearDownTestSuite() {
    delete outcomes_;
    delete queries_;
    delete index_;
    delete entries_;
  }

  static bool Hit(std::size_t i, int threshold) {
    const Outcome& o = (*outcomes_)[i];
    return o.has_match && o.score >= threshold && o.best_id == (*queries_)[i].expected_id;
  }
  static bool FalsePositive(std::size_t i, int threshold) {
    const Outcome& o = (*outcomes_)[i];
    return o.has_match && o.score >= threshold;
  }

  struct Rates {
    double recall, fp;
    std::map<std::string, std::pair<int, int>> per_class;  // class -> (hits or FPs, count)
  };
  static Rates At(int threshold) {
    Rates r{};
    int hits = 0, positives = 0, fps = 0, negatives = 0;
    for (std::size_t i = 0; i < queries_->size(); ++i) {
      const Query& q = (*queries_)[i];
      auto& [good, count] = r.per_class[q.cls];
      ++count;
      if (MustNotMatch(q)) {
        ++negatives;
        if (FalsePositive(i, threshold)) ++fps, ++good;
      } else {
        ++positives;
        if (Hit(i, threshold)) ++hits, ++good;
      }
    }
    r.recall = 100.0 * hits / std::max(positives, 1);
    r.fp = 100.0 * fps / std::max(negatives, 1);
    return r;
  }

  static constexpr int kSweepFrom = 80;
  static std::vector<ListEntry>* entries_;
  static NameIndex* index_;
  static std::vector<Query>* queries_;
  static std::vector<Outcome>* outcomes_;
};

std::vector<ListEntry>* ScreeningQualityTest::entries_ = nullptr;
NameIndex* ScreeningQualityTest::index_ = nullptr;
std::vector<Query>* ScreeningQualityTest::queries_ = nullptr;
std::vector<Outcome>* ScreeningQualityTest::outcomes_ = nullptr;

TEST_F(ScreeningQualityTest, ListAndQueriesLoaded) {
  EXPECT_EQ(entries_->size(), 14965u);
  EXPECT_GT(index_->name_count(), 18000u);
  EXPECT_GT(queries_->size(), 3900u);
}

TEST_F(ScreeningQualityTest, SweepEvidencesTheThresholds) {
  std::printf("threshold  recall%%  false-positive%%\n");
  for (int t = 80; t <= 99; ++t) {
    const Rates r = At(t);
    std::printf("%9d  %7.1f  %15.1f%s\n", t, r.recall, r.fp,
                t == kReviewScore      ? "   <- review"
                : t == kNearExactScore ? "   <- near-exact"
                                       : "");
  }
}

TEST_F(ScreeningQualityTest, RecallAndFalsePositivesAtTheChosenThresholds) {
  const Rates review = At(kReviewScore), exact = At(kNearExactScore);
  std::printf("%-18s %6s  review(>=%d)  near-exact(>=%d)\n", "class", "count", kReviewScore,
              kNearExactScore);
  for (const auto& [cls, hc] : review.per_class) {
    const bool negative = cls.rfind("near_miss", 0) == 0 || cls == "real" || cls == "generic";
    std::printf("%-18s %6d %13.1f%% %17.1f%%  %s\n", cls.c_str(), hc.second,
                100.0 * hc.first / hc.second,
                100.0 * exact.per_class.at(cls).first / hc.second,
                negative ? "(false positives)" : "(recall)");
    if (!negative) {
      EXPECT_GE(100.0 * hc.first / hc.second, 90.0) << cls;
    }
  }
  std::printf("overall: review recall %.1f%% FP %.1f%%; near-exact recall %.1f%% FP %.1f%%\n",
              review.recall, review.fp, exact.recall, exact.fp);
  EXPECT_GE(review.recall, 95.0);
  EXPECT_LE(review.fp, 3.0);

  // The evidence for reading failures: every false positive, and some misses.
  int shown = 0;
  for (std::size_t i = 0; i < queries_->size(); ++i) {
    const Query& q = (*queries_)[i];
    const Outcome& o = (*outcomes_)[i];
    if (MustNotMatch(q) && FalsePositive(i, kReviewScore)) {
      std::printf("FP  %-18s %-45s -> %3d %s [%s]\n", q.cls.c_str(), q.name.c_str(), o.score,
                  o.best_name.c_str(), o.best_id.c_str());
    } else if (!MustNotMatch(q) && !Hit(i, kReviewScore) && shown++ < 40) {
      std::printf("MISS %-11s %-45s (%s) -> %3d %s [%s]\n", q.cls.c_str(), q.name.c_str(),
                  q.listed.c_str(), o.score, o.best_name.c_str(), o.best_id.c_str());
    }
  }
}

// The index never loses a match the linear scan finds, on real names: an index of the entries
// the queries were made from and 600 others (the linear scan of all 18,600 names would take the
// test past a few seconds), every other query, at the review and near-exact thresholds (below
// the review threshold Screen is the linear scan itself).
TEST_F(ScreeningQualityTest, IndexAgreesWithLinearScan) {
  std::vector<const ListEntry*> subset;
  for (std::size_t i = 0; i < entries_->size(); ++i) {
    const ListEntry& e = (*entries_)[i];
    const bool expected = std::any_of(queries_->begin(), queries_->end(),
                                      [&](const Query& q) { return q.expected_id == e.id; });
    if (expected || i % 25 == 0) subset.push_back(&e);
  }
  const NameIndex index(subset);
  std::vector<NameMatch> fast, slow;
  int compared = 0, with_matches = 0;
  for (std::size_t i = 0; i < queries_->size(); i += 2) {
    const int min_score = i % 4 == 0 ? kReviewScore : kNearExactScore;
    const NameQuery q{(*queries_)[i].name, "", min_score};
    index.Screen(q, &fast);
    index.ScreenLinear(q, &slow);
    ASSERT_EQ(fast.size(), slow.size()) << q.name << " at " << min_score;
    for (std::size_t k = 0; k < fast.size(); ++k) {
      EXPECT_EQ(fast[k].entry, slow[k].entry) << q.name;
      EXPECT_EQ(fast[k].score, slow[k].score) << q.name;
      EXPECT_EQ(fast[k].alias, slow[k].alias) << q.name;
    }
    ++compared;
    with_matches += !fast.empty();
  }
  std::printf("index == linear scan on %d queries (%d with matches) over %zu entries\n", compared,
              with_matches, subset.size());
  EXPECT_GT(compared, 1900);
}

}  // namespace
}  // namespace exportctl::internal
