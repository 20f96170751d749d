/* person_internal.h - private to the persons module: its records, the rules
 * of who may see what, and the handlers named by the routes table in
 * person_module.c.
 *
 * Tables (person_schema.c, migrations 500-509):
 *  persons            one row per person supported: pseudonymous code, names
 *                     in both scripts, birth date, sex, EPS and node (a unit,
 *                     or the EPS itself) with a copy of the node's path,
 *                     admission, origin, legal status, disability, exit;
 *                     origin_ref and the three notes are sealed (seal.h)
 *  person_referents   the educators named for a person (user ids)
 *  person_siblings    siblings in the same EPS, both directions stored
 *  person_grants      explicit access given to a user until a day
 *  person_reads       the access log: who read which part of a file, when
 *  person_domains     the life domains of the needs assessment (the list
 *                     shipped is written at start; admins edit labels,
 *                     order and whether a domain is in use)
 *  person_needs       one current assessment per person and domain: level
 *                     of need 1-4 and four sealed texts
 *  person_plans       versions of a person's plan: status, participation
 *                     (sealed), agreement, co-signatures, review schedule
 *  person_goals       goals of a plan by domain (sealed text)
 *  person_actions     actions of a goal: what (sealed), who, by when, done
 *  person_reviews     reviews of a plan: day, what changed (sealed), next
 *  person_settings    per EPS: months between reviews (1-6, default 6),
 *                     whether its staff must use two-step verification
 *
 * Who may (person_access.c), on a person of node N (unit or EPS) of EPS E:
 *  - see and record: whoever holds personal.read / personal.write at N
 *    (staff of N, staff of E, the director of E: authz's matrix), the
 *    person's referents (read and write), users given access by a grant
 *    still running (read only);
 *  - everybody else: the answer authz gives at N (404 outside the reader's
 *    scope, 403 inside it: advisors, admins, observers, inspectors,
 *    quality referents never see names or notes, only the counts of
 *    person_indicators);
 *  - then two-step verification: a reader holding a live director or admin
 *    role anywhere, or working at an EPS that asks it of its staff, gets 403
 *    "totp_required" until enrolled (after the 404 above), pages and API
 *    tokens alike;
 *  - grant access, see the access log, export a file, edit the EPS's
 *    settings: the EPS's director;
 *  - every read of a file (a page tab, the API object, an export) adds a row
 *    to person_reads.
 *
 * A plan: draft -> agreed -> in_review -> agreed ... -> closed. Goals and
 * actions change in draft and in review; signatures are recorded in any
 * open status; agreeing needs at least one goal and the person's agreement
 * recorded; agreeing a newer version closes the older ones. An agreed plan
 * is reviewed at most review_months after its agreement or last review
 * (min of the EPS's setting and 6); a review recorded puts it back to
 * agreed with its next date. A plan past its next review is late: the
 * daily work notifies its person's referents and the EPS's directors once
 * per due day. */
#ifndef JOUDA_PERSON_INTERNAL_H
#define JOUDA_PERSON_INTERNAL_H

#include "../account/account.h"
#include "../audit/audit.h"
#include "../auth/seal.h"
#include "../nodes/nodes.h"
#include "../notify/notify.h"
#include "../users/users.h"
#include "person.h"

#define PERS_NAME_MAX 80
#define PERS_TEXT_MAX 200      /* one-line texts: origin ref, kind, who, names */
#define PERS_NOTE_MAX 8000     /* notes and free texts */
#define PERS_REVIEW_MAX_MONTHS 6
#define PERS_GOALS_MAX 40
#define PERS_ACTIONS_MAX 20    /* per goal */
#define PERS_CODE_LEN 9        /* "p" + 8 lower-case letters/digits */

/* Codes (lower case), NULL-terminated lists for v_code. */
extern const char *const pers_sex_codes[];         /* f m */
extern const char *const pers_origin_codes[];      /* judicial family social_services police self other */
extern const char *const pers_legal_codes[];       /* judicial_placement kafala_pending abandoned_declared parental_authority guardianship other */
extern const char *const pers_exit_codes[];        /* family kafala autonomy other_eps adult_service other */
extern const char *const pers_plan_status_codes[]; /* draft agreed in_review closed */
extern const char *const pers_agreement_codes[];   /* agrees partly disagrees not_asked */
extern const char *const pers_sign_how_codes[];    /* signature oral thumbprint other */
/* Catalogue msgids of a code: "person.<list>.<code>" (e.g. "person.origin.judicial"). */
const char *pers_code_msgid(arena_t *a, const char *list, const char *code);

typedef enum { PERS_DRAFT = 0, PERS_AGREED, PERS_IN_REVIEW, PERS_CLOSED } pers_status_t;
const char *pers_status_code(pers_status_t s);
int pers_status_from_code(const char *code); /* -1 when unknown */

/* --- Helpers (person_util.c) ------------------------------------------------- */
const char *pers_today(arena_t *a);          /* "YYYY-MM-DD" in Africa/Casablanca */
/* day + months, the day of the month kept when it exists (31 -> last day). */
const char *pers_add_months(arena_t *a, const char *day, int months);
/* A sealed value opened (NULL for none or one the key does not open). */
const char *pers_opened(arena_t *a, const char *sealed);
/* A value sealed as a statement parameter (NULL for none or ""). */
db_param_t pers_sealed_param(arena_t *a, const char *s);
db_param_t pers_text_or_null(const char *s);   /* NULL for NULL or "" */

/* --- Persons (person_model.c) ----------------------------------------- */

typedef struct {
    int64_t id, eps_id, node_id, rev, created_by, created_at, updated_at, anonymised_at;
    const char *code, *path;
    const char *first_name, *last_name, *first_name_ar, *last_name_ar;
    const char *birth_date, *sex, *admission_date, *origin, *origin_ref, *legal_status;
    bool disability;
    const char *disability_kind, *exit_date, *exit_destination;
    /* opened (NULL when none); unsealed false when a value could not be
     * opened with the process key (never shown as text) */
    const char *health_notes, *family_notes, *judicial_notes;
    bool unsealed;
} person_t;

/* Load a person with the sealed fields opened. 0, or -1 when absent. */
int pers_load(db_t *db, arena_t *a, int64_t id, person_t *out);
/* The stored node path, EPS id and node id of a person (no opening); 0 or -1. */
int pers_where(db_t *db, arena_t *a, int64_t id, const char **path, int64_t *eps_id,
               int64_t *node_id);
/* The name to show: "First Last" in the script of lang when written, else
 * the other one. */
const char *pers_display_name(arena_t *a, const person_t *p, const char *lang);
/* Age in whole years on day ("YYYY-MM-DD"); -1 when unknown. */
int pers_age(const char *birth_date, const char *day);

/* What a form or the API gives; NULL = absent (PATCH: unchanged; "" clears
 * an optional field). disability: -1 absent, 0, 1. node_id: 0 absent. */
typedef struct {
    int64_t node_id;
    const char *first_name, *last_name, *first_name_ar, *last_name_ar;
    const char *birth_date, *sex, *admission_date, *origin, *origin_ref, *legal_status;
    int disability;
    const char *disability_kind, *exit_date, *exit_destination;
    const char *health_notes, *family_notes, *judicial_notes;
} pers_input_t;

/* Read the fields of a form or JSON body into in, validating each (errors:
 * field -> msgid, in the user's language later): lengths, codes, days
 * (YYYY-MM-DD or dd/mm/yyyy, from 1900, not in the future for birth and
 * admission), exit after admission. creating: the required ones (node_id,
 * a name in one script at least (first and last), birth_date, sex,
 * admission_date). */
void pers_read_input(req_t *r, json_t *errors, bool creating, pers_input_t *in);
/* A day field of a form or JSON body: NULL absent, "" cleared, else
 * "YYYY-MM-DD" (from YYYY-MM-DD or dd/mm/yyyy, 1900-9999); an error in
 * errors when it is not a day, or in the future when past_only. */
const char *pers_day_input(req_t *r, json_t *errors, const char *field, bool past_only);
/* Optional fields of a form or JSON body: NULL absent, "" present but empty
 * (clears), else the checked value (v_text, v_long_text, v_code). */
const char *pers_opt_text(req_t *r, json_t *errors, const char *field, size_t max);
const char *pers_opt_long(req_t *r, json_t *errors, const char *field, size_t max);
const char *pers_opt_code(req_t *r, json_t *errors, const char *field, const char *const *list);
/* Create a person at node (a unit or an EPS the reader may write at: the
 * caller checked), with a new pseudonymous code and the creator named as
 * referent when they work at a unit. RES_INVALID (errors), RES_OK *id_out. */
res_t pers_create(req_t *r, const pers_input_t *in, json_t *errors, int64_t *id_out);
/* Change what in holds. rev > 0: 409 when stale. Moving to another node
 * must stay in the same EPS (422 otherwise). The audit row lists the
 * fields changed, sealed ones as changed without their value. */
res_t pers_update(req_t *r, const person_t *p, const pers_input_t *in, int64_t rev,
                  json_t *errors);
/* The person as the API and pages show it (every field, notes opened,
 * referents [{id,name}], siblings [{id,code,name}]), names for lang. */
json_t *pers_json(req_t *r, const person_t *p);

/* Referents and siblings (replace the whole list; audited). Referents must
 * be accounts working at the person's EPS or one of its units; siblings
 * persons of the same EPS. RES_INVALID with errors["referents"|"siblings"]. */
res_t pers_set_referents(req_t *r, const person_t *p, const int64_t *ids, size_t n,
                         json_t *errors);
res_t pers_set_siblings(req_t *r, const person_t *p, const int64_t *ids, size_t n,
                        json_t *errors);
/* Accounts who may be named referents: [{id, name}] of the EPS's staff. */
json_t *pers_referent_choices(req_t *r, const person_t *p);

/* The caseload and lists. */
typedef struct {
    int64_t node_id;      /* 0: every node the reader may read */
    bool mine;            /* only persons the reader is referent of */
    bool due;             /* only persons whose plan's review is due within 30 days or late */
    bool left;            /* include persons who left (exit_date set) */
    const char *q;        /* words of a name or code */
    int64_t limit, offset;
} pers_filter_t;
/* [{id, code, name, name_other, age, sex, node_id, node_name, plan_status,
 * plan_status_label, next_review, late (bool), due_soon (bool), referent
 * (bool: the reader is one), exit_date}], *total; only persons the reader
 * may read, filtered in SQL before LIMIT. */
json_t *pers_list(req_t *r, const pers_filter_t *f, int64_t *total);

/* The current plan of each person p of a query: its newest version not
 * closed, as "pl" (NULL columns when none). A join both engines run as an
 * index lookup per person (UNIQUE (person_id, version)). */
#define PERS_CURRENT_PLAN_JOIN                                                                     \
    " LEFT JOIN person_plans pl ON pl.person_id = p.id AND pl.status <> 'closed' AND NOT EXISTS"  \
    " (SELECT 1 FROM person_plans nx WHERE nx.person_id = p.id AND nx.status <> 'closed' AND"     \
    " nx.version > pl.version)"

/* --- Access (person_access.c) ------------------------------------------- */

typedef enum { PERS_NONE = 0, PERS_READ, PERS_WRITE } pers_access_t;
/* The reader's access to the person of node path/eps (no TOTP rule). */
pers_access_t pers_access(req_t *r, int64_t person_id, const char *path);
/* Does this reader need two-step verification before opening personal data
 * of EPS eps_id (a live director or admin role, or staff of an EPS asking
 * it)? And is it missing? true: the refusal is set (app_deny) for a 403. */
bool pers_totp_missing(req_t *r, int64_t eps_id);
/* For handlers without an id (lists, creation): answers 403 "totp_required"
 * and returns false when the reader must enrol first (eps_id 0: any EPS). */
bool pers_totp_gate(req_t *r, int64_t eps_id);
/* Routes: resolve a person to its node; the check applying the rules above
 * (route perm PERM_PERSONAL_READ or PERM_PERSONAL_WRITE). */
int64_t pers_resolve(req_t *r, int64_t id);
int pers_check(req_t *r, int64_t id);
/* Routes reserved to the EPS's director (grants, access log, export,
 * settings): same as pers_check, then 403 unless a live director of the
 * person's EPS. */
int pers_check_director(req_t *r, int64_t id);
bool pers_is_director(req_t *r, const char *eps_path);
/* Is the reader a director of the EPS of this path (unit or EPS path)? */
/* The scope condition of lists: "(p.path ranges for personal.read OR p.id
 * IN (referent of) OR p.id IN (granted))", appended with its parameters. */
void pers_scope_sql(req_t *r, buf_t *sql, db_param_t *params, int *np, int max);
/* Log a read of a file: what is "identity", "needs", "plan", "reviews",
 * "access", "api", "export"... (one row; errors ignored but logged). */
void pers_log_read(req_t *r, int64_t person_id, const char *what);
/* The access log of a person, newest first: [{at, user_id, user_name, what,
 * what_label}], at most limit rows. */
json_t *pers_reads(req_t *r, int64_t person_id, int64_t limit);

/* Grants: access to one person's file for a user until a day (inclusive),
 * with a reason; notifies the EPS's directors and the user. */
typedef struct {
    int64_t id, person_id, user_id, granted_by, created_at, revoked_at;
    const char *until, *reason;
} pers_grant_t;
res_t pers_grant(req_t *r, const person_t *p, int64_t user_id, const char *until,
                 const char *reason, json_t *errors, int64_t *id_out);
res_t pers_grant_revoke(req_t *r, const person_t *p, int64_t grant_id);
/* [{id, user_id, user_name, until, reason, granted_by_name, created_at, live}] */
json_t *pers_grants(req_t *r, int64_t person_id);

/* EPS settings. */
typedef struct {
    int review_months; /* 1..6 */
    bool require_totp;
} pers_settings_t;
void pers_settings_get(db_t *db, int64_t eps_id, pers_settings_t *out);
res_t pers_settings_set(req_t *r, int64_t eps_id, const pers_settings_t *s);

/* --- Needs, plans, reviews (person_care.c) ------------------------------ */

typedef struct {
    const char *code, *label; /* label in the reader's language */
    int position;
    bool active;
} pers_domain_t;
/* The domains in order (active ones only unless all). */
pers_domain_t *pers_domains(db_t *db, arena_t *a, const char *lang, bool all, size_t *n);
bool pers_domain_known(db_t *db, const char *code);
/* Write the shipped list when absent (start hook). */
int pers_domains_seed(db_t *db);
/* Admin: change a domain's labels, position, active; or add one. */
res_t pers_domain_save(req_t *r, const char *code, const char *fr, const char *ar,
                       const char *en, int position, bool active, json_t *errors);

typedef struct {
    const char *domain, *situation, *strengths, *needs, *own_words, *assessed_on;
    int level; /* 1..4, 0 when not assessed */
    int64_t rev, updated_by, updated_at;
} pers_need_t;
/* Every domain in order with the person's assessment (level 0 when none). */
pers_need_t *pers_needs(req_t *r, int64_t person_id, size_t *n);
/* Write one domain's assessment (upsert). rev > 0: 409 when stale. */
res_t pers_need_save(req_t *r, const person_t *p, const pers_need_t *in, int64_t rev,
                     json_t *errors);

typedef struct {
    int64_t id, person_id, version, rev, created_by, created_at, updated_at;
    pers_status_t status;
    const char *participation, *agreement;
    const char *child_signed_name, *child_signed_on, *child_signed_how;
    const char *guardian_name, *guardian_signed_on, *guardian_signed_how;
    const char *agreed_on, *closed_on, *next_review;
    int review_months;
} pers_plan_t;
typedef struct {
    int64_t id, goal_id;
    const char *text, *who, *due;
    bool done;
} pers_action_t;
typedef struct {
    int64_t id;
    const char *domain, *text;
    pers_action_t *actions;
    size_t n_actions;
} pers_goal_t;
typedef struct {
    int64_t id, by;
    const char *reviewed_on, *changes, *next_review;
    int64_t created_at;
} pers_review_t;

int pers_plan_load(db_t *db, arena_t *a, int64_t plan_id, pers_plan_t *out); /* 0 or -1 */
/* The person's plans, newest version first. */
pers_plan_t *pers_plans(db_t *db, arena_t *a, int64_t person_id, size_t *n);
/* The plan in force or being written: the newest not closed, NULL. */
pers_plan_t *pers_current_plan(db_t *db, arena_t *a, int64_t person_id);
pers_goal_t *pers_goals(db_t *db, arena_t *a, int64_t plan_id, size_t *n);
pers_review_t *pers_reviews(db_t *db, arena_t *a, int64_t plan_id, size_t *n);
/* Is the plan late on day (agreed or in review, next_review < day)? */
bool pers_plan_late(const pers_plan_t *pl, const char *day);

/* What a plan form or the API gives: NULL = absent. goals: replaces every
 * goal and action when not NULL (a JSON array [{domain, text, actions:
 * [{text, who, due, done}]}]). */
typedef struct {
    const char *status;
    const char *participation, *agreement;
    const char *child_signed_name, *child_signed_on, *child_signed_how;
    const char *guardian_name, *guardian_signed_on, *guardian_signed_how;
    int review_months; /* 0 absent */
    const json_t *goals;
} pers_plan_input_t;
/* Check a goals array ([{domain, text, actions: [{text, who, due, done}]}]):
 * errors under "goals" (the first problem). */
bool pers_goals_valid(req_t *r, const json_t *goals, json_t *errors);
/* Read and validate (goals: domains known, texts, days). */
void pers_plan_read_input(req_t *r, json_t *errors, pers_plan_input_t *in);
/* A new version (draft, or the status asked: "draft" only, or "agreed"
 * when goals and agreement are given); 409 when a draft exists already.
 * When a previous version exists and in->goals is NULL, its goals and
 * actions are copied. */
res_t pers_plan_create(req_t *r, const person_t *p, const pers_plan_input_t *in,
                       json_t *errors, int64_t *id_out);
/* Change a plan: fields, goals (draft, in review), status transitions
 * (409 with the allowed ones when impossible). rev > 0: 409 when stale. */
res_t pers_plan_update(req_t *r, const person_t *p, const pers_plan_t *pl,
                       const pers_plan_input_t *in, int64_t rev, json_t *errors);
/* The statuses reachable from a plan's (for 409 messages and buttons). */
json_t *pers_plan_allowed(const pers_plan_t *pl);
/* Record a review of an agreed or in-review plan: day (default today),
 * what changed (required), next review (default day + review months; at
 * most that far). The plan becomes agreed with its next date. */
res_t pers_review_add(req_t *r, const person_t *p, const pers_plan_t *pl, const char *day,
                      const char *changes, const char *next_review, json_t *errors,
                      int64_t *id_out);
/* The plan as JSON: fields, goals with actions, reviews, late, allowed. */
json_t *pers_plan_json(req_t *r, const pers_plan_t *pl, bool with_reviews);

/* The daily work: late reviews notified once per due day. DB_OK or a code. */
int pers_daily(db_t *db, const char *day, int64_t now);

/* --- Indicators (person_care.c): pseudonymised counts of an EPS (or of
 * every EPS under path): persons in care (no exit), with an agreed plan
 * (agreed or in review), with a plan up to date (agreed/in review, not
 * late), co-signed by the child, average delay of the reviews done late
 * (days) and of the late ones today. */
typedef struct {
    int64_t in_care, with_plan, up_to_date, child_signed, late;
    double avg_delay_days; /* -1 when no review */
} pers_indicators_t;
int pers_indicators(db_t *db, const char *path, const char *today, pers_indicators_t *out);

/* --- Schema (person_schema.c) ------------------------------------------ */
#define PERS_N_MIGRATIONS 2
#define PERS_N_SEALED 12
extern const db_migration_t pers_migrations[PERS_N_MIGRATIONS];
extern const app_sealed_t pers_sealed[PERS_N_SEALED];
/* A text column of one row (first row's first column) in the arena, NULL. */
const char *pers_query_text(db_t *db, arena_t *a, const char *sql, const db_param_t *params,
                            int n);

/* --- Handlers ------------------------------------------------------------ */
/* pages (person_pages.c, person_pages_plan.c) */
void pers_page_list(req_t *r);
void pers_page_new(req_t *r);
void pers_page_create(req_t *r);
void pers_page_show(req_t *r);        /* ?tab=identity|needs|plan|reviews|access */
void pers_page_edit(req_t *r);
void pers_page_update(req_t *r);
void pers_page_need(req_t *r);        /* /persons/{id}/needs/{code} */
void pers_page_need_save(req_t *r);
void pers_page_referents(req_t *r);   /* POST */
void pers_page_plan_new(req_t *r);    /* POST /persons/{id}/plans */
void pers_page_plan(req_t *r);        /* GET /persons/{id}/plans/{id} */
void pers_page_plan_save(req_t *r);   /* POST /persons/{id}/plans/{id} */
void pers_page_review(req_t *r);      /* POST /persons/{id}/plans/{id}/reviews */
void pers_page_grant(req_t *r);       /* POST /persons/{id}/grants */
void pers_page_grant_revoke(req_t *r);/* POST /persons/{id}/grants/{id}/revoke */
void pers_page_settings(req_t *r);    /* GET /person-settings/{eps} */
void pers_page_settings_save(req_t *r);
void pers_page_domains(req_t *r);     /* GET /person-domains */
void pers_page_domains_save(req_t *r);
/* API (person_api.c) */
void pers_api_list(req_t *r);
void pers_api_create(req_t *r);
void pers_api_get(req_t *r);
void pers_api_patch(req_t *r);
void pers_api_needs(req_t *r);
void pers_api_need_put(req_t *r);     /* PUT /api/v1/persons/{id}/needs/{code} */
void pers_api_plans(req_t *r);
void pers_api_plan_create(req_t *r);
void pers_api_plan_get(req_t *r);
void pers_api_plan_patch(req_t *r);
void pers_api_review(req_t *r);
void pers_api_grants(req_t *r);
void pers_api_grant(req_t *r);
void pers_api_grant_revoke(req_t *r); /* DELETE /api/v1/persons/{id}/grants/{id} */
void pers_api_reads(req_t *r);        /* GET /api/v1/persons/{id}/reads (director) */
void pers_api_indicators(req_t *r);   /* GET /api/v1/persons/indicators?node_id= */
/* export (person_export.c): everything held about one person */
void pers_api_export_json(req_t *r);  /* GET /persons/{id}/export.json (director) */
void pers_api_export_pdf(req_t *r);   /* GET /persons/{id}/export.pdf?lang= (director) */
json_t *pers_export(req_t *r, const person_t *p);

/* views (person_views.c): home section (caseload card for staff, indicators
 * for quality roles of an EPS), node section (indicators). */
void pers_home(req_t *r, json_t *sections);
void pers_node_sections(req_t *r, int64_t node_id, const char *path, json_t *sections);

/* demo (person_demo.c) */
int pers_demo(app_demo_t *d);

#endif
