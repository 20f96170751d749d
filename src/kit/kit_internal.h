/* kit_internal.h - private to the kit module: the pure reader and writer of
 * the zip (kit_read.c, kit_write.c: no database, fuzzed and unit-tested), the
 * keys and the instance's name (kit_keys.c), the import and export
 * (kit_import.c, kit_export.c), handlers (kit_pages.c, kit_api.c).
 *
 * Tables (migrations 640-649):
 *   kit_signing_key  the instance's Ed25519 key pair: one row (id 1), the
 *                    public key in base64, the secret key sealed at rest
 *                    (seal_text; declared in module_t.sealed so that
 *                    `jouda key rotate` seals it again)
 *   kit_keys         the public keys this instance trusts, named, who/when
 *   kit_imports      the history of imports (producer, sha256 of the zip,
 *                    signed/key, counts, who/when) and, for the pages, the
 *                    bytes of a previewed kit until it is applied (an hour)
 * The instance's name is the setting "instance_name" (table settings). */
#ifndef JOUDA_KIT_INTERNAL_H
#define JOUDA_KIT_INTERNAL_H

#include "kit.h"

#define KIT_FORMAT "jouda-kit/1"

/* Limits of the reader (and of what the writer produces). */
#define KIT_MAX_ZIP (64u * 1024 * 1024)       /* the zip itself */
#define KIT_MAX_ENTRIES 5000                  /* entries in the zip */
#define KIT_MAX_ENTRY (16u * 1024 * 1024)     /* one entry, unpacked */
#define KIT_MAX_TOTAL (256u * 1024 * 1024)    /* every entry, unpacked */
#define KIT_MAX_MANIFEST (4u * 1024 * 1024)   /* manifest.json */
#define KIT_MAX_RATIO 100                     /* unpacked / packed, beyond KIT_RATIO_FLOOR */
#define KIT_RATIO_FLOOR (1024u * 1024)        /* entries smaller than this are not ratio-checked */
/* Every entry together unpacks to no more than KIT_MAX_RATIO times the
 * zip's own length (and at least KIT_RATIO_FLOOR is allowed), never more
 * than KIT_MAX_TOTAL: what a zip of zip_len bytes may unpack to. */
static inline uint64_t kit_total_limit(size_t zip_len)
{
    uint64_t l = (uint64_t)zip_len * KIT_MAX_RATIO;
    if (l < KIT_RATIO_FLOOR)
        l = KIT_RATIO_FLOOR;
    return l < KIT_MAX_TOTAL ? l : KIT_MAX_TOTAL;
}
#define KIT_MAX_FILES 100                     /* files beside one item */
#define KIT_MAX_TITLE 500
#define KIT_MAX_PRODUCER 100

#define KIT_PK_BYTES 32  /* crypto_sign_PUBLICKEYBYTES */
#define KIT_SK_BYTES 64  /* crypto_sign_SECRETKEYBYTES */
#define KIT_SIG_BYTES 64 /* crypto_sign_BYTES */
#define KIT_PK_B64_MAX 64

/* --- The reader (kit_read.c, pure) ----------------------------------------- */

typedef struct {
    const char *name, *path;
    const unsigned char *data;
    size_t len;
} kit_rfile_t;

typedef struct {
    const char *type, *code, *title, *lang, *path;
    int64_t version;
    json_t *doc;                 /* item.json parsed (freed with the arena) */
    kit_rfile_t *files;
    size_t n_files;
} kit_ritem_t;

typedef struct {
    const char *producer, *created_at;
    const char *public_key;      /* base64 as in the manifest, NULL when null */
    unsigned char pk[KIT_PK_BYTES];
    bool has_key;                /* public_key given and well formed */
    bool has_sig;                /* manifest.sig present */
    bool signed_ok;              /* the signature verifies with public_key */
    kit_ritem_t *items;
    size_t n_items;
    unsigned char sha256[32];    /* of the whole zip */
    json_t *manifest;            /* parsed manifest (freed with the arena) */
} kit_read_t;

/* Error codes of the reader: the API's code, and the msgid. */
typedef struct {
    const char *code;   /* "kit_too_large" "kit_invalid" "kit_tampered" "kit_bomb" "kit_name" */
    const char *msgid;
    const char *arg;    /* fills a "%s" of msgid (an entry's name), may be NULL */
} kit_error_t;

/* Read and check a kit in memory (never on disk): the zip's limits (size,
 * entries, sizes declared and actual, total - also against the zip's
 * length, kit_total_limit -, ratio), names (the layout
 * only), manifest (JSON, format, contents), every entry listed and every
 * listed entry present with its size and sha256, and the signature when
 * there is one (a signature that does not verify is a tampered kit). Trust
 * is the caller's: the reader says whether it is signed and by which key.
 * true, or false with *err. Everything lives in a. */
bool kit_read(arena_t *a, const void *zip, size_t len, kit_read_t *out, kit_error_t *err);

/* Shapes shared by the reader and the writer. */
bool kit_type_ok(const char *s);     /* [a-z_]{1,40} */
bool kit_code_ok(const char *s);     /* [a-z0-9._-]{1,60}, not starting with '.' */
bool kit_fname_ok(const char *s);    /* [A-Za-z0-9._-]{1,100}, not starting with '.' */
/* "<type>/<code>/v<version>/" in a. */
const char *kit_item_dir(arena_t *a, const char *type, const char *code, int64_t version);
void kit_hex(const unsigned char *in, size_t n, char *out); /* out: 2n+1 */
/* base64 (standard, padded) of a public key <-> bytes; false when malformed. */
const char *kit_pk_b64(arena_t *a, const unsigned char pk[KIT_PK_BYTES]);
bool kit_pk_parse(const char *b64, unsigned char pk[KIT_PK_BYTES]);

/* --- The writer (kit_write.c, pure) ----------------------------------------- */

/* Build a kit of items (in that order) into *zip (malloc'd) and *len:
 * manifest.json (producer, created_at as ISO UTC, the public key when sk is
 * given) and manifest.sig when sk (64 bytes) is given. Entries up to the
 * ratio floor are deflated, larger ones stored; a kit that would then unpack
 * to more than kit_total_limit(its length) is written again with every entry
 * stored, so the reader never takes it for a zip bomb. false with *err when
 * an item is malformed (code, type, file names) or the kit would exceed the
 * reader's limits. */
bool kit_write(const app_kit_item_t *items, size_t n, const char *producer, int64_t created_at,
               const unsigned char *sk, void **zip, size_t *len, kit_error_t *err);
/* The bytes of an item's item.json (canonical: keys sorted, two-space
 * indentation, UTF-8), malloc'd. */
char *kit_item_json(const json_t *doc, size_t *len);

/* --- Keys and the instance's name (kit_keys.c) ------------------------------ */

/* The instance's public key (base64, in a), NULL when none. */
const char *kit_own_public(db_t *db, arena_t *a);
/* The instance's secret key, opened (seal key loaded): true with sk. */
bool kit_own_secret(db_t *db, arena_t *a, unsigned char sk[KIT_SK_BYTES]);
/* Create the key pair (replacing one only with force). RES_OK with *pk_b64,
 * RES_CONFLICT when one exists and !force, RES_ERROR. Audited. */
res_t kit_keygen(db_t *db, arena_t *a, bool force, int64_t actor, const char *ip,
                 const char **pk_b64);
/* Is this key the instance's own or a trusted one? *name: the trusted key's
 * name (or NULL for the own key). */
bool kit_key_trusted(db_t *db, arena_t *a, const char *pk_b64, const char **name);
/* Trust a key under a name. RES_INVALID with *msgid (bad key or name),
 * RES_CONFLICT when trusted already, RES_ERROR. Audited. */
res_t kit_trust(db_t *db, const char *name, const char *key, int64_t actor, const char *ip,
                const char **msgid, int64_t *id_out);
/* Forget a trusted key (by id). RES_NOT_FOUND, RES_OK. Audited. */
res_t kit_untrust(db_t *db, int64_t id, int64_t actor, const char *ip);
/* Trusted keys: [{id, name, public_key, created_at, created_by}] by name. */
json_t *kit_keys_json(db_t *db);

/* --- Import history (kit_import.c) ------------------------------------------ */

/* kit_import with the history row of a previewed kit (pages; 0 otherwise)
 * and the refusal's code for the API ("kit_invalid", "kit_too_large",
 * "kit_tampered", "kit_unsigned", "kit_unknown_key", "not_found",
 * "conflict"; may be NULL). */
res_t kit_import_at(req_t *r, db_t *db, arena_t *a, const void *zip, size_t len,
                    const kit_opts_t *o, int64_t history_id, json_t **report,
                    const char **err_msgid, const char **err_code);
/* The node an import goes to: 0 -> the root; otherwise the root or an
 * association. Its path in *path. 0 when none. */
int64_t kit_target_node(db_t *db, arena_t *a, int64_t node_id, const char **path);
/* Keep the bytes of a previewed kit (an hour) for user; its id. */
int64_t kit_preview_keep(db_t *db, const void *zip, size_t len, const json_t *report,
                         int64_t user);
/* The bytes of a kept preview of user (in a), NULL when gone or another's. */
const void *kit_preview_load(db_t *db, arena_t *a, int64_t id, int64_t user, size_t *len);
/* The applied imports, newest first: [{id, producer, created_at, signed, key_known,
 * key_name, n_create, ..., imported_by, imported_at, node_id}]. */
json_t *kit_history_json(db_t *db, int64_t limit);

/* --- Handlers ---------------------------------------------------------------- */
/* May the user use kits (admin or quality advisor at the root or an association)? */
bool kit_can_use(req_t *r);
/* May the user manage the instance (its name, its key, trusted keys): an admin at the root? */
bool kit_can_admin(req_t *r);

/* Where an import goes unless the reader picks: the root when they hold
 * quality.write there, else the first association where they do; 0 when none. */
int64_t kit_default_node(req_t *r);
/* The instance's kit as a download (pages and API). */
void kit_send_export(req_t *r);

void kit_page_index(req_t *r);
void kit_page_export(req_t *r);
void kit_page_upload(req_t *r);
void kit_page_apply(req_t *r);
void kit_page_name(req_t *r);
void kit_page_trust(req_t *r);
void kit_page_untrust(req_t *r);
void kit_page_keygen(req_t *r);
void kit_api_export(req_t *r);
void kit_api_import(req_t *r);

#endif
