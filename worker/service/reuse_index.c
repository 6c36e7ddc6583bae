/* reuse_index.c — see reuse_index.h. */
#define _GNU_SOURCE
#include "reuse_index.h"

#include "alloc.h"
#include "ids.h"
#include "recipe.h"
#include "storage.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void aw_reuse_index_key(const char *sha256, const aw_config *cfg, char *buf, size_t size)
{
    GString *ids = g_string_new(NULL);
    char id[AW_RECIPE_MAX];
    for (int i = 0; i < AW_RECIPE_KINDS; i++) {
        aw_recipe_id(aw_recipe_kinds[i], cfg, id);
        g_string_append_printf(ids, "%s\n", id);
    }
    gchar *set = g_compute_checksum_for_string(G_CHECKSUM_SHA256, ids->str, (gssize)ids->len);
    snprintf(buf, size, "derived/by-hash/%s/%.16s.json", sha256, set);
    g_free(set);
    g_string_free(ids, TRUE);
}

static const char *text(json_t *o, const char *name)
{
    return json_string_value(json_object_get(o, name));
}

json_t *aw_reuse_entry(json_t *completed, const char *sha256, long long bytes)
{
    const char *status = text(completed, "status"), *scan = text(completed, "scanStatus");
    if (sha256 == NULL || strlen(sha256) != 64 || bytes < 0 || status == NULL ||
        strcmp(status, "completed") != 0 || scan == NULL || strcmp(scan, "CLEAN") != 0 ||
        json_array_size(json_object_get(completed, "errors")) > 0 ||
        json_object_get(completed, "reusedFrom") != NULL)
        return NULL;
    json_t *scan_info = json_pack("{s:s}", "status", scan);
    if (json_object_get(completed, "scanDatabase"))
        json_object_set(scan_info, "database", json_object_get(completed, "scanDatabase"));
    return json_pack("{s:{s:s,s:I},s:O,s:O,s:O?,s:O,s:O,s:O,s:o}", "source", "sha256", sha256,
                     "bytes", (json_int_t)bytes, "assetId", json_object_get(completed, "assetId"),
                     "jobId", json_object_get(completed, "jobId"), "mimeType",
                     json_object_get(completed, "mimeType"), "recipes",
                     json_object_get(completed, "recipes"), "variants",
                     json_object_get(completed, "variants"), "metadata",
                     json_object_get(completed, "metadata"), "scan", scan_info);
}

/* Every output key in variants ("key", "dataKey"), depth first. */
static void each_key(json_t *v, void (*fn)(const char *key, void *user), void *user)
{
    const char *k;
    json_t *child;
    json_object_foreach(v, k, child) {
        if ((strcmp(k, "key") == 0 || strcmp(k, "dataKey") == 0) && json_is_string(child))
            fn(json_string_value(child), user);
        else if (json_is_object(child))
            each_key(child, fn, user);
    }
}

typedef struct key_check {
    const char *prefix; /* derived/{assetId}/ */
    bool ok;
    int n;
} key_check;

static void check_key(const char *key, void *user)
{
    key_check *c = user;
    size_t n = strlen(c->prefix);
    c->n++;
    c->ok = c->ok && aw_storage_key_safe(key) && strncmp(key, c->prefix, n) == 0 &&
            strchr(key + n, '/') == NULL;
}

static bool recipes_current(json_t *recipes, const aw_config *cfg)
{
    const char *kind;
    json_t *id;
    char now[AW_RECIPE_MAX];
    bool ok = json_object_size(recipes) > 0;
    json_object_foreach(recipes, kind, id) {
        bool known = false;
        for (int i = 0; i < AW_RECIPE_KINDS; i++) {
            if (strcmp(kind, aw_stage_kind_name(aw_recipe_kinds[i])) != 0)
                continue;
            aw_recipe_id(aw_recipe_kinds[i], cfg, now);
            known = json_is_string(id) && strcmp(json_string_value(id), now) == 0;
        }
        ok = ok && known;
    }
    return ok;
}

bool aw_reuse_entry_fits(json_t *entry, const char *sha256, long long bytes, const char *asset_id,
                         const aw_config *cfg)
{
    json_t *src = json_object_get(entry, "source");
    const char *from = text(entry, "assetId");
    if (!json_is_object(entry) || from == NULL || !aw_id_valid(from) ||
        strcmp(from, asset_id) == 0 || text(src, "sha256") == NULL ||
        strcmp(text(src, "sha256"), sha256) != 0 ||
        json_integer_value(json_object_get(src, "bytes")) != bytes ||
        !json_is_object(json_object_get(entry, "metadata")) ||
        text(json_object_get(entry, "scan"), "status") == NULL ||
        strcmp(text(json_object_get(entry, "scan"), "status"), "CLEAN") != 0 ||
        !recipes_current(json_object_get(entry, "recipes"), cfg))
        return false;
    char *prefix = aw_xasprintf("derived/%s/", from);
    key_check c = {prefix, true, 0};
    each_key(json_object_get(entry, "variants"), check_key, &c);
    free(prefix);
    return c.ok;
}

/* "derived/{from}/name" → "derived/{to}/name" in every key of v. */
static void move_keys(json_t *v, const char *to)
{
    const char *k;
    json_t *child;
    json_object_foreach(v, k, child) {
        if ((strcmp(k, "key") == 0 || strcmp(k, "dataKey") == 0) && json_is_string(child)) {
            const char *name = strrchr(json_string_value(child), '/');
            json_object_set_new(v, k, json_sprintf("derived/%s/%s", to, name ? name + 1 : ""));
        } else if (json_is_object(child)) {
            move_keys(child, to);
        }
    }
}

json_t *aw_reuse_event(json_t *entry, const char *job_id, const char *asset_id)
{
    json_t *variants = json_deep_copy(json_object_get(entry, "variants"));
    move_keys(variants, asset_id);
    json_t *scan = json_object_get(entry, "scan");
    json_t *outputs = json_object(), *id;
    const char *kind;
    json_object_foreach(json_object_get(entry, "recipes"), kind, id)
        json_object_set_new(outputs, kind, json_string("reused"));
    json_t *e = json_pack("{s:s,s:s,s:s,s:O,s:o,s:O,s:[],s:O,s:o,s:{s:O,s:O}}", "jobId", job_id,
                          "assetId", asset_id, "status", "completed", "scanStatus",
                          json_object_get(scan, "status"), "variants", variants, "metadata",
                          json_object_get(entry, "metadata"), "errors", "recipes",
                          json_object_get(entry, "recipes"), "outputs", outputs, "reusedFrom",
                          "assetId", json_object_get(entry, "assetId"), "jobId",
                          json_object_get(entry, "jobId"));
    if (e == NULL)
        abort(); /* the entry was checked by aw_reuse_entry_fits */
    if (json_object_get(scan, "database"))
        json_object_set(e, "scanDatabase", json_object_get(scan, "database"));
    if (json_object_get(entry, "mimeType"))
        json_object_set(e, "mimeType", json_object_get(entry, "mimeType"));
    return e;
}

typedef struct copy_walk {
    const char *asset_id;
    void (*fn)(const char *src, const char *dst, void *user);
    void *user;
} copy_walk;

static void copy_one(const char *key, void *user)
{
    copy_walk *w = user;
    const char *name = strrchr(key, '/');
    char *dst = aw_xasprintf("derived/%s/%s", w->asset_id, name ? name + 1 : key);
    w->fn(key, dst, w->user);
    free(dst);
}

void aw_reuse_each_copy(json_t *entry, const char *asset_id,
                        void (*fn)(const char *src, const char *dst, void *user), void *user)
{
    copy_walk w = {asset_id, fn, user};
    each_key(json_object_get(entry, "variants"), copy_one, &w);
}
