#ifndef EXPORTCTL_LIMITS_H_
#define EXPORTCTL_LIMITS_H_

// Every limit exportctl enforces on its input, in one place. Input over a limit is refused with
// a stable code (and the file and line, or the JSON path); it never crashes, hangs or grows
// without bound. tests/limits_test.cc tries each at the limit and one past it.

#include <cstddef>
#include <cstdint>

namespace exportctl {

// --- Rule files (Policy::Compile: an error diagnostic with the code, at the place) ---
inline constexpr std::size_t kMaxRuleFileBytes = 4 << 20;  // file_too_large (per file)
inline constexpr int kMaxNestingDepth = 32;  // nesting_too_deep: parentheses, braces, brackets, chained `not`
inline constexpr std::size_t kMaxRules = 50'000;        // too_many_rules (per policy)
inline constexpr std::size_t kMaxSetEntries = 200'000;  // too_many_entries (a set's values, a table's rows)

// --- Evaluation (a decision error, failing closed: review) ---
// Variable bindings (`any`, `all`, `for each`) one evaluation may make, all rules together:
// evaluation_limit past it. Realistic packs make a few hundred per request.
inline constexpr std::uint64_t kMaxEvaluationSteps = 10'000'000;
// Characters `matches` and `matches any` may compare in one evaluation (a glob is matched in
// up to len(text) x len(pattern) comparisons): evaluation_limit past it.
inline constexpr std::uint64_t kMaxMatchSteps = 100'000'000;

// --- Requests (Request::FromJson: the JSON path and the code too_large) ---
inline constexpr std::size_t kMaxRequestBytes = 1 << 20;   // the whole request
inline constexpr std::size_t kMaxStringBytes = 64 << 10;   // each string value
inline constexpr std::uint32_t kMaxRouteCountries = 64;    // route
inline constexpr std::uint32_t kMaxMaterials = 10'000;     // materials
inline constexpr std::uint32_t kMaxParties = 1'000;        // parties
inline constexpr std::uint32_t kMaxRequestLicenses = 1'000;  // licenses
inline constexpr std::uint32_t kMaxDataCategories = 64;      // data.categories

// --- `exportctl eval --batch` ---
// A longer line is not buffered: it gets a `too_large` review decision and is skipped.
inline constexpr std::size_t kMaxBatchLineBytes = 16 << 20;

// --- Restricted-party lists (Lists::Load: list_too_large, list_malformed) ---
inline constexpr std::size_t kMaxListFileBytes = 256u << 20;  // list_too_large
inline constexpr std::size_t kMaxListEntries = 500'000;  // list_too_large (per file; the SDN has ~18,000)
inline constexpr std::size_t kMaxListFieldBytes = 64 << 10;   // list_malformed (a field or string)

// --- License repositories (Licenses::Load: license_too_large) ---
inline constexpr std::size_t kMaxLicenseFileBytes = 64 << 20;
inline constexpr std::size_t kMaxLicenseRecords = 100'000;
inline constexpr std::size_t kMaxLicenseItemBytes = 256;  // license_invalid_value (an item pattern)

// --- Audit logs (VerifyAuditLog, AuditLog::Open: audit_malformed, audit_invalid) ---
inline constexpr std::size_t kMaxAuditLineBytes = 64u << 20;

}  // namespace exportctl

#endif  // EXPORTCTL_LIMITS_H_
