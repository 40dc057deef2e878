// The license repository: parsing and validation (include/exportctl/licenses.h).
//
// A file is a JSON array of records or JSON Lines. Each record is read with simdjson's DOM and
// checked key by key against one table of fields (kFields below), so every error names the
// record (the line of a JSON Lines file, or `$[i]` in an array), the key, and a stable code.

#include "exportctl/licenses.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "src/check/schema.h"
#include "src/check/schema_table.h"
#include "src/common/source.h"
#include "src/licenses/impl.h"
#include "src/screening/lists.h"

namespace exportctl {

namespace {

constexpr std::string_view kPayload = "exportctl.dev/license-error";

absl::Status Refuse(std::string_view code, std::string message) {
  absl::Status st = absl::InvalidArgumentError(message);
  st.SetPayload(internal::Av(kPayload), absl::Cord(internal::Av(code)));
  return st;
}

// A record's position for messages: "file:line" or "file $[i]".
struct Where {
  std::string record;  // "licenses.jsonl:3" or "licenses.json $[2]"
  std::string Path(std::string_view key) const { return absl::StrCat(record, ": $.", internal::Av(key)); }
};

using simdjson::dom::element;
using simdjson::dom::element_type;

absl::Status WrongType(const Where& w, std::string_view key, std::string_view expected) {
  return Refuse("license_invalid_type", absl::StrCat(w.Path(key), ": expected ", internal::Av(expected)));
}

absl::StatusOr<std::string> String(const Where& w, std::string_view key, element e) {
  std::string_view s;
  if (e.get(s) != simdjson::SUCCESS) return WrongType(w, key, "a string");
  return std::string(s);
}

absl::StatusOr<std::vector<std::string>> Strings(const Where& w, std::string_view key, element e) {
  simdjson::dom::array a;
  if (e.get(a) != simdjson::SUCCESS) return WrongType(w, key, "an array of strings");
  std::vector<std::string> out;
  std::size_t i = 0;
  for (element x : a) {
    std::string_view s;
    if (x.get(s) != simdjson::SUCCESS) {
      return WrongType(w, absl::StrCat(internal::Av(key), "[", i, "]"), "a string");
    }
    out.emplace_back(s);
    ++i;
  }
  return out;
}

absl::Status CheckDate(const Where& w, std::string_view key, const std::string& date) {
  std::int32_t days;
  if (!internal::ParseDate(date, &days)) {
    return Refuse("license_invalid_date",
                  absl::StrCat(w.Path(key), ": `", date, "` is not a date (YYYY-MM-DD)"));
  }
  return absl::OkStatus();
}

bool KnownUnit(std::string_view unit) {
  const auto& units = internal::schema_table::kUnits;
  return std::find(std::begin(units), std::end(units), unit) != std::end(units);
}

// One record, validated.
absl::StatusOr<License> Record(element e, const Where& w) {
  simdjson::dom::object o;
  if (e.get(o) != simdjson::SUCCESS) {
    return Refuse("license_invalid_type", absl::StrCat(w.record, ": expected an object"));
  }
  License l;
  l.source = w.record;
  bool seen_id = false, seen_authority = false, seen_from = false, seen_to = false;
  std::vector<std::string_view> keys;
  for (auto field : o) {
    const std::string_view key = field.key;
    const element v = field.value;
    if (std::find(keys.begin(), keys.end(), key) != keys.end()) {
      return Refuse("license_malformed", absl::StrCat(w.Path(key), ": the key is given twice"));
    }
    keys.push_back(key);
    if (key == "id" || key == "authority" || key == "type" || key == "holder" ||
        key == "valid_from" || key == "valid_to") {
      absl::StatusOr<std::string> s = String(w, key, v);
      if (!s.ok()) return s.status();
      if (s->empty() && (key == "id" || key == "authority")) {
        return Refuse("license_invalid_value", absl::StrCat(w.Path(key), ": must not be empty"));
      }
      if (key == "id") l.id = std::move(*s), seen_id = true;
      if (key == "authority") l.authority = std::move(*s), seen_authority = true;
      if (key == "type") l.type = std::move(*s);
      if (key == "holder") l.holder = std::move(*s);
      if (key == "valid_from") l.valid_from = std::move(*s), seen_from = true;
      if (key == "valid_to") l.valid_to = std::move(*s), seen_to = true;
    } else if (key == "basis" || key == "items" || key == "destinations" ||
               key == "end_users" || key == "conditions") {
      absl::StatusOr<std::vector<std::string>> s = Strings(w, key, v);
      if (!s.ok()) return s.status();
      if (key == "items") {  // a glob is matched in up to len(text) x len(pattern) steps
        for (std::size_t i = 0; i < s->size(); ++i) {
          if ((*s)[i].size() > kMaxLicenseItemBytes) {
            return Refuse("license_invalid_value",
                          absl::StrCat(w.Path(absl::StrCat("items[", i, "]")), ": longer than ",
                                       kMaxLicenseItemBytes, " bytes"));
          }
        }
      }
      if (key == "destinations") {
        for (std::size_t i = 0; i < s->size(); ++i) {
          if (!internal::IsCountryCode((*s)[i])) {
            return Refuse("license_invalid_value",
                          absl::StrCat(w.Path(absl::StrCat(internal::Av(key), "[", i, "]")), ": unknown country `",
                                       (*s)[i], "`"));
          }
        }
      }
      (key == "basis" ? l.basis : key == "items" ? l.items : key == "destinations" ? l.destinations
                      : key == "end_users" ? l.end_users : l.conditions) = std::move(*s);
    } else if (key == "reexport") {
      bool b;
      if (v.get(b) != simdjson::SUCCESS) return WrongType(w, key, "true or false");
      l.reexport = b;
    } else if (key == "quantity") {
      simdjson::dom::object q;
      if (v.get(q) != simdjson::SUCCESS) return WrongType(w, key, "an object {limit, unit}");
      LicenseQuantity quantity;
      bool limit = false, unit = false;
      for (auto f : q) {
        const std::string k = absl::StrCat("quantity.", internal::Av(std::string_view(f.key)));
        if (f.key == "limit") {
          double d;
          if (f.value.get(d) != simdjson::SUCCESS) return WrongType(w, k, "a number");
          if (!std::isfinite(d) || d < 0) {
            return Refuse("license_invalid_value", absl::StrCat(w.Path(k), ": must be a finite number >= 0"));
          }
          quantity.limit = d;
          limit = true;
        } else if (f.key == "unit") {
          absl::StatusOr<std::string> s = String(w, k, f.value);
          if (!s.ok()) return s.status();
          if (!KnownUnit(*s)) {
            return Refuse("license_invalid_value", absl::StrCat(w.Path(k), ": unknown unit `", *s, "`"));
          }
          quantity.unit = std::move(*s);
          unit = true;
        } else {
          return Refuse("license_unknown_field", absl::StrCat(w.Path(k), ": unknown key"));
        }
      }
      if (!limit || !unit) {
        return Refuse("license_missing_field",
                      absl::StrCat(w.Path(limit ? "quantity.unit" : "quantity.limit"), ": required"));
      }
      l.quantity = std::move(quantity);
    } else {
      return Refuse("license_unknown_field", absl::StrCat(w.Path(key), ": unknown key"));
    }
  }
  for (auto [seen, key] : {std::pair{seen_id, "id"}, {seen_authority, "authority"},
                           {seen_from, "valid_from"}, {seen_to, "valid_to"}}) {
    if (!seen) return Refuse("license_missing_field", absl::StrCat(w.Path(key), ": required"));
  }
  if (absl::Status st = CheckDate(w, "valid_from", l.valid_from); !st.ok()) return st;
  if (absl::Status st = CheckDate(w, "valid_to", l.valid_to); !st.ok()) return st;
  if (l.valid_to < l.valid_from) {  // both YYYY-MM-DD: text order is date order
    return Refuse("license_invalid_value",
                  absl::StrCat(w.Path("valid_to"), ": ", l.valid_to, " is before valid_from ",
                               l.valid_from));
  }
  return l;
}

}  // namespace

std::optional<LicenseError> LicenseError::FromStatus(const absl::Status& status) {
  auto code = status.GetPayload(internal::Av(kPayload));
  if (status.ok() || !code) return std::nullopt;
  return LicenseError{std::string(*code), std::string(status.message())};
}

namespace internal {
const LicensesImpl& ImplOf(const Licenses& licenses) { return *licenses.impl_; }
}  // namespace internal

absl::StatusOr<Licenses> Licenses::FromJson(std::string_view text, std::string_view name) {
  if (text.size() > kMaxFileBytes) {
    return Refuse("license_too_large", absl::StrCat(internal::Av(name), ": larger than ", kMaxFileBytes, " bytes"));
  }
  auto impl = std::make_shared<Impl>();
  impl->digest = internal::Sha256Digest(text);
  simdjson::dom::parser parser;
  auto add = [&](element e, Where w) -> absl::Status {
    if (impl->licenses.size() >= kMaxLicenseRecords) {
      return Refuse("license_too_large", absl::StrCat(w.record, ": more than ", kMaxLicenseRecords, " records"));
    }
    absl::StatusOr<License> l = Record(e, w);
    if (!l.ok()) return l.status();
    auto [it, added] = impl->by_id.try_emplace(l->id, impl->licenses.size());
    if (!added) {
      return Refuse("license_duplicate_id",
                    absl::StrCat(w.Path("id"), ": `", l->id, "` is also the id of ",
                                 impl->licenses[it->second].source));
    }
    std::vector<internal::Matcher> items;
    for (const std::string& p : l->items) items.push_back(internal::Matcher::Make(p));
    impl->Add(std::move(*l), std::move(items));
    return absl::OkStatus();
  };
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && text[first] == '[') {
    element doc;
    if (auto err = parser.parse(text.data(), text.size()).get(doc); err) {
      return Refuse("license_malformed", absl::StrCat(internal::Av(name), ": not valid JSON (", simdjson::error_message(err), ")"));
    }
    simdjson::dom::array records;
    if (doc.get(records) != simdjson::SUCCESS) {
      return Refuse("license_malformed", absl::StrCat(internal::Av(name), ": expected an array of records"));
    }
    std::size_t i = 0;
    for (element e : records) {
      if (absl::Status st = add(e, Where{absl::StrCat(internal::Av(name), " $[", i, "]")}); !st.ok()) return st;
      ++i;
    }
  } else {
    std::size_t line = 0, at = 0;
    while (at <= text.size()) {
      const std::size_t end = std::min(text.find('\n', at), text.size());
      std::string_view row = text.substr(at, end - at);
      ++line;
      at = end + 1;
      if (row.find_first_not_of(" \t\r") == std::string_view::npos) {
        if (end == text.size()) break;
        continue;
      }
      element e;
      if (auto err = parser.parse(row.data(), row.size()).get(e); err) {
        return Refuse("license_malformed", absl::StrCat(internal::Av(name), ":", line, ": not valid JSON (",
                                                        simdjson::error_message(err), ")"));
      }
      if (absl::Status st = add(e, Where{absl::StrCat(internal::Av(name), ":", line)}); !st.ok()) return st;
      if (end == text.size()) break;
    }
  }
  return Licenses(std::move(impl));
}

absl::StatusOr<Licenses> Licenses::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Refuse("license_unreadable", absl::StrCat(path, ": cannot be read"));
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) return Refuse("license_unreadable", absl::StrCat(path, ": cannot be read"));
  if (static_cast<std::size_t>(size) > kMaxFileBytes) {
    return Refuse("license_too_large", absl::StrCat(path, ": larger than ", kMaxFileBytes, " bytes"));
  }
  in.seekg(0);
  std::string text(static_cast<std::size_t>(size), '\0');
  in.read(text.data(), size);
  if (!in) return Refuse("license_unreadable", absl::StrCat(path, ": cannot be read"));
  return FromJson(text, path);
}

const std::vector<License>& Licenses::all() const { return impl_->licenses; }

const std::string& Licenses::digest() const { return impl_->digest; }

const License* Licenses::Find(std::string_view id) const {
  auto it = impl_->by_id.find(absl::string_view(id.data(), id.size()));
  return it == impl_->by_id.end() ? nullptr : &impl_->licenses[it->second];
}

}  // namespace exportctl
