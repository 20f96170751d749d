/* road_board.c - where every establishment of a scope stands: the active EPS
 * under a path (the nodes module's list), their stored steps (one range read
 * of road_steps) and each fact's establishments (one query per fact over the
 * scope), merged in memory. Costs the same few queries for 7 or 1,100 EPS. */
#include "road_internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    road_status_t stored[ROAD_NSTEPS];
    bool proved[ROAD_NSTEPS];
} road_acc_t;

static road_line_t *find_line(road_line_t *lines, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (lines[mid].eps->id == id)
            return &lines[mid];
        if (lines[mid].eps->id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Decref'd with the arena. */
static void json_release(void *p)
{
    json_decref(p);
}

/* The organisation's part of a scope, language-free: its active EPS
 * [[id, parent id, region, name, name_ar, path]...] by id and the names of
 * their associations {"<id>": [name, name_ar]}. Kept in the process's cache
 * while the organisation does not change (data_version: every write to
 * nodes, accounts and roles raises it): two reads of the whole nodes table
 * and a name per association, saved at each view. */
static json_t *org_of(db_t *db, arena_t *a, const char *scope_path)
{
    int64_t version = app_data_version(db);
    const char *key = arena_printf(a, "road:org:%s", scope_path);
    json_t *v = app_cache_get(key, version);
    if (v)
        return v;
    size_t n_all = 0;
    node_t *all = nodes_all_eps(db, a, &n_all);
    if (!all)
        return NULL;
    json_t *eps = json_array(), *assoc = json_object();
    for (size_t i = 0; i < n_all; i++) {
        if (!nodes_path_within(all[i].path, scope_path))
            continue;
        json_array_append_new(eps, json_pack("[I, I, s?, s, s?, s]", (json_int_t)all[i].id,
                                             (json_int_t)all[i].parent_id, all[i].region, all[i].name,
                                             all[i].name_ar, all[i].path));
        const char *pk = arena_printf(a, "%lld", (long long)all[i].parent_id);
        node_t p;
        if (!json_object_get(assoc, pk) && nodes_load(db, a, all[i].parent_id, &p) == 0)
            json_object_set_new(assoc, pk, json_pack("[s, s?]", p.name, p.name_ar));
    }
    v = json_pack("{s:o, s:o}", "eps", eps, "assoc", assoc);
    app_cache_put(key, version, now_utc() + APP_CACHE_MAX_S, v);
    return v;
}

static const char *json_at(json_t *row, size_t i)
{
    return json_string_value(json_array_get(row, i));
}

int road_board(db_t *db, arena_t *a, const char *scope_path, road_board_t *out)
{
    memset(out, 0, sizeof *out);
    json_t *org = org_of(db, a, scope_path);
    if (!org)
        return -1;
    arena_defer(a, json_release, org);
    json_t *rows = json_object_get(org, "eps");
    size_t n = json_array_size(rows);
    node_t *nodes = arena_alloc(a, (n + 1) * sizeof *nodes);
    road_line_t *lines = arena_alloc(a, (n + 1) * sizeof *lines);
    road_acc_t *acc = arena_alloc(a, (n + 1) * sizeof *acc);
    for (size_t k = 0; k < n; k++) {
        json_t *row = json_array_get(rows, k);
        node_t *e = &nodes[k];
        e->id = json_integer_value(json_array_get(row, 0));
        e->parent_id = json_integer_value(json_array_get(row, 1));
        e->kind = NODE_EPS;
        e->active = true;
        e->capacity = -1;
        e->region = json_at(row, 2);
        e->name = json_at(row, 3);
        e->name_ar = json_at(row, 4);
        e->path = json_at(row, 5);
        lines[k].eps = e; /* by id, as nodes_all_eps gives them */
    }
    out->assoc = json_object_get(org, "assoc");
    /* the stored steps of the scope */
    db_res_t *res = db_query(db,
                             "SELECT eps_id, step, status, updated_at FROM road_steps"
                             " WHERE eps_path >= ? AND eps_path < ? ORDER BY eps_path, eps_id",
                             PARAMS(P_TEXT(scope_path), P_TEXT(app_path_upper(a, scope_path))));
    if (!res)
        return -1;
    road_line_t *l = NULL;
    while (db_next(res)) {
        int64_t id = db_int(res, 0);
        if (!l || l->eps->id != id) /* the rows of one EPS come together */
            l = find_line(lines, n, id);
        int i = road_step_index(db_text(res, 1));
        int st = road_status_parse(db_text(res, 2));
        if (!l || i < 0 || st < 0)
            continue;
        acc[l - lines].stored[i] = (road_status_t)st;
        if (db_int(res, 3) > l->last_change)
            l->last_change = db_int(res, 3);
    }
    int rc = db_res_status(res);
    db_res_free(res);
    if (rc != DB_OK)
        return -1;
    /* what the data prove */
    for (int s = 0; s < ROAD_NSTEPS; s++) {
        const app_fact_t *f = app_fact(road_steps[s].fact);
        if (!f)
            continue;
        app_ids_t ids = {0};
        if (f->eps(db, a, scope_path, &ids) != DB_OK)
            return -1;
        for (size_t k = 0; k < ids.n; k++) {
            road_line_t *hit = find_line(lines, n, ids.v[k]);
            if (hit)
                acc[hit - lines].proved[s] = true;
        }
    }
    for (size_t k = 0; k < n; k++) {
        bool done[ROAD_NSTEPS];
        lines[k].current = road_merge(acc[k].stored, acc[k].proved, done, &lines[k].n_done);
    }
    out->lines = lines;
    out->n = n;
    return 0;
}

void road_board_counts(const road_line_t *lines, size_t n, int64_t by_step[ROAD_NSTEPS + 1])
{
    for (int i = 0; i <= ROAD_NSTEPS; i++)
        by_step[i] = 0;
    for (size_t k = 0; k < n; k++)
        if (lines[k].current >= 0 && lines[k].current <= ROAD_COMPLETE)
            by_step[lines[k].current]++;
}
