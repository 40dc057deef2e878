#include <string>

#include "absl/strings/str_cat.h"
#include "exportctl/decision.h"
#include "src/common/source.h"

namespace exportctl {

using internal::Av;
using internal::JsonQuote;

namespace {
constexpr std::string_view kOutcomeNames[] = {"permitted", "permitted_with_conditions",
                                              "license_required", "review", "prohibited"};

void AppendList(std::string& out, const std::vector<std::string>& items) {
  out += '[';
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += JsonQuote(items[i]);
  }
  out += ']';
}

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
  std::string out = absl::StrCat("{\"request\":", JsonQuote(request), ",\"outcome\":\"",
                                 Av(OutcomeName(outcome)), "\",\"items\":");
  AppendArray(out, items, [&](const ItemDecision& i) {
    absl::StrAppend(&out, "{\"material\":", JsonQuote(i.material), ",\"outcome\":\"",
                    Av(OutcomeName(i.outcome)), "\",\"reasons\":");
    AppendList(out, i.reasons);
    out += '}';
  });
  out += ",\"reasons\":";
  AppendArray(out, reasons, [&](const Reason& r) {
    absl::StrAppend(&out, "{\"rule\":", JsonQuote(r.rule), ",\"outcome\":\"",
                    Av(OutcomeName(r.outcome)), "\",\"title\":", JsonQuote(r.title),
                    ",\"citation\":", JsonQuote(r.citation), ",\"source\":", JsonQuote(r.source));
    if (!r.note.empty()) absl::StrAppend(&out, ",\"note\":", JsonQuote(r.note));
    out += ",\"materials\":";
    AppendList(out, r.materials);
    out += '}';
  });
  out += ",\"licenses_required\":";
  AppendArray(out, licenses_required, [&](const LicenseRequirement& l) {
    absl::StrAppend(&out, "{\"authority\":", JsonQuote(l.authority), ",\"basis\":",
                    JsonQuote(l.basis), ",\"materials\":");
    AppendList(out, l.materials);
    out += '}';
  });
  out += ",\"conditions\":";
  AppendArray(out, conditions, [&](const Condition& c) {
    absl::StrAppend(&out, "{\"text\":", JsonQuote(c.text), ",\"rule\":", JsonQuote(c.rule),
                    ",\"citation\":", JsonQuote(c.citation), "}");
  });
  out += ",\"errors\":";
  AppendArray(out, errors, [&](const DecisionError& e) {
    absl::StrAppend(&out, "{\"code\":", JsonQuote(e.code), ",\"message\":", JsonQuote(e.message),
                    ",\"rule\":", JsonQuote(e.rule), "}");
  });
  absl::StrAppend(&out, ",\"policy\":{\"digest\":", JsonQuote(policy_digest),
                  ",\"as_of\":", JsonQuote(as_of), "}}");
  return out;
}

std::string Decision::ToText() const {
  std::string out = absl::StrCat("request ", request, ": ", Av(OutcomeName(outcome)), "\n");
  for (const ItemDecision& i : items) {
    absl::StrAppend(&out, "  material ", i.material, ": ", Av(OutcomeName(i.outcome)), "\n");
  }
  for (const Reason& r : reasons) {
    absl::StrAppend(&out, "  because ", r.rule, " (", Av(OutcomeName(r.outcome)), ")", ": ", r.title,
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
  absl::StrAppend(&out, "  policy ", policy_digest, " as of ", as_of, "\n");
  return out;
}

}  // namespace exportctl
