/* ids.c — id validation and ids made from file names. */
#include "ids.h"

#include <stdio.h>
#include <string.h>

static const char id_chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";

bool aw_id_valid(const char *id)
{
    if (id == NULL || id[0] == '\0' || id[0] == '.')
        return false;
    size_t n = strspn(id, id_chars);
    return id[n] == '\0' && n <= 128;
}

void aw_id_from_name(const char *path, char *buf, size_t size)
{
    const char *base = strrchr(path, '/');
    snprintf(buf, size, "%.128s", base ? base + 1 : path);
    char *dot = strrchr(buf, '.');
    if (dot != NULL && dot != buf)
        *dot = '\0';
    for (char *p = buf; *p != '\0'; p++)
        if (strchr(id_chars, *p) == NULL)
            *p = '-';
    if (buf[0] == '\0')
        snprintf(buf, size, "a");
    else if (buf[0] == '.')
        buf[0] = 'a';
}
