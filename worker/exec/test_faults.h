/* test_faults.h — test builds only (AW_TEST_FAULTS): an asset id that starts
 * with "fault-" stages a failure inside the executor, so the tests can show
 * that a crash, a hang, a memory blow-up or an escape attempt costs only that
 * job. Never compiled into a release build. */
#ifndef AW_TEST_FAULTS_H
#define AW_TEST_FAULTS_H

#include "result.h"

#include <stdbool.h>

/* Runs the fault asset_id names, if any, before the pipeline. Returns true
 * when it produced the job's result itself (the sandbox probe, the recall);
 * the others crash, hang, exit or allocate without returning, or return
 * false after a delay ("fault-slow") or after leaving something behind for a
 * later job ("fault-remember", "fault-litter-*"). input is the job's source
 * path, progress_fd the executor's socket, served the jobs this executor has
 * run, this one included. */
bool aw_test_fault(const char *asset_id, const char *input, int progress_fd, unsigned served,
                   aw_result *r);

#endif
