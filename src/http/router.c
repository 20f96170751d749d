/* router.c - path patterns and the method a request is routed by. Patterns
 * are literal except {id}/{id2}, which match an id segment as core's
 * id_parse reads it (no sign, no leading zero, at most 18 digits, so it
 * always fits int64). Matching is exact: "/a/" does not match "/a". Pure;
 * the application keeps the routes themselves. */
#include "http.h"

#include <string.h>
#include <strings.h>

bool http_path_match(const char *pat, const char *path, int64_t ids[2])
{
    int nids = 0;
    const char *p = pat, *s = path;
    ids[0] = ids[1] = 0;
    if (!pat || !path)
        return false;
    while (*p) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            const char *end;
            int64_t v;
            if (!close || nids >= 2 || !id_parse(s, &end, &v) ||
                (*end != '\0' && *end != '/' && (*end != '.' || close[1] != '.')))
                return false;
            ids[nids++] = v;
            s = end;
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

const char *http_route_method(const char *method)
{
    /* HEAD is a GET without the body (libmicrohttpd drops the body) */
    return method && strcmp(method, "HEAD") == 0 ? "GET" : method;
}

bool http_media_is(const char *ct, const char *want)
{
    if (!ct || !want)
        return false;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    size_t n = strlen(want);
    if (strncasecmp(ct, want, n) != 0)
        return false;
    char c = ct[n];
    return c == '\0' || c == ';' || c == ' ' || c == '\t';
}
