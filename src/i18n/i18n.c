/* i18n.c - the three catalogues of the program (fr, ar, en), loaded once at
 * start-up and read-only afterwards (safe from any thread), lookups with
 * fallback to the msgid, and the choice of language for a request. */
#include "i18n.h"
#include "../core/core.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define I18N_MAX_MO (32u << 20)

static const char *const LANGS[] = {"fr", "ar", "en"};
#define NLANGS (sizeof LANGS / sizeof LANGS[0])
static mo_catalog_t *g_cat[NLANGS];

static int lang_index(const char *lang)
{
    if (!lang)
        return -1;
    for (size_t i = 0; i < NLANGS; i++)
        if (strcmp(lang, LANGS[i]) == 0)
            return (int)i;
    return -1;
}

bool i18n_supported(const char *lang)
{
    return lang_index(lang) >= 0;
}

/* 1 loaded, 0 absent, -1 error. */
static int load_one(const char *path, mo_catalog_t **out, char *err, size_t errlen)
{
    char *data;
    size_t len;
    if (file_read_all(path, I18N_MAX_MO, &data, &len) != 0) {
        if (errno == ENOENT)
            return 0;
        snprintf(err, errlen, "%s: %s", path, errno == EFBIG ? "file too large" : strerror(errno));
        return -1;
    }
    char perr[200];
    *out = mo_parse(data, len, perr, sizeof perr);
    free(data);
    if (!*out) {
        snprintf(err, errlen, "%s: %s", path, perr);
        return -1;
    }
    return 1;
}

int i18n_load(const char *dir, char *err, size_t errlen)
{
    char dummy[8];
    if (!err || !errlen) {
        err = dummy;
        errlen = sizeof dummy;
    }
    i18n_unload();
    for (size_t i = 0; i < NLANGS; i++) {
        char *path = xasprintf("%s/%s.mo", dir, LANGS[i]);
        mo_catalog_t *c = NULL;
        int rc = load_one(path, &c, err, errlen);
        if (rc == 0 && strcmp(LANGS[i], I18N_DEFAULT) == 0) {
            snprintf(err, errlen, "%s: missing (the default language is required)", path);
            rc = -1;
        } else if (rc == 0) {
            log_error("i18n: %s missing; %s pages will show untranslated text", path, LANGS[i]);
        }
        free(path);
        if (rc < 0) {
            i18n_unload();
            return -1;
        }
        g_cat[i] = c;
    }
    return 0;
}

void i18n_unload(void)
{
    for (size_t i = 0; i < NLANGS; i++) {
        mo_free(g_cat[i]);
        g_cat[i] = NULL;
    }
}

static const mo_catalog_t *cat_for(const char *lang)
{
    int i = lang_index(lang);
    if (i < 0)
        i = lang_index(I18N_DEFAULT);
    return g_cat[i];
}

const char *i18n_gettext(const char *lang, const char *msgid)
{
    if (!msgid || !*msgid)
        return msgid ? msgid : "";
    const char *s = mo_gettext(cat_for(lang), msgid);
    return s ? s : msgid;
}

const char *i18n_ngettext(const char *lang, const char *one, const char *many, unsigned long n)
{
    /* mo_ngettext falls back to the English rule without a catalogue */
    return mo_ngettext(cat_for(lang), one, many, n);
}

const char *i18n_dir(const char *lang)
{
    return lang && strcmp(lang, "ar") == 0 ? "rtl" : "ltr";
}

/* The supported code for a tag such as "ar", "AR-ma", "fr_FR"; NULL if none. */
static const char *match_tag(const char *s, size_t len)
{
    size_t k = 0;
    while (k < len && s[k] != '-' && s[k] != '_')
        k++;
    for (size_t i = 0; i < NLANGS; i++)
        if (k == strlen(LANGS[i]) && strncasecmp(s, LANGS[i], k) == 0)
            return LANGS[i];
    return NULL;
}

static const char *match_str(const char *s)
{
    return s ? match_tag(s, strlen(s)) : NULL;
}

static bool is_sp(char c)
{
    return c == ' ' || c == '\t';
}

/* q-value in thousandths ("1", "0.8", "0.125"); -1 when malformed. */
static int parse_q(const char *s, size_t len)
{
    if (len == 0 || len > 5 || (s[0] != '0' && s[0] != '1'))
        return -1;
    int v = (s[0] - '0') * 1000;
    if (len == 1)
        return v;
    if (s[1] != '.')
        return -1;
    int scale = 100;
    for (size_t i = 2; i < len; i++, scale /= 10) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v += (s[i] - '0') * scale;
    }
    return v > 1000 ? -1 : v;
}

static const char *from_accept(const char *h)
{
    const char *best = NULL;
    int bestq = 0;
    const char *p = h;
    while (*p) {
        const char *item = p;
        while (*p && *p != ',')
            p++;
        const char *item_end = p;
        if (*p == ',')
            p++;
        while (item < item_end && is_sp(*item))
            item++;
        const char *tag_end = item;
        while (tag_end < item_end && *tag_end != ';' && !is_sp(*tag_end))
            tag_end++;
        int q = 1000;
        const char *a = tag_end;
        while (a < item_end) {
            /* parameters: ;q=0.8 (others ignored) */
            while (a < item_end && (is_sp(*a) || *a == ';'))
                a++;
            const char *pe = a;
            while (pe < item_end && *pe != ';')
                pe++;
            size_t pl = (size_t)(pe - a);
            while (pl && is_sp(a[pl - 1]))
                pl--;
            if (pl >= 2 && (a[0] == 'q' || a[0] == 'Q') && a[1] == '=')
                q = parse_q(a + 2, pl - 2);
            a = pe;
        }
        const char *lang = match_tag(item, (size_t)(tag_end - item));
        if (lang && q > bestq) {
            best = lang;
            bestq = q;
        }
    }
    return best;
}

const char *i18n_negotiate(const char *query_lang, const char *user_lang, const char *cookie_lang,
                           const char *accept_language)
{
    const char *l;
    if ((l = match_str(query_lang)) || (l = match_str(user_lang)) || (l = match_str(cookie_lang)))
        return l;
    if (accept_language && (l = from_accept(accept_language)))
        return l;
    return I18N_DEFAULT;
}
