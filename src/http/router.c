/* router.c - path patterns and the method a request is routed by. Patterns
 * are literal except {id}/{id2}, which match an id segment as core's
 * id_parse reads it (no sign, no leading zero, at most 18 digits, so it
 * always fits int64), and a final {code}, which matches a last segment of
 * 1-64 letters, digits, '.', '_' or '-' (a criterion's code; the handler
 * reads it from the path). Matching is exact: "/a/" does not match "/a". Pure;
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
        if (strcmp(p, "{code}") == 0) {
            /* a code as the last segment: 1-64 of [A-Za-z0-9._-] */
            size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");
            return n > 0 && n <= 64 && s[n] == '\0';
        }
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
