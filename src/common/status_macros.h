#ifndef EXPORTCTL_SRC_COMMON_STATUS_MACROS_H_
#define EXPORTCTL_SRC_COMMON_STATUS_MACROS_H_

#include "absl/status/status.h"

#define EXPORTCTL_RETURN_IF_ERROR(expr)          \
  do {                                           \
    if (absl::Status _st = (expr); !_st.ok()) {  \
      return _st;                                \
    }                                            \
  } while (0)

#define EXPORTCTL_CONCAT_INNER_(a, b) a##b
#define EXPORTCTL_CONCAT_(a, b) EXPORTCTL_CONCAT_INNER_(a, b)
#define EXPORTCTL_ASSIGN_OR_RETURN(lhs, expr) \
  EXPORTCTL_ASSIGN_OR_RETURN_IMPL_(EXPORTCTL_CONCAT_(_statusor_, __LINE__), lhs, expr)
#define EXPORTCTL_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                     \
  if (!tmp.ok()) return tmp.status();                    \
  lhs = std::move(tmp).value()

#endif  // EXPORTCTL_SRC_COMMON_STATUS_MACROS_H_
