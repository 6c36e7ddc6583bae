/* office_ooxml.c — OOXML document properties: docProps/core.xml (Dublin
 * Core: title, creator, subject, keywords, dates) and docProps/app.xml
 * (application, pages, slides, words), parsed by libxml2 with the network
 * off and entities left unexpanded. */
#include "jsonutil.h"
#include "office.h"
#include "zip_salvage.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>

#define PROPS_MAX_BYTES (4u << 20)
#define PARSE_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

typedef struct field {
    const char *element; /* local name in core.xml / app.xml */
    const char *section, *key;
    bool number;
} field;

static const field core_fields[] = {
    {"title", "descriptive", "title", false},
    {"creator", "descriptive", "author", false},
    {"subject", "descriptive", "subject", false},
    {"keywords", "descriptive", "keywords", false},
    {"created", "extracted", "creationDate", false},
    {"modified", "extracted", "modificationDate", false},
    {"lastModifiedBy", "extracted", "lastModifiedBy", false},
};

static const field app_fields[] = {
    {"Application", "descriptive", "creator", false},
    {"Pages", "technical", "pageCount", true},
    {"Slides", "technical", "slideCount", true},
    {"Words", "technical", "wordCount", true},
};

static int set_field(aw_ctx *ctx, const field *f, const char *text)
{
    json_t *section = aw_result_section(ctx->result, f->section);
    if (!f->number)
        return aw_json_set_text(section, f->key, text);
    char *end = NULL;
    long n = strtol(text, &end, 10);
    if (end == text || n < 0)
        return 0;
    json_object_set_new(section, f->key, json_integer(n));
    return 1;
}

/* Each child element of the root whose local name is in `fields`. */
static int read_fields(aw_ctx *ctx, GBytes *xml, const field *fields, size_t count)
{
    gsize len = 0;
    const char *data = g_bytes_get_data(xml, &len);
    xmlDoc *doc = xmlReadMemory(data, (int)len, "props.xml", NULL, PARSE_OPTIONS);
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    int set = 0;
    for (xmlNode *n = root ? root->children : NULL; n != NULL; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        for (size_t i = 0; i < count; i++) {
            if (strcmp((const char *)n->name, fields[i].element) != 0)
                continue;
            xmlChar *text = xmlNodeGetContent(n);
            if (text != NULL && text[0] != '\0')
                set += set_field(ctx, &fields[i], (const char *)text);
            xmlFree(text);
        }
    }
    if (doc != NULL)
        xmlFreeDoc(doc);
    return set;
}

/* A package whose central directory is damaged: only its docProps parts
 * were found (zip_salvage.c); the rest is missing. */
static void report_salvage(aw_ctx *ctx)
{
    aw_error missing;
    aw_error_set(&missing, AW_CODE_PROCESSING_FAILED, "zip_directory",
                 "the ZIP central directory is damaged: the document properties were read from "
                 "the parts' own headers, the rest of the package is not read");
    aw_ctx_shortfall(ctx, &missing);
}

int aw_ooxml_properties(aw_ctx *ctx, aw_office *doc)
{
    int set = 0;
    if (aw_zip_is_salvaged(doc->root))
        report_salvage(ctx);
    GBytes *core = aw_office_read(doc, "docProps/core.xml", PROPS_MAX_BYTES);
    if (core != NULL) {
        set += read_fields(ctx, core, core_fields, sizeof core_fields / sizeof core_fields[0]);
        g_bytes_unref(core);
    }
    GBytes *app = aw_office_read(doc, "docProps/app.xml", PROPS_MAX_BYTES);
    if (app != NULL) {
        set += read_fields(ctx, app, app_fields, sizeof app_fields / sizeof app_fields[0]);
        g_bytes_unref(app);
    }
    return set;
}
