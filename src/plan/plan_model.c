/* plan_model.c - improvement actions: reading them, what a request sends,
 * creating and changing them (every change audited as the action's
 * history, in one transaction with the change), comments, and the people who
 * may own them. */
#include "plan_internal.h"

#include <string.h>

#include "../core/fold.h"

static const char *opt_text(arena_t *a, db_res_t *res, int col)
{
    const char *t = db_text(res, col);
    return t ? arena_strdup(a, t) : NULL;
}

void act_from_row(arena_t *a, db_res_t *res, int col, action_t *o)
{
    memset(o, 0, sizeof *o);
    int c = col;
    o->id = db_int(res, c++);
    o->node_id = db_int(res, c++);
    o->unit_id = db_int(res, c++);
    o->owner_id = db_int(res, c++);
    o->campaign_id = db_int(res, c++);
    o->proposal_id = db_int(res, c++);
    o->follows_id = db_int(res, c++);
    o->rev = db_int(res, c++);
    o->node_path = opt_text(a, res, c++);
    o->title = opt_text(a, res, c++);
    o->description = opt_text(a, res, c++);
    o->origin = opt_text(a, res, c++);
    o->origin_label = opt_text(a, res, c++);
    o->item_code = opt_text(a, res, c++);
    o->theme = opt_text(a, res, c++);
    o->start_date = opt_text(a, res, c++);
    o->due_date = opt_text(a, res, c++);
    o->expected_result = opt_text(a, res, c++);
    o->check_method = opt_text(a, res, c++);
    o->check_date = opt_text(a, res, c++);
    o->check_comment = opt_text(a, res, c++);
    o->cancel_reason = opt_text(a, res, c++);
    o->done_date = opt_text(a, res, c++);
    o->overdue_since = opt_text(a, res, c++);
    int s = act_status_from_code(db_text(res, c++));
    o->status = s < 0 ? ACT_PROPOSED : (act_status_t)s;
    o->impact = (int)db_int(res, c++);
    o->effort = (int)db_int(res, c++);
    o->priority = (int)db_int(res, c++);
    o->progress = (int)db_int(res, c++);
    o->has_delay = !db_isnull(res, c);
    o->delay_days = db_int(res, c++);
    o->created_by = db_int(res, c++);
    o->created_at = db_int(res, c++);
    o->updated_at = db_int(res, c++);
    o->check_result = opt_text(a, res, c++);
}

int act_load(db_t *db, arena_t *a, int64_t id, action_t *out)
{
    db_res_t *res =
        db_query(db, "SELECT " ACT_COLS " FROM actions a WHERE a.id = ?", PARAMS(P_INT(id)));
    int rc = -1;
    if (res && db_next(res)) {
        act_from_row(a, res, 0, out);
        rc = 0;
    }
    db_res_free(res);
    return rc;
}

int64_t *act_contributors(db_t *db, arena_t *a, int64_t id, size_t *n)
{
    *n = 0;
    int64_t *ids = arena_alloc(a, (ACT_CONTRIBUTORS_MAX + 1) * sizeof *ids);
    db_res_t *res = db_query(db,
                             "SELECT user_id FROM action_contributors WHERE action_id = ?"
                             " ORDER BY user_id LIMIT 50",
                             PARAMS(P_INT(id)));
    while (res && db_next(res) && *n < ACT_CONTRIBUTORS_MAX)
        ids[(*n)++] = db_int(res, 0);
    db_res_free(res);
    return ids;
}

bool act_is_contributor(db_t *db, int64_t action_id, int64_t user_id)
{
    return db_query_int(db,
                        "SELECT COUNT(*) FROM action_contributors WHERE action_id = ? AND user_id = ?",
                        PARAMS(P_INT(action_id), P_INT(user_id)), 0) > 0;
}

/* --- People and units ---------------------------------------------------- */

json_t *act_units(req_t *r, int64_t eps_id)
{
    json_t *rows = db_query_json(r->db,
                                 "SELECT id, name, name_ar FROM nodes WHERE parent_id = ?"
                                 " AND kind = 'unit' AND active = 1 ORDER BY name, id",
                                 PARAMS(P_INT(eps_id)));
    json_t *out = json_array();
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        json_array_append_new(
            out, json_pack("{s:O, s:s}", "id", json_object_get(row, "id"), "name",
                           nodes_display_name(r, json_string_value(json_object_get(row, "name")),
                                              json_string_value(json_object_get(row, "name_ar")))));
    }
    json_decref(rows);
    return out;
}

/* --- What a request sends ------------------------------------------------ */

/* A day field: "YYYY-MM-DD" (the API and date pickers) or "dd/mm/yyyy"
 * typed on a page; stored as YYYY-MM-DD. "" or null clears it (present). */
static const char *v_day(req_t *r, json_t *errors, const char *field)
{
    bool bad = false;
    const char *raw = input_str(r, field, &bad);
    if (bad || (r->json && raw && !json_is_string(json_object_get(r->json, field)))) {
        v_error(errors, field, N_("Write the day as YYYY-MM-DD."));
        return NULL;
    }
    if (!raw)
        return NULL;
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
    v_error(errors, field, r->json ? N_("Write the day as YYYY-MM-DD.")
                                   : N_("Enter a date as dd/mm/yyyy."));
    return NULL;
}

/* An id field: a positive integer, "" or null for none (0). -1 absent. */
static int64_t v_id(req_t *r, json_t *errors, const char *field)
{
    if (!input_present(r, field))
        return -1;
    bool bad = false;
    const char *raw = input_str(r, field, &bad);
    if (!raw || !*raw)
        return bad ? (v_error(errors, field, N_("Enter a whole number.")), -1) : 0;
    if (r->json && !json_is_integer(json_object_get(r->json, field))) {
        v_error(errors, field, N_("Enter a whole number."));
        return -1;
    }
    int64_t v;
    if (bad || !str_to_i64(raw, &v) || v < 0) {
        v_error(errors, field, N_("Enter a whole number."));
        return -1;
    }
    return v;
}

static void read_contributors(req_t *r, json_t *errors, act_input_t *in)
{
    if (!input_present(r, "contributors"))
        return;
    in->has_contributors = true;
    if (r->json) {
        json_t *v = json_object_get(r->json, "contributors");
        if (json_is_null(v))
            return;
        if (!json_is_array(v) || json_array_size(v) > ACT_CONTRIBUTORS_MAX) {
            v_error(errors, "contributors", N_("Expected a list of user ids (at most 20)."));
            return;
        }
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            if (!json_is_integer(e) || json_integer_value(e) <= 0) {
                v_error(errors, "contributors", N_("Expected a list of user ids (at most 20)."));
                return;
            }
            in->contributors[in->n_contributors++] = json_integer_value(e);
        }
        return;
    }
    /* a page: one field per chosen person (checkboxes) */
    for (const http_kv_t *kv = r->http->form; kv; kv = kv->next) {
        if (strcmp(kv->key, "contributors") != 0 || !*kv->val)
            continue;
        int64_t id;
        if (!str_to_i64(kv->val, &id) || id <= 0 || in->n_contributors >= ACT_CONTRIBUTORS_MAX) {
            v_error(errors, "contributors", N_("Expected a list of user ids (at most 20)."));
            return;
        }
        in->contributors[in->n_contributors++] = id;
    }
}

static int v_level(req_t *r, json_t *errors, const char *field)
{
    if (!input_present(r, field))
        return -1;
    int64_t v = v_int(r, errors, field, false, 1, 3, -1);
    if (json_object_get(errors, field))
        json_object_set_new(errors, field, json_string(N_("Choose 1 (low), 2 (medium) or 3 (high).")));
    return (int)v;
}

void act_input_read(req_t *r, json_t *errors, act_input_t *in, bool creating)
{
    memset(in, 0, sizeof *in);
    in->impact = in->effort = in->progress = -1;
    in->node_id = in->unit_id = in->owner_id = in->campaign_id = in->proposal_id = -1;
    in->title = v_text(r, errors, "title", creating, ACT_TITLE_MAX);
    v_required_message(errors, "title", N_("Say what will be done."));
    if (!creating && input_present(r, "title") && !in->title && !json_object_get(errors, "title"))
        v_error(errors, "title", N_("Say what will be done."));
    in->description = v_long_text(r, errors, "description", false, ACT_TEXT_MAX);
    if (!in->description && input_present(r, "description"))
        in->description = "";
    in->origin = v_code(r, errors, "origin", creating, act_origin_codes);
    if (json_object_get(errors, "origin"))
        json_object_set_new(errors, "origin", json_string(N_("Say where the action comes from.")));
    in->origin_label = v_text(r, errors, "origin_label", false, ACT_TITLE_MAX);
    if (!in->origin_label && input_present(r, "origin_label"))
        in->origin_label = "";
    in->theme = v_text(r, errors, "theme", false, ACT_THEME_MAX);
    if (!in->theme && input_present(r, "theme"))
        in->theme = "";
    in->start_date = v_day(r, errors, "start_date");
    in->due_date = v_day(r, errors, "due_date");
    in->expected_result = v_long_text(r, errors, "expected_result", false, ACT_TEXT_MAX);
    if (!in->expected_result && input_present(r, "expected_result"))
        in->expected_result = "";
    in->check_method = v_long_text(r, errors, "check_method", false, ACT_TEXT_MAX);
    if (!in->check_method && input_present(r, "check_method"))
        in->check_method = "";
    in->impact = v_level(r, errors, "impact");
    in->effort = v_level(r, errors, "effort");
    if (input_present(r, "progress"))
        in->progress = (int)v_int(r, errors, "progress", false, 0, 100, -1);
    in->node_id = v_id(r, errors, "node_id");
    in->has_unit = input_present(r, "unit_id");
    in->unit_id = v_id(r, errors, "unit_id");
    in->has_owner = input_present(r, "owner_id");
    in->owner_id = v_id(r, errors, "owner_id");
    in->campaign_id = v_id(r, errors, "campaign_id");
    in->proposal_id = v_id(r, errors, "proposal_id");
    read_contributors(r, errors, in);
    in->status = v_code(r, errors, "status", false, act_status_codes);
    if (json_object_get(errors, "status"))
        json_object_set_new(errors, "status", json_string(N_("Unknown status.")));
    in->reason = v_text(r, errors, "reason", false, 500);
    in->check_date = v_day(r, errors, "check_date");
    in->check_comment = v_long_text(r, errors, "check_comment", false, ACT_TEXT_MAX);
    in->follow_up_title = v_text(r, errors, "follow_up_title", false, ACT_TITLE_MAX);
    in->follow_up_due = v_day(r, errors, "follow_up_due");
    /* the API calls it version, as everywhere; pages post rev */
    in->rev = v_int(r, errors, r->json ? "version" : "rev", false, 1, INT64_MAX, 0);
    in->criterion = v_text(r, errors, "criterion", false, 40);
    if (in->start_date && *in->start_date && in->due_date && *in->due_date &&
        strcmp(in->due_date, in->start_date) < 0)
        v_error(errors, "due_date", N_("The due date comes after the start."));
}

/* --- Writing ------------------------------------------------------------- */

static char *search_key_of(const char *title, const char *description, const char *theme)
{
    const char *fields[] = {title ? title : "", description ? description : "",
                            theme ? theme : ""};
    return text_fold_key(fields, 3);
}

static bool check_people(db_t *db, const char *eps_path, act_input_t *in, json_t *errors)
{
    if (in->owner_id > 0 && !users_works_at(db, eps_path, in->owner_id))
        v_error(errors, "owner_id", N_("The owner works at this establishment (its director, "
                                       "quality referent or staff)."));
    for (size_t i = 0; i < in->n_contributors; i++) {
        for (size_t k = 0; k < i; k++)
            if (in->contributors[k] == in->contributors[i])
                in->contributors[i] = 0; /* a duplicate: kept once */
        if (in->contributors[i] && !users_works_at(db, eps_path, in->contributors[i])) {
            v_error(errors, "contributors", N_("Contributors work at this establishment."));
            break;
        }
    }
    return !json_object_get(errors, "owner_id") && !json_object_get(errors, "contributors");
}

static bool check_unit(db_t *db, int64_t eps_id, int64_t unit_id, json_t *errors)
{
    if (unit_id <= 0)
        return true;
    if (db_query_int(db, "SELECT COUNT(*) FROM nodes WHERE id = ? AND parent_id = ? AND kind = 'unit'",
                     PARAMS(P_INT(unit_id), P_INT(eps_id)), 0) == 1)
        return true;
    v_error(errors, "unit_id", N_("Choose a unit of this establishment."));
    return false;
}

static int write_contributors(db_t *db, int64_t id, const act_input_t *in)
{
    if (db_exec(db, "DELETE FROM action_contributors WHERE action_id = ?", PARAMS(P_INT(id))) != DB_OK)
        return DB_ERR;
    for (size_t i = 0; i < in->n_contributors; i++)
        if (in->contributors[i] &&
            db_exec(db, "INSERT INTO action_contributors (action_id, user_id) VALUES (?, ?)",
                    PARAMS(P_INT(id), P_INT(in->contributors[i]))) != DB_OK)
            return DB_ERR;
    return DB_OK;
}

static json_t *ids_json(const int64_t *ids, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        if (ids[i])
            json_array_append_new(a, json_integer(ids[i]));
    return a;
}

/* "Amina Idrissi, Karim Benali": the names of the ids of the array, for
 * the history. */
static const char *people_names(db_t *db, arena_t *a, json_t *ids)
{
    buf_t b;
    buf_init(&b);
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        user_t u;
        if (users_load(db, a, json_integer_value(v), &u) == 0)
            buf_printf(&b, "%s%s", b.len ? ", " : "", u.name);
    }
    const char *out = arena_strdup(a, b.data ? b.data : "");
    buf_free(&b);
    return out;
}

static db_param_t p_text_or_null(const char *s) { return s && *s ? P_TEXT(s) : P_NULL; }
static db_param_t p_id_or_null(int64_t v) { return v > 0 ? P_INT(v) : P_NULL; }

res_t act_create(db_t *db, arena_t *a, int64_t actor, const char *ip, const node_t *eps,
                 act_input_t *in, bool manager, json_t *errors, int64_t *id_out)
{
    if (!check_people(db, eps->path, in, errors) | !check_unit(db, eps->id, in->unit_id, errors))
        return RES_INVALID;
    int st = ACT_PROPOSED;
    if (in->status) {
        st = act_status_from_code(in->status);
        /* a new action is proposed, or planned by a manager */
        if (st != ACT_PROPOSED && !(manager && st == ACT_PLANNED)) {
            v_error(errors, "status", manager ? N_("A new action is proposed or planned.")
                                              : N_("An action you create is proposed; the "
                                                   "director or the quality referent plans it."));
            return RES_INVALID;
        }
    }
    if (st == ACT_PLANNED && (in->owner_id <= 0 || !in->due_date || !*in->due_date)) {
        if (in->owner_id <= 0)
            v_error(errors, "owner_id", N_("A planned action has an owner."));
        if (!in->due_date || !*in->due_date)
            v_error(errors, "due_date", N_("A planned action has a due date."));
        return RES_INVALID;
    }
    int impact = in->impact > 0 ? in->impact : 2, effort = in->effort > 0 ? in->effort : 2;
    int64_t now = now_utc();
    char *key = search_key_of(in->title, in->description, in->theme);
    bool mine;
    if (!app_tx_begin(db, &mine)) {
        free(key);
        return RES_ERROR;
    }
    int64_t id = 0;
    db_res_t *res = db_query(
        db,
        "INSERT INTO actions (node_id, node_path, unit_id, title, description, origin, origin_label,"
        " campaign_id, item_code, proposal_id, follows_id, theme, owner_id, start_date, due_date,"
        " impact, effort, priority, status, progress, expected_result, check_method, created_by,"
        " created_at, updated_at, search_key)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " RETURNING id",
        PARAMS(P_INT(eps->id), P_TEXT(eps->path), p_id_or_null(in->unit_id), P_TEXT(in->title),
               P_TEXT(in->description ? in->description : ""), P_TEXT(in->origin),
               p_text_or_null(in->origin_label), p_id_or_null(in->campaign_id),
               p_text_or_null(in->criterion), p_id_or_null(in->proposal_id), P_NULL,
               P_TEXT(in->theme ? in->theme : ""), p_id_or_null(in->owner_id),
               p_text_or_null(in->start_date), p_text_or_null(in->due_date), P_INT(impact),
               P_INT(effort), P_INT(act_priority(impact, effort)),
               P_TEXT(act_status_code((act_status_t)st)),
               P_INT(in->progress > 0 ? act_progress_after((act_status_t)st, in->progress) : 0),
               P_TEXT(in->expected_result ? in->expected_result : ""),
               P_TEXT(in->check_method ? in->check_method : ""), P_INT(actor), P_INT(now),
               P_INT(now), P_TEXT(key)));
    free(key);
    if (res && db_next(res))
        id = db_int(res, 0);
    db_res_free(res);
    bool ok = id > 0 && write_contributors(db, id, in) == DB_OK;
    if (ok) {
        json_t *ch = json_object();
        json_object_set_new(ch, "title", json_pack("{s:s}", "to", in->title));
        json_object_set_new(ch, "origin", json_pack("{s:s}", "to", in->origin));
        json_object_set_new(ch, "status", json_pack("{s:s}", "to", act_status_code((act_status_t)st)));
        if (in->owner_id > 0)
            json_object_set_new(ch, "owner_id", json_pack("{s:I}", "to", (json_int_t)in->owner_id));
        if (in->due_date && *in->due_date)
            json_object_set_new(ch, "due_date", json_pack("{s:s}", "to", in->due_date));
        if (in->campaign_id > 0)
            json_object_set_new(ch, "campaign_id",
                                json_pack("{s:I}", "to", (json_int_t)in->campaign_id));
        if (in->criterion)
            json_object_set_new(ch, "criterion", json_pack("{s:s}", "to", in->criterion));
        ok = audit_write(db, actor, "create", "action", id, eps->id, ch, ip) == DB_OK;
        json_decref(ch);
        if (ok && in->owner_id > 0 && in->owner_id != actor)
            ok = notify_user(db, in->owner_id, "action", N_("You own a new improvement action: %s"),
                             arena_printf(a, "/actions/%lld", (long long)id),
                             (notify_arg_t[]){NOTIFY_REF("action", id)}, 1) == DB_OK;
    }
    if (app_tx_end(db, mine, ok) != DB_OK || !ok)
        return RES_ERROR;
    *id_out = id;
    return RES_OK;
}

/* Record a change of a text field: {"f": {"from", "to"}}. */
static void diff_text(json_t *ch, const char *field, const char *from, const char *to)
{
    if (!to || str_eq(from ? from : "", to))
        return;
    json_object_set_new(ch, field, json_pack("{s:o, s:o}", "from", json_str_or_null(from && *from ? from : NULL),
                                             "to", json_str_or_null(*to ? to : NULL)));
}

static void diff_int(json_t *ch, const char *field, int64_t from, int64_t to, bool id)
{
    if (from == to)
        return;
    json_object_set_new(ch, field,
                        json_pack("{s:o, s:o}", "from",
                                  id && from <= 0 ? json_null() : json_integer(from), "to",
                                  id && to <= 0 ? json_null() : json_integer(to)));
}

res_t act_update(db_t *db, arena_t *a, int64_t actor, const char *ip, const action_t *cur,
                 act_input_t *in, bool manager, json_t *errors, const char **msgid,
                 int64_t *follow_up_out)
{
    *follow_up_out = 0;
    if (in->rev && in->rev != cur->rev) {
        *msgid = N_("Someone changed this action in the meantime: reload it and try again.");
        return RES_CONFLICT;
    }
    /* what staff may change: the work, not its frame */
    if (!manager && (in->title || in->origin || in->origin_label || in->theme || in->impact > 0 ||
                     in->effort > 0 || in->has_owner || in->has_unit || in->has_contributors ||
                     in->due_date || in->start_date || in->expected_result || in->check_method)) {
        *msgid = N_("The director or the quality referent changes what the action is, who owns "
                    "it and when it is due; you record its progress.");
        return RES_FORBIDDEN;
    }
    if (in->has_owner && in->owner_id == 0 && cur->status != ACT_PROPOSED) {
        v_error(errors, "owner_id", N_("A planned action has an owner."));
        return RES_INVALID;
    }
    if (in->due_date && !*in->due_date && cur->status != ACT_PROPOSED) {
        v_error(errors, "due_date", N_("A planned action has a due date."));
        return RES_INVALID;
    }
    if (in->has_unit && !check_unit(db, cur->node_id, in->unit_id, errors))
        return RES_INVALID;
    if (!check_people(db, cur->node_path, in, errors))
        return RES_INVALID;
    const char *start = in->start_date ? in->start_date : cur->start_date;
    const char *due = in->due_date ? in->due_date : cur->due_date;
    if (start && *start && due && *due && strcmp(due, start) < 0) {
        v_error(errors, "due_date", N_("The due date comes after the start."));
        return RES_INVALID;
    }

    /* the transition, when one is asked */
    act_status_t to = cur->status;
    if (in->status) {
        to = (act_status_t)act_status_from_code(in->status);
        if (to != cur->status) {
            if (!act_transition_exists(cur->status, to)) {
                *msgid = N_("This status cannot follow the current one.");
                return RES_CONFLICT;
            }
            if (!act_transition_allowed(cur->status, to, manager)) {
                *msgid = N_("Only the director or the quality referent checks effectiveness, "
                            "plans, closes or cancels an action.");
                return RES_FORBIDDEN;
            }
            unsigned needs = act_transition_needs(cur->status, to);
            if ((needs & ACT_NEEDS_REASON) && !in->reason)
                v_error(errors, "reason", N_("Say why the action is cancelled."));
            if ((needs & ACT_NEEDS_CHECK_COMMENT) && !in->check_comment)
                v_error(errors, "check_comment", N_("Say what the check found."));
            if ((needs & ACT_NEEDS_FOLLOW_UP) && !in->follow_up_title)
                v_error(errors, "follow_up_title",
                        N_("Closing an action that was not effective starts a follow-up action: "
                           "give its title."));
            if (needs & ACT_NEEDS_OWNER_DUE) {
                int64_t owner = in->has_owner ? in->owner_id : cur->owner_id;
                if (owner <= 0)
                    v_error(errors, "owner_id", N_("A planned action has an owner."));
                if (!due || !*due)
                    v_error(errors, "due_date", N_("A planned action has a due date."));
            }
            if (json_object_size(errors))
                return RES_INVALID;
        }
    }

    char today[11];
    iso_day_local(now_utc(), today);
    action_t n = *cur;
    json_t *ch = json_object();
    if (in->title) { diff_text(ch, "title", cur->title, in->title); n.title = in->title; }
    if (in->description) { diff_text(ch, "description", cur->description, in->description); n.description = in->description; }
    if (in->origin) { diff_text(ch, "origin", cur->origin, in->origin); n.origin = in->origin; }
    if (in->origin_label) { diff_text(ch, "origin_label", cur->origin_label, in->origin_label); n.origin_label = in->origin_label; }
    if (in->theme) { diff_text(ch, "theme", cur->theme, in->theme); n.theme = in->theme; }
    if (in->start_date) { diff_text(ch, "start_date", cur->start_date, in->start_date); n.start_date = in->start_date; }
    if (in->due_date) {
        diff_text(ch, "due_date", cur->due_date, in->due_date);
        if (!str_eq(cur->due_date ? cur->due_date : "", in->due_date))
            n.overdue_since = NULL; /* a new due date: overdue again only once it passes */
        n.due_date = in->due_date;
    }
    if (in->expected_result) { diff_text(ch, "expected_result", cur->expected_result, in->expected_result); n.expected_result = in->expected_result; }
    if (in->check_method) { diff_text(ch, "check_method", cur->check_method, in->check_method); n.check_method = in->check_method; }
    if (in->impact > 0) { diff_int(ch, "impact", cur->impact, in->impact, false); n.impact = in->impact; }
    if (in->effort > 0) { diff_int(ch, "effort", cur->effort, in->effort, false); n.effort = in->effort; }
    if (in->has_unit && in->unit_id >= 0) { diff_int(ch, "unit_id", cur->unit_id, in->unit_id, true); n.unit_id = in->unit_id; }
    if (in->has_owner && in->owner_id >= 0) { diff_int(ch, "owner_id", cur->owner_id, in->owner_id, true); n.owner_id = in->owner_id; }
    if (in->progress >= 0) n.progress = in->progress;
    if (to != cur->status) {
        json_object_set_new(ch, "status", json_pack("{s:s, s:s}", "from", act_status_code(cur->status),
                                                    "to", act_status_code(to)));
        n.status = to;
        if (to == ACT_DONE) {
            n.done_date = arena_strdup(a, today);
            int64_t dd = iso_day_number(n.due_date);
            n.has_delay = dd >= 0;
            n.delay_days = dd >= 0 ? act_delay_days(dd, iso_day_number(today)) : 0;
        } else if (to == ACT_IN_PROGRESS && (!n.start_date || !*n.start_date)) {
            n.start_date = arena_strdup(a, today);
        }
        if (to == ACT_IN_PROGRESS && cur->status != ACT_PLANNED) {
            n.done_date = NULL;
            n.has_delay = false;
        }
        if (to == ACT_EFFECTIVE || to == ACT_NOT_EFFECTIVE) {
            n.check_date = in->check_date && *in->check_date ? in->check_date : arena_strdup(a, today);
            n.check_comment = in->check_comment ? in->check_comment : "";
            n.check_result = act_status_code(to);
            json_object_set_new(ch, "check_date", json_pack("{s:s}", "to", n.check_date));
            if (*n.check_comment)
                json_object_set_new(ch, "check_comment", json_pack("{s:s}", "to", n.check_comment));
        }
        if (to == ACT_CANCELLED) {
            n.cancel_reason = in->reason;
            json_object_set_new(ch, "reason", json_pack("{s:s}", "to", in->reason));
        }
    }
    int progress = act_progress_after(n.status, n.progress);
    if (n.status == ACT_PLANNED && in->progress < 0 && to != cur->status)
        progress = 0;
    diff_int(ch, "progress", cur->progress, progress, false);
    n.progress = progress;

    /* contributors */
    size_t n_before = 0;
    int64_t *before = act_contributors(db, a, cur->id, &n_before);
    bool contrib_changed = false;
    if (in->has_contributors) {
        json_t *b = ids_json(before, n_before), *af = json_array();
        for (size_t i = 0; i < in->n_contributors; i++)
            if (in->contributors[i])
                json_array_append_new(af, json_integer(in->contributors[i]));
        /* compare as sets */
        contrib_changed = json_array_size(b) != json_array_size(af);
        for (size_t i = 0; !contrib_changed && i < json_array_size(af); i++) {
            bool found = false;
            for (size_t k = 0; k < json_array_size(b); k++)
                found |= json_integer_value(json_array_get(b, k)) ==
                         json_integer_value(json_array_get(af, i));
            contrib_changed = !found;
        }
        if (contrib_changed)
            json_object_set_new(ch, "contributors",
                                json_pack("{s:s, s:s}", "from", people_names(db, a, b), "to",
                                          people_names(db, a, af)));
        json_decref(b);
        json_decref(af);
    }

    bool follow_up = to != cur->status && to == ACT_CLOSED && cur->status == ACT_NOT_EFFECTIVE;
    if (json_object_size(ch) == 0 && !follow_up) {
        json_decref(ch);
        return RES_OK; /* nothing changed */
    }
    n.priority = act_priority(n.impact, n.effort);
    char *key = search_key_of(n.title, n.description, n.theme);
    bool mine;
    if (!app_tx_begin(db, &mine)) {
        free(key);
        json_decref(ch);
        return RES_ERROR;
    }
    int rc = db_exec(
        db,
        "UPDATE actions SET title = ?, description = ?, origin = ?, origin_label = ?, theme = ?,"
        " unit_id = ?, owner_id = ?, start_date = ?, due_date = ?, impact = ?, effort = ?,"
        " priority = ?, status = ?, progress = ?, expected_result = ?, check_method = ?,"
        " check_date = ?, check_comment = ?, check_result = ?, cancel_reason = ?, done_date = ?, delay_days = ?,"
        " overdue_since = ?, rev = rev + 1, updated_at = ?, search_key = ?"
        " WHERE id = ? AND rev = ?",
        PARAMS(P_TEXT(n.title), P_TEXT(n.description ? n.description : ""), P_TEXT(n.origin),
               p_text_or_null(n.origin_label), P_TEXT(n.theme ? n.theme : ""),
               p_id_or_null(n.unit_id), p_id_or_null(n.owner_id), p_text_or_null(n.start_date),
               p_text_or_null(n.due_date), P_INT(n.impact), P_INT(n.effort), P_INT(n.priority),
               P_TEXT(act_status_code(n.status)), P_INT(n.progress),
               P_TEXT(n.expected_result ? n.expected_result : ""),
               P_TEXT(n.check_method ? n.check_method : ""), p_text_or_null(n.check_date),
               p_text_or_null(n.check_comment), p_text_or_null(n.check_result),
               p_text_or_null(n.cancel_reason),
               p_text_or_null(n.done_date), n.has_delay ? P_INT(n.delay_days) : P_NULL,
               p_text_or_null(n.overdue_since), P_INT(now_utc()), P_TEXT(key), P_INT(cur->id),
               P_INT(cur->rev)));
    free(key);
    bool ok = rc == DB_OK && db_changes(db) == 1;
    bool stale = rc == DB_OK && db_changes(db) == 0;
    if (ok && contrib_changed)
        ok = write_contributors(db, cur->id, in) == DB_OK;
    /* closing an action that was not effective starts its follow-up */
    int64_t follow = 0;
    if (ok && follow_up) {
        char *fkey = search_key_of(in->follow_up_title, "", n.theme);
        db_res_t *res = db_query(
            db,
            "INSERT INTO actions (node_id, node_path, unit_id, title, description, origin,"
            " origin_label, campaign_id, item_code, follows_id, theme, owner_id, due_date, impact,"
            " effort, priority, status, progress, expected_result, check_method, created_by,"
            " created_at, updated_at, search_key)"
            " SELECT node_id, node_path, unit_id, ?, '', origin, origin_label, campaign_id,"
            " item_code, id, theme, owner_id, ?, impact, effort, priority, ?, 0,"
            " expected_result, check_method, ?, ?, ?, ? FROM actions WHERE id = ? RETURNING id",
            PARAMS(P_TEXT(in->follow_up_title), p_text_or_null(in->follow_up_due),
                   P_TEXT(n.owner_id > 0 && in->follow_up_due && *in->follow_up_due ? "planned"
                                                                                    : "proposed"),
                   P_INT(actor), P_INT(now_utc()), P_INT(now_utc()), P_TEXT(fkey), P_INT(cur->id)));
        free(fkey);
        if (res && db_next(res))
            follow = db_int(res, 0);
        db_res_free(res);
        ok = follow > 0;
        if (ok) {
            json_object_set_new(ch, "follow_up_id", json_pack("{s:I}", "to", (json_int_t)follow));
            json_t *fch = json_pack("{s:{s:s}, s:{s:I}}", "title", "to", in->follow_up_title,
                                    "follows_id", "to", (json_int_t)cur->id);
            ok = audit_write(db, actor, "create", "action", follow, cur->node_id, fch, ip) == DB_OK;
            json_decref(fch);
        }
    }
    if (ok)
        ok = audit_write(db, actor, to != cur->status ? "transition" : "update", "action", cur->id,
                         cur->node_id, ch, ip) == DB_OK;
    /* a new owner is told */
    if (ok && in->has_owner && n.owner_id > 0 && n.owner_id != cur->owner_id && n.owner_id != actor)
        ok = notify_user(db, n.owner_id, "action", N_("You own a new improvement action: %s"),
                         arena_printf(a, "/actions/%lld", (long long)cur->id),
                         (notify_arg_t[]){NOTIFY_REF("action", cur->id)}, 1) == DB_OK;
    json_decref(ch);
    if (app_tx_end(db, mine, ok) != DB_OK || !ok) {
        if (stale) {
            *msgid = N_("Someone changed this action in the meantime: reload it and try again.");
            return RES_CONFLICT;
        }
        return RES_ERROR;
    }
    *follow_up_out = follow;
    return RES_OK;
}

res_t act_comment(db_t *db, int64_t actor, const char *ip, const action_t *act, const char *body)
{
    bool mine;
    if (!app_tx_begin(db, &mine))
        return RES_ERROR;
    int64_t now = now_utc();
    bool ok = db_exec(db,
                      "INSERT INTO action_comments (action_id, author_id, body, created_at)"
                      " VALUES (?, ?, ?, ?)",
                      PARAMS(P_INT(act->id), P_INT(actor), P_TEXT(body), P_INT(now))) == DB_OK;
    ok = ok && db_exec(db, "UPDATE actions SET updated_at = ? WHERE id = ?",
                       PARAMS(P_INT(now), P_INT(act->id))) == DB_OK;
    if (ok) {
        json_t *ch = json_pack("{s:{s:s}}", "comment", "to", body);
        ok = audit_write(db, actor, "comment", "action", act->id, act->node_id, ch, ip) == DB_OK;
        json_decref(ch);
    }
    /* the owner hears of comments by others */
    if (ok && act->owner_id > 0 && act->owner_id != actor) {
        char link[64];
        snprintf(link, sizeof link, "/actions/%lld#comments", (long long)act->id);
        ok = notify_user(db, act->owner_id, "action", N_("New comment on the action %s"), link,
                         (notify_arg_t[]){NOTIFY_REF("action", act->id)}, 1) == DB_OK;
    }
    if (app_tx_end(db, mine, ok) != DB_OK || !ok)
        return RES_ERROR;
    return RES_OK;
}
