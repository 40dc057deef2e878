#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>

#include "src/check/schema.h"

namespace exportctl::internal {

namespace {
// ISO 3166-1 alpha-2, the 249 officially assigned codes (ISO 3166 Maintenance Agency, checked
// 2026-11-25), plus XK (Kosovo), a user-assigned code that the EU and US agencies use.
constexpr std::string_view kCountries[] = {
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "XK", "YE", "YT", "ZA", "ZM", "ZW"};

// ISO 3166-2 subdivisions of Ukraine that export controls and sanctions name apart (15 CFR
// 746.6, E.O. 13685, E.O. 14065; EU Regulations 692/2014 and 2022/263 as extended by 2022/1903):
// Crimea (UA-43), Sevastopol (UA-40), and the Luhansk (UA-09), Donetsk (UA-14), Zaporizhzhia
// (UA-23) and Kherson (UA-65) oblasts. Codes as in Debian's iso-codes 4.15.0
// (iso_3166-2.json), checked 2026-12-03; ISO's own platform was not read.
constexpr std::string_view kRegions[] = {"UA-09", "UA-14", "UA-23", "UA-40", "UA-43", "UA-65"};
}  // namespace

const std::array<std::uint64_t, (26 * 26 + 63) / 64> kCountryBits = [] {
  std::array<std::uint64_t, (26 * 26 + 63) / 64> bits{};
  for (std::string_view c : kCountries) {
    int i = CodeIndex(c);
    bits[i / 64] |= std::uint64_t{1} << (i % 64);
  }
  return bits;
}();

bool IsRegionCode(std::string_view code) {
  return std::find(std::begin(kRegions), std::end(kRegions), code) != std::end(kRegions);
}

}  // namespace exportctl::internal
