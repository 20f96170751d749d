/* static.c - static assets (CSS, JS, icons, fonts) read into memory once at
 * start-up and served under /static/<name> with a strong ETag, a one-year
 * immutable cache (URLs carry ?v=<etag>) and a gzip copy made ahead of time.
 * Serving never touches the file system, so no path can escape the folder. */
#include "http.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define STATIC_MAX_FILE (16 * 1024 * 1024)
#define STATIC_MAX_FILES 4096

typedef struct {
    char *name;        /* "jouda.css" or "img/logo.svg" */
    char *url;         /* "/static/jouda.css?v=<etag>" */
    const char *type;
    char *data;
    size_t len;
    void *gz;          /* NULL when not compressible or not smaller */
    size_t gz_len;
    char etag[19];     /* "\"" 16 hex "\"" */
    bool compressible;
} asset_t;

static asset_t *g_assets;
static size_t g_nassets;

/* URLs handed out for names that are not loaded (kept for the process). */
typedef struct unknown_url {
    char *name;
    char *url;
    struct unknown_url *next;
} unknown_url_t;
static unknown_url_t *g_unknown;
static pthread_mutex_t g_unknown_mu = PTHREAD_MUTEX_INITIALIZER;

static const struct {
    const char *ext;
    const char *type;
    bool compressible;
} k_types[] = {
    {"css", "text/css; charset=utf-8", true},
    {"js", "text/javascript; charset=utf-8", true},
    {"mjs", "text/javascript; charset=utf-8", true},
    {"svg", "image/svg+xml", true},
    {"png", "image/png", false},
    {"jpg", "image/jpeg", false},
    {"jpeg", "image/jpeg", false},
    {"gif", "image/gif", false},
    {"webp", "image/webp", false},
    {"ico", "image/x-icon", false},
    {"woff2", "font/woff2", false},
    {"woff", "font/woff", false},
    {"txt", "text/plain; charset=utf-8", true},
    {"json", "application/json", true},
    {"map", "application/json", true},
};

static void type_for(const char *name, const char **type, bool *compressible)
{
    const char *dot = strrchr(name, '.');
    *type = "application/octet-stream";
    *compressible = false;
    if (!dot)
        return;
    for (size_t i = 0; i < ARRAY_LEN(k_types); i++)
        if (strcasecmp(dot + 1, k_types[i].ext) == 0) {
            *type = k_types[i].type;
            *compressible = k_types[i].compressible;
            return;
        }
}

static void asset_free(asset_t *a)
{
    free(a->name);
    free(a->url);
    free(a->data);
    free(a->gz);
}

static int add_asset(asset_t **list, size_t *n, size_t *cap, const char *path, const char *name)
{
    if (*n >= STATIC_MAX_FILES) {
        log_error("static: too many files, %s skipped", name);
        return 0;
    }
    asset_t a;
    memset(&a, 0, sizeof a);
    if (file_read_all(path, STATIC_MAX_FILE, &a.data, &a.len) != 0) {
        log_error("static: cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    a.name = xstrdup(name);
    type_for(name, &a.type, &a.compressible);
    unsigned char h[crypto_generichash_BYTES];
    crypto_generichash(h, sizeof h, (const unsigned char *)a.data, a.len, NULL, 0);
    char hex[crypto_generichash_BYTES * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(a.etag, sizeof a.etag, "\"%.16s\"", hex);
    a.url = xasprintf("/static/%s?v=%.16s", name, hex);
    if (a.compressible && a.len > 0) {
        void *gz;
        size_t gl;
        if (http_gzip(a.data, a.len, &gz, &gl) == 0) {
            if (gl < a.len) {
                a.gz = gz;
                a.gz_len = gl;
            } else {
                free(gz);
            }
        }
    }
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 32;
        *list = xrealloc(*list, *cap * sizeof **list);
    }
    (*list)[(*n)++] = a;
    return 0;
}

/* Reads the regular files of dir (prefix "" or "sub/"), descending one level. */
static int scan_dir(asset_t **list, size_t *n, size_t *cap, const char *dir, const char *prefix,
                    int depth)
{
    DIR *d = opendir(dir);
    if (!d) {
        log_error("static: cannot open %s: %s", dir, strerror(errno));
        return -1;
    }
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue; /* ".", "..", hidden files */
        char *path = xasprintf("%s/%s", dir, e->d_name);
        char *name = xasprintf("%s%s", prefix, e->d_name);
        struct stat st;
        if (stat(path, &st) == 0) {
            if (S_ISREG(st.st_mode)) {
                if (add_asset(list, n, cap, path, name) != 0)
                    rc = -1;
            } else if (S_ISDIR(st.st_mode) && depth == 0) {
                char *sub = xasprintf("%s/", name);
                if (scan_dir(list, n, cap, path, sub, depth + 1) != 0)
                    rc = -1;
                free(sub);
            }
        }
        free(path);
        free(name);
    }
    closedir(d);
    return rc;
}

static int asset_cmp(const void *a, const void *b)
{
    return strcmp(((const asset_t *)a)->name, ((const asset_t *)b)->name);
}

int http_static_load(const char *dir)
{
    if (sodium_init() < 0)
        return -1;
    asset_t *list = NULL;
    size_t n = 0, cap = 0;
    if (scan_dir(&list, &n, &cap, dir, "", 0) != 0) {
        for (size_t i = 0; i < n; i++)
            asset_free(&list[i]);
        free(list);
        return -1;
    }
    if (n)
        qsort(list, n, sizeof *list, asset_cmp);
    /* Loaded before the server starts; a reload replaces the table. */
    for (size_t i = 0; i < g_nassets; i++)
        asset_free(&g_assets[i]);
    free(g_assets);
    g_assets = list;
    g_nassets = n;
    return 0;
}

static const asset_t *find_asset(const char *name)
{
    asset_t key;
    key.name = (char *)name;
    if (!g_nassets)
        return NULL;
    return bsearch(&key, g_assets, g_nassets, sizeof *g_assets, asset_cmp);
}

/* If-None-Match: "*" or a list of (possibly weak) tags; weak comparison. */
static bool etag_matches(const char *inm, const char *etag)
{
    const char *p = inm;
    size_t elen = strlen(etag);
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (!*p)
            break;
        if (*p == '*')
            return true;
        if (p[0] == 'W' && p[1] == '/')
            p += 2;
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (len == elen && memcmp(p, etag, elen) == 0)
            return true;
        if (!end)
            break;
        p = end + 1;
    }
    return false;
}

bool http_static_serve(http_req_t *r)
{
    if (!r->path || strncmp(r->path, "/static/", 8) != 0)
        return false;
    if (!r->method || strcmp(http_route_method(r->method), "GET") != 0)
        return false;
    const asset_t *a = find_asset(r->path + 8);
    r->resp_no_gzip = true;
    if (!a) {
        static const char nf[] = "Not found\n";
        http_respond_static(r, 404, "text/plain; charset=utf-8", nf, sizeof nf - 1);
        return true;
    }
    if (r->if_none_match && etag_matches(r->if_none_match, a->etag)) {
        http_respond_static(r, 304, NULL, NULL, 0);
    } else if (a->gz && http_accepts_gzip(r->accept_encoding)) {
        http_respond_static(r, 200, a->type, a->gz, a->gz_len);
        http_add_header(r, "Content-Encoding", "gzip");
    } else {
        http_respond_static(r, 200, a->type, a->data, a->len);
    }
    http_add_header(r, "Cache-Control", "public, max-age=31536000, immutable");
    http_add_header(r, "ETag", a->etag);
    if (a->gz)
        http_add_header(r, "Vary", "Accept-Encoding");
    return true;
}

const char *http_static_url(const char *name)
{
    const asset_t *a = find_asset(name);
    if (a)
        return a->url;
    /* Not loaded: still a usable URL (it will 404), kept for the process. */
    pthread_mutex_lock(&g_unknown_mu);
    unknown_url_t *u;
    for (u = g_unknown; u; u = u->next)
        if (strcmp(u->name, name) == 0)
            break;
    if (!u) {
        u = xcalloc(1, sizeof *u);
        u->name = xstrdup(name);
        u->url = xasprintf("/static/%s", name);
        u->next = g_unknown;
        g_unknown = u;
        log_error("static: %s is not loaded", name);
    }
    pthread_mutex_unlock(&g_unknown_mu);
    return u->url;
}
