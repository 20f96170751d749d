/* router.c - matches method + path against the route tables. Patterns are
 * literal except {id}/{id2}, which match a positive decimal integer segment
 * (no sign, no leading zero, at most 18 digits so it always fits int64).
 * Matching is exact: "/a/" does not match "/a". Pure. */
#include "http.h"

#include <string.h>

#define ROUTE_MAX_ID_DIGITS 18

/* Does path match pattern? Fills ids (up to two placeholders). */
static bool pattern_match(const char *pat, const char *path, int64_t ids[2])
{
    int nids = 0;
    const char *p = pat, *s = path;
    while (*p) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            if (!close || nids >= 2)
                return false;
            if (*s < '1' || *s > '9')
                return false;
            int64_t v = 0;
            int digits = 0;
            while (*s >= '0' && *s <= '9') {
                if (++digits > ROUTE_MAX_ID_DIGITS)
                    return false;
                v = v * 10 + (*s - '0');
                s++;
            }
            if (*s != '\0' && *s != '/')
                return false;
            ids[nids++] = v;
            p = close + 1;
            continue;
        }
        if (*p != *s)
            return false;
        p++;
        s++;
    }
    return *s == '\0';
}

static bool method_matches(const char *route_method, const char *method)
{
    if (strcmp(route_method, method) == 0)
        return true;
    /* HEAD is a GET without the body (libmicrohttpd drops the body) */
    return strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0;
}

match_t http_route_match(const route_table_t *tables, size_t ntables, const char *method,
                         const char *path, const route_t **out, int64_t ids[2])
{
    bool other_method = false;
    *out = NULL;
    ids[0] = ids[1] = 0;
    if (!method || !path)
        return MATCH_NOT_FOUND;
    for (size_t t = 0; t < ntables; t++) {
        for (size_t i = 0; i < tables[t].n; i++) {
            const route_t *rt = &tables[t].routes[i];
            int64_t got[2] = {0, 0};
            if (!rt->pattern || !rt->method || !pattern_match(rt->pattern, path, got))
                continue;
            if (method_matches(rt->method, method)) {
                *out = rt;
                ids[0] = got[0];
                ids[1] = got[1];
                return MATCH_OK;
            }
            other_method = true;
        }
    }
    return other_method ? MATCH_BAD_METHOD : MATCH_NOT_FOUND;
}
