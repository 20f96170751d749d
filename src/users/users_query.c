/* users_query.c - reading users: the records, the signed-in user's context
 * (run on every request: index lookups only), the login lookup, the
 * resolvers of routes taking a user id, users and roles as JSON, the
 * scope-filtered list, and the accounts of nodes. */
#include "users_internal.h"

#include "../core/fold.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- records -- */

static const char *col_text(arena_t *a, db_res_t *res, int col)
{
    const char *s = db_text(res, col);
    return s ? arena_strdup(a, s) : NULL;
}

void users_from_row(arena_t *a, db_res_t *res, int c, user_t *out)
{
    memset(out, 0, sizeof *out);
    out->id = db_int(res, c + 0);
    out->node_id = db_int(res, c + 1);
    out->email = col_text(a, res, c + 2);
    out->username = col_text(a, res, c + 3);
    out->name = col_text(a, res, c + 4);
    if (!out->name)
        out->name = "";
    out->language = col_text(a, res, c + 5);
    if (!out->language)
        out->language = I18N_DEFAULT;
    out->active = db_int(res, c + 6) != 0;
    out->version = db_int(res, c + 7);
    out->created_at = db_int(res, c + 8);
    out->last_login_at = db_isnull(res, c + 9) ? 0 : db_int(res, c + 9);
    out->home_path = col_text(a, res, c + 10);
    if (!out->home_path)
        out->home_path = "";
}

bool users_role_from_row(arena_t *a, db_res_t *res, int c, role_assignment_t *out)
{
    memset(out, 0, sizeof *out);
    out->id = db_int(res, c + 0);
    out->role = role_from_code(db_text(res, c + 1));
    out->node_id = db_int(res, c + 2);
    int kind = node_kind_from_code(db_text(res, c + 3));
    out->expires_at = db_isnull(res, c + 4) ? 0 : db_int(res, c + 4);
    out->node_path = col_text(a, res, c + 5);
    if (out->role == ROLE_NONE || kind < 0 || !out->node_path || !*out->node_path)
        return false;
    out->node_kind = (node_kind_t)kind;
    return true;
}

int users_load(db_t *db, arena_t *a, int64_t id, user_t *out)
{
    db_res_t *res = db_query(db, "SELECT " USER_COLS " FROM users u WHERE u.id = ?", PARAMS(P_INT(id)));
    if (!res)
        return -1;
    int rc = -1;
    if (db_next(res)) {
        users_from_row(a, res, 0, out);
        rc = 0;
    }
    db_res_free(res);
    return rc;
}

int64_t users_home_of(db_t *db, int64_t id)
{
    return db_query_int(db, "SELECT node_id FROM users WHERE id = ?", PARAMS(P_INT(id)), 0);
}

bool users_is_active(db_t *db, int64_t id)
{
    return db_query_int(db, "SELECT active FROM users WHERE id = ?", PARAMS(P_INT(id)), 0) == 1;
}

/* ----------------------------------------------------------- resolvers -- */

int64_t users_resolve(req_t *r, int64_t user_id)
{
    return users_home_of(r->db, user_id);
}

int64_t users_resolve_role(req_t *r, int64_t role_id)
{
    return db_query_int(r->db, "SELECT node_id FROM user_roles WHERE id = ?", PARAMS(P_INT(role_id)), 0);
}

/* ------------------------------------------------------------- loading -- */

app_user_t *users_load_ctx(db_t *db, arena_t *a, int64_t user_id)
{
    /* two primary or foreign key lookups; the roles carry their node's path
     * and kind, so that nothing else is read */
    db_res_t *res = db_query(db, "SELECT id, name, username, email, language, node_id FROM users "
                                 "WHERE id = ? AND active = 1",
                             PARAMS(P_INT(user_id)));
    if (!res)
        return NULL;
    app_user_t *u = NULL;
    if (db_next(res)) {
        u = arena_alloc(a, sizeof *u);
        u->id = db_int(res, 0);
        u->name = arena_strdup(a, db_text(res, 1) ? db_text(res, 1) : "");
        u->username = arena_strdup(a, db_text(res, 2));
        u->email = arena_strdup(a, db_text(res, 3));
        u->language = arena_strdup(a, db_text(res, 4) ? db_text(res, 4) : I18N_DEFAULT);
        u->home_node_id = db_int(res, 5);
    }
    db_res_free(res);
    if (!u)
        return NULL;
    res = db_query(db,
                   "SELECT " ROLE_COLS " FROM user_roles ur WHERE ur.user_id = ?"
                   " AND " ROLE_LIVE_SQL " ORDER BY ur.id",
                   PARAMS(P_INT(user_id), P_INT(now_utc())));
    if (!res)
        return NULL;
    VEC(role_assignment_t) roles = {0};
    while (db_next(res)) {
        role_assignment_t ra;
        if (users_role_from_row(a, res, 0, &ra))
            *VEC_PUSH(a, &roles) = ra;
    }
    db_res_free(res);
    u->roles = roles.v;
    u->n_roles = (int)roles.n;
    return u;
}

static bool login_key(const char *login, char *key, size_t keylen)
{
    if (!login)
        return false;
    while (*login == ' ')
        login++;
    size_t n = strlen(login);
    while (n > 0 && login[n - 1] == ' ')
        n--;
    if (n == 0 || n >= keylen)
        return false;
    memcpy(key, login, n);
    key[n] = '\0';
    users_lower(key);
    return true;
}

int users_find_login(db_t *db, const char *login, int64_t *id, char *hash_out, size_t hash_len)
{
    char key[USERS_EMAIL_MAX + 2];
    if (!login_key(login, key, sizeof key))
        return -1;
    const char *sql = strchr(key, '@')
                          ? "SELECT id, password_hash FROM users WHERE email = ? AND active = 1"
                          : "SELECT id, password_hash FROM users WHERE username = ? AND active = 1";
    const char *key_p = key;
    db_res_t *res = db_query(db, sql, PARAMS(P_TEXT(key_p)));
    if (!res)
        return -1;
    int rc = -1;
    if (db_next(res) && db_text(res, 1)) {
        *id = db_int(res, 0);
        snprintf(hash_out, hash_len, "%s", db_text(res, 1));
        rc = 0;
    }
    db_res_free(res);
    return rc;
}

int64_t users_find_id(db_t *db, const char *login)
{
    char key[USERS_EMAIL_MAX + 2];
    if (!login_key(login, key, sizeof key))
        return 0;
    const char *key_p = key;
    return db_query_int(db, "SELECT id FROM users WHERE email = ? OR username = ? ORDER BY id",
                        PARAMS(P_TEXT(key_p), P_TEXT(key_p)), 0);
}

/* ---------------------------------------------------------------- JSON -- */

json_t *users_roles_json(req_t *r, int64_t id, bool live_only, bool scoped)
{
    buf_t sql;
    buf_init(&sql);
    buf_puts(&sql, "SELECT " ROLE_COLS " FROM user_roles ur WHERE ur.user_id = ?");
    db_param_t params[72];
    int np = 0;
    params[np++] = P_INT(id);
    if (live_only) {
        buf_puts(&sql, " AND " ROLE_LIVE_SQL);
        params[np++] = P_INT(now_utc());
    }
    if (scoped) {
        buf_puts(&sql, " AND ");
        app_scope_sql(r, PERM_USER_READ, "ur.node_path", &sql, params, &np, 72);
    }
    buf_puts(&sql, " ORDER BY ur.id");
    db_res_t *res = db_query(r->db, sql.data, params, np);
    buf_free(&sql);
    json_t *out = json_array();
    while (res && db_next(res)) {
        role_assignment_t ra;
        if (!users_role_from_row(r->arena, res, 0, &ra))
            continue;
        node_t n;
        bool has = nodes_load(r->db, r->arena, ra.node_id, &n) == 0;
        json_array_append_new(
            out, json_pack("{s:I, s:s, s:I, s:s, s:s, s:o}", "id", (json_int_t)ra.id, "role",
                           role_code(ra.role), "node_id", (json_int_t)ra.node_id, "node_name",
                           has ? n.name : "", "node_kind", node_kind_code(ra.node_kind),
                           "expires_at", ra.expires_at ? json_integer(ra.expires_at) : json_null()));
    }
    if (res)
        db_res_free(res);
    return out;
}

static json_t *role_json(const role_assignment_t *ra, json_t *names)
{
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)ra->node_id);
    const char *name = json_string_value(json_object_get(names, key));
    return json_pack("{s:I, s:s, s:I, s:s, s:s, s:o}", "id", (json_int_t)ra->id, "role",
                     role_code(ra->role), "node_id", (json_int_t)ra->node_id, "node_name",
                     name ? name : "", "node_kind", node_kind_code(ra->node_kind), "expires_at",
                     ra->expires_at ? json_integer(ra->expires_at) : json_null());
}

/* A page of users with their roles (scoped to r) in three reads, whatever
 * the number of users: the roles of all, then the names of their places. */
json_t *users_records_json(req_t *r, const user_t *users, size_t n)
{
    json_t *items = json_array();
    if (n == 0)
        return items;
    buf_t sql;
    buf_init(&sql);
    db_param_t *params = arena_alloc(r->arena, sizeof(db_param_t) * (n + 72));
    int np = 0;
    buf_puts(&sql, "SELECT " ROLE_COLS ", ur.user_id FROM user_roles ur WHERE ur.user_id IN (");
    for (size_t i = 0; i < n; i++) {
        buf_puts(&sql, i ? ", ?" : "?");
        params[np++] = P_INT(users[i].id);
    }
    buf_puts(&sql, ") AND ");
    app_scope_sql(r, PERM_USER_READ, "ur.node_path", &sql, params, &np, np + 64);
    buf_puts(&sql, " ORDER BY ur.user_id, ur.id");
    db_res_t *res = db_query(r->db, sql.data, params, np);
    buf_free(&sql);
    typedef struct {
        role_assignment_t ra;
        int64_t user;
    } urole_t;
    VEC(urole_t) roles = {0};
    VEC(int64_t) nodes = {0};
    for (size_t i = 0; i < n; i++)
        *VEC_PUSH(r->arena, &nodes) = users[i].node_id;
    while (res && db_next(res)) {
        urole_t ur;
        if (!users_role_from_row(r->arena, res, 0, &ur.ra))
            continue;
        ur.user = db_int(res, 6);
        *VEC_PUSH(r->arena, &roles) = ur;
        *VEC_PUSH(r->arena, &nodes) = ur.ra.node_id;
    }
    if (res)
        db_res_free(res);
    json_t *names = nodes_names(r->db, nodes.v, nodes.n);
    for (size_t i = 0; i < n; i++) {
        const user_t *u = &users[i];
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)u->node_id);
        const char *home = json_string_value(json_object_get(names, key));
        json_t *o = json_pack("{s:I, s:o, s:o, s:s, s:s, s:I, s:s, s:b, s:I, s:I, s:o}", "id",
                              (json_int_t)u->id, "email", json_str_or_null(u->email), "username",
                              json_str_or_null(u->username), "name", u->name, "language",
                              u->language, "node_id", (json_int_t)u->node_id, "node_name",
                              home ? home : "", "active", u->active, "version",
                              (json_int_t)u->version, "created_at", (json_int_t)u->created_at,
                              "last_login_at",
                              u->last_login_at ? json_integer(u->last_login_at) : json_null());
        json_t *rl = json_array();
        for (size_t k = 0; k < roles.n; k++)
            if (roles.v[k].user == u->id)
                json_array_append_new(rl, role_json(&roles.v[k].ra, names));
        json_object_set_new(o, "roles", rl);
        json_array_append_new(items, o);
    }
    json_decref(names);
    return items;
}

json_t *users_json(req_t *r, int64_t id)
{
    user_t u;
    if (users_load(r->db, r->arena, id, &u) != 0)
        return NULL;
    json_t *items = users_records_json(r, &u, 1);
    json_t *o = json_incref(json_array_get(items, 0));
    json_decref(items);
    return o;
}

/* ------------------------------------------------------------- listing -- */

json_t *users_list(req_t *r, const users_filter_t *f, int64_t *total)
{
    buf_t where;
    buf_init(&where);
    /* the scope is written up to three times (users, node filter, role
     * filter); 16 more for the other filters and the paging */
    enum { SCOPE_MAX = 64, PARAMS_MAX = 3 * SCOPE_MAX + 16 };
    db_param_t params[PARAMS_MAX];
    int np = 0;
    buf_puts(&where, " FROM users u WHERE ");
    app_scope_sql(r, PERM_USER_READ, "u.home_path", &where, params, &np, SCOPE_MAX);
    if (f->q && *f->q) {
        /* every word of the folded query, anywhere in the folded name, email
         * or username (a query folding to nothing filters nothing) */
        char *folded = text_fold(f->q);
        const char *words[TEXT_FOLD_MAX_WORDS];
        size_t nw = text_fold_words(folded, words, TEXT_FOLD_MAX_WORDS);
        for (size_t i = 0; i < nw; i++) {
            char *esc = db_like_escape(words[i]);
            buf_puts(&where, " AND u.search_key LIKE ? ESCAPE '\\'");
            params[np++] = P_TEXT(arena_printf(r->arena, "%%%s%%", esc));
            free(esc);
        }
        free(folded);
    }
    if (f->node_id > 0) {
        /* an unknown node matches nothing: no path lies in ["-", "-") */
        const char *path = nodes_path_of(r->db, r->arena, f->node_id);
        const char *lo = *path ? path : "-", *hi = *path ? app_path_upper(r->arena, path) : "-";
        /* roles count only where the viewer may see them: a role held in
         * another tenant must not show through a filter */
        buf_puts(&where, " AND ((u.home_path >= ? AND u.home_path < ?) OR EXISTS (SELECT 1 FROM"
                         " user_roles fr WHERE fr.user_id = u.id AND fr.node_path >= ?"
                         " AND fr.node_path < ? AND ");
        params[np++] = P_TEXT(lo);
        params[np++] = P_TEXT(hi);
        params[np++] = P_TEXT(lo);
        params[np++] = P_TEXT(hi);
        app_scope_sql(r, PERM_USER_READ, "fr.node_path", &where, params, &np, np + SCOPE_MAX);
        buf_puts(&where, "))");
    }
    if (f->role && *f->role) {
        buf_puts(&where, " AND EXISTS (SELECT 1 FROM user_roles rr WHERE rr.user_id = u.id"
                         " AND rr.role = ? AND ");
        params[np++] = P_TEXT(f->role);
        app_scope_sql(r, PERM_USER_READ, "rr.node_path", &where, params, &np, np + SCOPE_MAX);
        buf_puts(&where, ")");
    }
    if (f->active == 0 || f->active == 1) {
        buf_puts(&where, " AND u.active = ?");
        params[np++] = P_INT(f->active);
    }

    char *count_sql = arena_printf(r->arena, "SELECT COUNT(*)%s", where.data);
    *total = db_query_int(r->db, count_sql, params, np, 0);
    char *sql = arena_printf(r->arena, "SELECT " USER_COLS "%s ORDER BY u.name, u.id LIMIT ? OFFSET ?",
                             where.data);
    buf_free(&where);
    params[np++] = P_INT(f->limit);
    params[np++] = P_INT(f->offset);
    db_res_t *res = db_query(r->db, sql, params, np);
    VEC(user_t) users = {0};
    while (res && db_next(res))
        users_from_row(r->arena, res, 0, VEC_PUSH(r->arena, &users));
    if (res)
        db_res_free(res);
    return users_records_json(r, users.v, users.n);
}

/* ------------------------------------------------------ accounts of nodes -- */

static int id_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* A set of (node index, account) pairs: open addressing on one 64-bit
 * key, so that each account counts once per node in linear time. */
typedef struct {
    uint64_t *slots; /* 0: empty */
    size_t mask, used;
} pairset_t;

static uint64_t pair_key(size_t idx, int64_t user)
{
    /* ids stay below 2^40 and lists below 2^20 nodes: the key is exact */
    return ((uint64_t)(idx + 1) << 40) ^ (uint64_t)user;
}

static bool pairset_add(arena_t *a, pairset_t *s, uint64_t key)
{
    if ((s->used + 1) * 2 > s->mask + 1 || !s->slots) {
        size_t cap = s->slots ? (s->mask + 1) * 2 : 1024;
        uint64_t *old = s->slots;
        size_t oldcap = s->slots ? s->mask + 1 : 0;
        s->slots = arena_alloc(a, cap * sizeof *s->slots);
        s->mask = cap - 1;
        s->used = 0;
        for (size_t i = 0; i < oldcap; i++)
            if (old[i])
                pairset_add(a, s, old[i]);
    }
    size_t h = (size_t)((key * UINT64_C(0x9E3779B97F4A7C15)) >> 17) & s->mask;
    while (s->slots[h]) {
        if (s->slots[h] == key)
            return false;
        h = (h + 1) & s->mask;
    }
    s->slots[h] = key;
    s->used++;
    return true;
}

/* The accounts of a node, one definition everywhere: the active accounts
 * working at or below it - their home is there, or they hold a live role
 * there - each counted once, and only those the reader may see (their home
 * or that role within the reader's scope). One query for all the nodes asked
 * about: the pairs (account, path) of the reader's scope, read from the
 * path indexes of users and user_roles, then each path's ancestors looked up
 * among ids. */
void users_node_figures(req_t *r, const int64_t *ids, size_t n, json_t *const *out)
{
    if (n == 0 || !app_user_can_anywhere(r, PERM_ORG_READ))
        return;
    int64_t *counts = arena_alloc(r->arena, sizeof(int64_t) * n);
    buf_t sql;
    buf_init(&sql);
    db_param_t params[100];
    int np = 0;
    buf_puts(&sql, "SELECT u.id, u.home_path FROM users u WHERE u.active = 1 AND ");
    app_scope_sql(r, PERM_ORG_READ, "u.home_path", &sql, params, &np, 48);
    /* UNION ALL: the duplicates go with the set of pairs below, which
     * costs less than the engine's own sort */
    buf_puts(&sql, " UNION ALL SELECT ur.user_id, ur.node_path FROM user_roles ur JOIN users u"
                   " ON u.id = ur.user_id WHERE u.active = 1"
                   " AND " ROLE_LIVE_SQL " AND ");
    params[np++] = P_INT(now_utc());
    app_scope_sql(r, PERM_ORG_READ, "ur.node_path", &sql, params, &np, 100);
    db_res_t *res = db_query(r->db, sql.data, params, np);
    buf_free(&sql);
    pairset_t seen = {0};
    while (res && db_next(res)) {
        int64_t path[NODES_PATH_MAX];
        int depth = nodes_path_parse(db_text(res, 1), path, NODES_PATH_MAX);
        int64_t user = db_int(res, 0);
        for (int i = 0; i < depth; i++) {
            const int64_t *hit = bsearch(&path[i], ids, n, sizeof(int64_t), id_cmp);
            if (hit && pairset_add(r->arena, &seen, pair_key((size_t)(hit - ids), user)))
                counts[hit - ids]++;
        }
    }
    if (res)
        db_res_free(res);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(out[i], app_figure(r, "accounts", N_("User accounts"), "user account",
                                                 "user accounts", counts[i]));
}

/* ------------------------------------------------------ the command line -- */

json_t *users_listing(db_t *db, arena_t *a, int64_t node_id)
{
    const char *sql_all =
        "SELECT u.id, COALESCE(u.email, u.username) AS login, u.name, u.active, ur.role,"
        " ur.node_id FROM users u LEFT JOIN user_roles ur ON ur.user_id = u.id ORDER BY u.id, ur.id";
    const char *sql_node =
        "SELECT u.id, COALESCE(u.email, u.username) AS login, u.name, u.active, ur.role,"
        " ur.node_id FROM users u LEFT JOIN user_roles ur ON ur.user_id = u.id"
        " WHERE (u.home_path >= ? AND u.home_path < ?) OR EXISTS (SELECT 1 FROM user_roles x"
        " WHERE x.user_id = u.id AND x.node_path >= ? AND x.node_path < ?) ORDER BY u.id, ur.id";
    if (node_id <= 0)
        return db_query_json(db, sql_all, NOPARAMS);
    const char *lo = nodes_path_of(db, a, node_id);
    if (!*lo)
        return json_array();
    const char *hi = app_path_upper(a, lo);
    return db_query_json(db, sql_node, PARAMS(P_TEXT(lo), P_TEXT(hi), P_TEXT(lo), P_TEXT(hi)));
}

/* The people who work at an EPS: a live director, quality referent or staff
 * role at it or one of its units, active. */
#define PEOPLE_SQL                                                                                 \
    "SELECT DISTINCT u.id, u.name FROM users u JOIN user_roles ra ON ra.user_id = u.id"           \
    " WHERE u.active = 1 AND ra.role IN ('director', 'quality_referent', 'staff')"               \
    " AND ra.node_path >= ? AND ra.node_path < ?"                                                 \
    " AND (ra.expires_at IS NULL OR ra.expires_at = 0 OR ra.expires_at > ?)"

json_t *users_workers(db_t *db, const char *eps_path)
{
    arena_t *a = arena_new();
    json_t *rows = db_query_json(db, PEOPLE_SQL " ORDER BY u.name, u.id LIMIT 1000",
                                 PARAMS(P_TEXT(eps_path), P_TEXT(app_path_upper(a, eps_path)),
                                        P_INT(now_utc())));
    arena_free(a);
    return rows ? rows : json_array();
}

bool users_works_at(db_t *db, const char *eps_path, int64_t user_id)
{
    arena_t *a = arena_new();
    int64_t n = db_query_int(db, "SELECT COUNT(*) FROM (" PEOPLE_SQL " AND u.id = ?) x",
                             PARAMS(P_TEXT(eps_path), P_TEXT(app_path_upper(a, eps_path)),
                                    P_INT(now_utc()), P_INT(user_id)),
                             0);
    arena_free(a);
    return n > 0;
}


json_t *users_holding(db_t *db, const char *node_path, role_t role)
{
    json_t *rows = db_query_json(db,
                                 "SELECT DISTINCT u.id, u.name FROM users u JOIN user_roles ra ON"
                                 " ra.user_id = u.id WHERE u.active = 1 AND ra.role = ?"
                                 " AND ra.node_path = ? AND (ra.expires_at IS NULL OR"
                                 " ra.expires_at = 0 OR ra.expires_at > ?) ORDER BY u.name, u.id"
                                 " LIMIT 100",
                                 PARAMS(P_TEXT(role_code(role)), P_TEXT(node_path),
                                        P_INT(now_utc())));
    return rows ? rows : json_array();
}
