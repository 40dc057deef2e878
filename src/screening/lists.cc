// Being written: see lists.h.
#include "src/screening/lists.h"
