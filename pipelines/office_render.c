/* office_render.c — an executor's side of the office process. */
#define _GNU_SOURCE
#include "office_render.h"

#include "fd_pass.h"
#include "log.h"

#include <fcntl.h>
#include <jansson.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int office_socket = -1;
/* The office process went away (it is started again): this executor
 * cannot reach the next one, since its sandbox refuses sockets, so it
 * ends as a crash does and the supervisor gives the job to a fresh
 * executor, which connects to the successor. */
static void office_process_lost(void)
{
    _exit(AW_OFFICE_LOST_EXIT);
}

static const char *(*on_demand)(void *arg);
static void *on_demand_arg;

void aw_office_render_on_demand(const char *(*start_office)(void *arg), void *arg)
{
    on_demand = start_office, on_demand_arg = arg;
}

bool aw_office_render_connect(const char *socket_path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (socket_path == NULL || socket_path[0] == '\0' ||
        strlen(socket_path) >= sizeof addr.sun_path)
        return false;
    memcpy(addr.sun_path, socket_path, strlen(socket_path) + 1);
    int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (s < 0)
        return false;
    if (connect(s, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(s);
        return false;
    }
    office_socket = s;
    return true;
}

/* The extension LibreOffice is told the document has: the sniffed type's
 * first one (its filter detection reads the content too). */
static const char *extension_of(const aw_ctx *ctx)
{
    static char ext[16];
    const aw_media_type *m = ctx->result->media;
    const char *list = m != NULL ? m->extensions : "docx";
    size_t n = strcspn(list, " ");
    snprintf(ext, sizeof ext, "%.*s", (int)(n < sizeof ext ? n : sizeof ext - 1), list);
    return ext;
}

/* The kind of document the format promises: a word-processing file is a
 * text document, and so on. */
static const char *kind_of(const char *ext)
{
    static const char *const kinds[][2] = {
        {"doc docx docm odt", "text"},
        {"xls xlsx xlsm ods", "spreadsheet"},
        {"ppt pptx pptm odp", "presentation"},
    };
    for (size_t i = 0; i < 3; i++) {
        const char *list = kinds[i][0];
        for (const char *p = strstr(list, ext); p != NULL; p = strstr(p + 1, ext))
            if ((p == list || p[-1] == ' ') && (p[strlen(ext)] == ' ' || p[strlen(ext)] == '\0'))
                return kinds[i][1];
    }
    return "";
}

static int send_request(const aw_ctx *ctx, int box, aw_error *err)
{
    int doc = open(ctx->input_path, O_RDONLY | O_CLOEXEC);
    if (doc < 0)
        return aw_error_set(err, AW_CODE_STORAGE_ERROR, "unreadable", "cannot open the document");
    char request[160];
    const char *ext = extension_of(ctx);
    int n = snprintf(request, sizeof request, "{\"ext\":\"%s\",\"kind\":\"%s\",\"box\":%d}", ext,
                     kind_of(ext), box);
    int rc = aw_fd_send(office_socket, request, (size_t)n, doc);
    close(doc);
    if (rc != 0)
        office_process_lost();
    return AW_OK;
}

/* BGRA with premultiplied alpha, flattened on white, as packed RGB. */
static VipsImage *flatten_on_white(const uint8_t *bgra, int width, int height)
{
    size_t pixels = (size_t)width * (size_t)height;
    uint8_t *rgb = g_malloc(pixels * 3);
    for (size_t i = 0; i < pixels; i++) {
        const uint8_t *p = bgra + i * 4;
        uint8_t white = (uint8_t)(255 - p[3]);
        rgb[i * 3] = (uint8_t)(p[2] + white);
        rgb[i * 3 + 1] = (uint8_t)(p[1] + white);
        rgb[i * 3 + 2] = (uint8_t)(p[0] + white);
    }
    VipsImage *image = vips_image_new_from_memory_copy(rgb, pixels * 3, width, height, 3,
                                                       VIPS_FORMAT_UCHAR);
    g_free(rgb);
    if (image != NULL)
        image->Type = VIPS_INTERPRETATION_sRGB;
    return image;
}

/* The page from the reply's memfd, checked against the size it claims. */
static int take_pixels(json_t *reply, int memfd, aw_office_page *page, aw_error *err)
{
    int width = (int)json_integer_value(json_object_get(reply, "width"));
    int height = (int)json_integer_value(json_object_get(reply, "height"));
    size_t bytes = (size_t)width * (size_t)height * 4;
    struct stat st;
    if (width < 1 || height < 1 || width > AW_OFFICE_PAGE_MAX || height > AW_OFFICE_PAGE_MAX ||
        memfd < 0 || fstat(memfd, &st) != 0 || (size_t)st.st_size < bytes)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "render",
                            "the office process sent no usable page");
    void *map = mmap(NULL, bytes, PROT_READ, MAP_PRIVATE, memfd, 0);
    if (map == MAP_FAILED)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "memory", "cannot map the page");
    page->image = flatten_on_white(map, width, height);
    munmap(map, bytes);
    if (page->image == NULL)
        return aw_error_set(err, AW_CODE_PROCESSING_FAILED, "memory", "cannot hold the page");
    page->parts = (int)json_integer_value(json_object_get(reply, "parts"));
    snprintf(page->kind, sizeof page->kind, "%s",
             json_string_value(json_object_get(reply, "kind")) ?: "");
    return AW_OK;
}

/* The office process's reason; one without LibreOffice is no error: the
 * thumbnail the writer embedded stands in, as without an office process. */
static int refused(json_t *reply, aw_error *err)
{
    const char *reason = json_string_value(json_object_get(reply, "reason"));
    const char *message = json_string_value(json_object_get(reply, "message"));
    if (reason != NULL && strcmp(reason, "office_unavailable") == 0) {
        aw_log_warn("office: %s; the embedded thumbnail stands in", message ? message : reason);
        return AW_DECLINED;
    }
    const char *code = json_string_value(json_object_get(reply, "code"));
    aw_code c = code != NULL ? aw_code_from_name(code) : AW_CODE_NONE;
    return aw_error_set(err, c != AW_CODE_NONE ? c : AW_CODE_PROCESSING_FAILED,
                        reason != NULL ? reason : "render", "%s",
                        json_string_value(json_object_get(reply, "message")) ?: "not rendered");
}

int aw_office_render_page(const aw_ctx *ctx, int box, aw_office_page *page, aw_error *err)
{
    memset(page, 0, sizeof *page);
    if (office_socket < 0 && on_demand != NULL) {
        aw_office_render_connect(on_demand(on_demand_arg)); /* once: none stays none */
        on_demand = NULL;
    }
    if (office_socket < 0)
        return AW_DECLINED;
    if (send_request(ctx, box, err) != AW_OK)
        return AW_ERROR;
    char text[AW_OFFICE_MESSAGE_MAX];
    int memfd = -1;
    ssize_t n = aw_fd_recv(office_socket, text, sizeof text, &memfd);
    if (n <= 0)
        office_process_lost();
    json_t *reply = json_loads(text, 0, NULL);
    int rc = json_is_true(json_object_get(reply, "ok")) ? take_pixels(reply, memfd, page, err)
                                                        : refused(reply, err);
    if (memfd >= 0)
        close(memfd);
    json_decref(reply);
    return rc;
}

void aw_office_page_clear(aw_office_page *page)
{
    if (page->image != NULL)
        g_object_unref(page->image);
    memset(page, 0, sizeof *page);
}
