// Fuzzy name matching: normalisation, the scorer, the candidate index. See matcher.h.
//
// NORMALISATION (Normalize). utf8proc: NFKC, case folding, then marks stripped after
// decomposition (no hand-written tables); a second form with the German transliteration of
// ä/ö/ü (ae/oe/ue) when the name has them (ß folds to ss in NFKC case folding), the score being
// the better of the forms. Letters and digits make words; apostrophes vanish; "S.A." and
// "L.L.C." are one word; anything else separates. Legal forms (legal_forms.h) are set apart when
// they run at the start or the end of a name, also with a typo or a split word in them
// ("JIONT STOCK COMPANY", "LIMITED LIAB ILITY COMPANY"); the rest is the name's core.
//
// THE SCORER (ScoreForms). Names are compared as sets of core tokens. Two words are compared by
// the mean of the Jaro-Winkler similarity (W. E. Winkler, "String Comparator Metrics and Enhanced
// Decision Rules in the Fellegi-Sunter Model of Record Linkage", 1990; prefix scale 0.1 over at
// most 4 characters) and the edit ratio 1 - distance / longer length (Levenshtein 1966, adjacent
// transpositions counted as one edit as in Damerau 1964): Jaro-Winkler alone forgives two edits in
// a short word (FORTREA / FORTA 0.93, CNRS / CNRG 0.88), the peers' worst false positives. The
// words of the two names are aligned one to one, best pairs first, whatever their order, in the
// spirit of TheFuzz's (fuzzywuzzy's) token_set_ratio. Unlike token_set_ratio, a name contained in
// the other does not score 100: the score is the matched length over the length of BOTH names,
//
//   token score = sum over aligned pairs (q, l) of sim(q, l) * (|q| + |l|) / (sum |q| + sum |l|),
//
// so every unmatched word of the query or of the listed name costs its length ("UCB PHARMA"
// against the alias "UCB" is 50, "BIONTECH SE" against the alias "SE" is 0), and pairs below
// kMinTokenSimilarity count as unmatched: "DAVID SMITH" against "SMITH, John" keeps only SMITH,
// which keeps same-surname near misses low. Words joined or split ("ALZOMOR" / "AL ZOMOR") break
// the alignment, so the cores are also compared concatenated, in order, by the edit ratio, and the
// score is the better of the two. Then:
//   - a name whose core is 3 characters or fewer ("SE", "BNC", "UCB") scores high only when equal:
//     otherwise its score is multiplied by 0.7, as one edit in 3 characters is another name;
//   - a score that rounds to 100 without the cores being the same words is 99, so 100 means the
//     same words (in any order);
//   - differing legal forms ("ORION LLC" against "ORION CORP", or one dropped) cost 1 point:
//     enough to prefer the entry with the same legal form, not enough to miss the other.
// A caller that drops scores below a floor (Screen, ScreenLinear: min_score) lets the edit
// distance stop early; scores at or above the floor are exact, and both paths use the same floor.
//
// COUNTRY WEIGHTING (Weighted). When the query gives a country and the entry lists countries
// that do not include it, the entry's score is lowered by kCountryMismatchPenalty (10 points),
// but a near-exact name match is never hidden: a name score at or above kNearExactScore is lowered
// at most to kNearExactScore. An entry without countries, or a query without a country, is not
// weighted. min_score applies to the weighted score.
//
// THE INDEX. Sound: it prunes only by upper bounds proved from the scorer's formulas (never by a
// measured margin), so Screen finds every name ScreenLinear returns, for any min_score >=
// kReviewScore (below, Screen is the linear scan). A name scores min_score only if its fraction
// s reaches t = (min_score - 0.5) / 100 by the token score or by the joined edit ratio, so two
// candidate searches, per query form:
//   - BY WORDS (WordCandidates). Every distinct listed word (the vocabulary) has an id and the
//     names it occurs in. A name reaching t aligns query words weighing more than 2cQ / (1 + c)
//     (c = 1 - t, Q the query's core length) and has a core length within
//     [Q (1-2c)/(1+2c), Q (1+2c)/(1-2c)], so only the names holding a word similar to one of any
//     such set of query words need be read, over that range of lengths. For a query word, every
//     listed word whose TokenSimilarity reaches kMinTokenSimilarity is found (SearchSimilarWords:
//     by length, a bitmap per byte-with-its-occurrence-number, added up bit-sliced to keep the
//     words lacking few enough of the query word's bytes, CommonTable; then a bag signature and
//     the exact OSA distance, bit-parallel; then TokenSimilarity itself; EditRatio's early stop
//     reads below its floor, so the true similarity bounds what the scorer returns). Query words
//     are searched (the rarest as listed first) only until such a set reads few names; each name
//     read is bounded by the best similarity of each of its words and of each query word, the
//     unsearched ones by SimilarityAtMost (lengths and bag signatures), before it is scored.
//   - BY THE JOINED CORES (JoinedCandidates), for joined and split words: an edit ratio of at
//     least t means at most c * longer edits and a length within [t n, n / t]; each edit destroys
//     at most 4 trigrams (a transposition), so the name shares all but 4d of the query's padded
//     trigrams: prefix filtering over posting lists sorted by length (S. Chaudhuri, V. Ganti,
//     R. Kaushik, ICDE 2006), a 128-bit signature in each posting, then the shared count.
// The candidates are scored exactly (Similarity: what a search recorded, a pair it did not record
// being below kMinTokenSimilarity, which the token score ignores; other pairs computed once per
// query), so the scores are the linear scan's, which uses the same per-query cache. The tests check
// that both agree (on the real names at 85 and 92, on generated ones at 50, 70, 84, 85 and 90);
// by hand, 7,060 SDN and 10,390 generated-200k queries at 85, 88, 92, 95 and 100 agree.
//
// INPUT. Names longer than kMaxNameBytes are cut there (at a character boundary); bytes that are
// not valid UTF-8 are replaced by U+FFFD, which separates words like any punctuation. Neither
// fails: screening must answer for whatever a request carries.

#include "src/screening/matcher.h"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "src/screening/legal_forms.h"

namespace exportctl::internal {
namespace {

constexpr std::size_t kMaxNameBytes = 1024;
constexpr double kMinTokenSimilarity = 0.8;
constexpr int kCountryMismatchPenalty = 10;
constexpr std::size_t kMaxLegalFormTokens = 5;
constexpr char kPadStart = '\x01';
constexpr char kPadEnd = '\x02';

// ---------------------------------------------------------------------------------------------
// Normalisation.

// One normalised form of a name.
struct NormName {
  std::vector<std::string> core;  // tokens without the legal forms at either end, in order
  std::string joined;             // the core tokens concatenated: joined and split words
  std::string legal;              // the legal-form tokens, space-separated
};

// Valid UTF-8, at most kMaxNameBytes, invalid bytes replaced by U+FFFD.
std::string Sanitize(std::string_view in) {
  std::string out;
  out.reserve(std::min(in.size(), kMaxNameBytes));
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(in.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(in.size());
  while (left > 0) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    std::string_view piece(reinterpret_cast<const char*>(p), n > 0 ? n : 1);
    if (n <= 0) piece = "\xEF\xBF\xBD";
    if (out.size() + piece.size() > kMaxNameBytes) break;
    out.append(piece);
    p += n > 0 ? n : 1;
    left -= n > 0 ? n : 1;
  }
  return out;
}

// utf8proc_map on valid UTF-8; an (unexpected) error leaves the text as it is.
std::string Map(std::string_view in, int options) {
  utf8proc_uint8_t* out = nullptr;
  utf8proc_ssize_t n =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(in.data()),
                   static_cast<utf8proc_ssize_t>(in.size()), &out,
                   static_cast<utf8proc_option_t>(options));
  std::string result = n >= 0 ? std::string(reinterpret_cast<char*>(out), n) : std::string(in);
  std::free(out);
  return result;
}

// The German transliteration of the umlauts (the text is already case-folded and NFC): "müller"
// -> "mueller", so "MUELLER" and "Müller" meet; the marks-stripped form gives "muller".
bool GermanTransliteration(std::string_view folded, std::string* out) {
  bool changed = false;
  out->clear();
  for (std::size_t i = 0; i < folded.size(); ++i) {
    if (static_cast<unsigned char>(folded[i]) == 0xC3 && i + 1 < folded.size()) {
      const unsigned char c = static_cast<unsigned char>(folded[i + 1]);
      const char* repl = c == 0xA4 ? "ae" : c == 0xB6 ? "oe" : c == 0xBC ? "ue" : nullptr;
      if (repl != nullptr) {
        out->append(repl);
        ++i;
        changed = true;
        continue;
      }
    }
    out->push_back(folded[i]);
  }
  return changed;
}

bool IsApostrophe(utf8proc_int32_t cp) {
  return cp == '\'' || cp == '`' || cp == 0x2018 || cp == 0x2019 || cp == 0x02BC ||
         cp == 0x02BB || cp == 0x00B4;
}

bool IsWordChar(utf8proc_int32_t cp) {
  if (cp < 0x80) return absl::ascii_isalnum(static_cast<unsigned char>(cp));
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

bool StartsWithWordChar(const utf8proc_uint8_t* p, utf8proc_ssize_t left) {
  utf8proc_int32_t cp;
  return left > 0 && utf8proc_iterate(p, left, &cp) > 0 && IsWordChar(cp);
}

// Splits folded text into words: letters and digits make words, apostrophes vanish ("O'BRIEN"),
// a period after a single letter joins initials ("S.A." -> "sa", "L.L.C." -> "llc"), anything
// else separates.
std::vector<std::string> Tokenize(std::string_view folded) {
  std::vector<std::string> tokens;
  std::string current;
  std::size_t since_dot = 0;  // letters since the word began or since its last joining period
  auto flush = [&] {
    if (!current.empty()) tokens.push_back(std::move(current));
    current.clear();
    since_dot = 0;
  };
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(folded.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(folded.size());
  while (left > 0) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) n = 1, cp = 0xFFFD;
    const utf8proc_uint8_t* next = p + n;
    const utf8proc_ssize_t next_left = left - n;
    if (IsWordChar(cp)) {
      current.append(reinterpret_cast<const char*>(p), n);
      ++since_dot;
    } else if (IsApostrophe(cp)) {
      // Dropped inside a word.
    } else if (cp == '.' && since_dot == 1 && StartsWithWordChar(next, next_left)) {
      // "S.A.", "L.L.C.": keep the initials together.
      since_dot = 0;
    } else {
      flush();
    }
    p = next;
    left = next_left;
  }
  flush();
  return tokens;
}

// The optimal-string-alignment distance of a (1..64 bytes) and b, bit-parallel: H. Hyyrö, "A
// Bit-Vector Algorithm for Computing Levenshtein and Damerau Edit Distances", Nordic Journal of
// Computing 10 (2003), the transposition vector added to Myers' algorithm (as in RapidFuzz's
// OSA). One pass over b, a few word operations per byte. OsaRun is the recurrence, given the
// positions of each byte in a pattern of n (1..64) bytes.
int OsaRun(const std::uint64_t (&peq)[256], std::size_t n, std::string_view b) {
  std::uint64_t vp = ~std::uint64_t{0}, vn = 0, d0 = 0, previous = 0;
  const std::uint64_t last = std::uint64_t{1} << (n - 1);
  int distance = static_cast<int>(n);
  for (char ch : b) {
    const std::uint64_t eq = peq[static_cast<unsigned char>(ch)];
    const std::uint64_t transposed = ((~d0 & eq) << 1) & previous;
    d0 = (((eq & vp) + vp) ^ vp) | eq | vn | transposed;
    std::uint64_t hp = vn | ~(d0 | vp);
    std::uint64_t hn = d0 & vp;
    distance += (hp & last) != 0;
    distance -= (hn & last) != 0;
    hp = (hp << 1) | 1;
    hn <<= 1;
    vp = hn | ~(d0 | hp);
    vn = hp & d0;
    previous = eq;
  }
  return distance;
}

// The pattern (a) is prepared once and compared with many texts (b): the search for a query
// word's similar words measures it against hundreds of listed words.
class OsaPattern {
 public:
  explicit OsaPattern(std::string_view a) : a_(a) {
    for (std::size_t i = 0; i < a.size(); ++i) {
      peq_[static_cast<unsigned char>(a[i])] |= std::uint64_t{1} << i;
    }
  }

  int Distance(std::string_view b) const { return OsaRun(peq_, a_.size(), b); }

 private:
  std::uint64_t peq_[256] = {};  // the positions of each byte in a
  std::string_view a_;
};

int OsaDistance64(std::string_view a, std::string_view b) {
  // One pattern per call would clear 2 KB each time: the positions go into a per-thread table
  // instead, cleared after use.
  thread_local std::uint64_t peq[256] = {};
  for (std::size_t i = 0; i < a.size(); ++i) {
    peq[static_cast<unsigned char>(a[i])] |= std::uint64_t{1} << i;
  }
  const int distance = OsaRun(peq, a.size(), b);
  for (char ch : a) peq[static_cast<unsigned char>(ch)] = 0;
  return distance;
}

// Optimal-string-alignment distance (Levenshtein with adjacent transpositions) when it is at
// most `limit`, else limit + 1; it stops as soon as a whole row exceeds the limit.
int BoundedEditDistance(std::string_view a, std::string_view b, int limit) {
  const int n = static_cast<int>(a.size()), m = static_cast<int>(b.size());
  if (std::abs(n - m) > limit) return limit + 1;
  if (limit < 0) return limit + 1;
  if (n == 0 || m == 0) return std::max(n, m);  // within the limit (checked above)
  // The exact distance in one pass when one side fits in a machine word.
  if (n <= 64 || m <= 64) {
    const int d = n <= 64 ? OsaDistance64(a, b) : OsaDistance64(b, a);
    return d <= limit ? d : limit + 1;
  }
  // The bag distance (the characters of one the other lacks, the larger side) is a lower bound
  // of the edit distance, transpositions included: most pairs beyond the limit stop here.
  {
    std::int16_t counts[256] = {};
    for (char c : a) ++counts[static_cast<unsigned char>(c)];
    for (char c : b) --counts[static_cast<unsigned char>(c)];
    int surplus = 0, deficit = 0;
    for (char c : a) {
      std::int16_t& k = counts[static_cast<unsigned char>(c)];
      if (k > 0) surplus += k;
      k = 0;
    }
    for (char c : b) {
      std::int16_t& k = counts[static_cast<unsigned char>(c)];
      if (k < 0) deficit -= k;
      k = 0;
    }
    if (std::max(surplus, deficit) > limit) return limit + 1;
  }
  // Only the band |i - j| <= limit is computed (Ukkonen): a cell outside holds at least
  // |i - j| > limit, so it is stored as limit + 1, which changes no value at or below the limit.
  const int big = limit + 1;
  absl::InlinedVector<int, 64> before(m + 1, big), prev(m + 1, big), row(m + 1, big);
  for (int j = 0; j <= m; ++j) prev[j] = j;
  for (int i = 1; i <= n; ++i) {
    const int lo = std::max(1, i - limit), hi = std::min(m, i + limit);
    row[lo - 1] = lo == 1 ? i : big;
    int best = row[lo - 1];
    for (int j = lo; j <= hi; ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        row[j] = std::min(row[j], before[j - 2] + 1);
      }
      best = std::min(best, row[j]);
    }
    if (hi < m) row[hi + 1] = big;
    if (best > limit) return limit + 1;
    std::swap(before, prev);
    std::swap(prev, row);
  }
  return std::min(prev[m], limit + 1);
}

// The legal-form phrases, normalised once: as written (tokens joined by spaces) and with the
// tokens concatenated, for the comparisons that forgive typos and spacing.
struct LegalPhrase {
  std::string text;
  std::string joined;
};

const std::vector<LegalPhrase>& LegalPhrases() {
  static const auto* phrases = [] {
    auto* list = new std::vector<LegalPhrase>;
    for (std::string_view phrase : kLegalForms) {
      std::string text = absl::AsciiStrToLower(absl::string_view(phrase.data(), phrase.size()));
      std::string joined = absl::StrReplaceAll(text, {{" ", ""}});
      list->push_back({std::move(text), std::move(joined)});
    }
    return list;
  }();
  return *phrases;
}

const absl::flat_hash_set<std::string>& LegalFormTexts() {
  static const auto* texts = [] {
    auto* set = new absl::flat_hash_set<std::string>;
    for (const LegalPhrase& p : LegalPhrases()) set->insert(p.text);
    return set;
  }();
  return *texts;
}

// The edits a legal form of this many letters may carry and still be recognised: none below 5
// letters ("CO", "GMBH" are too short to tell from a word), one up to 11, two from 12
// ("JOINT STOCK COMPANY" written "JIONT STOCK COMPANI").
int LegalFormEdits(std::size_t letters) { return letters < 5 ? 0 : letters < 12 ? 1 : 2; }

struct LegalHit {
  std::size_t tokens = 0;  // 0: none
  std::string_view text;   // the phrase as listed in legal_forms.h
};

// The longest legal form starting at `begin` (forward) or ending just before `end` (backward):
// exactly, else within LegalFormEdits of its letters with the spaces ignored, so a typo or a
// joined or split word in the legal form does not leave it in the core.
LegalHit LegalFormAt(const std::vector<std::string>& t, std::size_t begin, std::size_t end,
                     bool forward) {
  LegalHit hit;
  for (std::size_t k = std::min(kMaxLegalFormTokens, end - begin); k > 0 && hit.tokens == 0; --k) {
    const std::size_t from = forward ? begin : end - k;
    std::string phrase = absl::StrJoin(t.begin() + from, t.begin() + from + k, " ");
    auto it = LegalFormTexts().find(phrase);
    if (it != LegalFormTexts().end()) hit = {k, *it};
  }
  // A longer run of words may be a legal form with a typo or a split word ("LIMITED LIAB ILITY
  // COMPANY" must not stop at "LIMITED").
  for (std::size_t k = std::min(kMaxLegalFormTokens + 1, end - begin); k > hit.tokens; --k) {
    const std::size_t from = forward ? begin : end - k;
    const std::string window = absl::StrJoin(t.begin() + from, t.begin() + from + k, "");
    const int limit = LegalFormEdits(window.size());
    if (limit == 0) continue;
    for (const LegalPhrase& p : LegalPhrases()) {
      // The first and last letters must agree, so a word beside the legal form is not taken in
      // ("PETROPARS UK LIMITED" keeps UK).
      if (LegalFormEdits(p.joined.size()) == 0 || p.joined.front() != window.front() ||
          p.joined.back() != window.back()) {
        continue;
      }
      if (BoundedEditDistance(window, p.joined, limit) <= limit) return {k, p.text};
    }
  }
  return hit;
}

NormName SplitLegalForms(std::vector<std::string> tokens) {
  std::vector<std::string> prefix, suffix;
  std::size_t begin = 0, end = tokens.size();
  for (LegalHit hit; begin < end && (hit = LegalFormAt(tokens, begin, end, true)).tokens > 0;) {
    begin += hit.tokens;
    prefix.emplace_back(hit.text);
  }
  for (LegalHit hit; begin < end && (hit = LegalFormAt(tokens, begin, end, false)).tokens > 0;) {
    end -= hit.tokens;
    suffix.emplace(suffix.begin(), hit.text);
  }
  NormName name;
  if (begin == end) {  // only legal forms: they are the name
    begin = 0, end = tokens.size();
  } else {
    prefix.insert(prefix.end(), suffix.begin(), suffix.end());
    name.legal = absl::StrJoin(prefix, " ");
  }
  name.core.assign(std::make_move_iterator(tokens.begin() + begin),
                   std::make_move_iterator(tokens.begin() + end));
  name.joined = absl::StrJoin(name.core, "");
  return name;
}

bool IsAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c & 0x80) == 0; });
}

// The case-folded, NFKC text, marks stripped (first), and its German transliteration when it
// differs (second, else empty).
std::pair<std::string, std::string> Fold(std::string_view name) {
  std::string clean = Sanitize(name);
  if (IsAscii(clean)) {
    absl::AsciiStrToLower(&clean);
    return {std::move(clean), ""};
  }
  const int nfkc_fold =
      UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE;
  const int strip = UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_STRIPMARK;
  std::string folded = Map(clean, nfkc_fold);
  std::string german;
  const bool has_german = GermanTransliteration(folded, &german);
  return {Map(folded, strip), has_german ? Map(german, strip) : std::string()};
}

// The normalised forms of a name: one, or two when a German transliteration differs. A name
// without any word gives none.
absl::InlinedVector<NormName, 2> Normalize(std::string_view name) {
  absl::InlinedVector<NormName, 2> forms;
  auto [plain, german] = Fold(name);
  for (const std::string* text : {&plain, &german}) {
    if (text->empty()) continue;
    std::vector<std::string> tokens = Tokenize(*text);
    if (!tokens.empty()) forms.push_back(SplitLegalForms(std::move(tokens)));
  }
  return forms;
}

// ---------------------------------------------------------------------------------------------
// Similarity.

// Jaro-Winkler similarity of two words (bytes; the words are NFKC-folded, mostly ASCII). Words
// longer than 64 bytes are compared on their first 64.
double JaroWinkler(std::string_view a, std::string_view b) {
  if (a == b) return 1.0;
  if (a.empty() || b.empty()) return 0.0;
  if (a.size() > b.size()) std::swap(a, b);
  if (b.size() > 64) b = b.substr(0, 64), a = a.substr(0, std::min<std::size_t>(a.size(), 64));
  const std::size_t window = b.size() / 2 > 0 ? b.size() / 2 - 1 : 0;
  struct Flags {  // up to 64 flags in one word: no allocation, no initialisation loop
    std::uint64_t bits = 0;
    bool operator[](std::size_t i) const { return (bits >> i) & 1; }
    void set(std::size_t i) { bits |= std::uint64_t{1} << i; }
  } a_used, b_used;
  std::size_t matches = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::size_t lo = i > window ? i - window : 0;
    const std::size_t hi = std::min(b.size(), i + window + 1);
    for (std::size_t j = lo; j < hi; ++j) {
      if (!b_used[j] && a[i] == b[j]) {
        a_used.set(i);
        b_used.set(j);
        ++matches;
        break;
      }
    }
  }
  if (matches == 0) return 0.0;
  std::size_t half_transpositions = 0;
  for (std::size_t i = 0, j = 0; i < a.size(); ++i) {
    if (!a_used[i]) continue;
    while (!b_used[j]) ++j;
    if (a[i] != b[j]) ++half_transpositions;
    ++j;
  }
  const double m = static_cast<double>(matches);
  const double jaro = (m / a.size() + m / b.size() + (m - half_transpositions / 2.0) / m) / 3.0;
  if (jaro <= 0.7) return jaro;  // Winkler's boost applies to already similar strings only
  std::size_t prefix = 0;
  while (prefix < 4 && prefix < a.size() && a[prefix] == b[prefix]) ++prefix;
  return jaro + 0.1 * static_cast<double>(prefix) * (1.0 - jaro);
}

// 1 - edit distance / longer length, the edit distance counting adjacent transpositions as one
// edit (optimal string alignment: Levenshtein 1966, Damerau 1964), so "TUAFIK" is one edit from
// "TAUFIK". Exact when it is at least `floor`; below, some value below `floor` (the distance
// computation stops early).
double EditRatio(std::string_view a, std::string_view b, double floor) {
  if (a == b) return 1.0;
  if (a.empty() || b.empty()) return 0.0;
  const double longer = static_cast<double>(std::max(a.size(), b.size()));
  const int limit = static_cast<int>(std::max(0.0, (1.0 - floor) * longer + 1e-9));
  const int d = BoundedEditDistance(a, b, limit);
  const double ratio = 1.0 - static_cast<double>(d) / longer;
  // Beyond the limit the distance is only known to exceed it: say "below the floor", never a
  // ratio the pair does not have (a floor rounded down once let LANTERN / PLANETA, 4 edits,
  // read 0.857 and reach the word threshold).
  return d > limit ? std::min(ratio, std::nextafter(floor, 0.0)) : ratio;
}

// The similarity of two words: the mean of Jaro-Winkler and the Levenshtein ratio. Jaro-Winkler
// alone forgives too much in short words (FORTREA / FORTA 0.93, CNRS / CNRG 0.88), where two
// edits make another name; the Levenshtein ratio counts edits against the length.
double TokenSimilarity(std::string_view a, std::string_view b) {
  if (a == b) return 1.0;
  const double length_ratio = static_cast<double>(std::min(a.size(), b.size())) /
                              static_cast<double>(std::max(a.size(), b.size()));
  // Both measures are at most 1 and the edit ratio at most the length ratio.
  if (0.5 * (1.0 + length_ratio) < kMinTokenSimilarity) return 0.5 * (1.0 + length_ratio);
  const double jw = JaroWinkler(a, b);
  // The Levenshtein ratio is at most the length ratio: skip it when the pair cannot match.
  if (0.5 * (jw + length_ratio) < kMinTokenSimilarity) return 0.5 * (jw + length_ratio);
  return 0.5 * (jw + EditRatio(a, b, 2.0 * kMinTokenSimilarity - jw));
}

// The token-set alignment score (see the top of the file), in [0, 1].
// sim(i, j) is TokenSimilarity(q.core[i], l.core[j]) (Collect takes it from a per-query cache).
template <typename Sim>
double TokenScore(const NormName& q, const NormName& l, Sim&& sim) {
  struct Pair {
    double sim;
    std::uint32_t i, j;
  };
  absl::InlinedVector<Pair, 32> pairs;
  std::size_t total = 0;
  for (const auto& t : q.core) total += t.size();
  for (const auto& t : l.core) total += t.size();
  if (total == 0) return 0.0;
  for (std::uint32_t i = 0; i < q.core.size(); ++i) {
    for (std::uint32_t j = 0; j < l.core.size(); ++j) {
      const double similarity = sim(i, j);
      if (similarity >= kMinTokenSimilarity) pairs.push_back({similarity, i, j});
    }
  }
  std::sort(pairs.begin(), pairs.end(), [](const Pair& x, const Pair& y) {
    return x.sim != y.sim ? x.sim > y.sim : x.i != y.i ? x.i < y.i : x.j < y.j;
  });
  absl::InlinedVector<bool, 16> q_used(q.core.size(), false), l_used(l.core.size(), false);
  double matched = 0.0;
  for (const Pair& p : pairs) {
    if (q_used[p.i] || l_used[p.j]) continue;
    q_used[p.i] = l_used[p.j] = true;
    matched += p.sim * static_cast<double>(q.core[p.i].size() + l.core[p.j].size());
  }
  return matched / static_cast<double>(total);
}

bool SameTokens(const NormName& q, const NormName& l) {
  if (q.core.size() != l.core.size() || q.joined.size() != l.joined.size()) return false;
  absl::InlinedVector<std::string_view, 8> a(q.core.begin(), q.core.end());
  absl::InlinedVector<std::string_view, 8> b(l.core.begin(), l.core.end());
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

// The score of one normalised form against another, 0-100 (see the top of the file).
// Scores below `floor` are not needed exactly (the caller drops them): the joined comparison then
// stops early. The score is exact when it is at least `floor`, below `floor` otherwise.
template <typename Sim>
int ScoreForms(const NormName& q, const NormName& l, int floor, Sim&& sim) {
  if (SameTokens(q, l)) return q.legal == l.legal ? 100 : 99;
  double s = TokenScore(q, l, sim);
  const std::size_t shorter = std::min(q.joined.size(), l.joined.size());
  const std::size_t longer = std::max(q.joined.size(), l.joined.size());
  // The fraction below which the score cannot reach `floor`, allowing for rounding, the legal
  // form's point and the short-name factor.
  const double needed = std::max(0.0, (floor - 2) / 100.0) / (shorter <= 3 ? 0.7 : 1.0);
  // The edit ratio cannot exceed shorter / longer: skip it when that cannot win.
  const double bound = longer > 0 ? static_cast<double>(shorter) / longer : 0.0;
  if (bound > s && bound >= needed) s = std::max(s, EditRatio(q.joined, l.joined, std::max(s, needed)));
  if (shorter <= 3) s *= 0.7;
  int score = static_cast<int>(std::lround(100.0 * s));
  score = std::min(score, 99);
  if (q.legal != l.legal && score > 0) --score;
  return score;
}

int ScoreAll(const absl::InlinedVector<NormName, 2>& query, const NormName& listed,
             int floor = 0) {
  int best = 0;
  for (const NormName& q : query) {
    best = std::max(best, ScoreForms(q, listed, floor, [&](std::uint32_t i, std::uint32_t j) {
                      return TokenSimilarity(q.core[i], listed.core[j]);
                    }));
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Upper bounds of the scorer: what the index prunes by. Every one is proved from the formulas
// above, never measured, so the index finds every name the linear scan would return.

constexpr double kEps = 1e-9;  // slack for floating-point rounding, always on the side of keeping

// The fraction s a name must reach for its score to round to min_score or more: the short-name
// factor, the cap at 99, the legal form's point and the country weighting only lower a score.
double NeededFraction(int min_score) { return (min_score - 0.5) / 100.0 - kEps; }

// Jaro-Winkler compares at most this many bytes of a word; longer words are compared exactly.
constexpr std::size_t kMaxJwBytes = 64;

// The most Jaro-Winkler can give two words of n and m bytes with `common` bytes in common.
double JaroWinklerAtMost(std::size_t common, std::size_t n, std::size_t m) {
  const double c = static_cast<double>(common);
  const double jaro = common == 0 ? 0.0 : (c / n + c / m + 1.0) / 3.0;
  const double prefix = static_cast<double>(std::min<std::size_t>(4, std::min(n, m)));
  return jaro > 0.7 ? jaro + 0.1 * prefix * (1.0 - jaro) : jaro;
}

// The fewest bytes two words of n and m bytes (1..kMaxJwBytes) must have in common, counted with
// multiplicity (the bag intersection), for TokenSimilarity to return kMinTokenSimilarity or
// more; min(n, m) + 1 when none suffices. Jaro's matches are common bytes, so Jaro-Winkler is at
// most JaroWinklerAtMost(common); the edit distance is at least the bag distance
// max(n, m) - common, so the edit ratio is at most common / max(n, m). (EditRatio's early stop
// returns less than its floor, so it never lifts a pair above the true similarity.)
struct CommonTable {
  std::uint8_t min_common[kMaxJwBytes + 1][kMaxJwBytes + 1];
  CommonTable() {
    for (std::size_t n = 1; n <= kMaxJwBytes; ++n) {
      for (std::size_t m = 1; m <= kMaxJwBytes; ++m) {
        const std::size_t shorter = std::min(n, m);
        const double longer = static_cast<double>(std::max(n, m));
        std::size_t fewest = 0;
        while (fewest <= shorter &&
               0.5 * (JaroWinklerAtMost(fewest, n, m) + static_cast<double>(fewest) / longer) <
                   kMinTokenSimilarity - kEps) {
          ++fewest;
        }
        min_common[n][m] = static_cast<std::uint8_t>(fewest);
      }
    }
  }
};

const CommonTable& Common() {
  static const CommonTable table;
  return table;
}

std::size_t MinCommon(std::size_t n, std::size_t m) { return Common().min_common[n][m]; }

// Whether words of n and m bytes can be similar at all: the similarity is at most
// (1 + shorter / longer) / 2.
bool LengthsCanMatch(std::size_t n, std::size_t m) {
  const double ratio = static_cast<double>(std::min(n, m)) / static_cast<double>(std::max(n, m));
  return 0.5 * (1.0 + ratio) >= kMinTokenSimilarity - kEps;
}

// A word's bytes as a bag: the k-th occurrence of byte c is the token (c, k), hashed into 64 bits.
// A bit one word has and the other lacks stands for at least one token of the first the second
// lacks, so n - popcount(a & ~b) bounds the bag intersection from above.
std::uint32_t BagToken(unsigned char c, std::size_t occurrence) {
  return static_cast<std::uint32_t>(c) << 8 | static_cast<std::uint32_t>(std::min<std::size_t>(occurrence, 255));
}

std::uint64_t BagBit(std::uint32_t token) {
  return std::uint64_t{1} << (((token + 0x7F4A7C15u) * 0x9E3779B1u) >> 26);
}

int PopCount64(std::uint64_t x) {
  x = x - ((x >> 1) & 0x5555555555555555ull);
  x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
  x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
  return static_cast<int>((x * 0x0101010101010101ull) >> 56);
}

// The tokens of a word (its bytes with their occurrence numbers), and its signature.
template <typename Tokens>
std::uint64_t BagOf(std::string_view word, Tokens* tokens) {
  std::uint8_t seen[256] = {};
  std::uint64_t bag = 0;
  for (char ch : word) {
    const auto c = static_cast<unsigned char>(ch);
    const std::uint32_t token = BagToken(c, ++seen[c] == 0 ? 255 : seen[c]);
    if (tokens != nullptr) tokens->push_back(token);
    bag |= BagBit(token);
  }
  return bag;
}

// ---------------------------------------------------------------------------------------------
// Trigrams.

using Gram = std::uint32_t;

// The sorted, distinct trigrams of a form's joined core (the words concatenated), padded with two
// marks at either end.
std::vector<Gram> JoinedGrams(const NormName& name) {
  std::vector<Gram> grams;
  std::string padded(2, kPadStart);
  padded += name.joined;
  padded.append(2, kPadEnd);
  for (std::size_t i = 0; i + 3 <= padded.size(); ++i) {
    grams.push_back(static_cast<Gram>(static_cast<unsigned char>(padded[i])) << 16 |
                    static_cast<Gram>(static_cast<unsigned char>(padded[i + 1])) << 8 |
                    static_cast<Gram>(static_cast<unsigned char>(padded[i + 2])));
  }
  std::sort(grams.begin(), grams.end());
  grams.erase(std::unique(grams.begin(), grams.end()), grams.end());
  return grams;
}

// Query trigrams are looked up in a bitmap of kGramBits bits: a name's trigram counts as shared
// when its bit is set, so hash collisions can only over-count, which keeps the filter safe
// (the candidates are scored exactly) while the count stays branch-free.
constexpr int kGramBitsLog2 = 14;
constexpr std::size_t kGramWords = (std::size_t{1} << kGramBitsLog2) / 64;

std::uint32_t GramBit(Gram g) { return (g * 2654435761u) >> (32 - kGramBitsLog2); }

// A name's trigrams also hashed into 128 bits (a Bloom-style signature). Each bit the name has and
// the query lacks stands for at least one trigram of the name the query does not have, so
// own trigrams - popcount(name & ~query) bounds the shared count from above: most names are
// ruled out by two AND-NOTs and two popcounts, without reading their trigrams.
struct Signature {
  std::uint64_t bits[2] = {0, 0};
  void Add(Gram g) {
    const std::uint32_t b = (g * 0x9E3779B1u) >> 25;  // 7 bits
    bits[b >> 6] |= std::uint64_t{1} << (b & 63);
  }
  int Outside(const Signature& query) const {
    return PopCount64(bits[0] & ~query.bits[0]) + PopCount64(bits[1] & ~query.bits[1]);
  }
};

// Each edit of the optimal string alignment (a substitution, insertion, deletion or adjacent
// transposition) destroys at most 4 of a string's trigram occurrences (a transposition: the 4
// trigrams over its two positions), so two strings d edits apart share all but at most 4d of
// either one's distinct trigrams (the q-gram lemma, E. Ukkonen, "Approximate string-matching with
// q-grams and maximal matches", 1992, counted for transpositions).
constexpr std::size_t kGramsPerEdit = 4;

int Weighted(int score, const NameQuery& q, const ListEntry& e) {
  if (q.country.empty() || e.countries.empty()) return score;
  for (const std::string& c : e.countries) {
    if (absl::EqualsIgnoreCase(c, absl::string_view(q.country.data(), q.country.size()))) {
      return score;
    }
  }
  const int lowered = std::max(0, score - kCountryMismatchPenalty);
  return score >= kNearExactScore ? std::max(lowered, kNearExactScore) : lowered;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The index.

namespace {

// One normalised form of one name of one entry.
struct IndexedName {
  std::uint32_t entry;
  std::uint16_t alias;
  NormName form;
};

// The id of each core word (Vocabulary::words) of each IndexedName, all in one array: the word
// search reads them for many names, so they are kept compact, apart from the rest.
struct NameWords {
  std::vector<std::uint32_t> begin = {0};  // name id -> into pool (names + 1)
  std::vector<std::uint32_t> pool;
  std::uint32_t of(std::uint32_t id, std::uint32_t j) const { return pool[begin[id] + j]; }
};

// Every distinct core word of the indexed names, and the names each occurs in.
struct Vocabulary {
  struct Occurrence {
    std::uint32_t name;    // IndexedName id
    std::uint32_t length;  // that name's core length (the sum of its words' lengths)
  };
  std::vector<std::string> words;                   // by word id
  absl::flat_hash_map<std::string, std::uint32_t> ids;  // word -> id
  std::vector<std::uint16_t> lengths;  // by word id (capped; words are cut at kMaxNameBytes)
  std::vector<std::uint64_t> bags;                  // BagOf, by word id
  std::vector<std::vector<Occurrence>> names;       // by word id, sorted by length then name
  // The similar-word search: the words of each length (1..kMaxJwBytes), and for each bag token
  // and length a bitmap over them (at `bitmaps` + the offset), the words of that length holding
  // the token; words longer than kMaxJwBytes apart. The bitmaps are found without hashing: a
  // token's dense id (token_ids, by BagToken; kNoToken when no word holds it), then its
  // kMaxJwBytes + 1 lengths side by side in bitmap_at, so the lengths a query word reads share
  // a cache line or two.
  std::vector<std::vector<std::uint32_t>> by_length;
  std::vector<std::string> text_by_length;            // those words' bytes, one after the other
  std::vector<std::vector<std::uint64_t>> bags_by_length;  // and their bags
  struct Bitmap {
    std::uint32_t offset;  // into bitmaps
    std::uint32_t words;   // the bits set
  };
  static constexpr std::uint16_t kNoToken = UINT16_MAX;
  std::vector<std::uint16_t> token_ids = std::vector<std::uint16_t>(1 << 16, kNoToken);
  std::vector<Bitmap> bitmap_at;  // by token id * (kMaxJwBytes + 1) + length; words 0: none
  const Bitmap* BitmapsOf(std::uint32_t token) const {
    const std::uint16_t id = token_ids[token & 0xFFFF];
    return id == kNoToken ? nullptr : &bitmap_at[std::size_t{id} * (kMaxJwBytes + 1)];
  }
  std::vector<std::uint64_t> bitmaps;
  std::vector<std::uint32_t> long_words;
};

// Where a name's joined trigrams are, how many, and their signature.
struct NameGrams {
  Signature signature;
  std::uint64_t bag = 0;    // BagOf the joined core
  std::uint32_t begin = 0;  // into Joined::pool
  std::uint32_t count = 0;
};

// One name in a posting list, with the name's bag signature copied beside it (16 bytes: the
// lists are what a query reads most), so the filter reads each list sequentially and touches a
// name's own data only for the few whose bag distance can be within the edits allowed.
struct Posting {
  std::uint64_t bag;     // the name's NameGrams::bag
  std::uint32_t id;
  std::uint16_t count;   // the name's distinct joined trigrams
  std::uint16_t length;  // the name's joined length
};

// The names holding one trigram, by length; a long list also says where each length starts, so a
// query finds its range of lengths without a binary search through cold memory.
struct PostingList {
  static constexpr std::size_t kDirectoryFrom = 64;  // postings
  std::vector<Posting> postings;
  std::vector<std::uint32_t> from_length;  // [L]: the first posting of length >= L (long lists)
  std::size_t First(std::size_t length) const {
    if (from_length.empty()) {
      return static_cast<std::size_t>(
          std::partition_point(postings.begin(), postings.end(),
                               [&](const Posting& p) { return p.length < length; }) -
          postings.begin());
    }
    return from_length[std::min(length, from_length.size() - 1)];
  }
};

// The trigrams of the indexed names' joined cores, both ways.
struct Joined {
  std::vector<Gram> pool;        // the trigrams of all names, name after name
  std::vector<NameGrams> names;  // of name i
  absl::flat_hash_map<Gram, PostingList> postings;  // trigram -> names
  std::vector<std::vector<std::uint32_t>> by_length;          // joined length -> names
};

}  // namespace

struct NameIndex::Impl {
  std::vector<IndexedName> names;  // every form of every name, in entry then alias order
  std::vector<std::uint32_t> lengths;  // of each name's core (= its joined length)
  NameWords words;
  Vocabulary vocabulary;
  Joined joined;
  std::size_t name_count = 0;  // names of the entries (a name can have two forms)
};

NameIndex::NameIndex(std::vector<const ListEntry*> entries) : entries_(std::move(entries)) {
  auto impl = std::make_shared<Impl>();
  Vocabulary& vocabulary = impl->vocabulary;
  Joined& joined = impl->joined;
  for (std::uint32_t e = 0; e < entries_.size(); ++e) {
    const auto& names = entries_[e]->names;
    for (std::size_t a = 0; a < names.size() && a <= UINT16_MAX; ++a) {
      ++impl->name_count;
      for (NormName& form : Normalize(names[a])) {
        const auto id = static_cast<std::uint32_t>(impl->names.size());
        NameGrams summary;
        summary.begin = static_cast<std::uint32_t>(joined.pool.size());
        for (Gram g : JoinedGrams(form)) {
          joined.postings[g].postings.push_back({0, id, 0, 0});
          joined.pool.push_back(g);
          summary.signature.Add(g);
          ++summary.count;
        }
        summary.bag = BagOf<std::vector<std::uint32_t>>(form.joined, nullptr);
        joined.names.push_back(summary);
        std::vector<std::uint32_t>& words = impl->words.pool;
        const std::size_t first_word = words.size();
        std::uint32_t length = 0;
        for (const std::string& word : form.core) {
          auto [it, added] =
              vocabulary.ids.try_emplace(word, static_cast<std::uint32_t>(vocabulary.words.size()));
          if (added) {
            vocabulary.words.push_back(word);
            vocabulary.lengths.push_back(static_cast<std::uint16_t>(word.size()));
            vocabulary.names.emplace_back();
          }
          words.push_back(it->second);
          length += static_cast<std::uint32_t>(word.size());
        }
        impl->words.begin.push_back(static_cast<std::uint32_t>(words.size()));
        for (std::size_t k = first_word; k < words.size(); ++k) {
          auto& list = vocabulary.names[words[k]];
          if (list.empty() || list.back().name != id) list.push_back({id, length});
        }
        if (joined.by_length.size() <= length) joined.by_length.resize(length + 1);
        joined.by_length[length].push_back(id);
        impl->lengths.push_back(length);
        impl->names.push_back(
            {e, static_cast<std::uint16_t>(a), std::move(form)});
      }
    }
  }
  // Each posting list by the names' lengths, so a query reads only the lengths it can accept.
  for (auto& [gram, list] : joined.postings) {
    std::vector<Posting>& postings = list.postings;
    for (Posting& p : postings) {
      p.bag = joined.names[p.id].bag;
      p.count = static_cast<std::uint16_t>(std::min<std::uint32_t>(joined.names[p.id].count, UINT16_MAX));
      p.length = static_cast<std::uint16_t>(impl->lengths[p.id]);
    }
    std::stable_sort(postings.begin(), postings.end(),
                     [](const Posting& a, const Posting& b) { return a.length < b.length; });
    if (postings.size() >= PostingList::kDirectoryFrom) {
      // One past the longest: a query's lengths beyond it start at the end.
      list.from_length.resize(std::size_t{postings.back().length} + 2);
      std::size_t k = 0;
      for (std::size_t length = 0; length < list.from_length.size(); ++length) {
        while (k < postings.size() && postings[k].length < length) ++k;
        list.from_length[length] = static_cast<std::uint32_t>(k);
      }
    }
  }
  for (auto& list : vocabulary.names) {
    std::stable_sort(list.begin(), list.end(),
                     [](const auto& a, const auto& b) { return a.length < b.length; });
  }
  vocabulary.by_length.resize(kMaxJwBytes + 1);
  std::vector<std::uint32_t> tokens;
  for (std::uint32_t w = 0; w < vocabulary.words.size(); ++w) {
    const std::string& word = vocabulary.words[w];
    tokens.clear();
    vocabulary.bags.push_back(BagOf(word, &tokens));
    if (word.size() > kMaxJwBytes) {
      vocabulary.long_words.push_back(w);
      continue;
    }
    auto& bucket = vocabulary.by_length[word.size()];
    bucket.push_back(w);
  }
  vocabulary.text_by_length.resize(kMaxJwBytes + 1);
  vocabulary.bags_by_length.resize(kMaxJwBytes + 1);
  for (std::size_t m = 1; m <= kMaxJwBytes; ++m) {
    const auto& bucket = vocabulary.by_length[m];
    const std::size_t chunks = (bucket.size() + 63) / 64;
    for (std::size_t k = 0; k < bucket.size(); ++k) {
      tokens.clear();
      vocabulary.text_by_length[m] += vocabulary.words[bucket[k]];
      vocabulary.bags_by_length[m].push_back(vocabulary.bags[bucket[k]]);
      BagOf(vocabulary.words[bucket[k]], &tokens);
      for (std::uint32_t token : tokens) {
        std::uint16_t& id = vocabulary.token_ids[token & 0xFFFF];
        if (id == Vocabulary::kNoToken) {
          id = static_cast<std::uint16_t>(vocabulary.bitmap_at.size() / (kMaxJwBytes + 1));
          vocabulary.bitmap_at.resize(vocabulary.bitmap_at.size() + kMaxJwBytes + 1, {0, 0});
        }
        Vocabulary::Bitmap& bitmap = vocabulary.bitmap_at[std::size_t{id} * (kMaxJwBytes + 1) + m];
        if (bitmap.words == 0) {
          bitmap.offset = static_cast<std::uint32_t>(vocabulary.bitmaps.size());
          vocabulary.bitmaps.resize(vocabulary.bitmaps.size() + chunks, 0);
        }
        vocabulary.bitmaps[bitmap.offset + k / 64] |= std::uint64_t{1} << (k % 64);
        ++bitmap.words;
      }
    }
  }
  impl_ = std::move(impl);
}

std::size_t NameIndex::name_count() const { return impl_ ? impl_->name_count : 0; }

namespace {

// A stamp per element: set(i) is true the first time i is seen since the last Reset.
struct Stamps {
  std::vector<std::uint32_t> stamp;
  std::uint32_t epoch = 0;
  void Reset(std::size_t size) {
    if (stamp.size() < size) stamp.resize(size, 0);
    if (++epoch == 0) {
      std::fill(stamp.begin(), stamp.end(), 0);
      epoch = 1;
    }
  }
  bool Seen(std::uint32_t i) const { return stamp[i] == epoch; }
  bool FirstTime(std::uint32_t i) {
    if (stamp[i] == epoch) return false;
    stamp[i] = epoch;
    return true;
  }
};

// Per-thread scratch space, so Screen stays const and allocation-free once warm.
struct Scratch {
  Stamps names;  // candidates met, per route and form
  // The query's distinct words (over its forms; a slot is a word of a form, form after form,
  // and word_of_slot its index here), and their similarities to listed words: a row of
  // `columns` doubles per listed word met (has_row, row), -1 where not known yet (computed on
  // demand), 0 where below kMinTokenSimilarity. A searched word's column is complete
  // (SearchSimilarWords): a listed word without a row is below it. Words past `columns` are not
  // cached (ScreenLinear caches the first kCachedWords).
  std::vector<std::string_view> words;
  std::vector<std::uint64_t> bags;           // BagOf each word
  std::vector<std::uint32_t> frequency;      // the names holding the word exactly
  std::vector<std::uint8_t> searched;
  std::vector<std::uint32_t> similar_begin;  // per word: its similar words in `similar`, if
  std::vector<std::uint32_t> similar_end;    // searched
  std::vector<std::uint32_t> similar;
  std::vector<std::uint32_t> word_of_slot;
  std::size_t columns = 0;
  Stamps has_row;
  std::vector<std::uint32_t> row;
  std::vector<double> sims;
  std::vector<std::uint32_t> candidates;
  std::vector<std::uint32_t> tokens;
  std::vector<double> best_of_query_word;
  std::uint64_t gram_bits[kGramWords] = {};  // the query form's trigrams (GramBit)
};

constexpr std::size_t kCachedWords = 8;

// The names WordCandidates may read by the words it has searched before it searches another
// query word instead (a search costs about as much as bounding this many names).
constexpr std::size_t kNamesToRead = 64;

// How far ahead WordCandidates prefetches the data of the names it reads.
constexpr std::ptrdiff_t kPrefetchFar = 8;
constexpr std::ptrdiff_t kPrefetchNear = 4;

Scratch& QueryScratch() {
  thread_local Scratch scratch;
  scratch.candidates.clear();
  return scratch;
}

// Sets up the scratch's query words for `query`, caching the first `max_columns` of them;
// first_slot[f] is form f's first slot.
void SetQueryWords(const Vocabulary& v, const absl::InlinedVector<NormName, 2>& query,
                   std::size_t max_columns, absl::InlinedVector<std::size_t, 2>* first_slot,
                   Scratch& s) {
  s.words.clear();
  s.bags.clear();
  s.frequency.clear();
  s.word_of_slot.clear();
  first_slot->clear();
  for (const NormName& form : query) {
    first_slot->push_back(s.word_of_slot.size());
    for (const std::string& word : form.core) {
      const auto same = std::find(s.words.begin(), s.words.end(), word);
      s.word_of_slot.push_back(static_cast<std::uint32_t>(same - s.words.begin()));
      if (same != s.words.end()) continue;
      s.words.push_back(word);
      s.bags.push_back(BagOf<std::vector<std::uint32_t>>(word, nullptr));
      const auto id = v.ids.find(word);
      s.frequency.push_back(
          id == v.ids.end() ? 0 : static_cast<std::uint32_t>(v.names[id->second].size()));
    }
  }
  s.searched.assign(s.words.size(), 0);
  s.similar_begin.assign(s.words.size(), 0);
  s.similar_end.assign(s.words.size(), 0);
  s.similar.clear();
  s.columns = std::min(s.words.size(), max_columns);
  s.has_row.Reset(v.words.size());
  if (s.row.size() < v.words.size()) s.row.resize(v.words.size());
  s.sims.clear();
}

// Listed word w's row of similarities (made on first use).
double* RowOf(std::uint32_t w, Scratch& s) {
  if (s.has_row.FirstTime(w)) {
    s.row[w] = static_cast<std::uint32_t>(s.sims.size() / s.columns);
    for (std::size_t u = 0; u < s.columns; ++u) s.sims.push_back(s.searched[u] ? 0.0 : -1.0);
  }
  return &s.sims[std::size_t{s.row[w]} * s.columns];
}

double AboveMin(double similarity) { return similarity >= kMinTokenSimilarity ? similarity : 0.0; }

// The similarity of query word u and listed word w, 0 below kMinTokenSimilarity (which the
// token score ignores), computed once per query.
double Similarity(const Vocabulary& v, std::uint32_t u, std::uint32_t w, Scratch& s) {
  if (u >= s.columns) return AboveMin(TokenSimilarity(s.words[u], v.words[w]));
  if (s.searched[u] && !s.has_row.Seen(w)) return 0.0;
  double* row = RowOf(w, s);
  if (row[u] < 0) row[u] = AboveMin(TokenSimilarity(s.words[u], v.words[w]));
  return row[u];
}

// At least Similarity(u, w), from what is known without computing it: the value when known,
// else a bound from the lengths and bag signatures (Jaro-Winkler is at most
// JaroWinklerAtMost of the bytes in common, the edit ratio at most their share of the longer).
double SimilarityAtMost(const Vocabulary& v, std::uint32_t u, std::uint32_t w, const Scratch& s) {
  if (u < s.columns) {
    if (s.has_row.Seen(w)) {
      const double known = s.sims[std::size_t{s.row[w]} * s.columns + u];
      if (known >= 0) return known;
    } else if (s.searched[u]) {
      return 0.0;
    }
  }
  const std::size_t n = s.words[u].size(), m = v.lengths[w];
  if (!LengthsCanMatch(n, m)) return 0.0;
  if (n > kMaxJwBytes || m > kMaxJwBytes) return 1.0;
  const std::uint64_t a = s.bags[u], b = v.bags[w];
  const std::size_t shared = std::min(n - PopCount64(a & ~b), m - PopCount64(b & ~a));
  if (shared < MinCommon(n, m)) return 0.0;
  const double longer = static_cast<double>(std::max(n, m));
  return std::min(1.0, 0.5 * (JaroWinklerAtMost(shared, n, m) + shared / longer) + kEps);
}

// The words of one 64-word chunk (bit x of each token's bitmap) that lack at most `allowed` of
// the query word's tokens: a bit-sliced count of the tokens each word lacks, missing[l] holding
// the words lacking exactly l so far, dead those lacking more. With the number of levels a
// template argument, the levels stay in registers (an array indexed at run time went through
// memory, and the vectorised loop over it stalled on store-to-load forwarding).
template <std::size_t kAllowed, typename Maps>
std::uint64_t SurvivorsOf(const Maps& maps, std::size_t x) {
  std::uint64_t missing[kAllowed + 1] = {~std::uint64_t{0}};
  std::uint64_t dead = 0;
  for (std::size_t k = 0; k < maps.size() && dead != ~std::uint64_t{0}; ++k) {
    const std::uint64_t has = maps[k].second[x];
    dead |= missing[kAllowed] & ~has;
    for (std::size_t l = kAllowed; l > 0; --l) {
      missing[l] = (missing[l] & has) | (missing[l - 1] & ~has);
    }
    missing[0] &= has;
  }
  return ~dead;
}

using SurvivorMaps = absl::InlinedVector<std::pair<std::uint32_t, const std::uint64_t*>, 64>;

template <std::size_t... kLevels>
std::uint64_t SurvivorsDispatch(const SurvivorMaps& maps, std::size_t x, std::size_t allowed,
                                std::index_sequence<kLevels...>) {
  std::uint64_t left = 0;
  ((allowed == kLevels ? (left = SurvivorsOf<kLevels>(maps, x), true) : false) || ...);
  return left;
}

// By the number of tokens a word may lack (at most all of the query word's kMaxJwBytes).
std::uint64_t Survivors(const SurvivorMaps& maps, std::size_t x, std::size_t allowed) {
  return SurvivorsDispatch(maps, x, allowed, std::make_index_sequence<kMaxJwBytes + 1>());
}

// Calls record(w, similarity) for every listed word w whose TokenSimilarity with the query word
// may reach kMinTokenSimilarity (at least all that do). The search is
// exhaustive: it skips a word only when a bound proves it below kMinTokenSimilarity. At each
// length m, a word needs MinCommon(n, m) of the query word's n bag tokens: the bitmaps of the
// query word's tokens are added up bit-sliced (how many are missing, up to the number allowed),
// 64 words at a time; each word left is bounded by its bag signature (both ways) and its exact
// edit distance before the similarity itself.
template <typename Record>
void FindSimilarWords(const Vocabulary& v, std::string_view query_word, Scratch& s,
                      Record&& record) {
  const std::size_t n = query_word.size();
  for (std::uint32_t w : v.long_words) record(w, TokenSimilarity(query_word, v.words[w]));
  if (n > kMaxJwBytes) {  // compared on its first 64 bytes by Jaro-Winkler: every word is checked
    for (std::size_t m = 1; m < v.by_length.size(); ++m) {
      if (!LengthsCanMatch(n, m)) continue;
      for (std::uint32_t w : v.by_length[m]) record(w, TokenSimilarity(query_word, v.words[w]));
    }
    return;
  }
  s.tokens.clear();
  const std::uint64_t bag = BagOf(query_word, &s.tokens);
  const OsaPattern pattern(query_word);
  auto consider = [&](std::size_t k, std::size_t m, std::size_t common) {
    const std::uint64_t other = v.bags_by_length[m][k];
    const std::size_t shared = std::min(n - PopCount64(bag & ~other), m - PopCount64(other & ~bag));
    if (shared < common) return;
    // The bound with the exact edit ratio (the distance in one pass).
    const std::string_view word(v.text_by_length[m].data() + k * m, m);
    const double longer = static_cast<double>(std::max(n, m));
    const int distance = pattern.Distance(word);
    const double jw = JaroWinklerAtMost(std::min(shared, std::min(n, m)), n, m);
    if (0.5 * (jw + (1.0 - distance / longer)) < kMinTokenSimilarity - kEps) return;
    record(v.by_length[m][k], TokenSimilarity(query_word, word));
  };
  absl::InlinedVector<const Vocabulary::Bitmap*, kMaxJwBytes> token_bitmaps;
  for (std::uint32_t token : s.tokens) token_bitmaps.push_back(v.BitmapsOf(token));
  SurvivorMaps maps;
  for (std::size_t m = 1; m < v.by_length.size(); ++m) {
    const auto& bucket = v.by_length[m];
    if (bucket.empty() || !LengthsCanMatch(n, m)) continue;
    const std::size_t common = MinCommon(n, m);
    if (common > std::min(n, m)) continue;
    std::size_t allowed = n - common;  // query tokens a word may lack
    maps.clear();
    for (const Vocabulary::Bitmap* bitmaps : token_bitmaps) {
      if (bitmaps != nullptr && bitmaps[m].words != 0) {
        maps.push_back({bitmaps[m].words, &v.bitmaps[bitmaps[m].offset]});
      } else if (allowed-- == 0) {
        break;  // no word of this length holds enough of them
      }
    }
    if (allowed > n) continue;  // wrapped: too many tokens absent at this length
    // The rarest tokens first: most 64-word chunks are out after allowed + 1 of them.
    std::sort(maps.begin(), maps.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    const std::size_t chunks = (bucket.size() + 63) / 64;
    for (std::size_t x = 0; x < chunks; ++x) {
      std::uint64_t left = Survivors(maps, x, allowed);
      if (x + 1 == chunks && bucket.size() % 64 != 0) {
        left &= (std::uint64_t{1} << (bucket.size() % 64)) - 1;
      }
      while (left != 0) {
        const int bit = __builtin_ctzll(left);
        left &= left - 1;
        consider(x * 64 + bit, m, common);
      }
    }
  }
}

// Searches query word u (a cached one): its column becomes complete, its similar words listed.
void SearchSimilarWords(const Vocabulary& v, std::uint32_t u, Scratch& s) {
  s.searched[u] = 1;
  s.similar_begin[u] = static_cast<std::uint32_t>(s.similar.size());
  // The listed words met before keep -1 where the search finds nothing: it is 0 there.
  const std::size_t rows_before = s.sims.size() / s.columns;
  FindSimilarWords(v, s.words[u], s, [&](std::uint32_t w, double sim) {
    if (sim < kMinTokenSimilarity) return;
    RowOf(w, s)[u] = sim;
    s.similar.push_back(w);
  });
  for (std::size_t r = 0; r < rows_before; ++r) {
    double& known = s.sims[r * s.columns + u];
    if (known < 0) known = 0;
  }
  s.similar_end[u] = static_cast<std::uint32_t>(s.similar.size());
}

// The candidates of one query form by its words (the token score): appended to s.candidates.
//
// With t = NeededFraction(min_score) and c = 1 - t, a name of core length L can reach t by the
// token score only if its loss, (Q + L) minus the weighted sum of its aligned pairs, is at most
// c (Q + L). A pair of words of lengths x, y is similar at most (1 + min/max) / 2 (the edit ratio
// is at most min/max), so it loses at least |x - y| / 2; with U the query's unaligned length and
// V the name's, U + V + sum |x - y| / 2 <= c (Q + L), and L <= Q - U + V + sum |x - y|, give
// (1 + c) U <= 2 c Q: the query words the name aligns weigh more than Q - 2cQ / (1 + c), and
// Q (1 - 2c) / (1 + 2c) <= L <= Q (1 + 2c) / (1 - 2c). So every such name holds a word similar to
// one of any set of query words longer in all than 2cQ / (1 + c): the set whose similar words
// occur in the fewest names is read. Each name met is then bounded by the best similarity of each
// of its words and of each query word (the token score is at most the sum over the query's words
// of best * length, plus the same over the name's, over Q + L) and kept when that reaches t.
void WordCandidates(const NameWords& names, const Vocabulary& v,
                    const NormName& form, std::size_t base, double t, Scratch& s) {
  const std::size_t words = form.core.size();
  double total = 0;
  for (const std::string& w : form.core) total += static_cast<double>(w.size());
  const double c = 1.0 - t;
  if (c >= 0.5) return;  // min_score >= kReviewScore: never
  const double unaligned = 2.0 * c * total / (1.0 + c) + kEps;
  const double shortest = total * (1.0 - 2.0 * c) / (1.0 + 2.0 * c) - 1e-6;
  const double longest = total * (1.0 + 2.0 * c) / (1.0 - 2.0 * c) + 1e-6;
  // The words to read: of the searched words, the fewest names first, until they weigh more than
  // `unaligned`. Words are searched (SearchSimilarWords) only until such a set reads at most
  // kNamesToRead names, or all are: the rarest words as listed first, then the longest (a word
  // not listed may still be like common ones). Only the words read need searching: a name is
  // bounded by the others' similarities without them (SimilarityAtMost).
  absl::InlinedVector<std::pair<std::size_t, std::size_t>, 16> order;  // (names, word)
  std::size_t read = 0;
  auto choose = [&] {
    order.clear();
    for (std::size_t i = 0; i < words; ++i) {
      const std::uint32_t u = s.word_of_slot[base + i];
      if (u >= s.columns || !s.searched[u]) continue;
      std::size_t volume = 0;
      for (std::uint32_t k = s.similar_begin[u]; k < s.similar_end[u]; ++k) {
        volume += v.names[s.similar[k]].size();
      }
      order.push_back({volume, i});
    }
    std::sort(order.begin(), order.end());
    double weight = 0;
    std::size_t volume = 0;
    read = 0;
    while (read < order.size() && weight <= unaligned) {
      weight += static_cast<double>(form.core[order[read].second].size());
      volume += order[read].first;
      ++read;
    }
    return weight > unaligned && volume <= kNamesToRead;
  };
  absl::InlinedVector<std::size_t, 16> to_search;  // the form's unsearched words, next last
  for (std::size_t i = 0; i < words; ++i) {
    const std::uint32_t u = s.word_of_slot[base + i];
    if (u < s.columns && !s.searched[u]) to_search.push_back(i);
  }
  std::sort(to_search.begin(), to_search.end(), [&](std::size_t a, std::size_t b) {
    const std::uint32_t x = s.word_of_slot[base + a], y = s.word_of_slot[base + b];
    if (s.frequency[x] != s.frequency[y]) return s.frequency[x] > s.frequency[y];
    return form.core[a].size() < form.core[b].size();
  });
  while (!choose() && !to_search.empty()) {
    const std::uint32_t u = s.word_of_slot[base + to_search.back()];
    to_search.pop_back();
    if (!s.searched[u]) SearchSimilarWords(v, u, s);  // a word the form repeats is searched once
  }
  // Screen caches every query word, so all of them can be searched, and together they weigh
  // Q > unaligned: `read` words of `order` weigh more than unaligned here.
  // The form's words not searched: a listed word met by no search is bounded by them alone.
  absl::InlinedVector<std::size_t, 16> unsearched;
  for (std::size_t j = 0; j < words; ++j) {
    if (!s.searched[s.word_of_slot[base + j]]) unsearched.push_back(j);
  }
  s.best_of_query_word.resize(words);
  s.names.Reset(names.begin.size() - 1);
  for (std::size_t r = 0; r < read; ++r) {
    const std::uint32_t u = s.word_of_slot[base + order[r].second];
    for (std::uint32_t k = s.similar_begin[u]; k < s.similar_end[u]; ++k) {
      const auto& list = v.names[s.similar[k]];
      auto first = std::partition_point(list.begin(), list.end(), [&](const auto& o) {
        return static_cast<double>(o.length) < shortest;
      });
      for (auto it = first; it != list.end() && static_cast<double>(it->length) <= longest; ++it) {
        // The names are scattered over the index: ask for the stamps and word ranges of the
        // names a few steps ahead, and for the words of the names nearer (their ranges are in).
        if (list.end() - it > kPrefetchFar) {
          const std::uint32_t far = it[kPrefetchFar].name;
          __builtin_prefetch(&s.names.stamp[far]);
          __builtin_prefetch(&names.begin[far]);
        }
        if (list.end() - it > kPrefetchNear) {
          __builtin_prefetch(&names.pool[names.begin[it[kPrefetchNear].name]]);
        }
        const std::uint32_t id = it->name;
        if (!s.names.FirstTime(id)) continue;
        std::fill(s.best_of_query_word.begin(), s.best_of_query_word.end(), 0.0);
        double matched = 0;
        for (std::uint32_t k = names.begin[id]; k < names.begin[id + 1]; ++k) {
          const std::uint32_t w = names.pool[k];
          double best = 0;
          auto bound = [&](std::size_t j, double at_most) {
            best = std::max(best, at_most);
            s.best_of_query_word[j] = std::max(s.best_of_query_word[j], at_most);
          };
          if (s.has_row.Seen(w)) {
            const double* row = &s.sims[std::size_t{s.row[w]} * s.columns];
            for (std::size_t j = 0; j < words; ++j) {
              const std::uint32_t u = s.word_of_slot[base + j];
              bound(j, row[u] >= 0 ? row[u] : SimilarityAtMost(v, u, w, s));
            }
          } else {
            for (std::size_t j : unsearched) {
              bound(j, SimilarityAtMost(v, s.word_of_slot[base + j], w, s));
            }
          }
          matched += best * static_cast<double>(v.lengths[w]);
        }
        for (std::size_t j = 0; j < words; ++j) {
          matched += s.best_of_query_word[j] * static_cast<double>(form.core[j].size());
        }
        if (matched >= t * (total + static_cast<double>(it->length)) - kEps) {
          s.candidates.push_back(id);
        }
      }
    }
  }
}

// The candidates of one query form by its joined core (the edit ratio of the joined cores):
// appended to s.candidates. That ratio is at most shorter / longer, and at least t only within
// d = c * longer edits, so the name's length is within [t n, n / t] (n the query's) and it shares
// all but kGramsPerEdit * d of the query's g distinct trigrams and of its own. Prefix filtering
// (S. Chaudhuri, V. Ganti, R. Kaushik, "A Primitive Operator for Similarity Joins in Data
// Cleaning", ICDE 2006): such a name holds one of the query's kGramsPerEdit * d + 1 rarest
// trigrams, so only those posting lists are read, over that range of lengths (they are sorted by
// length); each name met is checked by its signature, then by the shared count itself.
void JoinedCandidates(const Joined& index, const NormName& form, double t, Scratch& s) {
  const std::size_t n = form.joined.size();
  // A joined core of 3 bytes or fewer on either side scores at most 0.7 by this route.
  if (n <= 3 || t <= 0.7 || index.by_length.empty()) return;  // empty: no listed name has a word
  const auto shortest = static_cast<std::size_t>(std::max(4.0, std::ceil(t * n - 1e-6)));
  const auto longest = std::min<std::size_t>(
      static_cast<std::size_t>(std::floor(n / t + 1e-6)), index.by_length.size() - 1);
  if (shortest > longest) return;
  const std::vector<Gram> grams = JoinedGrams(form);
  const std::size_t g = grams.size();
  auto edits = [&](std::size_t length) {
    return static_cast<std::size_t>((1.0 - t) * static_cast<double>(std::max(n, length)) + kEps);
  };
  // The trigrams a name of `length` and `count` trigrams must share: the query's and its own.
  auto needed = [&](std::size_t length, std::size_t count) -> std::ptrdiff_t {
    const auto lost = static_cast<std::ptrdiff_t>(kGramsPerEdit * edits(length));
    return std::max(static_cast<std::ptrdiff_t>(g) - lost, static_cast<std::ptrdiff_t>(count) - lost);
  };
  // The bag distance (the bytes one side lacks, the larger side) bounds the edit distance from
  // below, each edit changing it by at most one: a name whose bag signature proves it beyond
  // edits(length) is out, before its trigrams are read (with BagOf's occurrence-numbered
  // tokens, a signature bit one side has and the other lacks stands for a byte it lacks).
  const std::uint64_t query_bag = BagOf<std::vector<std::uint32_t>>(form.joined, nullptr);
  absl::InlinedVector<std::uint32_t, 64> edits_at;  // edits(length), from `shortest` on
  for (std::size_t length = shortest; length <= longest; ++length) {
    edits_at.push_back(static_cast<std::uint32_t>(edits(length)));
  }
  auto bag_within = [&](std::size_t length, std::uint64_t bag) {
    const std::size_t shared = std::min(n - PopCount64(query_bag & ~bag),
                                        length - PopCount64(bag & ~query_bag));
    return std::max(n, length) - shared <= edits_at[length - shortest];
  };
  s.names.Reset(index.names.size());
  Signature query;
  for (Gram g : grams) {
    query.Add(g);
    s.gram_bits[GramBit(g) >> 6] |= std::uint64_t{1} << (GramBit(g) & 63);
  }
  auto check = [&](std::uint32_t id, std::size_t length, std::size_t count) {
    const NameGrams& name = index.names[id];
    const std::ptrdiff_t wanted = needed(length, count);
    if (!bag_within(length, name.bag) ||
        static_cast<std::ptrdiff_t>(count) - name.signature.Outside(query) < wanted) {
      return;
    }
    std::ptrdiff_t shared = 0;
    for (std::uint32_t i = name.begin; i < name.begin + name.count; ++i) {
      const std::uint32_t bit = GramBit(index.pool[i]);
      shared += (s.gram_bits[bit >> 6] >> (bit & 63)) & 1;
    }
    if (shared >= wanted) s.candidates.push_back(id);
  };
  const std::size_t most_lost = kGramsPerEdit * edits(longest);
  if (most_lost >= g) {
    // No trigram need be shared: every name of an acceptable length is checked.
    for (std::size_t length = shortest; length <= longest; ++length) {
      for (std::uint32_t id : index.by_length[length]) check(id, length, index.names[id].count);
    }
  } else {
    // Each list's postings of an acceptable length: [begin, end).
    struct Range {
      const Posting* begin;
      const Posting* end;
    };
    absl::InlinedVector<Range, 64> lists;
    for (Gram g : grams) {
      auto it = index.postings.find(g);
      if (it == index.postings.end()) {
        lists.push_back({nullptr, nullptr});
        continue;
      }
      const Posting* data = it->second.postings.data();
      lists.push_back({data + it->second.First(shortest), data + it->second.First(longest + 1)});
    }
    const std::size_t prefix = most_lost + 1;
    std::partial_sort(lists.begin(), lists.begin() + prefix, lists.end(),
                      [](const Range& a, const Range& b) { return a.end - a.begin < b.end - b.begin; });
    for (std::size_t k = 0; k < prefix; ++k) {
      for (const Posting* it = lists[k].begin; it != lists[k].end; ++it) {
        // The bag first (in the list itself): a name it rules out is ruled out in every list,
        // so testing it again in a later list gives the same answer without a stamp.
        if (!bag_within(it->length, it->bag)) continue;
        if (s.names.FirstTime(it->id)) check(it->id, it->length, it->count);
      }
    }
  }
  for (Gram g : grams) s.gram_bits[GramBit(g) >> 6] = 0;
}

// Scores names (ids in ascending order, so an entry's names are together) and keeps each entry's
// best alias, weighted by country, when it reaches min_score. sim(f, i, id, j) is the
// similarity of word i of query form f and word j of the name.
template <typename Ids, typename Sim>
void Collect(const NameIndex& index, const std::vector<IndexedName>& names,
             const absl::InlinedVector<NormName, 2>& query, const NameQuery& q, const Ids& ids,
             Sim&& sim, std::vector<NameMatch>* out) {
  auto score_all = [&](std::uint32_t id) {
    int best_score = 0;
    for (std::size_t f = 0; f < query.size(); ++f) {
      best_score = std::max(
          best_score, ScoreForms(query[f], names[id].form, q.min_score,
                                 [&](std::uint32_t i, std::uint32_t j) { return sim(f, i, id, j); }));
    }
    return best_score;
  };
  NameMatch best;
  bool have = false;
  auto finish = [&] {
    if (!have) return;
    best.score = static_cast<std::uint8_t>(Weighted(best.score, q, index.entry(best.entry)));
    if (best.score >= q.min_score) out->push_back(best);
  };
  for (std::uint32_t id : ids) {
    const auto& name = names[id];
    const int score = score_all(id);
    if (have && name.entry == best.entry) {
      if (score > best.score) best.alias = name.alias, best.score = static_cast<std::uint8_t>(score);
      continue;
    }
    finish();
    best = {name.entry, name.alias, static_cast<std::uint8_t>(score)};
    have = true;
  }
  finish();
  std::stable_sort(out->begin(), out->end(), [](const NameMatch& a, const NameMatch& b) {
    return a.score != b.score ? a.score > b.score : a.entry < b.entry;
  });
}

}  // namespace

void NameIndex::Screen(const NameQuery& q, std::vector<NameMatch>* out) const {
  // The bounds hold for any min_score, but below kReviewScore they prune little (a name can then
  // score min_score with few words in common); the linear scan answers there, exact for any
  // min_score.
  if (q.min_score < kReviewScore) {
    ScreenLinear(q, out);
    return;
  }
  out->clear();
  if (!impl_ || q.min_score > 100) return;
  const auto query = Normalize(q.name);
  if (query.empty()) return;
  Scratch& s = QueryScratch();
  const Vocabulary& v = impl_->vocabulary;
  absl::InlinedVector<std::size_t, 2> first_slot;
  SetQueryWords(v, query, SIZE_MAX, &first_slot, s);
  const double t = NeededFraction(q.min_score);
  for (std::size_t f = 0; f < query.size(); ++f) {
    WordCandidates(impl_->words, v, query[f], first_slot[f], t, s);
    JoinedCandidates(impl_->joined, query[f], t, s);
  }
  std::sort(s.candidates.begin(), s.candidates.end());
  s.candidates.erase(std::unique(s.candidates.begin(), s.candidates.end()), s.candidates.end());
  // The exact scores: the similarities the searches found, the others computed once each.
  Collect(*this, impl_->names, query, q, s.candidates,
          [&](std::size_t f, std::uint32_t i, std::uint32_t id, std::uint32_t j) {
            return Similarity(v, s.word_of_slot[first_slot[f] + i], impl_->words.of(id, j), s);
          },
          out);
}

void NameIndex::ScreenLinear(const NameQuery& q, std::vector<NameMatch>* out) const {
  out->clear();
  if (!impl_) return;
  const auto query = Normalize(q.name);
  if (query.empty()) return;
  struct AllIds {
    std::uint32_t n;
    struct It {
      std::uint32_t i;
      std::uint32_t operator*() const { return i; }
      It& operator++() { return ++i, *this; }
      bool operator!=(const It& o) const { return i != o.i; }
    };
    It begin() const { return {0}; }
    It end() const { return {n}; }
  };
  // A listed word is compared with a query word once (a per-query cache by word id, for the
  // first kCachedWords distinct query words), however many names share it: TokenSimilarity is a
  // function of the two words only, so a cached value is the value itself.
  Scratch& s = QueryScratch();
  const Vocabulary& v = impl_->vocabulary;
  absl::InlinedVector<std::size_t, 2> first_slot;
  SetQueryWords(v, query, kCachedWords, &first_slot, s);
  Collect(*this, impl_->names, query, q, AllIds{static_cast<std::uint32_t>(impl_->names.size())},
          [&](std::size_t f, std::uint32_t i, std::uint32_t id, std::uint32_t j) {
            return Similarity(v, s.word_of_slot[first_slot[f] + i], impl_->words.of(id, j), s);
          },
          out);
}

std::string NormalizeName(std::string_view name) {
  auto [plain, german] = Fold(name);
  return absl::StrJoin(Tokenize(plain), " ");
}

int ScoreName(std::string_view query, std::string_view listed) {
  const auto q = Normalize(query);
  int best = 0;
  for (const NormName& l : Normalize(listed)) best = std::max(best, ScoreAll(q, l));
  return best;
}

}  // namespace exportctl::internal
