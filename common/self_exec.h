/* self_exec.h — this binary exec'd again as a helper process (the zygote,
 * the office process): its argv and environment, built before the fork,
 * since only async-signal-safe calls may follow it in a threaded parent. */
#ifndef AW_SELF_EXEC_H
#define AW_SELF_EXEC_H

/* { name, run_argv[0], …, NULL }: the array is the caller's to free, the
 * strings stay borrowed. */
char **aw_self_argv(const char *name, char *const *run_argv);

/* The environment plus the NULL-terminated entries of extra ("KEY=value",
 * borrowed): the array is the caller's to free. */
char **aw_self_env(const char *const *extra);

#endif
