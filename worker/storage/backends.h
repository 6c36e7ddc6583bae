/* backends.h — the storage backends' constructors, for storage.c's
 * aw_storage_open(). Internal to worker/storage/. */
#ifndef AW_STORAGE_BACKENDS_H
#define AW_STORAGE_BACKENDS_H

#include "storage.h"

/* file:///abs/dir: root is the absolute directory. */
aw_storage *aw_storage_fs_open(const char *root, aw_error *err);

/* s3://bucket[/prefix]: credentials and endpoint from the environment. */
aw_storage *aw_storage_s3_open(const char *bucket_and_prefix, aw_error *err);

#endif
