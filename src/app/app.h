/* app.h - the application layer: start-up, the request pipeline (route ->
 * authenticate -> resolve -> authorize -> body checks -> CSRF -> handler),
 * and what every handler uses to answer: one model (json_t), two views
 * (HTML page through a template, or JSON for /api/). */
#ifndef JOUDA_APP_H
#define JOUDA_APP_H

#include "../auth/auth.h"
#include "../auth/authz.h"
#include "../db/db.h"
#include "../http/http.h"
#include "../i18n/i18n.h"
#include "../tpl/tpl.h"

typedef struct {
    const char *db_url;
    const char *share_dir;   /* holds templates/, static/, locale/ (compiled .mo) */
    tpl_set_t *tpl;
    bool strict_templates;   /* JOUDA_STRICT_TEMPLATES=1: undefined names fail (tests) */
} app_t;
extern app_t g_app;

/* Load catalogues, templates and static assets; open the database and migrate
 * it (every module's migrations). 0 or -1 with err. */
int app_init(const char *db_url, char *err, size_t errlen);
/* Only open + migrate (command line). Returns the connection or NULL. */
db_t *app_open_db(const char *db_url, char *err, size_t errlen);
void app_shutdown(void);
/* The core migrations (versions 1-9): SQL functions every module may use on
 * both engines, e.g. instr(text, text) on PostgreSQL. */
extern const db_migration_t app_migrations[];
extern const size_t app_migrations_count;
db_t *app_thread_db(void);   /* this thread's connection, opened on first use */

/* The pipeline, given to the HTTP server. */
bool app_prepare(req_t *r);
void app_handle(req_t *r);
/* Errors raised by the HTTP layer itself (413, 400 on a malformed body). */
void app_http_error(req_t *r, int status);

/* --- Answering ---------------------------------------------------------- */
/* Translate in the request's language. */
const char *T(req_t *r, const char *msgid);
/* Plural: the form of one/many that fits n in the request's language. */
const char *TN(req_t *r, const char *one, const char *many, unsigned long n);
/* Render page template `tpl` (e.g. "org/node_list") inside "layout" with
 * model; adds lang, dir, me, nav, csrf, unread, flash, css/js urls, path,
 * and empty errors / error_summary / values when the handler set none.
 * Steals model. Without a `title` the page is titled "Jouda". */
void page_render(req_t *r, int status, const char *tpl, json_t *model);
/* JSON response; steals obj. */
void api_send(req_t *r, int status, json_t *obj);
/* An error: for /api/ the JSON error object {"error":{code,message,fields}},
 * for pages an error page (or the login redirect for 401). fields: object
 * field -> msgid (translated here), may be NULL; stolen. */
void respond_error(req_t *r, int status, const char *code, const char *msgid, json_t *fields);
/* After a successful POST from a page: 303 to location, with a one-time
 * message (a msgid, never user data) shown on the next page. */
void page_redirect_flash(req_t *r, const char *location, const char *flash_msgid);

/* --- Authorization for handlers ---------------------------------------- */
/* Decide perm on node_id for r->user (loads the ancestry). */
authz_result_t app_authorize(req_t *r, perm_t perm, int64_t node_id);
/* Same, and on refusal sets the 404/403 response: returns false then. */
bool app_require(req_t *r, perm_t perm, int64_t node_id);
/* Every list query filters by scope before paging: appends
 * "(instr(<path_col>, ?) > 0 OR ...)" with "/<node id>/" for each live
 * assignment of the user whose role grants perm (or "(1=0)" when none). */
void app_scope_sql(req_t *r, perm_t perm, const char *path_col, buf_t *sql, db_param_t *params,
                   int *nparams, int maxparams);
/* Roles of the user that grant perm somewhere (for menus). */
bool app_user_can_anywhere(req_t *r, perm_t perm);

/* --- Input -------------------------------------------------------------- */
/* A value from the form (pages) or the JSON body (API), as text. For JSON,
 * integers are formatted; other types set *bad_type. A form value holding a
 * NUL byte sets *bad_type too. NULL when absent. */
const char *input_str(req_t *r, const char *field, bool *bad_type);
/* Validation into an errors object (field -> msgid). Each returns the
 * trimmed value (arena) or NULL, adding an error when required and empty,
 * longer than max characters, invalid UTF-8 or containing control chars
 * (line breaks and tabs included: these are one-line fields). */
const char *v_text(req_t *r, json_t *errors, const char *field, bool required, size_t max_chars);
/* Integer in [min,max]; when absent returns dflt with no error unless required. */
int64_t v_int(req_t *r, json_t *errors, const char *field, bool required, int64_t min, int64_t max,
              int64_t dflt);
/* One of the codes in list (NULL-terminated). */
const char *v_code(req_t *r, json_t *errors, const char *field, bool required,
                   const char *const *list);
/* Email: basic shape, <= 254. */
const char *v_email(req_t *r, json_t *errors, const char *field, bool required);
/* Paging from ?limit=&offset= (default 50, max 200); 422 on bad values is set in errors. */
void v_paging(req_t *r, json_t *errors, int64_t *limit, int64_t *offset);
/* Say what to do rather than "This field is required.": when the error of
 * field is that generic one, replace it by msgid ("Enter the person's name."). */
void v_required_message(json_t *errors, const char *field, const char *msgid);
/* Fields present in the body that the handler does not know -> errors (API). */
void v_unknown_fields(req_t *r, json_t *errors, const char *const *known);
/* Adds the translated form errors to a page model: "errors" {field: text},
 * "error_summary" [{field, message}], and "values" (what the user typed). */
void model_form_errors(req_t *r, json_t *model, json_t *errors);

/* The API writes times as ISO 8601 UTC strings: replace the integer (epoch)
 * members named in keys (NULL-terminated) of obj, or of every object of an
 * array obj, by such strings; 0 and null become null. */
void api_times_iso(json_t *obj, const char *const *keys);

/* Client IP for audit rows. */
const char *req_ip(req_t *r);

#endif
