/* nodes_api.c - the nodes JSON API: GET/POST /api/v1/nodes and
 * GET/PATCH /api/v1/nodes/{id}. */
#include "nodes_internal.h"

#include "../core/fold.h"

#include <stdlib.h>
#include <string.h>

#define MSG_WRONG_TYPE N_("This value has the wrong type.")
#define MSG_INVALID N_("Some information is not valid.")
#define MSG_STALE                                                                              \
    N_("Someone else changed this record in the meantime. Your changes were not saved.")

/* ---- API handlers --------------------------------------------------------- */

/* Sends 422 when errors holds something (steals it) and returns true;
 * otherwise frees it. */
static bool send_if_invalid(req_t *r, json_t *errors)
{
    if (json_object_size(errors) > 0) {
        app_fail(r, RES_INVALID, MSG_INVALID, errors);
        return true;
    }
    json_decref(errors);
    return false;
}

static void send_server_error(req_t *r)
{
    app_fail(r, RES_ERROR, NULL, NULL);
}

void nodes_api_list(req_t *r)
{
    json_t *errors = json_object();
    int64_t limit = 50, offset = 0;
    v_paging(r, errors, &limit, &offset);
    const char *kind = req_query(r, "kind");
    if (str_empty(kind))
        kind = NULL;
    else if (node_kind_from_code(kind) < 0)
        v_error(errors, "kind", N_("Unknown kind: use root, association, eps or unit."));
    const char *pid = req_query(r, "parent_id");
    int64_t parent_id = 0;
    if (!str_empty(pid) && (!str_to_i64(pid, &parent_id) || parent_id <= 0))
        v_error(errors, "parent_id", N_("Enter a whole number."));
    const char *q = req_query(r, "q");
    if (str_empty(q))
        q = NULL;
    else if (!utf8_valid(q, strlen(q)) || utf8_count(q) > NODES_NAME_MAX)
        v_error(errors, "q", N_("The search text is too long or not valid."));
    if (send_if_invalid(r, errors))
        return;

    buf_t where;
    buf_init(&where);
    db_param_t params[64];
    int np = 0;
    buf_puts(&where, " WHERE ");
    app_scope_sql(r, PERM_ORG_READ, "n.path", &where, params, &np, 48);
    if (kind) {
        buf_puts(&where, " AND n.kind = ?");
        params[np++] = P_TEXT(kind);
    }
    if (parent_id > 0) {
        buf_puts(&where, " AND n.parent_id = ?");
        params[np++] = P_INT(parent_id);
    }
    if (q) {
        /* every word of the folded query, anywhere in the folded name or
         * Arabic name (a query folding to nothing filters nothing) */
        char *folded = text_fold(q);
        const char *words[TEXT_FOLD_MAX_WORDS];
        size_t nw = text_fold_words(folded, words, TEXT_FOLD_MAX_WORDS);
        for (size_t i = 0; i < nw; i++) {
            char *esc = db_like_escape(words[i]);
            buf_puts(&where, " AND n.search_key LIKE ? ESCAPE '\\'");
            params[np++] = P_TEXT(arena_printf(r->arena, "%%%s%%", esc));
            free(esc);
        }
        free(folded);
    }
    char *count_sql = arena_printf(r->arena, "SELECT COUNT(*) FROM nodes n%s", where.data);
    int64_t total = db_query_int(r->db, count_sql, params, np, -1);
    /* the order of index nodes_list_order (nodes_module.c), word for word */
    char *sql = arena_printf(r->arena,
                             "SELECT " NODE_COLS " FROM nodes n%s ORDER BY CASE n.kind"
                             " WHEN 'root' THEN 0 WHEN 'association' THEN 1 WHEN 'eps' THEN 2"
                             " ELSE 3 END, lower(n.name), n.id LIMIT ? OFFSET ?",
                             where.data);
    buf_free(&where);
    params[np++] = P_INT(limit);
    params[np++] = P_INT(offset);
    db_res_t *res = total < 0 ? NULL : db_query(r->db, sql, params, np);
    if (!res) {
        send_server_error(r);
        return;
    }
    json_t *items = json_array();
    while (db_next(res)) {
        node_t n;
        nodes_from_row(r->arena, res, 0, &n);
        json_array_append_new(items, nodes_json(&n));
    }
    db_res_free(res);
    json_t *out = json_object();
    json_object_set_new(out, "items", items);
    json_object_set_new(out, "total", json_integer(total));
    api_send(r, 200, out);
}

void nodes_api_get(req_t *r)
{
    node_t n;
    if (nodes_load(r->db, r->arena, r->node_id, &n) != 0) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return;
    }
    json_t *o = nodes_json(&n);
    int64_t kids =
        db_query_int(r->db, "SELECT COUNT(*) FROM nodes WHERE parent_id = ?", PARAMS(P_INT(n.id)), 0);
    json_object_set_new(o, "children_count", json_integer(kids));
    api_send(r, 200, o);
}

static const char *const create_fields[] = {"kind", "parent_id", "name", "name_ar", "category",
                                            "region", "province", "capacity", "authorisation_no",
                                            "unit_kind", NULL};
static const char *const patch_fields[] = {"kind", "parent_id", "name", "name_ar", "category",
                                           "region", "province", "capacity", "authorisation_no",
                                           "unit_kind", "version", "active", NULL};

/* Fields sent that this kind does not carry. */
static void refuse_foreign_fields(req_t *r, json_t *errors, node_kind_t kind)
{
    static const char *const optional[] = {"category", "region", "province", "capacity",
                                           "authorisation_no", "unit_kind", NULL};
    for (size_t i = 0; optional[i]; i++) {
        json_t *j = json_object_get(r->json, optional[i]);
        if (j && !json_is_null(j) && !nodes_field_applies(kind, optional[i]))
            v_error(errors, optional[i], N_("This field does not apply to this kind of node."));
    }
}

void nodes_api_create(req_t *r)
{
    if (!api_body_object(r))
        return;
    json_t *errors = json_object();
    v_unknown_fields(r, errors, create_fields);
    nodes_json_types(r, errors);

    json_t *jk = json_object_get(r->json, "kind");
    int kind = -1;
    if (!jk || json_is_null(jk))
        v_error(errors, "kind", N_("Say which kind of node to create: association, eps or unit."));
    else if (json_is_string(jk)) {
        kind = node_kind_from_code(json_string_value(jk));
        if (kind < 0 || kind == NODE_ROOT) {
            v_error(errors, "kind", N_("Unknown kind: use association, eps or unit."));
            kind = -1;
        }
    }
    json_t *jp = json_object_get(r->json, "parent_id");
    int64_t parent_id = 0;
    if (kind == NODE_ASSOCIATION) {
        if (jp && !json_is_null(jp))
            v_error(errors, "parent_id",
                      N_("An association has no parent_id: it is placed under the platform."));
    } else if (kind > 0) {
        if (!jp || json_is_null(jp))
            v_error(errors, "parent_id", kind == NODE_EPS
                                               ? N_("Give the association the establishment belongs to.")
                                               : N_("Give the establishment the unit belongs to."));
        else if (json_is_integer(jp) && json_integer_value(jp) > 0)
            parent_id = json_integer_value(jp);
        else
            v_error(errors, "parent_id", N_("Enter a whole number."));
    }
    if (kind < 0 || (kind != NODE_ASSOCIATION && parent_id <= 0)) {
        send_if_invalid(r, errors);
        return;
    }

    /* Where it goes, and whether this user may add there (404/403 first). */
    node_t parent;
    if (kind == NODE_ASSOCIATION) {
        int64_t root = nodes_root_id(r->db);
        if (nodes_load(r->db, r->arena, root, &parent) != 0) {
            json_decref(errors);
            send_server_error(r);
            return;
        }
        if (app_authorize(r, PERM_ORG_MANAGE, root) != AUTHZ_ALLOW) {
            json_decref(errors);
            app_fail(r, RES_FORBIDDEN, N_("Only a platform administrator may add an association."), NULL);
            return;
        }
    } else {
        bool found = nodes_load(r->db, r->arena, parent_id, &parent) == 0;
        if (!app_require(r, PERM_ORG_MANAGE, parent_id)) {
            json_decref(errors);
            return;
        }
        if (!found) {
            json_decref(errors);
            app_fail(r, RES_NOT_FOUND, NULL, NULL);
            return;
        }
        if (!nodes_kind_parent_ok((node_kind_t)kind, parent.kind))
            v_error(errors, "parent_id",
                      kind == NODE_EPS ? N_("An establishment must be placed under an association.")
                                       : N_("A unit must be placed under an establishment."));
    }
    refuse_foreign_fields(r, errors, (node_kind_t)kind);
    node_input_t in;
    nodes_input_read(r, errors, (node_kind_t)kind, false, &in);
    if (send_if_invalid(r, errors))
        return;

    int64_t id = 0;
    const char *conflict = NULL;
    res_t rc = nodes_insert(r->db, r->arena, r->user->id, req_ip(r), &parent, (node_kind_t)kind, &in,
                            &id, &conflict);
    if (rc == RES_CONFLICT) {
        app_fail(r, RES_CONFLICT, conflict, NULL);
        return;
    }
    node_t n;
    if (rc != RES_OK || nodes_load(r->db, r->arena, id, &n) != 0) {
        send_server_error(r);
        return;
    }
    api_send(r, 201, nodes_json(&n));
}

void nodes_api_patch(req_t *r)
{
    node_t cur;
    if (nodes_load(r->db, r->arena, r->node_id, &cur) != 0) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return;
    }
    if (!api_body_object(r))
        return;
    json_t *errors = json_object();
    v_unknown_fields(r, errors, patch_fields);
    nodes_json_types(r, errors);

    json_t *jk = json_object_get(r->json, "kind");
    if (jk && json_is_string(jk) && strcmp(json_string_value(jk), node_kind_code(cur.kind)) != 0)
        v_error(errors, "kind", N_("The kind of a node cannot be changed."));
    json_t *jp = json_object_get(r->json, "parent_id");
    if (jp && !json_object_get(errors, "parent_id")) {
        bool same = (cur.kind == NODE_ASSOCIATION || cur.kind == NODE_ROOT)
                        ? json_is_null(jp)
                        : (json_is_integer(jp) && json_integer_value(jp) == cur.parent_id);
        if (!same)
            v_error(errors, "parent_id", N_("A node cannot be moved to another parent."));
    }
    refuse_foreign_fields(r, errors, cur.kind);

    json_t *jv = json_object_get(r->json, "version");
    int64_t version = cur.version;
    if (jv && json_is_integer(jv))
        version = json_integer_value(jv);

    node_input_t in;
    nodes_input_read(r, errors, cur.kind, true, &in);
    json_t *ja = json_object_get(r->json, "active");
    if (ja && json_is_boolean(ja)) {
        in.has_active = true;
        in.active = json_is_true(ja);
        /* Disabling or enabling is decided one level up: a director may edit
         * the details of their establishment, not switch it off. */
        if (in.active != cur.active &&
            (cur.parent_id == 0 || app_authorize(r, PERM_ORG_MANAGE, cur.parent_id) != AUTHZ_ALLOW)) {
            json_decref(errors);
            app_fail(r, RES_FORBIDDEN,
                     N_("Only those who manage the node above may disable or enable this one."), NULL);
            return;
        }
    }
    if (send_if_invalid(r, errors))
        return;
    if (version != cur.version) {
        app_fail(r, RES_CONFLICT, MSG_STALE, NULL);
        return;
    }
    const char *conflict = NULL;
    res_t rc = nodes_write(r->db, r->arena, r->user->id, req_ip(r), &cur, &in, version, &conflict);
    if (rc == RES_CONFLICT) {
        app_fail(r, RES_CONFLICT, conflict, NULL);
        return;
    }
    node_t n;
    if (rc != RES_OK || nodes_load(r->db, r->arena, cur.id, &n) != 0) {
        send_server_error(r);
        return;
    }
    api_send(r, 200, nodes_json(&n));
}
