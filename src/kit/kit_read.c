/* kit_read.c - reading a transfer kit from memory, never unpacking it to
 * disk: libzip over the bytes, every limit checked before and while reading
 * (the zip's size, the number of entries, each entry's declared and actual
 * size, the total - also against the zip's own length -, the ratio of
 * unpacked to packed bytes), names limited to
 * the kit's layout, the manifest read as JSON within limits, every entry
 * listed in the manifest and every listed entry present with its size and
 * SHA-256, and the Ed25519 signature of the manifest when there is one.
 * Pure: no database, no global state but libsodium's initialisation; the
 * decision to trust a key is the caller's. Fuzzed (fuzz/fuzz_kit.c). */
#include "kit_internal.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

/* --- Shapes ----------------------------------------------------------------- */

static bool chars_in(const char *s, size_t min, size_t max, const char *extra, bool upper,
                     bool digits)
{
    size_t n = s ? strlen(s) : 0;
    if (n < min || n > max)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (upper && c >= 'A' && c <= 'Z') ||
                  (digits && c >= '0' && c <= '9') || (c && strchr(extra, c));
        if (!ok)
            return false;
    }
    return true;
}

bool kit_type_ok(const char *s)
{
    return chars_in(s, 1, 40, "_", false, false);
}

bool kit_code_ok(const char *s)
{
    return chars_in(s, 1, 60, "._-", false, true) && s[0] != '.' && strcmp(s, "..") != 0;
}

bool kit_fname_ok(const char *s)
{
    return chars_in(s, 1, 100, "._-", true, true) && s[0] != '.';
}

const char *kit_item_dir(arena_t *a, const char *type, const char *code, int64_t version)
{
    return arena_printf(a, "%s/%s/v%lld/", type, code, (long long)version);
}

void kit_hex(const unsigned char *in, size_t n, char *out)
{
    sodium_bin2hex(out, 2 * n + 1, in, n);
}

const char *kit_pk_b64(arena_t *a, const unsigned char pk[KIT_PK_BYTES])
{
    char *out = arena_alloc(a, KIT_PK_B64_MAX);
    sodium_bin2base64(out, KIT_PK_B64_MAX, pk, KIT_PK_BYTES, sodium_base64_VARIANT_ORIGINAL);
    return out;
}

bool kit_pk_parse(const char *b64, unsigned char pk[KIT_PK_BYTES])
{
    size_t n = 0;
    const char *end = NULL;
    if (!b64 || strlen(b64) != 44)
        return false;
    if (sodium_base642bin(pk, KIT_PK_BYTES, b64, strlen(b64), NULL, &n, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        n != KIT_PK_BYTES || !end || *end)
        return false;
    return true;
}

/* --- Errors ----------------------------------------------------------------- */

static bool fail(kit_error_t *err, const char *code, const char *msgid, const char *arg)
{
    err->code = code;
    err->msgid = msgid;
    err->arg = arg;
    return false;
}

#define E_INVALID "kit_invalid"
#define E_LARGE "kit_too_large"
#define E_TAMPERED "kit_tampered"

/* --- Names ------------------------------------------------------------------- */

/* Unsafe whatever the layout: empty, absolute, a backslash, a control
 * character, a ".." component, too long. */
static bool name_unsafe(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 300 || s[0] == '/')
        return true;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f || c == '\\' || c == ':')
            return true;
    }
    for (const char *c = s; *c;) {
        size_t k = strcspn(c, "/");
        if (k == 2 && c[0] == '.' && c[1] == '.')
            return true;
        c += k;
        if (*c)
            c++;
    }
    return false;
}

/* "v<version>" with version 1..1e9 written without leading zero. */
static bool version_part(const char *s, size_t n, int64_t *v)
{
    if (n < 2 || n > 11 || s[0] != 'v' || s[1] == '0')
        return false;
    int64_t x = 0;
    for (size_t i = 1; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        x = x * 10 + (s[i] - '0');
    }
    if (x < 1 || x > 1000000000)
        return false;
    *v = x;
    return true;
}

/* The layout: manifest.json, manifest.sig, "<type>/<code>/v<n>/<file>". */
static bool name_in_layout(arena_t *a, const char *s)
{
    if (strcmp(s, "manifest.json") == 0 || strcmp(s, "manifest.sig") == 0)
        return true;
    const char *p[4];
    size_t len[4];
    const char *c = s;
    for (int i = 0; i < 4; i++) {
        p[i] = c;
        len[i] = strcspn(c, "/");
        c += len[i];
        if (i < 3) {
            if (*c != '/')
                return false;
            c++;
        } else if (*c) {
            return false;
        }
    }
    int64_t v;
    return kit_type_ok(arena_strndup(a, p[0], len[0])) &&
           kit_code_ok(arena_strndup(a, p[1], len[1])) && version_part(p[2], len[2], &v) &&
           kit_fname_ok(arena_strndup(a, p[3], len[3]));
}

/* --- Entries ------------------------------------------------------------------ */

typedef struct {
    const char *name;
    zip_uint64_t index;
    zip_uint64_t size, comp_size;
    unsigned char *data;
    size_t len;
    bool used;
} entry_t;

static int entry_cmp(const void *x, const void *y)
{
    return strcmp(((const entry_t *)x)->name, ((const entry_t *)y)->name);
}

static entry_t *entry_find(entry_t *e, size_t n, const char *name)
{
    entry_t key = {.name = name};
    return bsearch(&key, e, n, sizeof *e, entry_cmp);
}

/* Read one entry, at most its declared size + 1 bytes (and never more than
 * the limit + 1): more than declared is a lie (a bomb). */
static bool entry_read(arena_t *a, zip_t *za, entry_t *e, kit_error_t *err)
{
    size_t cap = (size_t)e->size + 1;
    e->data = arena_alloc(a, cap + 1);
    zip_file_t *f = zip_fopen_index(za, e->index, 0);
    if (!f)
        return fail(err, E_INVALID, N_("The kit's entry %s cannot be read."), e->name);
    size_t got = 0;
    bool ok = true;
    while (got < cap) {
        zip_int64_t n = zip_fread(f, e->data + got, cap - got);
        if (n < 0) {
            ok = false;
            break;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    zip_fclose(f);
    if (!ok)
        return fail(err, E_INVALID, N_("The kit's entry %s cannot be read."), e->name);
    if (got != e->size)
        return fail(err, E_LARGE,
                    N_("The kit's entry %s unpacks to another size than it declares: it is refused."),
                    e->name);
    if (got > KIT_RATIO_FLOOR && got / (e->comp_size ? e->comp_size : 1) > KIT_MAX_RATIO)
        return fail(err, E_LARGE,
                    N_("The kit's entry %s unpacks to far more than its packed size (a zip bomb)."),
                    e->name);
    e->data[got] = 0;
    e->len = got;
    return true;
}

/* Directory and sizes of every entry, before anything is unpacked. */
static bool entries_list(arena_t *a, zip_t *za, size_t zip_len, entry_t **out, size_t *n_out,
                         kit_error_t *err)
{
    /* every entry together: no more than the zip's own length allows (many
     * entries each under the ratio floor would otherwise add up) */
    uint64_t limit = kit_total_limit(zip_len);
    zip_int64_t count = zip_get_num_entries(za, 0);
    if (count <= 0)
        return fail(err, E_INVALID, N_("The kit is empty."), NULL);
    if (count > KIT_MAX_ENTRIES)
        return fail(err, E_LARGE, N_("The kit holds too many entries (5,000 at most)."), NULL);
    entry_t *e = arena_alloc(a, (size_t)count * sizeof *e);
    zip_uint64_t total = 0;
    for (zip_int64_t i = 0; i < count; i++) {
        zip_stat_t st;
        zip_stat_init(&st);
        if (zip_stat_index(za, (zip_uint64_t)i, ZIP_FL_ENC_RAW, &st) != 0 ||
            !(st.valid & ZIP_STAT_NAME) || !(st.valid & ZIP_STAT_SIZE) ||
            !(st.valid & ZIP_STAT_COMP_SIZE))
            return fail(err, E_INVALID, N_("The file is not a valid zip archive."), NULL);
        const char *name = arena_strdup(a, st.name);
        if (name_unsafe(name))
            return fail(err, E_INVALID,
                        N_("The kit holds an entry whose name is not allowed (%s)."), name);
        if (!name_in_layout(a, name))
            return fail(err, E_INVALID,
                        N_("The kit holds an entry outside its layout (%s)."), name);
        if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
            return fail(err, E_INVALID, N_("The kit holds an encrypted entry (%s)."), name);
        if ((st.valid & ZIP_STAT_COMP_METHOD) && st.comp_method != ZIP_CM_STORE &&
            st.comp_method != ZIP_CM_DEFLATE)
            return fail(err, E_INVALID,
                        N_("The kit holds an entry packed in an unknown way (%s)."), name);
        if (st.size > KIT_MAX_ENTRY)
            return fail(err, E_LARGE,
                        N_("The kit's entry %s is too large once unpacked (16 MB at most)."), name);
        if (st.size > KIT_RATIO_FLOOR &&
            st.size / (st.comp_size ? st.comp_size : 1) > KIT_MAX_RATIO)
            return fail(err, E_LARGE,
                        N_("The kit's entry %s unpacks to far more than its packed size (a zip bomb)."),
                        name);
        if (st.size > KIT_MAX_TOTAL - total)
            return fail(err, E_LARGE,
                        N_("The kit is too large once unpacked (256 MB at most)."), NULL);
        if (st.size > limit - total)
            return fail(err, E_LARGE,
                        N_("The kit unpacks to far more than its own size (a zip bomb)."), NULL);
        total += st.size;
        e[i] = (entry_t){name, (zip_uint64_t)i, st.size, st.comp_size, NULL, 0, false};
    }
    qsort(e, (size_t)count, sizeof *e, entry_cmp);
    for (zip_int64_t i = 1; i < count; i++)
        if (strcmp(e[i - 1].name, e[i].name) == 0)
            return fail(err, E_INVALID, N_("The kit holds the entry %s twice."), e[i].name);
    *out = e;
    *n_out = (size_t)count;
    return true;
}

/* --- Manifest ------------------------------------------------------------------ */

static const char *jstr(json_t *o, const char *key, size_t max_chars, bool required, bool *bad)
{
    json_t *v = json_object_get(o, key);
    if (!v && !required)
        return NULL;
    const char *s = json_string_value(v);
    if (!s || !utf8_valid(s, json_string_length(v)) || strlen(s) != json_string_length(v) ||
        utf8_count(s) > max_chars || str_has_control(s)) {
        *bad = true;
        return NULL;
    }
    return s;
}

static bool hex_ok(const char *s)
{
    if (!s || strlen(s) != 64)
        return false;
    for (const char *c = s; *c; c++)
        if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f')))
            return false;
    return true;
}

/* One listed entry: present, its size and checksum as the manifest says. */
static bool check_entry(arena_t *a, zip_t *za, entry_t *e, size_t n, const char *path,
                        json_t *jsize, const char *sha, entry_t **found, kit_error_t *err)
{
    entry_t *x = entry_find(e, n, path);
    if (!x)
        return fail(err, E_TAMPERED, N_("The kit lacks the entry %s that its manifest lists."),
                    path);
    if (x->used)
        return fail(err, E_INVALID, N_("The kit's manifest lists %s twice."), path);
    x->used = true;
    if (!json_is_integer(jsize) || json_integer_value(jsize) < 0 ||
        (zip_uint64_t)json_integer_value(jsize) != x->size)
        return fail(err, E_TAMPERED,
                    N_("The kit's entry %s does not have the size its manifest gives."), path);
    if (!entry_read(a, za, x, err))
        return false;
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[2 * crypto_hash_sha256_BYTES + 1];
    crypto_hash_sha256(h, x->data, x->len);
    kit_hex(h, sizeof h, hex);
    if (strcmp(hex, sha) != 0)
        return fail(err, E_TAMPERED,
                    N_("The kit's entry %s does not match its checksum: the kit was changed."), path);
    *found = x;
    return true;
}

static bool read_item(arena_t *a, zip_t *za, entry_t *e, size_t n, json_t *c, kit_ritem_t *it,
                      kit_error_t *err)
{
    bool bad = false;
    it->type = jstr(c, "type", 40, true, &bad);
    it->code = jstr(c, "code", 60, true, &bad);
    it->title = jstr(c, "title", KIT_MAX_TITLE, true, &bad);
    it->lang = jstr(c, "lang", 2, false, &bad);
    it->path = jstr(c, "path", 300, true, &bad);
    const char *sha = jstr(c, "sha256", 64, true, &bad);
    json_t *jv = json_object_get(c, "version");
    if (bad || !kit_type_ok(it->type) || !kit_code_ok(it->code) || !json_is_integer(jv) ||
        json_integer_value(jv) < 1 || json_integer_value(jv) > 1000000000 || !hex_ok(sha) ||
        (it->lang && !str_eq(it->lang, "fr") && !str_eq(it->lang, "ar") &&
         !str_eq(it->lang, "en") && *it->lang))
        return fail(err, E_INVALID, N_("The kit's manifest describes an item badly."), NULL);
    it->version = json_integer_value(jv);
    if (!it->lang)
        it->lang = "";
    const char *dir = kit_item_dir(a, it->type, it->code, it->version);
    if (strcmp(it->path, arena_printf(a, "%sitem.json", dir)) != 0)
        return fail(err, E_INVALID, N_("The kit's manifest gives an item a path outside the layout (%s)."),
                    it->path);
    entry_t *x = NULL;
    if (!check_entry(a, za, e, n, it->path, json_object_get(c, "size"), sha, &x, err))
        return false;
    json_error_t je;
    it->doc = json_loadb((const char *)x->data, x->len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(it->doc)) {
        json_decref(it->doc);
        it->doc = NULL;
        return fail(err, E_INVALID, N_("The kit's entry %s is not a JSON object."), it->path);
    }
    app_arena_json(a, it->doc);

    json_t *files = json_object_get(c, "files");
    if (files && !json_is_array(files))
        return fail(err, E_INVALID, N_("The kit's manifest describes an item badly."), NULL);
    size_t nf = files ? json_array_size(files) : 0;
    if (nf > KIT_MAX_FILES)
        return fail(err, E_LARGE, N_("An item of the kit has too many files (100 at most)."), NULL);
    it->files = arena_alloc(a, (nf + 1) * sizeof *it->files);
    for (size_t k = 0; k < nf; k++) {
        json_t *f = json_array_get(files, k);
        const char *fname = jstr(f, "name", 100, true, &bad);
        const char *fpath = jstr(f, "path", 300, true, &bad);
        const char *fsha = jstr(f, "sha256", 64, true, &bad);
        if (bad || !json_is_object(f) || !kit_fname_ok(fname) || str_eq(fname, "item.json") ||
            !hex_ok(fsha))
            return fail(err, E_INVALID, N_("The kit's manifest describes a file badly."), NULL);
        if (strcmp(fpath, arena_printf(a, "%s%s", dir, fname)) != 0)
            return fail(err, E_INVALID,
                        N_("The kit's manifest gives an item a path outside the layout (%s)."), fpath);
        entry_t *y = NULL;
        if (!check_entry(a, za, e, n, fpath, json_object_get(f, "size"), fsha, &y, err))
            return false;
        it->files[it->n_files++] = (kit_rfile_t){fname, fpath, y->data, y->len};
    }
    return true;
}

static bool read_manifest(arena_t *a, zip_t *za, entry_t *e, size_t n, kit_read_t *out,
                          entry_t *man, kit_error_t *err)
{
    if (man->size > KIT_MAX_MANIFEST)
        return fail(err, E_LARGE, N_("The kit's manifest is too large (4 MB at most)."), NULL);
    if (!entry_read(a, za, man, err))
        return false;
    json_error_t je;
    json_t *m = json_loadb((const char *)man->data, man->len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(m)) {
        json_decref(m);
        return fail(err, E_INVALID, N_("The kit's manifest is not valid JSON."), NULL);
    }
    app_arena_json(a, m);
    out->manifest = m;
    bool bad = false;
    const char *format = jstr(m, "format", 40, true, &bad);
    if (!str_eq(format, KIT_FORMAT))
        return fail(err, E_INVALID, N_("The file is not a Jouda kit of a known format."), NULL);
    out->producer = jstr(m, "producer", KIT_MAX_PRODUCER, true, &bad);
    out->created_at = jstr(m, "created_at", 40, true, &bad);
    json_t *pk = json_object_get(m, "public_key");
    if (pk && !json_is_null(pk)) {
        out->public_key = jstr(m, "public_key", KIT_PK_B64_MAX, true, &bad);
        if (!bad && !kit_pk_parse(out->public_key, out->pk))
            bad = true;
        out->has_key = !bad;
    }
    json_t *contents = json_object_get(m, "contents");
    if (bad || !json_is_array(contents) || str_empty(out->producer))
        return fail(err, E_INVALID, N_("The kit's manifest lacks what it must say."), NULL);
    size_t nc = json_array_size(contents);
    if (nc > KIT_MAX_ENTRIES)
        return fail(err, E_LARGE, N_("The kit holds too many entries (5,000 at most)."), NULL);
    out->items = arena_alloc(a, (nc + 1) * sizeof *out->items);
    for (size_t i = 0; i < nc; i++) {
        json_t *c = json_array_get(contents, i);
        if (!json_is_object(c))
            return fail(err, E_INVALID, N_("The kit's manifest describes an item badly."), NULL);
        kit_ritem_t *it = &out->items[out->n_items];
        if (!read_item(a, za, e, n, c, it, err))
            return false;
        for (size_t k = 0; k < out->n_items; k++)
            if (str_eq(out->items[k].type, it->type) && str_eq(out->items[k].code, it->code) &&
                out->items[k].version == it->version)
                return fail(err, E_INVALID, N_("The kit's manifest lists %s twice."), it->path);
        out->n_items++;
    }
    return true;
}

/* --- The kit ----------------------------------------------------------------- */

static bool read_all(arena_t *a, zip_t *za, size_t zip_len, kit_read_t *out, kit_error_t *err)
{
    entry_t *e = NULL;
    size_t n = 0;
    if (!entries_list(a, za, zip_len, &e, &n, err))
        return false;
    entry_t *man = entry_find(e, n, "manifest.json");
    if (!man)
        return fail(err, E_INVALID, N_("The kit has no manifest.json."), NULL);
    man->used = true;
    entry_t *sig = entry_find(e, n, "manifest.sig");
    if (sig) {
        sig->used = true;
        if (sig->size != KIT_SIG_BYTES)
            return fail(err, E_TAMPERED, N_("The kit's signature is not valid: the kit was changed."),
                        NULL);
        if (!entry_read(a, za, sig, err))
            return false;
    }
    if (!read_manifest(a, za, e, n, out, man, err))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!e[i].used)
            return fail(err, E_TAMPERED,
                        N_("The kit holds the entry %s that its manifest does not list."), e[i].name);
    if (sig) {
        out->has_sig = true;
        if (!out->has_key ||
            crypto_sign_verify_detached(sig->data, man->data, man->len, out->pk) != 0)
            return fail(err, E_TAMPERED,
                        N_("The kit's signature is not valid: the kit was changed."), NULL);
        out->signed_ok = true;
    }
    return true;
}

bool kit_read(arena_t *a, const void *zip, size_t len, kit_read_t *out, kit_error_t *err)
{
    memset(out, 0, sizeof *out);
    memset(err, 0, sizeof *err);
    if (sodium_init() < 0)
        return fail(err, E_INVALID, N_("The kit cannot be checked."), NULL);
    if (len > KIT_MAX_ZIP)
        return fail(err, E_LARGE, N_("The kit is too large (64 MB at most)."), NULL);
    if (!zip || len < 22)
        return fail(err, E_INVALID, N_("The file is not a valid zip archive."), NULL);
    crypto_hash_sha256(out->sha256, zip, len);
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(zip, len, 0, &ze);
    if (!src) {
        zip_error_fini(&ze);
        return fail(err, E_INVALID, N_("The file is not a valid zip archive."), NULL);
    }
    zip_t *za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
    zip_error_fini(&ze);
    if (!za) {
        zip_source_free(src);
        return fail(err, E_INVALID, N_("The file is not a valid zip archive."), NULL);
    }
    bool ok = read_all(a, za, len, out, err);
    zip_discard(za); /* frees the source; the bytes stay the caller's */
    return ok;
}
