/* office_service.h — the office process: LibreOfficeKit for the pod.
 *
 * LibreOffice takes seconds to start, so it is loaded once (lok_preinit)
 * in a long-lived process: this binary exec'd again, like the zygote. The
 * supervisor binds a Unix socket in the spool before any executor exists
 * and hands the listening end over; executors connect before their
 * sandbox closes sockets (their environment names the path:
 * AW_OFFICE_SOCKET) and send documents as descriptors
 * (pipelines/office_render.h). Per document the office process forks a
 * child: it finishes LibreOffice's start, enters a sandbox (the executor's
 * seccomp filter and limits; Landlock: its own directory, the read-only
 * profile and the system trees; no network namespace where one can be
 * made), loads the document with macros and link updates off
 * (office_profile.c), paints page 1 and answers with a memfd of pixels.
 * At most --office-slots children run at once (default: as many as
 * executors); the others wait. A child
 * that passes --office-timeout is killed; one that crashes or is killed is
 * answered for by the parent, so the executor always hears back.
 *
 * Without LibreOffice (or with --office off) there is no office process,
 * no socket, and Office files keep their embedded thumbnail. */
#ifndef AW_OFFICE_SERVICE_H
#define AW_OFFICE_SERVICE_H

#include "service_config.h"

#include <stdbool.h>

#define AW_OFFICE_DEFAULT_DIR "/usr/lib/libreoffice/program"

typedef struct aw_office aw_office;

/* Binds <spool>/office.sock, sets AW_OFFICE_SOCKET for the executors to
 * come and starts the office process; NULL (and why, logged once) when
 * --office is off or LibreOffice is not installed. */
aw_office *aw_office_start(const aw_service_config *cfg);

/* An office process for one command (`asset-worker process`), in a
 * directory of its own under $TMPDIR, with run's defaults; NULL when
 * LibreOffice is not installed. aw_office_stop ends it. */
aw_office *aw_office_start_private(void);

/* Where executors connect (office_render.h). */
const char *aw_office_socket_path(const aw_office *o);

/* Logs the office process's set-up line once; starts it again (at most
 * every 5 s) when it has died. Accepts NULL. */
void aw_office_step(aw_office *o);

/* Stops the office process and removes the socket. Accepts NULL. */
void aw_office_stop(aw_office *o);

/* The office process's side: main() calls this when AW_OFFICE_FDS is set. */
bool aw_office_requested(void);
int aw_office_main(int argc, char **argv);

/* The LibreOffice program directory --office names, or NULL when off or
 * not installed (office_service.c). */
const char *aw_office_install_dir(const aw_service_config *cfg);

#endif
