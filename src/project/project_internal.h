/* project_internal.h - private to the projet d'établissement module: its
 * records, the rules of who may do what, and the handlers named by the
 * routes table in project_module.c.
 *
 * A projet belongs to one EPS for one period (at most five years; periods
 * of one EPS never overlap). Status: drafting -> consultation -> validated
 * -> in force -> expired (the last two by the calendar, in the daily work).
 * Each validation freezes a numbered version (its sections and strategy as
 * they were); a frozen projet's sections answer 409 until the director
 * starts the next version (status back to drafting).
 *
 * Who may (project_access.c):
 *  - read: whoever reads quality work at the EPS (quality.read: its
 *    director, referent and staff, and above: advisors, admins, observers,
 *    inspectors), and the staff of its units (co-construction);
 *  - create a projet, move it to consultation and back, record meetings,
 *    edit the strategy, name section owners: the director and the quality
 *    referent ("managers");
 *  - write a section directly: the director and the section's owner;
 *    the other people of the EPS (director, referent, staff of the EPS or
 *    of a unit) propose text or comment; the owner or the director accepts,
 *    merges or declines a proposal;
 *  - validate and start a new version: the director;
 *  - templates: every signed-in user reads them; those who hold
 *    quality.write where a template belongs (admin, quality advisor) edit
 *    it. */
#ifndef JOUDA_PROJECT_INTERNAL_H
#define JOUDA_PROJECT_INTERNAL_H

#include "../audit/audit.h"
#include "../doc/doc.h"
#include "../doc/md.h"
#include "../doc/wdiff.h"
#include "../nodes/nodes.h"
#include "../notify/notify.h"
#include "../users/users.h"
#include "project.h"

#define PRJ_TITLE_MAX 200
#define PRJ_CONTENT_MAX 60000     /* characters of one section's Markdown */
#define PRJ_TEXT_MAX 4000
#define PRJ_CONSULTATION_MAX 8000
#define PRJ_MAX_YEARS 5
#define PRJ_SECTIONS_MAX 40

typedef enum {
    PRJ_DRAFTING = 0,
    PRJ_CONSULTATION,
    PRJ_VALIDATED,
    PRJ_IN_FORCE,
    PRJ_EXPIRED,
} prj_status_t;

const char *prj_status_code(prj_status_t s);
int prj_status_from_code(const char *code); /* -1 when unknown */
/* Validated, in force or expired: the sections and strategy are frozen. */
bool prj_frozen(prj_status_t s);

typedef struct {
    int64_t id, node_id, template_id, version, rev, validated_by, created_by;
    const char *node_path, *title, *period_start, *period_end, *lang, *consultation;
    prj_status_t status;
    int64_t validated_at, created_at, updated_at;
} project_t;

#define PRJ_COLS                                                                                  \
    "p.id, p.node_id, p.template_id, p.version, p.rev, p.validated_by, p.created_by,"            \
    " p.node_path, p.title, p.period_start, p.period_end, p.lang, p.consultation, p.status,"      \
    " p.validated_at, p.created_at, p.updated_at"

typedef struct {
    const char *key, *title, *title_fr, *title_ar, *title_en, *content;
    int64_t owner_id, updated_by, updated_at, rev;
    int position;
} prj_section_t;

/* --- project_model.c ---------------------------------------------------- */
void prj_from_row(arena_t *a, db_res_t *res, int col, project_t *out);
int prj_load(db_t *db, arena_t *a, int64_t id, project_t *out); /* 0 or -1 */
/* The sections of a projet in order, titles in lang (fr/ar/en). */
prj_section_t *prj_sections(db_t *db, arena_t *a, int64_t project_id, const char *lang,
                            size_t *n);
/* One section by key, NULL when none. */
prj_section_t *prj_section(db_t *db, arena_t *a, int64_t project_id, const char *key,
                           const char *lang);
/* A section's title in lang. */
const char *prj_section_title(const prj_section_t *s, const char *lang);

typedef struct {
    int64_t node_id, template_id;
    const char *title, *period_start, *period_end, *lang;
} prj_input_t;
/* Create a projet at an EPS with the sections of its template. RES_INVALID
 * (errors: period, overlap), or RES_OK with *id_out. */
res_t prj_create(db_t *db, arena_t *a, int64_t actor, const char *ip, const node_t *eps,
                 const prj_input_t *in, json_t *errors, int64_t *id_out);
/* Change the title or period of a projet being written. */
res_t prj_update(db_t *db, arena_t *a, int64_t actor, const char *ip, const project_t *p,
                 const prj_input_t *in, json_t *errors);
/* Check a period: both days, end after start, at most five years. */
bool prj_period_ok(const char *start, const char *end, json_t *errors);
/* Write a section's text (audited: that it changed and its length, the
 * text itself is in the section and its versions). RES_CONFLICT when frozen
 * or when rev (>0) is stale. */
res_t prj_write_section(db_t *db, int64_t actor, const char *ip, const project_t *p,
                        const prj_section_t *s, const char *content, int64_t rev);
res_t prj_set_owner(db_t *db, int64_t actor, const char *ip, const project_t *p,
                    const prj_section_t *s, int64_t owner_id);
/* drafting <-> consultation (managers). RES_CONFLICT otherwise. */
res_t prj_set_status(db_t *db, int64_t actor, const char *ip, const project_t *p,
                     prj_status_t to);
/* Validate (director): from drafting or consultation, with the
 * consultation record; freezes version p->version. */
res_t prj_validate(db_t *db, int64_t actor, const char *ip, const project_t *p,
                   const char *consultation, int64_t *version_id);
/* Start the next version of a frozen projet (drafting again). */
res_t prj_new_version(db_t *db, int64_t actor, const char *ip, const project_t *p);
/* The calendar: validated -> in force from the period's start, -> expired
 * after its end. Rows changed, or -1. */
int prj_calendar(db_t *db, const char *day, int64_t now);

/* Contributions: proposals of text and comments on a section. */
typedef struct {
    int64_t id, project_id, author_id, decided_by, created_at, decided_at;
    const char *section_key, *kind, *body, *status;
} prj_contrib_t;
res_t prj_contribute(db_t *db, int64_t actor, const char *ip, const project_t *p,
                     const prj_section_t *s, const char *kind, const char *body, int64_t *id_out);
int prj_contrib_load(db_t *db, arena_t *a, int64_t id, prj_contrib_t *out);
/* accept (the proposal replaces the text), merge (text given by the
 * decider, from both), decline. */
res_t prj_decide(db_t *db, int64_t actor, const char *ip, const project_t *p,
                 const prj_contrib_t *c, const char *decision, const char *merged);
prj_contrib_t *prj_contribs(db_t *db, arena_t *a, int64_t project_id, const char *key,
                            size_t *n);

/* Participation record. */
typedef struct {
    const char *held_on, *topic, *note;
    int64_t staff, children, families, partners;
} prj_meeting_input_t;
res_t prj_add_meeting(db_t *db, int64_t actor, const char *ip, const project_t *p,
                      const prj_meeting_input_t *in, int64_t *id_out);
json_t *prj_meetings(req_t *r, int64_t project_id, json_t **totals);

/* --- project_strategy.c ------------------------------------------------- */
/* Axes -> objectives (with indicators and action sheets): the whole tree as
 * JSON, with the improvement actions born of each objective when links. */
json_t *prj_strategy(req_t *r, const project_t *p, bool links);
/* The same as stored in a version (no ids of the reader's world needed). */
json_t *prj_strategy_snapshot(db_t *db, int64_t project_id);
/* Add an axis, objective, indicator or sheet from the request's fields
 * (form or JSON). what: "axis" "objective" "indicator" "sheet". RES_INVALID
 * with errors, RES_CONFLICT when frozen, RES_NOT_FOUND for a parent not of
 * this projet. */
res_t prj_strategy_add(req_t *r, const project_t *p, const char *what, json_t *errors,
                       int64_t *id_out);
/* Remove one (and what hangs from it). */
res_t prj_strategy_remove(req_t *r, const project_t *p, const char *what, int64_t id);
/* An improvement action from an objective (plan module, through an event). */
res_t prj_objective_action(req_t *r, const project_t *p, int64_t objective_id,
                           int64_t *action_id);

/* --- project_access.c --------------------------------------------------- */
typedef enum { PRJ_NONE = 0, PRJ_READ, PRJ_CONTRIBUTE, PRJ_MANAGE, PRJ_DIRECT } prj_access_t;
/* What the reader may do with a projet of the EPS at eps_path. */
prj_access_t prj_access(req_t *r, const char *eps_path);
bool prj_may_write_section(req_t *r, const project_t *p, const prj_section_t *s);
/* The projet of the route's {id} readable by the reader (404 sent
 * otherwise), and with need, also allowed (403 sent). */
project_t *prj_of_route(req_t *r, prj_access_t need);
int prj_check(req_t *r, int64_t id);
int64_t prj_resolve(req_t *r, int64_t id);
/* EPS where the reader may create a projet, [{id, name}]. */
json_t *prj_creatable_eps(req_t *r);
/* The 409 of a frozen projet (sections, strategy). */
void prj_fail_frozen(req_t *r, const project_t *p);

/* --- project_query.c ---------------------------------------------------- */
typedef struct {
    int64_t node_id;
    const char *status, *q;
} prj_filter_t;
void prj_filter_read(req_t *r, json_t *errors, prj_filter_t *f);
project_t *prj_query(req_t *r, const prj_filter_t *f, int64_t limit, int64_t offset, size_t *n,
                     int64_t *total);
/* Versions of a projet: [{number, validated_on, validated_by, consultation}]. */
json_t *prj_versions(req_t *r, const project_t *p);
/* The sections of version number (0: the current text) as {key: {title,
 * content}} plus an ordered "keys" array; NULL when no such version. */
json_t *prj_version_text(req_t *r, const project_t *p, int64_t number);

/* --- project_api.c ------------------------------------------------------ */
json_t *prj_json(req_t *r, const project_t *p, bool full);
void prj_api_list(req_t *r);
void prj_api_create(req_t *r);
void prj_api_get(req_t *r);
void prj_api_patch(req_t *r);
void prj_api_put_section(req_t *r);
void prj_api_status(req_t *r);
void prj_api_validate(req_t *r);
void prj_api_new_version(req_t *r);
void prj_api_versions(req_t *r);
void prj_api_diff(req_t *r);
void prj_api_contribute(req_t *r);
void prj_api_decide(req_t *r);
void prj_api_meeting(req_t *r);
void prj_api_strategy(req_t *r);
void prj_api_strategy_add(req_t *r);
void prj_api_objective_action(req_t *r);
void prj_api_pdf(req_t *r);
void prj_api_preview(req_t *r);

res_t prj_create_from_request(req_t *r, int64_t node_id, json_t *errors, int64_t *id);
bool prj_meeting_read(req_t *r, json_t *errors, prj_meeting_input_t *in);

/* --- project_pages.c ---------------------------------------------------- */
json_t *prj_crumbs(req_t *r, const project_t *p);
const char *prj_status_label(req_t *r, prj_status_t s);
const char *prj_day_text(req_t *r, const char *iso);
const char *prj_user_name(req_t *r, int64_t id); /* NULL when none */
void prj_page_list(req_t *r);
void prj_page_new(req_t *r);
void prj_page_create(req_t *r);
void prj_page_show(req_t *r);
void prj_page_edit(req_t *r);
void prj_page_update(req_t *r);
void prj_page_status(req_t *r);
void prj_page_validate(req_t *r);
void prj_page_new_version(req_t *r);
void prj_page_meeting(req_t *r);

/* --- project_section.c -------------------------------------------------- */
void prj_page_section(req_t *r);
void prj_page_section_save(req_t *r);
void prj_page_contribute(req_t *r);
void prj_page_decide(req_t *r);
void prj_page_diff(req_t *r);
void prj_page_strategy(req_t *r);
void prj_page_strategy_add(req_t *r);
void prj_page_strategy_remove(req_t *r);
void prj_page_objective_action(req_t *r);
/* The diff of two versions' texts, per section: [{key, title, segments,
 * added, deleted, changed}]. */
json_t *prj_diff_model(req_t *r, json_t *from, json_t *to);

/* --- project_pdf.c ------------------------------------------------------ */
/* The projet (its current text, or version number when > 0) as a PDF in
 * lang; 0 or -1. */
int prj_pdf(req_t *r, const project_t *p, const char *lang, int64_t version, buf_t *out);

/* --- project_template.c ------------------------------------------------- */
int prj_templates_start(db_t *db);
int64_t prj_default_template(db_t *db);
void prj_page_templates(req_t *r);
void prj_page_template(req_t *r);
void prj_page_template_save(req_t *r);
void prj_api_templates(req_t *r);
int64_t prj_template_resolve(req_t *r, int64_t id);
json_t *prj_template_options(req_t *r);

/* --- project_views.c ---------------------------------------------------- */
void prj_home(req_t *r, json_t *sections);
int prj_daily(db_t *db, const char *day, int64_t now);

/* --- project_demo.c ----------------------------------------------------- */
int prj_demo(app_demo_t *d);

/* --- project_search.c --------------------------------------------------- */
/* Write the search rows of a projet's sections again (inside the caller's
 * transaction). DB_OK or a code. */
int prj_search_index(db_t *db, int64_t project_id);
/* The start hook (templates, then the sections missing from the search)
 * and the demo hook (the demo data, then the same). */
int prj_start(db_t *db);
int prj_demo_indexed(app_demo_t *d);

/* --- project_facts.c: "project_validated", "project_indicators" (roadmap) - */
#define PRJ_N_FACTS 2
extern const app_fact_t prj_facts[PRJ_N_FACTS];

#endif
