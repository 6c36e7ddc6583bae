/* scanner.h — a zygote's ClamAV engine, in a process of its own.
 *
 * The zygote forks the scanner first thing; the scanner loads the database
 * while the zygote sets itself up, and reports what it loaded. For every
 * executor the zygote forks it also makes a socketpair and hands one end to
 * the scanner, which forks a scan process for it: that process enters the
 * executor's sandbox (its work directory, seccomp, limits) and scans the
 * files the executor sends, one verdict each, until the executor closes its
 * end. The engine is shared copy-on-write by the scanner and its scan
 * processes, and is not in any executor's address space: executors stay
 * small, and a crash in libclamav costs only the job being scanned (its
 * executor sees the connection end, exits, and the job is retried).
 *
 * Each process dies with its parent (the scanner with the zygote, a scan
 * process with the scanner). When the scanner dies the zygote starts
 * another; executors whose scan process died with it are retried. */
#ifndef AW_SCANNER_H
#define AW_SCANNER_H

#include "pipeline.h"
#include "service_config.h"

#include <sys/types.h>

typedef struct aw_scanner aw_scanner;

/* Forks the scanner from the calling zygote (before its own set-up). */
aw_scanner *aw_scanner_start(const aw_service_config *cfg);

/* Waits for what the scanner loaded (the database can take tens of
 * seconds); an engine that is not loaded carries why. AW_ERROR when
 * libclamav itself cannot start (the zygote cannot work then). */
int aw_scanner_wait_engine(aw_scanner *s, aw_scan_engine *out, aw_error *err);

/* A connection for the executor that will work in workdir: the executor's
 * end (SOCK_SEQPACKET, close-on-exec), or -1. */
int aw_scanner_connect(aw_scanner *s, const char *workdir);

/* In a child of the zygote (an executor): closes the zygote's end, so the
 * child cannot ask the scanner for anything. */
void aw_scanner_forget(aw_scanner *s);

/* True when pid was the scanner; another is started then. */
bool aw_scanner_reaped(aw_scanner *s, pid_t pid);

#endif
