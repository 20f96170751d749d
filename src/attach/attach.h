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

extern const route_t attach_routes[];
extern const size_t attach_routes_count;
extern const db_migration_t attach_migrations[];
extern const size_t attach_migrations_count;

#endif
