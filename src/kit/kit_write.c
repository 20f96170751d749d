/* kit_write.c - writing a transfer kit into memory: every item's JSON
 * document as "<type>/<code>/v<version>/item.json" (canonical bytes: keys
 * sorted, two-space indentation) and its files beside it, the manifest
 * listing them with their sizes and SHA-256, and the Ed25519 signature of
 * the manifest's exact bytes when a secret key is given. What it writes
 * stays within the reader's limits (kit_read.c), so that a kit this
 * instance exports is a kit every instance reads. Pure: no database. */
#include "kit_internal.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

static bool fail(kit_error_t *err, const char *code, const char *msgid, const char *arg)
{
    err->code = code;
    err->msgid = msgid;
    err->arg = arg;
    return false;
}

char *kit_item_json(const json_t *doc, size_t *len)
{
    char *s = json_dumps(doc, JSON_SORT_KEYS | JSON_INDENT(2));
    if (!s)
        s = xstrdup("{}");
    *len = strlen(s);
    return s;
}

typedef struct {
    zip_t *za;
    int64_t mtime;
    size_t entries;
    uint64_t total;
    bool store_all;  /* every entry stored (the second try: see kit_write) */
    char **keep;     /* bytes libzip reads at zip_close: freed after */
    size_t n_keep, cap_keep;
} writer_t;

static void keep(writer_t *w, char *p)
{
    if (w->n_keep == w->cap_keep) {
        w->cap_keep = w->cap_keep ? 2 * w->cap_keep : 64;
        w->keep = xrealloc(w->keep, w->cap_keep * sizeof *w->keep);
    }
    w->keep[w->n_keep++] = p;
}

/* Add one entry (data stays valid until zip_close). Small entries are
 * deflated; those beyond the reader's ratio floor are stored, so that no
 * entry of a kit looks like a zip bomb whatever its bytes. */
static bool add(writer_t *w, const char *name, const void *data, size_t len, kit_error_t *err)
{
    if (++w->entries > KIT_MAX_ENTRIES)
        return fail(err, "kit_too_large", N_("The kit would hold too many entries (5,000 at most)."),
                    NULL);
    if (len > KIT_MAX_ENTRY)
        return fail(err, "kit_too_large", N_("An item of the kit is too large (16 MB at most)."),
                    name);
    if (len > KIT_MAX_TOTAL - w->total)
        return fail(err, "kit_too_large", N_("The kit would be too large (256 MB at most)."), NULL);
    w->total += len;
    zip_source_t *s = zip_source_buffer(w->za, data, len, 0);
    if (!s)
        return fail(err, "kit_invalid", N_("The kit cannot be written."), NULL);
    zip_int64_t i = zip_file_add(w->za, name, s, ZIP_FL_ENC_UTF_8);
    if (i < 0) {
        zip_source_free(s);
        return fail(err, "kit_invalid", N_("The kit cannot be written."), NULL);
    }
    zip_set_file_compression(w->za, (zip_uint64_t)i,
                             w->store_all || len > KIT_RATIO_FLOOR ? ZIP_CM_STORE : ZIP_CM_DEFLATE,
                             0);
    zip_file_set_mtime(w->za, (zip_uint64_t)i, (time_t)w->mtime, 0);
    return true;
}

static json_t *sum_json(const void *data, size_t len)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[2 * crypto_hash_sha256_BYTES + 1];
    crypto_hash_sha256(h, data, len);
    kit_hex(h, sizeof h, hex);
    return json_string(hex);
}

static bool item_ok(arena_t *a, const app_kit_item_t *it, kit_error_t *err)
{
    if (!kit_type_ok(it->type) || !kit_code_ok(it->code) || it->version < 1 ||
        it->version > 1000000000 || !it->doc || !json_is_object(it->doc))
        return fail(err, "kit_invalid", N_("An item cannot be put in a kit (%s)."),
                    arena_printf(a, "%s/%s", it->type ? it->type : "?", it->code ? it->code : "?"));
    for (size_t k = 0; k < it->n_files; k++) {
        if (!kit_fname_ok(it->files[k].name) || str_eq(it->files[k].name, "item.json"))
            return fail(err, "kit_invalid", N_("An item cannot be put in a kit (%s)."),
                        it->files[k].name ? it->files[k].name : "?");
        for (size_t q = 0; q < k; q++)
            if (str_eq(it->files[q].name, it->files[k].name))
                return fail(err, "kit_invalid", N_("An item cannot be put in a kit (%s)."),
                            it->files[k].name);
    }
    if (it->n_files > KIT_MAX_FILES)
        return fail(err, "kit_too_large", N_("An item of the kit has too many files (100 at most)."),
                    NULL);
    return true;
}

static bool write_items(arena_t *a, writer_t *w, const app_kit_item_t *items, size_t n,
                        json_t *contents, kit_error_t *err)
{
    for (size_t i = 0; i < n; i++) {
        const app_kit_item_t *it = &items[i];
        if (!item_ok(a, it, err))
            return false;
        for (size_t q = 0; q < i; q++)
            if (str_eq(items[q].type, it->type) && str_eq(items[q].code, it->code) &&
                items[q].version == it->version)
                return fail(err, "kit_invalid", N_("An item cannot be put in a kit (%s)."),
                            arena_printf(a, "%s/%s", it->type, it->code));
        const char *dir = kit_item_dir(a, it->type, it->code, it->version);
        const char *path = arena_printf(a, "%sitem.json", dir);
        size_t len = 0;
        char *bytes = kit_item_json(it->doc, &len);
        keep(w, bytes);
        if (!add(w, path, bytes, len, err))
            return false;
        const char *title = it->title && *it->title ? it->title : it->code;
        if (utf8_count(title) > KIT_MAX_TITLE)
            title = it->code;
        json_t *c = json_object();
        json_object_set_new(c, "type", json_string(it->type));
        json_object_set_new(c, "code", json_string(it->code));
        json_object_set_new(c, "version", json_integer(it->version));
        json_object_set_new(c, "title", json_string(title));
        json_object_set_new(c, "lang", json_string(it->lang ? it->lang : ""));
        json_object_set_new(c, "path", json_string(path));
        json_object_set_new(c, "sha256", sum_json(bytes, len));
        json_object_set_new(c, "size", json_integer((json_int_t)len));
        json_t *files = json_array();
        for (size_t k = 0; k < it->n_files; k++) {
            const app_kit_file_t *f = &it->files[k];
            const char *fpath = arena_printf(a, "%s%s", dir, f->name);
            if (!add(w, fpath, f->data ? (const void *)f->data : "", f->len, err)) {
                json_decref(files);
                json_decref(c);
                return false;
            }
            json_array_append_new(files, json_pack("{s:s, s:s, s:o, s:I}", "name", f->name, "path",
                                                   fpath, "sha256", sum_json(f->data ? (const void *)f->data : "", f->len),
                                                   "size", (json_int_t)f->len));
        }
        json_object_set_new(c, "files", files);
        json_array_append_new(contents, c);
    }
    return true;
}

/* The bytes written into the in-memory source, malloc'd. */
static bool source_bytes(zip_source_t *src, void **out, size_t *len)
{
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_source_stat(src, &st) != 0 || !(st.valid & ZIP_STAT_SIZE) || st.size > KIT_MAX_ZIP)
        return false;
    if (zip_source_open(src) != 0)
        return false;
    unsigned char *buf = xmalloc(st.size ? (size_t)st.size : 1);
    zip_int64_t got = zip_source_read(src, buf, st.size);
    zip_source_close(src);
    if (got < 0 || (zip_uint64_t)got != st.size) {
        free(buf);
        return false;
    }
    *out = buf;
    *len = (size_t)st.size;
    return true;
}

static bool write_once(const app_kit_item_t *items, size_t n, const char *producer,
                       int64_t created_at, const unsigned char *sk, bool store_all, void **zip,
                       size_t *len, uint64_t *total, kit_error_t *err)
{
    memset(err, 0, sizeof *err);
    *zip = NULL;
    *len = 0;
    if (sodium_init() < 0)
        return fail(err, "kit_invalid", N_("The kit cannot be written."), NULL);
    arena_t *a = arena_new();
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
    zip_t *za = src ? zip_open_from_source(src, ZIP_TRUNCATE, &ze) : NULL;
    zip_error_fini(&ze);
    if (!za) {
        if (src)
            zip_source_free(src);
        arena_free(a);
        return fail(err, "kit_invalid", N_("The kit cannot be written."), NULL);
    }
    zip_source_keep(src); /* read back after zip_close */
    writer_t w = {.za = za, .mtime = created_at, .store_all = store_all};
    char iso[40];
    format_iso_utc(created_at, iso, sizeof iso);
    json_t *m = json_object();
    json_object_set_new(m, "format", json_string(KIT_FORMAT));
    json_object_set_new(m, "producer", json_string(producer && *producer ? producer : "Jouda"));
    json_object_set_new(m, "created_at", json_string(iso));
    unsigned char pk[KIT_PK_BYTES];
    if (sk) {
        crypto_sign_ed25519_sk_to_pk(pk, sk);
        json_object_set_new(m, "public_key", json_string(kit_pk_b64(a, pk)));
    } else {
        json_object_set_new(m, "public_key", json_null());
    }
    json_t *contents = json_array();
    json_object_set_new(m, "contents", contents);
    bool ok = write_items(a, &w, items, n, contents, err);
    if (ok) {
        char *man = json_dumps(m, JSON_INDENT(2));
        size_t mlen = man ? strlen(man) : 0;
        if (!man || mlen > KIT_MAX_MANIFEST) {
            free(man);
            ok = fail(err, "kit_too_large", N_("The kit would be too large (256 MB at most)."), NULL);
        } else {
            keep(&w, man);
            ok = add(&w, "manifest.json", man, mlen, err);
            if (ok && sk) {
                unsigned char *sig = xmalloc(KIT_SIG_BYTES);
                crypto_sign_detached(sig, NULL, (const unsigned char *)man, mlen, sk);
                keep(&w, (char *)sig);
                ok = add(&w, "manifest.sig", sig, KIT_SIG_BYTES, err);
            }
        }
    }
    json_decref(m);
    if (ok && zip_close(za) != 0) {
        zip_discard(za);
        ok = fail(err, "kit_invalid", N_("The kit cannot be written."), NULL);
    } else if (!ok) {
        zip_discard(za);
    }
    if (ok && !source_bytes(src, zip, len))
        ok = fail(err, "kit_too_large", N_("The kit would be too large (64 MB at most)."), NULL);
    zip_source_free(src);
    for (size_t i = 0; i < w.n_keep; i++)
        free(w.keep[i]);
    free(w.keep);
    arena_free(a);
    *total = w.total;
    return ok;
}

bool kit_write(const app_kit_item_t *items, size_t n, const char *producer, int64_t created_at,
               const unsigned char *sk, void **zip, size_t *len, kit_error_t *err)
{
    uint64_t total = 0;
    if (!write_once(items, n, producer, created_at, sk, false, zip, len, &total, err))
        return false;
    if (total <= kit_total_limit(*len))
        return true;
    /* packed so well that the reader would take it for a zip bomb (many
     * small entries of repeated bytes): written again, every entry stored */
    free(*zip);
    *zip = NULL;
    *len = 0;
    return write_once(items, n, producer, created_at, sk, true, zip, len, &total, err);
}
