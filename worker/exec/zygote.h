/* zygote.h — the process executors are forked from.
 *
 * A zygote is this binary started again (fork + exec of /proc/self/exe with
 * the same `run` command line), so it is single-threaded whatever the
 * supervisor runs, and can be started at any time: at start-up, and again
 * when the ClamAV database changes. It sets up the pipeline once (ClamAV
 * engine loaded and compiled, libvips and libmagic ready), says so in one
 * JSON line, then forks an executor per request; every executor shares the
 * engine copy-on-write. Its environment routes GLib's slice allocator
 * through malloc (G_SLICE=always-malloc), so the executors' hygiene between
 * jobs covers it (hygiene.h). A zygote and its executors die with the supervisor
 * (PR_SET_PDEATHSIG, and the end of its control socket). */
#ifndef AW_ZYGOTE_H
#define AW_ZYGOTE_H

#include "error.h"
#include "pipeline.h"

#include <stdbool.h>
#include <sys/types.h>

typedef struct aw_zygote aw_zygote;

/* Starts a zygote with the `run` arguments (argv[0] is "run"). Returns at
 * once; the zygote is usable when aw_zygote_poll_ready says so. */
aw_zygote *aw_zygote_launch(char *const *run_argv, aw_error *err);

/* Reads the set-up line if it has come: 1 ready, 0 still setting up, -1
 * failed (the reason in err). Never blocks. */
int aw_zygote_poll_ready(aw_zygote *z, aw_error *err);

/* Waits for the set-up line, at most timeout_ms: AW_OK when ready. */
int aw_zygote_wait_ready(aw_zygote *z, double timeout_ms, aw_error *err);

/* Its ClamAV engine, once ready. */
const aw_scan_engine *aw_zygote_engine(const aw_zygote *z);

/* Asks for a new executor confined to workdir (an existing directory): its
 * pid and the supervisor's end of its socket. */
int aw_zygote_spawn(aw_zygote *z, const char *workdir, pid_t *pid, int *fd, aw_error *err);

/* Readable when the zygote has something to say (set-up, exits). */
int aw_zygote_event_fd(const aw_zygote *z);

/* 1 and the pid and wait status of an exited executor; 0 when none is
 * waiting; -1 when the zygote is gone. */
int aw_zygote_next_exit(aw_zygote *z, pid_t *pid, int *status);

/* Stops the zygote; its executors die with it. Accepts NULL. */
void aw_zygote_stop(aw_zygote *z);

/* The zygote's side: main() calls this when AW_ZYGOTE_FDS is set. */
bool aw_zygote_requested(void);
int aw_zygote_main(int argc, char **argv);

#endif
