/* person_views.c - persons on the home page and on an establishment's page:
 * for those who support persons, their caseload ("my children", reviews
 * due and late); for the quality roles of an establishment or above it,
 * the indicators of the plans (pseudonymised counts and shares, never a
 * name); the same indicators on an establishment's page. */
#include "person_pages.h"

#include <math.h>
#include <string.h>

#define SCAN_PAGE 200
#define SCAN_MAX 2000 /* due reviews looked at for the late count */

/* How many of the reader's persons (mine or all) have a review due and
 * late. */
static void due_counts(req_t *r, bool mine, int64_t *due, int64_t *late)
{
    *due = *late = 0;
    pers_filter_t f = {.mine = mine, .due = true, .limit = SCAN_PAGE};
    for (int64_t seen = 0; seen < SCAN_MAX;) {
        int64_t total = 0;
        f.offset = seen;
        json_t *items = pers_list(r, &f, &total);
        size_t i, n = json_array_size(items);
        json_t *it;
        json_array_foreach(items, i, it)
            *late += json_is_true(json_object_get(it, "late"));
        json_decref(items);
        *due = total; /* late ones included: told apart below */
        seen += (int64_t)n;
        if (n == 0 || seen >= total)
            break;
    }
}

static int64_t count_of(req_t *r, bool mine)
{
    pers_filter_t f = {.mine = mine, .limit = 1};
    int64_t total = 0;
    json_decref(pers_list(r, &f, &total));
    return total;
}

static void caseload_card(req_t *r, json_t *sections)
{
    bool worker = pp_is_worker(r);
    if (pers_totp_missing(r, 0)) {
        /* no figure before enrolment: the way to it */
        r->deny_code = r->deny_msgid = r->deny_href = r->deny_link = NULL;
        /* directors and admins have the account's card asking it already */
        if (!worker || account_totp_expected(r))
            return;
        json_array_append_new(
            sections, json_pack("{s:s, s:i, s:b, s:s, s:b, s:i, s:i, s:i, s:i, s:s, s:s, s:b}",
                                "partial", "person/home", "order", 5, "needs_totp", 1,
                                "totp_href", ACCOUNT_TOTP_PAGE, "has_mine", 0, "mine", 0, "all",
                                0, "due", 0, "late", 0, "list_href", "/persons", "due_href",
                                "/persons?due=1", "can_create", 0));
        return;
    }
    r->deny_code = r->deny_msgid = r->deny_href = r->deny_link = NULL;
    int64_t mine = count_of(r, true);
    int64_t all = mine > 0 || worker ? count_of(r, false) : 0;
    if (!worker && all == 0)
        return;
    int64_t due = 0, late = 0;
    due_counts(r, mine > 0, &due, &late);
    due -= late; /* due soon, not late yet */
    json_t *s = json_object();
    json_object_set_new(s, "partial", json_string("person/home"));
    /* an educator's own children first; the caseload of a whole place after
     * the place itself */
    json_object_set_new(s, "order", json_integer(mine > 0 ? 5 : 33));
    json_object_set_new(s, "needs_totp", json_false());
    json_object_set_new(s, "totp_href", json_string(ACCOUNT_TOTP_PAGE));
    json_object_set_new(s, "has_mine", json_boolean(mine > 0));
    json_object_set_new(s, "mine", json_integer(mine));
    json_object_set_new(s, "all", json_integer(all));
    json_object_set_new(s, "due", json_integer(due));
    json_object_set_new(s, "late", json_integer(late));
    json_object_set_new(s, "list_href", json_string(mine > 0 ? "/persons?mine=1" : "/persons"));
    json_object_set_new(s, "due_href", json_string(mine > 0 ? "/persons?mine=1&due=1" : "/persons?due=1"));
    json_object_set_new(s, "can_create", json_boolean(worker));
    json_array_append_new(sections, s);
}

/* --- indicators ------------------------------------------------------------------- */

static json_t *share(req_t *r, const char *msgid, int64_t n, int64_t of, bool late)
{
    long pct = of > 0 ? lround(100.0 * (double)n / (double)of) : 0;
    return json_pack("{s:s, s:I, s:s, s:s, s:b}", "label", T(r, msgid), "count", (json_int_t)n, "value",
                     of > 0 ? arena_printf(r->arena, "%ld %%", pct) : "—", "detail",
                     text_fill_numbers(r->arena, T(r, N_("%d of %d")), (long long[]){n, of}, 2), "late", late);
}

/* The indicators of the persons under path: a model for person/indicators,
 * or NULL when none is in care. */
static json_t *indicators_model(req_t *r, const char *path, const char *title, const char *href)
{
    pers_indicators_t ind;
    if (pers_indicators(r->db, path, pers_today(r->arena), &ind) != 0)
        return NULL;
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(title ? title : ""));
    json_object_set_new(m, "href", json_str_or_null(href));
    json_object_set_new(m, "in_care", json_integer(ind.in_care));
    json_object_set_new(m, "in_care_h", json_string(app_number(r, ind.in_care)));
    json_object_set_new(m, "has_persons", json_boolean(ind.in_care > 0));
    json_t *figs = json_array();
    json_array_append_new(figs, share(r, N_("with an agreed plan"), ind.with_plan, ind.in_care, false));
    json_array_append_new(figs, share(r, N_("with a plan up to date (no late review)"), ind.up_to_date,
                                      ind.in_care, false));
    json_array_append_new(figs, share(r, N_("with a plan co-signed by the child"), ind.child_signed,
                                      ind.in_care, false));
    json_object_set_new(m, "figures", figs);
    json_object_set_new(m, "late", json_integer(ind.late));
    json_object_set_new(m, "has_late", json_boolean(ind.late > 0));
    bool has_delay = ind.avg_delay_days >= 0;
    json_object_set_new(m, "has_delay", json_boolean(has_delay));
    long days = has_delay ? lround(ind.avg_delay_days) : 0;
    json_object_set_new(m, "delay", json_integer(days));
    return m;
}

static const role_t quality_roles[] = {ROLE_DIRECTOR, ROLE_QUALITY_REFERENT, ROLE_QUALITY_ADVISOR,
                                       ROLE_OBSERVER, ROLE_INSPECTOR, ROLE_ADMIN};

static void indicators_cards(req_t *r, json_t *sections)
{
    int64_t now = now_utc();
    json_t *cards = json_array();
    int64_t seen[8];
    size_t nseen = 0;
    for (int i = 0; i < r->user->n_roles && nseen < ARRAY_LEN(seen); i++) {
        const role_assignment_t *a = &r->user->roles[i];
        bool quality = false;
        for (size_t k = 0; k < ARRAY_LEN(quality_roles); k++)
            quality |= a->role == quality_roles[k];
        /* the EPS home of its quality roles: a network reader sees each EPS's
         * figures on its page (counting a whole network at every home page
         * would cost a pass over every person) */
        if (!quality || !authz_role_live(a, now) || a->node_kind != NODE_EPS || !a->node_path)
            continue;
        bool dup = false;
        for (size_t k = 0; k < nseen; k++)
            dup |= seen[k] == a->node_id;
        if (dup)
            continue;
        seen[nseen++] = a->node_id;
        const char *name = nodes_label(r->db, r->arena, r->lang, a->node_id);
        json_t *c = indicators_model(r, a->node_path, name, nodes_href(r, a->node_id));
        if (c)
            json_array_append_new(cards, c);
    }
    if (json_array_size(cards) == 0) {
        json_decref(cards);
        return;
    }
    json_array_append_new(sections, json_pack("{s:s, s:i, s:o}", "partial", "person/home_indicators", "order", 36,
                                              "cards", cards));
}

void pers_home(req_t *r, json_t *sections)
{
    if (!r->user)
        return;
    caseload_card(r, sections);
    indicators_cards(r, sections);
}

void pers_node_sections(req_t *r, int64_t node_id, const char *path, json_t *sections)
{
    node_t n;
    if (!r->user || nodes_load(r->db, r->arena, node_id, &n) != 0 || n.kind != NODE_EPS ||
        !app_can_at_path(r, PERM_QUALITY_READ, path))
        return;
    json_t *m = indicators_model(r, path, NULL, NULL);
    if (!m)
        return;
    json_object_set_new(m, "partial", json_string("person/node_indicators"));
    json_object_set_new(m, "order", json_integer(30));
    json_object_set_new(m, "aside", json_false());
    json_object_set_new(m, "settings_href",
                        pers_is_director(r, path)
                            ? json_string(arena_printf(r->arena, "/person-settings/%lld", (long long)node_id))
                            : json_null());
    json_array_append_new(sections, m);
}
