/* lazy.h — shared libraries loaded on the first call into them (scripts/
 * lazy-stubs writes a trampoline per exported function and one aw_lazy_lib
 * per library; CMakeLists.txt says which libraries: those that dominate the
 * start-up of a process that does not use them, FFmpeg, libvips, OSMesa
 * with LLVM, assimp, poppler, ClamAV, the service's clients). */
#ifndef AW_LAZY_H
#define AW_LAZY_H

#include <stddef.h>

typedef struct aw_lazy_lib {
    const char *soname;
    const char *const *names; /* the functions, in table order */
    void **table;             /* where each trampoline jumps */
    size_t count;
    void *handle; /* dlopen()ed on the first call */
} aw_lazy_lib;

/* Called by a trampoline on the first call through it: loads the library
 * if it is not yet (every function of it resolved at once) and returns the
 * address of function `index`. A library or function that cannot be found
 * ends the process (an installation error: its package is missing). */
void *aw_lazy_resolve(aw_lazy_lib *lib, size_t index);

/* How many libraries were loaded so far (an executor's memory baseline
 * moves when a job loads one: hygiene.c). */
unsigned aw_lazy_loaded(void);

#endif
