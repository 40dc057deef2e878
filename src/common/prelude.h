#ifndef EXPORTCTL_SRC_COMMON_PRELUDE_H_
#define EXPORTCTL_SRC_COMMON_PRELUDE_H_

#include <string_view>

namespace exportctl::internal {

// The standard packs' shared legal concepts (package `common`, rules/common/concepts.ecr),
// built into the library: a policy that imports `common` without giving that package gets
// this copy, so a pack compiles without rules/common (`--rules rules/eu`).
extern const std::string_view kPreludeName;
extern const std::string_view kPreludeText;

}  // namespace exportctl::internal

#endif  // EXPORTCTL_SRC_COMMON_PRELUDE_H_
