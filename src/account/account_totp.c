/* account_totp.c - the pure parts of two-step verification (RFC 6238 TOTP:
 * HMAC-SHA-1, 6 digits, 30-second steps, through liboath): a new secret and
 * its base32 form, the otpauth:// URI that authenticator apps read, the
 * check of a typed code at a time (a window of one step either side, and a
 * step accepted once), the enrolment QR code drawn as SVG (libqrencode) and
 * the single-use recovery codes ("xxxx-xxxx-xx", Crockford's base32 in lower
 * case). No I/O: tests/unit/test_totp.c. */
#include "account_internal.h"

#include <oath.h>
#include <pthread.h>
#include <qrencode.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t oath_once = PTHREAD_ONCE_INIT;
static bool oath_ok;

static void oath_start(void)
{
    oath_ok = oath_init() == OATH_OK;
    if (!oath_ok)
        log_error("totp: liboath could not be initialised");
}

static bool oath_ready(void)
{
    pthread_once(&oath_once, oath_start);
    return oath_ok;
}

void totp_secret_new(unsigned char out[TOTP_SECRET_BYTES])
{
    randombytes_buf(out, TOTP_SECRET_BYTES);
}

const char *totp_base32(arena_t *a, const unsigned char *bin, size_t len)
{
    if (!oath_ready() || !bin || len == 0)
        return NULL;
    char *out = NULL;
    size_t outlen = 0;
    if (oath_base32_encode((const char *)bin, len, &out, &outlen) != OATH_OK || !out)
        return NULL;
    /* 20 bytes need no padding; drop it anyway for other lengths (apps
     * accept a secret without it, and the URI is shorter) */
    while (outlen > 0 && out[outlen - 1] == '=')
        outlen--;
    char *copy = arena_strndup(a, out, outlen);
    sodium_memzero(out, outlen);
    free(out);
    return copy;
}

int totp_base32_decode(const char *text, unsigned char *out, size_t cap, size_t *len)
{
    *len = 0;
    if (!oath_ready() || !text || !*text)
        return -1;
    char *bin = NULL;
    size_t binlen = 0;
    if (oath_base32_decode(text, strlen(text), &bin, &binlen) != OATH_OK || !bin)
        return -1;
    int rc = -1;
    if (binlen > 0 && binlen <= cap) {
        memcpy(out, bin, binlen);
        *len = binlen;
        rc = 0;
    }
    sodium_memzero(bin, binlen);
    free(bin);
    return rc;
}

/* RFC 3986 unreserved characters are kept, everything else is %XX. */
static void uri_encode(buf_t *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~')
            buf_putc(b, (char)*p);
        else
            buf_printf(b, "%%%02X", *p);
    }
}

const char *totp_uri(arena_t *a, const char *login, const char *secret_b32)
{
    buf_t b;
    buf_init(&b);
    buf_puts(&b, "otpauth://totp/" TOTP_ISSUER ":");
    uri_encode(&b, login ? login : "");
    buf_puts(&b, "?secret=");
    uri_encode(&b, secret_b32 ? secret_b32 : "");
    buf_printf(&b, "&issuer=" TOTP_ISSUER "&algorithm=SHA1&digits=%d&period=%d", TOTP_DIGITS,
               TOTP_PERIOD);
    char *out = arena_strdup(a, b.data);
    buf_free(&b);
    return out;
}

bool totp_code_well_formed(const char *code)
{
    if (!code)
        return false;
    size_t i = 0;
    for (; code[i]; i++)
        if (code[i] < '0' || code[i] > '9' || i >= TOTP_DIGITS)
            return false;
    return i == TOTP_DIGITS;
}

int64_t totp_step_of(int64_t now)
{
    return now < 0 ? 0 : now / TOTP_PERIOD;
}

int totp_code_at(const unsigned char *secret, size_t len, int64_t now, char out[TOTP_DIGITS + 1])
{
    out[0] = '\0';
    if (!oath_ready() || !secret || len == 0)
        return -1;
    if (oath_totp_generate((const char *)secret, len, (time_t)now, TOTP_PERIOD, 0, TOTP_DIGITS,
                           out) != OATH_OK) {
        out[0] = '\0';
        return -1;
    }
    return 0;
}

int64_t totp_verify(const unsigned char *secret, size_t len, const char *code, int64_t now,
                    int64_t last_step)
{
    if (!totp_code_well_formed(code) || !secret || len == 0 || !oath_ready())
        return TOTP_WRONG;
    int pos = 0;
    uint64_t counter = 0;
    int rc = oath_totp_validate3((const char *)secret, len, (time_t)now, TOTP_PERIOD, 0,
                                 TOTP_WINDOW, &pos, &counter, code);
    if (rc < 0)
        return TOTP_WRONG;
    /* the step the code belongs to (now's step + pos) */
    int64_t step = (int64_t)counter;
    if (step <= last_step)
        return TOTP_REPLAY;
    return step;
}

/* --- The QR code as SVG ------------------------------------------------ */

const char *totp_qr_svg(arena_t *a, const char *text, const char *label)
{
    if (!text || !*text)
        return NULL;
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr)
        return NULL;
    int w = qr->width;
    int size = w + 2 * TOTP_QR_QUIET;
    buf_t b;
    buf_init(&b);
    buf_printf(&b,
               "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" "
               "height=\"%d\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"",
               size, size, size * TOTP_QR_PIXELS, size * TOTP_QR_PIXELS);
    const char *l = label ? label : "";
    tpl_escape(&b, l, strlen(l));
    buf_printf(&b, "\"><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
               size, size);
    /* one subpath per horizontal run of dark modules */
    for (int y = 0; y < w; y++) {
        int x = 0;
        while (x < w) {
            if (!(qr->data[y * w + x] & 1)) {
                x++;
                continue;
            }
            int run = 1;
            while (x + run < w && (qr->data[y * w + x + run] & 1))
                run++;
            buf_printf(&b, "M%d %dh%dv1h-%dz", x + TOTP_QR_QUIET, y + TOTP_QR_QUIET, run, run);
            x += run;
        }
    }
    buf_puts(&b, "\"/></svg>");
    QRcode_free(qr);
    char *out = arena_strdup(a, b.data);
    buf_free(&b);
    return out;
}

/* --- Recovery codes ---------------------------------------------------- */

/* Crockford's base32 in lower case: no i, l, o, u. */
static const char crockford[] = "0123456789abcdefghjkmnpqrstvwxyz";

void totp_recovery_new(char out[TOTP_RECOVERY_CHARS + 1])
{
    size_t k = 0;
    for (int i = 0; i < TOTP_RECOVERY_SYMBOLS; i++) {
        if (i == 4 || i == 8)
            out[k++] = '-';
        out[k++] = crockford[randombytes_uniform(32)];
    }
    out[k] = '\0';
}

const char *totp_recovery_normalise(arena_t *a, const char *typed)
{
    if (!typed || strlen(typed) > 64)
        return NULL;
    char sym[TOTP_RECOVERY_SYMBOLS];
    int n = 0;
    for (const unsigned char *p = (const unsigned char *)typed; *p; p++) {
        unsigned char c = *p;
        if (c == ' ' || c == '-')
            continue;
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        /* what Crockford's alphabet reads as a digit */
        if (c == 'o')
            c = '0';
        else if (c == 'i' || c == 'l')
            c = '1';
        if (!c || !strchr(crockford, c) || n >= TOTP_RECOVERY_SYMBOLS)
            return NULL;
        sym[n++] = (char)c;
    }
    if (n != TOTP_RECOVERY_SYMBOLS)
        return NULL;
    char *out = arena_alloc(a, TOTP_RECOVERY_CHARS + 1);
    size_t k = 0;
    for (int i = 0; i < n; i++) {
        if (i == 4 || i == 8)
            out[k++] = '-';
        out[k++] = sym[i];
    }
    out[k] = '\0';
    return out;
}
