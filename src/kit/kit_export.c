/* kit_export.c - the instance's kit: what every part shares (référentiels,
 * projet d'établissement templates, published sheets, approved
 * documents...) placed within the exported node's subtree or above it, in
 * module order, written by kit_write.c under the
 * instance's name and signed with its key when it has one. */
#include "kit_internal.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* Items of one part by code (bytes, whatever the database's collation) and
 * version: the same kit's manifest on SQLite and PostgreSQL. */
static int item_cmp(const void *x, const void *y)
{
    const app_kit_item_t *a = x, *b = y;
    int c = strcmp(a->code ? a->code : "", b->code ? b->code : "");
    if (c)
        return c;
    return a->version < b->version ? -1 : a->version > b->version;
}

res_t kit_export(db_t *db, arena_t *a, const char *scope_path, void **zip, size_t *len,
                 bool *signed_out, const char **err_msgid)
{
    *zip = NULL;
    *len = 0;
    *signed_out = false;
    *err_msgid = NULL;
    if (!scope_path) {
        const char *rp = NULL;
        if (kit_target_node(db, a, 0, &rp) <= 0) { /* 0: the root */
            *err_msgid = N_("The kit cannot be made: the database did not answer.");
            return RES_ERROR;
        }
        scope_path = rp;
    }
    app_kit_items_t items = {0};
    for (size_t p = 0; p < app_kit_part_count(); p++) {
        const app_kit_part_t *part = app_kit_part_at(p);
        size_t first = items.n;
        if (part->export && part->export(db, a, scope_path, &items) != DB_OK) {
            *err_msgid = N_("The kit cannot be made: the database did not answer.");
            return RES_ERROR;
        }
        if (items.n > first)
            qsort(items.v + first, items.n - first, sizeof *items.v, item_cmp);
    }
    unsigned char sk[KIT_SK_BYTES];
    bool has_sk = kit_own_public(db, a) && kit_own_secret(db, a, sk);
    kit_error_t e;
    bool ok = kit_write(items.v, items.n, kit_instance_name(db, a), now_utc(), has_sk ? sk : NULL,
                        zip, len, &e);
    sodium_memzero(sk, sizeof sk);
    if (!ok) {
        *err_msgid = e.msgid;
        return RES_ERROR;
    }
    *signed_out = has_sk;
    return RES_OK;
}
