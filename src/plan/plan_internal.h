/* plan_internal.h - private to the improvement plan module: the action
 * record, the filters of its lists, and the handlers named by the routes
 * table in plan_module.c.
 *
 * Who may (plan_access.c):
 *  - read an action: whoever reads quality work at its EPS (quality.read:
 *    its director, referent and staff, inspectors, observers, advisors and
 *    admins above), and its owner and contributors wherever their role in
 *    the EPS is (a unit's staff);
 *  - change it: the EPS's director and quality referent (managers), and its
 *    owner and contributors (staff) for the work itself - see plan_rules.h
 *    for the transitions that are the managers' own;
 *  - create one: managers; staff of the EPS propose (status proposed);
 *  - adopt the plan: the director.
 * National roles (admin, quality advisor, observer) and inspectors read. */
#ifndef JOUDA_PLAN_INTERNAL_H
#define JOUDA_PLAN_INTERNAL_H

#include "../attach/attach.h"
#include "../audit/audit.h"
#include "../nodes/nodes.h"
#include "../notify/notify.h"
#include "../users/users.h"
#include "plan.h"
#include "plan_rules.h"

#define ACT_TITLE_MAX 200
#define ACT_TEXT_MAX 4000
#define ACT_THEME_MAX 100
#define ACT_CONTRIBUTORS_MAX 20
#define ACT_COMMENT_MAX 4000

typedef struct {
    int64_t id, node_id, unit_id, owner_id, campaign_id, proposal_id, follows_id, rev;
    const char *node_path, *title, *description, *origin, *origin_label, *item_code, *theme;
    const char *start_date, *due_date, *expected_result, *check_method, *check_date,
        *check_comment, *cancel_reason, *done_date, *overdue_since, *check_result;
    act_status_t status;
    int impact, effort, priority, progress;
    int64_t delay_days;
    bool has_delay;
    int64_t created_by, created_at, updated_at;
} action_t;

#define ACT_COLS                                                                                   \
    "a.id, a.node_id, a.unit_id, a.owner_id, a.campaign_id, a.proposal_id, a.follows_id, a.rev,"  \
    " a.node_path, a.title, a.description, a.origin, a.origin_label, a.item_code, a.theme,"       \
    " a.start_date, a.due_date, a.expected_result, a.check_method, a.check_date,"                 \
    " a.check_comment, a.cancel_reason, a.done_date, a.overdue_since, a.status, a.impact,"        \
    " a.effort, a.priority, a.progress, a.delay_days, a.created_by, a.created_at, a.updated_at,"   \
    " a.check_result"
#define ACT_NCOLS 34
/* The ids of the actions a user (the two parameters) owns or contributes
 * to: two index lookups, for "a.id IN (...)". */
#define ACT_MINE_SQL                                                                               \
    "SELECT o.id FROM actions o WHERE o.owner_id = ? UNION"                                       \
    " SELECT c.action_id FROM action_contributors c WHERE c.user_id = ?"

/* --- plan_model.c ------------------------------------------------------ */
void act_from_row(arena_t *a, db_res_t *res, int col, action_t *out);
int act_load(db_t *db, arena_t *a, int64_t id, action_t *out); /* 0 or -1 */
/* Contributors' ids (ascending). */
int64_t *act_contributors(db_t *db, arena_t *a, int64_t id, size_t *n);
bool act_is_contributor(db_t *db, int64_t action_id, int64_t user_id);

/* What a request sends to create or change an action; NULL / -1 / has_*
 * false: not sent. */
typedef struct {
    const char *title, *description, *origin, *origin_label, *theme, *start_date, *due_date,
        *expected_result, *check_method, *status, *reason, *check_date, *check_comment,
        *follow_up_title, *follow_up_due, *criterion;
    int64_t node_id, unit_id, owner_id, campaign_id, proposal_id, rev;
    int impact, effort, progress;
    bool has_unit, has_owner, has_contributors;
    int64_t contributors[ACT_CONTRIBUTORS_MAX];
    size_t n_contributors;
} act_input_t;
/* Read the fields of a form or a JSON body (checked for type, length and
 * shape) into in; errors: field -> msgid. creating: the fields of a new action. */
void act_input_read(req_t *r, json_t *errors, act_input_t *in, bool creating);

/* Create an action at the EPS node_path (checked input; the owner and
 * contributors must work at the EPS). RES_INVALID with errors. */
res_t act_create(db_t *db, arena_t *a, int64_t actor, const char *ip, const node_t *eps,
                 act_input_t *in, bool manager, json_t *errors, int64_t *id_out);
/* Apply a change (fields, then a status transition) to cur. RES_INVALID
 * (errors), RES_CONFLICT (msgid, stale rev or impossible transition: then
 * *allowed the possible ones), RES_FORBIDDEN (msgid). *follow_up_out the
 * follow-up action created when closing a not effective one. */
res_t act_update(db_t *db, arena_t *a, int64_t actor, const char *ip, const action_t *cur,
                 act_input_t *in, bool manager, json_t *errors, const char **msgid,
                 int64_t *follow_up_out);
/* Add a comment (audited). */
res_t act_comment(db_t *db, int64_t actor, const char *ip, const action_t *act, const char *body);
/* The units of an EPS: [{id, name}] (names in the reader's language). */
json_t *act_units(req_t *r, int64_t eps_id);

/* --- plan_access.c ------------------------------------------------------ */
typedef enum { ACCESS_NONE = 0, ACCESS_READ, ACCESS_WORK, ACCESS_MANAGE } act_access_t;
/* What the reader may do with the action. */
act_access_t act_access(req_t *r, const action_t *act);
/* Managers (director, quality referent) of the EPS at path. */
bool plan_is_manager(req_t *r, const char *eps_path);
bool plan_is_director(req_t *r, const char *eps_path);
/* Does the reader hold quality.write at the EPS or one of its units? */
bool plan_works_at(req_t *r, const char *eps_path);
/* The action of the route ({id}), or NULL with 404 (also when the reader may
 * not know it) or 403 (need: the access needed). */
action_t *plan_route_action(req_t *r, act_access_t need);
/* Establishments where the reader may create actions, [{id, name}]. */
json_t *plan_creatable_eps(req_t *r);

/* --- plan_query.c ------------------------------------------------------- */
typedef struct {
    int64_t node_id, owner_id, mine_id;
    const char *status, *origin, *theme, *q;
    bool overdue;
    int64_t due_within; /* -1: no filter */
    int64_t campaign_id;
    const char *sort;   /* "due" (default), "priority", "updated" */
} act_filter_t;
/* The filters of ?node_id=&status=&owner_id=&origin=&theme=&overdue=&due_within=&mine=&q=,
 * checked (errors for the API; pages drop a bad value). */
void act_filter_read(req_t *r, json_t *errors, act_filter_t *f);
/* The query string that gives these filters back ("" or "?a=b&..."), with
 * the key `skip` left out (NULL: none). */
const char *act_filter_query(req_t *r, const act_filter_t *f, const char *skip);
/* " FROM actions a WHERE <scope> AND <filters>" into sql with params. */
void act_filter_sql(req_t *r, const act_filter_t *f, buf_t *sql, db_param_t *params, int *np,
                    int max);
#define ACT_MAX_PARAMS 64
/* Page of actions and total: rows as action_t. */
action_t *act_query(req_t *r, const act_filter_t *f, int64_t limit, int64_t offset, size_t *n,
                    int64_t *total);
/* Names of users and establishments for a page of actions (one query each). */
json_t *act_names(req_t *r, const action_t *rows, size_t n);
/* Summaries: per EPS of the scope [{node_id, name, counts by status, overdue,
 * completion, avg_delay}] (or per association: by_association) and the
 * network's total. */
json_t *plan_summary(req_t *r, const act_filter_t *f, bool by_association, json_t **total_out);

/* --- plan_api.c --------------------------------------------------------- */
json_t *act_json(req_t *r, const action_t *a, bool full);
void plan_api_list(req_t *r);
void plan_api_create(req_t *r);
void plan_api_get(req_t *r);
void plan_api_patch(req_t *r);
void plan_api_comment(req_t *r);
void plan_api_files(req_t *r);
void plan_api_upload(req_t *r);
void plan_api_export_csv(req_t *r);
void plan_api_export_xlsx(req_t *r);
void plan_api_summary(req_t *r);
void plan_api_adopt(req_t *r);
void plan_api_adoptions(req_t *r);
/* The 409 of an impossible transition: which are possible. */
void plan_fail_transition(req_t *r, const action_t *act, bool manager, const char *msgid);

/* --- plan_pages.c ------------------------------------------------------- */
void plan_page_list(req_t *r);
void plan_page_mine(req_t *r);
void plan_page_new(req_t *r);
void plan_page_create(req_t *r);
void plan_page_show(req_t *r);
void plan_page_update(req_t *r);
void plan_page_status(req_t *r);
void plan_page_comment(req_t *r);
void plan_page_upload(req_t *r);
/* Shared by the pages: the views' tabs (keeping the filters) and the filters form. */
json_t *plan_tabs(req_t *r, const act_filter_t *f, const char *current);
void plan_filters_model(req_t *r, json_t *m, const act_filter_t *f, const char *action);
json_t *plan_crumbs(req_t *r);
const char *plan_day_text(req_t *r, const char *iso);
const char *plan_status_label(req_t *r, act_status_t s);
json_t *plan_card(req_t *r, const action_t *a, json_t *names, const char *today);

/* --- plan_views.c ------------------------------------------------------- */
void plan_page_board(req_t *r);
void plan_page_timeline(req_t *r);
void plan_page_timeline_svg(req_t *r);
void plan_page_matrix(req_t *r);
void plan_page_summary(req_t *r);
void plan_page_plan(req_t *r);
void plan_page_adopt(req_t *r);
void plan_home(req_t *r, json_t *sections);
/* Adopt the plan of an EPS: a dated snapshot of its open actions. */
res_t plan_adopt(db_t *db, int64_t actor, const char *ip, const node_t *eps, const char *note,
                 int64_t *id_out);
/* The timeline of these actions as SVG (quarters, a today line). */
char *plan_timeline_svg(req_t *r, const action_t *rows, size_t n, json_t *names,
                        const char *today);

/* --- plan_export.c ------------------------------------------------------ */
void plan_send_csv(req_t *r, const act_filter_t *f);
void plan_send_xlsx(req_t *r, const act_filter_t *f);

/* --- plan_remind.c ------------------------------------------------------ */
int plan_daily(db_t *db, const char *day, int64_t now);
int plan_on_event(db_t *db, app_event_t *ev);
void plan_item_links(req_t *r, const char *entity, int64_t id, json_t *out);

/* --- plan_demo.c -------------------------------------------------------- */
int plan_demo(app_demo_t *d);

/* --- plan_facts.c: "plan_adopted" (the roadmap's evidence) ------------- */
#define PLAN_N_FACTS 1
extern const app_fact_t plan_facts[PLAN_N_FACTS];

/* plan_module.c */
int64_t plan_resolve(req_t *r, int64_t id);
int64_t plan_resolve_eps(req_t *r, int64_t id);

#endif
