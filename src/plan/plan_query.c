/* plan_query.c - the lists of actions: filters read from the URL (so that a
 * list can be bookmarked, shared and exported as it is), turned into one
 * WHERE clause whose scope comes first (what the reader may read, plus the
 * actions they own or contribute to), a page of rows with the names they
 * show, and the summaries per EPS and for the network. */
#include "plan_internal.h"

#include <string.h>

#include "../core/fold.h"

static const char *const sorts[] = {"due", "priority", "updated", NULL};

/* A query parameter as a positive id; 0 when absent, -1 when malformed. */
static int64_t q_id(req_t *r, json_t *errors, const char *key)
{
    const char *v = req_query(r, key);
    if (!v || !*v)
        return 0;
    int64_t id;
    if (!str_to_i64(v, &id) || id <= 0) {
        v_error(errors, key, N_("Enter a whole number."));
        return -1;
    }
    return id;
}

static const char *q_code(req_t *r, json_t *errors, const char *key, const char *const *list,
                          const char *msgid)
{
    const char *v = req_query(r, key);
    if (!v || !*v)
        return NULL;
    if (!str_in(list, v)) {
        v_error(errors, key, msgid);
        return NULL;
    }
    return v;
}

void act_filter_read(req_t *r, json_t *errors, act_filter_t *f)
{
    memset(f, 0, sizeof *f);
    f->due_within = -1;
    f->node_id = q_id(r, errors, "node_id");
    f->owner_id = q_id(r, errors, "owner_id");
    f->campaign_id = q_id(r, errors, "campaign_id");
    f->status = q_code(r, errors, "status", act_status_codes, N_("Unknown status."));
    f->origin = q_code(r, errors, "origin", act_origin_codes, N_("Unknown origin."));
    f->sort = q_code(r, errors, "sort", sorts, N_("Unknown order."));
    const char *theme = req_query(r, "theme");
    if (theme && *theme) {
        if (!utf8_valid(theme, strlen(theme)) || str_has_control(theme) ||
            utf8_count(theme) > ACT_THEME_MAX)
            v_error(errors, "theme", N_("This value is not valid."));
        else
            f->theme = theme;
    }
    const char *q = req_query(r, "q");
    if (q && *q) {
        if (!utf8_valid(q, strlen(q)) || str_has_control(q) || utf8_count(q) > 100)
            v_error(errors, "q", N_("This value is not valid."));
        else
            f->q = q;
    }
    const char *od = req_query(r, "overdue");
    if (od && *od) {
        if (str_eq(od, "true") || str_eq(od, "1"))
            f->overdue = true;
        else if (!str_eq(od, "false") && !str_eq(od, "0"))
            v_error(errors, "overdue", N_("Write true or false."));
    }
    const char *mine = req_query(r, "mine");
    if (mine && (str_eq(mine, "true") || str_eq(mine, "1")) && r->user)
        f->mine_id = r->user->id;
    const char *dw = req_query(r, "due_within");
    if (dw && *dw) {
        int64_t d;
        if (!str_to_i64(dw, &d) || d < 0 || d > 3660)
            v_error(errors, "due_within", N_("Give a number of days from 0 to 3660."));
        else
            f->due_within = d;
    }
}

static void qs_add(buf_t *b, const char *key, const char *val, const char *skip)
{
    if (!val || !*val || str_eq(key, skip))
        return;
    buf_putc(b, b->len ? '&' : '?');
    buf_puts(b, key);
    buf_putc(b, '=');
    for (const unsigned char *p = (const unsigned char *)val; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-_.~", *p))
            buf_putc(b, (char)*p);
        else
            buf_printf(b, "%%%02X", *p);
    }
}

const char *act_filter_query(req_t *r, const act_filter_t *f, const char *skip)
{
    buf_t b;
    buf_init(&b);
    char n[24];
#define QS_ID(key, v)                                                                              \
    if ((v) > 0) {                                                                                 \
        snprintf(n, sizeof n, "%lld", (long long)(v));                                             \
        qs_add(&b, key, n, skip);                                                                  \
    }
    QS_ID("node_id", f->node_id);
    qs_add(&b, "status", f->status, skip);
    QS_ID("owner_id", f->owner_id);
    qs_add(&b, "origin", f->origin, skip);
    qs_add(&b, "theme", f->theme, skip);
    if (f->overdue)
        qs_add(&b, "overdue", "true", skip);
    if (f->due_within >= 0) {
        snprintf(n, sizeof n, "%lld", (long long)f->due_within);
        qs_add(&b, "due_within", n, skip);
    }
    if (f->mine_id)
        qs_add(&b, "mine", "true", skip);
    QS_ID("campaign_id", f->campaign_id);
    qs_add(&b, "q", f->q, skip);
    qs_add(&b, "sort", f->sort, skip);
#undef QS_ID
    const char *out = arena_strdup(r->arena, b.data ? b.data : "");
    buf_free(&b);
    return out;
}

#define OPEN_STATUSES "('proposed', 'planned', 'in_progress')"

void act_filter_sql(req_t *r, const act_filter_t *f, buf_t *sql, db_param_t *params, int *np,
                    int max)
{
    char today[11];
    iso_day_local(now_utc(), today);
    int64_t me = r->user ? r->user->id : 0;
    buf_puts(sql, " FROM actions a WHERE (");
    app_scope_sql(r, PERM_QUALITY_READ, "a.node_path", sql, params, np, max - 24);
    /* and what the reader owns or contributes to, wherever their role is:
     * only a role at a unit leaves such actions outside the scope (an owner
     * works at the action's EPS), and the OR would keep both engines off the
     * path index for everybody else */
    int64_t now = now_utc();
    for (int i = 0; r->user && i < r->user->n_roles && *np < max - 12; i++) {
        const role_assignment_t *ra = &r->user->roles[i];
        if (ra->node_kind != NODE_UNIT || !authz_role_live(ra, now) || !ra->node_path)
            continue;
        /* the unit's EPS: its path without the last node ("/1/4/9/12/" -> "/1/4/9/"),
         * where the reader works as long as this role lives */
        size_t len = strlen(ra->node_path);
        while (len > 1 && ra->node_path[len - 2] != '/')
            len--;
        if (len < 2)
            continue;
        buf_puts(sql, " OR (a.node_path = ? AND a.id IN (" ACT_MINE_SQL "))");
        params[(*np)++] = P_TEXT(arena_printf(r->arena, "%.*s", (int)(len - 1), ra->node_path));
        params[(*np)++] = P_INT(me);
        params[(*np)++] = P_INT(me);
    }
    buf_puts(sql, ")");
    if (f->node_id > 0) {
        const char *path = nodes_path_of(r->db, r->arena, f->node_id);
        buf_puts(sql, " AND a.node_path >= ? AND a.node_path < ?");
        params[(*np)++] = P_TEXT(*path ? path : "-");
        params[(*np)++] = P_TEXT(*path ? app_path_upper(r->arena, path) : "-");
    }
    if (f->status) {
        buf_puts(sql, " AND a.status = ?");
        params[(*np)++] = P_TEXT(f->status);
    }
    if (f->owner_id > 0) {
        buf_puts(sql, " AND a.owner_id = ?");
        params[(*np)++] = P_INT(f->owner_id);
    }
    if (f->mine_id > 0) {
        buf_puts(sql, " AND a.id IN (" ACT_MINE_SQL ")");
        params[(*np)++] = P_INT(f->mine_id);
        params[(*np)++] = P_INT(f->mine_id);
    }
    if (f->origin) {
        buf_puts(sql, " AND a.origin = ?");
        params[(*np)++] = P_TEXT(f->origin);
    }
    if (f->theme) {
        buf_puts(sql, " AND a.theme = ?");
        params[(*np)++] = P_TEXT(f->theme);
    }
    if (f->campaign_id > 0) {
        buf_puts(sql, " AND a.campaign_id = ?");
        params[(*np)++] = P_INT(f->campaign_id);
    }
    if (f->overdue) {
        buf_puts(sql, " AND a.due_date < ? AND a.status IN " OPEN_STATUSES);
        params[(*np)++] = P_TEXT(arena_strdup(r->arena, today));
    }
    if (f->due_within >= 0) {
        char *until = arena_alloc(r->arena, 11);
        iso_day_format(iso_day_number(today) + f->due_within, until);
        buf_puts(sql, " AND a.due_date >= ? AND a.due_date <= ? AND a.status IN " OPEN_STATUSES);
        params[(*np)++] = P_TEXT(arena_strdup(r->arena, today));
        params[(*np)++] = P_TEXT(until);
    }
    if (f->q)
        app_search_sql(r, "a.search_key", f->q, sql, params, np, max);
}

static const char *order_by(const act_filter_t *f)
{
    if (str_eq(f->sort, "priority"))
        return " ORDER BY a.priority, a.due_date IS NULL, a.due_date, a.id";
    if (str_eq(f->sort, "updated"))
        return " ORDER BY a.updated_at DESC, a.id DESC";
    return " ORDER BY a.due_date IS NULL, a.due_date, a.id";
}

action_t *act_query(req_t *r, const act_filter_t *f, int64_t limit, int64_t offset, size_t *n,
                    int64_t *total)
{
    *n = 0;
    buf_t where;
    buf_init(&where);
    db_param_t params[ACT_MAX_PARAMS + 2];
    int np = 0;
    act_filter_sql(r, f, &where, params, &np, ACT_MAX_PARAMS);
    if (total) {
        char *count_sql = arena_printf(r->arena, "SELECT COUNT(*)%s", where.data);
        *total = db_query_int(r->db, count_sql, params, np, -1);
    }
    char *sql = arena_printf(r->arena, "SELECT " ACT_COLS "%s%s LIMIT ? OFFSET ?", where.data,
                             order_by(f));
    buf_free(&where);
    params[np++] = P_INT(limit);
    params[np++] = P_INT(offset);
    db_res_t *res = db_query(r->db, sql, params, np);
    if (!res)
        return NULL;
    action_t *rows = arena_alloc(r->arena, (size_t)(limit > 0 ? limit : 1) * sizeof *rows);
    while (db_next(res) && *n < (size_t)limit)
        act_from_row(r->arena, res, 0, &rows[(*n)++]);
    db_res_free(res);
    return rows;
}

/* {"users": {id: name}, "nodes": {id: label}} for the rows. */
json_t *act_names(req_t *r, const action_t *rows, size_t n)
{
    json_t *users = json_object(), *nodes = json_object();
    buf_t sql;
    buf_init(&sql);
    db_param_t *p = arena_alloc(r->arena, (n + 1) * sizeof *p);
    int np = 0;
    buf_puts(&sql, "SELECT id, name FROM users WHERE id IN (");
    for (size_t i = 0; i < n; i++) {
        if (rows[i].owner_id <= 0)
            continue;
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)rows[i].owner_id);
        if (json_object_get(users, key))
            continue;
        json_object_set_new(users, key, json_string(""));
        buf_puts(&sql, np ? ", ?" : "?");
        p[np++] = P_INT(rows[i].owner_id);
    }
    buf_puts(&sql, ")");
    if (np) {
        db_res_t *res = db_query(r->db, sql.data, p, np);
        while (res && db_next(res)) {
            char key[24];
            snprintf(key, sizeof key, "%lld", (long long)db_int(res, 0));
            json_object_set_new(users, key, json_string(db_text(res, 1) ? db_text(res, 1) : ""));
        }
        db_res_free(res);
    }
    buf_free(&sql);
    for (size_t i = 0; i < n; i++) {
        int64_t ids[2] = {rows[i].node_id, rows[i].unit_id};
        for (int k = 0; k < 2; k++) {
            if (ids[k] <= 0)
                continue;
            char key[24];
            snprintf(key, sizeof key, "%lld", (long long)ids[k]);
            if (!json_object_get(nodes, key))
                json_object_set_new(nodes, key,
                                    json_string(k == 0 ? nodes_label(r->db, r->arena, r->lang, ids[k])
                                                       : app_entity_name(r, "node", ids[k], NULL)
                                                             ? app_entity_name(r, "node", ids[k], NULL)
                                                             : ""));
        }
    }
    return json_pack("{s:o, s:o}", "users", users, "nodes", nodes);
}

/* --- Summaries ------------------------------------------------------------ */

typedef struct {
    int64_t node_id;
    int64_t by_status[ACT__COUNT];
    int64_t total, overdue, delay_sum, delay_n;
} sum_t;

static json_t *sum_json(req_t *r, const sum_t *s)
{
    json_t *o = json_object();
    json_t *counts = json_object();
    for (int k = 0; k < ACT__COUNT; k++)
        json_object_set_new(counts, act_status_codes[k], json_integer(s->by_status[k]));
    int64_t finished = s->by_status[ACT_DONE] + s->by_status[ACT_EFFECTIVE] +
                       s->by_status[ACT_NOT_EFFECTIVE] + s->by_status[ACT_CLOSED];
    int64_t counted = s->total - s->by_status[ACT_CANCELLED];
    json_object_set_new(o, "total", json_integer(s->total));
    json_object_set_new(o, "by_status", counts);
    json_object_set_new(o, "overdue", json_integer(s->overdue));
    json_object_set_new(o, "completion", counted > 0 ? json_integer(finished * 100 / counted)
                                                     : json_null());
    json_object_set_new(o, "average_delay",
                        s->delay_n > 0 ? json_real((double)s->delay_sum / (double)s->delay_n)
                                       : json_null());
    (void)r;
    return o;
}

json_t *plan_summary(req_t *r, const act_filter_t *f, bool by_association, json_t **total_out)
{
    buf_t where;
    buf_init(&where);
    db_param_t params[ACT_MAX_PARAMS + 2];
    int np = 0;
    act_filter_sql(r, f, &where, params, &np, ACT_MAX_PARAMS);
    char today[11];
    iso_day_local(now_utc(), today);
    /* the day goes first: it is the select list's parameter */
    db_param_t all[ACT_MAX_PARAMS + 3];
    all[0] = P_TEXT(today);
    for (int i = 0; i < np; i++)
        all[i + 1] = params[i];
    char *sql = arena_printf(
        r->arena,
        "SELECT a.node_id, a.status, COUNT(*),"
        " SUM(CASE WHEN a.due_date < ? AND a.status IN " OPEN_STATUSES " THEN 1 ELSE 0 END),"
        " SUM(COALESCE(a.delay_days, 0)), COUNT(a.delay_days), a.node_path%s"
        " GROUP BY a.node_id, a.node_path, a.status ORDER BY a.node_id",
        where.data);
    buf_free(&where);
    db_res_t *res = db_query(r->db, sql, all, np + 1);
    if (!res)
        return NULL;
    VEC(sum_t) rows = {0};
    sum_t total = {0};
    while (db_next(res)) {
        int64_t node = db_int(res, 0);
        if (by_association) {
            /* "/1/4/9/": the association is the second node of the path */
            int64_t anc[8];
            node = nodes_path_parse(db_text(res, 6), anc, 8) >= 2 ? anc[1] : node;
        }
        size_t k = rows.n;
        if (by_association) {
            for (k = 0; k < rows.n && rows.v[k].node_id != node; k++)
                ;
        } else if (rows.n && rows.v[rows.n - 1].node_id == node) {
            k = rows.n - 1;
        }
        if (k == rows.n) {
            sum_t *s = VEC_PUSH(r->arena, &rows);
            memset(s, 0, sizeof *s);
            s->node_id = node;
        }
        sum_t *s = &rows.v[k];
        int st = act_status_from_code(db_text(res, 1));
        int64_t c = db_int(res, 2);
        if (st >= 0) {
            s->by_status[st] += c;
            total.by_status[st] += c;
        }
        s->total += c;
        s->overdue += db_int(res, 3);
        s->delay_sum += db_int(res, 4);
        s->delay_n += db_int(res, 5);
        total.total += c;
        total.overdue += db_int(res, 3);
        total.delay_sum += db_int(res, 4);
        total.delay_n += db_int(res, 5);
    }
    db_res_free(res);
    json_t *out = json_array();
    int64_t ids[500];
    for (size_t start = 0; start < rows.n; start += 500) {
        size_t m = rows.n - start < 500 ? rows.n - start : 500;
        for (size_t i = 0; i < m; i++)
            ids[i] = rows.v[start + i].node_id;
        json_t *names = nodes_names(r->db, ids, m);
        for (size_t i = 0; i < m; i++) {
            json_t *o = sum_json(r, &rows.v[start + i]);
            char key[24];
            snprintf(key, sizeof key, "%lld", (long long)ids[i]);
            json_object_set_new(o, "node_id", json_integer(ids[i]));
            json_object_set_new(o, "name", json_string(json_string_value(json_object_get(names, key))
                                                           ? json_string_value(json_object_get(names, key))
                                                           : ""));
            json_array_append_new(out, o);
        }
        json_decref(names);
    }
    if (total_out) {
        *total_out = sum_json(r, &total);
        json_object_set_new(*total_out, "establishments", json_integer((json_int_t)rows.n));
    }
    return out;
}
