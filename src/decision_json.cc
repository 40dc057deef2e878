#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "exportctl/decision.h"
#include "src/common/source.h"

namespace exportctl {

using internal::Av;
using internal::AppendJsonNumber;
using internal::AppendJsonQuoted;

namespace {
constexpr std::string_view kOutcomeNames[] = {"permitted", "permitted_with_conditions",
                                              "license_required", "review", "prohibited"};

template <typename T, typename F>
void AppendArray(std::string& out, const std::vector<T>& items, F each) {
  out += '[';
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    each(items[i]);
  }
  out += ']';
}
}  // namespace

std::string_view OutcomeName(Outcome outcome) { return kOutcomeNames[static_cast<int>(outcome)]; }

std::optional<Outcome> ParseOutcome(std::string_view name) {
  for (int i = 0; i < 5; ++i) {
    if (kOutcomeNames[i] == name) return static_cast<Outcome>(i);
  }
  return std::nullopt;
}

std::string Decision::ToJson() const {
  std::string out;
  AppendJson(&out);
  return out;
}

void Decision::AppendJson(std::string* buffer) const {
  std::string& out = *buffer;
  auto field = [&](std::string_view name, std::string_view value) {
    absl::StrAppend(&out, ",\"", Av(name), "\":");
    AppendJsonQuoted(out, value);
  };
  auto list = [&](const std::vector<std::string>& items) {
    AppendArray(out, items, [&](const std::string& s) { AppendJsonQuoted(out, s); });
  };
  out += "{\"request\":";
  AppendJsonQuoted(out, request);
  absl::StrAppend(&out, ",\"outcome\":\"", Av(OutcomeName(outcome)), "\",\"items\":");
  AppendArray(out, items, [&](const ItemDecision& i) {
    out += "{\"material\":";
    AppendJsonQuoted(out, i.material);
    absl::StrAppend(&out, ",\"outcome\":\"", Av(OutcomeName(i.outcome)), "\",\"reasons\":");
    list(i.reasons);
    out += '}';
  });
  out += ",\"reasons\":";
  AppendArray(out, reasons, [&](const Reason& r) {
    out += "{\"rule\":";
    AppendJsonQuoted(out, r.rule);
    absl::StrAppend(&out, ",\"outcome\":\"", Av(OutcomeName(r.outcome)), "\"");
    field("title", r.title);
    field("citation", r.citation);
    field("source", r.source);
    if (!r.note.empty()) field("note", r.note);
    if (!r.leg.empty()) {
      field("leg", r.leg);
      field("country", r.country);
    }
    out += ",\"materials\":";
    list(r.materials);
    out += '}';
  });
  out += ",\"licenses_required\":";
  AppendArray(out, licenses_required, [&](const LicenseRequirement& l) {
    out += "{\"authority\":";
    AppendJsonQuoted(out, l.authority);
    field("basis", l.basis);
    out += ",\"materials\":";
    list(l.materials);
    out += '}';
  });
  out += ",\"conditions\":";
  AppendArray(out, conditions, [&](const Condition& c) {
    out += "{\"text\":";
    AppendJsonQuoted(out, c.text);
    field("rule", c.rule);
    field("citation", c.citation);
    out += '}';
  });
  out += ",\"errors\":";
  AppendArray(out, errors, [&](const DecisionError& e) {
    out += "{\"code\":";
    AppendJsonQuoted(out, e.code);
    field("message", e.message);
    field("rule", e.rule);
    out += '}';
  });
  out += ",\"screening\":";
  AppendArray(out, screening, [&](const ScreeningMatch& m) {
    out += "{\"party\":";
    AppendJsonQuoted(out, m.party);
    field("name", m.name);
    field("list", m.list);
    field("entry", m.entry);
    field("alias", m.alias);
    absl::StrAppend(&out, ",\"score\":", m.score);
    field("rule", m.rule);
    out += '}';
  });
  out += ",\"coverage\":{\"evaluated\":";
  list(coverage.evaluated);
  out += ",\"not_covered\":";
  list(coverage.not_covered);
  out += '}';
  if (licenses_checked) {
    auto uses = [&](std::string_view name, const std::vector<LicenseUse>& v) {
      absl::StrAppend(&out, ",\"", Av(name), "\":");
      AppendArray(out, v, [&](const LicenseUse& u) {
        out += "{\"license\":";
        AppendJsonQuoted(out, u.license);
        field("authority", u.authority);
        field("basis", u.basis);
        out += ",\"materials\":";
        list(u.materials);
        if (u.remaining) {
          out += ",\"remaining\":{\"quantity\":";
          AppendJsonNumber(out, *u.remaining);
          field("unit", u.unit);
          out += '}';
        }
        out += '}';
      });
    };
    uses("licenses_used", licenses_used);
    out += ",\"license_checks\":";
    AppendArray(out, license_checks, [&](const LicenseCheck& c) {
      out += "{\"license\":";
      AppendJsonQuoted(out, c.license);
      field("material", c.material);
      absl::StrAppend(&out, ",\"covers\":", c.covers ? "true" : "false", ",\"reasons\":");
      list(c.reasons);
      out += '}';
    });
    uses("licenses_available", licenses_available);
  }
  out += ",\"policy\":{\"digest\":";
  AppendJsonQuoted(out, policy_digest);
  field("as_of", as_of);
  field("screening", screening_status);
  out += ",\"lists\":";
  AppendArray(out, lists, [&](const ListUsed& l) {
    out += "{\"code\":";
    AppendJsonQuoted(out, l.code);
    field("date", l.date);
    field("digest", l.digest);
    out += '}';
  });
  out += "}}";
}

std::string Decision::ToText() const {
  std::string out = absl::StrCat("request ", request, ": ", Av(OutcomeName(outcome)), "\n");
  for (const ItemDecision& i : items) {
    absl::StrAppend(&out, "  material ", i.material, ": ", Av(OutcomeName(i.outcome)), "\n");
  }
  for (const Reason& r : reasons) {
    absl::StrAppend(&out, "  because ", r.rule, " (", Av(OutcomeName(r.outcome)), ")",
                    r.leg.empty() ? "" : absl::StrCat(" [", r.leg, " ", r.country, "]"), ": ", r.title,
                    r.citation.empty() ? "" : absl::StrCat(" [", r.citation, "]"), " at ", r.source,
                    "\n");
    if (!r.note.empty()) absl::StrAppend(&out, "    note: ", r.note, "\n");
  }
  for (const LicenseRequirement& l : licenses_required) {
    absl::StrAppend(&out, "  license required: ", l.authority, " ", l.basis, "\n");
  }
  for (const Condition& c : conditions) {
    absl::StrAppend(&out, "  condition: ", c.text, " (", c.rule, ")\n");
  }
  for (const DecisionError& e : errors) {
    absl::StrAppend(&out, "  error[", e.code, "]: ", e.message,
                    e.rule.empty() ? "" : absl::StrCat(" (", e.rule, ")"), "\n");
  }
  for (const ScreeningMatch& m : screening) {
    absl::StrAppend(&out, "  screening: ", m.party, " \"", m.name, "\" matches ", m.list, " ",
                    m.entry, " \"", m.alias, "\" (score ", m.score, ", ", m.rule, ")\n");
  }
  if (!coverage.evaluated.empty()) {
    absl::StrAppend(&out, "  evaluated: ", absl::StrJoin(coverage.evaluated, ", "), "\n");
  }
  if (!coverage.not_covered.empty()) {
    absl::StrAppend(&out, "  not covered: ", absl::StrJoin(coverage.not_covered, ", "), "\n");
  }
  absl::StrAppend(&out, "  policy ", policy_digest, " as of ", as_of, "\n");
  for (const ListUsed& l : lists) {
    absl::StrAppend(&out, "  screened against ", l.code, " of ", l.date.empty() ? "unknown date" : l.date,
                    " (", l.digest, ")\n");
  }
  if (screening_status == "off") absl::StrAppend(&out, "  screening: off (opted out)\n");
  return out;
}

}  // namespace exportctl
