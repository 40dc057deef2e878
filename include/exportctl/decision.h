#ifndef EXPORTCTL_DECISION_H_
#define EXPORTCTL_DECISION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace exportctl {

// The outcome lattice, least to most restrictive; the most restrictive outcome wins.
enum class Outcome {
  kPermitted,
  kPermittedWithConditions,
  kLicenseRequired,
  kReview,
  kProhibited,
};

// Returns "permitted", "permitted_with_conditions", "license_required", "review", "prohibited".
std::string_view OutcomeName(Outcome outcome);
// Returns the outcome with that name, or nullopt.
std::optional<Outcome> ParseOutcome(std::string_view name);

// A rule that fired, with where it is written and what it cites.
struct Reason {
  std::string rule;  // "package.rule_name"
  Outcome outcome = Outcome::kPermitted;
  std::string title;
  std::string citation;
  std::string source;  // "rules/ear/bio.ecr:41:1"
  std::string note;    // the text of `review "..."` or `prohibited "..."`, if any
  std::vector<std::string> materials;  // the materials it applied to (all, for shipment rules)
  // A rule that ranges over the legs (`for each leg c in destination, transit`): the leg it
  // fired for ("origin", "transit", "destination", "end_user") and that leg's country. A rule
  // firing on several legs gives a reason for each. Empty for other rules.
  std::string leg;
  std::string country;
};

struct ItemDecision {
  std::string material;
  Outcome outcome = Outcome::kPermitted;
  std::vector<std::string> reasons;  // rule ids
};

struct LicenseRequirement {
  std::string authority;  // e.g. "BIS"
  std::string basis;      // e.g. "CB2"
  std::vector<std::string> materials;
};

struct Condition {
  std::string text;
  std::string rule;
  std::string citation;
};

// An error met while deciding: the decision failed closed (at least `review`).
struct DecisionError {
  std::string code;  // missing_field, missing_key, not_screened, invalid_request, invalid_as_of
  std::string message;
  std::string rule;  // empty when not tied to a rule
};

// A restricted-party list match that a fired rule relied on (a `screen()` in its condition).
struct ScreeningMatch {
  std::string party;  // "end_user", "exporter" or "parties[1]"
  std::string name;   // the party's name as the request gives it
  std::string list;   // SDN, EL, DPL, UVL, MEU, ..., EU
  std::string entry;  // the listed entry's id
  std::string alias;  // the listed name that matched
  int score = 0;      // 0-100
  std::string rule;   // the rule that relied on it
};

// A restricted-party list file the decision screened against.
struct ListUsed {
  std::string code;    // SDN, EU or CSL
  std::string date;    // "YYYY-MM-DD", or "" when neither the file nor the caller said
  std::string digest;  // "sha256:<hex>" of the file
};

// What the policy's regimes (`regime` declarations) say of this shipment: those that applied
// to it, and the law no regime covers ("export controls of CN", "import requirements of BR").
// Both empty for a policy that declares no regimes.
struct Coverage {
  std::vector<std::string> evaluated;    // regime titles, in declaration order
  std::vector<std::string> not_covered;  // "KIND of COUNTRY"
};

// A license of the repository that met a requirement (EvaluateOptions::licenses).
struct LicenseUse {
  std::string license;  // its id
  std::string authority;
  std::string basis;
  std::vector<std::string> materials;
  // What the license's quantity cap has left after this shipment (none: the license has no cap).
  std::optional<double> remaining;
  std::string unit;
};

// A license named in the request, checked against one material's requirement: whether it
// covers it and, when not, every reason why not ("expired on 2026-10-01", ...).
struct LicenseCheck {
  std::string license;
  std::string material;
  bool covers = false;
  std::vector<std::string> reasons;
};

struct Decision {
  std::string request;
  Outcome outcome = Outcome::kPermitted;
  std::vector<ItemDecision> items;
  std::vector<Reason> reasons;
  std::vector<LicenseRequirement> licenses_required;
  std::vector<Condition> conditions;
  std::vector<DecisionError> errors;
  std::vector<ScreeningMatch> screening;  // the list matches fired rules relied on
  Coverage coverage;
  std::string policy_digest;  // "sha256:..."
  std::string as_of;          // the date the rules were applied at
  std::vector<ListUsed> lists;  // the lists parties were screened against
  // "on": lists were given; "off": the caller opted out (EvaluateOptions::no_screening), so
  // screen() read 0; "no_lists": none were given, so any rule calling screen() failed closed.
  std::string screening_status = "no_lists";
  // With a license repository (EvaluateOptions::licenses): the licenses named in the request
  // that met a requirement, the checks of every named license, and, when the request names
  // none, the repository's licenses that would cover. Absent from the JSON without a repository.
  bool licenses_checked = false;
  std::vector<LicenseUse> licenses_used;
  std::vector<LicenseCheck> license_checks;
  std::vector<LicenseUse> licenses_available;

  // Returns the decision as one line of JSON, in the contract's shape (README, "The decision").
  std::string ToJson() const;
  // Appends the same JSON to `buffer` (reuse one buffer to serialize many decisions).
  void AppendJson(std::string* buffer) const;
  // Returns a short human-readable rendering, for the CLI's --format text.
  std::string ToText() const;
};

// The short form of a decision (Policy::Decide): the outcome and the rules that fired. A Verdict
// owns what it holds and stays valid after the Policy is gone: rules are indices, in rule order,
// into Policy::rule_ids() of the policy that decided (and of its copies); Policy::rule_id(i)
// names one.
struct Verdict {
  Outcome outcome = Outcome::kPermitted;
  std::vector<std::uint32_t> rules;  // indices of the rules that fired, in rule order
  bool errors = false;               // the request, as-of date or a rule failed closed
};

}  // namespace exportctl

#endif  // EXPORTCTL_DECISION_H_
