/* kit.h - transfer kits: a signed zip of what an instance shares
 * (référentiels, projet d'établissement templates, published sheets,
 * approved documents), read without touching the disk, verified, previewed
 * and imported in one transaction. The format is docs/formats/kit.md. */
#ifndef JOUDA_KIT_H
#define JOUDA_KIT_H

#include "../app/app.h"

extern const module_t kit_module;

/* How to import a kit. */
typedef struct {
    bool apply;          /* false: preview only (dry run), nothing written */
    bool allow_unsigned; /* accept an unsigned kit or one signed by an unknown key (warning) */
    int64_t node_id;     /* where sheets and documents go: 0 = the root, or an association */
    int64_t actor;       /* the user importing (0: the command line) */
    const char *ip;      /* for audit rows (NULL: "cli") */
} kit_opts_t;

/* Read, verify and import (or preview) a kit. RES_OK with *report =
 * {"producer","created_at","signed":bool,"key_known":bool,"warnings":[msg],
 *  "items":[{"type","code","version","title","action":"create|update|same|skip|invalid","message"}],
 *  "counts":{"create":n,"update":n,"same":n,"skip":n,"invalid":n}}
 * (messages translated in r's language; without r, the English msgids);
 * RES_INVALID with *err_msgid (tampered, bad zip, unsigned without
 * allow_unsigned...: the message already translated in r's language and
 * filled, in a); RES_NOT_FOUND when node_id is not the root or an
 * association; RES_ERROR on a database failure. With apply, every item is
 * written in one transaction (all or nothing), audited, and the import is
 * kept in the history (kit_imports). *report is a new object: the caller
 * json_decref's it. Inside a caller's transaction, the import joins it. */
res_t kit_import(req_t *r_or_null, db_t *db, arena_t *a, const void *zip, size_t len,
                 const kit_opts_t *o, json_t **report, const char **err_msgid);

/* Build a kit of the instance: every part's items placed within the
 * subtree of scope_path (the stored path of the root or of an association;
 * NULL: the root's, the whole instance) or above it (the national items in
 * an association's kit), signed with the instance's key when it has one
 * (*signed_out tells; the seal key must be loaded to open it). *zip
 * (malloc'ed, the caller frees) and *len. RES_OK, or RES_ERROR with
 * *err_msgid. */
res_t kit_export(db_t *db, arena_t *a, const char *scope_path, void **zip, size_t *len,
                 bool *signed_out, const char **err_msgid);

/* The instance's name (the kit's producer): the setting instance_name, or
 * "Jouda" when unset. In a. */
const char *kit_instance_name(db_t *db, arena_t *a);
/* Set it (1 to 100 characters, one line), audited, in one transaction (or
 * the caller's). RES_OK, RES_INVALID when name is not valid, RES_ERROR. */
res_t kit_set_instance_name(db_t *db, const char *name, int64_t actor, const char *ip);
/* Does name suit the instance (1-100 characters, valid UTF-8, one line)? */
bool kit_instance_name_ok(const char *name);

#endif
