/* transfers.c — the transfer pool (transfers.h): a mutex-guarded FIFO of
 * requests, worker threads that take one at a time, and a finished queue
 * signalled through an eventfd. */
#define _GNU_SOURCE
#include "transfers.h"

#include "alloc.h"
#include "timeutil.h"

#include <errno.h>
#include <glib.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct aw_transfers {
    aw_storage *storage;
    pthread_mutex_t lock;
    pthread_cond_t work;
    aw_transfer *queue, **queue_tail; /* waiting, in order */
    aw_transfer *done, **done_tail;   /* finished, not taken back */
    bool stopping;
    int event_fd;
    pthread_t *threads;
    int n_threads;
};

aw_transfer *aw_transfer_new(aw_transfer_kind kind, void *owner, const char *key, const char *path,
                             const char *content_type, uint64_t max_bytes)
{
    aw_transfer *t = aw_xcalloc(1, sizeof *t);
    t->kind = kind, t->owner = owner, t->max_bytes = max_bytes;
    t->key = g_strdup(key), t->path = g_strdup(path), t->content_type = g_strdup(content_type);
    t->rc = AW_ERROR;
    aw_error_clear(&t->err);
    return t;
}

aw_transfer *aw_transfer_new_copy(void *owner, const char *src_key, const char *dst_key)
{
    aw_transfer *t = aw_transfer_new(AW_TRANSFER_COPY, owner, dst_key, NULL, NULL, 0);
    t->src_key = g_strdup(src_key);
    return t;
}

void aw_transfer_free(aw_transfer *t)
{
    if (t == NULL)
        return;
    g_free(t->key), g_free(t->path), g_free(t->content_type), g_free(t->src_key);
    free(t);
}

static void push(aw_transfer ***tail, aw_transfer *t)
{
    t->next = NULL;
    **tail = t;
    *tail = &t->next;
}

static aw_transfer *pop(aw_transfer **head, aw_transfer ***tail)
{
    aw_transfer *t = *head;
    if (t != NULL && (*head = t->next) == NULL)
        *tail = head;
    return t;
}

static void perform(aw_storage *s, aw_transfer *t)
{
    t->started_ms = aw_time_mono_ms();
    if (t->kind == AW_TRANSFER_GET)
        t->rc = aw_storage_get(s, t->key, t->path, t->max_bytes, t->sha256, &t->err);
    else if (t->kind == AW_TRANSFER_COPY)
        t->rc = aw_storage_copy(s, t->src_key, t->key, &t->err);
    else
        t->rc = aw_storage_put(s, t->key, t->path, t->content_type, &t->err);
    t->finished_ms = aw_time_mono_ms();
    t->ran = true;
}

static void signal_done(aw_transfers *p)
{
    uint64_t one = 1;
    while (write(p->event_fd, &one, sizeof one) < 0 && errno == EINTR)
        continue;
}

static void *worker(void *arg)
{
    aw_transfers *p = arg;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (p->queue == NULL && !p->stopping)
            pthread_cond_wait(&p->work, &p->lock);
        if (p->stopping)
            break;
        aw_transfer *t = pop(&p->queue, &p->queue_tail);
        pthread_mutex_unlock(&p->lock);
        perform(p->storage, t);
        pthread_mutex_lock(&p->lock);
        push(&p->done_tail, t);
        signal_done(p);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

aw_transfers *aw_transfers_new(aw_storage *s, int threads, aw_error *err)
{
    aw_transfers *p = aw_xcalloc(1, sizeof *p);
    p->storage = s;
    p->queue_tail = &p->queue, p->done_tail = &p->done;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->work, NULL);
    p->event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    p->threads = aw_xcalloc((size_t)threads, sizeof *p->threads);
    for (int i = 0; i < threads && p->event_fd >= 0; i++) {
        int rc = pthread_create(&p->threads[i], NULL, worker, p);
        if (rc != 0) {
            aw_error_set(err, AW_CODE_STORAGE_ERROR, "transfers",
                         "cannot start transfer thread %d of %d: %s", i + 1, threads, strerror(rc));
            aw_transfers_free(p);
            return NULL;
        }
        p->n_threads++;
    }
    if (p->event_fd < 0) {
        aw_error_set(err, AW_CODE_STORAGE_ERROR, "transfers", "eventfd: %s", strerror(errno));
        aw_transfers_free(p);
        return NULL;
    }
    return p;
}

void aw_transfers_submit(aw_transfers *p, aw_transfer *t)
{
    t->queued_ms = aw_time_mono_ms();
    pthread_mutex_lock(&p->lock);
    push(&p->queue_tail, t);
    pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->lock);
}

int aw_transfers_fd(const aw_transfers *p)
{
    return p->event_fd;
}

aw_transfer *aw_transfers_next_done(aw_transfers *p)
{
    uint64_t count;
    if (read(p->event_fd, &count, sizeof count) < 0 && errno != EAGAIN && errno != EINTR)
        return NULL; /* reset before taking, so a later finish wakes poll again */
    pthread_mutex_lock(&p->lock);
    aw_transfer *t = pop(&p->done, &p->done_tail);
    pthread_mutex_unlock(&p->lock);
    return t;
}

static void free_list(aw_transfer *t)
{
    while (t != NULL) {
        aw_transfer *next = t->next;
        aw_transfer_free(t);
        t = next;
    }
}

void aw_transfers_free(aw_transfers *p)
{
    if (p == NULL)
        return;
    aw_storage_cancel(p->storage);
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->n_threads; i++)
        pthread_join(p->threads[i], NULL);
    free_list(p->queue), free_list(p->done);
    if (p->event_fd >= 0)
        close(p->event_fd);
    pthread_cond_destroy(&p->work);
    pthread_mutex_destroy(&p->lock);
    free(p->threads), free(p);
}
