/* transport.c - who is on the other end of a connection (the trusted
 * proxy's address, parsed once and compared with each peer) and how a
 * request is written in the log (escaped, so that every line parses). */
#include "http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

bool http_addr_parse(const char *text, http_addr_t *out)
{
    memset(out, 0, sizeof *out);
    if (!text || !*text)
        return false;
    char buf[INET6_ADDRSTRLEN + 2];
    size_t n = strlen(text);
    if (n >= sizeof buf)
        return false;
    if (text[0] == '[') { /* "[::1]", as in URLs and --listen */
        if (n < 3 || text[n - 1] != ']')
            return false;
        memcpy(buf, text + 1, n - 2);
        buf[n - 2] = '\0';
        if (inet_pton(AF_INET6, buf, out->bytes) != 1)
            return false;
        out->family = AF_INET6;
        return true;
    }
    if (inet_pton(AF_INET, text, out->bytes) == 1) {
        out->family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, text, out->bytes) == 1) {
        out->family = AF_INET6;
        return true;
    }
    return false;
}

bool http_addr_is(const http_addr_t *a, const struct sockaddr *sa)
{
    if (!a || !sa || !a->family)
        return false;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        return a->family == AF_INET && memcmp(&in->sin_addr, a->bytes, 4) == 0;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        const unsigned char *b = in6->sin6_addr.s6_addr;
        if (a->family == AF_INET6)
            return memcmp(b, a->bytes, 16) == 0;
        /* an IPv4 proxy reaching a server that listens on IPv6 */
        return IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && memcmp(b + 12, a->bytes, 4) == 0;
    }
    return false;
}

void http_log_escape(char *out, size_t outlen, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    if (outlen == 0)
        return;
    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        bool keep = ch > ' ' && ch < 127 && ch != '"' && ch != '\'' && ch != '\\' && ch != '%';
        if (keep) {
            if (o + 1 >= outlen)
                break;
            out[o++] = (char)ch;
        } else {
            if (o + 3 >= outlen)
                break;
            out[o++] = '%';
            out[o++] = hex[ch >> 4];
            out[o++] = hex[ch & 15];
        }
    }
    out[o] = '\0';
}
