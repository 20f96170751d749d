/* device.c - device cookies: what a browser keeps of a successful sign-in, so
 * that failures made elsewhere never slow it down (auth.h says how they are
 * made). Nothing is stored on the server: the cookie is signed with the
 * server key, names its account and carries its own expiry. */
#include "auth.h"

#include "../core/core.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEVICE_VERSION "1"
#define DEVICE_ID_BYTES 16
#define SIG_CHARS (crypto_generichash_BYTES * 2)

/* The signature (hex, SIG_CHARS + 1) of the fields before it. */
static void device_sign(const char *fields, char *sig, size_t siglen)
{
    char msg[DEVICE_COOKIE_MAX + 32];
    snprintf(msg, sizeof msg, "jouda-device-cookie|%s", fields);
    token_keyed_hash(msg, sig, siglen);
    sodium_memzero(msg, sizeof msg);
}

int device_cookie_make(int64_t user_id, int64_t expires, char *out, size_t outlen)
{
    if (!out || outlen < DEVICE_COOKIE_MAX) {
        if (out && outlen)
            out[0] = '\0';
        return -1;
    }
    out[0] = '\0';
    if (user_id <= 0 || expires <= 0)
        return -1;
    unsigned char bin[DEVICE_ID_BYTES];
    char id[DEVICE_ID_CHARS + 1];
    randombytes_buf(bin, sizeof bin);
    sodium_bin2base64(id, sizeof id, bin, sizeof bin, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char fields[96];
    snprintf(fields, sizeof fields, DEVICE_VERSION ".%lld.%lld.%s", (long long)user_id,
             (long long)expires, id);
    char sig[SIG_CHARS + 1];
    device_sign(fields, sig, sizeof sig);
    snprintf(out, outlen, "%s.%s", fields, sig);
    return 0;
}

/* A positive decimal without sign or leading zero, at most 18 digits. */
static bool parse_positive(const char *s, size_t n, int64_t *out)
{
    if (n == 0 || n > 18 || s[0] == '0')
        return false;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static bool base64url_chars(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

bool device_cookie_check(const char *value, int64_t user_id, int64_t now, char *id_out,
                         size_t id_len)
{
    if (id_out && id_len)
        id_out[0] = '\0';
    if (!value || user_id <= 0 || !id_out || id_len < DEVICE_ID_CHARS + 1)
        return false;
    size_t len = strlen(value);
    if (len >= DEVICE_COOKIE_MAX)
        return false;
    /* version . user . expires . id . signature */
    const char *part[5];
    size_t plen[5];
    const char *p = value;
    for (int i = 0; i < 5; i++) {
        const char *dot = i < 4 ? strchr(p, '.') : p + strlen(p);
        if (!dot)
            return false;
        part[i] = p;
        plen[i] = (size_t)(dot - p);
        p = dot + 1;
    }
    int64_t uid, expires;
    if (plen[0] != strlen(DEVICE_VERSION) || memcmp(part[0], DEVICE_VERSION, plen[0]) != 0 ||
        !parse_positive(part[1], plen[1], &uid) || !parse_positive(part[2], plen[2], &expires) ||
        plen[3] != DEVICE_ID_CHARS || !base64url_chars(part[3], plen[3]) || plen[4] != SIG_CHARS)
        return false;
    /* the signature first, in constant time; then what it vouches for */
    char fields[DEVICE_COOKIE_MAX];
    size_t nf = (size_t)(part[4] - 1 - value);
    memcpy(fields, value, nf);
    fields[nf] = '\0';
    char sig[SIG_CHARS + 1];
    device_sign(fields, sig, sizeof sig);
    bool ok = sodium_memcmp(sig, part[4], SIG_CHARS) == 0;
    sodium_memzero(sig, sizeof sig);
    if (!ok || uid != user_id || expires <= now)
        return false;
    memcpy(id_out, part[3], DEVICE_ID_CHARS);
    id_out[DEVICE_ID_CHARS] = '\0';
    return true;
}
