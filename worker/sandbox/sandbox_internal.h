/* sandbox_internal.h — the two kernel filters sandbox.c applies in turn. */
#ifndef AW_SANDBOX_INTERNAL_H
#define AW_SANDBOX_INTERNAL_H

#include "sandbox.h"

/* Restricts the file tree to the job's paths and the read-only system files
 * (sandbox_landlock.c). */
int aw_sandbox_landlock(const aw_sandbox_paths *paths, aw_error *err);

/* Installs the system-call filter (sandbox_seccomp.c). */
int aw_sandbox_seccomp(aw_error *err);

#endif
