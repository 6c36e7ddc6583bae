/* fd_pass.h — one message and at most one file descriptor over a Unix
 * socket (SCM_RIGHTS): how an executor hands a document to the office
 * process and gets the rendered page back (office_render.h). On a
 * SOCK_SEQPACKET socket a message arrives whole or not at all. */
#ifndef AW_FD_PASS_H
#define AW_FD_PASS_H

#include <stddef.h>
#include <sys/types.h>

/* Sends len bytes of data and fd (none when -1). 0, or -1 with errno. */
int aw_fd_send(int sock, const void *data, size_t len, int fd);

/* Receives one message into buf (NUL-terminated, so at most size − 1
 * bytes) and the descriptor that came with it into *fd (-1 when none; it
 * is close-on-exec). Returns the length, 0 at the peer's end, -1 with
 * errno. A message with more than one descriptor keeps the first and
 * closes the others. */
ssize_t aw_fd_recv(int sock, char *buf, size_t size, int *fd);

#endif
