/* tpl.h - a small Mustache-like template engine.
 *
 * Syntax (whitespace inside tags is allowed):
 *   {{name}} {{a.b.c}} {{.}}     value, HTML-escaped (& < > " ' all escaped);
 *                                 integers as %lld, reals as %g; true/false/null and
 *                                 missing later segments print nothing; an object or
 *                                 array is an error in strict mode, nothing otherwise
 *   {{list.0.name}}              a numeric segment indexes an array
 *   {{#name}}...{{/name}}        section: array -> loop, object -> push context,
 *                                 true/non-empty string/non-zero number -> once,
 *                                 false/null/empty array/""/0 -> skip
 *   {{^name}}...{{/name}}        inverted section
 *   {{> partial}}                include another template (same context)
 *   {{>* name}}                  include the template whose name the model value
 *                                 `name` holds (an error when it is not a string
 *                                 naming a loaded template)
 *   {{_ "msgid"}}                translation of a literal msgid, escaped (the msgid
 *                                 may hold \" and \\; it cannot hold "}}")
 *   {{_n count "one" "many"}}    plural translation; %d in the result becomes count
 *   {{_k name}}                  translation of the msgid held in the model value `name`
 *                                 (codes such as "role.director", never user text)
 *   {{! comment }}
 *   {{@content}}                 in a layout only: the page already rendered by the engine
 * A section, comment or partial tag alone on its line is removed with that line.
 * There is deliberately no triple mustache: nothing from the model is printed raw.
 * Lookup walks the context stack outwards like Mustache. An undefined name
 * (its first segment absent from every context) is an error in strict mode
 * (tests) and prints nothing otherwise; once the first segment is found, a
 * missing later segment of a dotted name (errors.email) is simply falsy/empty,
 * so optional keys of an object need not be spelled out. JSON null is defined
 * (falsy). */
#ifndef JOUDA_TPL_H
#define JOUDA_TPL_H

#include "../core/core.h"
#include <jansson.h>

typedef struct tpl_set tpl_set_t;

/* Translation callbacks supplied by the caller (i18n). */
typedef struct {
    const char *(*gettext)(void *ctx, const char *msgid);
    const char *(*ngettext)(void *ctx, const char *one, const char *many, long n);
    void *ctx;
} tpl_i18n_t;

/* Load every *.html under dir (recursively); names are paths relative to dir
 * without ".html" ("layout", "org/node_edit", "partials/field").
 * Parses all of them at once; NULL and err on a syntax error. */
tpl_set_t *tpl_load_dir(const char *dir, char *err, size_t errlen);
/* Add/parse one template from memory (tests, fuzzing). 0 or -1 with err. */
tpl_set_t *tpl_set_new(void);
int tpl_add(tpl_set_t *set, const char *name, const char *src, size_t len, char *err, size_t errlen);
void tpl_set_free(tpl_set_t *set);
bool tpl_exists(const tpl_set_t *set, const char *name);
void tpl_set_strict(tpl_set_t *set, bool strict);

/* Render name with model into out. When layout is not NULL the page is
 * rendered first, then layout with {{@content}} replaced by the page.
 * Returns 0, or -1 with err (undefined name in strict mode, missing partial,
 * recursion deeper than 32). */
int tpl_render(const tpl_set_t *set, const char *name, const char *layout, json_t *model,
               const tpl_i18n_t *i18n, buf_t *out, char *err, size_t errlen);

/* Escape the five HTML characters into out. */
void tpl_escape(buf_t *out, const char *s, size_t len);

#endif
