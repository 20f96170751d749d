/* org_users_query.c - reading users: the signed-in user's context, the
 * login lookup, the resolvers of routes taking a user id, users and roles as
 * JSON, the scope-filtered list, and the node choices offered in forms. */
#include "org_users_model.h"

#include "../core/fold.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *obj_str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* ----------------------------------------------------------- resolvers -- */

int64_t org_resolve_user(req_t *r, int64_t user_id)
{
    return db_query_int(r->db, "SELECT node_id FROM users WHERE id = ?", PARAMS(P_INT(user_id)), 0);
}

int64_t org_resolve_role(req_t *r, int64_t role_id)
{
    return db_query_int(r->db, "SELECT node_id FROM user_roles WHERE id = ?", PARAMS(P_INT(role_id)), 0);
}

/* --------------------------------------------------------------- nodes -- */

/* Bit mask of the roles the current user may give at this node. */
static unsigned grantable_roles(req_t *r, node_kind_t kind, const int64_t *path, int n_path)
{
    unsigned mask = 0;
    int64_t now = now_utc();
    for (int role = ROLE_NONE + 1; role < ROLE__COUNT; role++)
        if (authz_can_grant(r->user->roles, r->user->n_roles, (role_t)role, kind, path, n_path, now))
            mask |= 1u << role;
    return mask;
}

typedef struct {
    int64_t id;
    int kind;
    const char *label;
    int64_t path[USERS_PATH_MAX];
    int n_path;
} node_opt_t;

/* Tree order: a node right before its subtree, siblings by id (the order
 * they were created in). Comparing path strings would put "/1/17/" before
 * "/1/3/". */
static int node_opt_cmp(const void *pa, const void *pb)
{
    const node_opt_t *a = pa, *b = pb;
    for (int i = 0; i < a->n_path && i < b->n_path; i++)
        if (a->path[i] != b->path[i])
            return a->path[i] < b->path[i] ? -1 : 1;
    return a->n_path - b->n_path;
}

/* name or name_ar in Arabic; units carry their parent's name. */
static const char *label_of(arena_t *a, const char *lang, const char *kind, const char *name,
                            const char *name_ar, const char *pname, const char *pname_ar)
{
    bool ar = str_eq(lang, "ar");
    const char *n = ar && name_ar && *name_ar ? name_ar : (name ? name : "");
    if (str_eq(kind, "unit") && pname) {
        const char *pn = ar && pname_ar && *pname_ar ? pname_ar : pname;
        return arena_printf(a, "%s (%s)", n, pn);
    }
    return arena_strdup(a, n);
}

const char *users_node_label(db_t *db, arena_t *a, const char *lang, int64_t node_id)
{
    db_res_t *res = db_query(db,
                             "SELECT n.kind, n.name, n.name_ar, p.name, p.name_ar FROM nodes n "
                             "LEFT JOIN nodes p ON p.id = n.parent_id WHERE n.id = ?",
                             PARAMS(P_INT(node_id)));
    if (!res)
        return "";
    const char *label = "";
    if (db_next(res))
        label = label_of(a, lang, db_text(res, 0), db_text(res, 1), db_text(res, 2), db_text(res, 3),
                         db_text(res, 4));
    db_res_free(res);
    return label;
}

json_t *users_node_options(req_t *r, perm_t perm, unsigned flags, int64_t selected,
                           unsigned *role_mask)
{
    bool grantable = flags & USERS_OPT_GRANTABLE;
    if (role_mask)
        *role_mask = 0;
    json_t *out = json_array();
    if (!r->user)
        return out;
    buf_t sql;
    buf_init(&sql);
    buf_puts(&sql, "SELECT n.id, n.name, n.kind, n.path, p.name, n.name_ar, p.name_ar FROM nodes n "
                   "LEFT JOIN nodes p ON p.id = n.parent_id WHERE n.active = 1 AND ");
    db_param_t params[64];
    int np = 0;
    app_scope_sql(r, perm, "n.path", &sql, params, &np, 64);
    buf_puts(&sql, " ORDER BY n.id LIMIT 5000");
    db_res_t *res = db_query(r->db, sql.data, params, np);
    buf_free(&sql);
    if (!res)
        return out;
    size_t n = 0, cap = 0;
    node_opt_t *opts = NULL;
    while (db_next(res)) {
        node_opt_t o = {.id = db_int(res, 0), .kind = node_kind_from_code(db_text(res, 2))};
        o.n_path = users_path_parse(db_text(res, 3), o.path, USERS_PATH_MAX);
        if (o.n_path < 1 || o.kind < 0 || ((flags & USERS_OPT_HOMES) && o.kind == NODE_UNIT))
            continue;
        if (grantable || role_mask) {
            unsigned m = grantable_roles(r, (node_kind_t)o.kind, o.path, o.n_path);
            if (role_mask)
                *role_mask |= m;
            if (grantable && !m)
                continue;
        }
        o.label = label_of(r->arena, r->lang, db_text(res, 2), db_text(res, 1), db_text(res, 5),
                           db_text(res, 4), db_text(res, 6));
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            opts = xrealloc(opts, cap * sizeof *opts);
        }
        opts[n++] = o;
    }
    db_res_free(res);
    if (n > 1)
        qsort(opts, n, sizeof *opts, node_opt_cmp);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(out, json_pack("{sI ss ss sb}", "id", (json_int_t)opts[i].id, "label",
                                             opts[i].label, "kind",
                                             node_kind_code((node_kind_t)opts[i].kind), "selected",
                                             opts[i].id == selected));
    free(opts);
    return out;
}

/* ------------------------------------------------------------- loading -- */

user_ctx_t *org_user_ctx_load(db_t *db, arena_t *a, int64_t user_id)
{
    db_res_t *res = db_query(db, "SELECT id, name, username, email, language FROM users "
                                 "WHERE id = ? AND active = 1",
                             PARAMS(P_INT(user_id)));
    if (!res)
        return NULL;
    user_ctx_t *u = NULL;
    if (db_next(res)) {
        u = arena_alloc(a, sizeof *u);
        u->id = db_int(res, 0);
        u->name = arena_strdup(a, db_text(res, 1) ? db_text(res, 1) : "");
        u->username = arena_strdup(a, db_text(res, 2));
        u->email = arena_strdup(a, db_text(res, 3));
        u->language = arena_strdup(a, db_text(res, 4) ? db_text(res, 4) : I18N_DEFAULT);
    }
    db_res_free(res);
    if (!u)
        return NULL;
    res = db_query(db,
                   "SELECT ur.role, ur.node_id, n.kind, ur.expires_at FROM user_roles ur "
                   "JOIN nodes n ON n.id = ur.node_id WHERE ur.user_id = ? "
                   "AND (ur.expires_at IS NULL OR ur.expires_at > ?) ORDER BY ur.id",
                   PARAMS(P_INT(user_id), P_INT(now_utc())));
    if (!res)
        return NULL;
    int cap = 0;
    while (db_next(res)) {
        role_t role = role_from_code(db_text(res, 0));
        int kind = node_kind_from_code(db_text(res, 2));
        if (role == ROLE_NONE || kind < 0)
            continue;
        if (u->n_roles == cap) {
            cap = cap ? cap * 2 : 8;
            role_assignment_t *grown = arena_alloc(a, sizeof *grown * (size_t)cap);
            if (u->n_roles)
                memcpy(grown, u->roles, sizeof *grown * (size_t)u->n_roles);
            u->roles = grown;
        }
        u->roles[u->n_roles++] = (role_assignment_t){
            .role = role,
            .node_id = db_int(res, 1),
            .node_kind = (node_kind_t)kind,
            .expires_at = db_int(res, 3),
        };
    }
    db_res_free(res);
    return u;
}

int org_user_find_login(db_t *db, const char *login, int64_t *id, char *hash_out, size_t hash_len)
{
    char key[USERS_EMAIL_MAX + 2];
    if (!login)
        return -1;
    while (*login == ' ')
        login++;
    size_t n = strlen(login);
    while (n > 0 && login[n - 1] == ' ')
        n--;
    if (n == 0 || n > USERS_EMAIL_MAX)
        return -1;
    memcpy(key, login, n);
    key[n] = '\0';
    users_lower(key);
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

json_t *users_roles_json(db_t *db, req_t *r, int64_t id, bool live_only)
{
    buf_t sql;
    buf_init(&sql);
    buf_puts(&sql, "SELECT ur.id, ur.role, ur.node_id, n.name AS node_name, n.kind AS node_kind, "
                   "ur.expires_at FROM user_roles ur JOIN nodes n ON n.id = ur.node_id "
                   "WHERE ur.user_id = ?");
    db_param_t params[64];
    int np = 0;
    params[np++] = P_INT(id);
    if (live_only) {
        buf_puts(&sql, " AND (ur.expires_at IS NULL OR ur.expires_at > ?)");
        params[np++] = P_INT(now_utc());
    }
    if (r) {
        buf_puts(&sql, " AND ");
        app_scope_sql(r, PERM_USER_READ, "n.path", &sql, params, &np, 64);
    }
    buf_puts(&sql, " ORDER BY ur.id");
    json_t *rows = db_query_json(db, sql.data, params, np);
    buf_free(&sql);
    return rows ? rows : json_array();
}

json_t *users_json(db_t *db, req_t *r, int64_t id)
{
    json_t *u = db_query_row_json(
        db,
        "SELECT u.id, u.email, u.username, u.name, u.language, u.node_id, n.name AS node_name, "
        "u.active, u.version, u.created_at, u.last_login_at FROM users u "
        "JOIN nodes n ON n.id = u.node_id WHERE u.id = ?",
        PARAMS(P_INT(id)));
    if (!u)
        return NULL;
    json_object_set_new(u, "active", json_boolean(json_integer_value(json_object_get(u, "active"))));
    json_object_set_new(u, "roles", users_roles_json(db, r, id, false));
    return u;
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
    buf_puts(&where, " FROM users u JOIN nodes n ON n.id = u.node_id WHERE ");
    app_scope_sql(r, PERM_USER_READ, "n.path", &where, params, &np, SCOPE_MAX);
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
        json_t *row = db_query_row_json(r->db, "SELECT path FROM nodes WHERE id = ?",
                                        PARAMS(P_INT(f->node_id)));
        const char *path = row ? obj_str(row, "path") : NULL;
        /* an unknown node matches nothing: no path starts with "-" */
        const char *pat = path ? arena_strdup(r->arena, path) : "-";
        json_decref(row);
        /* roles count only where the viewer may see them: a role held in
         * another tenant must not show through a filter */
        buf_puts(&where, " AND (instr(n.path, ?) = 1 OR EXISTS (SELECT 1 FROM user_roles fr "
                         "JOIN nodes fn ON fn.id = fr.node_id WHERE fr.user_id = u.id AND "
                         "instr(fn.path, ?) = 1 AND ");
        params[np++] = P_TEXT(pat);
        params[np++] = P_TEXT(pat);
        app_scope_sql(r, PERM_USER_READ, "fn.path", &where, params, &np, np + SCOPE_MAX);
        buf_puts(&where, "))");
    }
    if (f->role && *f->role) {
        buf_puts(&where, " AND EXISTS (SELECT 1 FROM user_roles rr JOIN nodes rn ON rn.id = rr.node_id "
                         "WHERE rr.user_id = u.id AND rr.role = ? AND ");
        params[np++] = P_TEXT(f->role);
        app_scope_sql(r, PERM_USER_READ, "rn.path", &where, params, &np, np + SCOPE_MAX);
        buf_puts(&where, ")");
    }
    if (f->active == 0 || f->active == 1) {
        buf_puts(&where, " AND u.active = ?");
        params[np++] = P_INT(f->active);
    }

    char *count_sql = arena_printf(r->arena, "SELECT COUNT(*)%s", where.data);
    *total = db_query_int(r->db, count_sql, params, np, 0);
    char *sql = arena_printf(r->arena,
                             "SELECT u.id, u.email, u.username, u.name, u.language, u.node_id, "
                             "n.name AS node_name, u.active, u.version, u.created_at, "
                             "u.last_login_at%s ORDER BY u.name, u.id LIMIT ? OFFSET ?",
                             where.data);
    buf_free(&where);
    params[np++] = P_INT(f->limit);
    params[np++] = P_INT(f->offset);
    json_t *items = db_query_json(r->db, sql, params, np);
    if (!items)
        return json_array();
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        json_object_set_new(it, "active",
                            json_boolean(json_integer_value(json_object_get(it, "active"))));
        json_object_set_new(it, "roles",
                            users_roles_json(r->db, r, json_integer_value(json_object_get(it, "id")),
                                             false));
    }
    return items;
}

void users_fail(req_t *r, int status, const char *msgid)
{
    switch (status) {
    case 403:
        respond_error(r, 403, "forbidden", msgid ? msgid : N_("You are not allowed to do this."), NULL);
        break;
    case 404:
        respond_error(r, 404, "not_found", msgid ? msgid : N_("This page does not exist."), NULL);
        break;
    case 409:
        respond_error(r, 409, "conflict",
                      msgid ? msgid : N_("Someone else changed this account meanwhile; reload the page and try again."),
                      NULL);
        break;
    default:
        respond_error(r, 500, "internal", msgid ? msgid : N_("Something went wrong; try again."), NULL);
        break;
    }
}
