#ifndef EXPORTCTL_SRC_AUDIT_AUDIT_H_
#define EXPORTCTL_SRC_AUDIT_AUDIT_H_

// The audit log's reader on any stream (VerifyAuditLog and AuditRecordsFor read files through
// it; the fuzz target reads bytes).

#include <cstddef>
#include <istream>
#include <string_view>

#include "exportctl/audit.h"
#include "exportctl/limits.h"

namespace exportctl::internal {

using exportctl::kMaxAuditLineBytes;  // exportctl/limits.h

AuditVerification VerifyAuditStream(std::istream& in, std::string_view expect_head);

}  // namespace exportctl::internal

#endif  // EXPORTCTL_SRC_AUDIT_AUDIT_H_
