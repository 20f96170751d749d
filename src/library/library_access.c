/* library_access.c - who may read, write, approve and acknowledge a
 * document (the rules are stated in library_internal.h), decided from the
 * reader's live roles and the document's node path before its content is
 * used, and the same rules as SQL for the lists. */
#include "library_internal.h"

#include <string.h>

static const role_t all_roles[] = {ROLE_ADMIN, ROLE_QUALITY_ADVISOR, ROLE_OBSERVER,
                                   ROLE_DIRECTOR, ROLE_QUALITY_REFERENT, ROLE_STAFF,
                                   ROLE_INSPECTOR};
static const role_t network[] = {ROLE_ADMIN, ROLE_QUALITY_ADVISOR};
static const role_t directors[] = {ROLE_DIRECTOR};
static const role_t referents[] = {ROLE_QUALITY_REFERENT};
static const role_t workers[] = {ROLE_DIRECTOR, ROLE_QUALITY_REFERENT, ROLE_STAFF};

lib_access_t lib_access(req_t *r, const char *path)
{
    if (!r->user || !path || !*path)
        return LIB_NONE;
    int depth = lib_path_depth(path);
    if (app_role_over(r, path, network, ARRAY_LEN(network)))
        return LIB_APPROVE;
    if (depth == 3 && app_role_over(r, path, directors, ARRAY_LEN(directors)))
        return LIB_APPROVE;
    if (depth == 3 && app_role_over(r, path, referents, ARRAY_LEN(referents)))
        return LIB_WRITE;
    if (depth == 1 || app_role_within(r, path, all_roles, ARRAY_LEN(all_roles)) ||
        app_can_at_path(r, PERM_QUALITY_READ, path))
        return LIB_READ;
    return LIB_NONE;
}

bool lib_visible(lib_access_t a, const lib_doc_t *d)
{
    return d->status == LIB_APPROVED ? a >= LIB_READ : a >= LIB_WRITE;
}

bool lib_works_within(req_t *r, const char *path)
{
    return app_role_within(r, path, workers, ARRAY_LEN(workers));
}

int64_t lib_resolve(req_t *r, int64_t id)
{
    return db_query_int(r->db, "SELECT node_id FROM documents WHERE id = ?", PARAMS(P_INT(id)), 0);
}

static const char *refusal(lib_access_t need)
{
    if (need >= LIB_APPROVE)
        return N_("Only the director of the establishment, or an administrator or a quality "
                  "advisor over it, approves its documents.");
    return N_("Only the director and the quality referent of the establishment, or an "
              "administrator or a quality advisor over it, change its documents.");
}

/* The routes' rule: 404 outside the reader's scope, 403 for a draft in
 * scope to a reader, and 403 short of need. */
static int check_need(req_t *r, int64_t id, lib_access_t need)
{
    const char *path = NULL, *status = NULL;
    db_res_t *res = db_query(r->db, "SELECT node_path, status FROM documents WHERE id = ?",
                             PARAMS(P_INT(id)));
    if (res && db_next(res)) {
        path = arena_strdup(r->arena, db_text(res, 0));
        status = arena_strdup(r->arena, db_text(res, 1));
    }
    db_res_free(res);
    lib_access_t a = path ? lib_access(r, path) : LIB_NONE;
    if (a == LIB_NONE)
        return 404;
    if (!str_eq(status, "approved") && a < LIB_WRITE) {
        r->deny_msgid = N_("This document is not approved: only those who write the "
                           "establishment's documents may open it.");
        return 403;
    }
    if (a < need) {
        r->deny_msgid = refusal(need);
        return 403;
    }
    return 0;
}

int lib_check(req_t *r, int64_t id)
{
    return check_need(r, id, LIB_READ);
}

int lib_check_write(req_t *r, int64_t id)
{
    return check_need(r, id, LIB_WRITE);
}

int lib_check_create(req_t *r, int64_t id)
{
    (void)id;
    int64_t now = now_utc();
    for (int i = 0; r->user && i < r->user->n_roles; i++) {
        const role_assignment_t *ra = &r->user->roles[i];
        if (!authz_role_live(ra, now))
            continue;
        if (ra->role == ROLE_ADMIN || ra->role == ROLE_QUALITY_ADVISOR ||
            ((ra->role == ROLE_DIRECTOR || ra->role == ROLE_QUALITY_REFERENT) &&
             ra->node_kind == NODE_EPS))
            return 0;
    }
    r->deny_msgid = refusal(LIB_WRITE);
    return 403;
}

lib_doc_t *lib_of_route(req_t *r, lib_access_t need)
{
    lib_doc_t *d = arena_alloc(r->arena, sizeof *d);
    lib_access_t got = lib_load(r->db, r->arena, r->ids[0], d) == 0 ? lib_access(r, d->node_path)
                                                                   : LIB_NONE;
    if (got == LIB_NONE) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return NULL;
    }
    if (!lib_visible(got, d)) {
        app_fail(r, RES_FORBIDDEN,
                 N_("This document is not approved: only those who write the establishment's "
                    "documents may open it."),
                 NULL);
        return NULL;
    }
    if (got < need) {
        app_fail(r, RES_FORBIDDEN, refusal(need), NULL);
        return NULL;
    }
    return d;
}

/* Each ancestor-or-self prefix of a stored path ("/1/4/9/" -> "/1/",
 * "/1/4/", "/1/4/9/"), appended to paths (no duplicates) while room. */
static void add_prefixes(arena_t *a, const char *path, const char **paths, int *n, int max)
{
    size_t len = strlen(path);
    for (size_t i = 1; i < len && *n < max; i++) {
        if (path[i] != '/')
            continue;
        const char *p = arena_strndup(a, path, i + 1);
        bool seen = false;
        for (int k = 0; k < *n && !seen; k++)
            seen = str_eq(paths[k], p);
        if (!seen)
            paths[(*n)++] = p;
    }
}

/* " IN (?, ?...)" of the given paths, or the impossible condition. */
static void in_list(const char *col, const char **paths, int n, buf_t *sql, db_param_t *p,
                    int *np, int max)
{
    int room = max - *np;
    if (n > room)
        n = room;
    if (n <= 0) {
        buf_puts(sql, "(1=0)");
        return;
    }
    buf_printf(sql, "%s IN (", col);
    for (int i = 0; i < n; i++) {
        buf_puts(sql, i ? ", ?" : "?");
        p[(*np)++] = P_TEXT(paths[i]);
    }
    buf_puts(sql, ")");
}

#define LIB_MAX_PATHS 24

void lib_work_paths_sql(req_t *r, const char *col, buf_t *sql, db_param_t *p, int *np, int max)
{
    const char *paths[LIB_MAX_PATHS];
    int n = 0;
    int64_t now = now_utc();
    for (int i = 0; r->user && i < r->user->n_roles; i++) {
        const role_assignment_t *ra = &r->user->roles[i];
        if (!authz_role_live(ra, now) || !ra->node_path ||
            (ra->role != ROLE_DIRECTOR && ra->role != ROLE_QUALITY_REFERENT &&
             ra->role != ROLE_STAFF))
            continue;
        add_prefixes(r->arena, ra->node_path, paths, &n, LIB_MAX_PATHS);
    }
    in_list(col, paths, n, sql, p, np, max);
}

void lib_scope_sql(req_t *r, buf_t *sql, db_param_t *p, int *np, int max)
{
    int64_t now = now_utc();
    /* approved: where the reader holds a role or above it (the root's for
     * everyone), and in the subtree of their quality readings */
    const char *paths[LIB_MAX_PATHS];
    int n = 0;
    char root[32];
    snprintf(root, sizeof root, "/%lld/", (long long)nodes_root_id(r->db));
    paths[n++] = arena_strdup(r->arena, root);
    for (int i = 0; r->user && i < r->user->n_roles; i++) {
        const role_assignment_t *ra = &r->user->roles[i];
        if (authz_role_live(ra, now) && ra->node_path)
            add_prefixes(r->arena, ra->node_path, paths, &n, LIB_MAX_PATHS);
    }
    buf_puts(sql, "((d.status = 'approved' AND (");
    in_list("d.node_path", paths, n, sql, p, np, max - 20);
    buf_puts(sql, " OR ");
    app_scope_sql(r, PERM_QUALITY_READ, "d.node_path", sql, p, np, max - 12);
    buf_puts(sql, "))");
    /* everything where the reader writes: admins and advisors over the
     * node, the director and referent of an establishment */
    for (int i = 0; r->user && i < r->user->n_roles && *np < max - 2; i++) {
        const role_assignment_t *ra = &r->user->roles[i];
        if (!authz_role_live(ra, now) || !ra->node_path)
            continue;
        if (ra->role == ROLE_ADMIN || ra->role == ROLE_QUALITY_ADVISOR) {
            buf_puts(sql, " OR (d.node_path >= ? AND d.node_path < ?)");
            p[(*np)++] = P_TEXT(ra->node_path);
            p[(*np)++] = P_TEXT(app_path_upper(r->arena, ra->node_path));
        } else if ((ra->role == ROLE_DIRECTOR || ra->role == ROLE_QUALITY_REFERENT) &&
                   ra->node_kind == NODE_EPS) {
            buf_puts(sql, " OR d.node_path = ?");
            p[(*np)++] = P_TEXT(ra->node_path);
        }
    }
    buf_puts(sql, ")");
}

static bool keep_writable(req_t *r, node_kind_t kind, const int64_t *path, int n, void *ctx)
{
    (void)ctx;
    return kind != NODE_UNIT && lib_access(r, app_path_text(r->arena, path, n)) >= LIB_WRITE;
}

json_t *lib_creatable_nodes(req_t *r, int64_t selected)
{
    json_t *all = nodes_options(r, PERM_QUALITY_WRITE, NODES_OPT_HOMES, selected, keep_writable,
                                NULL);
    return all ? all : json_array();
}

static void append_unique(json_t *list, json_t *more)
{
    size_t i, k;
    json_t *o, *e;
    json_array_foreach(more, i, o) {
        bool seen = false;
        json_array_foreach(list, k, e) {
            if (json_integer_value(json_object_get(e, "id")) ==
                json_integer_value(json_object_get(o, "id")))
                seen = true;
        }
        if (!seen)
            json_array_append(list, o);
    }
}

json_t *lib_owner_options(req_t *r, const char *path)
{
    json_t *list;
    if (lib_path_depth(path) == 3) {
        list = users_workers(r->db, path);
        if (!list)
            list = json_array();
    } else {
        list = json_array();
        json_t *a = users_holding(r->db, path, ROLE_ADMIN);
        json_t *q = users_holding(r->db, path, ROLE_QUALITY_ADVISOR);
        if (a)
            append_unique(list, a);
        if (q)
            append_unique(list, q);
        json_decref(a);
        json_decref(q);
    }
    if (r->user) {
        json_t *me = json_pack("[{s:I, s:s}]", "id", (json_int_t)r->user->id, "name",
                               r->user->name ? r->user->name : "");
        append_unique(list, me);
        json_decref(me);
    }
    return list;
}

bool lib_owner_ok(req_t *r, const char *path, int64_t user_id)
{
    if (user_id <= 0 || !users_is_active(r->db, user_id))
        return false;
    if (r->user && user_id == r->user->id)
        return true;
    json_t *opts = lib_owner_options(r, path);
    bool ok = false;
    size_t i;
    json_t *o;
    json_array_foreach(opts, i, o) {
        if (json_integer_value(json_object_get(o, "id")) == user_id)
            ok = true;
    }
    json_decref(opts);
    return ok;
}
