// The restricted-party list loaders (src/screening/lists.h): each format's good files, each
// stable error code, the bundled real OFAC SDN snapshot loaded whole, and robustness against
// truncated and garbage input.
#include "src/screening/lists.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace exportctl::internal {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

const std::string kSourceDir = EXPORTCTL_SOURCE_DIR;
const std::string kData = kSourceDir + "/tests/data/lists/";

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteBytes(const fs::path& path, std::string_view bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary).write(bytes.data(), bytes.size());
}

std::string CodeOf(const absl::Status& status) {
  auto payload = status.GetPayload(std::string(kListErrorPayload));
  return payload ? std::string(*payload) : "";
}

std::string MessageOf(const absl::Status& status) { return std::string(status.message()); }

const ListEntry* Find(const LoadedList& list, std::string_view id) {
  for (const ListEntry& e : list.entries) {
    if (e.id == id) return &e;
  }
  return nullptr;
}

// A fresh directory under the test's temporary directory.
fs::path TempDir(std::string_view name) {
  fs::path dir = fs::path(::testing::TempDir()) / "lists_test" / std::string(name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// One SDN row with the given name, type and remarks (the other columns `-0-`).
std::string SdnRow(std::string_view id, std::string_view name, std::string_view type = "-0- ",
                   std::string_view remarks = "-0- ") {
  return std::string(id) + ",\"" + std::string(name) + "\"," + std::string(type) +
         ",\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ," + std::string(remarks) + "\r\n";
}

// ----------------------------------------------------------------------------------------------
// OFAC SDN CSV.

TEST(SdnCsvTest, LoadsTheSmallFile) {
  absl::StatusOr<LoadedList> list = LoadListFile(kData + "sdn_small.csv");
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->code, "SDN");
  EXPECT_EQ(list->format, "ofac-sdn-csv");
  EXPECT_EQ(list->date, "");            // no date inside, none in the name
  ASSERT_EQ(list->entries.size(), 7u);  // the 0x1A line is no entry
  EXPECT_EQ(list->alias_count(), 7u);

  const ListEntry& first = list->entries[0];
  EXPECT_EQ(first.list, "SDN");
  EXPECT_EQ(first.id, "36");
  EXPECT_EQ(first.type, EntryType::kEntity);  // SDN_Type -0-
  EXPECT_THAT(first.names, ElementsAre("AEROCARIBBEAN AIRLINES"));
  EXPECT_THAT(first.programs, ElementsAre("CUBA"));
  EXPECT_THAT(first.countries, IsEmpty());
  EXPECT_EQ(first.source, kData + "sdn_small.csv:1");
  EXPECT_EQ(list->entries[6].source, kData + "sdn_small.csv:7");
}

TEST(SdnCsvTest, ExtractsAkaFkaNkaAliasesFromRemarks) {
  absl::StatusOr<LoadedList> list = LoadListFile(kData + "sdn_small.csv");
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_THAT(Find(*list, "306")->names, ElementsAre("BANCO NACIONAL DE CUBA", "BNC"));
  // Quotes inside an alias are part of it; only a quote before `;` or the end closes it.
  EXPECT_THAT(Find(*list, "6925")->names,
              ElementsAre("GHAILANI, Ahmed Khalfan", "AHMED, A.", "'FOOPIE'", "KHABAR, Abu"));
  EXPECT_THAT(Find(*list, "9647")->names,
              ElementsAre("MU\u00d1OZ GARC\u00cdA, Jos\u00e9", "PE\u00d1A, Jos\u00e9", "EL GORDO"));
}

TEST(SdnCsvTest, ConvertsLatin1ToUtf8) {
  absl::StatusOr<LoadedList> list = ParseList("x.csv",
                                              "1,\"MU\xd1OZ, Jos\xe9\",-0- ,\"X\","
                                              "-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-\r\n");
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->entries[0].names[0], "MU\xc3\x91OZ, Jos\xc3\xa9");
  // A file already in UTF-8 is not converted a second time.
  list = ParseList("x.csv", "1,\"MU\xc3\x91OZ\",-0- ,\"X\",-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-\n");
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->entries[0].names[0], "MU\xc3\x91OZ");
}

TEST(SdnCsvTest, TypesProgramsCountriesAndEmptyFields) {
  absl::StatusOr<LoadedList> list = LoadListFile(kData + "sdn_small.csv");
  ASSERT_TRUE(list.ok()) << list.status();
  const ListEntry* vessel = Find(*list, "15036");
  EXPECT_EQ(vessel->type, EntryType::kVessel);
  EXPECT_THAT(vessel->programs, ElementsAre("IRAN", "IRGC"));  // "IRAN] [IRGC"
  EXPECT_THAT(vessel->countries, ElementsAre("IR"));           // Vess_flag "Iran"
  EXPECT_EQ(Find(*list, "25501")->type, EntryType::kAircraft);
  EXPECT_EQ(Find(*list, "6925")->type, EntryType::kIndividual);
  EXPECT_THAT(Find(*list, "6925")->countries, ElementsAre("TZ"));  // "citizen Tanzania"
  EXPECT_THAT(Find(*list, "9647")->countries, ElementsAre("CO"));  // "nationality Colombia"
  EXPECT_THAT(Find(*list, "9647")->programs, ElementsAre("SDNTK", "ILLICIT-DRUGS-EO14059"));
  EXPECT_THAT(Find(*list, "20001")->names, ElementsAre("\"TRADING\" HOUSE KARAT"));  // "" escape
}

TEST(SdnCsvTest, DashZeroDashIsEmptyWithOrWithoutSpaces) {
  absl::StatusOr<LoadedList> list =
      ParseList("x.csv", "7,\"A\", -0- ,\"P\",-0-,-0- , -0-,-0-,-0-,-0-,-0-,  -0-  \n");
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->entries[0].type, EntryType::kEntity);
  EXPECT_THAT(list->entries[0].names, ElementsAre("A"));
}

TEST(SdnCsvTest, LineEndsAndTheEofByte) {
  const std::string row1 = "1,\"ONE\",-0- ,\"P\",-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-";
  const std::string row2 = "2,\"TWO\",-0- ,\"P\",-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-";
  for (const std::string& text :
       {row1 + "\r\n" + row2 + "\r\n\x1a", row1 + "\r\n" + row2 + "\r\n\x1a\r\n",
        row1 + "\n" + row2 + "\n", row1 + "\r\n" + row2, row1 + "\r\n" + row2 + "\x1a"}) {
    absl::StatusOr<LoadedList> list = ParseList("x.csv", text);
    ASSERT_TRUE(list.ok()) << list.status();
    ASSERT_EQ(list->entries.size(), 2u);
    EXPECT_THAT(list->entries[1].names, ElementsAre("TWO"));
    EXPECT_EQ(list->entries[1].source, "x.csv:2");
  }
  // 0x1A anywhere else is a control character in a field.
  absl::StatusOr<LoadedList> list = ParseList("x.csv", row1 + "\x1a\r\n" + row2 + "\r\n");
  EXPECT_EQ(CodeOf(list.status()), "list_malformed");
  EXPECT_THAT(MessageOf(list.status()), StartsWith("x.csv:1:"));
}

TEST(SdnCsvTest, DateFromTheFileNameOrGiven) {
  std::string bytes = ReadBytes(kData + "sdn_small.csv");
  absl::StatusOr<LoadedList> list = ParseList("lists/ofac-sdn-2024-03-15.csv", bytes);
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->date, "2024-03-15");
  list = ParseList("lists/ofac-sdn-2024-03-15.csv", bytes, "2024-04-01");
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->date, "2024-04-01");
  list = ParseList("lists/ofac-sdn-2024-02-30.csv", bytes);  // no such day: no date
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->date, "");
}

// Counts `a.k.a. `, `f.k.a. ` and `n.k.a. ` in the raw text, apart from the loader's parsing.
std::size_t CountAliasMarkers(std::string_view text) {
  std::size_t n = 0;
  for (std::string_view marker : {"a.k.a. ", "f.k.a. ", "n.k.a. "}) {
    for (std::size_t at = text.find(marker); at != std::string_view::npos;
         at = text.find(marker, at + 1)) {
      ++n;
    }
  }
  return n;
}

TEST(SdnCsvTest, LoadsTheRealSnapshotWhole) {
  const std::string path = kSourceDir + "/lists/ofac-sdn-2024-03-15.csv";
  std::string bytes = ReadBytes(path);
  ASSERT_EQ(std::count(bytes.begin(), bytes.end(), '\n'), 14466);  // 14,466 rows, then 0x1A
  ASSERT_EQ(bytes.back(), '\x1a');
  absl::StatusOr<LoadedList> list = LoadListFile(path);
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->entries.size(), 14466u);
  EXPECT_EQ(CountAliasMarkers(bytes), 3532u);
  EXPECT_EQ(list->alias_count(), CountAliasMarkers(bytes));
  EXPECT_EQ(list->date, "2024-03-15");
  EXPECT_EQ(list->digest, Sha256Digest(bytes));

  std::size_t individuals = 0, entities = 0, vessels = 0, aircraft = 0;
  for (const ListEntry& e : list->entries) {
    ASSERT_FALSE(e.names[0].empty()) << e.source;
    individuals += e.type == EntryType::kIndividual;
    entities += e.type == EntryType::kEntity;
    vessels += e.type == EntryType::kVessel;
    aircraft += e.type == EntryType::kAircraft;
  }
  EXPECT_EQ(individuals, 6732u);
  EXPECT_EQ(entities, 6535u);
  EXPECT_EQ(vessels, 817u);
  EXPECT_EQ(aircraft, 382u);

  EXPECT_THAT(Find(*list, "306")->names, ElementsAre("BANCO NACIONAL DE CUBA", "BNC"));
  EXPECT_THAT(Find(*list, "6368")->names,
              ElementsAre("MUSA, Rifa'i Ahmad Taha", "'ABD-AL-'IZ", "ABU YASIR"));
  const ListEntry* lazarus = Find(*list, "27307");
  ASSERT_NE(lazarus, nullptr);
  EXPECT_EQ(lazarus->names[0], "LAZARUS GROUP");
  // OFAC cut this entry's Remarks short: the last alias runs to the end.
  EXPECT_EQ(lazarus->names.back(), "WHOIS HACKIN");
  EXPECT_EQ(lazarus->names.size(), 6u);
  EXPECT_THAT(Find(*list, "11177")->programs, ElementsAre("SDGT", "IRAQ3", "IRGC", "IFSR"));
  EXPECT_EQ(list->entries.back().id, "48247");
  EXPECT_EQ(list->entries.back().source, path + ":14466");
}

TEST(SdnCsvTest, LoadsTheLaterSnapshotWhole) {
  const std::string path = "/work/shared/data/lists/ofac-sdn-2024-05-03.csv";
  if (!fs::exists(path)) GTEST_SKIP() << "no " << path;
  std::string bytes = ReadBytes(path);
  absl::StatusOr<LoadedList> list = ParseList(path, bytes);
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->entries.size(), 14965u);
  EXPECT_EQ(list->alias_count(), CountAliasMarkers(bytes));
  EXPECT_EQ(list->date, "2024-05-03");
}

// ----------------------------------------------------------------------------------------------
// CSL JSON.

TEST(CslJsonTest, LoadsTheSmallFile) {
  absl::StatusOr<LoadedList> list = LoadListFile(kData + "csl_small.json");
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->code, "CSL");
  EXPECT_EQ(list->format, "csl-json");
  EXPECT_EQ(list->date, "2024-03-15");  // search_performed_at
  ASSERT_EQ(list->entries.size(), 3u);
  EXPECT_EQ(list->alias_count(), 4u);

  const ListEntry& el = list->entries[0];
  EXPECT_EQ(el.list, "EL");
  EXPECT_EQ(el.id, "0f3c2e1a9b8d7c6e5f4a3b2c1d0e9f8a7b6c5d4e");
  EXPECT_EQ(el.type, EntryType::kUnknown);  // type null
  EXPECT_THAT(el.names, ElementsAre("Test Precision Instruments Co., Ltd.", "TPI Co.",
                                    "Test Precision (HK) Ltd."));
  EXPECT_THAT(el.countries, ElementsAre("CN", "HK"));
  EXPECT_EQ(el.start_date, "2024-02-01");
  EXPECT_EQ(el.end_date, "");
  EXPECT_THAT(el.license_requirement, StartsWith("For all items subject to the EAR."));
  EXPECT_EQ(el.source, kData + "csl_small.json:4 ($.results[0])");

  const ListEntry& sdn = list->entries[1];
  EXPECT_EQ(sdn.list, "SDN");
  EXPECT_EQ(sdn.type, EntryType::kIndividual);
  EXPECT_THAT(sdn.programs, ElementsAre("SDGT"));
  EXPECT_THAT(sdn.countries, ElementsAre("TZ"));

  const ListEntry& uvl = list->entries[2];
  EXPECT_EQ(uvl.list, "UVL");   // the short code is accepted too
  EXPECT_EQ(uvl.id, "UVL-17");  // no id: entity_number
  EXPECT_EQ(uvl.type, EntryType::kEntity);
  EXPECT_THAT(uvl.names, ElementsAre("Test Unverified Trading FZE"));  // alt_names null
  EXPECT_EQ(uvl.source, kData + "csl_small.json:39 ($.results[2])");
}

TEST(CslJsonTest, MapsEverySourceToItsCode) {
  const std::pair<std::string_view, std::string_view> sources[] = {
      {"Entity List (EL) - Bureau of Industry and Security", "EL"},
      {"Denied Persons List (DPL) - Bureau of Industry and Security", "DPL"},
      {"Unverified List (UVL) - Bureau of Industry and Security", "UVL"},
      {"Military End User (MEU) List - Bureau of Industry and Security", "MEU"},
      {"Specially Designated Nationals (SDN) - Treasury Department", "SDN"},
      {"Sectoral Sanctions Identifications List (SSI) - Treasury Department", "SSI"},
      {"Foreign Sanctions Evaders (FSE) - Treasury Department", "FSE"},
      {"Nonproliferation Sanctions (ISN) - State Department", "ISN"},
      {"ITAR Debarred (DTC) - State Department", "DTC"},
      {"Non-SDN Chinese Military-Industrial Complex Companies List (CMIC) - Treasury Department",
       "CMIC"},
      {"Correspondent Account or Payable-Through Account Sanctions (CAPTA) - Treasury Department",
       "CAP"},
      {"Non-SDN Palestinian Legislative Council List (NS-PLC) - Treasury Department", "PLC"},
      {"CMIC", "CMIC"},
      {"DTC", "DTC"},
  };
  for (const auto& [source, code] : sources) {
    std::string json =
        R"({"results":[{"id":"1","name":"N","source":")" + std::string(source) + R"("}]})";
    absl::StatusOr<LoadedList> list = ParseList("x.json", json);
    ASSERT_TRUE(list.ok()) << list.status();
    EXPECT_EQ(list->entries[0].list, code) << source;
  }
}

TEST(CslJsonTest, ErrorsGiveLineColumnAndJsonPath) {
  const std::string json =
      "{\"results\": [\n"
      "  {\"id\": \"1\", \"source\": \"EL\", \"name\": \"A\"},\n"
      "  {\"id\": \"2\", \"source\": \"EL\",\n"
      "   \"name\": 42}\n"
      "]}\n";
  absl::StatusOr<LoadedList> list = ParseList("x.json", json);
  EXPECT_EQ(CodeOf(list.status()), "list_malformed");
  EXPECT_THAT(MessageOf(list.status()), StartsWith("x.json:4:12 ($.results[1].name): "));

  list = ParseList("x.json", R"({"results":[{"id":"1","source":"EL","name":"A",
"addresses":[{"country":"CN"},{"country":"Mars"}]}]})");
  EXPECT_EQ(CodeOf(list.status()), "list_invalid_field");
  EXPECT_THAT(MessageOf(list.status()),
              StartsWith("x.json:2:42 ($.results[0].addresses[1].country): "));

  list = ParseList("x.json", R"({"results":[{"id":"1","source":"EL","name":"A",
  "alt_names":["B", 7]}]})");
  EXPECT_EQ(CodeOf(list.status()), "list_malformed");
  EXPECT_THAT(MessageOf(list.status()), StartsWith("x.json:2:21 ($.results[0].alt_names[1]): "));
}

TEST(CslJsonTest, SyntaxErrorsAnywhereRefuseTheFile) {
  for (std::string_view json : {
           R"({"results":[{"id":"1","source":"EL","name":"A"},]})",
           R"({"results":[{"id":"1","source":"EL","name":"A"}]})"
           "x",
           R"({"results":[{"id":"1","source":"EL","name":"A","remarks":{"a":[1,}}]})",
           R"({"results":[{"id":"1","source":"EL","name":"A"}], "x": tru})",
           R"({"results":[{"id":"1","source":"EL","name":"A")",
           R"({"results":[{"id":"1","source":"EL","name":"A\q"}]})",
       }) {
    absl::StatusOr<LoadedList> list = ParseList("x.json", json);
    EXPECT_EQ(CodeOf(list.status()), "list_malformed") << json << " " << list.status();
    EXPECT_THAT(MessageOf(list.status()), StartsWith("x.json:1:")) << json;
  }
}

TEST(CslJsonTest, InvalidUtf8IsFoundWhereItIs) {
  absl::StatusOr<LoadedList> list =
      ParseList("x.json", "{\"results\":[\n{\"id\":\"1\",\"source\":\"EL\",\"name\":\"A\xff\"}]}");
  EXPECT_EQ(CodeOf(list.status()), "list_malformed");
  EXPECT_THAT(MessageOf(list.status()),
              StartsWith("x.json:2:34 ($): The input is not valid UTF-8"));
}

TEST(CslJsonTest, RequiredFieldsAndVocabularies) {
  struct Case {
    std::string_view entry, code, path;
  };
  for (const Case& c : {
           Case{R"({"source":"EL","name":"A"})", "list_missing_field", "$.results[0].id"},
           Case{R"({"id":"1","source":"EL","name":"  "})", "list_missing_field",
                "$.results[0].name"},
           Case{R"({"id":"1","name":"A"})", "list_missing_field", "$.results[0].source"},
           Case{R"({"id":"1","source":"Some Other List","name":"A"})", "list_invalid_field",
                "$.results[0].source"},
           Case{R"({"id":"1","source":"EL","name":"A","type":"Robot"})", "list_invalid_field",
                "$.results[0].type"},
           Case{R"({"id":"1","source":"EL","name":"A","start_date":"2024-13-01"})",
                "list_invalid_field", "$.results[0].start_date"},
           Case{R"({"id":"1","source":"EL","name":"A","nationalities":["ZZ"]})",
                "list_invalid_field", "$.results[0].nationalities[0]"},
           Case{R"({"id":"1","source":"EL","name":"A","programs":"X"})", "list_malformed",
                "$.results[0].programs"},
       }) {
    absl::StatusOr<LoadedList> list =
        ParseList("x.json", "{\"results\":[" + std::string(c.entry) + "]}");
    EXPECT_EQ(CodeOf(list.status()), c.code) << c.entry << " " << list.status();
    EXPECT_THAT(MessageOf(list.status()), HasSubstr("(" + std::string(c.path) + ")")) << c.entry;
  }
}

TEST(CslJsonTest, DuplicateIdsWithinOneListAreRefused) {
  absl::StatusOr<LoadedList> list = ParseList("x.json", R"({"results":[
    {"id":"7","source":"EL","name":"A"},{"id":"7","source":"DPL","name":"B"},
    {"id":"7","source":"EL","name":"C"}]})");
  EXPECT_EQ(CodeOf(list.status()), "list_duplicate_id");
  EXPECT_THAT(MessageOf(list.status()), HasSubstr("($.results[2])"));
}

TEST(CslJsonTest, AJsonFileWithoutResultsIsNoList) {
  EXPECT_EQ(CodeOf(ParseList("x.json", R"({"data":[]})").status()), "list_unknown_format");
  EXPECT_EQ(CodeOf(ParseList("x.json", R"([1,2])").status()), "list_malformed");
}

// ----------------------------------------------------------------------------------------------
// CSL CSV.

TEST(CslCsvTest, LoadsTheSmallFile) {
  absl::StatusOr<LoadedList> list = LoadListFile(kData + "csl_small.csv");
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->code, "CSL");
  EXPECT_EQ(list->format, "csl-csv");
  ASSERT_EQ(list->entries.size(), 3u);  // the 0x1A row is no entry
  const ListEntry& dpl = list->entries[0];
  EXPECT_EQ(dpl.list, "DPL");
  EXPECT_EQ(dpl.id, "c8f2e1");
  EXPECT_EQ(dpl.type, EntryType::kIndividual);
  EXPECT_THAT(dpl.names, ElementsAre("MICKEY MOUSE", "M. MOUSE", "MOUSE, Mickey"));
  EXPECT_THAT(dpl.countries, ElementsAre("US"));
  EXPECT_EQ(dpl.start_date, "2017-10-18");
  EXPECT_EQ(dpl.end_date, "2020-10-15");
  EXPECT_EQ(dpl.source, kData + "csl_small.csv:2");
  const ListEntry& el = list->entries[1];
  EXPECT_EQ(el.list, "EL");
  EXPECT_THAT(el.names, ElementsAre("Test Aerospace Institute, Branch \"7\"", "TAI", "TAI-7"));
  EXPECT_EQ(el.license_requirement, "For all items subject to the EAR.");
  EXPECT_EQ(list->entries[2].list, "MEU");
}

const std::string kCslHeader =
    "_id,source,entity_number,type,programs,name,title,addresses,federal_register_notice,"
    "start_date,end_date,standard_order,license_requirement,license_policy,call_sign,"
    "vessel_type,gross_tonnage,gross_registered_tonnage,vessel_flag,vessel_owner,remarks,"
    "source_list_url,alt_names,citizenships,dates_of_birth,nationalities,places_of_birth,"
    "source_information_url,ids\r\n";

// A CSL CSV row: id, source, type, name, start_date, alt_names, citizenships.
std::string CslRow(std::string_view id, std::string_view source, std::string_view type,
                   std::string_view name, std::string_view start = "",
                   std::string_view alt_names = "", std::string_view citizenships = "") {
  std::vector<std::string> cells(29);
  cells[0] = id, cells[1] = source, cells[3] = type, cells[5] = name, cells[9] = start;
  cells[22] = alt_names, cells[23] = citizenships;
  std::string row;
  for (std::size_t i = 0; i < cells.size(); ++i) row += (i ? "," : "") + cells[i];
  return row + "\r\n";
}

TEST(CslCsvTest, ErrorsGiveLineAndColumn) {
  std::string good = kCslHeader + CslRow("1", "EL", "Entity", "A");
  absl::StatusOr<LoadedList> list = ParseList("c.csv", good + "2,EL,,Entity,,\"B\"x,\r\n");
  EXPECT_EQ(CodeOf(list.status()), "list_malformed");
  EXPECT_THAT(MessageOf(list.status()), StartsWith("c.csv:3:18: text after a closing quote"));

  list = ParseList("c.csv", good + "2,EL,,Entity,,B\r\n");
  EXPECT_EQ(CodeOf(list.status()), "list_malformed");
  EXPECT_THAT(MessageOf(list.status()), StartsWith("c.csv:3:1: a row of 6 fields"));

  list = ParseList("c.csv", good + CslRow("2", "EL", "Entity", "B", "03/03/2022"));
  EXPECT_EQ(CodeOf(list.status()), "list_invalid_field");
  EXPECT_THAT(MessageOf(list.status()), StartsWith("c.csv:3:20: start_date"));

  list = ParseList("c.csv", good + CslRow("2", "EL", "Entity", "B", "", "", "CN;XX"));
  EXPECT_EQ(CodeOf(list.status()), "list_invalid_field");

  list = ParseList("c.csv", good + CslRow("", "EL", "Entity", "B"));
  EXPECT_EQ(CodeOf(list.status()), "list_missing_field");

  list = ParseList("c.csv", good + CslRow("1", "EL", "Entity", "B"));
  EXPECT_EQ(CodeOf(list.status()), "list_duplicate_id");
  EXPECT_THAT(MessageOf(list.status()), StartsWith("c.csv:3:1:"));

  list = ParseList("c.csv", good + "3,\"EL,,Entity,,B\r\n");
  EXPECT_EQ(CodeOf(list.status()), "list_malformed");
  EXPECT_THAT(MessageOf(list.status()), StartsWith("c.csv:3:3: an unterminated quoted field"));
}

// ----------------------------------------------------------------------------------------------
// EU Financial Sanctions Files XML.

TEST(EuXmlTest, LoadsTheSmallFile) {
  absl::StatusOr<LoadedList> list = LoadListFile(kData + "eu_small.xml");
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->code, "EU");
  EXPECT_EQ(list->format, "eu-fsf-xml");
  EXPECT_EQ(list->date, "2024-03-15");  // generationDate
  ASSERT_EQ(list->entries.size(), 2u);
  const ListEntry& person = list->entries[0];
  EXPECT_EQ(person.list, "EU");
  EXPECT_EQ(person.id, "1001");
  EXPECT_EQ(person.type, EntryType::kIndividual);
  // The same name in another language is kept once.
  EXPECT_THAT(person.names,
              ElementsAre("Ivan Testovich Testov",
                          "\u0418\u0432\u0430\u043d \u0422\u0435\u0441\u0442\u043e\u0432\u0438"
                          "\u0447 \u0422\u0435\u0441\u0442\u043e\u0432"));
  EXPECT_THAT(person.countries, ElementsAre("RU"));
  EXPECT_THAT(person.programs, ElementsAre("RUS"));
  EXPECT_EQ(person.start_date, "2022-02-25");  // designationDate
  EXPECT_EQ(person.source, kData + "eu_small.xml:3");
  const ListEntry& firm = list->entries[1];
  EXPECT_EQ(firm.type, EntryType::kEntity);
  EXPECT_THAT(firm.names, ElementsAre("Joint Stock Company Test Machine Works", "JSC TMW"));
  EXPECT_THAT(firm.countries, ElementsAre("RU"));  // "00" is the EU's unknown country
  EXPECT_THAT(firm.programs, ElementsAre("UKR", "RUS"));
  EXPECT_EQ(firm.start_date, "2014-08-01");  // no designationDate: the first regulation's
}

TEST(EuXmlTest, PrefixedNamespaceAndNamePartsAreRead) {
  absl::StatusOr<LoadedList> list = ParseList("eu.xml", R"(<?xml version="1.0"?>
<fsd:export xmlns:fsd="http://eu.europa.eu/fsd/bulk/v1.1" generationDate="2025-01-02T00:00:00">
  <fsd:sanctionEntity euReferenceNumber="EU.9.9">
    <fsd:subjectType code="person"/>
    <fsd:nameAlias firstName="Anna" lastName="Testova"/>
  </fsd:sanctionEntity>
</fsd:export>)");
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->date, "2025-01-02");
  ASSERT_EQ(list->entries.size(), 1u);
  EXPECT_EQ(list->entries[0].id, "EU.9.9");  // no logicalId: the EU reference number
  EXPECT_THAT(list->entries[0].names, ElementsAre("Anna Testova"));
}

std::string EuFile(std::string_view entities) {
  return "<export generationDate=\"2024-01-01\">\n" + std::string(entities) + "</export>\n";
}

TEST(EuXmlTest, ErrorsNameTheElementAndItsPosition) {
  absl::StatusOr<LoadedList> list =
      ParseList("eu.xml", EuFile("<sanctionEntity logicalId=\"1\"><nameAlias wholeName=\"A\"/>"
                                 "</sanctionEntity>\n  <sanctionEntity logicalId=\"2\"/>\n"));
  EXPECT_EQ(CodeOf(list.status()), "list_missing_field");
  EXPECT_THAT(MessageOf(list.status()), StartsWith("eu.xml:3:3 <sanctionEntity>: "));

  list = ParseList("eu.xml", EuFile("<sanctionEntity><nameAlias wholeName=\"A\"/>"
                                    "</sanctionEntity>\n"));
  EXPECT_EQ(CodeOf(list.status()), "list_missing_field");

  list = ParseList("eu.xml", EuFile("<sanctionEntity logicalId=\"1\">\n"
                                    "  <subjectType code=\"alien\"/></sanctionEntity>\n"));
  EXPECT_EQ(CodeOf(list.status()), "list_invalid_field");
  EXPECT_THAT(MessageOf(list.status()), StartsWith("eu.xml:3:3 <subjectType>: "));

  list = ParseList("eu.xml", EuFile("<sanctionEntity logicalId=\"1\"><nameAlias wholeName=\"A\"/>"
                                    "<citizenship countryIso2Code=\"SU\"/></sanctionEntity>\n"));
  EXPECT_EQ(CodeOf(list.status()), "list_invalid_field");
  EXPECT_THAT(MessageOf(list.status()), HasSubstr("<citizenship>"));

  list = ParseList("eu.xml", EuFile("<sanctionEntity logicalId=\"1\" designationDate=\"soon\">"
                                    "<nameAlias wholeName=\"A\"/></sanctionEntity>\n"));
  EXPECT_EQ(CodeOf(list.status()), "list_invalid_field");

  list = ParseList("eu.xml", EuFile("<sanctionEntity logicalId=\"1\"><nameAlias wholeName=\"A\"/>"
                                    "</sanctionEntity>\n<sanctionEntity logicalId=\"1\">"
                                    "<nameAlias wholeName=\"B\"/></sanctionEntity>\n"));
  EXPECT_EQ(CodeOf(list.status()), "list_duplicate_id");

  list = ParseList("eu.xml", "<export>\n  <sanctionEntity logicalId=\"1\">\n</export>\n");
  EXPECT_EQ(CodeOf(list.status()), "list_malformed");
  EXPECT_THAT(MessageOf(list.status()), StartsWith("eu.xml:3:"));

  list = ParseList("eu.xml", "<html><body/></html>");
  EXPECT_EQ(CodeOf(list.status()), "list_unknown_format");
}

// A name goes into matches and decisions as JSON, which must be UTF-8. pugixml takes the bytes of
// a UTF-8 file as they come and writes a character reference to a surrogate as its three bytes:
// either was once kept as a name, and the match's JSON was invalid (the lists fuzzer).
TEST(EuXmlTest, NamesMustBeUtf8) {
  for (const std::string name : {"Stock \xC3 Company", "Stock &#xD800; Company", "\xE0\x80\xAF"}) {
    SCOPED_TRACE(name);
    absl::StatusOr<LoadedList> list = ParseList(
        "eu.xml", EuFile("<sanctionEntity logicalId=\"1\">\n  <nameAlias wholeName=\"" + name +
                         "\"/></sanctionEntity>\n"));
    EXPECT_EQ(CodeOf(list.status()), "list_malformed");
    EXPECT_THAT(MessageOf(list.status()),
                StartsWith("eu.xml:3:3 <nameAlias>: wholeName is not valid UTF-8"));
  }
  absl::StatusOr<LoadedList> list = ParseList(
      "eu.xml", EuFile("<sanctionEntity logicalId=\"1\"><nameAlias wholeName=\"M&#xFC;ller &#x1F9EA;\"/>"
                       "</sanctionEntity>\n"));
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->entries[0].names[0], "M\xC3\xBCller \xF0\x9F\xA7\xAA");
}

// ----------------------------------------------------------------------------------------------
// Errors common to every format, and whole-list refusal.

TEST(ListErrorsTest, SdnRowsThatDoNotParse) {
  const std::string good = SdnRow("1", "ONE");
  struct Case {
    std::string bad, code, position;
  };
  for (const Case& c : {
           Case{"2,\"TWO\",-0- ,\"P\"\r\n", "list_malformed", "x.csv:2:1: a row of 4 fields"},
           Case{"2,\"TWO,-0- ,\"P\"\r\n", "list_malformed", "x.csv:2:14: text after"},
           Case{"2,TW\"O,-0-\r\n", "list_malformed", "x.csv:2:5: a quote inside"},
           Case{SdnRow("2", ""), "list_missing_field", "x.csv:2:1: the entry has no name"},
           Case{SdnRow("", "TWO"), "list_missing_field", "x.csv:2:1: the entry has no id"},
           Case{SdnRow("2x", "TWO"), "list_invalid_field", "x.csv:2:1: ent_num"},
           Case{SdnRow("2", "TWO", "\"robot\""), "list_invalid_field", "x.csv:2:9: SDN_Type"},
           Case{SdnRow("1", "TWO"), "list_duplicate_id", "x.csv:2:1: a second SDN entry"},
           Case{SdnRow("2", std::string(70000, 'A')), "list_malformed", "x.csv:2:3: a field of"},
           Case{"2,\"TWO\x01\",-0-\r\n", "list_malformed", "x.csv:2:7: control character 0x01"},
       }) {
    // Good rows before and after: the list is refused whole, never loaded in part.
    absl::StatusOr<LoadedList> list = ParseList("x.csv", good + c.bad + SdnRow("3", "THREE"));
    EXPECT_FALSE(list.ok()) << c.bad;
    EXPECT_EQ(CodeOf(list.status()), c.code) << c.bad << " " << list.status();
    EXPECT_THAT(MessageOf(list.status()), StartsWith(c.position)) << c.bad;
  }
}

TEST(ListErrorsTest, UnknownFormat) {
  for (std::string_view bytes : {"", "   \n", "hello, world\n", "\x89PNG\r\n\x1a\n", "name,x\n"}) {
    EXPECT_EQ(CodeOf(ParseList("x", bytes).status()), "list_unknown_format") << bytes;
  }
}

TEST(ListErrorsTest, UnreadableFilesAndDirectories) {
  absl::StatusOr<LoadedList> list = LoadListFile("/nonexistent/sdn.csv");
  EXPECT_EQ(CodeOf(list.status()), "list_unreadable");
  EXPECT_THAT(MessageOf(list.status()), StartsWith("/nonexistent/sdn.csv: "));
  fs::path dir = TempDir("empty");
  WriteBytes(dir / "README.md", "# nothing here");
  EXPECT_EQ(CodeOf(LoadLists({dir.string()}).status()), "list_unreadable");
  EXPECT_EQ(CodeOf(LoadListFile(dir.string()).status()), "list_unreadable");
  EXPECT_EQ(CodeOf(LoadLists({"/nonexistent"}).status()), "list_unreadable");
}

TEST(ListErrorsTest, TooLarge) {
  fs::path dir = TempDir("large");
  fs::path big = dir / "big.csv";
  WriteBytes(big, "1,\"A\"");
  fs::resize_file(big, kMaxListFileBytes + 1);  // sparse: no disk is written
  absl::StatusOr<LoadedList> list = LoadListFile(big.string());
  EXPECT_EQ(CodeOf(list.status()), "list_too_large");
  fs::resize_file(big, 0);
}

TEST(ListErrorsTest, InvalidDates) {
  for (std::string_view date : {"2024-02-30", "2024-1-01", "yesterday", ""}) {
    std::string spec = kData + "sdn_small.csv@" + std::string(date);
    EXPECT_EQ(CodeOf(LoadListFile(spec).status()), "list_invalid_date") << spec;
    EXPECT_EQ(CodeOf(LoadLists({spec}).status()), "list_invalid_date") << spec;
  }
  EXPECT_EQ(CodeOf(ParseList("x.csv", SdnRow("1", "A"), "15/03/2024").status()),
            "list_invalid_date");
}

// ----------------------------------------------------------------------------------------------
// Digests, dates, directories.

TEST(ListsTest, DigestIsSha256OfTheBytes) {
  EXPECT_EQ(Sha256Digest("abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  absl::StatusOr<LoadedList> list = LoadListFile(kData + "sdn_small.csv");
  ASSERT_TRUE(list.ok()) << list.status();
  // sha256sum tests/data/lists/sdn_small.csv
  EXPECT_EQ(list->digest,
            "sha256:fb2fc267e32c2fb249af7aa368980a19e34fd5630ffc04015da96dc16e232482");
}

TEST(ListsTest, PathAtDateOverridesTheDate) {
  absl::StatusOr<LoadedList> list = LoadListFile(kData + "eu_small.xml@2024-04-30");
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->date, "2024-04-30");
  EXPECT_EQ(list->path, kData + "eu_small.xml");
}

TEST(ListsTest, LoadsDirectoriesRecursivelyInSortedOrder) {
  fs::path dir = TempDir("tree");
  WriteBytes(dir / "b" / "ofac-sdn-2024-03-15.csv", ReadBytes(kData + "sdn_small.csv"));
  WriteBytes(dir / "a.json", ReadBytes(kData + "csl_small.json"));
  WriteBytes(dir / "c" / "d" / "eu.XML", ReadBytes(kData + "eu_small.xml"));
  WriteBytes(dir / "README.md", "not a list");
  WriteBytes(dir / "notes.txt", "not a list");
  absl::StatusOr<std::vector<LoadedList>> lists = LoadLists({dir.string()});
  ASSERT_TRUE(lists.ok()) << lists.status();
  ASSERT_EQ(lists->size(), 3u);
  EXPECT_EQ((*lists)[0].format, "csl-json");
  EXPECT_EQ((*lists)[1].format, "ofac-sdn-csv");
  EXPECT_EQ((*lists)[1].date, "2024-03-15");
  EXPECT_EQ((*lists)[2].format, "eu-fsf-xml");

  // Files and directories mix; a date given to a directory applies to each of its files.
  lists = LoadLists({kData + "sdn_small.csv", (dir / "c").string() + "@2023-12-31"});
  ASSERT_TRUE(lists.ok()) << lists.status();
  ASSERT_EQ(lists->size(), 2u);
  EXPECT_EQ((*lists)[1].date, "2023-12-31");

  // One bad file refuses the whole set.
  WriteBytes(dir / "b" / "zz.csv", SdnRow("1", "A") + "broken\r\n");
  EXPECT_EQ(CodeOf(LoadLists({dir.string()}).status()), "list_malformed");
}

TEST(ListsTest, TheBundledListsLoad) {
  absl::StatusOr<std::vector<LoadedList>> lists = LoadLists({kSourceDir + "/lists"});
  ASSERT_TRUE(lists.ok()) << lists.status();
  ASSERT_EQ(lists->size(), 3u);  // sorted: csl-examples.json, eu-examples.xml, ofac-sdn-...
  for (int i : {0, 1}) {  // the fictional example files: every id says so
    const LoadedList& examples = (*lists)[i];
    EXPECT_EQ(examples.date, "2026-11-01");
    for (const ListEntry& e : examples.entries) EXPECT_THAT(e.id, StartsWith("EX-")) << e.source;
  }
  EXPECT_EQ((*lists)[0].format, "csl-json");
  EXPECT_EQ((*lists)[1].format, "eu-fsf-xml");
  EXPECT_EQ((*lists)[2].entries.size(), 14466u);
}

// ----------------------------------------------------------------------------------------------
// Robustness: truncated, corrupted and random inputs of every format end in a list or a coded
// error, never a crash or a hang.

TEST(ListsRobustnessTest, TruncatedAndCorruptedInputs) {
  std::mt19937 rng(20261203);
  for (const char* file : {"sdn_small.csv", "csl_small.json", "csl_small.csv", "eu_small.xml"}) {
    const std::string bytes = ReadBytes(kData + file);
    ASSERT_FALSE(bytes.empty());
    auto check = [&](const std::string& input) {
      absl::StatusOr<LoadedList> list = ParseList(file, input);
      if (!list.ok()) {
        EXPECT_THAT(CodeOf(list.status()), StartsWith("list_")) << list.status();
      }
    };
    for (std::size_t n = 0; n <= bytes.size(); ++n) check(bytes.substr(0, n));
    for (int i = 0; i < 500; ++i) {
      std::string corrupt = bytes;
      for (int k = 0; k < 3; ++k) {
        corrupt[rng() % corrupt.size()] = static_cast<char>(rng() % 256);
      }
      check(corrupt);
    }
  }
  // Random bytes, alone or after the start of each format (so each parser sees them).
  const std::string prefixes[] = {"", "{\"results\":[{\"id\":\"1\",", "<export>\n<sanctionEntity ",
                                  "1,\"A", kCslHeader};
  for (int i = 0; i < 1000; ++i) {
    std::string garbage(rng() % 300, '\0');
    for (char& c : garbage) c = static_cast<char>(rng() % 256);
    absl::StatusOr<LoadedList> list = ParseList("g", prefixes[i % 5] + garbage);
    if (!list.ok()) {
      EXPECT_THAT(CodeOf(list.status()), StartsWith("list_"));
    }
  }
}

TEST(ListsRobustnessTest, OverlongFieldsAreRefusedInEveryFormat) {
  const std::string big(70000, 'A');
  EXPECT_EQ(CodeOf(ParseList("x.json",
                             R"({"results":[{"id":"1","source":"EL","name":")" + big + R"("}]})")
                       .status()),
            "list_malformed");
  EXPECT_EQ(CodeOf(ParseList("x.csv", kCslHeader + CslRow("1", "EL", "Entity", big)).status()),
            "list_malformed");
  EXPECT_EQ(CodeOf(ParseList("x.xml", EuFile("<sanctionEntity logicalId=\"1\"><nameAlias "
                                             "wholeName=\"" +
                                             big + "\"/></sanctionEntity>"))
                       .status()),
            "list_malformed");
}

TEST(ListsRobustnessTest, DeepNestingIsRefused) {
  std::string deep = R"({"results":[{"id":"1","source":"EL","name":"A","x":)" +
                     std::string(5000, '[') + std::string(5000, ']') + "}]}";
  EXPECT_EQ(CodeOf(ParseList("d.json", deep).status()), "list_malformed");
}

}  // namespace
}  // namespace exportctl::internal
