/* attach.h - one attachments service for every module (evidence, documents).
 * Files are stored in the database (app servers stay stateless), size-limited,
 * their type checked from their first bytes, served with Content-Disposition:
 * attachment and nosniff, readable only by those who can read the owner. */
#ifndef JOUDA_ATTACH_H
#define JOUDA_ATTACH_H

#include "../db/db.h"
#include "../http/http.h"

#define ATTACH_MAX_BYTES (8 * 1024 * 1024)

/* Store an uploaded file for an owner object (owner_kind "node", later
 * "evidence"...), belonging to node_id. On a user error returns -1 and sets
 * *err_msgid (empty file, too large, type not allowed, bad name).
 * Writes its own audit row. */
int attach_store(db_t *db, int64_t node_id, const char *owner_kind, int64_t owner_id,
                 const http_file_t *file, int64_t actor, const char *ip, int64_t *id_out,
                 const char **err_msgid);
/* [{id, filename, content_type, size, created_at, created_by_name}] newest first. */
json_t *attach_list(db_t *db, const char *owner_kind, int64_t owner_id);
/* Resolver for /attachments/{id}: the owning node, 0 when absent. */
int64_t attach_resolve(req_t *r, int64_t id);
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
/* Like attach_list, with paging and sizes/dates for display: each item also
 * has size_h, created_at_h, node_id, owner_kind, owner_id, sha256, created_by. */
json_t *attach_list_page(db_t *db, const char *owner_kind, int64_t owner_id, const char *lang,
                         int64_t limit, int64_t offset);
int64_t attach_count(db_t *db, const char *owner_kind, int64_t owner_id);
/* For a node page: sets model keys "documents" (empty when the reader may
 * not read them), "can_upload" and "upload_action", as the partial
 * attach/documents expects. */
void attach_node_model(req_t *r, json_t *model, int64_t node_id);

extern const route_t attach_routes[];
extern const size_t attach_routes_count;
extern const db_migration_t attach_migrations[];
extern const size_t attach_migrations_count;

#endif
