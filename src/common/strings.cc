#include <cstdint>
#include <cstring>
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <simdjson.h>

#include "absl/strings/str_cat.h"
#include "src/common/source.h"

namespace exportctl::internal {

namespace {
int EditDistance(std::string_view a, std::string_view b) {
  std::vector<int> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    int diag = row[0];
    row[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      int up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}
}  // namespace

std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates,
                         std::int64_t* budget) {
  std::string best;
  std::size_t limit = std::max<std::size_t>(2, word.size() / 3);  // the farthest one taken
  for (const std::string& c : candidates) {
    // The distance is at least the difference in length.
    const std::size_t gap = c.size() > word.size() ? c.size() - word.size() : word.size() - c.size();
    if (gap > limit) continue;
    if (budget) {
      const std::int64_t cost = 1 + static_cast<std::int64_t>(word.size()) *
                                        static_cast<std::int64_t>(c.size());
      if (*budget < cost) {
        *budget = 0;
        break;
      }
      *budget -= cost;
    }
    const std::size_t d = static_cast<std::size_t>(EditDistance(word, c));
    // Closer, or as close and first in order: the same answer whatever the candidates' order.
    if (d < limit || (d == limit && (best.empty() || c < best))) {
      limit = d;
      best = c;
    }
  }
  return best;
}

namespace {
// The length of the well-formed UTF-8 sequence starting at s[i] (a byte >= 0x80), or 0 when
// there is none (RFC 3629, section 4: no overlong forms, surrogates or code points past
// U+10FFFF).
std::size_t Utf8SequenceAt(std::string_view s, std::size_t i) {
  auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = at(i);
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // the range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;  // overlong
    if (c == 0xED) hi = 0x9F;  // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;  // overlong
    if (c == 0xF4) hi = 0x8F;  // past U+10FFFF
  } else {
    return 0;
  }
  if (i + n > s.size() || at(i + 1) < lo || at(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k) {
    if ((at(i + k) & 0xC0) != 0x80) return 0;
  }
  return n;
}
}  // namespace

std::size_t FirstInvalidUtf8(std::string_view s) {
  if (simdjson::validate_utf8(s.data(), s.size())) return s.size();  // the common case, SIMD
  std::size_t i = 0;
  while (i < s.size()) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
    } else if (std::size_t n = Utf8SequenceAt(s, i)) {
      i += n;
    } else {
      return i;
    }
  }
  return s.size();
}

namespace {
// Whether any of the 8 bytes in `w` is below 0x20, a quote or a backslash (exact; bytes of
// multi-byte UTF-8 sequences are >= 0x80 and never match).
bool NeedsEscape(std::uint64_t w) {
  constexpr std::uint64_t kOnes = 0x0101010101010101, kHigh = 0x8080808080808080;
  const std::uint64_t quote = w ^ (kOnes * '"'), backslash = w ^ (kOnes * '\\');
  return (((w - kOnes * 0x20) & ~w) | ((quote - kOnes) & ~quote) |
          ((backslash - kOnes) & ~backslash)) & kHigh;
}
}  // namespace

// Every text is checked for UTF-8 where it enters (rule files, JSON, list files); a string set
// from C++ (a Request built in code) is not, and JSON must be UTF-8: a byte that does not start
// a well-formed sequence is written as U+FFFD. ASCII words keep the fast path.
void AppendJsonQuoted(std::string& out, std::string_view s) {
  constexpr std::uint64_t kHigh = 0x8080808080808080;
  out.push_back('"');
  size_t run = 0;  // start of the pending run of characters that need no escape
  size_t i = 0;
  for (std::uint64_t w; i + 8 <= s.size(); i += 8) {  // skip clean ASCII 8-byte words
    std::memcpy(&w, s.data() + i, 8);
    if (NeedsEscape(w) || (w & kHigh)) break;
  }
  for (; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      if (std::size_t n = Utf8SequenceAt(s, i)) {
        i += n - 1;
        continue;
      }
      out.append(s.data() + run, i - run);
      run = i + 1;
      out += "\xEF\xBF\xBD";
      continue;
    }
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: {
        static const char kHex[] = "0123456789abcdef";
        out += "\\u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
      }
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

void AppendJsonNumber(std::string& out, double v) {
  if (std::isfinite(v)) {
    absl::StrAppend(&out, v);
  } else {
    out += "null";
  }
}

std::string JsonQuote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  AppendJsonQuoted(out, s);
  return out;
}

}  // namespace exportctl::internal
