/* i18n.h - translations from gettext catalogues (po/<lang>.po compiled by msgfmt
 * into .mo files), loaded by the program itself: no system locale needed.
 * Languages: fr (default), ar (right-to-left, 6 plural forms), en. */
#ifndef JOUDA_I18N_H
#define JOUDA_I18N_H

#include <stdbool.h>
#include <stddef.h>

#define I18N_DEFAULT "fr"

typedef struct mo_catalog mo_catalog_t;

/* Parse a .mo file image (fuzzed). NULL and err when malformed. The
 * Plural-Forms header's expression is parsed too (C subset: n, integers,
 * ?: || && == != < > <= >= % + - * / ! and parentheses). */
mo_catalog_t *mo_parse(const void *data, size_t len, char *err, size_t errlen);
void mo_free(mo_catalog_t *c);
const char *mo_gettext(const mo_catalog_t *c, const char *msgid);  /* NULL when absent */
const char *mo_ngettext(const mo_catalog_t *c, const char *one, const char *many, unsigned long n);
int mo_plural_index(const mo_catalog_t *c, unsigned long n);
size_t mo_count(const mo_catalog_t *c);
/* Evaluate a plural expression (exposed for tests); -1 on a syntax error. */
long plural_eval(const char *expr, unsigned long n);

/* Load dir/fr.mo, dir/ar.mo, dir/en.mo once at start-up. 0 or -1 with err. */
int i18n_load(const char *dir, char *err, size_t errlen);
void i18n_unload(void);
bool i18n_supported(const char *lang);
/* Translate; returns msgid itself when the language lacks it. */
const char *i18n_gettext(const char *lang, const char *msgid);
const char *i18n_ngettext(const char *lang, const char *one, const char *many, unsigned long n);
const char *i18n_dir(const char *lang); /* "rtl" for ar, else "ltr" */

/* Pick the language: ?lang= (query), then the user's choice, then the cookie,
 * then Accept-Language (q-values honoured), then fr. Returns a static code. */
const char *i18n_negotiate(const char *query_lang, const char *user_lang, const char *cookie_lang,
                           const char *accept_language);

/* Marks a literal for extraction without translating it now. */
#define N_(s) (s)

#endif
