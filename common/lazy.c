/* lazy.c — the resolver behind scripts/lazy-stubs' trampolines (lazy.h). */
#include "lazy.h"

#include "setup_clock.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned loaded;

static void missing(void)
{
    static const char msg[] = "asset-worker: a function of a lazily loaded library is missing\n";
    ssize_t n = write(2, msg, sizeof msg - 1);
    (void)n;
    abort();
}

static void load(aw_lazy_lib *lib)
{
    void *handle = dlopen(lib->soname, RTLD_NOW | RTLD_GLOBAL);
    if (handle == NULL) {
        fprintf(stderr, "asset-worker: cannot load %s: %s\n", lib->soname, dlerror());
        abort();
    }
    for (size_t i = 0; i < lib->count; i++) {
        void *f = dlsym(handle, lib->names[i]);
        lib->table[i] = f != NULL ? f : (void *)missing;
    }
    lib->handle = handle;
    loaded++;
}

void *aw_lazy_resolve(aw_lazy_lib *lib, size_t index)
{
    pthread_mutex_lock(&lock);
    if (lib->handle == NULL) {
        aw_setup_clock_start();
        load(lib);
        aw_setup_clock_stop();
    }
    void *target = lib->table[index];
    pthread_mutex_unlock(&lock);
    if (target == (void *)missing)
        fprintf(stderr, "asset-worker: %s has no %s\n", lib->soname, lib->names[index]);
    return target;
}

unsigned aw_lazy_loaded(void)
{
    pthread_mutex_lock(&lock);
    unsigned n = loaded;
    pthread_mutex_unlock(&lock);
    return n;
}
