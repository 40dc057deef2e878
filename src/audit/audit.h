#ifndef EXPORTCTL_SRC_AUDIT_AUDIT_H_
#define EXPORTCTL_SRC_AUDIT_AUDIT_H_

// The audit log's reader on any stream (VerifyAuditLog and AuditRecordsFor read files through
// it; the fuzz target reads bytes).

#include <cstddef>
#include <istream>
#include <string_view>

#include "exportctl/audit.h"

namespace exportctl::internal {

// A log line longer than this is refused (audit_malformed): a record holds one request (at most
// 1 MiB of JSON) and its decision.
inline constexpr std::size_t kMaxAuditLineBytes = 64u << 20;

AuditVerification VerifyAuditStream(std::istream& in, std::string_view expect_head);

}  // namespace exportctl::internal

#endif  // EXPORTCTL_SRC_AUDIT_AUDIT_H_
