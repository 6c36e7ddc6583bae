/* self_exec.c — argv and environment of a helper process (self_exec.h). */
#include "self_exec.h"

#include "alloc.h"

#include <string.h>

char **aw_self_argv(const char *name, char *const *run_argv)
{
    size_t n = 0;
    while (run_argv[n] != NULL)
        n++;
    char **argv = aw_xcalloc(n + 2, sizeof *argv);
    argv[0] = (char *)name;
    memcpy(argv + 1, run_argv, n * sizeof *argv);
    return argv;
}

char **aw_self_env(const char *const *extra)
{
    extern char **environ;
    size_t n = 0, k = 0;
    while (environ[n] != NULL)
        n++;
    while (extra[k] != NULL)
        k++;
    char **env = aw_xcalloc(n + k + 1, sizeof *env);
    memcpy(env, environ, n * sizeof *env);
    memcpy(env + n, extra, k * sizeof *env);
    return env;
}
