/* nodes_write.c - what pages and API share to change the tree: reading and
 * validating a node's fields, and the audited writes (create, update,
 * disable, enable) with optimistic concurrency on nodes.version. */
#include "nodes_internal.h"

#include "../core/fold.h"

#include <stdlib.h>
#include <string.h>

#define MSG_WRONG_TYPE N_("This value has the wrong type.")
#define MSG_STALE                                                                              \
    N_("Someone else changed this record in the meantime. Your changes were not saved.")

/* ---- Input ---------------------------------------------------------------- */

static bool field_present(req_t *r, const char *f, bool *is_null)
{
    *is_null = r->json && json_is_null(json_object_get(r->json, f));
    return input_present(r, f);
}

static bool has_error(json_t *errors, const char *f)
{
    return json_object_get(errors, f) != NULL;
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
        v_error(errors, f, MSG_WRONG_TYPE);
        return false;
    }
    if (str_empty(raw)) {
        if (required_msg)
            v_error(errors, f, required_msg);
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
    if (v && !str_in(list, v)) {
        v_error(errors, f, N_("Choose a value from the list."));
        v = NULL;
    }
    *out = (v && *v) ? v : NULL;
}

void nodes_input_read(req_t *r, json_t *errors, node_kind_t kind, bool partial,
                         node_input_t *in)
{
    memset(in, 0, sizeof *in);
    in->capacity = -1;
    read_text(r, errors, "name", N_("Enter a name."), NODES_NAME_MAX, partial, &in->has_name,
              &in->name);
    read_text(r, errors, "name_ar", NULL, NODES_NAME_MAX, partial, &in->has_name_ar, &in->name_ar);
    if (kind == NODE_EPS) {
        read_code(r, errors, "category", N_("Choose the category of the establishment."),
                  nodes_categories, partial, &in->has_category, &in->category);
        read_code(r, errors, "region", NULL, nodes_regions, partial, &in->has_region, &in->region);
        read_text(r, errors, "province", NULL, NODES_PROVINCE_MAX, partial, &in->has_province,
                  &in->province);
        read_text(r, errors, "authorisation_no", NULL, NODES_AUTHNO_MAX, partial,
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
                v_error(errors, "capacity", MSG_WRONG_TYPE);
            } else if (!str_empty(raw)) {
                int64_t v = v_int(r, errors, "capacity", false, 0, NODES_CAPACITY_MAX, -1);
                if (!has_error(errors, "capacity")) {
                    if (v < 0 || v > NODES_CAPACITY_MAX)
                        v_error(errors, "capacity",
                                  N_("Enter a number of places between 0 and 10000."));
                    else
                        in->capacity = v;
                }
            }
        }
    } else if (kind == NODE_UNIT) {
        read_code(r, errors, "unit_kind", NULL, nodes_unit_kinds, partial, &in->has_unit_kind,
                  &in->unit_kind);
    }
}

void nodes_json_types(req_t *r, json_t *errors)
{
    static const char *const strings[] = {"kind", "name", "name_ar", "category", "region",
                                          "province", "authorisation_no", "unit_kind", NULL};
    static const char *const integers[] = {"parent_id", "capacity", "version", NULL};
    if (!r->json)
        return;
    for (size_t i = 0; strings[i]; i++) {
        json_t *j = json_object_get(r->json, strings[i]);
        if (j && !json_is_string(j) && !json_is_null(j))
            v_error(errors, strings[i], MSG_WRONG_TYPE);
    }
    for (size_t i = 0; integers[i]; i++) {
        json_t *j = json_object_get(r->json, integers[i]);
        if (j && !json_is_integer(j) && !json_is_null(j))
            v_error(errors, integers[i], MSG_WRONG_TYPE);
    }
    json_t *v = json_object_get(r->json, "version");
    if (v && json_is_null(v))
        v_error(errors, "version", MSG_WRONG_TYPE);
    json_t *a = json_object_get(r->json, "active");
    if (a && !json_is_boolean(a))
        v_error(errors, "active", MSG_WRONG_TYPE);
}

/* ---- Writes --------------------------------------------------------------- */

/* The audited fields of a node. */
static json_t *node_snapshot(const node_t *n)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", json_str_or_null(n->name));
    json_object_set_new(o, "name_ar", json_str_or_null(n->name_ar));
    if (n->kind == NODE_EPS) {
        json_object_set_new(o, "category", json_str_or_null(n->category));
        json_object_set_new(o, "region", json_str_or_null(n->region));
        json_object_set_new(o, "province", json_str_or_null(n->province));
        json_object_set_new(o, "capacity",
                            n->capacity >= 0 ? json_integer(n->capacity) : json_null());
        json_object_set_new(o, "authorisation_no", json_str_or_null(n->authorisation_no));
    }
    if (n->kind == NODE_UNIT)
        json_object_set_new(o, "unit_kind", json_str_or_null(n->unit_kind));
    json_object_set_new(o, "active", json_boolean(n->active));
    return o;
}

static void apply_input(node_t *n, const node_input_t *in)
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
 * nodes_start), in the arena. */
static const char *node_search_key(arena_t *a, const node_t *n)
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

res_t nodes_insert(db_t *db, arena_t *a, int64_t actor, const char *ip, const node_t *parent,
                   node_kind_t kind, const node_input_t *in, int64_t *id_out,
                   const char **conflict_msgid)
{
    int64_t now = now_utc();
    node_t n;
    memset(&n, 0, sizeof n);
    n.kind = kind;
    n.parent_id = parent->id;
    n.capacity = -1;
    n.active = true;
    apply_input(&n, in);
    n.active = true;

    bool mine;
    if (!app_tx_begin(db, &mine))
        return RES_ERROR;
    int64_t parent_active =
        db_query_int(db, "SELECT active FROM nodes WHERE id = ?", PARAMS(P_INT(parent->id)), -1);
    if (parent_active == 0) {
        app_tx_end(db, mine, false);
        *conflict_msgid = N_("The node above is disabled: enable it before adding to it.");
        return RES_CONFLICT;
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
               P_TEXT(node_search_key(a, &n)), P_INT(now), P_INT(now)));
    int64_t id = 0;
    if (res) {
        if (db_next(res))
            id = db_int(res, 0);
        db_res_free(res);
    }
    if (id <= 0)
        goto fail;
    const char *path = nodes_path_child(a, parent->path, id);
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
    int rc = audit_write(db, actor, "create", "node", id, id, diff, ip);
    json_decref(before);
    json_decref(after);
    json_decref(diff);
    if (rc != DB_OK || app_tx_end(db, mine, true) != DB_OK)
        goto fail;
    *id_out = id;
    return RES_OK;
fail:
    log_error("nodes: creating a node failed: %s", db_errmsg(db));
    if (mine && db_in_tx(db))
        db_rollback(db);
    return RES_ERROR;
}

res_t nodes_write(db_t *db, arena_t *a, int64_t actor, const char *ip, const node_t *cur,
                  const node_input_t *in, int64_t expected_version, const char **conflict_msgid)
{
    int64_t now = now_utc();
    node_t n = *cur;
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
        return RES_OK;
    }
    arena_defer(a, (void (*)(void *))json_decref, diff);

    if (db_begin(db) != DB_OK)
        return RES_ERROR;
    if (disabling) {
        int64_t kids = db_query_int(db, "SELECT COUNT(*) FROM nodes WHERE parent_id = ? AND active = 1",
                                    PARAMS(P_INT(cur->id)), -1);
        if (kids < 0)
            goto fail;
        if (kids > 0) {
            db_rollback(db);
            *conflict_msgid = nodes_msg_active_children(cur->kind);
            return RES_CONFLICT;
        }
    }
    if (enabling && cur->parent_id) {
        int64_t pa = db_query_int(db, "SELECT active FROM nodes WHERE id = ?",
                                  PARAMS(P_INT(cur->parent_id)), -1);
        if (pa == 0) {
            db_rollback(db);
            *conflict_msgid = N_("The node above is disabled: enable it first.");
            return RES_CONFLICT;
        }
    }
    if (db_exec(db,
                "UPDATE nodes SET name = ?, name_ar = ?, category = ?, region = ?, province = ?,"
                " capacity = ?, authorisation_no = ?, unit_kind = ?, active = ?, search_key = ?,"
                " version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
                PARAMS(P_TEXT(n.name), P_TEXT(n.name_ar), P_TEXT(n.category), P_TEXT(n.region),
                       P_TEXT(n.province), p_capacity(n.capacity), P_TEXT(n.authorisation_no),
                       P_TEXT(n.unit_kind), P_INT(n.active ? 1 : 0),
                       P_TEXT(node_search_key(a, &n)), P_INT(now), P_INT(cur->id),
                       P_INT(expected_version))) != DB_OK)
        goto fail;
    if (db_changes(db) == 0) {
        db_rollback(db);
        *conflict_msgid = MSG_STALE;
        return RES_CONFLICT;
    }
    const char *action = "update";
    if ((disabling || enabling) && json_object_size(diff) == 1)
        action = disabling ? "disable" : "enable";
    int rc = audit_write(db, actor, action, "node", cur->id, cur->id, diff, ip);
    if (rc != DB_OK || db_commit(db) != DB_OK)
        goto fail;
    return RES_OK;
fail:
    log_error("nodes: updating node %lld failed: %s", (long long)cur->id, db_errmsg(db));
    if (db_in_tx(db))
        db_rollback(db);
    return RES_ERROR;
}

