#ifndef EXPORTCTL_SRC_SCREENING_LIST_SET_H_
#define EXPORTCTL_SRC_SCREENING_LIST_SET_H_

// What a Lists holds: the loaded files and one name index over every entry of all of them.

#include <vector>

#include "exportctl/lists.h"
#include "src/screening/list.h"
#include "src/screening/matcher.h"

namespace exportctl::internal {

struct ListSet {
  std::vector<LoadedList> lists;
  std::vector<ListInfo> info;
  NameIndex index;  // over every entry of `lists`; entry indices in load order
  std::vector<std::string> codes;  // the list codes that have entries, sorted
};

// The lowest score screen() computes: a best match below it reads as 0. The matcher's review
// threshold, where its index is calibrated; the checker refuses rules comparing screen() with a
// threshold under it (`screen_threshold`), so no rule asks about scores it would not see.
inline constexpr int kScreenFloor = kReviewScore;

}  // namespace exportctl::internal

#endif  // EXPORTCTL_SRC_SCREENING_LIST_SET_H_
