#ifndef EXPORTCTL_SRC_CHECK_SCHEMA_TABLE_H_
#define EXPORTCTL_SRC_CHECK_SCHEMA_TABLE_H_

// The table of the request's fields (see schema.h), as a constant expression, so that code can
// be generated from it at compile time (the quick validator in src/request/request_json.cc).
// Include schema.h everywhere else.

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "exportctl/limits.h"
#include "src/check/schema.h"

namespace exportctl::internal {
namespace schema_table {


// The closed vocabularies of the contract.
inline constexpr std::string_view kMaterialCategories[] = {
    "human_specimen", "pathogen",  "toxin",     "genetic_element",
    "vaccine",        "reagent",   "assay_kit", "reference_standard",
    "equipment",      "investigational_product", "other"};
inline constexpr std::string_view kDeidentifications[] = {"none", "pseudonymized", "safe_harbor",
                                                   "expert_determination", "anonymized"};
inline constexpr std::string_view kTransferMechanisms[] = {"adequacy", "scc", "bcr", "derogation", "none"};
inline constexpr std::string_view kMaterialForms[] = {"culture", "specimen", "extract", "product"};
inline constexpr std::string_view kPartyRoles[] = {"consignee", "intermediate_consignee",
                                            "freight_forwarder"};
// Volume (uL, mL, L), mass (ug, mg, g, kg), and counts, singular or plural.
inline constexpr std::string_view kUnits[] = {
    "uL",     "mL",      "L",      "ug",     "mg",      "g",       "kg",      "each",
    "unit",   "units",   "vial",   "vials",  "tube",    "tubes",   "kit",     "kits",
    "box",    "boxes",   "dose",   "doses",  "swab",    "swabs",   "tablet",  "tablets",
    "block",  "blocks",  "slide",  "slides", "sample",  "samples", "plate",   "plates",
    "ampoule", "ampoules", "bottle", "bottles", "bag", "bags", "pack", "packs"};

template <typename T>
struct MemberOf;
template <typename C, typename T>
struct MemberOf<T C::*> {
  using Class = C;
  using Type = T;
};

template <typename T>
constexpr Storage StorageOf() {
  if constexpr (std::is_same_v<T, std::string>) return Storage::kString;
  if constexpr (std::is_same_v<T, std::optional<std::string>>) return Storage::kOptString;
  if constexpr (std::is_same_v<T, std::optional<double>>) return Storage::kOptNumber;
  if constexpr (std::is_same_v<T, std::optional<bool>>) return Storage::kOptBool;
  if constexpr (std::is_same_v<T, std::vector<std::string>>) return Storage::kStrings;
  if constexpr (std::is_same_v<T, std::optional<std::vector<std::string>>>) return Storage::kOptStrings;
  if constexpr (std::is_same_v<T, std::optional<Exporter>> ||
                std::is_same_v<T, std::optional<EndUser>> ||
                std::is_same_v<T, std::optional<DataTransfer>>) {
    return Storage::kOptObject;
  }
  if constexpr (std::is_same_v<T, std::vector<Material>>) return Storage::kMaterials;
  if constexpr (std::is_same_v<T, std::optional<std::vector<Party>>>) return Storage::kOptParties;
}

template <typename C>
constexpr Object ObjectOf() {
  if constexpr (std::is_same_v<C, Request>) return Object::kRequest;
  if constexpr (std::is_same_v<C, Exporter>) return Object::kExporter;
  if constexpr (std::is_same_v<C, EndUser>) return Object::kEndUser;
  if constexpr (std::is_same_v<C, DataTransfer>) return Object::kData;
  if constexpr (std::is_same_v<C, Material>) return Object::kMaterial;
  if constexpr (std::is_same_v<C, Party>) return Object::kParty;
}

template <auto kMember>
void* At(void* object) {
  return &(static_cast<typename MemberOf<decltype(kMember)>::Class*>(object)->*kMember);
}

constexpr AttrInfo Row(Attr attr, std::string_view name, Owner owner, Type type, Object object,
                       std::string_view key, Storage storage) {
  AttrInfo f;
  f.attr = attr;
  f.name = name;
  f.owner = owner;
  f.type = type;
  f.object = object;
  f.key = key;
  f.storage = storage;
  return f;
}

// A stored field: its object, key and storage come from the member itself.
template <auto kMember>
constexpr AttrInfo Field(Attr attr, std::string_view name, Owner owner, Type type,
                         std::string_view key, std::string_view doc) {
  using M = MemberOf<decltype(kMember)>;
  AttrInfo f = Row(attr, name, owner, type, ObjectOf<typename M::Class>(), key,
                   StorageOf<typename M::Type>());
  f.at = &At<kMember>;
  f.doc = doc;
  return f;
}
constexpr AttrInfo Required(AttrInfo f) {
  f.required = true;
  return f;
}
constexpr AttrInfo Checked(AttrInfo f, Constraint c) {
  f.constraint = c;
  return f;
}
constexpr AttrInfo OneOf(AttrInfo f, std::span<const std::string_view> vocabulary) {
  f.constraint = Constraint::kOneOf;
  f.vocabulary = vocabulary;
  return f;
}
constexpr AttrInfo Items(AttrInfo f, std::uint32_t min, std::uint32_t max) {
  f.min_items = min;
  f.max_items = max;
  return f;
}
constexpr AttrInfo Holds(AttrInfo f, Object child) {
  f.child = child;
  return f;
}
constexpr AttrInfo Derived(Attr attr, std::string_view name, Type type, Derive derive, Attr source,
                           std::string_view doc) {
  AttrInfo f = Row(attr, name, Owner::kRequest, type, Object::kRequest, {}, Storage::kDerived);
  f.derive = derive;
  f.source = source;
  f.doc = doc;
  return f;
}

using enum Attr;
using O = Owner;
using T = Type;

inline constexpr AttrInfo kFields[] = {
    Required(Checked(Field<&Request::id>(kId, "id", O::kRequest, T::kString, "id",
                                         "the shipment's identifier"),
                     Constraint::kNonEmpty)),
    Required(Checked(Field<&Request::date>(kDate, "date", O::kRequest, T::kDate, "date",
                                           "the date of the shipment"),
                     Constraint::kDate)),
    Holds(Field<&Request::exporter>(kExporter, "exporter", O::kRequest, T::kObject, "exporter", ""),
          Object::kExporter),
    Field<&Exporter::name>(kExporterName, "exporter.name", O::kRequest, T::kString, "name", ""),
    Checked(Field<&Exporter::country>(kExporterCountry, "exporter.country", O::kRequest, T::kString,
                                      "country", ""),
            Constraint::kCountry),
    Field<&Exporter::us_owned>(kExporterUsOwned, "exporter.us_owned", O::kRequest, T::kBool,
                               "us_owned", "owned or controlled by a US person"),
    Items(Required(Checked(Field<&Request::route>(kRoute, "route", O::kRequest, T::kStringList, "route",
                                                  "origin, transits..., destination"),
                           Constraint::kCountry)),
          2, kMaxRouteCountries),
    Derived(kRouteOrigin, "route.origin", T::kString, Derive::kFirst, kRoute,
            "the first country of the route (always known)"),
    Derived(kRouteDestination, "route.destination", T::kString, Derive::kLast, kRoute,
            "the last country of the route (always known)"),
    Derived(kRouteTransit, "route.transit", T::kStringList, Derive::kMiddle, kRoute,
            "the countries between origin and destination"),
    Holds(Field<&Request::end_user>(kEndUser, "end_user", O::kRequest, T::kObject, "end_user", ""),
          Object::kEndUser),
    Field<&EndUser::name>(kEndUserName, "end_user.name", O::kRequest, T::kString, "name", ""),
    Checked(Field<&EndUser::country>(kEndUserCountry, "end_user.country", O::kRequest, T::kString,
                                     "country", ""),
            Constraint::kCountry),
    Field<&EndUser::type>(kEndUserType, "end_user.type", O::kRequest, T::kString, "type", ""),
    Field<&EndUser::end_use>(kEndUserEndUse, "end_user.end_use", O::kRequest, T::kString, "end_use",
                             "free text"),
    Field<&EndUser::address>(kEndUserAddress, "end_user.address", O::kRequest, T::kString, "address",
                             ""),
    Items(Field<&Request::parties>(kParties, "parties", O::kRequest, T::kPartyList, "parties",
                                   "consignees and forwarders (`p.role`, `p.name`, `p.country`)"),
          0, kMaxParties),
    Items(Required(Checked(Field<&Request::materials>(kMaterials, "materials", O::kRequest,
                                                      T::kMaterialList, "materials",
                                                      "the items shipped (`m.id`, ...)"),
                           Constraint::kUniqueIds)),
          1, kMaxMaterials),
    Holds(Field<&Request::data>(kData, "data", O::kRequest, T::kObject, "data", ""), Object::kData),
    Field<&DataTransfer::personal_data>(kDataPersonalData, "data.personal_data", O::kRequest,
                                        T::kBool, "personal_data", ""),
    Items(Field<&DataTransfer::categories>(kDataCategories, "data.categories", O::kRequest,
                                           T::kStringList, "categories", "e.g. health, genetic"),
          0, kMaxDataCategories),
    OneOf(Field<&DataTransfer::deidentification>(kDataDeidentification, "data.deidentification",
                                                 O::kRequest, T::kString, "deidentification", ""),
          kDeidentifications),
    OneOf(Field<&DataTransfer::transfer_mechanism>(kDataTransferMechanism,
                                                   "data.transfer_mechanism", O::kRequest, T::kString,
                                                   "transfer_mechanism", ""),
          kTransferMechanisms),
    Field<&DataTransfer::encrypted>(kDataEncrypted, "data.encrypted", O::kRequest, T::kBool,
                                    "encrypted", ""),
    Items(Field<&Request::licenses>(kLicenses, "licenses", O::kRequest, T::kStringList, "licenses",
                                    "the licenses the shipment goes under: ids of the --licenses "
                                    "repository, checked against each license_required (README, Licenses)"),
          0, kMaxRequestLicenses),
    Items(Checked(Field<&Request::enters_commerce>(kEntersCommerce, "enters_commerce", O::kRequest,
                                                   T::kStringList, "enters_commerce",
                                                   "transit countries where the cargo enters "
                                                   "commerce (an export to them)"),
                  Constraint::kTransitCountry),
          0, kMaxRouteCountries - 2),
    Required(Checked(Field<&Material::id>(kMaterialId, "id", O::kMaterial, T::kString, "id",
                                          "unique within the request"),
                     Constraint::kNonEmpty)),
    Field<&Material::description>(kMaterialDescription, "description", O::kMaterial, T::kString,
                                  "description", "free text"),
    OneOf(Field<&Material::category>(kMaterialCategory, "category", O::kMaterial, T::kString,
                                     "category", ""),
          kMaterialCategories),
    Checked(Field<&Material::origin>(kMaterialOrigin, "origin", O::kMaterial, T::kString, "origin",
                                     "country of origin (no default: a rule that needs it fails "
                                     "closed when it is absent)"),
            Constraint::kCountry),
    Field<&Material::eccn>(kMaterialEccn, "eccn", O::kMaterial, T::kString, "eccn",
                           "Export Control Classification Number, or EAR99"),
    Field<&Material::eu_dual_use>(kMaterialEuDualUse, "eu_dual_use", O::kMaterial, T::kString,
                                  "eu_dual_use", "Annex I entry of Regulation (EU) 2021/821"),
    Checked(Field<&Material::un_number>(kMaterialUnNumber, "un_number", O::kMaterial, T::kString,
                                        "un_number", "the UN number of the dangerous goods"),
            Constraint::kUnNumber),
    Checked(Field<&Material::quantity>(kMaterialQuantity, "quantity", O::kMaterial, T::kNumber,
                                       "quantity", "net quantity, in `unit`"),
            Constraint::kNonNegative),
    OneOf(Field<&Material::unit>(kMaterialUnit, "unit", O::kMaterial, T::kString, "unit", ""),
          kUnits),
    Field<&Material::temperature>(kMaterialTemperature, "temperature", O::kMaterial, T::kString,
                                  "temperature", "e.g. ambient, refrigerated, frozen, dry_ice"),
    Checked(Field<&Material::dry_ice_kg>(kMaterialDryIceKg, "dry_ice_kg", O::kMaterial, T::kNumber,
                                         "dry_ice_kg", "kg of dry ice (UN1845) in the package"),
            Constraint::kNonNegative),
    Field<&Material::agent>(kMaterialAgent, "agent", O::kMaterial, T::kString, "agent",
                            "organism or toxin, as named in the Category A indicative list"),
    OneOf(Field<&Material::form>(kMaterialForm, "form", O::kMaterial, T::kString, "form",
                                 "`specimen` is a patient specimen"),
          kMaterialForms),
    Required(OneOf(Field<&Party::role>(kPartyRole, "role", O::kParty, T::kString, "role", ""),
                   kPartyRoles)),
    Field<&Party::name>(kPartyName, "name", O::kParty, T::kString, "name", ""),
    Checked(Field<&Party::country>(kPartyCountry, "country", O::kParty, T::kString, "country",
                                   ""),
            Constraint::kCountry),
};

constexpr bool InEnumOrder() {
  if (std::size(kFields) != static_cast<size_t>(Attr::kCount)) return false;
  for (size_t i = 0; i < std::size(kFields); ++i) {
    if (kFields[i].attr != static_cast<Attr>(i)) return false;
  }
  return true;
}
static_assert(InEnumOrder(), "kFields must list every Attr, in the enum's order");

}  // namespace schema_table

using schema_table::kFields;

}  // namespace exportctl::internal

#endif  // EXPORTCTL_SRC_CHECK_SCHEMA_TABLE_H_
