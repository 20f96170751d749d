/* ref.h - the référentiels module: versioned frameworks of criteria (a tree
 * whose leaves are the criteria an establishment scores itself against),
 * their exchange formats (JSON jouda-referentiel/1 and CSV,
 * docs/formats/referentiel.md), the crosswalk between référentiels, and the
 * ones shipped with the program. What other modules may call. */
#ifndef JOUDA_REF_H
#define JOUDA_REF_H

#include "../app/app.h"

/* --- The document (ref_doc.c: pure, no database) ------------------------- */

#define REF_FORMAT "jouda-referentiel/1"
#define REF_MAX_ITEMS 5000
#define REF_MAX_DEPTH 8
#define REF_MAX_LIST 50
#define REF_MAX_TITLE 300
#define REF_MAX_TEXT 4000
#define REF_MAX_CODE 40

typedef struct {
    const char **v;
    size_t n;
} ref_list_t;

typedef struct {
    const char *ref; /* the other référentiel's code */
    const char *code; /* the criterion's code there */
} ref_xref_t;

typedef struct {
    const char *code, *parent_code, *level;
    const char *title_fr, *title_ar, *title_en;
    bool imperative;
    ref_list_t categories, methods;
    ref_list_t elements_fr, elements_ar, evidence_fr, evidence_ar;
    const char *guidance_fr, *guidance_ar;
    ref_xref_t *crosswalk;
    size_t n_crosswalk;
    /* computed by the structure check */
    int parent;   /* index in items, -1 at the top */
    int depth;    /* 0 at the top */
    bool leaf;    /* a criterion */
    int line;     /* CSV: the line its record starts on; 0 otherwise */
} ref_item_t;

typedef struct {
    const char *code;
    int64_t version;
    const char *title_fr, *title_ar, *title_en;
    const char *scale;  /* "has4" | "conformity" */
    bool scale_given;   /* written in the document (export writes it back) */
    ref_list_t levels;
    ref_item_t *items;  /* in tree order: each parent followed by its children */
    size_t n_items;
    size_t n_criteria;
} ref_doc_t;

/* A problem found in a document: for CSV a line and a column, for JSON an
 * item code (NULL at the top level) and a field. msgid may hold one "%s",
 * filled by arg. */
typedef struct {
    int line;
    const char *column;
    const char *code;
    const char *field;
    const char *msgid;
    const char *arg;
} ref_problem_t;
typedef VEC(ref_problem_t) ref_problems_t;

/* Read a jouda-referentiel/1 document. Every problem is collected; returns
 * true when there is none (doc is then complete and in tree order). */
bool ref_doc_from_json(arena_t *a, json_t *j, ref_doc_t *doc, ref_problems_t *problems);
/* Read the CSV form; the référentiel's code, version (text as typed) and
 * titles come beside it. */
bool ref_doc_from_csv(arena_t *a, const char *data, size_t len, const char *code,
                      const char *version, const char *title_fr, const char *title_ar,
                      ref_doc_t *doc, ref_problems_t *problems);
/* The canonical JSON document (a new object). */
json_t *ref_doc_to_json(const ref_doc_t *doc);
/* The CSV form, appended to out. */
void ref_doc_to_csv(const ref_doc_t *doc, buf_t *out);
/* Problems as the API answers them, messages in the request's language. */
json_t *ref_problems_json(req_t *r, const ref_problems_t *p, bool csv);

bool ref_scale_valid(const char *scale);
bool ref_category_valid(const char *code);
bool ref_method_valid(const char *code);
extern const char *const ref_methods[];

/* --- Stored référentiels (ref_store.c) ---------------------------------- */

typedef enum { REF_DRAFT = 0, REF_PUBLISHED, REF_ARCHIVED } ref_status_t;

typedef struct {
    int64_t id, node_id;
    const char *node_path;
    const char *code;
    int64_t version;
    const char *title_fr, *title_ar, *title_en;
    const char *scale;
    ref_status_t status;
    int64_t n_criteria, rev, created_at, published_at;
} ref_t;

/* One stored item, as campaigns read them. */
typedef struct {
    int64_t id, parent_id;
    const char *code, *level, *title_fr, *title_ar, *title_en;
    int depth;
    bool leaf, imperative;
    const char *categories; /* '|'-joined, "" = all */
} ref_row_t;

const char *ref_status_code(ref_status_t s);
int ref_load(db_t *db, arena_t *a, int64_t id, ref_t *out); /* 0, or -1 when absent */
/* A stored référentiel as its document (leaves marked); 0 or -1. */
int ref_load_doc(db_t *db, arena_t *a, int64_t id, ref_doc_t *doc);
/* Every item of a référentiel in tree order; count in *n. NULL on error. */
ref_row_t *ref_rows(db_t *db, arena_t *a, int64_t ref_id, size_t *n);
/* The title in the reader's language; *fallback true when the Arabic one
 * was missing and the French one is given instead. */
const char *ref_title(req_t *r, const char *fr, const char *ar, const char *en, bool *fallback);
/* May the reader see this référentiel (published or archived: everyone signed
 * in; a draft: those who manage it)? May they manage it? */
bool ref_can_read(req_t *r, const ref_t *ref);
bool ref_can_manage(req_t *r, const ref_t *ref);
/* The référentiels the reader may see (status and q filter when given), as
 * the API (api) or the pages list them (title in the reader's language). */
json_t *ref_list_json(req_t *r, const char *status, const char *q, bool api);
/* Does the criterion apply to an establishment of this category? */
bool ref_applies(const char *categories, const char *category);

extern const module_t ref_module;

#endif
