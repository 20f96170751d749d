/* assess_internal.h - private to the self-assessment module: the campaign
 * record, its criteria and ratings, results, and the handlers named by the
 * routes table in assess_module.c. */
#ifndef JOUDA_ASSESS_INTERNAL_H
#define JOUDA_ASSESS_INTERNAL_H

#include "../attach/attach.h"
#include "../audit/audit.h"
#include "../nodes/nodes.h"
#include "../ref/ref.h"
#include "../users/users.h"
#include "assess.h"
#include "assess_score.h"

typedef enum { CAMP_DRAFT = 0, CAMP_IN_PROGRESS, CAMP_SUBMITTED, CAMP_VALIDATED } camp_status_t;

typedef struct {
    int64_t id, node_id, referentiel_id, rev;
    const char *node_path, *title, *period_start, *period_end, *methods;
    camp_status_t status;
    int64_t p_staff, p_children, p_families, p_partners;
    int64_t n_criteria, n_rated;
    double overall;     /* at validation; -1 when none */
    int64_t created_by, created_at, updated_at, submitted_at, validated_at, validated_by;
} campaign_t;

#define CAMP_COLS                                                                                  \
    "c.id, c.node_id, c.referentiel_id, c.rev, c.node_path, c.title, c.period_start,"            \
    " c.period_end, c.methods, c.status, c.p_staff, c.p_children, c.p_families, c.p_partners,"    \
    " c.n_criteria, c.n_rated, c.overall, c.created_by, c.created_at, c.updated_at,"              \
    " c.submitted_at, c.validated_at, c.validated_by"

/* One criterion of a campaign, with its rating. */
typedef struct {
    int64_t item_id;
    const char *code;
    int row;            /* index in the référentiel's rows */
    int64_t assignee_id;
    const char *group_label;
    int64_t rating_id;  /* 0: not rated yet */
    score_t score;
    const char *comment;
    int64_t version, updated_at, updated_by;
    int n_evidence;
} camp_crit_t;

/* A campaign with its référentiel tree, criteria and results. */
typedef struct {
    campaign_t c;
    ref_t ref;
    ref_row_t *rows;
    size_t n_rows;
    camp_crit_t *crit;      /* in tree order */
    size_t n_crit;
    int *crit_of_row;       /* row -> index in crit, -1 when out of the campaign */
    assess_agg_t *agg;      /* per row */
    assess_agg_t overall;
    int n_imperative_failures, n_without_evidence;
} camp_full_t;

/* assess_model.c */
const char *camp_status_code(camp_status_t s);
void camp_from_row(arena_t *a, db_res_t *res, int col, campaign_t *c);
int camp_load(db_t *db, arena_t *a, int64_t id, campaign_t *c);    /* 0 or -1 */
/* The campaign with everything needed for its pages and results; 0 or -1. */
int camp_load_full(db_t *db, arena_t *a, int64_t id, camp_full_t *f);
/* Who leads a campaign of the EPS at path (director, quality referent, or an
 * admin or quality advisor above it), and who validates (director, admin). */
bool camp_can_lead(req_t *r, const char *path);
bool camp_can_validate(req_t *r, const char *path);
/* The same, answering 403 (and false) when the reader may not: leading a
 * campaign's work, or validating (and reopening) it. */
bool camp_require_lead(req_t *r, const char *path);
bool camp_require_validator(req_t *r, const char *path);
/* Index in f->crit of the criterion with this item id (code NULL) or this
 * code; -1 when the campaign does not hold it. */
int camp_crit_find(const camp_full_t *f, int64_t item_id, const char *code);

typedef struct {
    int64_t node_id, referentiel_id;
    const char *title, *period_start, *period_end, *methods;
    int64_t p_staff, p_children, p_families, p_partners;
    const char **codes;  /* criteria chosen; NULL: all that apply to the EPS */
    size_t n_codes;
    int64_t *steering;
    size_t n_steering;
} camp_input_t;
/* Create a draft campaign (checked input). RES_INVALID with errors
 * (field -> msgid) for criteria that are not in the référentiel. */
res_t camp_create(db_t *db, arena_t *a, int64_t actor, const char *ip, const char *node_path,
                  const char *eps_category, const camp_input_t *in, json_t *errors,
                  int64_t *id_out);
/* draft -> in_progress -> submitted -> validated; reopen (with a reason)
 * from submitted or validated to in_progress. RES_CONFLICT (msgid set)
 * when the state or rev forbids it. */
res_t camp_transition(db_t *db, arena_t *a, int64_t actor, const char *ip, const camp_full_t *f,
                      camp_status_t to, const char *reason, int64_t rev, const char **msgid);

/* A rating as sent: score code, comment, reference evidence (replacing the
 * previous references; files stay), expected version (0: none). */
typedef struct {
    const char *score, *comment;
    const char **ev_label, **ev_url;
    size_t n_ev;
    bool has_evidence;
    int64_t version;
} rating_input_t;
/* Check and write the rating of criterion k of f. RES_INVALID (errors),
 * RES_CONFLICT (msgid: stale version, campaign locked). *version_out the
 * rating's new version. */
res_t camp_rate(db_t *db, arena_t *a, int64_t actor, const char *ip, const camp_full_t *f,
                size_t k, const rating_input_t *in, json_t *errors, const char **msgid,
                int64_t *version_out);
/* Assign criterion k of f to a person (0: nobody) and a group label (NULL:
 * none), audited. RES_INVALID (msgid) when the person does not score
 * criteria at the EPS. */
res_t camp_assign(db_t *db, arena_t *a, int64_t actor, const char *ip, const camp_full_t *f,
                  size_t k, int64_t assignee, const char *group, const char **msgid);
/* The people who score criteria at the campaign's EPS (directors, referents,
 * staff): [{id, name}] by name. */
json_t *camp_assignable(db_t *db, arena_t *a, const campaign_t *c);
/* Evidence of a rating: [{id, kind, label, url, attachment_id}]. */
json_t *camp_evidence(db_t *db, int64_t rating_id);
/* Proposals of a campaign: [{id, code, title, imperative, score, status, reason, ...}]. */
json_t *camp_proposals(db_t *db, int64_t campaign_id);
/* Accept or dismiss a proposal (dismissing needs a reason, and is refused
 * for an imperative criterion). */
res_t camp_decide(db_t *db, int64_t actor, const char *ip, const campaign_t *c, int64_t proposal_id,
                  bool accept, const char *reason, const char **msgid);

/* The radar's axes (the référentiel's themes) from camp_results_json:
 * labels "code title", averages and the previous campaign's (-1: none). */
typedef struct {
    const char **labels;
    double *values, *prev;
    size_t n;
    bool has_prev;
} camp_radar_t;
void camp_radar_inputs(req_t *r, json_t *results, camp_radar_t *out);
/* assess_report.c: the self-assessment report as a PDF. */
void assess_api_report_pdf(req_t *r);

/* assess_results.c */
/* The API's results: {overall, averages, imperative_failures, ...}. */
json_t *camp_results_json(req_t *r, const camp_full_t *f, bool api);
/* The previous validated campaign of the same EPS on a référentiel of the
 * same code, 0 when none. */
int64_t camp_previous(db_t *db, const campaign_t *c, const char *ref_code);

/* assess_api.c */
void assess_api_list(req_t *r);
void assess_api_create(req_t *r);
void assess_api_get(req_t *r);
void assess_api_start(req_t *r);
void assess_api_submit(req_t *r);
void assess_api_validate(req_t *r);
void assess_api_reopen(req_t *r);
void assess_api_rate(req_t *r);
void assess_api_results(req_t *r);
void assess_api_results_csv(req_t *r);
void assess_api_results_xlsx(req_t *r);
void assess_api_proposals(req_t *r);
void assess_api_assign(req_t *r);
void assess_api_decide(req_t *r);
json_t *camp_json(req_t *r, const campaign_t *c);

/* assess_pages.c */
void assess_page_list(req_t *r);
void assess_page_new(req_t *r);
void assess_page_create(req_t *r);
void assess_page_show(req_t *r);
void assess_page_rate(req_t *r);
void assess_page_transition(req_t *r);
void assess_page_results(req_t *r);
void assess_page_chart(req_t *r);
void assess_page_decide(req_t *r);
void assess_page_evidence_upload(req_t *r);
void assess_page_assign(req_t *r);
void assess_page_network(req_t *r);
void assess_home(req_t *r, json_t *sections);

/* assess_export.c */
/* Results as CSV or XLSX (one sheet per chapter); the response is set. */
void camp_send_csv(req_t *r, const camp_full_t *f);
void camp_send_xlsx(req_t *r, const camp_full_t *f);

/* assess_demo.c */
int assess_demo(app_demo_t *d);

/* assess_facts.c: "campaign_validated" (the roadmap's evidence) */
#define ASSESS_N_FACTS 1
extern const app_fact_t assess_facts[ASSESS_N_FACTS];

/* assess_module.c */
int64_t camp_resolve(req_t *r, int64_t id);

#endif
