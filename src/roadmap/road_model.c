/* road_model.c - the stored steps of an establishment: reading them merged
 * with the facts other modules prove, checking what a person sends, writing
 * one step (audited), and opening the roadmap of a new EPS (road_open). */
#include "road_internal.h"

#include <string.h>

#define ROW_COLS "id, step, status, day, evidence, link, updated_by, updated_at, rev"

static void row_from(arena_t *a, db_res_t *res, road_row_t *out)
{
    out->id = db_int(res, 0);
    int st = road_status_parse(db_text(res, 2));
    out->status = st < 0 ? ROAD_TODO : (road_status_t)st;
    out->day = db_isnull(res, 3) ? NULL : arena_strdup(a, db_text(res, 3));
    out->evidence = arena_strdup(a, db_text(res, 4) ? db_text(res, 4) : "");
    out->link = arena_strdup(a, db_text(res, 5) ? db_text(res, 5) : "");
    out->updated_by = db_int(res, 6);
    out->updated_at = db_int(res, 7);
    out->rev = db_int(res, 8);
}

int road_load(db_t *db, arena_t *a, int64_t eps_id, const char *eps_path, road_eps_t *out)
{
    memset(out, 0, sizeof *out);
    out->eps_id = eps_id;
    out->eps_path = eps_path;
    for (int i = 0; i < ROAD_NSTEPS; i++) {
        out->rows[i].evidence = "";
        out->rows[i].link = "";
    }
    db_res_t *res = db_query(db, "SELECT " ROW_COLS " FROM road_steps WHERE eps_id = ? ORDER BY id",
                             PARAMS(P_INT(eps_id)));
    if (!res)
        return -1;
    while (db_next(res)) {
        int i = road_step_index(db_text(res, 1));
        if (i < 0)
            continue;
        row_from(a, res, &out->rows[i]);
        if (out->rows[i].updated_at > out->last_change)
            out->last_change = out->rows[i].updated_at;
    }
    int rc = db_res_status(res);
    db_res_free(res);
    if (rc != DB_OK)
        return -1;
    road_status_t stored[ROAD_NSTEPS];
    bool proved[ROAD_NSTEPS];
    for (int i = 0; i < ROAD_NSTEPS; i++) {
        stored[i] = out->rows[i].status;
        proved[i] = false;
        const app_fact_t *f = app_fact(road_steps[i].fact);
        if (!f)
            continue;
        app_ids_t ids = {0};
        if (f->eps(db, a, eps_path, &ids) != DB_OK)
            return -1;
        if (road_ids_has(ids.v, ids.n, eps_id)) {
            proved[i] = true;
            out->proof[i] = f->code;
        }
    }
    out->current = road_merge(stored, proved, out->done, &out->n_done);
    return 0;
}

/* --- What a request sends ------------------------------------------------ */

static bool link_ok(const char *s)
{
    if (!s || !*s)
        return true;
    if (strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0)
        return strlen(s) > 8 && !strchr(s, ' ');
    return s[0] == '/' && s[1] != '/' && s[1] != '\\' && !strchr(s, ' ');
}

/* A day: "YYYY-MM-DD" (the API, date pickers) or "dd/mm/yyyy" typed on a
 * page. "" clears it. NULL with an error when it is no real day. */
static const char *read_day(req_t *r, json_t *errors, const char *raw)
{
    char *t = str_trim(arena_strdup(r->arena, raw));
    if (!*t)
        return "";
    if (iso_day_valid(t))
        return t;
    int64_t start;
    if (!r->json && strlen(t) <= 10 && parse_local_date(t, &start, NULL) == 0) {
        char *out = arena_alloc(r->arena, 11);
        iso_day_local(start, out);
        return out;
    }
    v_error(errors, "day", r->json ? N_("Write the day as YYYY-MM-DD.") : N_("Enter a date as dd/mm/yyyy."));
    return NULL;
}

bool road_read_input(req_t *r, const road_row_t *cur, json_t *errors, road_input_t *in)
{
    in->status = cur->status;
    in->day = cur->day ? cur->day : "";
    in->evidence = cur->evidence ? cur->evidence : "";
    in->link = cur->link ? cur->link : "";
    bool bad = false;
    const char *st = input_str(r, "status", &bad);
    int s = bad || !st ? -1 : road_status_parse(st);
    if (s < 0)
        v_error(errors, "status", N_("Choose the status of the step: to do, in progress or done."));
    else
        in->status = (road_status_t)s;
    if (input_present(r, "day")) {
        bad = false;
        const char *raw = input_str(r, "day", &bad);
        json_t *jv = r->json ? json_object_get(r->json, "day") : NULL;
        if (bad || (jv && !json_is_string(jv) && !json_is_null(jv)))
            v_error(errors, "day", N_("Write the day as YYYY-MM-DD."));
        else {
            const char *d = raw ? read_day(r, errors, raw) : "";
            if (d)
                in->day = d;
        }
    }
    if (s == ROAD_DONE && !json_object_get(errors, "day")) {
        char today[11];
        iso_day_local(now_utc(), today);
        if (!*in->day)
            in->day = arena_strdup(r->arena, today);
        else if (strcmp(in->day, today) > 0)
            v_error(errors, "day", N_("A step is done on a day that has come: choose today or a day before."));
    }
    if (input_present(r, "evidence")) {
        const char *e = v_long_text(r, errors, "evidence", false, ROAD_EVIDENCE_MAX);
        if (e || !json_object_get(errors, "evidence"))
            in->evidence = e ? e : "";
    }
    if (input_present(r, "link")) {
        const char *l = v_text(r, errors, "link", false, ROAD_LINK_MAX);
        if (l && !link_ok(l))
            v_error(errors, "link", N_("Give an address starting with https:// or a page of Jouda starting with /."));
        else if (!json_object_get(errors, "link"))
            in->link = l ? l : "";
    }
    static const char *const order[] = {"status", "day", "evidence", "link", NULL};
    v_errors_order(errors, order);
    return json_object_size(errors) == 0;
}

/* --- Writing -------------------------------------------------------------- */

static json_t *row_json(const road_row_t *w)
{
    return json_pack("{s:s, s:s, s:s, s:s}", "status", road_status_code(w->status), "day",
                     w->day ? w->day : "", "evidence", w->evidence ? w->evidence : "", "link",
                     w->link ? w->link : "");
}

res_t road_write(db_t *db, int64_t actor, const char *ip, const node_t *eps, int step,
                 const road_input_t *in, int64_t rev)
{
    if (step < 0 || step >= ROAD_NSTEPS)
        return RES_NOT_FOUND;
    arena_t *a = arena_new();
    bool mine;
    if (!app_tx_begin(db, &mine)) {
        arena_free(a);
        return RES_ERROR;
    }
    road_row_t cur = {.status = ROAD_TODO, .evidence = "", .link = ""};
    db_res_t *res = db_query(db, "SELECT " ROW_COLS " FROM road_steps WHERE eps_id = ? AND step = ?",
                             PARAMS(P_INT(eps->id), P_TEXT(road_steps[step].code)));
    bool ok = res != NULL;
    if (res && db_next(res))
        row_from(a, res, &cur);
    db_res_free(res);
    res_t out = RES_OK;
    if (ok && rev > 0 && rev != (cur.id ? cur.rev : 0))
        out = RES_CONFLICT;
    road_row_t next = {.status = in->status, .day = in->day && *in->day ? in->day : NULL,
                       .evidence = in->evidence ? in->evidence : "", .link = in->link ? in->link : ""};
    json_t *before = row_json(&cur), *after = row_json(&next);
    json_t *changes = audit_diff(before, after);
    int64_t now = now_utc();
    if (ok && out == RES_OK && (json_object_size(changes) > 0 || !cur.id)) {
        int64_t id = cur.id;
        if (cur.id) {
            ok = db_exec(db,
                         "UPDATE road_steps SET status = ?, day = ?, evidence = ?, link = ?,"
                         " updated_by = ?, updated_at = ?, rev = rev + 1 WHERE id = ? AND rev = ?",
                         PARAMS(P_TEXT(road_status_code(next.status)), P_TEXT(next.day), P_TEXT(next.evidence),
                                P_TEXT(next.link), actor > 0 ? P_INT(actor) : P_NULL, P_INT(now),
                                P_INT(cur.id), P_INT(cur.rev))) == DB_OK;
            if (ok && db_changes(db) != 1)
                out = RES_CONFLICT;
        } else {
            id = db_query_int(db,
                              "INSERT INTO road_steps (eps_id, eps_path, step, status, day, evidence, link,"
                              " updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                              PARAMS(P_INT(eps->id), P_TEXT(eps->path), P_TEXT(road_steps[step].code),
                                     P_TEXT(road_status_code(next.status)), P_TEXT(next.day),
                                     P_TEXT(next.evidence), P_TEXT(next.link),
                                     actor > 0 ? P_INT(actor) : P_NULL, P_INT(now)),
                              0);
            ok = id > 0;
            /* the first write of this step made meanwhile by someone else
             * (UNIQUE(eps_id, step)): as a stale rev */
            if (!ok && db_last_code(db) == DB_CONSTRAINT) {
                ok = true;
                out = RES_CONFLICT;
            }
        }
        if (ok && out == RES_OK)
            ok = audit_write(db, actor, cur.id ? "update" : "create", "road_step", id, eps->id, changes, ip) == DB_OK;
    }
    json_decref(before);
    json_decref(after);
    json_decref(changes);
    arena_free(a);
    if (!ok) {
        app_tx_end(db, mine, false);
        return RES_ERROR;
    }
    if (out != RES_OK) {
        app_tx_end(db, mine, false);
        return out;
    }
    return app_tx_end(db, mine, true) == DB_OK ? RES_OK : RES_ERROR;
}

int road_open(db_t *db, int64_t eps_id, int64_t actor, const char *ip)
{
    arena_t *a = arena_new();
    node_t eps;
    if (nodes_load(db, a, eps_id, &eps) != 0 || eps.kind != NODE_EPS) {
        arena_free(a);
        return DB_ERR;
    }
    bool mine;
    if (!app_tx_begin(db, &mine)) {
        arena_free(a);
        return DB_ERR;
    }
    int64_t now = now_utc(), created = 0;
    bool ok = true;
    for (int i = 0; ok && i < ROAD_NSTEPS; i++) {
        ok = db_exec(db,
                     "INSERT INTO road_steps (eps_id, eps_path, step, status, updated_by, updated_at)"
                     " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (eps_id, step) DO NOTHING",
                     PARAMS(P_INT(eps.id), P_TEXT(eps.path), P_TEXT(road_steps[i].code),
                            P_TEXT(i == 0 ? "in_progress" : "todo"), actor > 0 ? P_INT(actor) : P_NULL,
                            P_INT(now))) == DB_OK;
        created += ok ? db_changes(db) : 0;
    }
    if (ok && created > 0) {
        json_t *changes = json_pack("{s:{s:n, s:I}}", "steps", "from", "to", (json_int_t)created);
        ok = audit_write(db, actor, "open", "roadmap", eps.id, eps.id, changes, ip) == DB_OK;
        json_decref(changes);
    }
    arena_free(a);
    return app_tx_end(db, mine, ok);
}
