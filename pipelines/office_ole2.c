/* office_ole2.c — legacy Office document properties: the OLE2 property
 * set streams (SummaryInformation, DocumentSummaryInformation) read by
 * libgsf's MS-OLEPS reader. */
#include "jsonutil.h"
#include "office.h"

#include <gsf/gsf-doc-meta-data.h>
#include <gsf/gsf-meta-names.h>
#include <gsf/gsf-msole-utils.h>
#include <gsf/gsf-timestamp.h>

typedef struct property {
    const char *name; /* GSF_META_NAME_… */
    const char *section, *key;
} property;

static const property properties[] = {
    {GSF_META_NAME_TITLE, "descriptive", "title"},
    {GSF_META_NAME_CREATOR, "descriptive", "author"},
    {GSF_META_NAME_SUBJECT, "descriptive", "subject"},
    {GSF_META_NAME_KEYWORDS, "descriptive", "keywords"},
    {GSF_META_NAME_GENERATOR, "descriptive", "creator"},
    {GSF_META_NAME_DATE_CREATED, "extracted", "creationDate"},
    {GSF_META_NAME_DATE_MODIFIED, "extracted", "modificationDate"},
    {GSF_META_NAME_LAST_SAVED_BY, "extracted", "lastModifiedBy"},
    {GSF_META_NAME_PAGE_COUNT, "technical", "pageCount"},
    {GSF_META_NAME_SLIDE_COUNT, "technical", "slideCount"},
    {GSF_META_NAME_WORD_COUNT, "technical", "wordCount"},
};

/* One property value (string, timestamp or count) into the result. */
static int set_value(aw_ctx *ctx, const property *p, const GValue *v)
{
    json_t *section = aw_result_section(ctx->result, p->section);
    if (G_VALUE_HOLDS_STRING(v))
        return aw_json_set_text(section, p->key, g_value_get_string(v));
    if (VAL_IS_GSF_TIMESTAMP(v)) {
        char *when = gsf_timestamp_as_string(g_value_get_boxed(v));
        int set = aw_json_set_text(section, p->key, when);
        g_free(when);
        return set;
    }
    if (G_VALUE_HOLDS_INT(v) || G_VALUE_HOLDS_UINT(v)) {
        long n = G_VALUE_HOLDS_INT(v) ? g_value_get_int(v) : (long)g_value_get_uint(v);
        if (n < 0)
            return 0;
        json_object_set_new(section, p->key, json_integer(n));
        return 1;
    }
    return 0;
}

static void read_stream(aw_office *doc, const char *name, GsfDocMetaData *meta)
{
    GsfInput *stream = gsf_infile_child_by_name(doc->root, name);
    if (stream == NULL)
        return;
    GError *gerr = gsf_doc_meta_data_read_from_msole(meta, stream);
    g_clear_error(&gerr); /* a damaged property set: keep what was read */
    g_object_unref(stream);
}

int aw_ole2_properties(aw_ctx *ctx, aw_office *doc)
{
    GsfDocMetaData *meta = gsf_doc_meta_data_new();
    read_stream(doc, "\005SummaryInformation", meta);
    read_stream(doc, "\005DocumentSummaryInformation", meta);
    int set = 0;
    for (size_t i = 0; i < sizeof properties / sizeof properties[0]; i++) {
        GsfDocProp *prop = gsf_doc_meta_data_lookup(meta, properties[i].name);
        const GValue *v = prop ? gsf_doc_prop_get_val(prop) : NULL;
        if (v != NULL)
            set += set_value(ctx, &properties[i], v);
    }
    g_object_unref(meta);
    return set;
}
