/* attach.h - one attachments service for every module (evidence, documents).
 * Files are stored in the database (app servers stay stateless), size-limited,
 * their type checked from their first bytes, served with Content-Disposition:
 * attachment and nosniff, readable only by those who can read the owner. */
#ifndef JOUDA_ATTACH_H
#define JOUDA_ATTACH_H

#include "../app/app.h"

#define ATTACH_MAX_BYTES (8 * 1024 * 1024)

/* Store an uploaded file for an owner object (owner_kind "node", later
 * "evidence"...), belonging to node_id, with its audit row (inside the
 * caller's transaction when one is open). RES_OK; RES_INVALID with
 * *err_msgid (no file, empty, too large, type not allowed, bad name);
 * RES_ERROR. */
res_t attach_store(db_t *db, int64_t node_id, const char *owner_kind, int64_t owner_id,
                   const http_file_t *file, int64_t actor, const char *ip, int64_t *id_out,
                   const char **err_msgid);
/* [{id, filename, content_type, size, created_at, created_by}] newest first. */
json_t *attach_list(db_t *db, const char *owner_kind, int64_t owner_id);
/* Detected MIME type of the bytes, NULL when not an allowed type
 * (pdf, png, jpeg, gif, webp, odt/ods/docx/xlsx/pptx (zip, checked by
 * attach_zip_check), txt/csv (valid UTF-8)). */
const char *attach_sniff(const char *data, size_t len, const char *filename);

/* Why bytes are refused. */
typedef enum {
    ATTACH_OK = 0,
    ATTACH_TYPE,          /* not a type accepted at all */
    ATTACH_DOC_INVALID,   /* an office document's name, not such a document inside */
    ATTACH_DOC_ACTIVE,    /* a document holding programs, scripts, web pages or macros */
    ATTACH_DOC_ENCRYPTED, /* a document with encrypted parts */
    ATTACH_DOC_TOO_BIG,   /* too many parts, or too large once unpacked */
} attach_verdict_t;
/* attach_sniff, saying why when it refuses (why may be NULL). */
const char *attach_inspect(const char *data, size_t len, const char *filename,
                           attach_verdict_t *why);
/* The msgid telling the uploader why (ATTACH_OK: NULL). */
const char *attach_verdict_msgid(attach_verdict_t v);

/* Office documents are zip archives, opened from memory and never unpacked:
 * at most ATTACH_ZIP_MAX_PARTS entries whose declared sizes add up to at
 * most ATTACH_ZIP_MAX_UNPACKED; no encrypted entry; nothing but stored or
 * deflated entries; no name leaving its folder; no program, script, web
 * page or macros, by name (.exe .dll .bat .cmd .com .msi .sh .js .vbs .jar
 * .ps1 .scr .html .htm .xhtml .svg .hta .wsf .lnk .cpl, vbaProject.bin; an
 * SVG picture is accepted in the pictures folder: word/ ppt/ xl/ media/,
 * Pictures/) or
 * by the first bytes of an entry (attach_head_is_active); and the container
 * of the kind: [Content_Types].xml naming ooxml_main_type (Office Open XML),
 * or a first entry "mimetype", stored, holding odf_mimetype (OpenDocument). */
#define ATTACH_ZIP_MAX_PARTS 5000
#define ATTACH_ZIP_MAX_UNPACKED ((uint64_t)256 * 1024 * 1024)
attach_verdict_t attach_zip_check(const char *data, size_t len, const char *ooxml_main_type,
                                  const char *odf_mimetype);
/* Do these first bytes of a file start a program (Windows, Linux, macOS,
 * Java), a script (#!) or a web page or SVG image (HTML markup)? */
bool attach_head_is_active(const char *data, size_t n);

/* --- Additions used by the pages and tests ------------------------------ */
#define ATTACH_NAME_MAX 200 /* characters of a stored file name */
/* The name to store: last path component, valid UTF-8, no control or
 * bidirectional-override characters, no '"', at most ATTACH_NAME_MAX
 * characters (the extension kept). 0, or -1 when nothing usable is left. */
int attach_filename_clean(const char *in, char *out, size_t outlen);
/* "12 KB" / "1,5 Mo" / "3 ك.ب" in the language lang. */
void attach_size_text(int64_t size, const char *lang, char *out, size_t outlen);
/* Like attach_list, with paging, for the reader: each item also has size_h
 * (written for the reader's language), created_at_h and created_by_name. */
json_t *attach_list_page(req_t *r, const char *owner_kind, int64_t owner_id, int64_t limit,
                         int64_t offset);
int64_t attach_count(db_t *db, const char *owner_kind, int64_t owner_id);

/* --- Reading a stored file back (modules owning their files' pages) ------ */
typedef struct {
    int64_t id, node_id, owner_id, size, created_by, created_at;
    const char *owner_kind, *filename, *content_type, *sha256;
    const unsigned char *data; /* with_data only (else NULL) */
    size_t len;
} attach_file_t;
/* One stored file, its bytes too when with_data, in the arena. 0, or -1
 * when absent (or on error). */
int attach_read(db_t *db, arena_t *a, int64_t id, bool with_data, attach_file_t *out);
/* Answer the request with stored file id as a download (Content-Disposition:
 * attachment with its name, its stored type, nosniff, never cached); 404
 * when absent. The caller has decided that the reader may have it. */
void attach_send(req_t *r, int64_t id);

#define ATTACH_N_MIGRATIONS 1
extern const db_migration_t attach_migrations[ATTACH_N_MIGRATIONS]; /* versions 40-49 */
extern const module_t attach_module;

#endif
