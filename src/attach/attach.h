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
 * (pdf, png, jpeg, gif, webp, odt/ods/docx/xlsx (zip), txt/csv (valid UTF-8)). */
const char *attach_sniff(const char *data, size_t len, const char *filename);

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

#define ATTACH_N_MIGRATIONS 1
extern const db_migration_t attach_migrations[ATTACH_N_MIGRATIONS]; /* versions 40-49 */
extern const module_t attach_module;

#endif
