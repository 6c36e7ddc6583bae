/* fd_io.h — writing to a file descriptor (a socket to the supervisor or the
 * zygote) through short writes and signals. */
#ifndef AW_FD_IO_H
#define AW_FD_IO_H

#include <stddef.h>

/* Writes all of buf to fd, through short writes and EINTR; -1 on error. */
int aw_fd_write_all(int fd, const char *buf, size_t len);

#endif
