/* fuzz_check.h — an invariant that holds in every build type (assert() is
 * compiled out with NDEBUG), failing loudly enough for libFuzzer to keep
 * the input. */
#ifndef AW_FUZZ_CHECK_H
#define AW_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz check failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);         \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#endif
