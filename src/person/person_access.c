/* person_access.c - who may see a person (the rules are written at the top
 * of person_internal.h), the routes' resolver and check, the scope of lists,
 * two-step verification before personal data, the access log, grants and
 * the EPS's settings. */
#include "person_internal.h"

#include <string.h>

static bool is_referent(req_t *r, int64_t person_id)
{
    return db_query_int(r->db,
                        "SELECT COUNT(*) FROM person_referents WHERE person_id = ? AND user_id = ?",
                        PARAMS(P_INT(person_id), P_INT(r->user->id)), 0) > 0;
}

static bool has_grant(req_t *r, int64_t person_id)
{
    return db_query_int(r->db,
                        "SELECT COUNT(*) FROM person_grants WHERE person_id = ? AND user_id = ?"
                        " AND revoked_at = 0 AND until_day >= ?",
                        PARAMS(P_INT(person_id), P_INT(r->user->id), P_TEXT(pers_today(r->arena))),
                        0) > 0;
}

pers_access_t pers_access(req_t *r, int64_t person_id, const char *path)
{
    if (!r->user || !path)
        return PERS_NONE;
    if (app_can_at_path(r, PERM_PERSONAL_WRITE, path))
        return PERS_WRITE;
    if (app_can_at_path(r, PERM_PERSONAL_READ, path))
        return PERS_READ;
    if (is_referent(r, person_id))
        return PERS_WRITE;
    if (has_grant(r, person_id))
        return PERS_READ;
    return PERS_NONE;
}

/* The EPS id of a stored path of an EPS or unit: its third id
 * ("/root/association/eps/[unit/]"). */
static int64_t path_eps(const char *path)
{
    int64_t ids[8];
    int n = nodes_path_parse(path, ids, 8);
    return n >= 3 ? ids[2] : 0;
}

static bool eps_requires_totp(db_t *db, int64_t eps_id)
{
    return eps_id > 0 &&
           db_query_int(db, "SELECT require_totp FROM person_settings WHERE eps_id = ?",
                        PARAMS(P_INT(eps_id)), 0) != 0;
}

bool pers_totp_missing(req_t *r, int64_t eps_id)
{
    if (!r->user)
        return false;
    bool needed = account_totp_expected(r);
    if (!needed && eps_id > 0)
        needed = eps_requires_totp(r->db, eps_id);
    if (!needed && eps_id == 0) {
        /* a list across the reader's places: any of their EPS asking it */
        int64_t now = now_utc();
        for (int i = 0; !needed && i < r->user->n_roles; i++) {
            const role_assignment_t *ra = &r->user->roles[i];
            if (authz_role_live(ra, now) && ra->role == ROLE_STAFF && ra->node_path)
                needed = eps_requires_totp(r->db, path_eps(ra->node_path));
        }
    }
    if (!needed || account_totp_enrolled(r->db, r->user->id))
        return false;
    app_deny(r, "totp_required",
             N_("Personal data stay closed until you set up two-step verification on your "
                "profile."),
             ACCOUNT_TOTP_PAGE, N_("Set up two-step verification"));
    return true;
}

bool pers_totp_gate(req_t *r, int64_t eps_id)
{
    if (!pers_totp_missing(r, eps_id))
        return true;
    respond_error(r, 403, "totp_required", NULL, NULL);
    return false;
}

int64_t pers_resolve(req_t *r, int64_t id)
{
    return db_query_int(r->db, "SELECT node_id FROM persons WHERE id = ?", PARAMS(P_INT(id)), 0);
}

int pers_check(req_t *r, int64_t id)
{
    const char *path = NULL;
    int64_t eps = 0, node = 0;
    if (!r->user || pers_where(r->db, r->arena, id, &path, &eps, &node) != 0)
        return 404;
    pers_access_t need = r->route && r->route->perm == PERM_PERSONAL_WRITE ? PERS_WRITE
                                                                            : PERS_READ;
    pers_access_t has = pers_access(r, id, path);
    if (has == PERS_NONE) {
        /* as for anything else: 404 outside the reader's scope, 403 inside */
        authz_result_t d = app_authorize(r, need == PERS_WRITE ? PERM_PERSONAL_WRITE
                                                                : PERM_PERSONAL_READ,
                                         node);
        return d == AUTHZ_FORBIDDEN ? 403 : 404;
    }
    if (pers_totp_missing(r, eps))
        return 403;
    return has >= need ? 0 : 403;
}

bool pers_is_director(req_t *r, const char *path)
{
    static const role_t director[] = {ROLE_DIRECTOR};
    return path && app_role_over(r, path, director, 1);
}

int pers_check_director(req_t *r, int64_t id)
{
    int st = pers_check(r, id);
    if (st)
        return st;
    const char *path = NULL;
    int64_t eps = 0, node = 0;
    if (pers_where(r->db, r->arena, id, &path, &eps, &node) != 0)
        return 404;
    return pers_is_director(r, path) ? 0 : 403;
}

void pers_scope_sql(req_t *r, buf_t *sql, db_param_t *params, int *np, int max)
{
    /* one set of ids, not an OR of conditions: an OR would keep PostgreSQL
     * off the path index (a scan of every person at each request) */
    buf_puts(sql, "p.id IN (SELECT s.id FROM persons s WHERE ");
    app_scope_sql(r, PERM_PERSONAL_READ, "s.path", sql, params, np, max - 3);
    buf_puts(sql, " UNION SELECT rf.person_id FROM person_referents rf WHERE rf.user_id = ?"
                  " UNION SELECT g.person_id FROM person_grants g WHERE g.user_id = ? AND"
                  " g.revoked_at = 0 AND g.until_day >= ?)");
    params[(*np)++] = P_INT(r->user ? r->user->id : 0);
    params[(*np)++] = P_INT(r->user ? r->user->id : 0);
    params[(*np)++] = P_TEXT(pers_today(r->arena));
}

/* --- The access log ------------------------------------------------------------ */

void pers_log_read(req_t *r, int64_t person_id, const char *what)
{
    if (!r->user)
        return;
    if (db_exec(r->db, "INSERT INTO person_reads (person_id, user_id, at, what) VALUES (?, ?, ?, ?)",
                PARAMS(P_INT(person_id), P_INT(r->user->id), P_INT(now_utc()), P_TEXT(what))) !=
        DB_OK)
        log_error("person: the read of person %lld by user %lld was not logged: %s",
                  (long long)person_id, (long long)r->user->id, db_errmsg(r->db));
}

/* Labels of what was read, for the catalogues. */
static const char *const read_msgids[] __attribute__((unused)) = {
    N_("person.read.identity"), N_("person.read.needs"),  N_("person.read.plan"),
    N_("person.read.reviews"),  N_("person.read.access"), N_("person.read.api"),
    N_("person.read.export"),   N_("person.read.edit"),
};

json_t *pers_reads(req_t *r, int64_t person_id, int64_t limit)
{
    json_t *out = json_array();
    db_res_t *res = db_query(r->db,
                             "SELECT at, user_id, what FROM person_reads WHERE person_id = ?"
                             " ORDER BY at DESC, id DESC LIMIT ?",
                             PARAMS(P_INT(person_id), P_INT(limit > 0 ? limit : 100)));
    while (res && db_next(res)) {
        int64_t uid = db_int(res, 1);
        const char *href = NULL;
        const char *name = app_entity_name(r, "user", uid, &href);
        const char *what = db_text(res, 2);
        json_array_append_new(
            out, json_pack("{s:I, s:I, s:s, s:s, s:s}", "at", (json_int_t)db_int(res, 0),
                           "user_id", (json_int_t)uid, "user_name", name ? name : "?", "what",
                           what, "what_label",
                           T(r, arena_printf(r->arena, "person.read.%s", what))));
    }
    db_res_free(res);
    return out;
}

/* --- Grants ---------------------------------------------------------------------- */

static int notify_directors(req_t *r, const person_t *p, const char *msgid, int64_t user_id)
{
    const char *eps_path = nodes_path_of(r->db, r->arena, p->eps_id);
    json_t *dirs = users_holding(r->db, eps_path, ROLE_DIRECTOR);
    size_t i;
    json_t *d;
    int rc = DB_OK;
    const char *link = arena_printf(r->arena, "/persons/%lld?tab=access", (long long)p->id);
    json_array_foreach(dirs, i, d)
    {
        notify_arg_t args[] = {NOTIFY_REF("user", user_id), NOTIFY_REF("person", p->id)};
        rc = notify_user(r->db, json_integer_value(json_object_get(d, "id")), "person_grant",
                         msgid, link, args, 2);
        if (rc != DB_OK)
            break;
    }
    json_decref(dirs);
    return rc;
}

res_t pers_grant(req_t *r, const person_t *p, int64_t user_id, const char *until,
                 const char *reason, json_t *errors, int64_t *id_out)
{
    const char *day = pers_today(r->arena);
    char limit[11];
    iso_day_format(iso_day_number(day) + 366, limit);
    if (user_id <= 0 || !users_is_active(r->db, user_id))
        v_error(errors, "user_id", N_("Choose an active account."));
    else if (user_id == r->user->id)
        v_error(errors, "user_id", N_("You cannot give access to yourself."));
    if (!until || !*until)
        v_error(errors, "until", N_("Enter the last day of the access."));
    else if (strcmp(until, day) < 0 || strcmp(until, limit) > 0)
        v_error(errors, "until", N_("The access ends between today and one year from now."));
    if (!reason || !*reason)
        v_error(errors, "reason", N_("Say why this access is needed."));
    if (json_object_size(errors) > 0)
        return RES_INVALID;
    bool mine;
    if (!app_tx_begin(r->db, &mine))
        return RES_ERROR;
    int64_t id = 0;
    db_res_t *res = db_query(r->db,
                             "INSERT INTO person_grants (person_id, user_id, granted_by, until_day,"
                             " reason, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                             PARAMS(P_INT(p->id), P_INT(user_id), P_INT(r->user->id),
                                    P_TEXT(until), P_TEXT(reason), P_INT(now_utc())));
    if (res && db_next(res))
        id = db_int(res, 0);
    db_res_free(res);
    bool ok = id > 0;
    if (ok) {
        json_t *ch = json_pack("{s:{s:I}, s:{s:s}, s:s}", "user_id", "to", (json_int_t)user_id,
                               "until", "to", until, "reason", "changed");
        ok = audit_write(r->db, r->user->id, "access_grant", "person", p->id, p->node_id, ch,
                         req_ip(r)) == DB_OK;
        json_decref(ch);
    }
    if (ok) {
        notify_arg_t args[] = {NOTIFY_REF("person", p->id), NOTIFY_TEXT(until)};
        ok = notify_user(r->db, user_id, "person_grant",
                         N_("You were given access to the file of %s until %s."),
                         arena_printf(r->arena, "/persons/%lld", (long long)p->id), args,
                         2) == DB_OK &&
             notify_directors(r, p, N_("%s was given access to the file of %s."), user_id) ==
                 DB_OK;
    }
    if (app_tx_end(r->db, mine, ok) != DB_OK || !ok)
        return RES_ERROR;
    *id_out = id;
    return RES_OK;
}

res_t pers_grant_revoke(req_t *r, const person_t *p, int64_t grant_id)
{
    int64_t user_id = db_query_int(r->db,
                                   "SELECT user_id FROM person_grants WHERE id = ? AND"
                                   " person_id = ?",
                                   PARAMS(P_INT(grant_id), P_INT(p->id)), 0);
    if (user_id == 0)
        return RES_NOT_FOUND;
    bool mine;
    if (!app_tx_begin(r->db, &mine))
        return RES_ERROR;
    bool ok = db_exec(r->db,
                      "UPDATE person_grants SET revoked_at = ? WHERE id = ? AND revoked_at = 0",
                      PARAMS(P_INT(now_utc()), P_INT(grant_id))) == DB_OK;
    bool already = ok && db_changes(r->db) == 0;
    if (ok && !already) {
        json_t *ch = json_pack("{s:{s:I}}", "user_id", "from", (json_int_t)user_id);
        ok = audit_write(r->db, r->user->id, "access_revoke", "person", p->id, p->node_id, ch,
                         req_ip(r)) == DB_OK;
        json_decref(ch);
    }
    if (app_tx_end(r->db, mine, ok && !already) != DB_OK && ok && !already)
        return RES_ERROR;
    if (!ok)
        return RES_ERROR;
    return already ? RES_CONFLICT : RES_OK;
}

json_t *pers_grants(req_t *r, int64_t person_id)
{
    json_t *out = json_array();
    const char *day = pers_today(r->arena);
    db_res_t *res = db_query(r->db,
                             "SELECT id, user_id, until_day, reason, granted_by, created_at,"
                             " revoked_at FROM person_grants WHERE person_id = ? ORDER BY id DESC"
                             " LIMIT 200",
                             PARAMS(P_INT(person_id)));
    while (res && db_next(res)) {
        const char *href = NULL;
        const char *user = app_entity_name(r, "user", db_int(res, 1), &href);
        const char *by = app_entity_name(r, "user", db_int(res, 4), &href);
        const char *until = db_text(res, 2);
        bool live = db_int(res, 6) == 0 && strcmp(until, day) >= 0;
        json_array_append_new(
            out, json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:I, s:I, s:b}", "id",
                           (json_int_t)db_int(res, 0), "user_id", (json_int_t)db_int(res, 1),
                           "user_name", user ? user : "?", "until", until, "reason",
                           db_text(res, 3), "granted_by_name", by ? by : "?", "created_at",
                           (json_int_t)db_int(res, 5), "revoked_at", (json_int_t)db_int(res, 6),
                           "live", live));
    }
    db_res_free(res);
    return out;
}

/* --- Settings ------------------------------------------------------------------- */

void pers_settings_get(db_t *db, int64_t eps_id, pers_settings_t *out)
{
    out->review_months = PERS_REVIEW_MAX_MONTHS;
    out->require_totp = false;
    db_res_t *res = db_query(db,
                             "SELECT review_months, require_totp FROM person_settings WHERE"
                             " eps_id = ?",
                             PARAMS(P_INT(eps_id)));
    if (res && db_next(res)) {
        int m = (int)db_int(res, 0);
        out->review_months = m >= 1 && m <= PERS_REVIEW_MAX_MONTHS ? m : PERS_REVIEW_MAX_MONTHS;
        out->require_totp = db_int(res, 1) != 0;
    }
    db_res_free(res);
}

res_t pers_settings_set(req_t *r, int64_t eps_id, const pers_settings_t *s)
{
    if (s->review_months < 1 || s->review_months > PERS_REVIEW_MAX_MONTHS)
        return RES_INVALID;
    pers_settings_t old;
    pers_settings_get(r->db, eps_id, &old);
    bool mine;
    if (!app_tx_begin(r->db, &mine))
        return RES_ERROR;
    bool ok = db_exec(r->db,
                      "INSERT INTO person_settings (eps_id, review_months, require_totp,"
                      " updated_by, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (eps_id) DO"
                      " UPDATE SET review_months = excluded.review_months, require_totp ="
                      " excluded.require_totp, updated_by = excluded.updated_by, updated_at ="
                      " excluded.updated_at",
                      PARAMS(P_INT(eps_id), P_INT(s->review_months), P_INT(s->require_totp),
                             P_INT(r->user->id), P_INT(now_utc()))) == DB_OK;
    json_t *ch = json_object();
    if (old.review_months != s->review_months)
        json_object_set_new(ch, "review_months",
                            json_pack("{s:i, s:i}", "from", old.review_months, "to",
                                      s->review_months));
    if (old.require_totp != s->require_totp)
        json_object_set_new(ch, "require_totp",
                            json_pack("{s:b, s:b}", "from", old.require_totp, "to",
                                      s->require_totp));
    if (ok && json_object_size(ch) > 0)
        ok = audit_write(r->db, r->user->id, "settings", "person_settings", eps_id, eps_id, ch,
                         req_ip(r)) == DB_OK;
    json_decref(ch);
    if (app_tx_end(r->db, mine, ok) != DB_OK || !ok)
        return RES_ERROR;
    return RES_OK;
}
