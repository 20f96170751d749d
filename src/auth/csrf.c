/* csrf.c - CSRF tokens derived from a per-session secret. Each response gets
 * the secret under a fresh one-time mask (mask || mask XOR secret), so the
 * bytes in the page change every time and compression cannot be used to guess
 * the secret (BREACH). Any malformed input simply fails the check. */
#include "auth.h"

#include <sodium.h>
#include <string.h>

#define SECRET_BYTES 32
#define MASKED_BYTES (2 * SECRET_BYTES)
/* base64url without padding of 64 bytes */
#define MASKED_CHARS 86

/* Decode exactly n bytes of unpadded base64url from the whole string s. */
static bool b64_exact(const char *s, unsigned char *bin, size_t n)
{
    if (!s)
        return false;
    size_t slen = strlen(s);
    if (slen != sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING) - 1)
        return false;
    size_t got = 0;
    const char *end = NULL;
    if (sodium_base642bin(bin, n, s, slen, NULL, &got, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return false;
    return got == n && end == s + slen;
}

void csrf_mask(const char *secret, char *out, size_t outlen)
{
    if (!out || outlen == 0)
        return;
    out[0] = '\0';
    if (outlen < MASKED_CHARS + 1)
        return;
    unsigned char sec[SECRET_BYTES], buf[MASKED_BYTES];
    if (!b64_exact(secret, sec, sizeof sec))
        return; /* out stays empty: it will never check */
    randombytes_buf(buf, SECRET_BYTES);
    for (size_t i = 0; i < SECRET_BYTES; i++)
        buf[SECRET_BYTES + i] = buf[i] ^ sec[i];
    sodium_bin2base64(out, outlen, buf, sizeof buf, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(sec, sizeof sec);
    sodium_memzero(buf, sizeof buf);
}

bool csrf_check(const char *secret, const char *masked_token)
{
    unsigned char sec[SECRET_BYTES], buf[MASKED_BYTES], plain[SECRET_BYTES];
    if (!b64_exact(secret, sec, sizeof sec))
        return false;
    if (!b64_exact(masked_token, buf, sizeof buf)) {
        sodium_memzero(sec, sizeof sec);
        return false;
    }
    for (size_t i = 0; i < SECRET_BYTES; i++)
        plain[i] = buf[i] ^ buf[SECRET_BYTES + i];
    bool ok = sodium_memcmp(plain, sec, SECRET_BYTES) == 0;
    sodium_memzero(sec, sizeof sec);
    sodium_memzero(buf, sizeof buf);
    sodium_memzero(plain, sizeof plain);
    return ok;
}
