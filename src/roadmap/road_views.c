/* road_views.c - the roadmap elsewhere: on the home page of a director or a
 * quality referent, the next step of their establishment (what it is, the
 * page that does it); on the home page of an administrator or a quality
 * advisor, how many establishments of their scope are at each step; on an
 * establishment's page, its progress. */
#include "road_internal.h"

#include <string.h>

static json_t *next_step_card(req_t *r, const node_t *eps, const road_eps_t *rm)
{
    int c = rm->current;
    bool complete = c == ROAD_COMPLETE;
    bool fact_known = !complete && road_steps[c].fact && app_fact(road_steps[c].fact);
    return json_pack("{s:s, s:s, s:i, s:i, s:i, s:b, s:s, s:s, s:s, s:s, s:b, s:s}", "eps",
                     nodes_display_name(r, eps->name, eps->name_ar), "href",
                     arena_printf(r->arena, "/roadmap/%lld", (long long)eps->id), "number", c + 1, "done",
                     rm->n_done, "total", ROAD_NSTEPS, "complete", complete, "label", road_step_label(r, c),
                     "hint", complete ? "" : T(r, road_steps[c].hint), "how_href",
                     road_how_href(r, c, eps->id), "how_label",
                     fact_known && road_steps[c].how ? T(r, road_steps[c].how) : T(r, N_("Record this step")),
                     "in_progress", !complete && rm->rows[c].status == ROAD_IN_PROGRESS, "percent_text",
                     arena_printf(r->arena, "%d", rm->n_done * 100 / ROAD_NSTEPS));
}

/* The distribution of a scope's establishments over the steps, for the home
 * card of administrators and advisors: a pass over every establishment of
 * the scope and every fact, kept in the process for a minute (and while the
 * organisation does not change), since a home page is opened far more often
 * than a step changes. The roadmap's own pages are always computed afresh. */
#define ROAD_HOME_CACHE_S 60

static int home_counts(db_t *db, arena_t *a, const char *path, int64_t by_step[ROAD_NSTEPS + 1],
                       int64_t *total)
{
    int64_t version = app_data_version(db);
    const char *key = arena_printf(a, "roadmap_home:%s", path);
    json_t *c = version >= 0 ? app_cache_get(key, version) : NULL;
    if (c && json_array_size(c) == ROAD_NSTEPS + 2) {
        for (int i = 0; i <= ROAD_NSTEPS; i++)
            by_step[i] = json_integer_value(json_array_get(c, (size_t)i));
        *total = json_integer_value(json_array_get(c, ROAD_NSTEPS + 1));
        json_decref(c);
        return 0;
    }
    json_decref(c);
    road_board_t b;
    if (road_board(db, a, path, &b) != 0)
        return -1;
    road_board_counts(b.lines, b.n, by_step);
    *total = (int64_t)b.n;
    if (version >= 0) {
        json_t *j = json_array();
        for (int i = 0; i <= ROAD_NSTEPS; i++)
            json_array_append_new(j, json_integer(by_step[i]));
        json_array_append_new(j, json_integer(*total));
        app_cache_put(key, version, now_utc() + ROAD_HOME_CACHE_S, j);
        json_decref(j);
    }
    return 0;
}

void road_home(req_t *r, json_t *sections)
{
    if (!r->user)
        return;
    int64_t now = now_utc();
    json_t *cards = json_array();
    int64_t seen[4];
    size_t nseen = 0;
    for (int i = 0; i < r->user->n_roles && nseen < ARRAY_LEN(seen); i++) {
        const role_assignment_t *a = &r->user->roles[i];
        if (!authz_role_live(a, now) || a->node_kind != NODE_EPS ||
            (a->role != ROLE_DIRECTOR && a->role != ROLE_QUALITY_REFERENT))
            continue;
        bool dup = false;
        for (size_t j = 0; j < nseen; j++)
            dup |= seen[j] == a->node_id;
        node_t eps;
        road_eps_t rm;
        if (dup || nodes_load(r->db, r->arena, a->node_id, &eps) != 0 ||
            road_load(r->db, r->arena, eps.id, eps.path, &rm) != 0)
            continue;
        seen[nseen++] = eps.id;
        json_array_append_new(cards, next_step_card(r, &eps, &rm));
    }
    /* administrators and quality advisors: their scope's distribution */
    json_t *dist = NULL;
    int64_t scope_id = 0, total = 0;
    static const role_t network[] = {ROLE_ADMIN, ROLE_QUALITY_ADVISOR};
    for (int i = 0; i < r->user->n_roles && !scope_id; i++) {
        const role_assignment_t *a = &r->user->roles[i];
        if (authz_role_live(a, now) && (a->node_kind == NODE_ROOT || a->node_kind == NODE_ASSOCIATION) &&
            (a->role == network[0] || a->role == network[1]) && a->node_path)
            scope_id = a->node_id;
    }
    if (scope_id) {
        node_t scope;
        int64_t by_step[ROAD_NSTEPS + 1], n_eps = 0;
        if (nodes_load(r->db, r->arena, scope_id, &scope) == 0 &&
            home_counts(r->db, r->arena, scope.path, by_step, &n_eps) == 0 && n_eps > 0) {
            int64_t max = 1;
            for (int i = 0; i <= ROAD_NSTEPS; i++)
                if (by_step[i] > max)
                    max = by_step[i];
            dist = json_array();
            for (int i = 0; i <= ROAD_NSTEPS; i++)
                json_array_append_new(
                    dist, json_pack("{s:s, s:I, s:s, s:s, s:I, s:b}", "label", road_step_label(r, i), "count",
                                    (json_int_t)by_step[i], "count_h", app_number(r, by_step[i]), "href",
                                    arena_printf(r->arena, "/roadmap?node_id=%lld&step=%s", (long long)scope.id,
                                                 road_current_code(i)),
                                    "max", (json_int_t)max, "complete", i == ROAD_COMPLETE));
            total = n_eps;
        }
    }
    if (json_array_size(cards) == 0 && !dist) {
        json_decref(cards);
        return;
    }
    json_array_append_new(sections,
                          json_pack("{s:s, s:i, s:b, s:o, s:b, s:o, s:s, s:s}", "partial", "roadmap/home", "order",
                                    12, "has_cards", json_array_size(cards) > 0, "cards", cards, "has_distribution",
                                    dist != NULL, "distribution", dist ? dist : json_array(), "total_h",
                                    app_number(r, total), "national_href",
                                    arena_printf(r->arena, "/roadmap?node_id=%lld", (long long)scope_id)));
}

void road_node_sections(req_t *r, int64_t node_id, const char *path, json_t *sections)
{
    int64_t ids[NODES_PATH_MAX];
    /* establishments only: root, association, EPS */
    if (nodes_path_parse(path, ids, NODES_PATH_MAX) != 3 || !app_can_at_path(r, PERM_QUALITY_READ, path))
        return;
    road_eps_t rm;
    if (road_load(r->db, r->arena, node_id, path, &rm) != 0)
        return;
    json_array_append_new(sections,
                          json_pack("{s:s, s:i, s:b, s:s, s:i, s:i, s:b, s:s, s:i}", "partial", "roadmap/node",
                                    "order", 15, "aside", 1, "href",
                                    arena_printf(r->arena, "/roadmap/%lld", (long long)node_id), "done", rm.n_done,
                                    "total", ROAD_NSTEPS, "complete", rm.current == ROAD_COMPLETE, "label",
                                    road_step_label(r, rm.current), "number", rm.current + 1));
}
