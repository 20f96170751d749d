/* onb_kit.c - the wizard's kit: its preview (the kit module's import without
 * applying it) and the zip kept between the pages under the run token,
 * since a file cannot ride in a hidden field. */
#include "onboard_internal.h"

#include <string.h>

const char *onb_run_new(req_t *r)
{
    char t[TOKEN_CHARS + 1];
    token_random(t, sizeof t);
    return arena_strdup(r->arena, t);
}

const char *onb_run_hash(req_t *r, const char *run)
{
    char h[65];
    token_keyed_hash(run, h, sizeof h);
    return arena_strdup(r->arena, h);
}

res_t onb_kit_preview(req_t *r, json_t *errors, onb_plan_t *p)
{
    if (!p->kit || p->kit_len == 0)
        return RES_OK;
    kit_opts_t o = {.apply = false,
                    .allow_unsigned = p->allow_unsigned,
                    .node_id = p->assoc_id,
                    .actor = r->user ? r->user->id : 0,
                    .ip = req_ip(r)};
    json_t *report = NULL;
    const char *msg = NULL;
    res_t rc = kit_import(r, r->db, r->arena, p->kit, p->kit_len, &o, &report, &msg);
    if (report)
        arena_defer(r->arena, (void (*)(void *))json_decref, report);
    if (rc == RES_OK) {
        p->kit_report = report;
        return RES_OK;
    }
    if (rc == RES_INVALID || rc == RES_NOT_FOUND) {
        v_error(errors, "kit", msg ? msg : N_("This file is not a transfer kit Jouda can read."));
        return RES_INVALID;
    }
    return RES_ERROR;
}

int onb_kit_stage(req_t *r, const onb_plan_t *p)
{
    if (!p->run || !p->kit)
        return DB_ERR;
    const char *h = onb_run_hash(r, p->run);
    int64_t now = now_utc();
    int rc = db_exec(r->db,
                     "UPDATE onboard_runs SET kit = ?, kit_name = ?, updated_at = ?"
                     " WHERE token_hash = ? AND user_id = ? AND eps_id IS NULL",
                     PARAMS(P_BLOB(p->kit, p->kit_len), P_TEXT(p->kit_name), P_INT(now), P_TEXT(h),
                            P_INT(r->user->id)));
    if (rc != DB_OK || db_changes(r->db) > 0)
        return rc;
    return db_exec(r->db,
                   "INSERT INTO onboard_runs (token_hash, user_id, kit, kit_name, created_at,"
                   " updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                   PARAMS(P_TEXT(h), P_INT(r->user->id), P_BLOB(p->kit, p->kit_len),
                          P_TEXT(p->kit_name), P_INT(now), P_INT(now)));
}

void onb_kit_load(req_t *r, onb_plan_t *p)
{
    if (!p->run)
        return;
    db_res_t *res = db_query(r->db,
                             "SELECT kit, kit_name FROM onboard_runs WHERE token_hash = ?"
                             " AND user_id = ? AND eps_id IS NULL AND kit IS NOT NULL",
                             PARAMS(P_TEXT(onb_run_hash(r, p->run)), P_INT(r->user->id)));
    if (res && db_next(res)) {
        size_t len = 0;
        const void *data = db_blob(res, 0, &len);
        if (data && len > 0) {
            unsigned char *copy = arena_alloc(r->arena, len);
            memcpy(copy, data, len);
            p->kit = copy;
            p->kit_len = len;
            p->kit_name = arena_strdup(r->arena, db_text(res, 1) ? db_text(res, 1) : "kit.zip");
        }
    }
    db_res_free(res);
}

void onb_kit_unstage(req_t *r, const char *run)
{
    if (!run)
        return;
    db_exec(r->db,
            "UPDATE onboard_runs SET kit = NULL, kit_name = NULL, updated_at = ?"
            " WHERE token_hash = ? AND user_id = ? AND eps_id IS NULL",
            PARAMS(P_INT(now_utc()), P_TEXT(onb_run_hash(r, run)), P_INT(r->user->id)));
}

int64_t onb_run_done(req_t *r, const char *run)
{
    if (!run)
        return 0;
    return db_query_int(r->db,
                        "SELECT eps_id FROM onboard_runs WHERE token_hash = ? AND user_id = ?",
                        PARAMS(P_TEXT(onb_run_hash(r, run)), P_INT(r->user->id)), 0);
}
