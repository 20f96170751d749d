/* library_internal.h - private to the document library: its records, who
 * may do what, and the handlers named by the routes table in
 * library_module.c.
 *
 * A document belongs to one node: an establishment (its own procedures) or
 * an association or the root (shared ones; the root's are the "national
 * library"). Kind: procedure, protocol, template (modèle), form
 * (formulaire). Status: draft -> approved -> archived (-> draft again).
 * Every upload of a file is a new numbered version (1, 2, 3...); the
 * previous ones stay downloadable. approved_version is the version readers
 * get: an upload to an approved document waits for approval (the approved
 * one stays in force meanwhile); approving takes the latest version.
 *
 * Who may (library_access.c), for a document at node N:
 *  - read an approved document: whoever holds a role at N or below it (the
 *    staff of an EPS read its procedures; everybody reads the root's; an
 *    association's by those working in it) and those reading quality work
 *    over N (quality.read: advisors, observers, inspectors);
 *  - write (create, edit, upload, archive, link criteria), and read drafts
 *    and archived documents: at an EPS its director and quality referent,
 *    and admins and quality advisors over it; at an association or the
 *    root, the admins and quality advisors there or above;
 *  - approve: at an EPS its director, or an admin or quality advisor over
 *    it; elsewhere the admins and quality advisors;
 *  - acknowledge the approved version: whoever works at N or below (a
 *    director, referent or staff role there).
 * Outside every scope: 404; in scope without the right: 403. */
#ifndef JOUDA_LIBRARY_INTERNAL_H
#define JOUDA_LIBRARY_INTERNAL_H

#include "../attach/attach.h"
#include "../audit/audit.h"
#include "../nodes/nodes.h"
#include "../notify/notify.h"
#include "../users/users.h"
#include "library.h"

#define LIB_TITLE_MAX 200
#define LIB_SUMMARY_MAX 4000
#define LIB_NOTE_MAX 1000
#define LIB_CODE_MAX 60
#define LIB_CRITERIA_MAX 50
#define LIB_MAX_PARAMS 80

typedef enum { LIB_DRAFT = 0, LIB_APPROVED, LIB_ARCHIVED } lib_status_t;

extern const char *const lib_kinds[];    /* procedure protocol template form, NULL */
extern const char *const lib_statuses[]; /* draft approved archived, NULL */
const char *lib_status_code(lib_status_t s);
int lib_status_from_code(const char *code); /* -1 when unknown */
bool lib_code_valid(const char *code);      /* [a-z0-9][a-z0-9._-]{0,59} */

typedef struct {
    int64_t id, node_id, owner_id, version, approved_version, rev;
    int64_t approved_by, approved_at, created_by, created_at, updated_at;
    const char *code, *kind, *title_fr, *title_ar, *summary, *node_path, *review_on,
        *review_notified_on;
    lib_status_t status;
} lib_doc_t;

#define LIB_COLS                                                                                  \
    "d.id, d.node_id, d.owner_id, d.version, d.approved_version, d.rev, d.approved_by,"          \
    " d.approved_at, d.created_by, d.created_at, d.updated_at, d.code, d.kind, d.title_fr,"       \
    " d.title_ar, d.summary, d.node_path, d.review_on, d.review_notified_on, d.status"

typedef struct {
    int64_t id, document_id, number, attachment_id, size, created_by, created_at;
    const char *filename, *content_type, *sha256, *note;
} lib_version_t;

typedef struct {
    const char *ref, *code;
} lib_crit_t;

/* --- library_model.c ----------------------------------------------------- */
void lib_from_row(arena_t *a, db_res_t *res, int col, lib_doc_t *out);
int lib_load(db_t *db, arena_t *a, int64_t id, lib_doc_t *out);   /* 0 or -1 */
int lib_load_code(db_t *db, arena_t *a, const char *code, lib_doc_t *out);
/* Versions of a document, oldest first; up to max_number (0: all). */
lib_version_t *lib_versions(db_t *db, arena_t *a, int64_t doc_id, int64_t max_number, size_t *n);
int lib_version_load(db_t *db, arena_t *a, int64_t doc_id, int64_t number, lib_version_t *out);
/* The criteria linked to a document, by référentiel and criterion code. */
lib_crit_t *lib_criteria(db_t *db, arena_t *a, int64_t doc_id, size_t *n);
/* The title in lang (the other one when it is missing). */
const char *lib_title(const lib_doc_t *d, const char *lang);
/* Depth of a stored path: 1 root, 2 association, 3 establishment, 4 unit. */
int lib_path_depth(const char *path);
/* Today in Africa/Casablanca, "YYYY-MM-DD" (arena). */
const char *lib_today(arena_t *a);
bool lib_overdue(const lib_doc_t *d, const char *today);

typedef struct {
    const char *kind, *title_fr, *title_ar, *summary, *review_on, *code;
    int64_t owner_id;
    bool has_kind, has_title_fr, has_title_ar, has_summary, has_review, has_owner;
    lib_crit_t *criteria;
    size_t n_criteria;
    bool has_criteria;
} lib_input_t;

/* Create a draft (code given or generated), audited and indexed;
 * RES_CONFLICT when the code is taken (by a creation racing the caller's
 * check). */
res_t lib_create(db_t *db, arena_t *a, int64_t actor, const char *ip, int64_t node_id,
                 const char *node_path, const lib_input_t *in, int64_t *id_out);
/* Change what in says (has_*), rev > 0 checked (409 when stale). */
res_t lib_update(db_t *db, arena_t *a, int64_t actor, const char *ip, const lib_doc_t *d,
                 const lib_input_t *in, int64_t rev);
/* The statuses d may go to, and whether approve (an approved document's
 * newer version) is possible: codes into out (at most 3). */
size_t lib_transitions(const lib_doc_t *d, const char **out);
/* Change the status (to approved: the latest version). RES_CONFLICT when
 * the move is impossible or rev (> 0) is stale. */
res_t lib_set_status(db_t *db, arena_t *a, int64_t actor, const char *ip, const lib_doc_t *d,
                     lib_status_t to, int64_t rev);
/* Store file as the next version (number: 0 for version + 1, or the
 * number to give: kits), with its note; approve: make it the approved
 * version at once. RES_INVALID with *err_msgid (the attach module's
 * checks), RES_CONFLICT for an archived document or a stale rev. */
res_t lib_add_version(db_t *db, arena_t *a, int64_t actor, const char *ip, const lib_doc_t *d,
                      const http_file_t *file, const char *note, int64_t number, bool approve,
                      int64_t rev, int64_t *number_out, const char **err_msgid);
/* Record that actor read the approved version; *created false when done before. */
res_t lib_acknowledge(db_t *db, int64_t actor, const char *ip, const lib_doc_t *d, bool *created);
/* Link or unlink a criterion (audited, rev raised). */
res_t lib_link(db_t *db, int64_t actor, const char *ip, const lib_doc_t *d, const lib_crit_t *c,
               bool add);
/* Put the document's rows in the search index (inside the caller's transaction). */
int lib_index(db_t *db, arena_t *a, int64_t id);
/* Insert the acknowledgement of user at version without audit (demo). */
int lib_ack_raw(db_t *db, int64_t doc_id, int64_t version, int64_t user_id, int64_t at);

/* --- library_access.c ---------------------------------------------------- */
typedef enum { LIB_NONE = 0, LIB_READ, LIB_WRITE, LIB_APPROVE } lib_access_t;
lib_access_t lib_access(req_t *r, const char *node_path);
/* May the reader see d with access a? (drafts and archived: writers) */
bool lib_visible(lib_access_t a, const lib_doc_t *d);
/* Does the reader work at the node of path or below it (may acknowledge)? */
bool lib_works_within(req_t *r, const char *path);
int64_t lib_resolve(req_t *r, int64_t id);
int lib_check(req_t *r, int64_t id);
/* The write routes' check: as lib_check, and 403 for a reader who may not
 * change the document (the weakest right a change needs: approving is
 * decided by the handler), before the body or an upload is read. */
int lib_check_write(req_t *r, int64_t id);
/* The check of POST /documents (an upload, no id): 403 for whoever writes
 * documents nowhere (no admin or advisor role, no director or referent
 * role at an establishment). */
int lib_check_create(req_t *r, int64_t id);
/* The document of the route's {id}, visible to the reader (404 sent
 * otherwise), and with need (403 sent). */
lib_doc_t *lib_of_route(req_t *r, lib_access_t need);
/* Appends "(cond)" selecting the documents d the reader may see. */
void lib_scope_sql(req_t *r, buf_t *sql, db_param_t *p, int *np, int max);
/* Appends "d.node_path IN (...)" of the nodes where the reader works and
 * their ancestors (what they are asked to read); "(1=0)" when none. */
void lib_work_paths_sql(req_t *r, const char *col, buf_t *sql, db_param_t *p, int *np, int max);
/* Nodes where the reader may create a document: [{id, label, selected}]. */
json_t *lib_creatable_nodes(req_t *r, int64_t selected);
/* The people who may own a document at path: [{id, name}] (the workers of
 * an EPS; the admins and advisors of an association or the root). */
json_t *lib_owner_options(req_t *r, const char *path);
bool lib_owner_ok(req_t *r, const char *path, int64_t user_id);

/* --- library_query.c ----------------------------------------------------- */
typedef struct {
    const char *kind, *status, *q;
    int64_t node_id;
    bool to_read, overdue;
} lib_filter_t;
void lib_filter_read(req_t *r, json_t *errors, lib_filter_t *f);
lib_doc_t *lib_query(req_t *r, const lib_filter_t *f, int64_t limit, int64_t offset, size_t *n,
                     int64_t *total);
/* The reader's acknowledgement of version (0 when none: at). */
int64_t lib_acked_at(db_t *db, int64_t doc_id, int64_t version, int64_t user_id);
/* Who has read the approved version among the people working at eps_path:
 * {read: [{id, name, at_h}], unread: [{id, name}], n_read, n_unread}. */
json_t *lib_readers(req_t *r, const lib_doc_t *d, const char *eps_path);
int64_t lib_ack_count(db_t *db, int64_t doc_id, int64_t version);
/* Criteria of d with their titles: [{ref, code, title, ref_title}]. */
json_t *lib_criteria_json(req_t *r, const lib_doc_t *d);
/* The published criteria, grouped: [{ref, title, criteria: [{value, label}]}]. */
json_t *lib_criterion_options(req_t *r);
/* Is (ref, code) a criterion of the latest published version of ref? */
bool lib_criterion_exists(req_t *r, const char *ref, const char *code);

/* --- library_api.c ------------------------------------------------------- */
json_t *lib_json(req_t *r, const lib_doc_t *d, lib_access_t a, bool full);
json_t *lib_version_json(req_t *r, const lib_doc_t *d, const lib_version_t *v);
/* Read the metadata fields of a form or a JSON body. */
void lib_input_read(req_t *r, json_t *errors, lib_input_t *in, bool creating);
/* Node for a new document: NULL when answered (404/403/422). */
node_t *lib_creation_node(req_t *r, int64_t node_id, json_t *errors);
void lib_api_list(req_t *r);
void lib_api_create(req_t *r);
void lib_api_get(req_t *r);
void lib_api_patch(req_t *r);
void lib_api_status(req_t *r);
void lib_api_versions(req_t *r);
void lib_api_upload(req_t *r);
void lib_api_version_file(req_t *r);
void lib_api_ack(req_t *r);
/* The 409 of an impossible move, with the statuses allowed. */
void lib_fail_transition(req_t *r, const lib_doc_t *d, const char *msgid);
/* A status change asked by a page or the API (fields status, rev): 422,
 * 403, 409 answered here; true when done. */
bool lib_status_change(req_t *r, lib_doc_t *d);
/* An upload asked by a page or the API (fields file, note, rev, approve):
 * RES_INVALID with errors (*too_large for a file over the limit),
 * RES_CONFLICT (archived or stale), RES_OK with *number. */
res_t lib_upload_request(req_t *r, lib_doc_t *d, json_t *errors, int64_t *number,
                         const char **msgid, bool *too_large);
/* The file of version ids[1] when the reader may have it (404 otherwise). */
void lib_send_version(req_t *r, lib_doc_t *d);
/* An acknowledgement asked by a page or the API: 409 or 403 answered here;
 * *created tells a new one. */
bool lib_ack_request(req_t *r, lib_doc_t *d, bool *created);
/* The 409s of a stale rev and of an archived document. */
void lib_fail_stale(req_t *r, const lib_doc_t *d);
void lib_fail_archived(req_t *r);

/* --- library_pages.c ----------------------------------------------------- */
const char *lib_day_text(arena_t *a, const char *iso);
const char *lib_kind_label(req_t *r, const char *kind);
const char *lib_status_label(req_t *r, lib_status_t s);
const char *lib_user_name(req_t *r, int64_t id);
json_t *lib_card(req_t *r, const lib_doc_t *d, const char *today);
/* The model of a document's page; errors (stolen, may be NULL) of its
 * upload form. */
json_t *lib_show_model(req_t *r, const lib_doc_t *d, json_t *errors);
void lib_page_list(req_t *r);
void lib_page_show(req_t *r);
void lib_page_file(req_t *r);

/* --- library_forms.c ----------------------------------------------------- */
void lib_page_new(req_t *r);
void lib_page_create(req_t *r);
void lib_page_edit(req_t *r);
void lib_page_update(req_t *r);
void lib_page_status(req_t *r);
void lib_page_upload(req_t *r);
void lib_page_ack(req_t *r);
void lib_page_link(req_t *r);
void lib_page_unlink(req_t *r);

/* --- library_views.c ----------------------------------------------------- */
void lib_home(req_t *r, json_t *sections);
void lib_node_sections(req_t *r, int64_t node_id, const char *path, json_t *sections);
int lib_daily(db_t *db, const char *day, int64_t now);
const char *lib_describe(req_t *r, int64_t id, const char **href);
const char *lib_version_describe(req_t *r, int64_t id, const char **href);

/* --- library_kit.c ------------------------------------------------------- */
extern const app_kit_part_t lib_kit_parts[];
extern const size_t lib_n_kit_parts;

/* --- library_demo.c ------------------------------------------------------ */
int lib_demo(app_demo_t *d);

#endif
