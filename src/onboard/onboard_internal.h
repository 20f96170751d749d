/* onboard_internal.h - private to the onboarding module: the wizard opening a
 * new EPS (issue 11, section 6).
 *
 * What it does, in ONE transaction (onb_create.c): the EPS under an
 * association (nodes_insert), its units (up to ONB_UNITS_MAX), the accounts of
 * its director and quality referent with their roles at the EPS
 * (users_insert; temporary passwords generated here, hashed before the
 * transaction begins, shown once), its roadmap opened at the first step
 * (road_open), a transfer kit applied at the association (kit_import), and
 * one audit row "onboard" of the node summarising it. Anything failing rolls
 * everything back: nothing is half-written.
 *
 * Who may (the wizard's own rule, onb_access.c): a live admin or
 * quality_advisor role held at the root or at an association, over the
 * chosen association (app_role_over). quality_advisor holds neither
 * org.manage nor user.manage in authz's matrix: opening an EPS through this
 * wizard is the one place where an advisor creates a node and two accounts,
 * and only these (an EPS, its units, a director and a quality referent).
 * Everybody else gets 403 at the entry; an association outside the reader's
 * scope is a 404, inside it without the rule a 403.
 *
 * The pages work without JavaScript: successive pages posting to /onboard
 * (step 1 the establishment and its units, 2 the people, 3 the kit, 4 review
 * and create), every typed value carried to the next page in hidden fields.
 * A kit's bytes cannot ride in a hidden field: the uploaded zip is kept in
 * onboard_runs under the wizard's random run token (its keyed hash stored,
 * bound to the user), which also makes "Create" happen once per run.
 *
 * Table (migration 650): onboard_runs - token_hash (unique), user_id, the
 * staged kit (bytes, file name), eps_id once created, times. Rows are
 * deleted by the daily work after ONB_RUN_TTL. */
#ifndef JOUDA_ONBOARD_INTERNAL_H
#define JOUDA_ONBOARD_INTERNAL_H

#include "../audit/audit.h"
#include "../kit/kit.h"
#include "../nodes/nodes.h"
#include "../roadmap/roadmap.h"
#include "../users/users.h"
#include "onboard.h"

#define ONB_UNITS_MAX 12
#define ONB_UNITS_SHOWN 3 /* empty rows offered at first */
#define ONB_KIT_MAX (HTTP_MAX_UPLOAD - 64 * 1024)
#define ONB_RUN_TTL (7 * 24 * 3600)
#define ONB_PASSWORD_LEN 19 /* "xxxx-xxxx-xxxx-xxxx": 16 random letters/digits, ~79 bits */

enum { ONB_DIRECTOR = 0, ONB_REFERENT = 1, ONB_PEOPLE = 2 };

typedef struct {
    const char *name, *kind; /* kind NULL when none */
    int64_t id;              /* the unit created */
} onb_unit_t;

typedef struct {
    const char *prefix; /* "director" | "referent": the fields' prefix */
    role_t role;
    bool given; /* some field of the person was filled */
    const char *name, *email, *username, *language;
    char password[ONB_PASSWORD_LEN + 1]; /* generated at creation */
    int64_t id;                          /* the account created */
} onb_person_t;

/* Everything the wizard will create, read and validated. */
typedef struct {
    int64_t assoc_id;
    node_t assoc; /* loaded when assoc_id is valid */
    node_input_t eps;
    onb_unit_t units[ONB_UNITS_MAX];
    int n_units;
    onb_person_t people[ONB_PEOPLE];
    /* the kit: bytes (staged or uploaded), its file name, the choice to
     * accept it unsigned, its preview (kit_import without apply) */
    const unsigned char *kit;
    size_t kit_len;
    const char *kit_name;
    bool allow_unsigned;
    json_t *kit_report; /* owned by the request's arena (deferred decref) */
    const char *run;    /* the wizard's run token (pages), NULL for the API */
} onb_plan_t;

/* onb_access.c: the wizard's rule --------------------------------------- */
/* A live admin or quality_advisor role at the root or an association. */
bool onb_may_use(req_t *r);
/* The routes' check (the pipeline runs it before the body is read): 0, or
 * 403 for whoever may not use the wizard. */
int onb_check(req_t *r, int64_t id);
/* ... over the association of path (held there or at the root). */
bool onb_may_at(req_t *r, const char *assoc_path);
/* The associations the reader may open an EPS under: [{id, label, selected}]. */
json_t *onb_assoc_options(req_t *r, int64_t selected);
/* Load the chosen association into p->assoc: RES_OK; RES_INVALID with the
 * field's error (not an association, disabled); RES_NOT_FOUND outside the
 * reader's scope, RES_FORBIDDEN inside it without the wizard's rule. */
res_t onb_assoc_check(req_t *r, json_t *errors, onb_plan_t *p);

/* onb_input.c: reading and validating (form or flattened JSON) ------------ */
void onb_plan_init(onb_plan_t *p);
/* Step 1: association, EPS fields (nodes_input_read), units. RES_OK (errors
 * may hold field errors), or RES_NOT_FOUND / RES_FORBIDDEN (association). */
res_t onb_read_eps(req_t *r, json_t *errors, onb_plan_t *p);
/* Step 2: the two people, their accounts checked against existing ones. */
void onb_read_people(req_t *r, json_t *errors, onb_plan_t *p);
/* The form's field names in page order (the error summary's order). */
extern const char *const onb_field_order[];
/* The values typed, as strings by field name (for forms and hidden fields). */
json_t *onb_values(req_t *r);
/* The number of unit rows to show: at least ONB_UNITS_SHOWN, one empty row
 * after the last filled one, more when asked, at most ONB_UNITS_MAX. */
int onb_unit_rows(req_t *r, bool more);
/* API: turn the nested body ({"units": [...], "director": {...}}) into the
 * form's flat names (unit_name_1, director_email...) in r->json. false with
 * errors (types, unknown fields) when it cannot. The kit (base64) is decoded
 * into p. */
bool onb_api_flatten(req_t *r, json_t *errors, onb_plan_t *p);
/* API: the form's field names of errors back into the body's ("units[0].name"). */
json_t *onb_api_fields(json_t *errors);

/* onb_kit.c: the kit's preview and its staging between pages -------------- */
/* Preview p's kit (kit_import without apply) into p->kit_report; RES_OK, or
 * RES_INVALID with errors["kit"] set. Nothing to do without a kit. */
res_t onb_kit_preview(req_t *r, json_t *errors, onb_plan_t *p);
/* Keep the kit of p under the run token for this user (replacing one
 * kept); DB_OK or a code. */
int onb_kit_stage(req_t *r, const onb_plan_t *p);
/* The kit kept under the run token for this user into p (nothing when none). */
void onb_kit_load(req_t *r, onb_plan_t *p);
void onb_kit_unstage(req_t *r, const char *run);
/* The EPS this user's run created already, 0 when none. */
int64_t onb_run_done(req_t *r, const char *run);
/* A fresh run token (43 characters). */
const char *onb_run_new(req_t *r);
/* The run token's keyed hash (arena). */
const char *onb_run_hash(req_t *r, const char *run);

/* onb_create.c: doing it ------------------------------------------------- */
/* A strong readable password: four groups of four letters and digits
 * without look-alikes (0/o, 1/l/i), e.g. "k7qm-x3fp-9tcw-h4rn". out >=
 * ONB_PASSWORD_LEN + 1. */
void onb_password(char *out, size_t outlen);
/* Create everything of p in one transaction. RES_OK with *eps_id and the
 * people's ids and passwords in p, *kit_report (the import's report, or
 * NULL); RES_INVALID with errors (an account taken meanwhile); RES_CONFLICT
 * with *msgid (this run was created already: *eps_id tells which EPS, or
 * the association disabled meanwhile); RES_ERROR. */
res_t onb_create(req_t *r, onb_plan_t *p, json_t *errors, int64_t *eps_id, json_t **kit_report,
                 const char **msgid);
/* The result as the page and the API show it (a new object): eps {id,
 * name, href}, units, accounts with their passwords, links, kit counts. */
json_t *onb_result(req_t *r, const onb_plan_t *p, int64_t eps_id, json_t *kit_report);

/* onb_pages.c, onb_api.c: handlers ---------------------------------------- */
void onb_page_start(req_t *r); /* GET /onboard */
void onb_page_step(req_t *r);  /* POST /onboard */
void onb_api_create(req_t *r); /* POST /api/v1/onboard */
/* The home card "Open a new establishment". */
void onb_home(req_t *r, json_t *sections);

#endif
