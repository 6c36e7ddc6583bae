/* xmp.c — XMP and SVG text metadata with libxml2. */
#include "xmp.h"

#include "jsonutil.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define NS_DC "http://purl.org/dc/elements/1.1/"
#define NS_XMP "http://ns.adobe.com/xap/1.0/"
#define PARSE_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

static bool is_element(const xmlNode *n, const char *ns, const char *name)
{
    return n->type == XML_ELEMENT_NODE && n->ns != NULL &&
           strcmp((const char *)n->ns->href, ns) == 0 && strcmp((const char *)n->name, name) == 0;
}

/* Appends the text of every rdf:li under n (or n's own text when it has
 * none) to buf, separated by sep; with first_only, just the first one. */
static void collect_items(const xmlNode *n, const char *sep, bool first_only, char *buf,
                          size_t size)
{
    for (const xmlNode *c = n->children; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (strcmp((const char *)c->name, "li") == 0) {
            xmlChar *text = xmlNodeGetContent(c);
            size_t used = strlen(buf);
            if (text != NULL && text[0] != '\0')
                snprintf(buf + used, size - used, "%s%s", used ? sep : "", (const char *)text);
            xmlFree(text);
            if (first_only && buf[0] != '\0')
                return;
        } else {
            collect_items(c, sep, first_only, buf, size);
        }
    }
}

static int set_dc(json_t *obj, const char *key, const xmlNode *n, const char *sep, bool first_only)
{
    char buf[AW_JSON_TEXT_MAX] = "";
    collect_items(n, sep, first_only, buf, sizeof buf);
    if (buf[0] == '\0') {
        xmlChar *text = xmlNodeGetContent(n);
        if (text != NULL)
            snprintf(buf, sizeof buf, "%s", (const char *)text);
        xmlFree(text);
    }
    if (json_object_get(obj, key) != NULL)
        return 0;
    return aw_json_set_text(obj, key, buf);
}

/* xmp:CreateDate / xmp:ModifyDate, as elements or as attributes. */
static int set_xmp_date(json_t *extracted, const char *key, const xmlNode *n, const char *name)
{
    if (json_object_get(extracted, key) != NULL)
        return 0;
    xmlChar *v = NULL;
    if (is_element(n, NS_XMP, name))
        v = xmlNodeGetContent(n);
    else if (n->type == XML_ELEMENT_NODE)
        v = xmlGetNsProp(n, (const xmlChar *)name, (const xmlChar *)NS_XMP);
    int set = v != NULL && aw_json_set_text(extracted, key, (const char *)v);
    xmlFree(v);
    return set;
}

static int walk(const xmlNode *n, json_t *descriptive, json_t *extracted)
{
    int count = 0;
    for (; n != NULL; n = n->next) {
        if (is_element(n, NS_DC, "title"))
            count += set_dc(descriptive, "title", n, "", true);
        else if (is_element(n, NS_DC, "creator"))
            count += set_dc(descriptive, "creator", n, "; ", false);
        else if (is_element(n, NS_DC, "subject"))
            count += set_dc(descriptive, "keywords", n, ", ", false);
        else if (is_element(n, NS_DC, "description"))
            count += set_dc(descriptive, "subject", n, "", true);
        count += set_xmp_date(extracted, "creationDate", n, "CreateDate");
        count += set_xmp_date(extracted, "modificationDate", n, "ModifyDate");
        count += walk(n->children, descriptive, extracted);
    }
    return count;
}

int aw_xmp_extract(const void *packet, size_t len, json_t *descriptive, json_t *extracted)
{
    if (packet == NULL || len == 0 || len > (16u << 20))
        return 0;
    xmlDoc *doc = xmlReadMemory(packet, (int)len, "xmp.xml", NULL, PARSE_OPTIONS);
    if (doc == NULL)
        return 0;
    int n = walk(xmlDocGetRootElement(doc), descriptive, extracted);
    xmlFreeDoc(doc);
    return n;
}

int aw_xmp_svg_title(const char *path, json_t *descriptive)
{
    xmlDoc *doc = xmlReadFile(path, NULL, PARSE_OPTIONS);
    if (doc == NULL)
        return 0;
    int n = 0;
    xmlNode *root = xmlDocGetRootElement(doc);
    for (xmlNode *c = root ? root->children : NULL; c != NULL && n == 0; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "title") == 0) {
            xmlChar *text = xmlNodeGetContent(c);
            n = text != NULL && aw_json_set_text(descriptive, "title", (const char *)text);
            xmlFree(text);
        }
    }
    xmlFreeDoc(doc);
    return n;
}
