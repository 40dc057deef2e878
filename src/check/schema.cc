#include "src/check/schema.h"

#include <algorithm>
#include <climits>
#include <cstring>

namespace exportctl::internal {

const std::vector<std::string_view>& MaterialCategories() {
  static const auto* v = new std::vector<std::string_view>{
      "human_specimen", "pathogen",           "toxin",     "genetic_element",
      "vaccine",        "reagent",            "assay_kit", "reference_standard",
      "equipment",      "investigational_product", "other"};
  return *v;
}
const std::vector<std::string_view>& Deidentifications() {
  static const auto* v = new std::vector<std::string_view>{
      "none", "pseudonymized", "safe_harbor", "expert_determination", "anonymized"};
  return *v;
}
const std::vector<std::string_view>& TransferMechanisms() {
  static const auto* v =
      new std::vector<std::string_view>{"adequacy", "scc", "bcr", "derogation", "none"};
  return *v;
}
const std::vector<std::string_view>& PartyRoles() {
  static const auto* v = new std::vector<std::string_view>{"consignee", "intermediate_consignee",
                                                           "freight_forwarder"};
  return *v;
}

const std::vector<AttrInfo>& Attributes() {
  using enum Attr;
  using Type::kBool, Type::kNumber, Type::kString, Type::kStringList, Type::kMaterialList,
      Type::kPartyList;
  static const auto* v = new std::vector<AttrInfo>{
      {"id", kId, kString, Owner::kRequest, {}},
      {"date", kDate, Type::kDate, Owner::kRequest, {}},
      {"exporter.name", kExporterName, kString, Owner::kRequest, {}},
      {"exporter.country", kExporterCountry, kString, Owner::kRequest, {}},
      {"route", kRoute, kStringList, Owner::kRequest, {}},
      {"route.origin", kRouteOrigin, kString, Owner::kRequest, {}},
      {"route.destination", kRouteDestination, kString, Owner::kRequest, {}},
      {"route.transit", kRouteTransit, kStringList, Owner::kRequest, {}},
      {"end_user.name", kEndUserName, kString, Owner::kRequest, {}},
      {"end_user.country", kEndUserCountry, kString, Owner::kRequest, {}},
      {"end_user.type", kEndUserType, kString, Owner::kRequest, {}},
      {"end_user.end_use", kEndUserEndUse, kString, Owner::kRequest, {}},
      {"end_user.address", kEndUserAddress, kString, Owner::kRequest, {}},
      {"parties", kParties, kPartyList, Owner::kRequest, {}},
      {"materials", kMaterials, kMaterialList, Owner::kRequest, {}},
      {"data.personal_data", kDataPersonalData, kBool, Owner::kRequest, {}},
      {"data.categories", kDataCategories, kStringList, Owner::kRequest, {}},
      {"data.deidentification", kDataDeidentification, kString, Owner::kRequest,
       Deidentifications()},
      {"data.transfer_mechanism", kDataTransferMechanism, kString, Owner::kRequest,
       TransferMechanisms()},
      {"data.encrypted", kDataEncrypted, kBool, Owner::kRequest, {}},
      {"licenses", kLicenses, kStringList, Owner::kRequest, {}},
      {"id", kMaterialId, kString, Owner::kMaterial, {}},
      {"description", kMaterialDescription, kString, Owner::kMaterial, {}},
      {"category", kMaterialCategory, kString, Owner::kMaterial, MaterialCategories()},
      {"origin", kMaterialOrigin, kString, Owner::kMaterial, {}},
      {"eccn", kMaterialEccn, kString, Owner::kMaterial, {}},
      {"eu_dual_use", kMaterialEuDualUse, kString, Owner::kMaterial, {}},
      {"un_number", kMaterialUnNumber, kString, Owner::kMaterial, {}},
      {"quantity", kMaterialQuantity, kNumber, Owner::kMaterial, {}},
      {"dry_ice_kg", kMaterialDryIceKg, kNumber, Owner::kMaterial, {}},
      {"unit", kMaterialUnit, kString, Owner::kMaterial, {}},
      {"temperature", kMaterialTemperature, kString, Owner::kMaterial, {}},
      {"role", kPartyRole, kString, Owner::kParty, PartyRoles()},
      {"name", kPartyName, kString, Owner::kParty, {}},
      {"country", kPartyCountry, kString, Owner::kParty, {}},
  };
  return *v;
}

const AttrInfo& Info(Attr attr) { return Attributes()[static_cast<int>(attr)]; }

bool IsRequestRoot(std::string_view name) {
  for (const AttrInfo& a : Attributes()) {
    if (a.owner != Owner::kRequest) continue;
    std::string_view root = a.name.substr(0, a.name.find('.'));
    if (root == name) return true;
  }
  return false;
}

std::string TypeName(Type type) {
  switch (type) {
    case Type::kBool: return "bool";
    case Type::kNumber: return "number";
    case Type::kString: return "string";
    case Type::kDate: return "date";
    case Type::kStringList: return "list of strings";
    case Type::kMaterialList: return "list of materials";
    case Type::kPartyList: return "list of parties";
    case Type::kMaterial: return "material";
    case Type::kParty: return "party";
    case Type::kSet: return "set";
    case Type::kTable: return "table";
  }
  return "?";
}

bool ParseDateUncached(std::string_view t, std::int32_t* days);

bool ParseDate(std::string_view t, std::int32_t* days) {
  // Requests in a batch mostly share their date: remember the last one parsed on this thread.
  thread_local char last_text[10] = {};
  thread_local std::int32_t last_days = INT32_MIN;
  if (t.size() == 10 && last_days != INT32_MIN && std::memcmp(t.data(), last_text, 10) == 0) {
    *days = last_days;
    return true;
  }
  if (!ParseDateUncached(t, days)) return false;
  std::memcpy(last_text, t.data(), 10);
  last_days = *days;
  return true;
}

bool ParseDateUncached(std::string_view t, std::int32_t* days) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return false;
  auto digit = [&](int i) { return static_cast<unsigned>(static_cast<unsigned char>(t[i]) - '0'); };
  if (digit(0) > 9 || digit(1) > 9 || digit(2) > 9 || digit(3) > 9 || digit(5) > 9 ||
      digit(6) > 9 || digit(8) > 9 || digit(9) > 9) {
    return false;
  }
  int y = static_cast<int>(digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3));
  unsigned m = digit(5) * 10 + digit(6);
  unsigned d = digit(8) * 10 + digit(9);
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (y < 1900 || m < 1 || m > 12 || d < 1 || d > kDays[m - 1] + (m == 2 && leap)) return false;
  // Howard Hinnant's days_from_civil.
  y -= m <= 2;
  const int era = y / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  *days = era * 146097 + static_cast<int>(doe) - 719468;
  return true;
}

}  // namespace exportctl::internal
