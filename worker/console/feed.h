/* feed.h — the console's consumer: it reads every partition of the four
 * topics into the read model, a batch per transaction. The database's
 * offsets are the truth: each partition starts where the database says (the
 * earliest offset when it has none), so a deleted database is rebuilt from
 * the topics. One replica, so partitions are assigned by the console
 * itself (new topics and partitions are picked up within 5 s), not by a
 * group rebalance; offsets are still committed under its group id after
 * each transaction, so lag can be watched like any consumer's. */
#ifndef AW_CONSOLE_FEED_H
#define AW_CONSOLE_FEED_H

#include "console_config.h"
#include "read_model.h"

typedef struct aw_console_feed aw_console_feed;

aw_console_feed *aw_console_feed_start(const aw_console_config *cfg, aw_read_model *rm,
                                       aw_error *err);

/* Waits up to wait_ms for messages, applies what arrived (at most one
 * batch) and commits. The number of messages, or -1 when the database
 * refused the batch (nothing of it was kept: restart to read it again). */
int aw_console_feed_step(aw_console_feed *f, int wait_ms);

/* Leaves the group and frees the consumer. */
void aw_console_feed_stop(aw_console_feed *f);

#endif
