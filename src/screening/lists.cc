// Restricted-party list loaders: OFAC SDN CSV, trade.gov CSL JSON and CSV, EU FSF XML (lists.h).
//
// Every loader reads the whole file before returning anything: the first malformed row, value or
// element refuses the list, so a screening never runs against half a list. Errors carry a stable
// code in the kListErrorPayload payload and a message "<file>:<line>:<column>: <message>".
#include "src/screening/lists.h"

#include <openssl/evp.h>
#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <pugixml.hpp>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "src/check/schema.h"
#include "src/common/source.h"
#include "src/common/status_macros.h"

namespace exportctl::internal {

std::size_t LoadedList::alias_count() const {
  std::size_t n = 0;
  for (const ListEntry& e : entries) n += e.names.empty() ? 0 : e.names.size() - 1;
  return n;
}

namespace {

namespace fs = std::filesystem;
namespace ondemand = simdjson::ondemand;

// One field longer than this is not a name or a remark but a broken file (an unclosed quote that
// swallowed the rest of it, say); refusing it keeps a bad file from becoming one huge alias.
constexpr std::size_t kMaxFieldBytes = kMaxListFieldBytes;

// ---------------------------------------------------------------------------------------------
// Errors and positions.

absl::Status ListError(std::string_view code, std::string_view file, std::string_view position,
                       std::string_view message) {
  std::string text = position.empty()
                         ? absl::StrCat(Av(file), ": ", Av(message))
                         : absl::StrCat(Av(file), ":", Av(position), ": ", Av(message));
  absl::Status st = absl::InvalidArgumentError(text);
  st.SetPayload(Av(kListErrorPayload), absl::Cord(Av(code)));
  return st;
}

// 1-based line and column (in bytes) of `offset` in `text`.
struct LineColumn {
  std::size_t line = 1, column = 1;
};

LineColumn LineColumnAt(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  LineColumn lc;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset;) {
    const void* nl = std::memchr(text.data() + i, '\n', offset - i);
    if (!nl) break;
    i = static_cast<const char*>(nl) - text.data() + 1;
    ++lc.line;
    line_start = i;
  }
  lc.column = offset - line_start + 1;
  return lc;
}

std::string Pos(LineColumn lc) { return absl::StrCat(lc.line, ":", lc.column); }
std::string Pos(std::string_view text, std::size_t offset) {
  return Pos(LineColumnAt(text, offset));
}

// Counts lines forward through a text, for the `source` of each entry: offsets only grow, so
// the whole file is scanned once however many entries it has.
class LineCounter {
 public:
  explicit LineCounter(std::string_view text) : text_(text) {}
  std::size_t LineAt(std::size_t offset) {
    offset = std::min(offset, text_.size());
    if (offset < offset_) return LineColumnAt(text_, offset).line;  // not expected; stay correct
    line_ += std::count(text_.begin() + offset_, text_.begin() + offset, '\n');
    offset_ = offset;
    return line_;
  }

 private:
  std::string_view text_;
  std::size_t offset_ = 0, line_ = 1;
};

// ---------------------------------------------------------------------------------------------
// Small text helpers.

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsValidDate(std::string_view s) {
  std::int32_t days;
  return s.size() == 10 && ParseDate(s, &days);
}

// The last YYYY-MM-DD in a file's base name ("ofac-sdn-2024-03-15.csv"), else empty.
std::string DateFromFileName(std::string_view name) {
  std::size_t slash = name.find_last_of('/');
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  for (std::size_t i = name.size(); i >= 10; --i) {
    std::string_view candidate = name.substr(i - 10, 10);
    if (IsValidDate(candidate)) return std::string(candidate);
  }
  return {};
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && Upper(a) == Upper(b);
}

void AddUnique(std::vector<std::string>& v, std::string s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(std::move(s));
}

// Latin-1 to UTF-8. OFAC's legacy CSV is Latin-1; most of its fields are ASCII, so the common
// case is one scan and one copy.
std::string Latin1ToUtf8(std::string_view s) {
  auto high = std::find_if(s.begin(), s.end(), [](char c) { return c & 0x80; });
  if (high == s.end()) return std::string(s);
  std::string out;
  out.reserve(s.size() + 8);
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t run = i;
    while (run < s.size() && !(s[run] & 0x80)) ++run;
    out.append(s.data() + i, run - i);
    if (run == s.size()) break;
    unsigned char c = static_cast<unsigned char>(s[run]);
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    i = run + 1;
  }
  return out;
}

bool IsBadControl(unsigned char c) {
  return (c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7F;
}

// The first control character that no list field may hold (all but tab, CR and LF), or npos.
// Blocks are checked without an early exit, which the compiler vectorises; only a block that
// holds one is searched byte by byte.
std::size_t FindControl(std::string_view text) {
  constexpr std::size_t kBlock = 64;
  std::size_t i = 0;
  for (; i + kBlock <= text.size(); i += kBlock) {
    bool bad = false;
    for (std::size_t k = 0; k < kBlock; ++k) {
      bad |= IsBadControl(static_cast<unsigned char>(text[i + k]));
    }
    if (bad) break;
  }
  for (; i < text.size(); ++i) {
    if (IsBadControl(static_cast<unsigned char>(text[i]))) return i;
  }
  return std::string_view::npos;
}

// The text without the DOS end-of-file byte (0x1A) that OFAC and the CSL CSV end with, alone or
// on a line of its own, nor the line ends around it.
std::string_view StripEofMarker(std::string_view text) {
  std::string_view t = text;
  while (!t.empty() && (t.back() == '\r' || t.back() == '\n')) t.remove_suffix(1);
  if (t.empty() || t.back() != '\x1a') return text;
  while (!t.empty() && t.back() == '\x1a') t.remove_suffix(1);
  return t;
}

// ---------------------------------------------------------------------------------------------
// Country names as OFAC writes them (SDN Remarks "nationality X", "citizen X", and Vess_flag),
// to ISO 3166-1 alpha-2. Only names that denote one country unambiguously; any other name
// ("Palestinian", "Region: Gaza", "None Identified") gives no country rather than a guess.

struct CountryName {
  std::string_view name, code;
};
// clang-format off
constexpr CountryName kCountryNames[] = {
    {"Afghanistan", "AF"}, {"Albania", "AL"}, {"Algeria", "DZ"}, {"Andorra", "AD"},
    {"Angola", "AO"}, {"Antigua and Barbuda", "AG"}, {"Argentina", "AR"}, {"Armenia", "AM"},
    {"Aruba", "AW"}, {"Australia", "AU"}, {"Austria", "AT"}, {"Azerbaijan", "AZ"},
    {"Bahamas", "BS"}, {"Bahamas, The", "BS"}, {"Bahrain", "BH"}, {"Bangladesh", "BD"},
    {"Barbados", "BB"}, {"Belarus", "BY"}, {"Belgium", "BE"}, {"Belize", "BZ"}, {"Benin", "BJ"},
    {"Bolivia", "BO"}, {"Bosnia and Herzegovina", "BA"}, {"Botswana", "BW"}, {"Brazil", "BR"},
    {"British Virgin Islands", "VG"}, {"Brunei", "BN"}, {"Bulgaria", "BG"},
    {"Burkina Faso", "BF"}, {"Burma", "MM"}, {"Burundi", "BI"}, {"Cabo Verde", "CV"},
    {"Cambodia", "KH"}, {"Cameroon", "CM"}, {"Canada", "CA"}, {"Cayman Islands", "KY"},
    {"Central African Republic", "CF"}, {"Chad", "TD"}, {"Chile", "CL"}, {"China", "CN"},
    {"Colombia", "CO"}, {"Comoros", "KM"}, {"Congo, Democratic Republic of the", "CD"},
    {"Congo, Republic of the", "CG"}, {"Cook Islands", "CK"}, {"Costa Rica", "CR"},
    {"Cote d'Ivoire", "CI"}, {"Croatia", "HR"}, {"Cuba", "CU"}, {"Curacao", "CW"},
    {"Cyprus", "CY"}, {"Czech Republic", "CZ"}, {"Czechia", "CZ"},
    {"Democratic People's Republic of Korea", "KP"}, {"Denmark", "DK"}, {"Djibouti", "DJ"},
    {"Dominica", "DM"}, {"Dominican Republic", "DO"}, {"Ecuador", "EC"}, {"Egypt", "EG"},
    {"El Salvador", "SV"}, {"Equatorial Guinea", "GQ"}, {"Eritrea", "ER"}, {"Estonia", "EE"},
    {"Eswatini", "SZ"}, {"Ethiopia", "ET"}, {"Fiji", "FJ"}, {"Finland", "FI"}, {"France", "FR"},
    {"Gabon", "GA"}, {"Gambia, The", "GM"}, {"Georgia", "GE"}, {"Germany", "DE"},
    {"Ghana", "GH"}, {"Gibraltar", "GI"}, {"Greece", "GR"}, {"Grenada", "GD"},
    {"Guatemala", "GT"}, {"Guernsey", "GG"}, {"Guinea", "GN"}, {"Guinea-Bissau", "GW"},
    {"Guyana", "GY"}, {"Haiti", "HT"}, {"Honduras", "HN"}, {"Hong Kong", "HK"},
    {"Hungary", "HU"}, {"Iceland", "IS"}, {"India", "IN"}, {"Indonesia", "ID"}, {"Iran", "IR"},
    {"Iraq", "IQ"}, {"Ireland", "IE"}, {"Isle of Man", "IM"}, {"Israel", "IL"}, {"Italy", "IT"},
    {"Jamaica", "JM"}, {"Japan", "JP"}, {"Jersey", "JE"}, {"Jordan", "JO"},
    {"Kazakhstan", "KZ"}, {"Kenya", "KE"}, {"Kiribati", "KI"}, {"Korea, North", "KP"},
    {"Korea, South", "KR"}, {"Kosovo", "XK"}, {"Kuwait", "KW"}, {"Kyrgyzstan", "KG"},
    {"Laos", "LA"}, {"Latvia", "LV"}, {"Lebanon", "LB"}, {"Lesotho", "LS"}, {"Liberia", "LR"},
    {"Libya", "LY"}, {"Liechtenstein", "LI"}, {"Lithuania", "LT"}, {"Luxembourg", "LU"},
    {"Macau", "MO"}, {"Madagascar", "MG"}, {"Malawi", "MW"}, {"Malaysia", "MY"},
    {"Maldives", "MV"}, {"Mali", "ML"}, {"Malta", "MT"}, {"Marshall Islands", "MH"},
    {"Mauritania", "MR"}, {"Mauritius", "MU"}, {"Mexico", "MX"}, {"Moldova", "MD"},
    {"Monaco", "MC"}, {"Mongolia", "MN"}, {"Montenegro", "ME"}, {"Morocco", "MA"},
    {"Mozambique", "MZ"}, {"Namibia", "NA"}, {"Nepal", "NP"}, {"Netherlands", "NL"},
    {"New Zealand", "NZ"}, {"Nicaragua", "NI"}, {"Niger", "NE"}, {"Nigeria", "NG"},
    {"North Macedonia, The Republic of", "MK"}, {"Norway", "NO"}, {"Oman", "OM"},
    {"Pakistan", "PK"}, {"Palau", "PW"}, {"Panama", "PA"}, {"Papua New Guinea", "PG"},
    {"Paraguay", "PY"}, {"Peru", "PE"}, {"Philippines", "PH"}, {"Poland", "PL"},
    {"Portugal", "PT"}, {"Qatar", "QA"}, {"Romania", "RO"}, {"Russia", "RU"}, {"Rwanda", "RW"},
    {"Saint Kitts and Nevis", "KN"}, {"Saint Lucia", "LC"}, {"Samoa", "WS"},
    {"Sao Tome and Principe", "ST"}, {"Saudi Arabia", "SA"}, {"Senegal", "SN"},
    {"Serbia", "RS"}, {"Seychelles", "SC"}, {"Sierra Leone", "SL"}, {"Singapore", "SG"},
    {"Slovakia", "SK"}, {"Slovenia", "SI"}, {"Somalia", "SO"}, {"South Africa", "ZA"},
    {"South Sudan", "SS"}, {"Spain", "ES"}, {"Sri Lanka", "LK"}, {"St. Kitts & Nevis", "KN"},
    {"St. Kitts and Nevis", "KN"}, {"St. Vincent and the Grenadines", "VC"}, {"Sudan", "SD"},
    {"Suriname", "SR"}, {"Sweden", "SE"}, {"Switzerland", "CH"}, {"Syria", "SY"},
    {"Taiwan", "TW"}, {"Tajikistan", "TJ"}, {"Tanzania", "TZ"}, {"Thailand", "TH"},
    {"The Gambia", "GM"}, {"Timor-Leste", "TL"}, {"Togo", "TG"}, {"Tonga", "TO"},
    {"Trinidad and Tobago", "TT"}, {"Tunisia", "TN"}, {"Turkey", "TR"}, {"Turkiye", "TR"},
    {"Turkmenistan", "TM"}, {"Tuvalu", "TV"}, {"Uganda", "UG"}, {"Ukraine", "UA"},
    {"United Arab Emirates", "AE"}, {"United Kingdom", "GB"}, {"United States", "US"},
    {"Uruguay", "UY"}, {"Uzbekistan", "UZ"}, {"Vanuatu", "VU"}, {"Venezuela", "VE"},
    {"Vietnam", "VN"}, {"Yemen", "YE"}, {"Zambia", "ZM"}, {"Zimbabwe", "ZW"},
};
// clang-format on

std::string_view CountryCodeForName(std::string_view name) {
  if (name.empty()) return {};
  for (const CountryName& c : kCountryNames) {
    if (c.name == name) return c.code;
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// CSV: RFC 4180 records (quoted fields, "" escapes, CRLF or LF), with the position of every
// field kept for errors. Fields are views into the text; only a field with "" escapes is copied.

struct CsvField {
  std::string_view value;
  std::size_t offset = 0;  // of the field's first byte, for errors
};

class CsvReader {
 public:
  CsvReader(std::string_view file, std::string_view text) : file_(file), text_(text) {}

  // Reads the next non-blank record into `fields`. Returns false at the end of the text.
  absl::StatusOr<bool> Next(std::vector<CsvField>& fields) {
    fields.clear();
    unescaped_used_ = 0;
    while (pos_ < text_.size() && (text_[pos_] == '\n' || text_[pos_] == '\r')) ++pos_;
    if (pos_ >= text_.size()) return false;
    record_offset_ = pos_;
    while (true) {
      CsvField field;
      field.offset = pos_;
      absl::Status st = pos_ < text_.size() && text_[pos_] == '"' ? Quoted(field) : Plain(field);
      if (!st.ok()) return st;
      if (field.value.size() > kMaxFieldBytes) {
        return Malformed(field.offset,
                         absl::StrCat("a field of more than ", kMaxFieldBytes, " bytes"));
      }
      fields.push_back(field);
      if (pos_ >= text_.size()) return true;
      char c = text_[pos_++];
      if (c == ',') continue;
      if (c == '\r' && pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
      return true;  // '\n' or '\r'
    }
  }

  std::size_t record_offset() const { return record_offset_; }
  absl::Status Malformed(std::size_t offset, std::string_view message) const {
    return ListError("list_malformed", file_, Pos(text_, offset), message);
  }

 private:
  static bool IsEnd(char c) { return c == ',' || c == '\n' || c == '\r'; }

  absl::Status Plain(CsvField& field) {
    std::size_t start = pos_;
    while (pos_ < text_.size() && !IsEnd(text_[pos_])) {
      if (text_[pos_] == '"') return Malformed(pos_, "a quote inside an unquoted field");
      ++pos_;
    }
    field.value = text_.substr(start, pos_ - start);
    return absl::OkStatus();
  }

  absl::Status Quoted(CsvField& field) {
    std::size_t open = pos_++;
    std::string* copy = nullptr;
    std::size_t chunk = pos_;
    while (true) {
      std::size_t quote = text_.find('"', pos_);
      if (quote == std::string_view::npos) return Malformed(open, "an unterminated quoted field");
      if (quote + 1 < text_.size() && text_[quote + 1] == '"') {  // "" stands for one quote
        if (!copy) copy = &Scratch();
        copy->append(text_.data() + chunk, quote + 1 - chunk);
        pos_ = chunk = quote + 2;
        if (copy->size() > kMaxFieldBytes) {
          return Malformed(open, absl::StrCat("a field of more than ", kMaxFieldBytes, " bytes"));
        }
        continue;
      }
      pos_ = quote + 1;
      if (copy) {
        copy->append(text_.data() + chunk, quote - chunk);
        field.value = *copy;
      } else {
        field.value = text_.substr(chunk, quote - chunk);
      }
      break;
    }
    // OFAC writes a space after some quoted fields ("CUBA" ,) as after `-0- `; allow spaces only.
    while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
    if (pos_ < text_.size() && !IsEnd(text_[pos_])) {
      return Malformed(pos_, "text after a closing quote");
    }
    return absl::OkStatus();
  }

  // A string for one unescaped field, kept until the next record (its capacity is reused).
  std::string& Scratch() {
    if (unescaped_used_ == unescaped_.size()) unescaped_.emplace_back();
    std::string& s = unescaped_[unescaped_used_++];
    s.clear();
    return s;
  }

  std::string_view file_, text_;
  std::size_t pos_ = 0, record_offset_ = 0;
  // Fields point into these strings: a deque never moves its elements as it grows.
  std::deque<std::string> unescaped_;
  std::size_t unescaped_used_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Shared checks for the fields of an entry.

// Where an entry's fields are, for errors. The position is worked out only when an error is
// made: counting lines for every field of a large file would be quadratic.
struct EntryContext {
  std::string_view file;
  std::string_view text;  // the file's bytes, to find `offset`'s line and column
  std::size_t offset = 0;
  std::size_t line = 0;             // when the caller knows it (CSV rows: column 1), else 0
  std::string_view json_path = {};  // "$.results[3].name", shown after the position
  std::string_view element = {};    // "nameAlias", shown after the position as <nameAlias>

  // The same entry, pointing at the field that starts at `field_offset`.
  EntryContext AtField(std::size_t field_offset) const {
    EntryContext field = *this;
    field.offset = field_offset;
    field.line = 0;
    return field;
  }

  absl::Status Error(std::string_view code, std::string_view message) const {
    std::string position = line ? absl::StrCat(line, ":1") : Pos(text, offset);
    if (!json_path.empty()) absl::StrAppend(&position, " (", Av(json_path), ")");
    if (!element.empty()) absl::StrAppend(&position, " <", Av(element), ">");
    return ListError(code, file, position, message);
  }
};

// Every text an entry keeps passes here: it goes into matches and decisions, and their JSON.
// (The EU XML was taken as it came: pugixml neither checks UTF-8 nor refuses a character
// reference to a surrogate, so a name with a broken character made invalid JSON.)
absl::Status CheckText(const EntryContext& at, std::string_view field, std::string_view value) {
  if (value.size() > kMaxFieldBytes) {
    return at.Error("list_malformed",
                    absl::StrCat(Av(field), " is longer than ", kMaxFieldBytes, " bytes"));
  }
  if (FirstInvalidUtf8(value) < value.size()) {
    return at.Error("list_malformed", absl::StrCat(Av(field), " is not valid UTF-8"));
  }
  return absl::OkStatus();
}

// Adds an ISO 3166-1 alpha-2 code (any case); empty adds nothing, anything else is an error.
absl::Status AddCountryCode(const EntryContext& at, std::string_view field, std::string_view value,
                            std::vector<std::string>& countries) {
  value = Trim(value);
  if (value.empty()) return absl::OkStatus();
  std::string code = Upper(value);
  if (code.size() != 2 || !IsCountryCode(code)) {
    return at.Error("list_invalid_field", absl::StrCat(Av(field), " \"", Av(value.substr(0, 64)),
                                                       "\" is not an ISO 3166-1 alpha-2 code"));
  }
  AddUnique(countries, std::move(code));
  return absl::OkStatus();
}

absl::Status SetDate(const EntryContext& at, std::string_view field, std::string_view value,
                     std::string& out) {
  value = Trim(value);
  if (value.empty()) return absl::OkStatus();
  if (!IsValidDate(value)) {
    return at.Error("list_invalid_field", absl::StrCat(Av(field), " \"", Av(value.substr(0, 64)),
                                                       "\" is not a YYYY-MM-DD date"));
  }
  out.assign(value);
  return absl::OkStatus();
}

absl::Status CheckRequired(const EntryContext& at, const ListEntry& e) {
  if (e.id.empty()) return at.Error("list_missing_field", "the entry has no id");
  if (e.names.empty() || e.names[0].empty()) {
    return at.Error("list_missing_field", "the entry has no name");
  }
  return absl::OkStatus();
}

// Refuses a second entry with the same list code and id: the matcher reports entries by id, and
// two different parties under one id would make its answer ambiguous.
class DuplicateIds {
 public:
  absl::Status Add(const EntryContext& at, const ListEntry& e) {
    if (seen_.insert(absl::StrCat(Av(e.list), "\x1f", Av(e.id))).second) return absl::OkStatus();
    return at.Error("list_duplicate_id",
                    absl::StrCat("a second ", Av(e.list), " entry with id \"", Av(e.id), "\""));
  }

 private:
  absl::flat_hash_set<std::string> seen_;
};

// ---------------------------------------------------------------------------------------------
// OFAC SDN legacy CSV.

constexpr int kSdnColumns = 12;
enum SdnColumn {
  kEntNum,
  kSdnName,
  kSdnType,
  kProgram,
  kTitle,
  kCallSign,
  kVessType,
  kTonnage,
  kGrt,
  kVessFlag,
  kVessOwner,
  kRemarks
};

// `-0-` is how the SDN CSV writes an empty field, with or without spaces around it.
std::string_view SdnValue(std::string_view raw) {
  std::string_view v = Trim(raw);
  return v == "-0-" ? std::string_view() : v;
}

// "SDGT] [IRGC" -> {SDGT, IRGC}: the programs of an entry are written "[A] [B]" with the outer
// brackets stripped.
void AddSdnPrograms(std::string_view text, std::vector<std::string>& programs) {
  while (!text.empty()) {
    std::size_t sep = text.find("] [");
    std::string_view one = text.substr(0, sep);
    while (!one.empty() && (one.front() == '[' || one.front() == ' ')) one.remove_prefix(1);
    while (!one.empty() && (one.back() == ']' || one.back() == ' ')) one.remove_suffix(1);
    if (!one.empty()) AddUnique(programs, std::string(one));
    if (sep == std::string_view::npos) break;
    text.remove_prefix(sep + 3);
  }
}

// The end of an alias that starts at `begin` (after its opening quote): the first quote followed
// by `;`, by the end of the remarks, or by `.` ending them or a sentence. A quote followed by
// anything else is part of the name (`'ABD-AL-'IZ'`, `''FOOPIE''`). OFAC truncates long
// Remarks, so an alias may have no closing quote: it then runs to the end.
std::size_t SdnAliasEnd(std::string_view remarks, std::size_t begin) {
  for (std::size_t q = remarks.find('\'', begin); q != std::string_view::npos;
       q = remarks.find('\'', q + 1)) {
    if (q + 1 == remarks.size() || remarks[q + 1] == ';') return q;
    if (remarks[q + 1] == '.' && (q + 2 == remarks.size() || remarks[q + 2] == ' ')) return q;
  }
  return remarks.size();
}

// Appends the aliases written in Remarks as `a.k.a. 'NAME'`, `f.k.a. 'NAME'`, `n.k.a. 'NAME'`.
void AddSdnAliases(std::string_view remarks, std::vector<std::string>& names) {
  for (std::size_t k = remarks.find(".k.a. "); k != std::string_view::npos;
       k = remarks.find(".k.a. ", k + 1)) {
    if (k == 0) continue;
    char kind = remarks[k - 1];
    if (kind != 'a' && kind != 'f' && kind != 'n') continue;
    std::size_t begin = k + 6, end;
    if (begin < remarks.size() && remarks[begin] == '\'') {
      end = SdnAliasEnd(remarks, ++begin);
    } else {  // never seen unquoted; take the text up to the next `;`
      end = std::min(remarks.find(';', begin), remarks.size());
    }
    std::string_view alias = Trim(remarks.substr(begin, end - begin));
    if (!alias.empty()) names.emplace_back(alias);
  }
}

// Countries OFAC states in Remarks as "nationality X" or "citizen X" (also "alt. ..."), when X
// is a name in kCountryNames.
void AddSdnCountries(std::string_view remarks, std::vector<std::string>& countries) {
  while (!remarks.empty()) {
    std::size_t semi = remarks.find(';');
    std::string_view part = Trim(remarks.substr(0, semi));
    remarks = semi == std::string_view::npos ? std::string_view() : remarks.substr(semi + 1);
    if (part.substr(0, 5) == "alt. ") part.remove_prefix(5);
    std::string_view rest;
    if (part.substr(0, 12) == "nationality ") {
      rest = part.substr(12);
    } else if (part.substr(0, 8) == "citizen ") {
      rest = part.substr(8);
    } else {
      continue;
    }
    if (!rest.empty() && rest.back() == '.' && remarks.empty()) rest.remove_suffix(1);
    if (std::string_view code = CountryCodeForName(rest); !code.empty()) {
      AddUnique(countries, std::string(code));
    }
  }
}

absl::StatusOr<EntryType> SdnType(const EntryContext& at, std::string_view v) {
  if (v.empty()) return EntryType::kEntity;
  if (v == "individual") return EntryType::kIndividual;
  if (v == "vessel") return EntryType::kVessel;
  if (v == "aircraft") return EntryType::kAircraft;
  return at.Error("list_invalid_field",
                  absl::StrCat("SDN_Type \"", Av(v.substr(0, 64)),
                               "\" is not one of -0-, individual, vessel, aircraft"));
}

absl::Status ParseSdnRecord(const EntryContext& at, const std::vector<CsvField>& f, bool latin1,
                            ListEntry& e) {
  auto text = [&](int column) {
    std::string_view v = SdnValue(f[column].value);
    return latin1 ? Latin1ToUtf8(v) : std::string(v);
  };
  e.list = "SDN";
  e.id = text(kEntNum);
  if (!e.id.empty() &&
      !std::all_of(e.id.begin(), e.id.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return at.AtField(f[kEntNum].offset)
        .Error("list_invalid_field",
               absl::StrCat("ent_num \"", Av(std::string_view(e.id).substr(0, 64)),
                            "\" is not a number"));
  }
  e.names.push_back(text(kSdnName));
  absl::StatusOr<EntryType> type =
      SdnType(at.AtField(f[kSdnType].offset), SdnValue(f[kSdnType].value));
  if (!type.ok()) return type.status();
  e.type = *type;
  AddSdnPrograms(text(kProgram), e.programs);
  std::string remarks = text(kRemarks);
  AddSdnAliases(remarks, e.names);
  AddSdnCountries(remarks, e.countries);
  if (std::string_view flag = CountryCodeForName(text(kVessFlag)); !flag.empty()) {
    AddUnique(e.countries, std::string(flag));
  }
  return CheckRequired(at, e);
}

absl::Status ParseSdnCsv(std::string_view file, std::string_view text, LoadedList& list) {
  list.code = "SDN";
  list.format = "ofac-sdn-csv";
  // OFAC writes Latin-1; a file already converted to UTF-8 (valid UTF-8 is all but impossible by
  // chance in Latin-1 text with accented letters) is taken as it is, not converted twice.
  const bool latin1 = !simdjson::validate_utf8(text.data(), text.size());
  list.entries.reserve(std::count(text.begin(), text.end(), '\n') + 1);
  CsvReader reader(file, text);
  LineCounter lines(text);
  DuplicateIds ids;
  std::vector<CsvField> fields;
  fields.reserve(kSdnColumns + 4);
  while (true) {
    absl::StatusOr<bool> more = reader.Next(fields);
    if (!more.ok()) return more.status();
    if (!*more) break;
    std::size_t line = lines.LineAt(reader.record_offset());
    EntryContext at{.file = file, .text = text, .line = line};
    if (fields.size() != kSdnColumns) {
      return at.Error("list_malformed",
                      absl::StrCat("a row of ", fields.size(), " fields; the SDN CSV has 12"));
    }
    ListEntry& e = list.entries.emplace_back();
    EXPORTCTL_RETURN_IF_ERROR(ParseSdnRecord(at, fields, latin1, e));
    e.source = absl::StrCat(Av(file), ":", line);
    EXPORTCTL_RETURN_IF_ERROR(ids.Add(at, e));
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------------------------
// The Consolidated Screening List's sources, as the API writes them ("Entity List (EL) - Bureau
// of Industry and Security") or by their short codes.

struct CslSource {
  std::string_view code;
  std::string_view name_prefix;  // how the long form starts
};
constexpr CslSource kCslSources[] = {
    {"EL", "Entity List"},
    {"DPL", "Denied Persons List"},
    {"UVL", "Unverified List"},
    {"MEU", "Military End User"},
    {"SDN", "Specially Designated Nationals"},
    {"SSI", "Sectoral Sanctions Identifications"},
    {"FSE", "Foreign Sanctions Evaders"},
    {"ISN", "Nonproliferation Sanctions"},
    {"DTC", "ITAR Debarred"},
    {"DTC", "AECA Debarred"},
    {"CMIC", "Non-SDN Chinese Military-Industrial Complex"},
    {"CAP", "Correspondent Account or Payable-Through Account Sanctions"},
    {"CAP", "CAPTA"},
    {"PLC", "Non-SDN Palestinian Legislative Council"},
    {"MBS", "Non-SDN Menu-Based Sanctions"},
};

// Codes written in the long forms' parentheses that differ from the short code.
std::string_view CslCodeFor(std::string_view token) {
  std::string t = Upper(Trim(token));
  if (t == "CAPTA") return "CAP";
  if (t == "NS-PLC") return "PLC";
  if (t == "NS-MBS" || t == "NS-MBS LIST") return "MBS";
  for (const CslSource& s : kCslSources) {
    if (s.code == t) return s.code;
  }
  return {};
}

absl::StatusOr<std::string> CslSourceCode(const EntryContext& at, std::string_view source) {
  source = Trim(source);
  if (std::string_view code = CslCodeFor(source); !code.empty()) return std::string(code);
  std::size_t open = source.find('('), close = source.find(')', open);
  if (open != std::string_view::npos && close != std::string_view::npos) {
    if (std::string_view code = CslCodeFor(source.substr(open + 1, close - open - 1));
        !code.empty()) {
      return std::string(code);
    }
  }
  for (const CslSource& s : kCslSources) {
    if (source.substr(0, s.name_prefix.size()) == s.name_prefix) return std::string(s.code);
  }
  if (source.empty()) return at.Error("list_missing_field", "the entry has no source");
  return at.Error("list_invalid_field", absl::StrCat("source \"", Av(source.substr(0, 100)),
                                                     "\" is none of the CSL's lists"));
}

absl::StatusOr<EntryType> CslType(const EntryContext& at, std::string_view v) {
  v = Trim(v);
  if (v.empty()) return EntryType::kUnknown;
  if (EqualsIgnoreCase(v, "individual")) return EntryType::kIndividual;
  if (EqualsIgnoreCase(v, "entity")) return EntryType::kEntity;
  if (EqualsIgnoreCase(v, "vessel")) return EntryType::kVessel;
  if (EqualsIgnoreCase(v, "aircraft")) return EntryType::kAircraft;
  return at.Error("list_invalid_field",
                  absl::StrCat("type \"", Av(v.substr(0, 64)),
                               "\" is not one of Individual, Entity, Vessel, Aircraft"));
}

// ---------------------------------------------------------------------------------------------
// CSL CSV: a header row naming the columns (29 in the files seen; matched by name, so a column
// added or moved does not shift the others), `;` between the values of multi-valued columns.

struct CslCsvColumns {
  int id = -1, entity_number = -1, source = -1, type = -1, programs = -1, name = -1;
  int start_date = -1, end_date = -1, license_requirement = -1, alt_names = -1;
  int citizenships = -1, nationalities = -1;
  std::size_t count = 0;
};

CslCsvColumns CslCsvHeader(const std::vector<CsvField>& header) {
  CslCsvColumns c;
  c.count = header.size();
  const std::pair<std::string_view, int*> known[] = {
      {"_id", &c.id},
      {"id", &c.id},
      {"entity_number", &c.entity_number},
      {"source", &c.source},
      {"type", &c.type},
      {"programs", &c.programs},
      {"name", &c.name},
      {"start_date", &c.start_date},
      {"end_date", &c.end_date},
      {"license_requirement", &c.license_requirement},
      {"alt_names", &c.alt_names},
      {"citizenships", &c.citizenships},
      {"nationalities", &c.nationalities}};
  for (std::size_t i = 0; i < header.size(); ++i) {
    std::string_view h = Trim(header[i].value);
    for (const auto& [name, index] : known) {
      if (h == name && *index < 0) *index = static_cast<int>(i);
    }
  }
  return c;
}

// Calls `fn` with each trimmed, non-empty `;`-separated value of `text`.
template <typename Fn>
absl::Status ForEachValue(std::string_view text, Fn&& fn) {
  while (!text.empty()) {
    std::size_t semi = text.find(';');
    std::string_view one = Trim(text.substr(0, semi));
    if (!one.empty()) EXPORTCTL_RETURN_IF_ERROR(fn(one));
    if (semi == std::string_view::npos) break;
    text.remove_prefix(semi + 1);
  }
  return absl::OkStatus();
}

absl::Status ParseCslCsvRecord(const EntryContext& at, const CslCsvColumns& c,
                               const std::vector<CsvField>& f, ListEntry& e) {
  auto cell = [&](int column) { return column < 0 ? std::string_view() : Trim(f[column].value); };
  // Errors about one field point at it; a column the header lacks leaves them at the row.
  auto at_cell = [&](int column) { return column < 0 ? at : at.AtField(f[column].offset); };
  absl::StatusOr<std::string> code = CslSourceCode(at_cell(c.source), cell(c.source));
  if (!code.ok()) return code.status();
  e.list = *std::move(code);
  e.id = cell(c.id);
  if (e.id.empty()) e.id = cell(c.entity_number);
  absl::StatusOr<EntryType> type = CslType(at_cell(c.type), cell(c.type));
  if (!type.ok()) return type.status();
  e.type = *type;
  e.names.emplace_back(cell(c.name));
  EXPORTCTL_RETURN_IF_ERROR(ForEachValue(cell(c.alt_names), [&](std::string_view v) {
    e.names.emplace_back(v);
    return absl::OkStatus();
  }));
  EXPORTCTL_RETURN_IF_ERROR(ForEachValue(cell(c.programs), [&](std::string_view v) {
    AddUnique(e.programs, std::string(v));
    return absl::OkStatus();
  }));
  for (int column : {c.citizenships, c.nationalities}) {
    EXPORTCTL_RETURN_IF_ERROR(ForEachValue(cell(column), [&](std::string_view v) {
      return AddCountryCode(at_cell(column), "country", v, e.countries);
    }));
  }
  EXPORTCTL_RETURN_IF_ERROR(
      SetDate(at_cell(c.start_date), "start_date", cell(c.start_date), e.start_date));
  EXPORTCTL_RETURN_IF_ERROR(SetDate(at_cell(c.end_date), "end_date", cell(c.end_date), e.end_date));
  e.license_requirement = cell(c.license_requirement);
  return CheckRequired(at, e);
}

absl::Status ParseCslCsv(std::string_view file, std::string_view text, LoadedList& list) {
  list.code = "CSL";
  list.format = "csl-csv";
  if (!simdjson::validate_utf8(text.data(), text.size())) {
    return ListError("list_malformed", file, Pos(text, FirstInvalidUtf8(text)),
                     "the CSL CSV is not valid UTF-8");
  }
  CsvReader reader(file, text);
  std::vector<CsvField> fields;
  absl::StatusOr<bool> more = reader.Next(fields);
  if (!more.ok()) return more.status();
  const CslCsvColumns columns = CslCsvHeader(fields);
  LineCounter lines(text);
  DuplicateIds ids;
  while (true) {
    more = reader.Next(fields);
    if (!more.ok()) return more.status();
    if (!*more) break;
    std::size_t line = lines.LineAt(reader.record_offset());
    EntryContext at{.file = file, .text = text, .line = line};
    if (fields.size() != columns.count) {
      return at.Error("list_malformed", absl::StrCat("a row of ", fields.size(),
                                                     " fields under a header of ", columns.count));
    }
    ListEntry& e = list.entries.emplace_back();
    EXPORTCTL_RETURN_IF_ERROR(ParseCslCsvRecord(at, columns, fields, e));
    e.source = absl::StrCat(Av(file), ":", line);
    EXPORTCTL_RETURN_IF_ERROR(ids.Add(at, e));
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------------------------
// CSL JSON, read with simdjson On-Demand: each value's token points into the input, so an error
// names the exact line and column as well as the JSON path. Every value is read or walked
// (unknown ones too), so a syntax error anywhere in the file refuses it.

class CslJsonParser {
 public:
  CslJsonParser(std::string_view file, std::string_view bytes, LoadedList& list)
      : file_(file), bytes_(bytes), padded_(bytes), list_(list), lines_(bytes) {}

  absl::Status Parse() {
    if (auto err = parser_.iterate(padded_).get(doc_)) return Fail(err, WholeFileError(err));
    ondemand::object root;
    if (auto err = doc_.get_object().get(root)) {
      return Fail(err, err == simdjson::INCORRECT_TYPE ? 0 : WholeFileError(err));
    }
    bool saw_results = false;
    for (auto field : root) {
      std::string_view key;
      if (auto err = field.unescaped_key().get(key)) return Fail(err, Here());
      ondemand::value value;
      if (auto err = field.value().get(value)) return Fail(err, Here());
      if (key == "results") {
        saw_results = true;
        path_ = "$.results";
        EXPORTCTL_RETURN_IF_ERROR(Results(value));
      } else if (key == "search_performed_at") {
        path_ = "$.search_performed_at";
        EXPORTCTL_RETURN_IF_ERROR(PerformedAt(value));
      } else {
        path_ = absl::StrCat("$.", Av(key));
        EXPORTCTL_RETURN_IF_ERROR(Walk(value, 0));
      }
    }
    path_ = "$";
    if (const char* rest; !doc_.current_location().get(rest)) {
      return Error("list_malformed", static_cast<std::size_t>(rest - padded_.data()),
                   "text after the top-level object");
    }
    if (!saw_results) {
      return ListError("list_unknown_format", file_, "",
                       "a JSON file without a \"results\" array is not a CSL file");
    }
    return absl::OkStatus();
  }

  const std::string& date() const { return date_; }

 private:
  // simdjson reads the structure of the whole file before any value, and then knows no position
  // for what it found wrong: find the bad byte for invalid UTF-8; for the rest (an unclosed
  // string, object or array, text after the end), the end of the file is where it shows.
  std::size_t WholeFileError(simdjson::error_code err) const {
    if (err == simdjson::UTF8_ERROR) return FirstInvalidUtf8(bytes_);
    std::size_t end = bytes_.find_last_not_of(" \t\r\n");
    return end == std::string_view::npos ? 0 : end;
  }

  std::size_t Here() {
    const char* p;
    if (!doc_.current_location().get(p)) return static_cast<std::size_t>(p - padded_.data());
    return last_offset_;
  }
  std::size_t OffsetOf(ondemand::value& v) {
    std::string_view token = v.raw_json_token();
    if (token.data() >= padded_.data() && token.data() <= padded_.data() + padded_.size()) {
      last_offset_ = static_cast<std::size_t>(token.data() - padded_.data());
    }
    return last_offset_;
  }
  std::string Position(std::size_t offset) const {
    return absl::StrCat(Pos(bytes_, offset), " (", path_, ")");
  }
  absl::Status Error(std::string_view code, std::size_t offset, std::string_view message) const {
    return ListError(code, file_, Position(offset), message);
  }
  absl::Status Fail(simdjson::error_code err, std::size_t offset) const {
    return Error("list_malformed", offset, simdjson::error_message(err));
  }
  EntryContext At(std::size_t offset) const {
    return EntryContext{.file = file_, .text = bytes_, .offset = offset, .json_path = path_};
  }

  // Reads every value inside `v`, so that no syntax error hides in a value the loader ignores.
  absl::Status Walk(ondemand::value v, int depth) {
    std::size_t at = OffsetOf(v);
    if (depth > 64) return Error("list_malformed", at, "values nested more than 64 deep");
    ondemand::json_type type;
    if (auto err = v.type().get(type)) return Fail(err, at);
    simdjson::error_code err = simdjson::SUCCESS;
    switch (type) {
      case ondemand::json_type::object: {
        ondemand::object o;
        if ((err = v.get_object().get(o))) break;
        for (auto field : o) {
          ondemand::value child;
          std::string_view key;
          if ((err = field.unescaped_key().get(key))) break;
          if ((err = field.value().get(child))) break;
          EXPORTCTL_RETURN_IF_ERROR(Walk(child, depth + 1));
        }
        break;
      }
      case ondemand::json_type::array: {
        ondemand::array a;
        if ((err = v.get_array().get(a))) break;
        for (auto element : a) {
          ondemand::value child;
          if ((err = element.get(child))) break;
          EXPORTCTL_RETURN_IF_ERROR(Walk(child, depth + 1));
        }
        break;
      }
      case ondemand::json_type::number:
        err = v.get_number().error();
        break;
      case ondemand::json_type::string:
        err = v.get_string().error();
        break;
      case ondemand::json_type::boolean:
        err = v.get_bool().error();
        break;
      case ondemand::json_type::null:
        err = v.is_null().error();
        break;
    }
    if (err) return Fail(err, err == simdjson::INCORRECT_TYPE ? at : Here());
    return absl::OkStatus();
  }

  absl::Status PerformedAt(ondemand::value v) {
    std::string s;
    EXPORTCTL_RETURN_IF_ERROR(String(v, s));
    // A timestamp ("2024-03-15T12:00:00Z"): its day is the list's date.
    if (s.size() >= 10 && IsValidDate(std::string_view(s).substr(0, 10))) date_ = s.substr(0, 10);
    return absl::OkStatus();
  }

  // A string, or null (as empty); anything else is an error.
  absl::Status String(ondemand::value& v, std::string& out) {
    std::size_t at = OffsetOf(v);
    ondemand::json_type type;
    if (auto err = v.type().get(type)) return Fail(err, at);
    if (type == ondemand::json_type::null) return Walk(v, 0);
    std::string_view s;
    if (type != ondemand::json_type::string) {
      return Error("list_malformed", at, "expected a string");
    }
    if (auto err = v.get_string().get(s)) return Fail(err, at);
    if (s.size() > kMaxFieldBytes) {
      return Error("list_malformed", at,
                   absl::StrCat("a string of more than ", kMaxFieldBytes, " bytes"));
    }
    out.assign(Trim(s));
    return absl::OkStatus();
  }

  // A string or a number (entity_number is a number in some versions of the file).
  absl::Status StringOrNumber(ondemand::value& v, std::string& out) {
    std::size_t at = OffsetOf(v);
    ondemand::json_type type;
    if (auto err = v.type().get(type)) return Fail(err, at);
    if (type != ondemand::json_type::number) return String(v, out);
    std::string_view token = v.raw_json_token();
    EXPORTCTL_RETURN_IF_ERROR(Walk(v, 0));
    out.assign(Trim(token));
    return absl::OkStatus();
  }

  // An array of strings, or null; calls `fn(string)` for each non-empty string.
  template <typename Fn>
  absl::Status Strings(ondemand::value& v, Fn&& fn) {
    std::size_t at = OffsetOf(v);
    ondemand::json_type type;
    if (auto err = v.type().get(type)) return Fail(err, at);
    if (type == ondemand::json_type::null) return Walk(v, 0);
    if (type != ondemand::json_type::array) return Error("list_malformed", at, "expected an array");
    ondemand::array a;
    if (auto err = v.get_array().get(a)) return Fail(err, at);
    std::string base = path_;
    std::size_t i = 0;
    for (auto element : a) {
      path_ = absl::StrCat(base, "[", i++, "]");
      ondemand::value child;
      if (auto err = element.get(child)) return Fail(err, Here());
      std::string s;
      EXPORTCTL_RETURN_IF_ERROR(String(child, s));
      if (!s.empty()) EXPORTCTL_RETURN_IF_ERROR(fn(s, OffsetOf(child)));
    }
    path_ = std::move(base);
    return absl::OkStatus();
  }

  // addresses: [{"address": ..., "country": "CN"}, ...]; only the country is kept.
  absl::Status Addresses(ondemand::value& v, ListEntry& e) {
    std::size_t at = OffsetOf(v);
    ondemand::json_type type;
    if (auto err = v.type().get(type)) return Fail(err, at);
    if (type == ondemand::json_type::null) return Walk(v, 0);
    if (type != ondemand::json_type::array) return Error("list_malformed", at, "expected an array");
    ondemand::array a;
    if (auto err = v.get_array().get(a)) return Fail(err, at);
    std::string base = path_;
    std::size_t i = 0;
    for (auto element : a) {
      path_ = absl::StrCat(base, "[", i++, "]");
      ondemand::value address;
      if (auto err = element.get(address)) return Fail(err, Here());
      std::size_t address_at = OffsetOf(address);
      ondemand::object o;
      if (address.get_object().get(o)) {
        return Error("list_malformed", address_at, "expected an address object");
      }
      std::string element_path = path_;
      for (auto field : o) {
        std::string_view key;
        ondemand::value child;
        if (auto err = field.unescaped_key().get(key)) return Fail(err, Here());
        if (auto err = field.value().get(child)) return Fail(err, Here());
        path_ = absl::StrCat(element_path, ".", Av(key));
        if (key != "country") {
          EXPORTCTL_RETURN_IF_ERROR(Walk(child, 0));
          continue;
        }
        std::string country;
        EXPORTCTL_RETURN_IF_ERROR(String(child, country));
        EXPORTCTL_RETURN_IF_ERROR(
            AddCountryCode(At(OffsetOf(child)), "country", country, e.countries));
      }
    }
    path_ = std::move(base);
    return absl::OkStatus();
  }

  absl::Status Field(std::string_view key, ondemand::value& v, ListEntry& e, std::string& source,
                     std::string& entity_number) {
    std::size_t at = OffsetOf(v);
    if (key == "id") return StringOrNumber(v, e.id);
    if (key == "entity_number") return StringOrNumber(v, entity_number);
    if (key == "source") return String(v, source);
    if (key == "name") {
      std::string name;
      EXPORTCTL_RETURN_IF_ERROR(String(v, name));
      e.names[0] = std::move(name);
      return absl::OkStatus();
    }
    if (key == "alt_names") {
      return Strings(v, [&](std::string& s, std::size_t) {
        e.names.push_back(std::move(s));
        return absl::OkStatus();
      });
    }
    if (key == "type") {
      std::string type;
      EXPORTCTL_RETURN_IF_ERROR(String(v, type));
      absl::StatusOr<EntryType> t = CslType(At(at), type);
      if (!t.ok()) return t.status();
      e.type = *t;
      return absl::OkStatus();
    }
    if (key == "programs") {
      return Strings(v, [&](std::string& s, std::size_t) {
        AddUnique(e.programs, std::move(s));
        return absl::OkStatus();
      });
    }
    if (key == "nationalities" || key == "citizenships") {
      return Strings(v, [&](std::string& s, std::size_t offset) {
        return AddCountryCode(At(offset), key, s, e.countries);
      });
    }
    if (key == "addresses") return Addresses(v, e);
    if (key == "start_date" || key == "end_date") {
      std::string date;
      EXPORTCTL_RETURN_IF_ERROR(String(v, date));
      return SetDate(At(at), key, date, key == "start_date" ? e.start_date : e.end_date);
    }
    if (key == "license_requirement") return String(v, e.license_requirement);
    return Walk(v, 0);
  }

  absl::Status Entry(ondemand::value& v, const std::string& entry_path) {
    std::size_t at = OffsetOf(v);
    ondemand::object o;
    if (v.get_object().get(o)) return Error("list_malformed", at, "expected an entry object");
    ListEntry e;
    e.names.emplace_back();
    std::string source, entity_number;
    for (auto field : o) {
      std::string_view key;
      ondemand::value child;
      if (auto err = field.unescaped_key().get(key)) return Fail(err, Here());
      if (auto err = field.value().get(child)) return Fail(err, Here());
      path_ = absl::StrCat(entry_path, ".", Av(key));
      EXPORTCTL_RETURN_IF_ERROR(Field(key, child, e, source, entity_number));
    }
    if (e.id.empty()) e.id = std::move(entity_number);
    path_ = entry_path + ".source";
    absl::StatusOr<std::string> code = CslSourceCode(At(at), source);
    if (!code.ok()) return code.status();
    e.list = *std::move(code);
    // A missing id or name is reported at the entry, with the path of the field it lacks.
    if (e.id.empty()) {
      path_ = entry_path + ".id";
    } else if (e.names[0].empty()) {
      path_ = entry_path + ".name";
    }
    EXPORTCTL_RETURN_IF_ERROR(CheckRequired(At(at), e));
    path_ = entry_path;
    EXPORTCTL_RETURN_IF_ERROR(ids_.Add(At(at), e));
    e.source = absl::StrCat(Av(file_), ":", lines_.LineAt(at), " (", entry_path, ")");
    list_.entries.push_back(std::move(e));
    return absl::OkStatus();
  }

  absl::Status Results(ondemand::value& v) {
    std::size_t at = OffsetOf(v);
    ondemand::array a;
    if (v.get_array().get(a)) return Error("list_malformed", at, "expected an array of entries");
    std::size_t i = 0;
    for (auto element : a) {
      std::string entry_path = absl::StrCat("$.results[", i++, "]");
      path_ = entry_path;
      ondemand::value entry;
      if (auto err = element.get(entry)) return Fail(err, Here());
      EXPORTCTL_RETURN_IF_ERROR(Entry(entry, entry_path));
    }
    path_ = "$.results";
    return absl::OkStatus();
  }

  std::string_view file_, bytes_;
  simdjson::padded_string padded_;
  ondemand::parser parser_;
  ondemand::document doc_;
  LoadedList& list_;
  LineCounter lines_;
  DuplicateIds ids_;
  std::string path_ = "$";
  std::size_t last_offset_ = 0;
  std::string date_;
};

// ---------------------------------------------------------------------------------------------
// EU Financial Sanctions Files XML (pugixml). Elements are matched by local name: the files use
// the "http://eu.europa.eu/fsd/bulk/v1.1" namespace, with or without a prefix.

std::string_view LocalName(const pugi::xml_node& node) {
  std::string_view name = node.name();
  std::size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

std::string_view Attr(const pugi::xml_node& node, const char* name) {
  return Trim(node.attribute(name).value());
}

// A nameAlias's name: wholeName, else its parts (some aliases give only first and last names).
std::string AliasName(const pugi::xml_node& alias) {
  std::string_view whole = Attr(alias, "wholeName");
  if (!whole.empty()) return std::string(whole);
  std::string out;
  for (const char* part : {"firstName", "middleName", "lastName"}) {
    std::string_view v = Attr(alias, part);
    if (v.empty()) continue;
    if (!out.empty()) out += ' ';
    out.append(v);
  }
  return out;
}

// Adds an EU countryIso2Code. The EU writes "00" for an unknown country.
absl::Status AddEuCountry(const EntryContext& at, std::string_view code,
                          std::vector<std::string>& countries) {
  if (code == "00") return absl::OkStatus();
  return AddCountryCode(at, "countryIso2Code", code, countries);
}

class EuXmlParser {
 public:
  EuXmlParser(std::string_view file, std::string_view bytes, LoadedList& list)
      : file_(file), bytes_(bytes), list_(list), lines_(bytes) {}

  absl::Status Parse() {
    pugi::xml_document doc;
    pugi::xml_parse_result result =
        doc.load_buffer(bytes_.data(), bytes_.size(), pugi::parse_default, pugi::encoding_auto);
    if (!result) {
      return ListError(
          "list_malformed", file_,
          Pos(bytes_, static_cast<std::size_t>(std::max<std::ptrdiff_t>(result.offset, 0))),
          result.description());
    }
    pugi::xml_node root = doc.document_element();
    if (LocalName(root) != "export") {
      return ListError("list_unknown_format", file_, "",
                       "an XML file whose root is not <export> is not an EU sanctions file");
    }
    std::string_view generated = Attr(root, "generationDate");
    if (generated.size() >= 10 && IsValidDate(generated.substr(0, 10))) {
      date_ = std::string(generated.substr(0, 10));
    }
    for (pugi::xml_node node : root.children()) {
      if (node.type() != pugi::node_element || LocalName(node) != "sanctionEntity") continue;
      EXPORTCTL_RETURN_IF_ERROR(Entity(node));
    }
    return absl::OkStatus();
  }

  const std::string& date() const { return date_; }

 private:
  // pugixml gives the offset of an element's name; its `<` is one byte before.
  std::size_t OffsetOf(const pugi::xml_node& node) const {
    std::ptrdiff_t offset = node.offset_debug();
    if (offset > 0 && static_cast<std::size_t>(offset) <= bytes_.size() &&
        bytes_[offset - 1] == '<') {
      --offset;
    }
    return static_cast<std::size_t>(std::max<std::ptrdiff_t>(offset, 0));
  }
  EntryContext At(const pugi::xml_node& node, std::string_view what) const {
    return EntryContext{.file = file_, .text = bytes_, .offset = OffsetOf(node), .element = what};
  }

  absl::Status Child(const pugi::xml_node& child, ListEntry& e) {
    std::string_view name = LocalName(child);
    EntryContext at = At(child, name);
    if (name == "nameAlias") {
      std::string alias = AliasName(child);
      EXPORTCTL_RETURN_IF_ERROR(CheckText(at, "wholeName", alias));
      // The EU repeats one name in each language it is published in: keep it once.
      if (!alias.empty()) AddUnique(e.names, std::move(alias));
    } else if (name == "subjectType") {
      std::string_view code = Attr(child, "code");
      if (code == "person") {
        e.type = EntryType::kIndividual;
      } else if (code == "enterprise") {
        e.type = EntryType::kEntity;
      } else if (!code.empty()) {
        return at.Error("list_invalid_field",
                        absl::StrCat("subjectType code \"", Av(code.substr(0, 64)),
                                     "\" is neither person nor enterprise"));
      }
    } else if (name == "citizenship" || name == "address") {
      EXPORTCTL_RETURN_IF_ERROR(AddEuCountry(at, Attr(child, "countryIso2Code"), e.countries));
    } else if (name == "regulation") {
      std::string_view programme = Attr(child, "programme");
      EXPORTCTL_RETURN_IF_ERROR(CheckText(at, "programme", programme));
      if (!programme.empty()) AddUnique(e.programs, std::string(programme));
      if (e.start_date.empty()) {
        EXPORTCTL_RETURN_IF_ERROR(
            SetDate(at, "entryIntoForceDate", Attr(child, "entryIntoForceDate"), e.start_date));
      }
    }
    return absl::OkStatus();
  }

  absl::Status Entity(const pugi::xml_node& node) {
    EntryContext at = At(node, "sanctionEntity");
    ListEntry e;
    e.list = "EU";
    e.id = Attr(node, "logicalId");
    if (e.id.empty()) e.id = Attr(node, "euReferenceNumber");
    EXPORTCTL_RETURN_IF_ERROR(CheckText(at, "logicalId", e.id));
    EXPORTCTL_RETURN_IF_ERROR(
        SetDate(at, "designationDate", Attr(node, "designationDate"), e.start_date));
    for (pugi::xml_node child : node.children()) {
      if (child.type() == pugi::node_element) EXPORTCTL_RETURN_IF_ERROR(Child(child, e));
    }
    EXPORTCTL_RETURN_IF_ERROR(CheckRequired(at, e));
    EXPORTCTL_RETURN_IF_ERROR(ids_.Add(at, e));
    e.source = absl::StrCat(Av(file_), ":", lines_.LineAt(OffsetOf(node)));
    list_.entries.push_back(std::move(e));
    return absl::OkStatus();
  }

  std::string_view file_, bytes_;
  LoadedList& list_;
  LineCounter lines_;
  DuplicateIds ids_;
  std::string date_;
};

// ---------------------------------------------------------------------------------------------
// Format detection, from the content.

enum class Format { kUnknown, kSdnCsv, kCslJson, kCslCsv, kEuXml };

// A UTF-8 byte order mark, which spreadsheet programs put before CSV they save, is no content.
std::string_view WithoutBom(std::string_view text) {
  return text.substr(0, 3) == "\xEF\xBB\xBF" ? text.substr(3) : text;
}

Format Detect(std::string_view text) {
  text = WithoutBom(text);
  std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return Format::kUnknown;
  char c = text[first];
  if (c == '{' || c == '[') return Format::kCslJson;
  if (c == '<') return Format::kEuXml;
  std::string_view line = text.substr(first, text.find('\n', first) - first);
  if (line.find("source") != std::string_view::npos &&
      line.find("name") != std::string_view::npos &&
      (line.find("entity_number") != std::string_view::npos || line.substr(0, 4) == "_id," ||
       line.substr(0, 3) == "id,")) {
    return Format::kCslCsv;
  }
  // An SDN row starts with its ent_num, then the quoted name.
  std::size_t digits = line.find_first_not_of("0123456789");
  if (digits > 0 && digits != std::string_view::npos && line.substr(digits, 2) == ",\"") {
    return Format::kSdnCsv;
  }
  return Format::kUnknown;
}

absl::Status CheckControls(std::string_view file, std::string_view text) {
  std::size_t bad = FindControl(text);
  if (bad == std::string_view::npos) return absl::OkStatus();
  return ListError("list_malformed", file, Pos(text, bad),
                   absl::StrCat("control character 0x",
                                absl::Hex(static_cast<unsigned char>(text[bad]), absl::kZeroPad2)));
}

absl::Status ReadFile(const std::string& path, std::string& out) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    return ListError("list_unreadable", path, "", "is a directory, not a list file");
  }
  std::uintmax_t size = fs::file_size(path, ec);
  if (ec) return ListError("list_unreadable", path, "", ec.message());
  if (size > kMaxListFileBytes) {
    return ListError(
        "list_too_large", path, "",
        absl::StrCat("the file has ", size, " bytes; the limit is ", kMaxListFileBytes));
  }
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return ListError("list_unreadable", path, "", std::strerror(errno));
  out.resize(size);
  std::size_t n = size ? std::fread(out.data(), 1, size, f) : 0;
  bool failed = std::ferror(f);
  std::fclose(f);
  if (failed || n != size) return ListError("list_unreadable", path, "", "could not read the file");
  return absl::OkStatus();
}

// "PATH@YYYY-MM-DD" -> {PATH, date}. An `@` followed by a slash is part of a path.
absl::Status SplitSpec(std::string_view spec, std::string& path, std::string& date) {
  std::size_t at = spec.rfind('@');
  if (at == std::string_view::npos || spec.find('/', at) != std::string_view::npos) {
    path.assign(spec);
    date.clear();
    return absl::OkStatus();
  }
  path.assign(spec.substr(0, at));
  date.assign(spec.substr(at + 1));
  if (!IsValidDate(date)) {
    return ListError("list_invalid_date", spec, "",
                     absl::StrCat("\"", Av(date), "\" is not a YYYY-MM-DD date"));
  }
  return absl::OkStatus();
}

bool IsListFileName(const fs::path& p) {
  std::string ext = p.extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".csv" || ext == ".json" || ext == ".xml";
}

}  // namespace

const EVP_MD* Sha256Md() {
  static const EVP_MD* md = [] {
    const EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return fetched ? fetched : EVP_sha256();
  }();
  return md;
}

std::string DigestHex(const unsigned char* md, unsigned int len) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(7 + 2 * len, '\0');
  std::memcpy(out.data(), "sha256:", 7);
  for (unsigned int i = 0; i < len; ++i) {
    out[7 + 2 * i] = kHex[md[i] >> 4];
    out[8 + 2 * i] = kHex[md[i] & 15];
  }
  return out;
}

std::string Sha256Digest(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &len, Sha256Md(), nullptr);
  return DigestHex(md, len);
}

absl::StatusOr<LoadedList> ParseList(std::string_view name, std::string_view bytes,
                                     std::string_view date) {
  if (bytes.size() > kMaxListFileBytes) {
    return ListError(
        "list_too_large", name, "",
        absl::StrCat("the file has ", bytes.size(), " bytes; the limit is ", kMaxListFileBytes));
  }
  if (!date.empty() && !IsValidDate(date)) {
    return ListError("list_invalid_date", name, "",
                     absl::StrCat("\"", Av(date), "\" is not a YYYY-MM-DD date"));
  }
  LoadedList list;
  list.path.assign(name);
  list.digest = Sha256Digest(bytes);
  std::string found_date;
  switch (Detect(bytes)) {
    case Format::kUnknown:
      return ListError("list_unknown_format", name, "",
                       "not an OFAC SDN CSV, CSL JSON or CSV, nor EU sanctions XML file");
    case Format::kSdnCsv: {
      std::string_view text = StripEofMarker(WithoutBom(bytes));
      EXPORTCTL_RETURN_IF_ERROR(CheckControls(name, text));
      EXPORTCTL_RETURN_IF_ERROR(ParseSdnCsv(name, text, list));
      break;
    }
    case Format::kCslCsv: {
      std::string_view text = StripEofMarker(WithoutBom(bytes));
      EXPORTCTL_RETURN_IF_ERROR(CheckControls(name, text));
      EXPORTCTL_RETURN_IF_ERROR(ParseCslCsv(name, text, list));
      break;
    }
    case Format::kCslJson: {
      list.code = "CSL";
      list.format = "csl-json";
      CslJsonParser parser(name, bytes, list);
      EXPORTCTL_RETURN_IF_ERROR(parser.Parse());
      found_date = parser.date();
      break;
    }
    case Format::kEuXml: {
      list.code = "EU";
      list.format = "eu-fsf-xml";
      EuXmlParser parser(name, bytes, list);
      EXPORTCTL_RETURN_IF_ERROR(parser.Parse());
      found_date = parser.date();
      break;
    }
  }
  if (list.entries.size() > kMaxListEntries) {
    return ListError("list_too_large", name, "",
                     absl::StrCat(list.entries.size(), " entries; the limit is ", kMaxListEntries));
  }
  if (!date.empty()) {
    list.date.assign(date);
  } else if (!found_date.empty()) {
    list.date = std::move(found_date);
  } else {
    list.date = DateFromFileName(name);
  }
  return list;
}

absl::StatusOr<LoadedList> LoadListFile(std::string_view spec) {
  std::string path, date;
  EXPORTCTL_RETURN_IF_ERROR(SplitSpec(spec, path, date));
  std::string bytes;
  EXPORTCTL_RETURN_IF_ERROR(ReadFile(path, bytes));
  return ParseList(path, bytes, date);
}

absl::StatusOr<std::vector<LoadedList>> LoadLists(const std::vector<std::string>& specs) {
  std::vector<LoadedList> lists;
  for (const std::string& spec : specs) {
    std::string path, date;
    EXPORTCTL_RETURN_IF_ERROR(SplitSpec(spec, path, date));
    std::error_code ec;
    if (!fs::is_directory(path, ec)) {
      absl::StatusOr<LoadedList> list = LoadListFile(spec);
      if (!list.ok()) return list.status();
      lists.push_back(*std::move(list));
      continue;
    }
    std::vector<std::string> files;
    fs::recursive_directory_iterator it(path, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      if (it->is_regular_file(ec) && IsListFileName(it->path()))
        files.push_back(it->path().string());
    }
    if (ec) return ListError("list_unreadable", path, "", ec.message());
    if (files.empty()) {
      return ListError("list_unreadable", path, "",
                       "the directory holds no .csv, .json or .xml file");
    }
    std::sort(files.begin(), files.end());
    for (const std::string& file : files) {
      absl::StatusOr<LoadedList> list = LoadListFile(date.empty() ? file : file + "@" + date);
      if (!list.ok()) return list.status();
      lists.push_back(*std::move(list));
    }
  }
  return lists;
}

}  // namespace exportctl::internal
