// The public face of the screening lists (include/exportctl/lists.h).

#include <algorithm>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "exportctl/lists.h"
#include "src/common/source.h"
#include "src/screening/list_set.h"
#include "src/screening/lists.h"

namespace exportctl {

namespace internal {
const ListSet* ListSetOf(const Lists& lists) { return lists.impl_.get(); }
}  // namespace internal

namespace {

using internal::AppendJsonQuoted;

std::string_view TypeName(internal::EntryType type) {
  switch (type) {
    case internal::EntryType::kIndividual: return "individual";
    case internal::EntryType::kEntity: return "entity";
    case internal::EntryType::kVessel: return "vessel";
    case internal::EntryType::kAircraft: return "aircraft";
    default: return "";
  }
}

void AppendStrings(std::string& out, const std::vector<std::string>& items) {
  out += '[';
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    AppendJsonQuoted(out, items[i]);
  }
  out += ']';
}

}  // namespace

std::string ListInfo::ToJson() const {
  std::string out = "{\"code\":";
  AppendJsonQuoted(out, code);
  out += ",\"date\":";
  AppendJsonQuoted(out, date);
  out += ",\"digest\":";
  AppendJsonQuoted(out, digest);
  out += ",\"path\":";
  AppendJsonQuoted(out, path);
  out += ",\"format\":";
  AppendJsonQuoted(out, format);
  absl::StrAppend(&out, ",\"entries\":", entries, ",\"aliases\":", aliases, "}");
  return out;
}

std::string ListMatch::ToJson() const {
  std::string out = "{\"list\":";
  AppendJsonQuoted(out, list);
  out += ",\"entry\":";
  AppendJsonQuoted(out, entry);
  out += ",\"name\":";
  AppendJsonQuoted(out, name);
  out += ",\"alias\":";
  AppendJsonQuoted(out, alias);
  absl::StrAppend(&out, ",\"score\":", score, ",\"type\":");
  AppendJsonQuoted(out, type);
  out += ",\"countries\":";
  AppendStrings(out, countries);
  out += ",\"programs\":";
  AppendStrings(out, programs);
  if (!license_requirement.empty()) {
    out += ",\"license_requirement\":";
    AppendJsonQuoted(out, license_requirement);
  }
  out += ",\"source\":";
  AppendJsonQuoted(out, source);
  out += '}';
  return out;
}

std::string ScreeningToJson(std::string_view name, const std::vector<ListMatch>& matches) {
  std::string out = "{\"name\":";
  AppendJsonQuoted(out, name);
  out += ",\"matches\":[";
  for (size_t i = 0; i < matches.size(); ++i) {
    if (i) out += ',';
    out += matches[i].ToJson();
  }
  out += "]}";
  return out;
}

std::optional<ListError> ListError::FromStatus(const absl::Status& status) {
  auto code = status.GetPayload(internal::Av(internal::kListErrorPayload));
  if (status.ok() || !code) return std::nullopt;
  return ListError{std::string(*code), std::string(status.message())};
}

absl::StatusOr<Lists> Lists::Load(const std::vector<std::string>& paths) {
  auto refuse = [](std::string_view code, std::string message) {
    absl::Status st = absl::InvalidArgumentError(message);
    st.SetPayload(internal::Av(internal::kListErrorPayload), absl::Cord(internal::Av(code)));
    return st;
  };
  if (paths.empty()) return refuse("list_unreadable", "no list paths given");
  absl::StatusOr<std::vector<internal::LoadedList>> loaded = internal::LoadLists(paths);
  if (!loaded.ok()) return loaded.status();
  // A list with no entries would screen every party clean: refused, never taken as screening.
  for (const internal::LoadedList& l : *loaded) {
    if (l.entries.empty()) {
      return refuse("list_empty", absl::StrCat(l.path, ": the list has no entries"));
    }
  }
  auto set = std::make_shared<internal::ListSet>();
  set->lists = *std::move(loaded);
  std::vector<const internal::ListEntry*> entries;
  for (const internal::LoadedList& l : set->lists) {
    set->info.push_back({l.code, l.path, l.date, l.digest, l.format, l.entries.size(),
                         l.alias_count()});
    for (const internal::ListEntry& e : l.entries) {
      entries.push_back(&e);
      if (std::find(set->codes.begin(), set->codes.end(), e.list) == set->codes.end()) {
        set->codes.push_back(e.list);
      }
    }
  }
  std::sort(set->codes.begin(), set->codes.end());
  set->index = internal::NameIndex(std::move(entries));
  return Lists(std::move(set));
}

const std::vector<ListInfo>& Lists::info() const { return impl_->info; }

std::vector<ListMatch> Lists::Screen(std::string_view name, const ScreenOptions& options) const {
  std::vector<internal::NameMatch> matches;
  impl_->index.Screen({name, options.country, options.threshold}, &matches);
  std::vector<ListMatch> out;
  for (const internal::NameMatch& m : matches) {
    if (out.size() >= options.limit) break;
    const internal::ListEntry& e = impl_->index.entry(m.entry);
    if (!options.lists.empty() &&
        std::find(options.lists.begin(), options.lists.end(), e.list) == options.lists.end()) {
      continue;
    }
    out.push_back({e.list, e.id, e.names.empty() ? "" : e.names[0], e.names[m.alias], m.score,
                   std::string(TypeName(e.type)), e.countries, e.programs, e.license_requirement,
                   e.source});
  }
  return out;
}

}  // namespace exportctl
