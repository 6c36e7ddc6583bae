/* scan.h — the ClamAV engine and the two ways a job reaches it.
 *
 * In `asset-worker process` the engine lives in the process that runs the
 * job (aw_pipeline_init loads it). In the service it lives in a scanner
 * process per zygote (worker/exec/scanner.h), so executors do not carry it:
 * each executor holds a connection to a scan process of its own, forked from
 * the scanner, and hands it the job's file as a descriptor. */
#ifndef AW_SCAN_H
#define AW_SCAN_H

#include "config.h"
#include "pipeline.h"

#include <stddef.h>

/* What one scan found; what a scan process answers (one message, the same
 * binary at both ends of a socketpair). */
typedef struct aw_scan_verdict {
    int rc;            /* cl_error_t: CL_CLEAN, CL_VIRUS, or why not */
    char virus[128];   /* the signature, with CL_VIRUS (as long as the result keeps) */
    char message[512]; /* without an engine or sandbox: why there is none */
    double cpu_ms;     /* CPU time the scan took, in the process that ran it */
    long peak_rss_kib; /* that process's resident peak during the scan (0 unknown) */
} aw_scan_verdict;

/* ---- the engine, in this process -------------------------------------- */

/* cl_init and the database into a new engine, limits set. AW_ERROR only
 * when libclamav cannot start; a database that does not load leaves no
 * engine and its reason in aw_pipeline_scan_engine()'s error. */
int aw_scan_engine_load(const aw_config *cfg, aw_error *err);

/* Scans the open file fd with this process's engine. */
void aw_scan_descriptor(int fd, const aw_config *cfg, aw_scan_verdict *v);

/* libclamav's words for rc. */
const char *aw_scan_strerror(int rc);

void aw_scan_engine_free(void);

/* ---- the engine, in a scanner process --------------------------------- */

/* In a zygote, before aw_pipeline_init: scans go to a scanner process, and
 * this process loads no engine. */
void aw_scan_use_scanner(void);

/* In a zygote: the engine the scanner loaded (aw_pipeline_scan_engine()
 * returns it from then on, in the zygote and the executors it forks). */
void aw_scan_set_engine(const aw_scan_engine *e);

/* In an executor: its connection to its scan process (SOCK_SEQPACKET). */
void aw_scan_set_connection(int sock);

/* True when scans go to a scanner process. */
bool aw_scan_remote(void);

/* The open file fd scanned by the scan process, temporary files under
 * tmpdir. When the scan process is gone (it crashed, or its time ran out)
 * the executor exits with AW_SCAN_LOST_EXIT: the supervisor retries a job
 * whose executor died, and the retry gets a new executor and scan process. */
#define AW_SCAN_LOST_EXIT 75
void aw_scan_remotely(int fd, const char *tmpdir, aw_scan_verdict *v);

/* CPU time and the resident peak of the scans sent so far by this process. */
double aw_scan_remote_cpu_ms(void);
long aw_scan_remote_peak_kib(void); /* the largest since the last call */

#endif
