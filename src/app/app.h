/* app.h - the application framework: the request as the application sees it
 * (who is signed in, the route, the node concerned, the language), the
 * module seam, the pipeline (route -> authenticate -> resolve -> authorize ->
 * body checks -> CSRF -> handler) and what every handler uses to answer: one
 * model (json_t), two views (an HTML page through a template, or JSON for
 * /api/). The framework knows no module by name: modules describe themselves
 * in a module_t, and the program's composition root hands the list over
 * (app_use_modules). */
#ifndef JOUDA_APP_H
#define JOUDA_APP_H

#include "../auth/auth.h"
#include "../auth/authz.h"
#include "../core/result.h"
#include "../db/db.h"
#include "../http/http.h"
#include "../i18n/i18n.h"
#include "../tpl/tpl.h"

/* --- The request ------------------------------------------------------- */

typedef struct req req_t;

/* Handler: builds the response through page_render / api_send / app_fail. */
typedef void (*handler_fn)(req_t *r);
/* Resolver: the node an object id belongs to; 0 when the object does not
 * exist. Runs before authorization, so it reads nothing but the owning node. */
typedef int64_t (*resolve_fn)(req_t *r, int64_t id);

enum {
    ROUTE_JSON = 1u << 0,   /* body must be application/json (API writes) */
    ROUTE_FORM = 1u << 1,   /* body must be urlencoded or multipart (page posts) */
    ROUTE_UPLOAD = 1u << 2, /* multipart with files allowed up to the upload limit */
    ROUTE_SLOW = 1u << 3,   /* run the handler in the worker pool (password hashing, exports) */
    ROUTE_NO_CSRF = 1u << 4,/* the handler checks its own token (login, before a session exists) */
    ROUTE_CSV = 1u << 5,    /* the body may also be text/csv, kept raw (imports) */
    ROUTE_ZIP = 1u << 6,    /* the body may also be application/zip, kept raw (kits) */
};

typedef struct route {
    const char *method;  /* "GET" "POST" "PATCH" "PUT" "DELETE" */
    const char *pattern; /* "/api/v1/nodes/{id}" (http_path_match) */
    perm_t perm;
    resolve_fn resolve;  /* for {id}: id -> node; NULL when the route takes no id */
    handler_fn handler;
    unsigned flags;
    /* For things whose readers are not only those of their node's scope (an
     * action's owner working at a unit of its EPS): the thing's own rule,
     * run after resolve instead of perm's decision; 0 to go on, 404 or 403.
     * On a route without an id it runs after perm's decision (id 0): a finer
     * rule decided before the body is read. */
    int (*check)(req_t *r, int64_t id);
} route_t;

/* The signed-in user with their live roles (loaded by the users module's
 * hook on every request). */
typedef struct {
    int64_t id;
    const char *name;
    const char *username;
    const char *email;
    const char *language;
    int64_t home_node_id;
    role_assignment_t *roles;
    int n_roles;
} app_user_t;

typedef enum { AUTH_NONE = 0, AUTH_SESSION, AUTH_BEARER } auth_kind_t;

struct req {
    http_req_t *http;       /* the protocol side: headers, body, response */
    arena_t *arena;         /* = http->arena: dies with the request */
    db_t *db;               /* this thread's connection */
    const char *method;     /* as sent ("HEAD" stays "HEAD") */
    const char *path;
    bool is_api;            /* path under /api/ */
    json_t *json;           /* the parsed JSON body, NULL for forms */

    const route_t *route;
    int64_t ids[2];         /* {id} and {id2} of the path */
    int64_t node_id;        /* resolved node of {id}, 0 when none */
    int64_t *node_path;     /* its ancestry, root first */
    int n_node_path;

    app_user_t *user;       /* NULL when not authenticated */
    auth_kind_t auth;
    const char *session_hash;   /* hex; NULL without a session */
    const char *csrf_secret;    /* session (or pre-session) CSRF secret */
    const char *lang;       /* "fr" | "ar" | "en" */
    struct app_name_cache *names; /* app_entity_name's answers, for this request */
    /* A refusal that says what to do (app_deny): its code, message and the
     * page that lifts it, used by the next 403 answered for this request. */
    const char *deny_code, *deny_msgid, *deny_href, *deny_link;
};

/* --- The module seam ----------------------------------------------------- */

/* An entry of the main menu, shown to whoever holds perm somewhere. */
typedef struct {
    const char *label;  /* msgid */
    const char *path;
    perm_t perm;
    int order;          /* ascending; "Home" is 0 */
    /* Optional finer rule: shown only when it answers true (a page for
     * administrators and quality advisors alone). */
    bool (*visible)(req_t *r);
} app_menu_t;

/* A counter in the header (unread notifications): shown when count > 0. */
typedef struct {
    const char *href;
    const char *label;  /* msgid, also the link's accessible name */
    const char *short_label; /* msgid, the word under the icon on a phone */
    const char *icon;   /* "bell" */
    int64_t (*count)(req_t *r);
} app_badge_t;

/* How the audit log and notifications show a value of a field. */
typedef enum {
    FIELD_TEXT = 0, /* as written */
    FIELD_CODE,     /* a code, shown through the catalogue as "<arg>.<code>" */
    FIELD_REF,      /* an id of the entity named by arg, shown by its name with a link */
    FIELD_BOOL,     /* yes / no */
    FIELD_TIME,     /* UTC seconds, shown as a local date and time */
    FIELD_NUMBER,   /* an integer, shown with the locale's digits */
    FIELD_LANG,     /* fr / ar / en, shown as the language's own name */
    FIELD_SECRET,   /* never shown: only that it changed */
} field_kind_t;

typedef struct {
    const char *name;   /* as in the stored changes ("category") */
    const char *label;  /* msgid ("Category") */
    field_kind_t kind;
    const char *arg;    /* FIELD_CODE: the code prefix; FIELD_REF: the entity code */
} app_field_t;

/* A kind of thing a module owns, as audit rows and notifications name it. */
typedef struct {
    const char *code;   /* "node", as stored in audit rows */
    const char *label;  /* msgid of the kind ("Establishment or unit") */
    /* Name of the thing in the reader's language, NULL when it does not exist
     * or the reader may not know it; *href (may be NULL) its page when the
     * reader may open it. */
    const char *(*describe)(req_t *r, int64_t id, const char **href);
    const app_field_t *fields; /* its fields, ended by {NULL} */
    /* Optional: ids of the things whose name matches the text q (folded
     * search), at most max, among those the reader may know. */
    size_t (*find)(req_t *r, const char *q, int64_t *ids, size_t max);
} app_entity_t;

/* What `jouda demo` asks of each module, in the order of the list: add
 * its believable data (looking up what exists first: running it again
 * changes nothing), at the small scale (two associations) or the national
 * one (60 associations, 1,100 EPS). */
typedef enum { DEMO_SMALL = 0, DEMO_NATIONAL } demo_scale_t;
typedef struct {
    const char *what;   /* "places", "accounts"... */
    int created, existing;
} app_demo_count_t;
typedef struct {
    db_t *db;
    demo_scale_t scale;
    const char *password;      /* of every demo account */
    const char *password_hash; /* its hash, computed once */
    app_demo_count_t counts[16];
    int n_counts;
} app_demo_t;
/* Count one thing created (or found already there) under the label what. */
void app_demo_count(app_demo_t *d, const char *what, bool created);

/* Something that happened in one module that others may act on, inside the
 * writer's transaction ("proposal_accepted": a self-assessment's gap kept
 * for the improvement plan). */
typedef struct {
    const char *name;
    int64_t id;         /* the thing concerned */
    int64_t actor;
    const char *ip;
    /* What the receivers need to know of the thing, so that they never read
     * the sender's tables (may be NULL; borrowed). */
    const json_t *data;
    int64_t created;    /* out: the id of what a module created in answer, 0 when none */
} app_event_t;

/* A column holding text sealed at rest (seal.h): `jouda key rotate` opens
 * each value with the old key and seals it again with the new one. key is
 * the table's key column ("id"). */
typedef struct {
    const char *table, *key, *column;
} app_sealed_t;

/* Ids of things, grown in an arena (VEC_PUSH). */
typedef VEC(int64_t) app_ids_t;

/* A fact about establishments that a module's data proves ("a validated
 * self-assessment campaign exists"): the methodology roadmap marks the steps
 * such facts prove, without reading the module's tables. */
typedef struct {
    const char *code;   /* "campaign_validated", unique across modules */
    const char *label;  /* msgid naming the fact ("A validated self-assessment exists") */
    /* Appends to out the ids of the establishments under scope_path (a stored
     * path; the root's for the whole country) for which the fact holds, each
     * once, ascending. One query, whatever the number of establishments.
     * DB_OK or a code. */
    int (*eps)(db_t *db, arena_t *a, const char *scope_path, app_ids_t *out);
} app_fact_t;

/* --- Transfer kits (the kit module carries them; modules give their parts) --
 * A kit is a zip of items. An item is one JSON document (its module's own
 * exchange form) and optional files beside it (a document's bytes); items
 * are matched by (type, code, version), never by a database id. */
typedef struct {
    const char *name;   /* a plain file name: [A-Za-z0-9._-]{1,100}, no leading dot */
    const unsigned char *data;
    size_t len;
} app_kit_file_t;

typedef struct {
    const char *type;   /* the part's type: "referentiel", "project_template", "sheet", "document" */
    const char *code;   /* lower case [a-z0-9._-]{1,60} */
    int64_t version;    /* >= 1 */
    const char *title;  /* for the manifest and the preview (French, else any) */
    const char *lang;   /* "fr" | "ar" | "" (both) */
    json_t *doc;        /* the item's JSON document; export: owned by the arena (arena_defer) */
    app_kit_file_t *files;
    size_t n_files;
} app_kit_item_t;

typedef VEC(app_kit_item_t) app_kit_items_t;

/* What importing one item does, or would do (dry run). */
typedef enum {
    KIT_CREATE = 0, /* absent here: created */
    KIT_UPDATE,     /* here with other contents, and may change: updated */
    KIT_SAME,       /* here with the same contents: nothing */
    KIT_SKIP,       /* here with other contents that may not change (a published version): kept as it is */
    KIT_INVALID,    /* refused: the document is not valid (msgid says why) */
} app_kit_action_t;

typedef struct {
    db_t *db;
    arena_t *a;
    int64_t actor;
    const char *ip;
    int64_t node_id;        /* where imported sheets and documents go (the root, or an association) */
    const char *node_path;
    bool apply;             /* false: decide only (dry run), write nothing */
} app_kit_ctx_t;

typedef struct {
    app_kit_action_t action;
    const char *msgid;      /* why, for KIT_SKIP and KIT_INVALID (may be NULL) */
    const char *arg;        /* fills a "%s" of msgid (may be NULL) */
    int64_t id;             /* the thing created or updated (apply), 0 otherwise */
} app_kit_verdict_t;

typedef struct {
    const char *type;       /* as in app_kit_item_t.type */
    const char *label;      /* msgid of the kind, plural ("Référentiels") */
    /* Appends every item of this type the instance shares (published,
     * approved, templates...) to out, in a stable order (code, version),
     * placed within the subtree of scope_path (the stored path of the node
     * whose content is exported: the root's for the whole instance) or at
     * one of its ancestors (the root's or an association's shared items):
     * an association's kit never carries another association's items.
     * Never personal data, accounts, e-mail addresses, incidents or scores.
     * DB_OK or a code. */
    int (*export)(db_t *db, arena_t *a, const char *scope_path, app_kit_items_t *out);
    /* Decides (and with ctx->apply, does, audited, inside the caller's
     * transaction) what importing item means here; an item whose code is
     * placed here outside ctx->node_path's subtree is never changed
     * (KIT_SKIP, unless the same: KIT_SAME). DB_OK with *v filled
     * (KIT_INVALID too), or a code on a database error. */
    int (*import)(app_kit_ctx_t *ctx, const app_kit_item_t *item, app_kit_verdict_t *v);
} app_kit_part_t;

typedef struct module {
    const char *name;
    const db_migration_t *migrations;
    size_t n_migrations;
    const route_t *routes;
    size_t n_routes;
    const app_menu_t *menu;
    size_t n_menu;
    /* The module's part of the home page: appends sections
     * {"partial": "<template>", "order": n, ...its model...} to sections. */
    void (*home)(req_t *r, json_t *sections);
    /* Its part of a node's page (documents, staff...): sections as for home.
     * path is the node's stored path. */
    void (*node_sections)(req_t *r, int64_t node_id, const char *path, json_t *sections);
    /* Figures about nodes for the tables and cards that list them (accounts,
     * later scores, overdue actions): for each of ids (ascending) appends
     * {"key", "label" (translated), "value"} to the array out[i]; counts only
     * what the reader may see. */
    void (*node_figures)(req_t *r, const int64_t *ids, size_t n, json_t *const *out);
    /* The next moment after now when its figures change with time alone (a
     * role ends, a deadline passes), 0 when none: how long a cached view
     * holding them stays true (app_cache_*). */
    int64_t (*figures_until)(db_t *db, int64_t now);
    const app_badge_t *badge;
    /* Its entities and the audit actions it writes (codes, for the filters;
     * each has its msgid "audit_action.<code>" in the catalogues). */
    const app_entity_t *entities;
    size_t n_entities;
    const char *const *audit_actions; /* NULL-terminated, may be NULL */
    /* After the migrations, at every start (fill computed columns...). */
    int (*start)(db_t *db);
    /* Demo data: DB_OK or a code. */
    int (*demo)(app_demo_t *d);
    /* Acts on another module's event, inside its transaction: DB_OK, or a
     * code that fails the writer's change. */
    int (*on_event)(db_t *db, app_event_t *ev);
    /* What it holds about the items of another module's object (the actions
     * born of a campaign's criteria): for the object of entity code `entity`
     * and id, adds to out {item code: [{label, href, status, status_label}]},
     * only what the reader may see. */
    void (*item_links)(req_t *r, const char *entity, int64_t id, json_t *out);
    /* Once a day across every app server (app_run_daily): reminders, overdue
     * marks. day is today in Africa/Casablanca, "YYYY-MM-DD". DB_OK or a code. */
    int (*daily)(db_t *db, const char *day, int64_t now);
    /* Its columns sealed at rest (for key rotation). */
    const app_sealed_t *sealed;
    size_t n_sealed;
    /* Facts about establishments its data proves (the roadmap's evidence). */
    const app_fact_t *facts;
    size_t n_facts;
    /* What it carries in a transfer kit. */
    const app_kit_part_t *kit_parts;
    size_t n_kit_parts;

    /* Hooks the framework needs from exactly one module. */
    app_user_t *(*load_user)(db_t *db, arena_t *a, int64_t user_id);
    /* A node's ancestry (root first, itself last) and its kind. 0 or -1. */
    int (*ancestry)(db_t *db, arena_t *a, int64_t node_id, int64_t **path, int *n,
                    node_kind_t *kind);
} module_t;

/* The composition root gives the modules, in order, before anything else. */
void app_use_modules(const module_t *const *modules, size_t n);
size_t app_module_count(void);
const module_t *app_module(size_t i);
/* The entity registered under code, NULL when none. */
const app_entity_t *app_entity(const char *code);
/* The stored path of a node ("/1/4/9/", through the ancestry hook),
 * malloc'd; NULL when the node does not exist. */
char *app_node_path(db_t *db, int64_t node_id);
/* The stored path of an ancestry (ids root first): {1,4,9} -> "/1/4/9/", in the arena. */
const char *app_path_text(arena_t *a, const int64_t *ids, int n);
/* Name and page of one thing (app_entity_t.describe), NULL when unknown. */
const char *app_entity_name(req_t *r, const char *entity, int64_t id, const char **href);
/* Ids of the things of an entity whose name matches q (app_entity_t.find);
 * 0 when none or when the entity cannot be searched. */
size_t app_entity_find(req_t *r, const char *entity, const char *q, int64_t *ids, size_t max);

/* j, released (json_decref) when the arena is freed: a JSON value that lives
 * as long as the request or the work at hand. Returns j. */
json_t *app_arena_json(arena_t *a, json_t *j);

/* The usual body of an app_fact_t's eps function: runs sql, whose two
 * placeholders are the bounds of the subtree of scope_path ("col >= ? AND
 * col < ?"), and appends the id of its first column of each row to out.
 * DB_OK or a code. */
int app_fact_query(db_t *db, arena_t *a, const char *sql, const char *scope_path, app_ids_t *out);

/* The fact registered under code (every module's facts), NULL when none. */
const app_fact_t *app_fact(const char *code);
/* The kit part of type, NULL when none; every part in module order. */
const app_kit_part_t *app_kit_part(const char *type);
size_t app_kit_part_count(void);
const app_kit_part_t *app_kit_part_at(size_t i);

/* Tell every module of an event (app_event_t). DB_OK or the first failure. */
int app_emit(db_t *db, app_event_t *ev);
/* Every module's links to the items of an object ({code: [links]}), a new object. */
json_t *app_item_links(req_t *r, const char *entity, int64_t id);
/* The daily work of every module (daily hooks), once per day whatever the
 * number of servers: the first to record today's run in daily_runs does it.
 * force: run again even if today's run is recorded. 1 ran, 0 already done
 * today, -1 on error. */
int app_run_daily(db_t *db, int64_t now, bool force);
/* jouda serve: a thread running app_run_daily at start and then every few
 * minutes (it does the work once a day); stopped before the connections close. */
void app_daily_start(void);
void app_daily_stop(void);

/* Every module's sections for the home page, or for a node's page, sorted
 * by their "order" (a new array). */
json_t *app_home_sections(req_t *r);
json_t *app_node_sections(req_t *r, int64_t node_id, const char *path);
/* A figure as node_figures hooks give it: {key, label (the column's head),
 * value, value_h (written for the language), one, many (the msgids of its
 * noun), text ("12 user accounts")}. */
json_t *app_figure(req_t *r, const char *key, const char *label, const char *one,
                   const char *many, int64_t value);
/* Every module's figures for nodes ids (ascending): an array of n arrays. */
json_t *app_node_figures(req_t *r, const int64_t *ids, size_t n);
/* Until when every module's figures stay true by time (figures_until),
 * at most APP_CACHE_MAX_S from now. */
int64_t app_figures_until(db_t *db, int64_t now);

/* --- Cached views (cache.c) ------------------------------------------------
 * For views too costly to compute at every request (a national reader's
 * figures). The database keeps one counter, data_version, that triggers on
 * the tables those views read raise at every write (APP_DATA_VERSION_*, in
 * each module's migrations); a value is served while the counter is the one
 * read before computing it, and until its end of validity. Read the version
 * first, then the data. */
#define APP_CACHE_MAX_S 600
int64_t app_data_version(db_t *db);          /* -1 on error: nothing cached */
/* A copy of the value stored under key for this version, still valid;
 * NULL otherwise. The caller owns the copy. */
json_t *app_cache_get(const char *key, int64_t version);
/* Keep a copy of value under key until the epoch second until. */
void app_cache_put(const char *key, int64_t version, int64_t until, const json_t *value);
void app_cache_clear(void);
/* What a view shown to this reader depends on besides the data: the
 * language and the live roles (role@node). */
const char *app_reader_key(req_t *r, int64_t now);

/* The triggers raising data_version at every write to table, for a module's
 * migration; cols: "" for every update, " OF a, b" for updates of these
 * columns only (not of a last sign-in time). */
#define APP_DATA_VERSION_BUMP "UPDATE data_version SET version = version + 1 WHERE id = 1"
#define APP_DATA_VERSION_SQLITE(table, cols)                                                        \
    "CREATE TRIGGER " table "_dv_insert AFTER INSERT ON " table " BEGIN " APP_DATA_VERSION_BUMP     \
    "; END;\n"                                                                                      \
    "CREATE TRIGGER " table "_dv_delete AFTER DELETE ON " table " BEGIN " APP_DATA_VERSION_BUMP     \
    "; END;\n"                                                                                      \
    "CREATE TRIGGER " table "_dv_update AFTER UPDATE" cols " ON " table " BEGIN "                   \
    APP_DATA_VERSION_BUMP "; END;\n"
#define APP_DATA_VERSION_PG(table, cols)                                                            \
    "CREATE TRIGGER " table "_dv AFTER INSERT OR DELETE OR UPDATE" cols " ON " table                \
    " FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();\n"

/* --- Start-up ------------------------------------------------------------ */

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
/* Only open + migrate + start hooks (command line). The connection or NULL. */
db_t *app_open_db(const char *db_url, char *err, size_t errlen);
void app_shutdown(void);
/* The core migrations (versions 1-9): what every module may use on both engines. */
extern const db_migration_t app_migrations[];
extern const size_t app_migrations_count;
db_t *app_thread_db(void);   /* this thread's connection, opened on first use */
/* ANALYZE: planner statistics after migrations and bulk loads. */
int app_analyze(db_t *db);

/* The pipeline, given to the HTTP server. */
bool app_prepare(http_req_t *h);
void app_handle(http_req_t *h);
/* Errors raised by the HTTP layer itself (413, 400 on a malformed body). */
void app_http_error(http_req_t *h, int status);

/* --- Answering ---------------------------------------------------------- */
/* Translate in the request's language. */
const char *T(req_t *r, const char *msgid);
/* Plural: the form of one/many that fits n in the request's language. */
const char *TN(req_t *r, const char *one, const char *many, unsigned long n);
/* A translated text with its "%d" filled by n (and the next by m). */
const char *TF(req_t *r, const char *msgid, long long n, long long m);
/* A number written for the request's language: Western digits everywhere,
 * as Moroccan forms write them; from 10 000 grouped by three, with narrow
 * no-break spaces in French, commas in English, no grouping in Arabic. */
const char *app_number(req_t *r, long long n);
/* Render page template `tpl` (e.g. "nodes/list") inside "layout" with
 * model; adds lang, dir, me, nav, csrf, badges, flash, css/js urls, path,
 * and empty errors / error_summary / values when the handler set none.
 * Steals model. Without a `title` the page is titled "Jouda". */
void page_render(req_t *r, int status, const char *tpl, json_t *model);
/* A file as the answer (exports built in a private temporary file): sent
 * from the descriptor fd (closed after), from its start, with its type and
 * Content-Disposition: attachment; filename="<filename>". A descriptor that
 * cannot be read (or -1) is a 500. */
void app_send_fd(req_t *r, int fd, const char *type, const char *filename);
/* A document built in memory (a PDF) as the answer, shown in the browser
 * (Content-Disposition: inline) under filename. */
void app_send_bytes(req_t *r, const void *data, size_t len, const char *type,
                    const char *filename);
/* JSON response; steals obj. */
void api_send(req_t *r, int status, json_t *obj);
/* The one answer to a JSON route's body that is not a JSON object (an
 * array, a string, a number, null, or no body where one is needed): 400
 * bad_request. api_body_object answers it and returns false unless the
 * request carries a JSON object. */
void api_body_refuse(req_t *r);
bool api_body_object(req_t *r);
/* Make the next 403 of this request say what lifts it: code ("totp_required"),
 * message (msgid), href (the page where it is done) and link (msgid of the
 * link to it). A route's check calls it and returns 403; a handler calls it
 * and then respond_error(r, 403, ...) or app_fail(r, RES_FORBIDDEN, ...).
 * The API's error object gains "href"; the error page a link. */
void app_deny(req_t *r, const char *code, const char *msgid, const char *href, const char *link);

/* An error: for /api/ the JSON error object {"error":{code,message,fields}},
 * for pages an error page (or the login redirect for 401). fields: object
 * field -> msgid (translated here), may be NULL; stolen. */
void respond_error(req_t *r, int status, const char *code, const char *msgid, json_t *fields);
/* The one mapping of a model result to HTTP: 404, 403, 422, 409, 429, 500
 * with their codes and standard messages (msgid NULL) or msgid. fields
 * stolen (may be NULL). RES_OK is a programming error (500). */
void app_fail(req_t *r, res_t res, const char *msgid, json_t *fields);
int app_status_of(res_t res);
/* After a successful POST from a page: 303 to location, with a one-time
 * message (a msgid, never user data) shown on the next page. */
void page_redirect_flash(req_t *r, const char *location, const char *flash_msgid);
/* A page asking to confirm a state change before it is made (works without
 * JavaScript; with it, the form's data-confirm asks first and adds
 * confirm=1): title, question and confirm_label are msgids, subject the
 * thing concerned (shown isolated), action the form's target, hidden the
 * fields to post again {name: value} (stolen, may be NULL), cancel_href
 * where "Cancel" leads. */
void page_confirm(req_t *r, const char *title, const char *question, const char *subject,
                  const char *action, json_t *hidden, const char *confirm_label,
                  const char *cancel_href);
/* Is this a page POST that asks to be confirmed first (no confirm=1 field)? */
bool page_needs_confirm(req_t *r);

/* --- Authorization for handlers ---------------------------------------- */
/* Decide perm on node_id for r->user (loads the ancestry). */
authz_result_t app_authorize(req_t *r, perm_t perm, int64_t node_id);
/* Same, and on refusal sets the 404/403 response: returns false then. */
bool app_require(req_t *r, perm_t perm, int64_t node_id);
/* Decide perm at a node whose stored path ("/1/4/9/") is known, without a read. */
bool app_can_at_path(req_t *r, perm_t perm, const char *path);
/* Every list query filters by scope before paging: appends
 * "(path_col >= ? AND path_col < ? OR ...)" - one range of paths (an index
 * range scan on both engines) for each live assignment of the user whose
 * role grants perm, or "(1=0)" when none. */
void app_scope_sql(req_t *r, perm_t perm, const char *path_col, buf_t *sql, db_param_t *params,
                   int *nparams, int maxparams);
/* The range of paths of a subtree: "/1/4/" -> ["/1/4/", "/1/40") (the byte
 * after '/' is '0'), for "col >= lo AND col < hi". hi in the arena. */
const char *app_path_upper(arena_t *a, const char *path);
/* Does the reader hold a live role among roles (n of them) at the node of
 * path or above it (a director of the EPS)? */
bool app_role_over(req_t *r, const char *path, const role_t *roles, size_t n);
/* ... at the node of path or below it (staff of the EPS or of one of its
 * units)? */
bool app_role_within(req_t *r, const char *path, const role_t *roles, size_t n);
/* Roles of the user that grant perm somewhere (for menus). */
bool app_user_can_anywhere(req_t *r, perm_t perm);

/* --- Input -------------------------------------------------------------- */
/* Shortcuts to the protocol side. */
const char *req_query(req_t *r, const char *key);
const char *req_form(req_t *r, const char *key);
/* A value from the form (pages) or the JSON body (API), as text. For JSON,
 * integers are formatted; other types set *bad_type. A form value holding a
 * NUL byte sets *bad_type too. NULL when absent. */
const char *input_str(req_t *r, const char *field, bool *bad_type);
/* Is field present in the form or the JSON body (JSON null included)? */
bool input_present(req_t *r, const char *field);
/* Validation into an errors object (field -> msgid). Each returns the
 * trimmed value (arena) or NULL, adding an error when required and empty,
 * longer than max characters, invalid UTF-8 or containing control chars
 * (line breaks and tabs included: these are one-line fields). */
const char *v_text(req_t *r, json_t *errors, const char *field, bool required, size_t max_chars);
/* The same for texts of several lines (descriptions, comments): line breaks
 * and tabs allowed (\r\n kept as \n), other control characters refused. */
const char *v_long_text(req_t *r, json_t *errors, const char *field, bool required,
                        size_t max_chars);
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
/* Add msgid as field's error unless it has one already. */
void v_error(json_t *errors, const char *field, const char *msgid);
/* Put the entries of errors in the order of the form's fields (NULL-ended),
 * so that the error summary reads top to bottom. */
void v_errors_order(json_t *errors, const char *const *fields);
/* Fields present in the body that the handler does not know -> errors (API). */
void v_unknown_fields(req_t *r, json_t *errors, const char *const *known);
/* Adds the translated form errors to a page model: "errors" {field: text},
 * "error_summary" [{field, message}], and "values" (what the user typed). */
void model_form_errors(req_t *r, json_t *model, json_t *errors);
/* The same, with "has_errors"; steals errors (NULL: none). */
void model_form_errors_take(req_t *r, json_t *model, json_t *errors);

/* The API writes times as ISO 8601 UTC strings: replace the integer (epoch)
 * members named in keys (NULL-terminated) of obj, or of every object of an
 * array obj, by such strings; 0 and null become null. */
void api_times_iso(json_t *obj, const char *const *keys);
/* A JSON string, or null for NULL. */
json_t *json_str_or_null(const char *s);

/* Percent-encode s for a query string value (RFC 3986 unreserved kept). */
void app_url_encode(buf_t *b, const char *s);

/* The words of a search q (folded, at most TEXT_FOLD_MAX_WORDS) as
 * " AND col LIKE ? ESCAPE '\\'" conditions, one per word, on a search_key
 * column, appended to sql with their parameters (while *np < max - 2). */
void app_search_sql(req_t *r, const char *col, const char *q, buf_t *sql, db_param_t *params,
                    int *np, int max);

/* Client IP for audit rows. */
const char *req_ip(req_t *r);

/* Fill a search key column left '' (rows written before it existed): select
 * gives "id, field1[, field2[, field3]]" of rows with key '' and id > ?
 * LIMIT ?, update sets "key = ? WHERE id = ? AND key = ''"; the key is the
 * text_fold_key of the fields. DB_OK or a code. */
int app_fill_search_keys(db_t *db, const char *select_sql, const char *update_sql, int nfields);

/* Transactions for model functions that may run inside a caller's one:
 * begin unless already in one (*mine tells), end only what was begun. */
bool app_tx_begin(db_t *db, bool *mine);
int app_tx_end(db_t *db, bool mine, bool ok);

#endif
