/* office.c — opening Office containers with libgsf and checking the ZIP
 * package's limits before anything is inflated. */
#include "office.h"

#include "zip_salvage.h"

#include <stdio.h>
#include <string.h>

#define ZIP_MAX_DEPTH 32

typedef struct zip_tally {
    uint64_t entries, bytes;
} zip_tally;

/* Counts members and their declared uncompressed size, stopping early
 * once over the limits. */
static void tally_members(GsfInfile *dir, int depth, const aw_limits *limits, zip_tally *t)
{
    int n = gsf_infile_num_children(dir);
    for (int i = 0; i < n && t->entries <= limits->max_zip_entries; i++) {
        GsfInput *child = gsf_infile_child_by_index(dir, i);
        if (child == NULL)
            continue;
        if (GSF_IS_INFILE(child) && gsf_infile_num_children(GSF_INFILE(child)) >= 0 &&
            depth < ZIP_MAX_DEPTH)
            tally_members(GSF_INFILE(child), depth + 1, limits, t);
        else
            t->entries++, t->bytes += (uint64_t)gsf_input_size(child);
        g_object_unref(child);
    }
}

static int check_zip_limits(const aw_ctx *ctx, aw_office *doc, aw_error *err)
{
    const aw_limits *limits = &ctx->config->limits;
    zip_tally t = {0};
    tally_members(doc->root, 0, limits, &t);
    uint64_t packed = (uint64_t)gsf_input_size(doc->input);
    if (t.entries > limits->max_zip_entries)
        return aw_error_set(err, AW_CODE_FILE_TOO_LARGE, "zip_limit",
                            "the package has more than %u members", limits->max_zip_entries);
    if (t.bytes > limits->max_zip_bytes)
        return aw_error_set(err, AW_CODE_FILE_TOO_LARGE, "zip_limit",
                            "the package unpacks to %llu bytes, over the limit of %llu",
                            (unsigned long long)t.bytes, (unsigned long long)limits->max_zip_bytes);
    if (packed > 0 && t.bytes / packed > limits->max_zip_ratio)
        return aw_error_set(err, AW_CODE_FILE_TOO_LARGE, "zip_limit",
                            "the package unpacks to %llu times its size (limit %u): a ZIP bomb",
                            (unsigned long long)(t.bytes / packed), limits->max_zip_ratio);
    if (t.entries == 0)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "corrupt", "the package is empty");
    return AW_OK;
}

static bool starts_with_ole2_signature(GsfInput *input)
{
    static const guint8 signature[8] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};
    const guint8 *head = gsf_input_size(input) >= 8 ? gsf_input_read(input, 8, NULL) : NULL;
    bool ole2 = head != NULL && memcmp(head, signature, 8) == 0;
    gsf_input_seek(input, 0, G_SEEK_SET);
    return ole2;
}

/* An OOXML file protected with a password is an OLE2 file holding the
 * encrypted package (MS-OFFCRYPTO). */
static bool is_encrypted_package(aw_office *doc)
{
    GsfInput *package = gsf_infile_child_by_name(doc->root, "EncryptedPackage");
    if (package != NULL)
        g_object_unref(package);
    return package != NULL;
}

static int open_container(const aw_ctx *ctx, aw_office *doc, aw_error *err)
{
    GError *gerr = NULL;
    doc->ole2 = starts_with_ole2_signature(doc->input);
    doc->root = doc->ole2 ? gsf_infile_msole_new(doc->input, &gerr)
                          : gsf_infile_zip_new(doc->input, &gerr);
    if (doc->root == NULL && !doc->ole2) /* central directory damaged? (zip_salvage.c) */
        doc->root = aw_zip_salvage(ctx->input_path, &ctx->config->limits);
    if (doc->root == NULL) {
        aw_error_set(err, AW_CODE_PROCESSING_FAILED, "corrupt", "cannot read the %s container: %s",
                     doc->ole2 ? "OLE2" : "ZIP", gerr ? gerr->message : "unknown error");
        g_clear_error(&gerr);
        return AW_ERROR;
    }
    g_clear_error(&gerr);
    if (doc->ole2 && is_encrypted_package(doc))
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "encrypted",
                            "the document is password-protected (encrypted OOXML package)");
    return doc->ole2 ? AW_OK : check_zip_limits(ctx, doc, err);
}

int aw_office_open(const aw_ctx *ctx, aw_office *doc, aw_error *err)
{
    GError *gerr = NULL;
    *doc = (aw_office){0};
    doc->input = gsf_input_stdio_new(ctx->input_path, &gerr);
    if (doc->input == NULL) {
        aw_error_set(err, AW_CODE_STORAGE_ERROR, "unreadable", "cannot open the file: %s",
                     gerr ? gerr->message : "unknown error");
        g_clear_error(&gerr);
        return AW_ERROR;
    }
    if (open_container(ctx, doc, err) != AW_OK) {
        aw_office_close(doc);
        return AW_ERROR;
    }
    return AW_OK;
}

void aw_office_close(aw_office *doc)
{
    g_clear_object(&doc->root);
    g_clear_object(&doc->input);
}

/* The member at a "/"-separated path. */
static GsfInput *member(GsfInfile *root, const char *path)
{
    gchar **parts = g_strsplit(path, "/", 8);
    GsfInput *at = GSF_INPUT(g_object_ref(root));
    for (int i = 0; parts[i] != NULL && at != NULL; i++) {
        GsfInput *next = GSF_IS_INFILE(at) ? gsf_infile_child_by_name(GSF_INFILE(at), parts[i])
                                           : NULL;
        g_object_unref(at);
        at = next;
    }
    g_strfreev(parts);
    return at;
}

GBytes *aw_office_read(aw_office *doc, const char *path, size_t max)
{
    GsfInput *in = member(doc->root, path);
    if (in == NULL)
        return NULL;
    gsf_off_t size = gsf_input_size(in);
    GBytes *bytes = NULL;
    if (size > 0 && (uint64_t)size <= max) {
        guint8 *buf = g_malloc((size_t)size);
        if (gsf_input_read(in, (size_t)size, buf) != NULL)
            bytes = g_bytes_new_take(buf, (size_t)size);
        else
            g_free(buf);
    }
    g_object_unref(in);
    return bytes;
}
