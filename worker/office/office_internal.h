/* office_internal.h — the parts of the office process (office_service.h):
 * its loop (office_forkit.c) and the child per document (office_child.c). */
#ifndef AW_OFFICE_INTERNAL_H
#define AW_OFFICE_INTERNAL_H

#include "sandbox.h"

#include <limits.h>
#include <stdbool.h>

typedef struct aw_office_settings {
    const char *install_dir;    /* …/libreoffice/program */
    char profile_dir[PATH_MAX]; /* written once, read-only to children */
    char profile_url[PATH_MAX + 8];
    char work_dir[PATH_MAX];   /* the children's directories go below */
    int slots;                 /* children at once */
    double timeout_ms;         /* a child's wall time */
    aw_sandbox_config sandbox; /* the executors' limits */
    bool sandboxed;            /* --sandbox on */
    const char *unavailable;   /* why LibreOffice did not load, or NULL */
} aw_office_settings;

/* One document for a child: the executor's socket, the document, what
 * kind of file it is and the page's longest side. */
typedef struct aw_office_request {
    int client, doc;
    char ext[16];
    char kind[16]; /* the kind of document the format promises, or "" */
    int box;
} aw_office_request;

/* Accepts executors on listener and renders their documents until the
 * supervisor's end of ev closes. */
void aw_office_serve(const aw_office_settings *s, int listener, int ev);

/* The child: renders the request in dir and answers on its socket. */
void aw_office_child_main(const aw_office_settings *s, const aw_office_request *r, const char *dir)
    __attribute__((noreturn));

/* Copies the directory tree src to dst (which must not exist): each
 * child's own copy of the prepared profile. 0, or -1 with errno. */
int aw_office_copy_tree(const char *src, const char *dst);

/* Answers a request that no page will come for. */
void aw_office_refuse(int client, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
