// Being written.
#include <benchmark/benchmark.h>
