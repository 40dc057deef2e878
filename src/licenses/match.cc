// Does a license cover a shipment's requirement? (src/licenses/match.h)

#include "src/licenses/match.h"
#include "src/licenses/impl.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include <simdjson.h>

#include <fstream>
#include <iterator>

#include "absl/hash/hash.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "src/check/schema.h"
#include "src/common/source.h"
#include "src/plan/plan.h"
#include "src/screening/matcher.h"

namespace exportctl::internal {

// A quantity's dimension and its factor to the dimension's base unit (uL, ug: the language's
// unit table, FindUnit); counts compare only with the same count unit, singular or plural.
struct Scale {
  enum class Dim { kVolume, kMass, kCount } dim;
  double factor = 1;
  std::string count;  // the count unit, singular
};

std::optional<Scale> ScaleOf(std::string_view unit) {
  using D = Scale::Dim;
  if (const UnitInfo* u = FindUnit(unit)) return Scale{u->volume ? D::kVolume : D::kMass, u->factor, ""};
  if (unit.empty()) return std::nullopt;
  // The contract's count units come in pairs: vial/vials, box/boxes, ...
  std::string singular(unit);
  if (absl::EndsWith(singular, "xes")) {
    singular.resize(singular.size() - 2);
  } else if (absl::EndsWith(singular, "s")) {
    singular.pop_back();
  }
  return Scale{D::kCount, 1, singular};
}

// The authority a rule names and the one a license is issued by: equal, or a member state's
// authority (XX-NAME, XX an EU member state) or "EU" for the rules' "EU member state competent
// authority".
bool EuMemberRule(std::string_view rule) { return absl::StartsWith(Av(rule), "EU member state"); }

bool EuMemberAuthority(std::string_view license) {
  if (license == "EU") return true;
  static constexpr std::string_view kMembers[] = {
      "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
      "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"};
  return license.size() > 3 && license[2] == '-' &&
         std::find(std::begin(kMembers), std::end(kMembers), license.substr(0, 2)) !=
             std::end(kMembers);
}

bool SameAuthority(std::string_view rule, std::string_view license) {
  return rule == license || (EuMemberRule(rule) && EuMemberAuthority(license));
}

std::uint64_t LicensesImpl::UserBit(std::string_view normalized) {
  if (normalized.empty()) return 0;
  return std::uint64_t{1} << (absl::HashOf(Av(normalized)) % 64);
}

void LicensesImpl::Add(License l, std::vector<Matcher> patterns) {
  Entry entry{static_cast<std::uint32_t>(licenses.size()), 0, 0, 0};
  ParseDate(l.valid_from, &entry.from);  // valid: the loader checked the dates
  ParseDate(l.valid_to, &entry.to);
  std::vector<std::string> users;
  for (const std::string& u : l.end_users) {
    users.push_back(NormalizeName(u));
    entry.users |= UserBit(users.back());
  }
  if (!users.empty() && entry.users == 0) entry.users = ~std::uint64_t{0};  // names that normalise to ""
  auto file = [&](ByDestination& index) {
    if (l.destinations.empty()) index[""].push_back(entry);
    for (const std::string& d : l.destinations) {
      std::vector<Entry>& at = index[d];
      if (at.empty() || at.back().license != entry.license) at.push_back(entry);  // listed twice
    }
  };
  file(by_authority[l.authority]);
  if (EuMemberAuthority(l.authority)) file(eu_member);
  end_users.push_back(std::move(users));
  items.push_back(std::move(patterns));
  licenses.push_back(std::move(l));
}

// Appends `,"key":"value"` to a JSON object being written (`{"key":"value"` as its first field).
void JsonField(std::string& out, std::string_view key, std::string_view value) {
  absl::StrAppend(&out, out.empty() ? "{\"" : ",\"", Av(key), "\":");
  AppendJsonQuoted(out, value);
}

// Whether the license's items (compiled once per license at load, LicensesImpl::items) list
// the material's ECCN or EU entry; a license without items lists every item.
bool ItemListed(const std::vector<Matcher>& items, const Material& m) {
  auto any = [&](const std::string& value) {
    return std::any_of(items.begin(), items.end(),
                       [&](const Matcher& p) { return p.Match(value, /*fold=*/true); });
  };
  return items.empty() || (m.eccn && any(*m.eccn)) || (m.eu_dual_use && any(*m.eu_dual_use));
}

// `quantity` in `from` expressed in `to`; nullopt when the units do not compare (mass against
// volume, two different count units, an unknown unit).
std::optional<double> Convert(double quantity, std::string_view from, std::string_view to) {
  const std::optional<Scale> a = ScaleOf(from), b = ScaleOf(to);
  if (!a || !b || a->dim != b->dim || a->count != b->count) return std::nullopt;
  return quantity * a->factor / b->factor;
}

// A license's index in its repository.
std::size_t IndexOf(const LicensesImpl& impl, const License& l) {
  return static_cast<std::size_t>(&l - impl.licenses.data());
}

namespace {

// Whether `l` covers material `m` for requirement `r`, and, into `why` when given, every reason
// it does not (without `why` it stops at the first, the cheap checks first: the availability
// scan asks every license of the repository). `draw`: the quantity drawn, in the license's unit.
// `user`: the end user's name normalised (NormalizeName), "" when not named.
bool Covers(const LicensesImpl& impl, std::size_t k, const LicenseRequirement& r,
            const Material& m, const Request& q, const std::string& user, std::string_view date,
            double remaining, double* draw, std::vector<std::string>* why) {
  const License& l = impl.licenses[k];
  bool covers = true;
  auto fail = [&](auto&& reason) {
    covers = false;
    if (why) why->push_back(reason());
    return why == nullptr;  // stop early
  };
  if (!SameAuthority(r.authority, l.authority) &&
      fail([&] { return absl::StrCat("authority ", l.authority, " is not ", r.authority); })) {
    return false;
  }
  if (!l.basis.empty() && std::find(l.basis.begin(), l.basis.end(), r.basis) == l.basis.end() &&
      fail([&] { return absl::StrCat("basis ", r.basis, " not listed"); })) {
    return false;
  }
  const std::string& destination = q.route.back();
  auto listed = [&](const std::string& c) {
    return l.destinations.empty() ||
           std::find(l.destinations.begin(), l.destinations.end(), c) != l.destinations.end();
  };
  if (!ItemListed(impl.items[k], m) && fail([&] {
        return absl::StrCat("item ", m.eccn.value_or(m.eu_dual_use.value_or("(unclassified)")), " not listed");
      })) {
    return false;
  }
  if (!listed(destination) && fail([&] { return absl::StrCat("destination ", destination, " not listed"); })) {
    return false;
  }
  const std::optional<std::string> user_country = q.end_user ? q.end_user->country : std::nullopt;
  if (user_country && *user_country != destination) {
    if (!listed(*user_country) &&
        fail([&] { return absl::StrCat("end user's country ", *user_country, " not listed"); })) {
      return false;
    }
    if (!l.reexport.value_or(false) &&
        fail([&] { return absl::StrCat("re-export to ", *user_country, " not authorized"); })) {
      return false;
    }
  }
  if (const std::vector<std::string>& users = impl.end_users[k]; !users.empty()) {
    const std::optional<std::string> name = q.end_user ? q.end_user->name : std::nullopt;
    const bool named = !user.empty() && std::find(users.begin(), users.end(), user) != users.end();
    if (!named && fail([&] { return name ? absl::StrCat("end user ", *name, " not listed") : std::string("end user not named"); })) {
      return false;
    }
  }
  if (date < l.valid_from && fail([&] { return absl::StrCat("not valid before ", l.valid_from); })) return false;
  if (date > l.valid_to && fail([&] { return absl::StrCat("expired on ", l.valid_to); })) return false;
  *draw = 0;
  if (l.quantity) {
    const std::optional<double> in_cap_unit =
        m.quantity && m.unit ? Convert(*m.quantity, *m.unit, l.quantity->unit) : std::nullopt;
    if (!m.quantity || !m.unit) {
      fail([] { return std::string("quantity not given (the license has a cap)"); });
    } else if (!in_cap_unit) {
      fail([&] { return absl::StrCat("unit ", *m.unit, " cannot be compared with the license's ", l.quantity->unit); });
    } else {
      *draw = *in_cap_unit;
      if (*draw > remaining + 1e-9 * std::max(1.0, remaining)) {
        fail([&] {
          return absl::StrCat("quantity ", *m.quantity, " ", *m.unit, " exceeds the ",
                              std::max(0.0, remaining), " ", l.quantity->unit, " remaining");
        });
      }
    }
  }
  return covers;
}

const Material* FindMaterial(const Request& q, const std::string& id) {
  for (const Material& m : q.materials) {
    if (m.id == id) return &m;
  }
  return nullptr;
}

}  // namespace

void ApplyLicenses(const Licenses& licenses, const Request& request, std::string_view date,
                   Decision* d, absl::flat_hash_map<std::string, double>* balances,
                   std::vector<LicenseDraw>* draws) {
  // What each capped license has left: the book's balances, else the caps (a shipment's own
  // materials draw one after the other either way).
  absl::flat_hash_map<std::string, double> local;
  absl::flat_hash_map<std::string, double>& left = balances ? *balances : local;
  auto remaining = [&](const License& l) {
    if (!l.quantity) return 0.0;
    auto it = left.find(l.id);
    return it == left.end() ? l.quantity->limit : it->second;
  };
  d->licenses_checked = true;
  d->licenses_used.clear();
  d->license_checks.clear();
  d->licenses_available.clear();
  if (d->licenses_required.empty()) return;  // nothing to meet (most shipments of a book)
  const LicensesImpl& impl = ImplOf(licenses);
  const std::string user =
      request.end_user && request.end_user->name ? NormalizeName(*request.end_user->name) : "";
  const std::uint64_t user_bit = LicensesImpl::UserBit(user);
  std::int32_t day = 0;
  if (!ParseDate(date, &day)) return;  // (the evaluator decided at this date: it parses)
  static const std::vector<std::string> kNone;
  const std::vector<std::string>& named = request.licenses ? *request.licenses : kNone;
  // Each item's requirements, and which of them a license met.
  std::vector<int> open(d->items.size(), 0);
  auto item_of = [&](const std::string& material) -> int {
    for (std::size_t i = 0; i < d->items.size(); ++i) {
      if (d->items[i].material == material) return static_cast<int>(i);
    }
    return -1;
  };
  for (const LicenseRequirement& r : d->licenses_required) {
    for (const std::string& mat : r.materials) {
      if (int i = item_of(mat); i >= 0) ++open[i];
    }
  }
  std::vector<std::string> unknown_reported;
  for (const LicenseRequirement& r : d->licenses_required) {
    for (const std::string& mat : r.materials) {
      const int i = item_of(mat);
      const Material* m = FindMaterial(request, mat);
      if (i < 0 || !m || d->items[i].outcome != Outcome::kLicenseRequired) continue;
      bool met = false;
      for (const std::string& id : named) {
        const License* l = licenses.Find(id);
        if (!l) {
          if (std::find(unknown_reported.begin(), unknown_reported.end(), id) == unknown_reported.end()) {
            d->license_checks.push_back({id, mat, false, {"unknown license"}});
            unknown_reported.push_back(id);
          }
          continue;
        }
        double draw = 0;
        std::vector<std::string> why;
        const bool covers =
            Covers(impl, IndexOf(impl, *l), r, *m, request, user, date, remaining(*l), &draw, &why);
        d->license_checks.push_back({id, mat, covers, std::move(why)});
        if (!covers || met) continue;
        met = true;
        --open[i];
        auto use = std::find_if(d->licenses_used.begin(), d->licenses_used.end(), [&](const LicenseUse& u) {
          return u.license == id && u.authority == r.authority && u.basis == r.basis;
        });
        if (use == d->licenses_used.end()) {
          d->licenses_used.push_back({id, r.authority, r.basis, {}, std::nullopt, ""});
          use = d->licenses_used.end() - 1;
          if (l->quantity) use->remaining = l->quantity->limit, use->unit = l->quantity->unit;
          for (const std::string& c : l->conditions) {
            d->conditions.push_back({c, absl::StrCat("license ", id), absl::StrCat(l->authority, " license ", id)});
          }
        }
        use->materials.push_back(mat);
        if (l->quantity) {
          auto [left_it, added] = left.try_emplace(l->id, l->quantity->limit);
          left_it->second -= draw;
          use->remaining = left_it->second;
          if (draws) draws->push_back({id, request.id, std::string(date), draw, l->quantity->unit});
        }
      }
      if (named.empty()) {
        impl.ForEachCandidate(r.authority, request.route.back(), [&](const LicensesImpl::Entry& e) {
          // What the entry alone rejects: outside the window, or an end user it does not name.
          if (day < e.from || day > e.to || (e.users != 0 && (e.users & user_bit) == 0)) return;
          const std::size_t k = e.license;
          const License& l = impl.licenses[k];
          double draw = 0;
          if (!Covers(impl, k, r, *m, request, user, date, remaining(l), &draw, nullptr)) return;
          auto a = std::find_if(d->licenses_available.begin(), d->licenses_available.end(),
                                [&](const LicenseUse& u) {
                                  return u.license == l.id && u.authority == r.authority && u.basis == r.basis;
                                });
          if (a == d->licenses_available.end()) {
            d->licenses_available.push_back({l.id, r.authority, r.basis, {}, std::nullopt, ""});
            a = d->licenses_available.end() - 1;
          }
          a->materials.push_back(mat);
        });
      }
    }
  }
  // An item whose every requirement was met: its license_required becomes conditions.
  bool lowered = false;
  for (std::size_t i = 0; i < d->items.size(); ++i) {
    if (d->items[i].outcome == Outcome::kLicenseRequired && open[i] == 0) {
      d->items[i].outcome = Outcome::kPermittedWithConditions;
      lowered = true;
    }
  }
  if (lowered && d->outcome == Outcome::kLicenseRequired) {
    Outcome o = Outcome::kPermitted;
    for (const ItemDecision& item : d->items) o = std::max(o, item.outcome);
    // Rules about the whole shipment (no material) stay in force through the reasons.
    for (const Reason& reason : d->reasons) {
      if (reason.materials.empty()) o = std::max(o, reason.outcome);
    }
    d->outcome = std::max(o, Outcome::kPermittedWithConditions);
  }
}

}  // namespace exportctl::internal

namespace exportctl {

std::string LicenseDraw::ToJson() const {
  std::string out;
  internal::JsonField(out, "license", license);
  internal::JsonField(out, "request", request);
  internal::JsonField(out, "date", date);
  out += ",\"quantity\":";
  internal::AppendJsonNumber(out, quantity);
  internal::JsonField(out, "unit", unit);
  out += '}';
  return out;
}

LicenseBook::LicenseBook(const Licenses& licenses) : licenses_(&licenses) {}

absl::Status LicenseBook::LoadLedger(const std::string& path) {
  auto refuse = [&](std::size_t line, std::string why) {
    absl::Status st = absl::InvalidArgumentError(absl::StrCat(path, ":", line, ": ", why));
    st.SetPayload("exportctl.dev/license-error", absl::Cord("license_ledger_invalid"));
    return st;
  };
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::OkStatus();  // no ledger yet: nothing drawn
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  simdjson::dom::parser parser;
  std::size_t line = 0, at = 0;
  while (at < text.size()) {
    const std::size_t end = text.find('\n', at);
    ++line;
    if (end == std::string::npos) return refuse(line, "torn line (no newline): not used");
    std::string_view row(text.data() + at, end - at);
    at = end + 1;
    if (row.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    simdjson::dom::element e;
    std::string_view id, unit;
    double quantity = 0;
    if (parser.parse(row.data(), row.size()).get(e) || e["license"].get(id) ||
        e["quantity"].get(quantity) || e["unit"].get(unit)) {
      return refuse(line, "not a draw ({\"license\",\"request\",\"date\",\"quantity\",\"unit\"})");
    }
    const License* l = licenses_->Find(id);
    if (!l || !l->quantity) return refuse(line, absl::StrCat("no capped license `", internal::Av(id), "` in the repository"));
    if (unit != l->quantity->unit) {
      return refuse(line, absl::StrCat("unit ", internal::Av(unit), " is not the license's ", l->quantity->unit));
    }
    if (!std::isfinite(quantity) || quantity < 0) return refuse(line, "quantity must be a finite number >= 0");
    auto [it, added] = balances_.try_emplace(l->id, l->quantity->limit);
    it->second -= quantity;
    // Each draw is finite, their sum need not be: an infinite balance is no balance (and was
    // printed as `inf`, which is not JSON).
    if (!std::isfinite(it->second)) {
      return refuse(line, absl::StrCat("the draws on `", l->id, "` add up past any quantity"));
    }
  }
  return absl::OkStatus();
}

void LicenseBook::Draw(const Request& request, Decision* decision, std::vector<LicenseDraw>* draws) {
  internal::ApplyLicenses(*licenses_, request, decision->as_of, decision, &balances_, draws);
}

bool LicenseBook::Affects(const Decision& decision) const {
  auto capped = [&](const std::string& id) {
    const License* l = licenses_->Find(id);
    return l && l->quantity;
  };
  for (const LicenseCheck& c : decision.license_checks) {
    if (capped(c.license)) return true;
  }
  for (const auto* uses : {&decision.licenses_used, &decision.licenses_available}) {
    for (const LicenseUse& u : *uses) {
      if (capped(u.license)) return true;
    }
  }
  return false;
}

std::optional<double> LicenseBook::Remaining(std::string_view id) const {
  const License* l = licenses_->Find(id);
  if (!l || !l->quantity) return std::nullopt;
  auto it = balances_.find(absl::string_view(id.data(), id.size()));
  return it == balances_.end() ? l->quantity->limit : it->second;
}

}  // namespace exportctl

namespace exportctl {

namespace {
std::int32_t Days(std::string_view date) {
  std::int32_t d = 0;
  internal::ParseDate(date, &d);
  return d;
}
}  // namespace

std::string LicenseStatus::ToJson() const {
  std::string out;
  internal::JsonField(out, "license", license);
  internal::JsonField(out, "authority", authority);
  internal::JsonField(out, "status", status);
  internal::JsonField(out, "valid_from", valid_from);
  internal::JsonField(out, "valid_to", valid_to);
  absl::StrAppend(&out, ",\"days_left\":", days_left);
  if (limit) {
    // Finite each, but a large draw on a tiny cap makes a percentage past any double (null).
    for (auto [key, value] : {std::pair{"limit", *limit}, {"used", *used}, {"remaining", *remaining},
                              {"percent_used", *limit > 0 ? std::round(1000 * *used / *limit) / 10 : 0.0}}) {
      absl::StrAppend(&out, ",\"", key, "\":");
      internal::AppendJsonNumber(out, value);
    }
    internal::JsonField(out, "unit", unit);
  }
  out += '}';
  return out;
}

std::string LicenseAlert::ToJson() const {
  std::string out;
  internal::JsonField(out, "request", request);
  internal::JsonField(out, "license", license);
  internal::JsonField(out, "alert", alert);
  internal::JsonField(out, "detail", detail);
  out += '}';
  return out;
}

std::vector<LicenseStatus> LicenseStatuses(const Licenses& licenses, const LicenseBook& book,
                                           std::string_view as_of, int expiring_days) {
  std::vector<LicenseStatus> out;
  const std::int32_t today = Days(as_of);
  for (const License& l : licenses.all()) {
    LicenseStatus s;
    s.license = l.id;
    s.authority = l.authority;
    s.valid_from = l.valid_from;
    s.valid_to = l.valid_to;
    s.days_left = Days(l.valid_to) - today;
    s.status = today < Days(l.valid_from) ? "not_yet_valid"
               : s.days_left < 0          ? "expired"
               : s.days_left <= expiring_days ? "expiring"
                                              : "active";
    if (l.quantity) {
      s.limit = l.quantity->limit;
      s.remaining = book.Remaining(l.id);
      s.used = *s.limit - *s.remaining;
      s.unit = l.quantity->unit;
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<LicenseAlert> PlanAlerts(const Licenses& licenses, LicenseBook book,
                                     const std::vector<Request>& planned) {
  const internal::LicensesImpl& impl = internal::ImplOf(licenses);
  std::vector<LicenseAlert> out;
  absl::flat_hash_map<std::string, double> left;
  for (const Request& r : planned) {
    for (const std::string& id : r.licenses.value_or(std::vector<std::string>{})) {
      const License* l = licenses.Find(id);
      if (!l) {
        out.push_back({r.id, id, "unknown", "the repository holds no such license"});
        continue;
      }
      if (r.date > l->valid_to) {
        out.push_back({r.id, id, "expired", absl::StrCat("the license ends on ", l->valid_to, ", the shipment is dated ", r.date)});
      } else if (r.date < l->valid_from) {
        out.push_back({r.id, id, "not_yet_valid", absl::StrCat("the license starts on ", l->valid_from)});
      }
      if (!l->quantity) continue;
      auto [it, added] = left.try_emplace(l->id, book.Remaining(l->id).value_or(l->quantity->limit));
      double draw = 0;
      for (const Material& m : r.materials) {
        if (!m.quantity || !m.unit || !internal::ItemListed(
                                                 impl.items[internal::IndexOf(impl, *l)], m)) continue;
        draw += internal::Convert(*m.quantity, *m.unit, l->quantity->unit).value_or(0);
      }
      if (draw > it->second + 1e-9 * std::max(1.0, it->second)) {
        out.push_back({r.id, id, "exhausted",
                       absl::StrCat("needs ", draw, " ", l->quantity->unit, ", ", std::max(0.0, it->second),
                                    " left after the shipments before it")});
      }
      it->second -= draw;
    }
  }
  return out;
}

}  // namespace exportctl
