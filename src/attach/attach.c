/* attach.c - the attachments service: checking an upload (size, type from
 * its first bytes, a clean file name), storing it in the database with an
 * audit row, listing the files of an owner, and the migration (version 40).
 * The pages and API routes are in attach_pages.c. */
#include "attach.h"
#include "../audit/audit.h"
#include "../i18n/i18n.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- Type detection ------------------------------------------------------ */

/* The file's extension in lower case ("" when none), into out. */
static void attach_ext(const char *filename, char *out, size_t outlen)
{
    out[0] = '\0';
    if (!filename)
        return;
    const char *dot = strrchr(filename, '.');
    if (!dot || dot == filename || strlen(dot + 1) >= outlen)
        return;
    size_t i = 0;
    for (const char *c = dot + 1; *c; c++) {
        char ch = *c;
        if (ch >= 'A' && ch <= 'Z')
            ch = (char)(ch - 'A' + 'a');
        out[i++] = ch;
    }
    out[i] = '\0';
}

typedef struct {
    const char *ext;
    const char *type;
    const char *ooxml_main; /* the main part's type in [Content_Types].xml */
    bool odf;               /* OpenDocument: type in the "mimetype" entry */
} attach_ext_type_t;

/* Office formats are zip archives: the extension tells which one, the
 * container must then be one of that kind. */
static const attach_ext_type_t attach_zip_types[] = {
    {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", false},
    {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", false},
    {"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
     "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml", false},
    {"odt", "application/vnd.oasis.opendocument.text", NULL, true},
    {"ods", "application/vnd.oasis.opendocument.spreadsheet", NULL, true},
};

static bool attach_starts(const char *data, size_t len, const char *magic, size_t n)
{
    return len >= n && memcmp(data, magic, n) == 0;
}

const char *attach_sniff(const char *data, size_t len, const char *filename)
{
    return attach_inspect(data, len, filename, NULL);
}

const char *attach_verdict_msgid(attach_verdict_t v)
{
    switch (v) {
    case ATTACH_OK:
        return NULL;
    // clang-format off
    case ATTACH_DOC_INVALID:
        return N_("This file is not a valid document of the kind its name gives. Save it again from its application, or send it as a PDF.");
    case ATTACH_DOC_ACTIVE:
        return N_("This document contains programs, scripts, macros or web pages, which are not accepted. Save it again without them, or send it as a PDF.");
    case ATTACH_DOC_ENCRYPTED:
        return N_("This document is protected by a password. Send it without the protection.");
    case ATTACH_DOC_TOO_BIG:
        return N_("This document is too large once unpacked, or has too many parts. Send it as a PDF, or in several files.");
    // clang-format on
    default:
        /* one literal each, so that msgid extraction sees them whole */
        // clang-format off
        return N_("This kind of file is not accepted. Send a PDF, an image (PNG, JPEG, GIF, WebP), an office document (DOCX, XLSX, PPTX, ODT, ODS) or a text file (TXT, CSV).");
        // clang-format on
    }
}

const char *attach_inspect(const char *data, size_t len, const char *filename,
                           attach_verdict_t *why)
{
    attach_verdict_t dummy;
    if (!why)
        why = &dummy;
    *why = ATTACH_TYPE;
    const char *type = NULL;
    if (!data || len == 0)
        return NULL;
    char ext[16];
    attach_ext(filename, ext, sizeof ext);
    if (attach_starts(data, len, "%PDF-", 5))
        type = "application/pdf";
    else if (attach_starts(data, len, "\x89PNG\r\n\x1a\n", 8))
        type = "image/png";
    else if (attach_starts(data, len, "\xff\xd8\xff", 3))
        type = "image/jpeg";
    else if (attach_starts(data, len, "GIF87a", 6) || attach_starts(data, len, "GIF89a", 6))
        type = "image/gif";
    else if (len >= 12 && memcmp(data, "RIFF", 4) == 0 && memcmp(data + 8, "WEBP", 4) == 0)
        type = "image/webp";
    else if (attach_starts(data, len, "PK\x03\x04", 4)) {
        for (size_t i = 0; i < ARRAY_LEN(attach_zip_types) && !type; i++) {
            const attach_ext_type_t *z = &attach_zip_types[i];
            if (strcmp(ext, z->ext) != 0)
                continue;
            *why = attach_zip_check(data, len, z->ooxml_main, z->odf ? z->type : NULL);
            if (*why != ATTACH_OK)
                return NULL;
            type = z->type;
        }
        /* any other archive: refused */
    } else if (strcmp(ext, "txt") == 0 || strcmp(ext, "csv") == 0) {
        /* Plain text: only with a text extension, valid UTF-8 and no NUL byte. */
        if (!memchr(data, '\0', len) && utf8_valid(data, len))
            type = ext[0] == 'c' ? "text/csv; charset=utf-8" : "text/plain; charset=utf-8";
    }
    if (type)
        *why = ATTACH_OK;
    return type;
}

/* Does the name's extension fit the detected type? (a PDF named .html would
 * otherwise be saved and opened as a page by the person downloading it) */
static bool attach_ext_fits(const char *type, const char *filename)
{
    char ext[16];
    attach_ext(filename, ext, sizeof ext);
    if (strcmp(type, "application/pdf") == 0)
        return strcmp(ext, "pdf") == 0;
    if (strcmp(type, "image/png") == 0)
        return strcmp(ext, "png") == 0;
    if (strcmp(type, "image/jpeg") == 0)
        return strcmp(ext, "jpg") == 0 || strcmp(ext, "jpeg") == 0;
    if (strcmp(type, "image/gif") == 0)
        return strcmp(ext, "gif") == 0;
    if (strcmp(type, "image/webp") == 0)
        return strcmp(ext, "webp") == 0;
    return true; /* zip and text types were chosen from the extension itself */
}

/* --- File names ---------------------------------------------------------- */

/* Length in bytes of the UTF-8 sequence starting at p (valid input). */
static size_t attach_u8len(unsigned char c)
{
    return c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

/* Bidirectional controls let "gpj.exe" pass for "exe.jpg": never kept. */
static bool attach_bidi_control(const unsigned char *p)
{
    if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] >= 0xaa && p[2] <= 0xae))
        return true; /* U+202A..U+202E */
    if (p[0] == 0xe2 && p[1] == 0x81 && (p[2] >= 0xa6 && p[2] <= 0xa9))
        return true; /* U+2066..U+2069 */
    if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0x8e || p[2] == 0x8f))
        return true; /* U+200E, U+200F */
    return false;
}

int attach_filename_clean(const char *in, char *out, size_t outlen)
{
    if (!in || outlen < 8)
        return -1;
    /* the last path component only: browsers of old sent full paths */
    const char *base = in;
    for (const char *c = in; *c; c++)
        if (*c == '/' || *c == '\\')
            base = c + 1;
    size_t n = strlen(base);
    if (!utf8_valid(base, n))
        return -1;
    buf_t b;
    buf_init(&b);
    const unsigned char *p = (const unsigned char *)base;
    while (*p) {
        size_t l = attach_u8len(*p);
        if (*p < 0x20 || *p == 0x7f || (l == 3 && attach_bidi_control(p)) || *p == '"') {
            p += l;
            continue;
        }
        buf_append(&b, p, l);
        p += l;
    }
    char *s = b.data ? str_trim(b.data) : NULL;
    if (!s || !*s || strcmp(s, ".") == 0 || strcmp(s, "..") == 0) {
        buf_free(&b);
        return -1;
    }
    /* at most ATTACH_NAME_MAX characters, keeping the extension */
    size_t chars = utf8_count(s);
    if (chars > ATTACH_NAME_MAX) {
        const char *dot = strrchr(s, '.');
        size_t ext_len = dot && strlen(dot) <= 16 ? strlen(dot) : 0;
        size_t ext_chars = ext_len; /* ASCII in every accepted extension */
        size_t keep = ATTACH_NAME_MAX - ext_chars, i = 0, bytes = 0;
        while (i < keep && s[bytes]) {
            bytes += attach_u8len((unsigned char)s[bytes]);
            i++;
        }
        char *cut = xmalloc(bytes + ext_len + 1);
        memcpy(cut, s, bytes);
        memcpy(cut + bytes, dot && ext_len ? dot : "", ext_len);
        cut[bytes + ext_len] = '\0';
        int rc = snprintf(out, outlen, "%s", cut) >= (int)outlen ? -1 : 0;
        free(cut);
        buf_free(&b);
        return rc;
    }
    int rc = snprintf(out, outlen, "%s", s) >= (int)outlen ? -1 : 0;
    buf_free(&b);
    return rc;
}

/* --- Storing -------------------------------------------------------------- */

res_t attach_store(db_t *db, int64_t node_id, const char *owner_kind, int64_t owner_id,
                   const http_file_t *file, int64_t actor, const char *ip, int64_t *id_out,
                   const char **err_msgid)
{
    const char *dummy;
    if (!err_msgid)
        err_msgid = &dummy;
    *err_msgid = NULL;
    if (!file || !file->filename) {
        *err_msgid = N_("Choose a file to send.");
        return RES_INVALID;
    }
    if (file->len == 0 || !file->data) {
        *err_msgid = N_("The file is empty.");
        return RES_INVALID;
    }
    if (file->len > ATTACH_MAX_BYTES) {
        *err_msgid = N_("The file is too large: 8 MB at most.");
        return RES_INVALID;
    }
    char name[ATTACH_NAME_MAX * 4 + 1];
    if (attach_filename_clean(file->filename, name, sizeof name) != 0) {
        *err_msgid = N_("The file name is not valid.");
        return RES_INVALID;
    }
    attach_verdict_t why;
    const char *type = attach_inspect(file->data, file->len, name, &why);
    if (!type) {
        *err_msgid = attach_verdict_msgid(why);
        return RES_INVALID;
    }
    if (!attach_ext_fits(type, name)) {
        *err_msgid = N_("The file name does not match its content.");
        return RES_INVALID;
    }
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, (const unsigned char *)file->data, file->len);
    char sha[crypto_hash_sha256_BYTES * 2 + 1];
    sodium_bin2hex(sha, sizeof sha, digest, sizeof digest);

    const char *name_p = name, *sha_p = sha;
    bool mine = !db_in_tx(db);
    if (mine && db_begin(db) != DB_OK) {
        *err_msgid = N_("The database is busy; try again.");
        return RES_ERROR;
    }
    int64_t now = now_utc();
    int64_t id = db_query_int(
        db,
        "INSERT INTO attachments(node_id, owner_kind, owner_id, filename, content_type, size, "
        "sha256, data, created_by, created_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        PARAMS(P_INT(node_id), P_TEXT(owner_kind), P_INT(owner_id), P_TEXT(name_p), P_TEXT(type),
               P_INT((int64_t)file->len), P_TEXT(sha_p), P_BLOB(file->data, file->len),
               actor > 0 ? P_INT(actor) : P_NULL, P_INT(now)),
        0);
    int rc = id > 0 ? DB_OK : DB_ERR;
    if (rc == DB_OK) {
        json_t *after = json_pack("{s:s, s:s, s:I, s:s, s:I}", "filename", name, "content_type",
                                  type, "size", (json_int_t)file->len, "owner_kind", owner_kind,
                                  "owner_id", (json_int_t)owner_id);
        json_t *ch = audit_diff(NULL, after);
        rc = audit_write(db, actor, "upload", "attachment", id, node_id, ch, ip);
        json_decref(ch);
        json_decref(after);
    }
    if (mine) {
        if (rc == DB_OK)
            rc = db_commit(db);
        else
            db_rollback(db);
    }
    if (rc != DB_OK) {
        *err_msgid = N_("The file could not be saved; try again.");
        return RES_ERROR;
    }
    if (id_out)
        *id_out = id;
    return RES_OK;
}

/* --- Reading -------------------------------------------------------------- */

void attach_size_text(int64_t size, const char *lang, char *out, size_t outlen)
{
    if (!lang || !i18n_supported(lang))
        lang = "en";
    char num[32];
    const char *unit;
    if (size < 1024) {
        snprintf(num, sizeof num, "%lld", (long long)size);
        unit = N_("%s B");
    } else if (size < 1024 * 1024) {
        snprintf(num, sizeof num, "%lld", (long long)((size + 1023) / 1024));
        unit = N_("%s KB");
    } else {
        long long tenths = (size * 10 + 512 * 1024) / (1024 * 1024);
        snprintf(num, sizeof num, "%lld%c%lld", tenths / 10, strcmp(lang, "fr") == 0 ? ',' : '.',
                 tenths % 10);
        unit = N_("%s MB");
    }
    /* the catalogue text is not a printf format: replace its one %s */
    const char *fmt = i18n_gettext(lang, unit);
    const char *at = strstr(fmt, "%s");
    if (!at)
        at = fmt + strlen(fmt);
    snprintf(out, outlen, "%.*s%s%s", (int)(at - fmt), fmt, num, *at ? at + 2 : "");
}

static json_t *attach_rows(db_t *db, const char *owner_kind, int64_t owner_id, int64_t limit,
                           int64_t offset)
{
    json_t *rows = db_query_json(
        db,
        "SELECT a.id, a.node_id, a.owner_kind, a.owner_id, a.filename, a.content_type, a.size, "
        "a.sha256, a.created_at, a.created_by FROM attachments a "
        "WHERE a.owner_kind = ? AND a.owner_id = ? "
        "ORDER BY a.created_at DESC, a.id DESC LIMIT ? OFFSET ?",
        PARAMS(P_TEXT(owner_kind), P_INT(owner_id), P_INT(limit), P_INT(offset)));
    return rows ? rows : json_array();
}

json_t *attach_list_page(req_t *r, const char *owner_kind, int64_t owner_id, int64_t limit,
                         int64_t offset)
{
    json_t *rows = attach_rows(r->db, owner_kind, owner_id, limit, offset);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        char size_h[32], when[64];
        attach_size_text(json_integer_value(json_object_get(row, "size")), r->lang, size_h,
                         sizeof size_h);
        format_local_datetime(json_integer_value(json_object_get(row, "created_at")), when,
                              sizeof when);
        json_object_set_new(row, "size_h", json_string(size_h));
        json_object_set_new(row, "created_at_h", json_string(when));
        const char *who = app_entity_name(r, "user", json_integer_value(json_object_get(row, "created_by")),
                                          NULL);
        json_object_set_new(row, "created_by_name", json_string(who ? who : ""));
    }
    return rows;
}

int attach_read(db_t *db, arena_t *a, int64_t id, bool with_data, attach_file_t *out)
{
    memset(out, 0, sizeof *out);
    db_res_t *res = db_query(db,
                             with_data
                                 ? "SELECT id, node_id, owner_kind, owner_id, filename, content_type,"
                                   " size, sha256, created_by, created_at, data FROM attachments"
                                   " WHERE id = ?"
                                 : "SELECT id, node_id, owner_kind, owner_id, filename, content_type,"
                                   " size, sha256, created_by, created_at FROM attachments"
                                   " WHERE id = ?",
                             PARAMS(P_INT(id)));
    if (!res)
        return -1;
    if (!db_next(res)) {
        db_res_free(res);
        return -1;
    }
    out->id = db_int(res, 0);
    out->node_id = db_int(res, 1);
    out->owner_kind = arena_strdup(a, db_text(res, 2));
    out->owner_id = db_int(res, 3);
    out->filename = arena_strdup(a, db_text(res, 4) ? db_text(res, 4) : "file");
    out->content_type = arena_strdup(a, db_text(res, 5) ? db_text(res, 5) : "application/octet-stream");
    out->size = db_int(res, 6);
    out->sha256 = arena_strdup(a, db_text(res, 7) ? db_text(res, 7) : "");
    out->created_by = db_int(res, 8);
    out->created_at = db_int(res, 9);
    if (with_data) {
        size_t len = 0;
        const void *data = db_blob(res, 10, &len);
        unsigned char *copy = arena_alloc(a, len + 1);
        if (data && len)
            memcpy(copy, data, len);
        out->data = copy;
        out->len = len;
    }
    db_res_free(res);
    return 0;
}

json_t *attach_list(db_t *db, const char *owner_kind, int64_t owner_id)
{
    return attach_rows(db, owner_kind, owner_id, 1000, 0);
}

int64_t attach_count(db_t *db, const char *owner_kind, int64_t owner_id)
{
    return db_query_int(db, "SELECT count(*) FROM attachments WHERE owner_kind = ? AND owner_id = ?",
                        PARAMS(P_TEXT(owner_kind), P_INT(owner_id)), 0);
}

/* Version 40. Files live in the database so that app servers keep no state. */
static const char attach_sql[] =
    "CREATE TABLE attachments(\n"
    "  id ID_PK,\n"
    "  node_id BIGINT NOT NULL REFERENCES nodes(id),\n"
    "  owner_kind TEXT NOT NULL,\n"
    "  owner_id BIGINT NOT NULL,\n"
    "  filename TEXT NOT NULL,\n"
    "  content_type TEXT NOT NULL,\n"
    "  size BIGINT NOT NULL,\n"
    "  sha256 TEXT,\n"
    "  data BLOB NOT NULL,\n"
    "  created_by BIGINT,\n"
    "  created_at BIGINT NOT NULL\n"
    ");\n"
    "CREATE INDEX attachments_owner ON attachments(owner_kind, owner_id);\n"
    "CREATE INDEX attachments_node ON attachments(node_id);\n";

const db_migration_t attach_migrations[ATTACH_N_MIGRATIONS] = {
    {40, "attachments", attach_sql, NULL},
};
