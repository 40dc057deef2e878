#ifndef EXPORTCTL_SRC_CHECK_SCHEMA_H_
#define EXPORTCTL_SRC_CHECK_SCHEMA_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "exportctl/request.h"

namespace exportctl::internal {

// The types of the rule language.
enum class Type : std::uint8_t {
  kBool,
  kNumber,
  kString,
  kDate,
  kStringList,
  kMaterialList,
  kPartyList,
  kMaterial,
  kParty,
  kSet,
  kTable,
};
std::string TypeName(Type type);

// Every attribute a rule can read. Request attributes are read from the request; material and
// party attributes from a variable bound to a material or a party.
enum class Attr : std::uint8_t {
  kId,
  kDate,
  kExporterName,
  kExporterCountry,
  kRoute,
  kRouteOrigin,
  kRouteDestination,
  kRouteTransit,
  kEndUserName,
  kEndUserCountry,
  kEndUserType,
  kEndUserEndUse,
  kEndUserAddress,
  kParties,
  kMaterials,
  kDataPersonalData,
  kDataCategories,
  kDataDeidentification,
  kDataTransferMechanism,
  kDataEncrypted,
  kLicenses,
  kMaterialId,
  kMaterialDescription,
  kMaterialCategory,
  kMaterialOrigin,
  kMaterialEccn,
  kMaterialEuDualUse,
  kMaterialUnNumber,
  kMaterialQuantity,
  kMaterialUnit,
  kMaterialTemperature,
  kMaterialDryIceKg,
  kPartyRole,
  kPartyName,
  kPartyCountry,
};

enum class Owner : std::uint8_t { kRequest, kMaterial, kParty };

struct AttrInfo {
  std::string_view name;  // "end_user.country", or "eccn" for a material attribute
  Attr attr;
  Type type;
  Owner owner;
  std::vector<std::string_view> allowed;  // the closed set of values, when there is one
};

const std::vector<AttrInfo>& Attributes();
const AttrInfo& Info(Attr attr);
// The first components of request attributes: id, date, exporter, route, ...
bool IsRequestRoot(std::string_view name);

// The contract's closed vocabularies.
const std::vector<std::string_view>& MaterialCategories();
const std::vector<std::string_view>& Deidentifications();
const std::vector<std::string_view>& TransferMechanisms();
const std::vector<std::string_view>& PartyRoles();
bool IsCountryCode(std::string_view code);

// Request::Validate, also returning the request's date in days (src/request/request_json.cc).
absl::Status ValidateRequest(const Request& request, std::int32_t* days);

// Returns 0..675 for two upper-case letters ("AA".."ZZ"), else -1.
constexpr int CodeIndex(std::string_view s) {
  if (s.size() != 2) return -1;
  unsigned a = static_cast<unsigned char>(s[0]) - 'A', b = static_cast<unsigned char>(s[1]) - 'A';
  return a < 26 && b < 26 ? static_cast<int>(a * 26 + b) : -1;
}

// Days since 1970-01-01 for a valid "YYYY-MM-DD", or false.
bool ParseDate(std::string_view text, std::int32_t* days);

}  // namespace exportctl::internal

#endif  // EXPORTCTL_SRC_CHECK_SCHEMA_H_
