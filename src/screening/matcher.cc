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
// THE INDEX. Every normalised form of every name is broken into the character trigrams of its
// core words, each word padded with two marks at either end ("$$ali$$": $$a $al ali li$ i$$), so
// a word keeps trigrams in common with its typos, and joined or split words lose only the
// trigrams at the join. A name can score min_score only if it shares enough trigrams with the
// query, on both sides (RequiredGrams: a bound measured on the labelled query set). Candidates
// are found by prefix filtering (S. Chaudhuri, V. Ganti, R. Kaushik, "A Primitive Operator for
// Similarity Joins in Data Cleaning", ICDE 2006): only the postings of the query's g - T + 1
// rarest trigrams are read, since a name sharing T of the g trigrams shares one of them. The
// requirement grows with the name's own trigram count n, so the prefix is length-aware: the k-th
// rarest list need only hold the names whose requirement is at most g - k, and the posting lists,
// sorted by n, are read over that range of n only. Each name met there is checked by a 128-bit
// signature of its trigrams (an upper bound on the shared count; it is stored in the posting
// itself, so the lists are read sequentially), then by the shared count itself; the survivors are
// scored exactly. Every distinct listed word has an id, and a query compares itself with a listed
// word once (a per-thread cache by word id), however many candidates share the word. The bound is calibrated for min_score >= kReviewScore
// only: below, Screen is the linear scan. ScreenLinear scores every name with the same scorer; the
// tests check that both agree (on the real names at 85 and 92, on generated ones at 50, 70, 84,
// 85 and 90).
//
// INPUT. Names longer than kMaxNameBytes are cut there (at a character boundary); bytes that are
// not valid UTF-8 are replaced by U+FFFD, which separates words like any punctuation. Neither
// fails: screening must answer for whatever a request carries.

#include "src/screening/matcher.h"

#include <utf8proc.h>

#include <algorithm>
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

// Optimal-string-alignment distance (Levenshtein with adjacent transpositions) when it is at
// most `limit`, else limit + 1; it stops as soon as a whole row exceeds the limit.
int BoundedEditDistance(std::string_view a, std::string_view b, int limit) {
  const int n = static_cast<int>(a.size()), m = static_cast<int>(b.size());
  if (std::abs(n - m) > limit) return limit + 1;
  if (limit < 0) return limit + 1;
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
  const int limit = static_cast<int>(std::max(0.0, (1.0 - floor) * longer));
  return 1.0 - static_cast<double>(BoundedEditDistance(a, b, limit)) / longer;
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
// Trigrams.

using Gram = std::uint32_t;

// The sorted, distinct padded trigrams of a form's core tokens.
std::vector<Gram> Grams(const NormName& name) {
  std::vector<Gram> grams;
  std::string padded;
  for (const std::string& token : name.core) {
    padded.assign(2, kPadStart);
    padded += token;
    padded.append(2, kPadEnd);
    for (std::size_t i = 0; i + 3 <= padded.size(); ++i) {
      grams.push_back(static_cast<Gram>(static_cast<unsigned char>(padded[i])) << 16 |
                      static_cast<Gram>(static_cast<unsigned char>(padded[i + 1])) << 8 |
                      static_cast<Gram>(static_cast<unsigned char>(padded[i + 2])));
    }
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
    return PopCount(bits[0] & ~query.bits[0]) + PopCount(bits[1] & ~query.bits[1]);
  }
  // Inline (SWAR) rather than std::popcount, which is a library call without -mpopcnt.
  static int PopCount(std::uint64_t x) {
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
    return static_cast<int>((x * 0x0101010101010101ull) >> 56);
  }
};

// The trigrams a name and a query form must share for the name to be able to score `min_score`:
// each side, of n trigrams, may lose at most 3 + 0.4 * (100 - min_score) + 0.2 * n of them.
// Calibrated on the labelled query set against the whole SDN list (every pair scoring 60 or more
// by the linear scan, 20,908 pairs): at every threshold from 85 to 95 no pair loses more, on
// either side, with 2 trigrams to spare. (Below 85 it is an extrapolation: a few pairs scoring
// about 80 share no trigram at all, and no trigram filter can find them; the linear scan can.)
std::size_t LostAtMost(std::size_t n, int min_score) {
  const int room = 100 - std::clamp(min_score, 0, 100);
  return static_cast<std::size_t>(3.0 + 0.4 * room + 0.2 * static_cast<double>(n));
}

std::size_t RequiredGrams(std::size_t gram_count, int min_score) {
  const std::size_t lost = LostAtMost(gram_count, min_score);
  return gram_count > lost ? gram_count - lost : 1;
}

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
  std::vector<std::uint32_t> words;  // the id of each core word (Impl::word_count distinct)
};

// Where a name's trigrams are, how many, and their signature: what the filter reads of a name.
struct NameGrams {
  Signature signature;
  std::uint32_t begin = 0;  // into Trigrams::pool
  std::uint32_t count = 0;
};

// One name in a posting list, with the filter data of the name copied beside it, so the filter
// reads each list sequentially and touches a name's own data (its trigrams, its stamp) only for
// the few that pass the signature test.
struct Posting {
  Signature signature;
  std::uint32_t id;
  std::uint32_t count;  // the name's trigrams
};

// The trigrams of the indexed names, both ways.
struct Trigrams {
  std::vector<Gram> pool;            // the trigrams of all names, name after name
  std::vector<NameGrams> names;      // of name i
  absl::flat_hash_map<Gram, std::vector<Posting>> postings;  // trigram -> names
};

}  // namespace

struct NameIndex::Impl {
  std::vector<IndexedName> names;  // every form of every name, in entry then alias order
  Trigrams grams;
  std::size_t name_count = 0;  // names of the entries (a name can have two forms)
  std::size_t word_count = 0;  // distinct core words (IndexedName::words)
};

NameIndex::NameIndex(std::vector<const ListEntry*> entries) : entries_(std::move(entries)) {
  auto impl = std::make_shared<Impl>();
  absl::flat_hash_map<std::string, std::uint32_t> word_ids;
  for (std::uint32_t e = 0; e < entries_.size(); ++e) {
    const auto& names = entries_[e]->names;
    for (std::size_t a = 0; a < names.size() && a <= UINT16_MAX; ++a) {
      ++impl->name_count;
      for (NormName& form : Normalize(names[a])) {
        const auto id = static_cast<std::uint32_t>(impl->names.size());
        NameGrams summary;
        summary.begin = static_cast<std::uint32_t>(impl->grams.pool.size());
        for (Gram g : Grams(form)) {
          impl->grams.postings[g].push_back({Signature{}, id, 0});
          impl->grams.pool.push_back(g);
          summary.signature.Add(g);
          ++summary.count;
        }
        impl->grams.names.push_back(summary);
        std::vector<std::uint32_t> words;
        for (const std::string& word : form.core) {
          words.push_back(
              word_ids.try_emplace(word, static_cast<std::uint32_t>(word_ids.size())).first->second);
        }
        impl->names.push_back(
            {e, static_cast<std::uint16_t>(a), std::move(form), std::move(words)});
      }
    }
  }
  // Each posting list by the names' trigram counts (then id), so a query reads only the names
  // whose count it can accept (FindCandidates).
  for (auto& [gram, list] : impl->grams.postings) {
    const auto& names = impl->grams.names;
    for (Posting& p : list) p.signature = names[p.id].signature, p.count = names[p.id].count;
    std::stable_sort(list.begin(), list.end(),
                     [](const Posting& a, const Posting& b) { return a.count < b.count; });
  }
  impl->word_count = word_ids.size();
  impl_ = std::move(impl);
}

std::size_t NameIndex::name_count() const { return impl_ ? impl_->name_count : 0; }

namespace {

// Per-thread scratch space, so Screen stays const and allocation-free once warm.
struct Scratch {
  std::vector<std::uint32_t> stamp;  // the epoch (query form) that last saw each name
  std::uint32_t epoch = 0;
  std::vector<std::uint32_t> candidates;
  std::uint64_t gram_bits[kGramWords] = {};  // the query form's trigrams (GramBit)
  // Word similarities of this query: the query word in `slot` (its form's first kCachedWords
  // words, form after form) against listed word w at sims[w * slots + slot], valid when its
  // stamp is sim_epoch. A common listed word is compared with the query once, however many
  // candidates have it.
  struct Sim {
    double value;
    std::uint32_t stamp;
  };
  std::vector<Sim> sims;
  std::uint32_t sim_epoch = 0;
};

constexpr std::size_t kCachedWords = 8;

Scratch& QueryScratch() {
  thread_local Scratch scratch;
  scratch.candidates.clear();
  return scratch;
}

void NewEpoch(Scratch& s, std::size_t names) {
  if (s.stamp.size() < names) s.stamp.resize(names, 0);
  if (++s.epoch == 0) {
    std::fill(s.stamp.begin(), s.stamp.end(), 0);
    s.epoch = 1;
  }
}

}  // namespace

// Scores names (ids in ascending order, so an entry's names are together) and keeps each entry's
// best alias, weighted by country, when it reaches min_score.
namespace {

// Appends to s.candidates the names sharing enough trigrams with `form` (see the top of the file).
void FindCandidates(const Trigrams& index, const NormName& form, int min_score, Scratch& s) {
  static const std::vector<Posting> kNone;
  const std::vector<Gram> grams = Grams(form);
  const std::size_t required = RequiredGrams(grams.size(), min_score);
  // Rarest first: a name sharing `required` trigrams shares one of the first g - required + 1.
  absl::InlinedVector<const std::vector<Posting>*, 64> lists;
  Signature query;
  for (Gram g : grams) {
    query.Add(g);
    auto it = index.postings.find(g);
    lists.push_back(it == index.postings.end() ? &kNone : &it->second);
    s.gram_bits[GramBit(g) >> 6] |= std::uint64_t{1} << (GramBit(g) & 63);
  }
  std::sort(lists.begin(), lists.end(),
            [](const auto* a, const auto* b) { return a->size() < b->size(); });
  // The trigrams a name of n trigrams must share: the query's requirement and its own.
  // Beyond most_grams, a name's own requirement exceeds the query's trigrams: n - LostAtMost(n)
  // <= g gives n <= (g + 3 + 0.4 * room) / 0.8.
  const double room = 100 - std::clamp(min_score, 0, 100);
  const auto most_grams = static_cast<std::size_t>(
      (static_cast<double>(grams.size()) + 3.0 + 0.4 * room) / 0.8 + 1.0);
  absl::InlinedVector<std::uint32_t, 128> need(std::min<std::size_t>(most_grams, 255) + 1);
  for (std::size_t n = 0; n < need.size(); ++n) {
    need[n] = static_cast<std::uint32_t>(std::max(required, RequiredGrams(n, min_score)));
  }
  NewEpoch(s, index.names.size());
  const Gram* pool = index.pool.data();
  const std::size_t prefix = grams.size() - required + 1;
  auto needed = [&](std::size_t n) {
    return n < need.size() ? need[n] : std::max(required, RequiredGrams(n, min_score));
  };
  // Length-aware prefix filtering: a name of n trigrams sharing needed(n) of the query's g shares
  // one of the g - needed(n) + 1 rarest, so list k need only hold the names with
  // needed(n) <= g - k: as needed(n) grows with n, those with n <= longest. The lists are sorted
  // by n, so that is a range of each.
  std::size_t longest = most_grams;
  for (std::size_t k = 0; k < prefix && k < lists.size(); ++k) {
    while (longest >= required && needed(longest) > grams.size() - k) --longest;
    if (longest < required) break;
    const std::vector<Posting>& list = *lists[k];
    auto first = std::partition_point(list.begin(), list.end(), [&](const Posting& p) {
      return p.count < required;
    });
    auto last = std::partition_point(first, list.end(), [&](const Posting& p) {
      return p.count <= longest;
    });
    for (auto it = first; it != last; ++it) {
      // The signature first (in the list itself): a name it rules out is ruled out in every list,
      // so testing it again in a later list gives the same answer without a stamp.
      const std::size_t wanted = needed(it->count);
      if (it->count - it->signature.Outside(query) < wanted) continue;
      const std::uint32_t id = it->id;
      if (s.stamp[id] == s.epoch) continue;  // seen in a rarer list
      s.stamp[id] = s.epoch;
      const NameGrams& name = index.names[id];
      std::size_t shared = 0;
      for (std::uint32_t i = name.begin; i < name.begin + name.count; ++i) {
        const std::uint32_t bit = GramBit(pool[i]);
        shared += (s.gram_bits[bit >> 6] >> (bit & 63)) & 1;
      }
      if (shared >= wanted) s.candidates.push_back(id);
    }
  }
  for (Gram g : grams) s.gram_bits[GramBit(g) >> 6] = 0;
}

template <typename Ids>
void Collect(const NameIndex& index, const std::vector<IndexedName>& names,
             std::size_t word_count, const absl::InlinedVector<NormName, 2>& query,
             const NameQuery& q, const Ids& ids, Scratch& s, std::vector<NameMatch>* out) {
  // The cache of word similarities (Scratch::sims): TokenSimilarity is a function of the two
  // words only, so a cached value is the value itself and the scores are unchanged.
  absl::InlinedVector<std::size_t, 2> first_slot;
  std::size_t slots = 0;
  for (const NormName& form : query) {
    first_slot.push_back(slots);
    slots += std::min(form.core.size(), kCachedWords);
  }
  if (s.sims.size() < slots * word_count) s.sims.resize(slots * word_count, {0.0, 0});
  if (++s.sim_epoch == 0) {
    std::fill(s.sims.begin(), s.sims.end(), Scratch::Sim{0.0, 0});
    s.sim_epoch = 1;
  }
  auto score_all = [&](const IndexedName& name) {
    int best_score = 0;
    for (std::size_t f = 0; f < query.size(); ++f) {
      const NormName& form = query[f];
      const std::size_t base = first_slot[f];
      best_score = std::max(
          best_score,
          ScoreForms(form, name.form, q.min_score, [&](std::uint32_t i, std::uint32_t j) {
            if (i >= kCachedWords) return TokenSimilarity(form.core[i], name.form.core[j]);
            Scratch::Sim& c = s.sims[name.words[j] * slots + base + i];
            if (c.stamp != s.sim_epoch) {
              c.value = TokenSimilarity(form.core[i], name.form.core[j]);
              c.stamp = s.sim_epoch;
            }
            return c.value;
          }));
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
    const int score = score_all(name);
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
  // The index's filter is calibrated for min_score >= kReviewScore only (see LostAtMost): below,
  // a name can score min_score without sharing a trigram with the query, so the answer comes
  // from the linear scan, which is exact for any min_score.
  if (q.min_score < kReviewScore) {
    ScreenLinear(q, out);
    return;
  }
  out->clear();
  if (!impl_) return;
  const auto query = Normalize(q.name);
  if (query.empty()) return;
  Scratch& s = QueryScratch();
  for (const NormName& form : query) FindCandidates(impl_->grams, form, q.min_score, s);
  std::sort(s.candidates.begin(), s.candidates.end());
  s.candidates.erase(std::unique(s.candidates.begin(), s.candidates.end()), s.candidates.end());
  Collect(*this, impl_->names, impl_->word_count, query, q, s.candidates, s, out);
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
  Collect(*this, impl_->names, impl_->word_count, query, q,
          AllIds{static_cast<std::uint32_t>(impl_->names.size())}, QueryScratch(), out);
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
