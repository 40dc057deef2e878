#include "src/check/schema.h"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstring>
#include <optional>
#include <type_traits>

#include "src/check/schema_table.h"

namespace exportctl::internal {

namespace {

template <typename C>
std::uint32_t OffsetIn(const AttrInfo& f) {
  static C instance;
  return static_cast<std::uint32_t>(static_cast<char*>(f.at(&instance)) -
                                    reinterpret_cast<char*>(&instance));
}

}  // namespace

const std::array<std::uint32_t, static_cast<size_t>(Attr::kCount)> kFieldOffsets = [] {
  std::array<std::uint32_t, static_cast<size_t>(Attr::kCount)> offsets{};
  for (const AttrInfo& f : kFields) {
    if (!f.at) continue;  // derived
    std::uint32_t& o = offsets[static_cast<size_t>(f.attr)];
    switch (f.object) {
      case Object::kRequest: o = OffsetIn<Request>(f); break;
      case Object::kExporter: o = OffsetIn<Exporter>(f); break;
      case Object::kEndUser: o = OffsetIn<EndUser>(f); break;
      case Object::kData: o = OffsetIn<DataTransfer>(f); break;
      case Object::kMaterial: o = OffsetIn<Material>(f); break;
      case Object::kParty: o = OffsetIn<Party>(f); break;
    }
  }
  return offsets;
}();

std::span<const AttrInfo> Attributes() { return kFields; }

constinit const AttrInfo* const kFieldTable = kFields;

std::span<const AttrInfo* const> FieldsOf(Object object) {
  static const auto* by_object = [] {
    auto* v = new std::vector<std::vector<const AttrInfo*>>(6);
    for (const AttrInfo& f : kFields) {
      if (!f.key.empty()) (*v)[static_cast<size_t>(f.object)].push_back(&f);
    }
    return v;
  }();
  return (*by_object)[static_cast<size_t>(object)];
}

namespace {
const AttrInfo* Holder(Object object) {
  for (const AttrInfo& f : kFields) {
    if (f.storage == Storage::kOptObject && f.child == object) return &f;
    if (object == Object::kMaterial && f.storage == Storage::kMaterials) return &f;
    if (object == Object::kParty && f.storage == Storage::kOptParties) return &f;
  }
  return nullptr;
}
}  // namespace

std::string JsonPath(const AttrInfo& field) {
  if (field.storage == Storage::kDerived) return JsonPath(Info(field.source));
  std::string path(field.key);
  for (Object o = field.object; o != Object::kRequest;) {
    const AttrInfo* holder = Holder(o);
    bool list = o == Object::kMaterial || o == Object::kParty;
    path = std::string(holder->key) + (list ? "[]." : ".") + path;
    o = holder->object;
  }
  return "$." + path;
}

const void* ObjectIn(const Request& request, Object object) {
  switch (object) {
    case Object::kRequest: return &request;
    case Object::kExporter: return request.exporter ? &*request.exporter : nullptr;
    case Object::kEndUser: return request.end_user ? &*request.end_user : nullptr;
    case Object::kData: return request.data ? &*request.data : nullptr;
    default: return nullptr;
  }
}

bool IsRequestRoot(std::string_view name) {
  for (const AttrInfo& a : kFields) {
    if (a.owner != Owner::kRequest || !a.is_attribute()) continue;
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
    case Type::kObject: return "object";
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

// Howard Hinnant's civil_from_days: the inverse of ParseDate.
std::string FormatDate(std::int32_t days) {
  const int z = days + 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const int y = static_cast<int>(yoe) + era * 400 + (m <= 2);
  char out[40];
  std::snprintf(out, sizeof out, "%04d-%02u-%02u", y, m, d);
  return out;
}

}  // namespace exportctl::internal
