/* org_nodes_api.c - the nodes JSON API (GET/POST /api/v1/nodes,
 * GET/PATCH /api/v1/nodes/{id}), and what pages and API share to change the
 * tree: input validation and the audited writes (create, update, disable,
 * enable) with optimistic concurrency on nodes.version. */
#include "org_nodes.h"

#include "../core/fold.h"

#include <stdlib.h>
#include <string.h>

#define MSG_WRONG_TYPE N_("This value has the wrong type.")
#define MSG_INVALID N_("Some information is not valid.")
#define MSG_STALE                                                                              \
    N_("Someone else changed this record in the meantime. Your changes were not saved.")

/* ---- Input ---------------------------------------------------------------- */

static bool field_present(req_t *r, const char *f, bool *is_null)
{
    *is_null = false;
    if (r->json) {
        json_t *j = json_object_get(r->json, f);
        if (!j)
            return false;
        *is_null = json_is_null(j);
        return true;
    }
    return http_form(r, f) != NULL;
}

static bool has_error(json_t *errors, const char *f)
{
    return json_object_get(errors, f) != NULL;
}

static void set_error(json_t *errors, const char *f, const char *msgid)
{
    if (!has_error(errors, f))
        json_object_set_new(errors, f, json_string(msgid));
}

/* What read_text and read_code share: is the field to be read at all (a
 * PATCH leaves absent fields alone), is it of the right type, is it empty.
 * Returns true when the caller should go on and validate the value. */
static bool read_begin(req_t *r, json_t *errors, const char *f, const char *required_msg,
                       bool partial, bool *has, const char **out)
{
    bool is_null;
    bool present = field_present(r, f, &is_null);
    *has = false;
    *out = NULL;
    if (!present && partial)
        return false;
    *has = true;
    if (has_error(errors, f))
        return false;
    bool bad = false;
    const char *raw = is_null ? NULL : input_str(r, f, &bad);
    if (bad) {
        set_error(errors, f, MSG_WRONG_TYPE);
        return false;
    }
    if (str_empty(raw)) {
        if (required_msg)
            set_error(errors, f, required_msg);
        return false;
    }
    return true;
}

/* Text: trimmed, NULL when empty; `required_msg` when required and empty. */
static void read_text(req_t *r, json_t *errors, const char *f, const char *required_msg,
                      size_t max, bool partial, bool *has, const char **out)
{
    if (!read_begin(r, errors, f, required_msg, partial, has, out))
        return;
    const char *v = v_text(r, errors, f, required_msg != NULL, max);
    *out = (v && *v) ? v : NULL;
}

/* A code from list, NULL when empty; unknown codes are an error. */
static void read_code(req_t *r, json_t *errors, const char *f, const char *required_msg,
                      const char *const *list, bool partial, bool *has, const char **out)
{
    if (!read_begin(r, errors, f, required_msg, partial, has, out))
        return;
    const char *v = v_code(r, errors, f, required_msg != NULL, list);
    if (v && !org_code_in(list, v)) {
        set_error(errors, f, N_("Choose a value from the list."));
        v = NULL;
    }
    *out = (v && *v) ? v : NULL;
}

void org_node_input_read(req_t *r, json_t *errors, node_kind_t kind, bool partial,
                         org_node_input_t *in)
{
    memset(in, 0, sizeof *in);
    in->capacity = -1;
    read_text(r, errors, "name", N_("Enter a name."), ORG_NAME_MAX, partial, &in->has_name,
              &in->name);
    read_text(r, errors, "name_ar", NULL, ORG_NAME_MAX, partial, &in->has_name_ar, &in->name_ar);
    if (kind == NODE_EPS) {
        read_code(r, errors, "category", N_("Choose the category of the establishment."),
                  org_categories, partial, &in->has_category, &in->category);
        read_code(r, errors, "region", NULL, org_regions, partial, &in->has_region, &in->region);
        read_text(r, errors, "province", NULL, ORG_PROVINCE_MAX, partial, &in->has_province,
                  &in->province);
        read_text(r, errors, "authorisation_no", NULL, ORG_AUTHNO_MAX, partial,
                  &in->has_authorisation_no, &in->authorisation_no);
        bool is_null;
        bool present = field_present(r, "capacity", &is_null);
        if (present || !partial) {
            in->has_capacity = true;
            bool bad = false;
            const char *raw = (present && !is_null) ? input_str(r, "capacity", &bad) : NULL;
            if (has_error(errors, "capacity")) {
                /* already refused (type) */
            } else if (bad) {
                set_error(errors, "capacity", MSG_WRONG_TYPE);
            } else if (!str_empty(raw)) {
                int64_t v = v_int(r, errors, "capacity", false, 0, ORG_CAPACITY_MAX, -1);
                if (!has_error(errors, "capacity")) {
                    if (v < 0 || v > ORG_CAPACITY_MAX)
                        set_error(errors, "capacity",
                                  N_("Enter a number of places between 0 and 10000."));
                    else
                        in->capacity = v;
                }
            }
        }
    } else if (kind == NODE_UNIT) {
        read_code(r, errors, "unit_kind", NULL, org_unit_kinds, partial, &in->has_unit_kind,
                  &in->unit_kind);
    }
}

void org_node_json_types(req_t *r, json_t *errors)
{
    static const char *const strings[] = {"kind", "name", "name_ar", "category", "region",
                                          "province", "authorisation_no", "unit_kind", NULL};
    static const char *const integers[] = {"parent_id", "capacity", "version", NULL};
    if (!r->json)
        return;
    for (size_t i = 0; strings[i]; i++) {
        json_t *j = json_object_get(r->json, strings[i]);
        if (j && !json_is_string(j) && !json_is_null(j))
            set_error(errors, strings[i], MSG_WRONG_TYPE);
    }
    for (size_t i = 0; integers[i]; i++) {
        json_t *j = json_object_get(r->json, integers[i]);
        if (j && !json_is_integer(j) && !json_is_null(j))
            set_error(errors, integers[i], MSG_WRONG_TYPE);
    }
    json_t *v = json_object_get(r->json, "version");
    if (v && json_is_null(v))
        set_error(errors, "version", MSG_WRONG_TYPE);
    json_t *a = json_object_get(r->json, "active");
    if (a && !json_is_boolean(a))
        set_error(errors, "active", MSG_WRONG_TYPE);
}

/* ---- Writes --------------------------------------------------------------- */

static json_t *jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* The audited fields of a node. */
static json_t *node_snapshot(const org_node_t *n)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", jstr(n->name));
    json_object_set_new(o, "name_ar", jstr(n->name_ar));
    if (n->kind == NODE_EPS) {
        json_object_set_new(o, "category", jstr(n->category));
        json_object_set_new(o, "region", jstr(n->region));
        json_object_set_new(o, "province", jstr(n->province));
        json_object_set_new(o, "capacity",
                            n->capacity >= 0 ? json_integer(n->capacity) : json_null());
        json_object_set_new(o, "authorisation_no", jstr(n->authorisation_no));
    }
    if (n->kind == NODE_UNIT)
        json_object_set_new(o, "unit_kind", jstr(n->unit_kind));
    json_object_set_new(o, "active", json_boolean(n->active));
    return o;
}

static void apply_input(org_node_t *n, const org_node_input_t *in)
{
    if (in->has_name && in->name)
        n->name = in->name;
    if (in->has_name_ar)
        n->name_ar = in->name_ar;
    if (in->has_category && in->category)
        n->category = in->category;
    if (in->has_region)
        n->region = in->region;
    if (in->has_province)
        n->province = in->province;
    if (in->has_capacity)
        n->capacity = in->capacity;
    if (in->has_authorisation_no)
        n->authorisation_no = in->authorisation_no;
    if (in->has_unit_kind)
        n->unit_kind = in->unit_kind;
    if (in->has_active)
        n->active = in->active;
}

/* nodes.search_key: name and name_ar folded (the fields and order of
 * org_search_keys_refresh), in the arena. */
static const char *node_search_key(arena_t *a, const org_node_t *n)
{
    const char *fields[] = {n->name, n->name_ar};
    char *k = text_fold_key(fields, ARRAY_LEN(fields));
    const char *out = arena_strdup(a, k);
    free(k);
    return out;
}

static db_param_t p_capacity(int64_t c)
{
    return c >= 0 ? P_INT(c) : P_NULL;
}

int org_node_insert(req_t *r, const org_node_t *parent, node_kind_t kind,
                    const org_node_input_t *in, int64_t *id_out, const char **conflict_msgid)
{
    db_t *db = r->db;
    int64_t now = now_utc();
    int64_t actor = r->user ? r->user->id : 0;
    org_node_t n;
    memset(&n, 0, sizeof n);
    n.kind = kind;
    n.parent_id = parent->id;
    n.capacity = -1;
    n.active = true;
    apply_input(&n, in);
    n.active = true;

    if (db_begin(db) != DB_OK)
        return ORG_W_ERROR;
    int64_t parent_active =
        db_query_int(db, "SELECT active FROM nodes WHERE id = ?", PARAMS(P_INT(parent->id)), -1);
    if (parent_active == 0) {
        db_rollback(db);
        *conflict_msgid = N_("The node above is disabled: enable it before adding to it.");
        return ORG_W_CONFLICT;
    }
    if (parent_active != 1)
        goto fail;
    db_res_t *res = db_query(
        db,
        "INSERT INTO nodes (parent_id, kind, name, name_ar, category, region, province, capacity,"
        " authorisation_no, unit_kind, search_key, path, active, version, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', 1, 1, ?, ?) RETURNING id",
        PARAMS(P_INT(parent->id), P_TEXT(node_kind_code(kind)), P_TEXT(n.name), P_TEXT(n.name_ar),
               P_TEXT(n.category), P_TEXT(n.region), P_TEXT(n.province), p_capacity(n.capacity),
               P_TEXT(n.authorisation_no), P_TEXT(n.unit_kind),
               P_TEXT(node_search_key(r->arena, &n)), P_INT(now), P_INT(now)));
    int64_t id = 0;
    if (res) {
        if (db_next(res))
            id = db_int(res, 0);
        db_res_free(res);
    }
    if (id <= 0)
        goto fail;
    const char *path = org_path_child(r->arena, parent->path, id);
    if (!path ||
        db_exec(db, "UPDATE nodes SET path = ? WHERE id = ?", PARAMS(P_TEXT(path), P_INT(id))) !=
            DB_OK)
        goto fail;
    n.id = id;
    json_t *before = json_object();
    json_t *after = node_snapshot(&n);
    json_t *diff = audit_diff(before, after);
    json_object_set_new(diff, "kind", json_pack("{s:n,s:s}", "from", "to", node_kind_code(kind)));
    json_object_set_new(diff, "parent_id",
                        json_pack("{s:n,s:I}", "from", "to", (json_int_t)parent->id));
    int rc = audit_write(db, actor, "create", "node", id, id, diff, req_ip(r));
    json_decref(before);
    json_decref(after);
    json_decref(diff);
    if (rc != DB_OK || db_commit(db) != DB_OK)
        goto fail;
    *id_out = id;
    return ORG_W_OK;
fail:
    log_error("org: creating a node failed: %s", db_errmsg(db));
    if (db_in_tx(db))
        db_rollback(db);
    return ORG_W_ERROR;
}

int org_node_write(req_t *r, const org_node_t *cur, const org_node_input_t *in,
                   int64_t expected_version, const char **conflict_msgid)
{
    db_t *db = r->db;
    int64_t now = now_utc();
    int64_t actor = r->user ? r->user->id : 0;
    org_node_t n = *cur;
    apply_input(&n, in);
    bool disabling = cur->active && !n.active;
    bool enabling = !cur->active && n.active;
    json_t *before = node_snapshot(cur);
    json_t *after = node_snapshot(&n);
    json_t *diff = audit_diff(before, after);
    json_decref(before);
    json_decref(after);
    if (json_object_size(diff) == 0) {
        /* Nothing changes: no write, no new version, nothing to audit. */
        json_decref(diff);
        return ORG_W_OK;
    }
    arena_defer(r->arena, (void (*)(void *))json_decref, diff);

    if (db_begin(db) != DB_OK)
        return ORG_W_ERROR;
    if (disabling) {
        int64_t kids = db_query_int(db, "SELECT COUNT(*) FROM nodes WHERE parent_id = ? AND active = 1",
                                    PARAMS(P_INT(cur->id)), -1);
        if (kids < 0)
            goto fail;
        if (kids > 0) {
            db_rollback(db);
            *conflict_msgid = org_msg_active_children(cur->kind);
            return ORG_W_CONFLICT;
        }
    }
    if (enabling && cur->parent_id) {
        int64_t pa = db_query_int(db, "SELECT active FROM nodes WHERE id = ?",
                                  PARAMS(P_INT(cur->parent_id)), -1);
        if (pa == 0) {
            db_rollback(db);
            *conflict_msgid = N_("The node above is disabled: enable it first.");
            return ORG_W_CONFLICT;
        }
    }
    if (db_exec(db,
                "UPDATE nodes SET name = ?, name_ar = ?, category = ?, region = ?, province = ?,"
                " capacity = ?, authorisation_no = ?, unit_kind = ?, active = ?, search_key = ?,"
                " version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
                PARAMS(P_TEXT(n.name), P_TEXT(n.name_ar), P_TEXT(n.category), P_TEXT(n.region),
                       P_TEXT(n.province), p_capacity(n.capacity), P_TEXT(n.authorisation_no),
                       P_TEXT(n.unit_kind), P_INT(n.active ? 1 : 0),
                       P_TEXT(node_search_key(r->arena, &n)), P_INT(now), P_INT(cur->id),
                       P_INT(expected_version))) != DB_OK)
        goto fail;
    if (db_changes(db) == 0) {
        db_rollback(db);
        *conflict_msgid = MSG_STALE;
        return ORG_W_CONFLICT;
    }
    const char *action = "update";
    if ((disabling || enabling) && json_object_size(diff) == 1)
        action = disabling ? "disable" : "enable";
    int rc = audit_write(db, actor, action, "node", cur->id, cur->id, diff, req_ip(r));
    if (rc != DB_OK || db_commit(db) != DB_OK)
        goto fail;
    return ORG_W_OK;
fail:
    log_error("org: updating node %lld failed: %s", (long long)cur->id, db_errmsg(db));
    if (db_in_tx(db))
        db_rollback(db);
    return ORG_W_ERROR;
}

/* ---- API handlers --------------------------------------------------------- */

/* Sends 422 when errors holds something (steals it) and returns true;
 * otherwise frees it. */
static bool send_if_invalid(req_t *r, json_t *errors)
{
    if (json_object_size(errors) > 0) {
        respond_error(r, 422, "invalid", MSG_INVALID, errors);
        return true;
    }
    json_decref(errors);
    return false;
}

static void send_server_error(req_t *r)
{
    respond_error(r, 500, "internal", N_("Something went wrong on our side."),
                  NULL);
}

static bool body_is_object(req_t *r)
{
    if (r->json && json_is_object(r->json))
        return true;
    respond_error(r, 400, "bad_request", N_("The request body must be a JSON object."), NULL);
    return false;
}

void org_api_nodes_list(req_t *r)
{
    json_t *errors = json_object();
    int64_t limit = 50, offset = 0;
    v_paging(r, errors, &limit, &offset);
    const char *kind = http_query(r, "kind");
    if (str_empty(kind))
        kind = NULL;
    else if (node_kind_from_code(kind) < 0)
        set_error(errors, "kind", N_("Unknown kind: use root, association, eps or unit."));
    const char *pid = http_query(r, "parent_id");
    int64_t parent_id = 0;
    if (!str_empty(pid) && (!str_to_i64(pid, &parent_id) || parent_id <= 0))
        set_error(errors, "parent_id", N_("Enter a whole number."));
    const char *q = http_query(r, "q");
    if (str_empty(q))
        q = NULL;
    else if (!utf8_valid(q, strlen(q)) || utf8_count(q) > ORG_NAME_MAX)
        set_error(errors, "q", N_("The search text is too long or not valid."));
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
    char *sql = arena_printf(r->arena,
                             "SELECT " ORG_NODE_COLS " FROM nodes n%s ORDER BY CASE n.kind"
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
        org_node_t n;
        org_node_from_row(r->arena, res, 0, &n);
        json_array_append_new(items, org_node_json(&n));
    }
    db_res_free(res);
    json_t *out = json_object();
    json_object_set_new(out, "items", items);
    json_object_set_new(out, "total", json_integer(total));
    api_send(r, 200, out);
}

void org_api_node_get(req_t *r)
{
    org_node_t n;
    if (org_node_load(r->db, r->arena, r->node_id, &n) != 0) {
        respond_error(r, 404, "not_found", N_("This page does not exist."), NULL);
        return;
    }
    json_t *o = org_node_json(&n);
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
        if (j && !json_is_null(j) && !org_field_applies(kind, optional[i]))
            set_error(errors, optional[i], N_("This field does not apply to this kind of node."));
    }
}

void org_api_node_create(req_t *r)
{
    if (!body_is_object(r))
        return;
    json_t *errors = json_object();
    v_unknown_fields(r, errors, create_fields);
    org_node_json_types(r, errors);

    json_t *jk = json_object_get(r->json, "kind");
    int kind = -1;
    if (!jk || json_is_null(jk))
        set_error(errors, "kind", N_("Say which kind of node to create: association, eps or unit."));
    else if (json_is_string(jk)) {
        kind = node_kind_from_code(json_string_value(jk));
        if (kind < 0 || kind == NODE_ROOT) {
            set_error(errors, "kind", N_("Unknown kind: use association, eps or unit."));
            kind = -1;
        }
    }
    json_t *jp = json_object_get(r->json, "parent_id");
    int64_t parent_id = 0;
    if (kind == NODE_ASSOCIATION) {
        if (jp && !json_is_null(jp))
            set_error(errors, "parent_id",
                      N_("An association has no parent_id: it is placed under the platform."));
    } else if (kind > 0) {
        if (!jp || json_is_null(jp))
            set_error(errors, "parent_id", kind == NODE_EPS
                                               ? N_("Give the association the establishment belongs to.")
                                               : N_("Give the establishment the unit belongs to."));
        else if (json_is_integer(jp) && json_integer_value(jp) > 0)
            parent_id = json_integer_value(jp);
        else
            set_error(errors, "parent_id", N_("Enter a whole number."));
    }
    if (kind < 0 || (kind != NODE_ASSOCIATION && parent_id <= 0)) {
        send_if_invalid(r, errors);
        return;
    }

    /* Where it goes, and whether this user may add there (404/403 first). */
    org_node_t parent;
    if (kind == NODE_ASSOCIATION) {
        int64_t root = org_root_id(r->db);
        if (org_node_load(r->db, r->arena, root, &parent) != 0) {
            json_decref(errors);
            send_server_error(r);
            return;
        }
        if (app_authorize(r, PERM_ORG_MANAGE, root) != AUTHZ_ALLOW) {
            json_decref(errors);
            respond_error(r, 403, "forbidden",
                          N_("Only a platform administrator may add an association."), NULL);
            return;
        }
    } else {
        bool found = org_node_load(r->db, r->arena, parent_id, &parent) == 0;
        if (!app_require(r, PERM_ORG_MANAGE, parent_id)) {
            json_decref(errors);
            return;
        }
        if (!found) {
            json_decref(errors);
            respond_error(r, 404, "not_found", N_("This page does not exist."), NULL);
            return;
        }
        if (!org_kind_parent_ok((node_kind_t)kind, parent.kind))
            set_error(errors, "parent_id",
                      kind == NODE_EPS ? N_("An establishment must be placed under an association.")
                                       : N_("A unit must be placed under an establishment."));
    }
    refuse_foreign_fields(r, errors, (node_kind_t)kind);
    org_node_input_t in;
    org_node_input_read(r, errors, (node_kind_t)kind, false, &in);
    if (send_if_invalid(r, errors))
        return;

    int64_t id = 0;
    const char *conflict = NULL;
    int rc = org_node_insert(r, &parent, (node_kind_t)kind, &in, &id, &conflict);
    if (rc == ORG_W_CONFLICT) {
        respond_error(r, 409, "conflict", conflict, NULL);
        return;
    }
    org_node_t n;
    if (rc != ORG_W_OK || org_node_load(r->db, r->arena, id, &n) != 0) {
        send_server_error(r);
        return;
    }
    api_send(r, 201, org_node_json(&n));
}

void org_api_node_patch(req_t *r)
{
    org_node_t cur;
    if (org_node_load(r->db, r->arena, r->node_id, &cur) != 0) {
        respond_error(r, 404, "not_found", N_("This page does not exist."), NULL);
        return;
    }
    if (!body_is_object(r))
        return;
    json_t *errors = json_object();
    v_unknown_fields(r, errors, patch_fields);
    org_node_json_types(r, errors);

    json_t *jk = json_object_get(r->json, "kind");
    if (jk && json_is_string(jk) && strcmp(json_string_value(jk), node_kind_code(cur.kind)) != 0)
        set_error(errors, "kind", N_("The kind of a node cannot be changed."));
    json_t *jp = json_object_get(r->json, "parent_id");
    if (jp && !has_error(errors, "parent_id")) {
        bool same = (cur.kind == NODE_ASSOCIATION || cur.kind == NODE_ROOT)
                        ? json_is_null(jp)
                        : (json_is_integer(jp) && json_integer_value(jp) == cur.parent_id);
        if (!same)
            set_error(errors, "parent_id", N_("A node cannot be moved to another parent."));
    }
    refuse_foreign_fields(r, errors, cur.kind);

    json_t *jv = json_object_get(r->json, "version");
    int64_t version = cur.version;
    if (jv && json_is_integer(jv))
        version = json_integer_value(jv);

    org_node_input_t in;
    org_node_input_read(r, errors, cur.kind, true, &in);
    json_t *ja = json_object_get(r->json, "active");
    if (ja && json_is_boolean(ja)) {
        in.has_active = true;
        in.active = json_is_true(ja);
        /* Disabling or enabling is decided one level up: a director may edit
         * the details of their establishment, not switch it off. */
        if (in.active != cur.active &&
            (cur.parent_id == 0 || app_authorize(r, PERM_ORG_MANAGE, cur.parent_id) != AUTHZ_ALLOW)) {
            json_decref(errors);
            respond_error(r, 403, "forbidden",
                          N_("Only those who manage the node above may disable or enable this one."),
                          NULL);
            return;
        }
    }
    if (send_if_invalid(r, errors))
        return;
    if (version != cur.version) {
        respond_error(r, 409, "conflict", MSG_STALE, NULL);
        return;
    }
    const char *conflict = NULL;
    int rc = org_node_write(r, &cur, &in, version, &conflict);
    if (rc == ORG_W_CONFLICT) {
        respond_error(r, 409, "conflict", conflict, NULL);
        return;
    }
    org_node_t n;
    if (rc != ORG_W_OK || org_node_load(r->db, r->arena, cur.id, &n) != 0) {
        send_server_error(r);
        return;
    }
    api_send(r, 200, org_node_json(&n));
}
