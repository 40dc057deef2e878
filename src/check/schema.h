#ifndef EXPORTCTL_SRC_CHECK_SCHEMA_H_
#define EXPORTCTL_SRC_CHECK_SCHEMA_H_

// The request's fields, described once. One table (kFields in schema.cc) says, for every field
// of the request contract, its name in rules, its JSON key and object, how it is stored in the
// structs of include/exportctl/request.h, its type, whether it is required, and its closed
// vocabulary or constraint. The decoder, the validator, the checker's names, the evaluator's
// readers and the attribute table of rules/LANGUAGE.md are all driven by it; nothing else lists
// the fields (tests/schema_test.cc fails when the documentation drifts).

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
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
  kObject,  // exporter, end_user, data: objects that hold attributes, not attributes themselves
};
std::string TypeName(Type type);

// Every field of the request, in the order of kFields (a static_assert keeps the two equal).
enum class Attr : std::uint8_t {
  kId,
  kDate,
  kExporter,
  kExporterName,
  kExporterCountry,
  kExporterUsOwned,
  kRoute,
  kRouteOrigin,
  kRouteDestination,
  kRouteTransit,
  kEndUser,
  kEndUserName,
  kEndUserCountry,
  kEndUserType,
  kEndUserEndUse,
  kEndUserAddress,
  kParties,
  kMaterials,
  kData,
  kDataPersonalData,
  kDataCategories,
  kDataDeidentification,
  kDataTransferMechanism,
  kDataEncrypted,
  kLicenses,
  kEntersCommerce,
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
  kMaterialAgent,
  kMaterialForm,
  kPartyRole,
  kPartyName,
  kPartyCountry,
  kCount,
};

// What a rule reads an attribute from: the request, or a variable bound to a material or party.
enum class Owner : std::uint8_t { kRequest, kMaterial, kParty };

// The JSON object a field's key belongs to (and the struct that stores it).
enum class Object : std::uint8_t { kRequest, kExporter, kEndUser, kData, kMaterial, kParty };

// How a field is stored in the structs of include/exportctl/request.h. Deduced from the member
// itself (schema.cc), so the table cannot disagree with the structs.
enum class Storage : std::uint8_t {
  kString,      // std::string (a required field)
  kOptString,   // std::optional<std::string>
  kOptNumber,   // std::optional<double>
  kOptBool,     // std::optional<bool>
  kStrings,     // std::vector<std::string> (a required list)
  kOptStrings,  // std::optional<std::vector<std::string>>
  kOptObject,   // std::optional<Exporter | EndUser | DataTransfer>: the object `child`
  kMaterials,   // std::vector<Material>
  kOptParties,  // std::optional<std::vector<Party>>
  kDerived,     // not stored: computed from the field `source` (see Derive)
};

// What a valid value must satisfy (for lists: each element, besides the item counts).
enum class Constraint : std::uint8_t {
  kNone,
  kNonEmpty,     // a non-empty string
  kDate,         // "YYYY-MM-DD", a day of the calendar
  kCountry,      // ISO 3166-1 alpha-2, or one of the ISO 3166-2 regions of countries.cc
  kUnNumber,     // "UN" and four digits
  kNonNegative,  // a finite number >= 0
  kOneOf,        // one of `vocabulary`
  kUniqueIds,    // materials: non-empty ids, each used once
  kTransitCountry,  // a country of the route between its origin and its destination
};

// How a derived field is computed from its `source`.
enum class Derive : std::uint8_t {
  kNone,
  kFirst,   // the first element of the source list (route.origin)
  kLast,    // the last element (route.destination)
  kMiddle,  // all but the first and the last (route.transit)
};

// The byte offset of each stored field in its object, measured once at start-up from the
// member pointers of kFields (schema.cc): reading a field is an addition, not a call.
extern const std::array<std::uint32_t, static_cast<std::size_t>(Attr::kCount)> kFieldOffsets;

struct AttrInfo {
  Attr attr = Attr::kCount;
  std::string_view name;  // in rules: "end_user.country", or "unit" for a material's `m.unit`
  Owner owner = Owner::kRequest;
  Type type = Type::kObject;
  Object object = Object::kRequest;  // the JSON object holding `key`
  std::string_view key;   // the JSON key; empty for a derived field
  Storage storage = Storage::kDerived;
  bool required = false;  // must be present (and not null) in JSON
  Constraint constraint = Constraint::kNone;
  std::span<const std::string_view> vocabulary;  // kOneOf: the closed set of values
  std::uint32_t min_items = 0, max_items = 0;    // lists: how many elements (0: no maximum)
  Derive derive = Derive::kNone;
  Attr source = Attr::kCount;    // kDerived: computed from it
  Object child = Object::kRequest;  // kOptObject: the object it holds
  void* (*at)(void* object) = nullptr;  // the member in an instance of `object` (see In)
  std::string_view doc;  // one line for rules/LANGUAGE.md

  // Whether rules can read it (the objects exporter, end_user and data are only containers).
  constexpr bool is_attribute() const { return type != Type::kObject; }
  // The member's storage in `o`, an instance of `object` (a Request, Exporter, EndUser,
  // DataTransfer, Material or Party). Not for derived fields.
  const void* In(const void* o) const {
    return static_cast<const char*>(o) + kFieldOffsets[static_cast<std::size_t>(attr)];
  }
  void* In(void* o) const {
    return static_cast<char*>(o) + kFieldOffsets[static_cast<std::size_t>(attr)];
  }
  // Whether validating it does anything (a constraint, item counts, or an object to descend).
  constexpr bool checked() const {
    return constraint != Constraint::kNone || max_items != 0 || min_items != 0 ||
           storage == Storage::kOptObject || storage == Storage::kMaterials ||
           storage == Storage::kOptParties;
  }
};

// The whole table, indexed by Attr.
std::span<const AttrInfo> Attributes();
extern const AttrInfo* const kFieldTable;  // Attributes().data(), constant-initialised
inline const AttrInfo& Info(Attr attr) { return kFieldTable[static_cast<std::size_t>(attr)]; }
// The fields whose key is in `object`, in table order (the decoder's key list).
std::span<const AttrInfo* const> FieldsOf(Object object);
// The JSON path of a field, with `[]` for list elements: "$.materials[].unit".
std::string JsonPath(const AttrInfo& field);
// The object of kind `object` inside `request` (the request itself, or its exporter, end user or
// data), or nullptr when the request does not give it. Not for materials and parties.
const void* ObjectIn(const Request& request, Object object);
// The first components of request attributes: id, date, exporter, route, ...
bool IsRequestRoot(std::string_view name);
// Whether `code` is an ISO 3166-1 alpha-2 code, or one of the ISO 3166-2 regions that export
// controls name apart (src/request/countries.cc). Inline: it is on every request's path.
extern const std::array<std::uint64_t, (26 * 26 + 63) / 64> kCountryBits;
bool IsRegionCode(std::string_view code);
inline bool IsCountryCode(std::string_view code);

// Request::Validate, also returning the request's date in days (src/request/request_json.cc).
absl::Status ValidateRequest(const Request& request, std::int32_t* days);

// Returns 0..675 for two upper-case letters ("AA".."ZZ"), else -1.
constexpr int CodeIndex(std::string_view s) {
  if (s.size() != 2) return -1;
  unsigned a = static_cast<unsigned char>(s[0]) - 'A', b = static_cast<unsigned char>(s[1]) - 'A';
  return a < 26 && b < 26 ? static_cast<int>(a * 26 + b) : -1;
}

inline bool IsCountryCode(std::string_view code) {
  if (int i = CodeIndex(code); i >= 0) return kCountryBits[i / 64] >> (i % 64) & 1;
  return code.size() != 2 && IsRegionCode(code);
}

// Days since 1970-01-01 for a valid "YYYY-MM-DD", or false.
bool ParseDate(std::string_view text, std::int32_t* days);
// Days since 1970-01-01 as YYYY-MM-DD.
std::string FormatDate(std::int32_t days);

}  // namespace exportctl::internal

#endif  // EXPORTCTL_SRC_CHECK_SCHEMA_H_
