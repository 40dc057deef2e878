#ifndef EXPORTCTL_TESTS_SCREENING_SDN_READER_H_
#define EXPORTCTL_TESTS_SCREENING_SDN_READER_H_

// A minimal reader of the OFAC SDN legacy CSV for the matcher's tests and benchmark.
// TO BE REPLACED by LoadListFile (src/screening/lists.h) when the loaders land; it reads only what
// the matcher needs: ent_num, SDN_Name, SDN_Type, Program, and the aliases in Remarks
// (a.k.a. / f.k.a. / n.k.a. 'NAME'). Format: /work/shared/data/lists/README.md.

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "src/screening/list.h"

namespace exportctl::testing {

// The bytes of a Latin-1 text as UTF-8.
inline std::string Latin1ToUtf8(std::string_view in) {
  std::string out;
  for (unsigned char c : in) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

// The fields of one CSV line: quoted ("" escapes a quote) or bare; "-0-" (trailing space
// trimmed) is empty.
inline std::vector<std::string> SplitSdnCsvLine(std::string_view line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      fields.back().push_back('"'), ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.emplace_back();
    } else {
      fields.back().push_back(c);
    }
  }
  for (std::string& f : fields) {
    while (!f.empty() && (f.back() == ' ' || f.back() == '\r')) f.pop_back();
    if (f == "-0-") f.clear();
  }
  return fields;
}

// The names quoted after "a.k.a. '", "f.k.a. '" and "n.k.a. '": a name ends at a quote followed
// by ';', '.', ',', ')' or the end (O'BRIEN keeps its apostrophe).
inline std::vector<std::string> SdnAliases(std::string_view remarks) {
  std::vector<std::string> names;
  for (std::string_view marker : {"a.k.a. '", "f.k.a. '", "n.k.a. '"}) {
    for (std::size_t at = remarks.find(marker); at != std::string_view::npos;
         at = remarks.find(marker, at + 1)) {
      std::size_t end = at + marker.size();
      while (end < remarks.size() &&
             !(remarks[end] == '\'' &&
               (end + 1 == remarks.size() || std::string_view(";.,)").find(remarks[end + 1]) !=
                                                 std::string_view::npos))) {
        ++end;
      }
      names.emplace_back(remarks.substr(at + marker.size(), end - at - marker.size()));
    }
  }
  return names;
}

inline std::vector<internal::ListEntry> ReadSdnCsv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<internal::ListEntry> entries;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '\x1a') continue;
    std::vector<std::string> f = SplitSdnCsvLine(Latin1ToUtf8(line));
    if (f.size() < 12 || f[1].empty()) continue;
    internal::ListEntry e;
    e.list = "SDN";
    e.id = f[0];
    e.type = f[2] == "individual" ? internal::EntryType::kIndividual
             : f[2] == "vessel"   ? internal::EntryType::kVessel
             : f[2] == "aircraft" ? internal::EntryType::kAircraft
                                  : internal::EntryType::kEntity;
    e.names.push_back(f[1]);
    for (std::string& alias : SdnAliases(f[11])) e.names.push_back(std::move(alias));
    e.programs.push_back(f[3]);
    e.source = path + ":" + std::to_string(entries.size() + 1);
    entries.push_back(std::move(e));
  }
  return entries;
}

}  // namespace exportctl::testing

#endif  // EXPORTCTL_TESTS_SCREENING_SDN_READER_H_
