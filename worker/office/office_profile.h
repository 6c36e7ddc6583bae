/* office_profile.h — the LibreOffice user profile every office child
 * starts from: written once by the office process, read-only to the
 * children (their sandbox grants no write there). */
#ifndef AW_OFFICE_PROFILE_H
#define AW_OFFICE_PROFILE_H

#include "error.h"

#include <stddef.h>

/* Creates dir/user/registrymodifications.xcu with the settings below and
 * writes dir's file: URL into url. AW_OK or AW_ERROR with err. */
int aw_office_profile_write(const char *dir, char *url, size_t size, aw_error *err);

#endif
