/* password.c - Argon2id password hashes (libsodium crypto_pwhash) with a cap
 * on how many run at once: each takes 19 MiB and tens of milliseconds of CPU,
 * so a burst of logins must queue instead of exhausting memory and cores. */
#include "auth.h"

#include "../core/core.h"
#include "../i18n/i18n.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

#define PW_OPSLIMIT 2ULL
#define PW_MEMLIMIT ((size_t)19 * 1024 * 1024)
#define PW_MAX_CONCURRENT 2

/* A counting semaphore from a mutex and a condition variable; statically
 * initialised so it works whatever the order of start-up calls. */
static pthread_mutex_t cap_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cap_cv = PTHREAD_COND_INITIALIZER;
static int cap_running;
static int cap_max_seen;

static void cap_enter(void)
{
    pthread_mutex_lock(&cap_mu);
    while (cap_running >= PW_MAX_CONCURRENT)
        pthread_cond_wait(&cap_cv, &cap_mu);
    cap_running++;
    if (cap_running > cap_max_seen)
        cap_max_seen = cap_running;
    pthread_mutex_unlock(&cap_mu);
}

static void cap_leave(void)
{
    pthread_mutex_lock(&cap_mu);
    cap_running--;
    pthread_cond_signal(&cap_cv);
    pthread_mutex_unlock(&cap_mu);
}

int password_max_concurrency_seen(void)
{
    pthread_mutex_lock(&cap_mu);
    int n = cap_max_seen;
    pthread_mutex_unlock(&cap_mu);
    return n;
}

void password_concurrency_reset(void)
{
    pthread_mutex_lock(&cap_mu);
    cap_max_seen = cap_running;
    pthread_mutex_unlock(&cap_mu);
}

int auth_init(void)
{
    /* 0: initialised now, 1: already initialised; both are fine */
    if (sodium_init() < 0) {
        log_error("auth: libsodium could not be initialised");
        return -1;
    }
    return 0;
}

int password_hash(const char *password, char *out, size_t outlen)
{
    if (!password || !out || outlen < crypto_pwhash_STRBYTES)
        return -1;
    cap_enter();
    int rc = crypto_pwhash_str_alg(out, password, strlen(password), PW_OPSLIMIT, PW_MEMLIMIT,
                                   crypto_pwhash_ALG_ARGON2ID13);
    cap_leave();
    if (rc != 0) {
        out[0] = '\0';
        log_error("auth: password hashing failed (out of memory?)");
        return -1;
    }
    return 0;
}

/* A hash of a password nobody knows, for verifications of unknown logins. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_make(void)
{
    char pw[TOKEN_CHARS + 1];
    token_random(pw, sizeof pw);
    if (password_hash(pw, dummy_hash, sizeof dummy_hash) != 0)
        dummy_hash[0] = '\0';
}

bool password_verify(const char *hash, const char *password)
{
    if (!hash) {
        pthread_once(&dummy_once, dummy_make);
        if (dummy_hash[0] && password) {
            cap_enter();
            if (crypto_pwhash_str_verify(dummy_hash, password, strlen(password)) == 0)
                log_error("auth: the dummy password matched"); /* cannot happen */
            cap_leave();
        }
        return false;
    }
    if (!password)
        return false;
    /* libsodium reads the hash as a C string of at most STRBYTES - 1 chars */
    size_t hlen = strnlen(hash, crypto_pwhash_STRBYTES);
    if (hlen == 0 || hlen >= crypto_pwhash_STRBYTES)
        return false;
    char copy[crypto_pwhash_STRBYTES];
    memcpy(copy, hash, hlen + 1);
    cap_enter();
    int rc = crypto_pwhash_str_verify(copy, password, strlen(password));
    cap_leave();
    sodium_memzero(copy, sizeof copy);
    return rc == 0;
}

const char *password_problem(const char *password)
{
    if (!password)
        return N_("The password must be at least 10 characters long.");
    size_t n = strlen(password);
    if (!utf8_valid(password, n) || str_has_control(password))
        return N_("The password contains invalid characters.");
    size_t chars = utf8_count(password);
    if (chars < PASSWORD_MIN)
        return N_("The password must be at least 10 characters long.");
    if (chars > PASSWORD_MAX)
        return N_("The password must be at most 128 characters long.");
    return NULL;
}
