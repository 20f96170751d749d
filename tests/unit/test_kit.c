/* test_kit.c - the transfer kit's reader and writer (src/kit/kit_read.c,
 * kit_write.c), pure: zips built here byte by byte (so that sizes can lie
 * and names can be anything), and kits written by kit_write. A valid kit,
 * signed and unsigned, is read with its items and files; a changed entry
 * (checksum), a changed manifest (signature), a signature by another key,
 * zip bombs (a high ratio, a huge declared size, more bytes than declared,
 * many small entries adding up to far more than the zip's length),
 * "../", absolute and backslashed names, an oversized entry, too many
 * entries, missing and extra entries, duplicates, bad JSON and what is not
 * a zip at all are refused with their code. */
#include "testutil.h"

#include "kit/kit_internal.h"

#include <sodium.h>

/* --- a zip written by hand ------------------------------------------------- */

typedef struct {
    buf_t out, cd;
    uint16_t n;
} zb_t;

static void put16(buf_t *b, uint16_t v)
{
    unsigned char c[2] = {(unsigned char)v, (unsigned char)(v >> 8)};
    buf_append(b, c, 2);
}

static void put32(buf_t *b, uint32_t v)
{
    unsigned char c[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    buf_append(b, c, 4);
}

/* Raw deflate of data (malloc'd). */
static unsigned char *deflate_raw(const void *data, size_t len, size_t *out_len)
{
    z_stream s;
    memset(&s, 0, sizeof s);
    assert_int_equal(deflateInit2(&s, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
    size_t cap = deflateBound(&s, len) + 16;
    unsigned char *out = xmalloc(cap);
    s.next_in = (unsigned char *)data;
    s.avail_in = (uInt)len;
    s.next_out = out;
    s.avail_out = (uInt)cap;
    assert_int_equal(deflate(&s, Z_FINISH), Z_STREAM_END);
    *out_len = s.total_out;
    deflateEnd(&s);
    return out;
}

/* One entry; declared: the uncompressed size written in the headers (-1:
 * the true one). */
static void zb_add(zb_t *z, const char *name, const void *data, size_t len, bool deflated,
                   int64_t declared)
{
    size_t clen = len;
    unsigned char *packed = NULL;
    const void *body = data;
    if (deflated) {
        packed = deflate_raw(data, len, &clen);
        body = packed;
    }
    uint32_t crc = (uint32_t)crc32(0L, data, (uInt)len);
    uint32_t usize = declared < 0 ? (uint32_t)len : (uint32_t)declared;
    uint32_t offset = (uint32_t)z->out.len;
    uint16_t nlen = (uint16_t)strlen(name), method = deflated ? 8 : 0;
    put32(&z->out, 0x04034b50);
    put16(&z->out, 20);
    put16(&z->out, 0);
    put16(&z->out, method);
    put16(&z->out, 0);
    put16(&z->out, 0x21);
    put32(&z->out, crc);
    put32(&z->out, (uint32_t)clen);
    put32(&z->out, usize);
    put16(&z->out, nlen);
    put16(&z->out, 0);
    buf_append(&z->out, name, nlen);
    buf_append(&z->out, body, clen);
    put32(&z->cd, 0x02014b50);
    put16(&z->cd, 20);
    put16(&z->cd, 20);
    put16(&z->cd, 0);
    put16(&z->cd, method);
    put16(&z->cd, 0);
    put16(&z->cd, 0x21);
    put32(&z->cd, crc);
    put32(&z->cd, (uint32_t)clen);
    put32(&z->cd, usize);
    put16(&z->cd, nlen);
    put16(&z->cd, 0);
    put16(&z->cd, 0);
    put16(&z->cd, 0);
    put16(&z->cd, 0);
    put32(&z->cd, 0);
    put32(&z->cd, offset);
    buf_append(&z->cd, name, nlen);
    z->n++;
    free(packed);
}

/* The zip's bytes (malloc'd); z is emptied. */
static char *zb_end(zb_t *z, size_t *len)
{
    uint32_t cd_off = (uint32_t)z->out.len, cd_len = (uint32_t)z->cd.len;
    buf_append(&z->out, z->cd.data ? z->cd.data : "", z->cd.len);
    put32(&z->out, 0x06054b50);
    put16(&z->out, 0);
    put16(&z->out, 0);
    put16(&z->out, z->n);
    put16(&z->out, z->n);
    put32(&z->out, cd_len);
    put32(&z->out, cd_off);
    put16(&z->out, 0);
    buf_free(&z->cd);
    *len = z->out.len;
    char *out = buf_detach(&z->out);
    memset(z, 0, sizeof *z);
    return out;
}

static const char *hex_sum(arena_t *a, const void *data, size_t len)
{
    unsigned char h[32];
    char *hex = arena_alloc(a, 65);
    crypto_hash_sha256(h, data, len);
    kit_hex(h, 32, hex);
    return hex;
}

/* --- a kit made by hand: one item with one file ------------------------------ */

#define ITEM_JSON "{\"format\": \"test/1\", \"text\": \"Bonjour \xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7\"}"
#define FILE_BODY "%PDF-1.4 a small document"

typedef struct {
    const char *item_json;      /* the bytes written as item.json */
    const char *item_listed;    /* the bytes whose checksum the manifest gives (NULL: item_json) */
    const char *item_path;      /* name of the item's entry in the zip */
    bool with_file, list_file, extra_entry, dup_entry, sign, bad_sig, other_key;
    const char *format;         /* of the manifest */
    const char *manifest;       /* replaces the manifest's bytes when given */
} hand_t;

static char *hand_kit(arena_t *a, const hand_t *h, size_t *len)
{
    const char *item = h->item_json ? h->item_json : ITEM_JSON;
    const char *listed = h->item_listed ? h->item_listed : item;
    json_t *files = json_array();
    if (h->list_file)
        json_array_append_new(files, json_pack("{s:s,s:s,s:s,s:i}", "name", "guide.pdf", "path",
                                               "document/guide/v2/guide.pdf", "sha256",
                                               hex_sum(a, FILE_BODY, strlen(FILE_BODY)), "size",
                                               (int)strlen(FILE_BODY)));
    unsigned char pk[32], sk[64], pk2[32], sk2[64];
    crypto_sign_keypair(pk, sk);
    crypto_sign_keypair(pk2, sk2);
    json_t *m = json_pack("{s:s,s:s,s:s,s:o,s:[{s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:i,s:o}]}", "format",
                          h->format ? h->format : KIT_FORMAT, "producer", "Jouda Souss",
                          "created_at", "2026-01-05T10:00:00Z", "public_key",
                          h->sign ? json_string(kit_pk_b64(a, h->other_key ? pk2 : pk)) : json_null(),
                          "contents", "type", "document", "code", "guide", "version", 2, "title",
                          "Guide d'accueil", "lang", "fr", "path", "document/guide/v2/item.json",
                          "sha256", hex_sum(a, listed, strlen(listed)), "size",
                          (int)strlen(listed), "files", files);
    char *man = h->manifest ? xstrdup(h->manifest) : json_dumps(m, JSON_INDENT(2));
    json_decref(m);
    zb_t z = {0};
    zb_add(&z, "manifest.json", man, strlen(man), true, -1);
    if (h->sign) {
        unsigned char sig[64];
        crypto_sign_detached(sig, NULL, (const unsigned char *)man, strlen(man), sk);
        if (h->bad_sig) { /* the manifest changed after it was signed */
            char *p = strstr(man, "Jouda Souss");
            if (p)
                p[0] = 'j';
        }
        /* written after the manifest's entry: rewrite it with the changed bytes */
        if (h->bad_sig) {
            buf_free(&z.out);
            buf_free(&z.cd);
            memset(&z, 0, sizeof z);
            zb_add(&z, "manifest.json", man, strlen(man), true, -1);
        }
        zb_add(&z, "manifest.sig", sig, 64, false, -1);
    }
    zb_add(&z, h->item_path ? h->item_path : "document/guide/v2/item.json", item, strlen(item),
           true, -1);
    if (h->with_file)
        zb_add(&z, "document/guide/v2/guide.pdf", FILE_BODY, strlen(FILE_BODY), true, -1);
    if (h->extra_entry)
        zb_add(&z, "document/guide/v2/extra.txt", "x", 1, false, -1);
    if (h->dup_entry)
        zb_add(&z, "document/guide/v2/item.json", item, strlen(item), true, -1);
    free(man);
    return zb_end(&z, len);
}

static kit_error_t read_hand(const hand_t *h, bool expect_ok)
{
    arena_t *a = arena_new();
    size_t len = 0;
    char *zip = hand_kit(a, h, &len);
    kit_read_t k;
    kit_error_t e;
    bool ok = kit_read(a, zip, len, &k, &e);
    if (ok != expect_ok)
        fail_msg("expected %s, got %s (%s)", expect_ok ? "accepted" : "refused",
                 ok ? "accepted" : "refused", e.msgid ? e.msgid : "");
    /* what the error points to dies with the arena: keep copies */
    static char code[64], msgid[512], arg[512];
    snprintf(code, sizeof code, "%s", e.code ? e.code : "");
    snprintf(msgid, sizeof msgid, "%s", e.msgid ? e.msgid : "");
    snprintf(arg, sizeof arg, "%s", e.arg ? e.arg : "");
    e.code = code;
    e.msgid = msgid;
    e.arg = arg;
    free(zip);
    arena_free(a);
    return e;
}

/* --- tests -------------------------------------------------------------------------- */

static void test_hand_kit_valid(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    size_t len = 0;
    hand_t h = {.with_file = true, .list_file = true, .sign = true};
    char *zip = hand_kit(a, &h, &len);
    kit_read_t k;
    kit_error_t e;
    assert_true(kit_read(a, zip, len, &k, &e));
    assert_string_equal(k.producer, "Jouda Souss");
    assert_true(k.has_sig && k.signed_ok && k.has_key);
    assert_int_equal(k.n_items, 1);
    assert_string_equal(k.items[0].type, "document");
    assert_string_equal(k.items[0].code, "guide");
    assert_int_equal(k.items[0].version, 2);
    assert_string_equal(k.items[0].lang, "fr");
    assert_string_equal(json_string_value(json_object_get(k.items[0].doc, "format")), "test/1");
    assert_int_equal(k.items[0].n_files, 1);
    assert_string_equal(k.items[0].files[0].name, "guide.pdf");
    assert_memory_equal(k.items[0].files[0].data, FILE_BODY, strlen(FILE_BODY));
    free(zip);
    arena_free(a);
}

static void test_hand_kit_unsigned(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    size_t len = 0;
    hand_t h = {0};
    char *zip = hand_kit(a, &h, &len);
    kit_read_t k;
    kit_error_t e;
    assert_true(kit_read(a, zip, len, &k, &e));
    assert_false(k.has_sig);
    assert_false(k.signed_ok);
    assert_null(k.public_key);
    free(zip);
    arena_free(a);
}

static void test_tampered_entry(void **state)
{
    (void)state;
    hand_t h = {.sign = true, .item_listed = "{\"format\": \"test/1\", \"text\": \"other\"}"};
    /* same length, other bytes: only the checksum tells */
    h.item_json = "{\"format\": \"test/1\", \"text\": \"OTHER\"}";
    kit_error_t e = read_hand(&h, false);
    assert_string_equal(e.code, "kit_tampered");
    assert_non_null(strstr(e.msgid, "checksum"));
    /* a changed size is refused too */
    h.item_json = "{\"format\": \"test/1\", \"text\": \"longer one\"}";
    e = read_hand(&h, false);
    assert_string_equal(e.code, "kit_tampered");
}

static void test_tampered_manifest(void **state)
{
    (void)state;
    hand_t h = {.sign = true, .bad_sig = true};
    kit_error_t e = read_hand(&h, false);
    assert_string_equal(e.code, "kit_tampered");
    assert_non_null(strstr(e.msgid, "signature"));
    /* signed by another key than the one the manifest gives */
    hand_t o = {.sign = true, .other_key = true};
    e = read_hand(&o, false);
    assert_string_equal(e.code, "kit_tampered");
}

static void test_unknown_key_is_the_callers(void **state)
{
    (void)state;
    /* the reader verifies the signature and says which key: trusting it is
     * the import's decision */
    arena_t *a = arena_new();
    size_t len = 0;
    hand_t h = {.sign = true};
    char *zip = hand_kit(a, &h, &len);
    kit_read_t k;
    kit_error_t e;
    assert_true(kit_read(a, zip, len, &k, &e));
    assert_true(k.signed_ok);
    assert_non_null(k.public_key);
    unsigned char pk[32];
    assert_true(kit_pk_parse(k.public_key, pk));
    assert_memory_equal(pk, k.pk, 32);
    free(zip);
    arena_free(a);
}

static void test_missing_and_extra_entries(void **state)
{
    (void)state;
    hand_t missing = {.list_file = true}; /* listed, not in the zip */
    kit_error_t e = read_hand(&missing, false);
    assert_string_equal(e.code, "kit_tampered");
    assert_string_equal(e.arg, "document/guide/v2/guide.pdf");
    hand_t extra = {.with_file = true}; /* in the zip, not listed */
    e = read_hand(&extra, false);
    assert_string_equal(e.code, "kit_tampered");
    assert_string_equal(e.arg, "document/guide/v2/guide.pdf");
    hand_t extra2 = {.extra_entry = true};
    e = read_hand(&extra2, false);
    assert_string_equal(e.code, "kit_tampered");
    hand_t dup = {.dup_entry = true};
    e = read_hand(&dup, false);
    assert_string_equal(e.code, "kit_invalid");
}

static void test_bad_json(void **state)
{
    (void)state;
    hand_t h = {.manifest = "{\"format\": \"jouda-kit/1\", "};
    kit_error_t e = read_hand(&h, false);
    assert_string_equal(e.code, "kit_invalid");
    h.manifest = "[1, 2]";
    e = read_hand(&h, false);
    assert_string_equal(e.code, "kit_invalid");
    h.manifest = "{\"format\": \"jouda-kit/1\", \"format\": \"x\"}";
    e = read_hand(&h, false);
    assert_string_equal(e.code, "kit_invalid");
    hand_t f = {.format = "jouda-kit/9"};
    e = read_hand(&f, false);
    assert_string_equal(e.code, "kit_invalid");
    /* an item.json that is not a JSON object (its checksum right) */
    hand_t i = {.item_json = "[\"not an object\"]"};
    e = read_hand(&i, false);
    assert_string_equal(e.code, "kit_invalid");
    hand_t j = {.item_json = "{\"unclosed\": "};
    e = read_hand(&j, false);
    assert_string_equal(e.code, "kit_invalid");
}

/* A zip of one manifest-less entry named name: refused for its name. */
static void refused_name(const char *name)
{
    arena_t *a = arena_new();
    zb_t z = {0};
    zb_add(&z, "manifest.json", "{}", 2, false, -1);
    zb_add(&z, name, "x", 1, false, -1);
    size_t len = 0;
    char *zip = zb_end(&z, &len);
    kit_read_t k;
    kit_error_t e;
    if (kit_read(a, zip, len, &k, &e))
        fail_msg("%s accepted", name);
    assert_string_equal(e.code, "kit_invalid");
    if (!strstr(e.msgid, "name") && !strstr(e.msgid, "layout"))
        fail_msg("%s refused for another reason: %s", name, e.msgid);
    free(zip);
    arena_free(a);
}

static void test_names(void **state)
{
    (void)state;
    refused_name("../etc/passwd");
    refused_name("document/../../x/v1/item.json");
    refused_name("/etc/passwd");
    refused_name("document\\guide\\v1\\item.json");
    refused_name("document/guide/v1/a\x01.txt");
    refused_name("document/guide/v1/");            /* a directory */
    refused_name("document/Guide/v1/item.json");   /* codes are lower case */
    refused_name("document/guide/v01/item.json");
    refused_name("document/guide/v1/.hidden");
    refused_name("document/guide/v1/sub/item.json");
    refused_name("c:/x");
    refused_name("readme.txt");
    /* the manifest's path must follow the layout too */
    hand_t h = {.item_path = "document/guide/v3/item.json"};
    kit_error_t e = read_hand(&h, false);
    assert_string_equal(e.code, "kit_tampered");
}

static void test_zip_bombs(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    size_t big = 2u * 1024 * 1024;
    char *zeros = calloc(1, big);
    kit_read_t k;
    kit_error_t e;
    size_t len = 0;
    char *zip;
    /* a high ratio: 2 MB of zeros packed in a few kilobytes */
    zb_t z = {0};
    zb_add(&z, "manifest.json", "{}", 2, false, -1);
    zb_add(&z, "document/guide/v1/big.bin", zeros, big, true, -1);
    zip = zb_end(&z, &len);
    assert_false(kit_read(a, zip, len, &k, &e));
    assert_string_equal(e.code, "kit_too_large");
    assert_non_null(strstr(e.msgid, "bomb"));
    free(zip);
    /* a huge declared size */
    zb_add(&z, "manifest.json", "{}", 2, false, -1);
    zb_add(&z, "document/guide/v1/big.bin", "abc", 3, false, 1024LL * 1024 * 1024);
    zip = zb_end(&z, &len);
    assert_false(kit_read(a, zip, len, &k, &e));
    assert_string_equal(e.code, "kit_too_large");
    free(zip);
    /* more bytes than declared: only the declared size + 1 is ever read */
    zb_add(&z, "manifest.json", zeros, 100000, true, 10);
    zip = zb_end(&z, &len);
    assert_false(kit_read(a, zip, len, &k, &e));
    assert_true(str_eq(e.code, "kit_too_large") || str_eq(e.code, "kit_invalid"));
    free(zip);
    free(zeros);
    arena_free(a);
}

static void json_free_cb(void *p);

/* Many entries each at the ratio floor: 255 x 1 MB of zeros (under the
 * 256 MB in all) in a zip of about 300 KB. Each entry alone passes; together
 * they would force 255 MB out of a small file: refused from the sizes
 * listed, before any is unpacked. */
static void test_zip_bomb_of_small_entries(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    size_t one = KIT_RATIO_FLOOR;
    char *zeros = calloc(1, one);
    zb_t z = {0};
    zb_add(&z, "manifest.json", "{}", 2, false, -1);
    for (int i = 0; i < 255; i++) {
        char name[64];
        snprintf(name, sizeof name, "document/guide/v1/f%d.bin", i);
        zb_add(&z, name, zeros, one, true, -1);
    }
    size_t len = 0;
    char *zip = zb_end(&z, &len);
    assert_true(len < 1024 * 1024);
    assert_true(255ull * one + 2 <= KIT_MAX_TOTAL); /* within the absolute limit: only the ratio tells */
    kit_read_t k;
    kit_error_t e;
    assert_false(kit_read(a, zip, len, &k, &e));
    assert_string_equal(e.code, "kit_too_large");
    assert_non_null(strstr(e.msgid, "bomb"));
    free(zip);
    /* what a zip may unpack to: 100 times its length, at least the floor, at most the total */
    assert_int_equal(kit_total_limit(10), KIT_RATIO_FLOOR);
    assert_int_equal(kit_total_limit(100000), 100000ull * KIT_MAX_RATIO);
    assert_int_equal(kit_total_limit(KIT_MAX_ZIP), KIT_MAX_TOTAL);
    /* the writer never makes such a kit: 8 files of 1 MB of zeros (deflated
     * alone, each under the floor) are written again stored, and read back */
    json_t *d = json_pack("{s:s}", "format", "y/1");
    arena_defer(a, json_free_cb, d);
    app_kit_file_t f[8];
    for (int i = 0; i < 8; i++) {
        char *name = arena_printf(a, "z%d.bin", i);
        f[i] = (app_kit_file_t){name, (const unsigned char *)zeros, one};
    }
    app_kit_item_t it = {"document", "zeros", 1, "Zeros", "", d, f, 8};
    void *w = NULL;
    assert_true(kit_write(&it, 1, "P", 0, NULL, &w, &len, &e));
    assert_true(len > 8 * one);
    assert_true(kit_read(a, w, len, &k, &e));
    assert_int_equal(k.items[0].n_files, 8);
    free(w);
    free(zeros);
    arena_free(a);
}

static void test_oversized_entry(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    size_t big = KIT_MAX_ENTRY + 1;
    char *data = malloc(big);
    for (size_t i = 0; i < big; i++)
        data[i] = (char)('a' + (i * 7919 % 26)); /* stored: the ratio stays 1 */
    zb_t z = {0};
    zb_add(&z, "manifest.json", "{}", 2, false, -1);
    zb_add(&z, "document/guide/v1/big.bin", data, big, false, -1);
    size_t len = 0;
    char *zip = zb_end(&z, &len);
    kit_read_t k;
    kit_error_t e;
    assert_false(kit_read(a, zip, len, &k, &e));
    assert_string_equal(e.code, "kit_too_large");
    assert_string_equal(e.arg, "document/guide/v1/big.bin");
    free(zip);
    free(data);
    /* the zip itself beyond 64 MB: refused before anything is read */
    static const char tiny[32];
    assert_false(kit_read(a, tiny, (size_t)KIT_MAX_ZIP + 1, &k, &e));
    assert_string_equal(e.code, "kit_too_large");
    arena_free(a);
}

static void test_too_many_entries(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    zb_t z = {0};
    zb_add(&z, "manifest.json", "{}", 2, false, -1);
    for (int i = 0; i < KIT_MAX_ENTRIES; i++) {
        char name[64];
        snprintf(name, sizeof name, "document/guide/v1/f%d.txt", i);
        zb_add(&z, name, "x", 1, false, -1);
    }
    size_t len = 0;
    char *zip = zb_end(&z, &len);
    kit_read_t k;
    kit_error_t e;
    assert_false(kit_read(a, zip, len, &k, &e));
    assert_string_equal(e.code, "kit_too_large");
    free(zip);
    arena_free(a);
}

static void test_not_a_zip(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    kit_read_t k;
    kit_error_t e;
    assert_false(kit_read(a, "", 0, &k, &e));
    assert_string_equal(e.code, "kit_invalid");
    const char *text = "this is not a zip archive, only some text long enough";
    assert_false(kit_read(a, text, strlen(text), &k, &e));
    assert_string_equal(e.code, "kit_invalid");
    /* a zip without manifest */
    zb_t z = {0};
    zb_add(&z, "document/guide/v1/item.json", "{}", 2, false, -1);
    size_t len = 0;
    char *zip = zb_end(&z, &len);
    assert_false(kit_read(a, zip, len, &k, &e));
    assert_string_equal(e.code, "kit_invalid");
    free(zip);
    arena_free(a);
}

/* --- the writer -------------------------------------------------------------------- */

static void json_free_cb(void *p)
{
    json_decref(p);
}

static void items_two(arena_t *a, app_kit_item_t *it)
{
    json_t *d1 = json_pack("{s:s,s:s,s:[i,i]}", "format", "x/1", "title", "Référentiel قيم", "n", 1, 2);
    json_t *d2 = json_pack("{s:s}", "format", "y/1");
    arena_defer(a, json_free_cb, d1);
    arena_defer(a, json_free_cb, d2);
    static app_kit_file_t files[] = {{"guide.pdf", (const unsigned char *)FILE_BODY, sizeof FILE_BODY - 1},
                                     {"modele.docx", (const unsigned char *)"PK\x03\x04 fake", 10}};
    it[0] = (app_kit_item_t){"referentiel", "jouda-eps-enfance", 1, "Jouda EPS", "", d1, NULL, 0};
    it[1] = (app_kit_item_t){"document", "guide-accueil", 3, "Guide d'accueil", "fr", d2, files, 2};
}

static void test_write_read_round_trip(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    app_kit_item_t it[2];
    items_two(a, it);
    unsigned char pk[32], sk[64];
    crypto_sign_keypair(pk, sk);
    void *zip = NULL;
    size_t len = 0;
    kit_error_t e;
    assert_true(kit_write(it, 2, "Jouda Casablanca", 1767225600, sk, &zip, &len, &e));
    kit_read_t k;
    assert_true(kit_read(a, zip, len, &k, &e));
    assert_true(k.signed_ok);
    assert_memory_equal(k.pk, pk, 32);
    assert_string_equal(k.producer, "Jouda Casablanca");
    assert_string_equal(k.created_at, "2026-01-01T00:00:00Z");
    assert_int_equal(k.n_items, 2);
    assert_true(json_equal(k.items[0].doc, it[0].doc));
    assert_int_equal(k.items[1].n_files, 2);
    assert_string_equal(k.items[1].files[1].name, "modele.docx");
    assert_int_equal(k.items[1].files[1].len, 10);
    /* the same items give the same manifest's contents */
    void *zip2 = NULL;
    size_t len2 = 0;
    assert_true(kit_write(it, 2, "Jouda Casablanca", 1767225600, NULL, &zip2, &len2, &e));
    kit_read_t k2;
    assert_true(kit_read(a, zip2, len2, &k2, &e));
    assert_false(k2.has_sig);
    assert_true(json_equal(json_object_get(k.manifest, "contents"),
                           json_object_get(k2.manifest, "contents")));
    free(zip);
    free(zip2);
    arena_free(a);
}

static void test_write_refusals(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    app_kit_item_t it[2];
    items_two(a, it);
    void *zip = NULL;
    size_t len = 0;
    kit_error_t e;
    app_kit_item_t bad = it[0];
    bad.code = "Upper";
    assert_false(kit_write(&bad, 1, "P", 0, NULL, &zip, &len, &e));
    bad = it[0];
    bad.code = "../x";
    assert_false(kit_write(&bad, 1, "P", 0, NULL, &zip, &len, &e));
    bad = it[1];
    app_kit_file_t f[] = {{"../evil", (const unsigned char *)"x", 1}};
    bad.files = f;
    bad.n_files = 1;
    assert_false(kit_write(&bad, 1, "P", 0, NULL, &zip, &len, &e));
    app_kit_item_t twice[2] = {it[0], it[0]};
    assert_false(kit_write(twice, 2, "P", 0, NULL, &zip, &len, &e));
    assert_null(zip);
    /* an empty kit is a kit */
    assert_true(kit_write(NULL, 0, "P", 0, NULL, &zip, &len, &e));
    kit_read_t k;
    assert_true(kit_read(a, zip, len, &k, &e));
    assert_int_equal(k.n_items, 0);
    free(zip);
    arena_free(a);
}

static void test_big_entry_is_stored(void **state)
{
    (void)state;
    /* a document of zeros beyond the ratio floor: stored, so that the kit
     * this instance writes is never taken for a zip bomb */
    arena_t *a = arena_new();
    size_t big = 3u * 1024 * 1024;
    unsigned char *zeros = calloc(1, big);
    json_t *d = json_pack("{s:s}", "format", "y/1");
    arena_defer(a, json_free_cb, d);
    app_kit_file_t f[] = {{"zeros.bin", zeros, big}};
    app_kit_item_t it = {"document", "zeros", 1, "Zeros", "", d, f, 1};
    void *zip = NULL;
    size_t len = 0;
    kit_error_t e;
    assert_true(kit_write(&it, 1, "P", 0, NULL, &zip, &len, &e));
    kit_read_t k;
    assert_true(kit_read(a, zip, len, &k, &e));
    assert_int_equal(k.items[0].files[0].len, big);
    free(zip);
    free(zeros);
    arena_free(a);
}

static void test_shapes(void **state)
{
    (void)state;
    assert_true(kit_code_ok("q4c"));
    assert_true(kit_code_ok("jouda-eps-enfance.2"));
    assert_false(kit_code_ok(".."));
    assert_false(kit_code_ok(".x"));
    assert_false(kit_code_ok("A"));
    assert_false(kit_code_ok(""));
    assert_true(kit_fname_ok("Guide_2026.pdf"));
    assert_false(kit_fname_ok(".htaccess"));
    assert_false(kit_fname_ok("a/b"));
    assert_true(kit_type_ok("project_template"));
    assert_false(kit_type_ok("Sheet"));
    unsigned char pk[32];
    assert_false(kit_pk_parse("abc", pk));
    assert_false(kit_pk_parse(NULL, pk));
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_kit_valid),
        cmocka_unit_test(test_hand_kit_unsigned),
        cmocka_unit_test(test_tampered_entry),
        cmocka_unit_test(test_tampered_manifest),
        cmocka_unit_test(test_unknown_key_is_the_callers),
        cmocka_unit_test(test_missing_and_extra_entries),
        cmocka_unit_test(test_bad_json),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_zip_bombs),
        cmocka_unit_test(test_zip_bomb_of_small_entries),
        cmocka_unit_test(test_oversized_entry),
        cmocka_unit_test(test_too_many_entries),
        cmocka_unit_test(test_not_a_zip),
        cmocka_unit_test(test_write_read_round_trip),
        cmocka_unit_test(test_write_refusals),
        cmocka_unit_test(test_big_entry_is_stored),
        cmocka_unit_test(test_shapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
