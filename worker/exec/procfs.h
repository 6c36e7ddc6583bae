/* procfs.h — what /proc tells of a process: the supervisor's pool reads its
 * executors' figures, an executor its own. */
#ifndef AW_PROCFS_H
#define AW_PROCFS_H

#include <stdint.h>
#include <sys/types.h>

/* Anonymous resident bytes of pid, 0 for this process (resident minus
 * file-backed and shared, /proc/PID/statm); 0 when it cannot be read. */
uint64_t aw_proc_anon_bytes(pid_t pid);

/* CPU time of pid in ms (utime + stime of /proc/PID/stat); -1 unknown. */
double aw_proc_cpu_ms(pid_t pid);

/* This process's resident set size now, in KiB (0 when /proc is closed). */
long aw_proc_rss_kib(void);

/* This process's resident peak in KiB (VmHWM, which writing "5" to
 * /proc/self/clear_refs starts again); the whole life's peak from getrusage
 * when /proc is closed. It counts pages shared with other processes. */
long aw_proc_peak_rss_kib(void);

#endif
