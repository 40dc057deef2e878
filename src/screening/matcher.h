#ifndef EXPORTCTL_SRC_SCREENING_MATCHER_H_
#define EXPORTCTL_SRC_SCREENING_MATCHER_H_

// Fuzzy name matching against restricted-party list entries (list.h).
//
// Names are normalised once (list names at index time, the query per call): Unicode NFKC, case
// folding and marks stripped after decomposition (utf8proc), transliteration variants where
// cheap (ü -> u/ue), punctuation and spacing folded, legal-form tokens (legal_forms.h) set apart.
// Every alias of an entry is scored separately (0-100); the entry's score is its best alias, and
// the alias that matched is reported. An index of token postings built at construction finds the
// candidates; only they are scored exactly. The scorer, the index and the country weighting are
// documented in matcher.cc. Invalid UTF-8 is replaced (U+FFFD), never rejected; names are cut at
// 1,024 bytes.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "src/screening/list.h"

namespace exportctl::internal {

// The thresholds chosen on the labelled query set built from the real SDN list
// (tests/screening_quality_test.cc prints recall and false positives per threshold, 80..99):
// - review (85): a possible match, for a person to confirm or clear. The lowest threshold where
//   every variant class keeps >= 90% recall with false positives <= 1% (98.8% recall, 1.0% FP).
// - near-exact (92): the lowest threshold where the only false positives left are the three real
//   organisations that ARE a listed name after normalisation (Galapagos NV / GALAPAGOS S.A,
//   Orion Corporation / ORION, UCB S.A. / alias UCB JSC): no string matcher can clear those, a
//   person must (the match carries list, entry and alias). Country weighting never lowers a
//   score below it.
inline constexpr int kReviewScore = 85;
inline constexpr int kNearExactScore = 92;

struct NameMatch {
  std::uint32_t entry = 0;  // index into the entries given to the NameIndex
  std::uint16_t alias = 0;  // index into that entry's `names` (0: the primary name)
  std::uint8_t score = 0;   // 0-100, after country weighting
};

struct NameQuery {
  std::string_view name;     // UTF-8
  std::string_view country;  // ISO alpha-2 of the party, or empty when unknown
  int min_score = 50;        // matches below are not returned
};

class NameIndex {
 public:
  NameIndex() = default;
  // Indexes every name of every entry. The entries must outlive the index.
  explicit NameIndex(std::vector<const ListEntry*> entries);

  // Returns (into `out`, cleared first) every entry scoring at least `q.min_score`, one match per
  // entry (its best alias), best first; ties in entry order. Thread-safe (const).
  // The answer is exactly ScreenLinear's for every min_score. The index finds the candidates only
  // when min_score >= kReviewScore (the range its filter is calibrated and tested for); a lower
  // min_score is answered by the linear scan (milliseconds on a large list, not microseconds).
  void Screen(const NameQuery& q, std::vector<NameMatch>* out) const;

  // The same answer, scoring every name of every entry (no index): the benchmark's baseline and
  // the tests' oracle.
  void ScreenLinear(const NameQuery& q, std::vector<NameMatch>* out) const;

  const ListEntry& entry(std::uint32_t i) const { return *entries_[i]; }
  std::size_t entry_count() const { return entries_.size(); }
  std::size_t name_count() const;

 private:
  std::vector<const ListEntry*> entries_;
  // The index's own structures are private to matcher.cc.
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

// The normalised form of `name` as the matcher compares it: tokens joined by single spaces,
// legal forms kept (for display and tests).
std::string NormalizeName(std::string_view name);

// The score (0-100) of `query` against one listed name, without country weighting.
int ScoreName(std::string_view query, std::string_view listed);

}  // namespace exportctl::internal

#endif  // EXPORTCTL_SRC_SCREENING_MATCHER_H_
