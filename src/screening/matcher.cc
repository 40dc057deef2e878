// Being written: see matcher.h.
#include "src/screening/matcher.h"
