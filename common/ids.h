/* ids.h — job and asset ids: which are safe in storage keys and file names,
 * and how one is made from a file name. */
#ifndef AW_IDS_H
#define AW_IDS_H

#include <stdbool.h>
#include <stddef.h>

/* True for ids safe in storage keys and file names: 1–128 characters of
 * [A-Za-z0-9._-], not starting with '.'. */
bool aw_id_valid(const char *id);

/* A valid id from a file name: directory and extension dropped, characters
 * outside [A-Za-z0-9._-] as '-', a leading '.' or nothing as 'a', at most
 * 128 characters. buf holds at least 129 bytes. */
void aw_id_from_name(const char *path, char *buf, size_t size);

#endif
