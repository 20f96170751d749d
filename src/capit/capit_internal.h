/* capit_internal.h - private to the capitalisation module: the sheet record,
 * the rules of who may do what, and the handlers named by the routes table
 * in capit_module.c.
 *
 * A sheet is one row per (code, version). The code ("cap-" and 8 letters or
 * digits) is made once when the first version is written and kept by every
 * later version and by kits; versions count from 1. Status:
 *   draft -> review -> published, review -> draft (returned, with a comment),
 *   draft -> published (by who publishes), published -> superseded (when a
 *   later version of the same code is published).
 * Editing a published sheet opens its next version as a draft (one open
 * version per code at a time); the published one stays as it is.
 *
 * Who may (capit_access.c):
 *  - read a published (or superseded) sheet: every signed-in user: the
 *    national library;
 *  - read a draft or a sheet in review: quality.read at its node (the EPS's
 *    director, referent and staff, and above: advisors, admins, observers,
 *    inspectors); others get 404;
 *  - write (create, edit, submit, attach files): the director and the
 *    quality referent of the EPS, and admins and quality advisors over it;
 *  - publish (and return to draft): admins and quality advisors over it.
 * Sheets imported from a kit sit at the root or an association (no EPS of
 * this instance): they keep the producer's establishment name as text. */
#ifndef JOUDA_CAPIT_INTERNAL_H
#define JOUDA_CAPIT_INTERNAL_H

#include "../audit/audit.h"
#include "../doc/md.h"
#include "../nodes/nodes.h"
#include "../notify/notify.h"
#include "../users/users.h"
#include "capit.h"

#define CAP_TITLE_MAX 200
#define CAP_TEXT_MAX 20000      /* characters of one Markdown text */
#define CAP_CONTRIB_MAX 2000    /* outside contributors, free text */
#define CAP_COMMENT_MAX 2000    /* why a sheet goes back to draft */
#define CAP_CODE_MAX 60
#define CAP_IND_MAX 20          /* indicators of the results */
#define CAP_IND_LABEL_MAX 200
#define CAP_IND_VALUE_MAX 60
#define CAP_IND_UNIT_MAX 30
#define CAP_AUTHORS_MAX 20
#define CAP_CRITERIA_MAX 60
#define CAP_ACTIONS_MAX 30
#define CAP_DOCUMENTS_MAX 30
#define CAP_DOC_CODE_MAX 60
#define CAP_PAGE 24             /* cards per page of the library */

/* --- capit_rules.c: pure (tests/unit/test_capit.c) ----------------------- */
typedef enum { CAP_DRAFT = 0, CAP_REVIEW, CAP_PUBLISHED, CAP_SUPERSEDED } cap_status_t;

const char *cap_status_code(cap_status_t s);
int cap_status_from_code(const char *code); /* -1 when unknown */
/* Published or superseded: what every signed-in user reads. */
bool cap_is_public(cap_status_t s);

/* The themes (codes, NULL-terminated; labels "cap_theme.<code>"). */
extern const char *const cap_themes[];
bool cap_theme_valid(const char *code);
extern const char *const cap_langs[]; /* "fr", "ar", NULL */

/* The Markdown texts of a sheet, in the order of the reading page. */
enum {
    CAP_T_CONTEXT = 0,
    CAP_T_HISTORY,
    CAP_T_OBJECTIVES,
    CAP_T_ACTORS,
    CAP_T_IMPLEMENTATION,
    CAP_T_INNOVATION,
    CAP_T_RESULTS,
    CAP_T_DIFFICULTIES,
    CAP_T_LESSONS,
    CAP_T_REPLICATION,
    CAP_T_TOOLS,
    CAP_NTEXT
};
extern const char *const cap_text_fields[CAP_NTEXT];   /* "context", ... */
extern const char *const cap_text_labels[CAP_NTEXT];   /* msgids of their headings */
extern const char *const cap_text_hints[CAP_NTEXT];    /* msgids of the form's hints */
int cap_text_index(const char *field);                 /* -1 when not a text field */

/* A transition asked by someone: may_write (director, referent, admin or
 * advisor over it), may_publish (admin or advisor over it). RES_OK,
 * RES_FORBIDDEN (the transition exists but not for them) or RES_CONFLICT
 * (impossible from this status). */
res_t cap_transition(cap_status_t from, cap_status_t to, bool may_write, bool may_publish);
/* The statuses reachable from `from` for this person (for 409's "allowed"),
 * written into out (at most 4), their count. */
size_t cap_allowed(cap_status_t from, bool may_write, bool may_publish, cap_status_t *out);

/* A sheet's code: "cap-" and 8 characters of [a-z0-9] from 8 random bytes
 * (out has room for 13 bytes). */
void cap_code_make(const unsigned char rnd[8], char out[13]);
/* Codes carried by kits and written by people: lower case [a-z0-9._-],
 * 1 to CAP_CODE_MAX, starting with a letter or digit. */
bool cap_code_valid(const char *code);
/* A library document's code as written in a sheet: [A-Za-z0-9._-], 1 to
 * CAP_DOC_CODE_MAX; lowered in place. */
bool cap_doc_code_valid(char *code);
/* A file name for a kit ([A-Za-z0-9._-]{1,100}, no leading dot) made from
 * a stored file's name and its position n (>= 1): "1-rapport_final.pdf". */
void cap_kit_filename(const char *name, int n, char *out, size_t outlen);

/* --- the record ---------------------------------------------------------- */
typedef struct {
    int64_t id, node_id, eps_id, version, rev, created_by, updated_by, published_by;
    int64_t created_at, updated_at, submitted_at, published_at;
    const char *code, *node_path, *eps_name, *title, *theme, *lang, *contributors,
        *authors_text, *return_comment, *indicators;
    const char *text[CAP_NTEXT];
    cap_status_t status;
    bool imported;
} sheet_t;

#define CAP_COLS                                                                                   \
    "s.id, s.node_id, s.eps_id, s.version, s.rev, s.created_by, s.updated_by, s.published_by,"   \
    " s.created_at, s.updated_at, s.submitted_at, s.published_at, s.code, s.node_path,"           \
    " s.eps_name, s.title, s.theme, s.lang, s.contributors, s.authors_text, s.return_comment,"    \
    " s.indicators, s.status, s.imported, s.context, s.history, s.objectives, s.actors,"          \
    " s.implementation, s.innovation, s.results, s.difficulties, s.lessons, s.replication,"       \
    " s.tools"
/* The list reads no long text. */
#define CAP_LIST_COLS                                                                              \
    "s.id, s.node_id, s.eps_id, s.version, s.rev, s.created_by, s.updated_by, s.published_by,"   \
    " s.created_at, s.updated_at, s.submitted_at, s.published_at, s.code, s.node_path,"           \
    " s.eps_name, s.title, s.theme, s.lang, s.contributors, s.authors_text, s.return_comment,"    \
    " s.indicators, s.status, s.imported"

/* What a writer gives: NULL / has_x false = absent (kept when updating). */
typedef struct {
    const char *label, *value, *unit;
} cap_indicator_t;
typedef struct {
    const char *ref, *crit;
} cap_crit_t;
typedef struct {
    const char *title, *theme, *lang, *contributors;
    const char *text[CAP_NTEXT];
    bool has_indicators, has_authors, has_criteria, has_actions, has_documents;
    cap_indicator_t ind[CAP_IND_MAX];
    size_t n_ind;
    int64_t authors[CAP_AUTHORS_MAX];
    size_t n_authors;
    cap_crit_t crit[CAP_CRITERIA_MAX];
    size_t n_crit;
    int64_t actions[CAP_ACTIONS_MAX];
    size_t n_actions;
    const char *docs[CAP_DOCUMENTS_MAX];
    size_t n_docs;
} cap_input_t;

/* --- capit_model.c --------------------------------------------------------- */
void cap_from_row(arena_t *a, db_res_t *res, sheet_t *out, bool full);
int cap_load(db_t *db, arena_t *a, int64_t id, sheet_t *out); /* 0 or -1 */
/* Indicators as stored (a JSON array), a new reference. */
json_t *cap_indicators_json(const sheet_t *s);
/* Its links, authors: new arrays. */
json_t *cap_criteria_of(db_t *db, int64_t id);   /* [{referentiel, criterion}] */
json_t *cap_ids_of(db_t *db, int64_t id, const char *kind); /* actions: [id] */
json_t *cap_documents_of(db_t *db, int64_t id);  /* [code] */
json_t *cap_authors_of(db_t *db, int64_t id);    /* [{id, name}] by position */

/* Who writes, for the model functions (pages, API, demo, kits). */
typedef struct {
    db_t *db;
    arena_t *a;
    int64_t actor;
    const char *ip;
} cap_ctx_t;
#define CAP_CTX(r) ((cap_ctx_t){(r)->db, (r)->arena, (r)->user ? (r)->user->id : 0, req_ip(r)})

/* Where a new sheet goes and what it is. */
typedef struct {
    int64_t node_id;
    const char *node_path;
    int64_t eps_id;         /* 0 for a sheet imported at the root or an association */
    const char *eps_name;   /* the establishment's name as text */
    const char *code;       /* NULL: a new one */
    int64_t version;        /* 0: 1 */
    bool imported;
    const char *authors_text; /* names, for imported sheets */
    cap_status_t status;
} cap_place_t;

/* Create a sheet (the caller checked who may): row, authors, links, search
 * row and audit, in one transaction; a published one supersedes older
 * published versions of its code and tells its authors. RES_OK with *id_out. */
res_t cap_create(cap_ctx_t *c, const cap_place_t *p, const cap_input_t *in, int64_t *id_out);
/* Change a draft or a sheet in review (rev > 0 must be current: else
 * RES_CONFLICT). in's absent fields are kept. */
res_t cap_update(cap_ctx_t *c, const sheet_t *s, const cap_input_t *in, int64_t rev);
/* The next version of a published sheet as a draft, with in's changes
 * (in may be NULL): RES_CONFLICT with *open_id when a version of the code is
 * already open (draft or review). */
res_t cap_new_version(cap_ctx_t *c, const sheet_t *s, const cap_input_t *in, int64_t *id_out,
                      int64_t *open_id);
/* Move a sheet to `to` (the caller checked the rule): returning to draft
 * keeps comment; publishing supersedes the previous published version and
 * notifies the authors. rev > 0 must be current. */
res_t cap_set_status(cap_ctx_t *c, const sheet_t *s, cap_status_t to, const char *comment,
                     int64_t rev);
/* Attach an uploaded file (drafts and sheets in review). */
res_t cap_attach(cap_ctx_t *c, const sheet_t *s, const http_file_t *f, int64_t *id_out,
                 const char **err_msgid);
/* The search index row of a sheet (search_put / search_drop), inside the
 * caller's transaction. DB_OK or a code. */
int cap_index(db_t *db, arena_t *a, int64_t id);
/* The folded search key of a sheet's list filter. malloc'd. */
char *cap_search_key(const char *title, const char *code, const char *eps_name);
/* Write links and authors of in (those given) for sheet id. DB_OK or a code. */
int cap_write_links(db_t *db, int64_t id, const cap_input_t *in);
/* Indicators of in as stored text (arena). */
const char *cap_indicators_text(arena_t *a, const cap_input_t *in);
/* Files of a sheet with their bytes (kits, new versions, in upload order),
 * in the arena; their count in *n. */
typedef struct {
    const char *filename, *content_type;
    const unsigned char *data;
    size_t len;
} cap_file_t;
cap_file_t *cap_files(db_t *db, arena_t *a, int64_t id, size_t *n);
/* A new unique code (checked against the table). */
const char *cap_new_code(db_t *db, arena_t *a);

/* --- capit_input.c ----------------------------------------------------------- */
/* Read and check what a form or a JSON body gives (every problem into
 * errors, field by field). creating: title, context and lessons required;
 * otherwise each is required only when given. eps_path: the sheet's node
 * (authors must work there). */
void cap_input_read(req_t *r, json_t *errors, cap_input_t *in, bool creating,
                    const char *eps_path, int64_t sheet_id);
/* Known fields of the API bodies. */
extern const char *const cap_api_fields[];
/* The order of the form's fields (error summary top to bottom). */
extern const char *const cap_form_order[];

/* --- capit_access.c -------------------------------------------------------- */
typedef enum { CAP_NONE = 0, CAP_READ, CAP_WRITE, CAP_PUBLISH } cap_access_t;
/* What the reader may do with a sheet of this status at node path. */
cap_access_t cap_access(req_t *r, const char *path, cap_status_t status);
bool cap_may_write_at(req_t *r, const char *path);
bool cap_may_publish_at(req_t *r, const char *path);
int64_t cap_resolve(req_t *r, int64_t id);
int cap_check(req_t *r, int64_t id);
/* The write routes' check: 404 as cap_check, 403 for a reader who may not
 * write the sheet (the weakest right a change needs: publishing is decided
 * by the handler), before the body or an upload is read. */
int cap_check_write(req_t *r, int64_t id);
/* The sheet of the route's {id}, readable (404 sent otherwise) and, with
 * need above CAP_READ, allowed (403 sent). */
sheet_t *cap_of_route(req_t *r, cap_access_t need);
/* EPS where the reader may write sheets: [{id, label, selected}]. */
json_t *cap_writable_eps(req_t *r, int64_t selected);
/* The 409 of a transition that cannot be made, with the allowed statuses. */
void cap_fail_transition(req_t *r, const sheet_t *s);
/* The 409 of a second open version. */
void cap_fail_open_version(req_t *r, int64_t open_id);

/* --- capit_query.c --------------------------------------------------------- */
typedef struct {
    int64_t node_id;
    const char *status, *theme, *lang, *q;
    bool mine;
} cap_filter_t;
void cap_filter_read(req_t *r, json_t *errors, cap_filter_t *f);
sheet_t *cap_query(req_t *r, const cap_filter_t *f, int64_t limit, int64_t offset, size_t *n,
                   int64_t *total);
/* Every version of s's code the reader may read (each decided by its own
 * node and status: a kit may have put versions at different nodes), newest
 * first:
 * [{id, version, status, title, published_at, updated_at}]. */
json_t *cap_versions(req_t *r, const sheet_t *s);
/* The open version (draft or review) of a code, 0 when none. */
int64_t cap_open_version(db_t *db, const char *code);

/* --- capit_views.c ---------------------------------------------------------- */
const char *cap_status_label(req_t *r, cap_status_t s);
const char *cap_status_tone(cap_status_t s);
const char *cap_theme_label(req_t *r, const char *theme);
/* The establishment a sheet tells of, in the reader's language. */
const char *cap_eps_label(req_t *r, const sheet_t *s);
const char *cap_date_text(req_t *r, int64_t t);
/* The home page's section; the roadmap's fact (app_fact_t.eps). */
void cap_home(req_t *r, json_t *sections);
int cap_fact_eps(db_t *db, arena_t *a, const char *scope_path, app_ids_t *out);

/* --- capit_links.c ----------------------------------------------------------- */
/* Are these criteria of the latest published version of their référentiel
 * (or linked to sheet_id already)? */
bool cap_criteria_check(req_t *r, const cap_crit_t *crit, size_t n, int64_t sheet_id);
/* The criteria, actions and documents of a sheet as pages show them. */
json_t *cap_criteria_view(req_t *r, json_t *criteria);
json_t *cap_actions_view(req_t *r, json_t *ids);
json_t *cap_documents_view(req_t *r, json_t *codes);
/* Published criteria to choose from, grouped by référentiel, with the ones
 * of selected checked: [{code, title, open, items: [{value, code, title,
 * checked}]}]. */
json_t *cap_criteria_options(req_t *r, json_t *selected);

/* --- capit_api.c ------------------------------------------------------------- */
json_t *cap_json(req_t *r, const sheet_t *s, bool full);
void cap_api_list(req_t *r);
void cap_api_create(req_t *r);
void cap_api_get(req_t *r);
void cap_api_patch(req_t *r);
void cap_api_status(req_t *r);
void cap_api_versions(req_t *r);
void cap_api_upload(req_t *r);
/* The establishment of a new sheet (404 outside the reader's scope, 422
 * not an establishment, 403 not a writer there: answered, NULL). */
node_t *cap_creation_eps(req_t *r, int64_t node_id, json_t *errors);
/* Answer a model's failure (409 with what is possible, 422 with errors). */
void cap_fail(req_t *r, const sheet_t *s, res_t rc, json_t *errors);

/* --- capit_pages.c ----------------------------------------------------------- */
void cap_page_list(req_t *r);
void cap_page_show(req_t *r);
void cap_page_file(req_t *r);

/* --- capit_form.c ------------------------------------------------------------ */
void cap_page_new(req_t *r);
void cap_page_create(req_t *r);
void cap_page_edit(req_t *r);
void cap_page_update(req_t *r);
void cap_page_status(req_t *r);
void cap_page_upload(req_t *r);

/* --- capit_kit.c ------------------------------------------------------------- */
int cap_kit_export(db_t *db, arena_t *a, const char *scope, app_kit_items_t *out);
int cap_kit_import(app_kit_ctx_t *ctx, const app_kit_item_t *item, app_kit_verdict_t *v);

/* --- capit_demo.c ------------------------------------------------------------ */
int cap_demo(app_demo_t *d);

#endif
