/* road_internal.h - private to the roadmap module: the steps of the démarche
 * qualité, the stored state of an establishment's steps, the merge with the
 * facts other modules prove (app_fact_t), the view of a whole scope, and the
 * handlers named by the routes table in roadmap_module.c.
 *
 * A step of an EPS is done when its stored status is "done" (a person said
 * so, with a day and evidence) or when the fact that proves it holds (a
 * validated self-assessment exists...): the latter is computed when read,
 * never stored, so a stored status is shown again if the fact disappears.
 * The current step is the first one not done; "complete" when none is left.
 *
 * Who may (road_access.c):
 *  - read an EPS's roadmap: quality.read at the EPS (its director, referent
 *    and staff, and above: advisors, admins, observers, inspectors);
 *  - change a step: the EPS's director and quality referent, and the admins
 *    and quality advisors over it;
 *  - read the view of a scope (/roadmap, an association or the root): those
 *    holding quality.read at that node (admins, advisors, observers). */
#ifndef JOUDA_ROAD_INTERNAL_H
#define JOUDA_ROAD_INTERNAL_H

#include "../audit/audit.h"
#include "../nodes/nodes.h"
#include "roadmap.h"

#define ROAD_NSTEPS 9
#define ROAD_COMPLETE ROAD_NSTEPS /* "current step" of an EPS with every step done */
#define ROAD_EVIDENCE_MAX 2000
#define ROAD_LINK_MAX 500

typedef enum { ROAD_TODO = 0, ROAD_IN_PROGRESS, ROAD_DONE } road_status_t;

typedef struct {
    const char *code;  /* "self_assessment" */
    const char *label; /* msgid "road_step.<code>" */
    const char *hint;  /* msgid: what doing it means */
    const char *fact;  /* the app_fact proving it, NULL when only a person can say */
    const char *how;   /* msgid of the link to the page that does it (NULL: this roadmap) */
    const char *href;  /* that page, "{eps}" standing for the EPS's id (NULL: this roadmap) */
} road_step_def_t;

extern const road_step_def_t road_steps[ROAD_NSTEPS];

/* --- road_steps.c (pure, unit-tested) ----------------------------------- */
/* Index of a step code, -1 when unknown. */
int road_step_index(const char *code);
/* "todo" "in_progress" "done"; road_status_parse: -1 when unknown. */
const char *road_status_code(road_status_t s);
int road_status_parse(const char *code);
extern const char *const road_status_codes[]; /* NULL-terminated */
/* Merge stored statuses with what facts prove: done[i] = stored[i] is done or
 * proved[i]. Returns the current step (the first not done), ROAD_COMPLETE
 * when every step is done; *n_done (may be NULL) the number done. */
int road_merge(const road_status_t *stored, const bool *proved, bool *done, int *n_done);
/* The code of a current step ("complete" for ROAD_COMPLETE); and back (-1
 * when unknown). */
const char *road_current_code(int current);
int road_current_parse(const char *code);
/* Is ids (ascending) holding id? */
bool road_ids_has(const int64_t *ids, size_t n, int64_t id);

/* --- road_model.c ------------------------------------------------------- */
typedef struct {
    int64_t id, updated_by, updated_at, rev; /* id 0: nothing stored */
    road_status_t status;
    const char *day, *evidence, *link;       /* day NULL or "YYYY-MM-DD" */
} road_row_t;

typedef struct {
    int64_t eps_id;
    const char *eps_path;
    road_row_t rows[ROAD_NSTEPS];
    const char *proof[ROAD_NSTEPS]; /* the fact code proving step i, NULL when none */
    bool done[ROAD_NSTEPS];
    int current, n_done;
    int64_t last_change;
} road_eps_t;

/* The roadmap of one EPS: its stored steps merged with the facts (one
 * query each over the EPS). 0, or -1 on a database error. */
int road_load(db_t *db, arena_t *a, int64_t eps_id, const char *eps_path, road_eps_t *out);

typedef struct {
    road_status_t status;
    const char *day;      /* "" or NULL: none */
    const char *evidence; /* "" when none */
    const char *link;     /* "" when none */
} road_input_t;
/* Read and check a step's fields from the form or the JSON body (status
 * required; day YYYY-MM-DD, or dd/mm/yyyy on pages, not after today when
 * done; evidence; link an http(s) address or a path of this site). The
 * stored values are kept for fields absent from a JSON body. false with
 * errors. */
bool road_read_input(req_t *r, const road_row_t *cur, json_t *errors, road_input_t *in);
/* Write step i of the EPS (audited). rev > 0 must be the stored one
 * (RES_CONFLICT otherwise). RES_OK. */
res_t road_write(db_t *db, int64_t actor, const char *ip, const node_t *eps, int step,
                 const road_input_t *in, int64_t rev);

/* --- road_board.c: a scope's establishments ------------------------------ */
typedef struct {
    const node_t *eps;
    int current, n_done;
    int64_t last_change;
} road_line_t;

typedef struct {
    road_line_t *lines; /* every active EPS of the scope, by id (id, parent, region, names, path) */
    size_t n;
    json_t *assoc;      /* {"<association id>": [name, name_ar]} (lives with the arena) */
} road_board_t;
/* Every active EPS under scope_path with its current step: the organisation
 * (cached while it does not change), stored steps and facts, one query
 * each. 0 or -1. */
int road_board(db_t *db, arena_t *a, const char *scope_path, road_board_t *out);
/* Counts of EPS at each current step (by_step[ROAD_COMPLETE]: complete). */
void road_board_counts(const road_line_t *lines, size_t n, int64_t by_step[ROAD_NSTEPS + 1]);

/* --- road_access.c ------------------------------------------------------ */
/* May the reader change the steps of the EPS at path? */
bool road_may_edit(req_t *r, const char *eps_path);
/* The EPS of the route's {id}, loaded; 404 sent (and NULL) when it is not an
 * establishment (the pipeline already refused what the reader may not read). */
node_t *road_eps_of_route(req_t *r);
/* The node whose view a reader opening /roadmap gets by default: the highest
 * node where they read quality work (root or association), 0 when none;
 * *eps the first establishment where they read it (0 when none: the staff
 * of a unit read no roadmap, and the menu does not offer one to them). */
int64_t road_default_scope(req_t *r, int64_t *eps);
/* The label of a step / status / fact in the reader's language. */
const char *road_step_label(req_t *r, int step);
const char *road_fact_label(req_t *r, const char *fact);
/* A day "YYYY-MM-DD" as dd/mm/yyyy. */
const char *road_day_text(req_t *r, const char *iso);
/* The page doing step i for the EPS (campaign creation, the plan...). */
const char *road_how_href(req_t *r, int step, int64_t eps_id);

/* --- road_pages.c ------------------------------------------------------- */
void road_page_index(req_t *r);
void road_page_eps(req_t *r);
void road_page_step(req_t *r);
void road_page_step_save(req_t *r);
/* The EPS's roadmap as the pages show it (steps with labels, proof, forms). */
json_t *road_eps_model(req_t *r, const node_t *eps, const road_eps_t *rm, bool can_edit);

/* --- road_national.c ---------------------------------------------------- */
void road_page_national(req_t *r, const node_t *scope);
void road_page_chart(req_t *r);

/* --- road_api.c --------------------------------------------------------- */
json_t *road_step_json(req_t *r, const road_eps_t *rm, int i);
void road_api_get(req_t *r);
void road_api_put_step(req_t *r);

/* --- road_views.c ------------------------------------------------------- */
void road_home(req_t *r, json_t *sections);
void road_node_sections(req_t *r, int64_t node_id, const char *path, json_t *sections);

/* --- road_demo.c -------------------------------------------------------- */
int road_demo(app_demo_t *d);

#endif
