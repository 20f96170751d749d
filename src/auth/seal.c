/* seal.c - sensitive text sealed at rest (seal.h): secretbox under one key
 * read from a key file outside the database.
 *
 * The key lives in memory from sodium_malloc (guard pages, locked so that
 * it is never swapped out nor written into a core dump) and is wiped by
 * seal_forget, registered with atexit. A read-write lock lets any number of
 * threads seal and open at once while seal_key_set / seal_forget (start-up,
 * tests, rotation) take it alone. */
#include "seal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* P_TEXT for a char array (never NULL; P_TEXT would warn about its address) */
#define P_STR(x) ((db_param_t){.type = DBP_TEXT, .s = (x)})

#define KEY_HEX (SEAL_KEY_BYTES * 2)
#define PREFIX_LEN (sizeof SEAL_PREFIX - 1)
#define VARIANT sodium_base64_VARIANT_ORIGINAL_NO_PADDING

static pthread_rwlock_t key_lock = PTHREAD_RWLOCK_INITIALIZER;
static unsigned char *key_mem; /* sodium_malloc'd, SEAL_KEY_BYTES; NULL before the first key */
static bool key_loaded;
static bool atexit_done;

/* --- key paths */

static bool is_pg_url(const char *url)
{
    return strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0;
}

char *seal_default_key_path(const char *db_url)
{
    if (!db_url || !*db_url || is_pg_url(db_url))
        return NULL;
    return xasprintf("%s.key", db_url);
}

char *seal_key_path(const char *db_url, const char *explicit_path)
{
    if (explicit_path && *explicit_path)
        return xstrdup(explicit_path);
    const char *env = getenv("JOUDA_KEY_FILE");
    if (env && *env)
        return xstrdup(env);
    return seal_default_key_path(db_url);
}

/* --- the process key */

static void key_forget_at_exit(void) { seal_forget(); }

/* Under the write lock. */
static void key_store(const unsigned char key[SEAL_KEY_BYTES])
{
    if (!key_mem) {
        if (sodium_init() < 0) {
            log_error("seal: libsodium cannot be initialised");
            abort();
        }
        key_mem = sodium_malloc(SEAL_KEY_BYTES);
        if (!key_mem) {
            log_error("seal: out of memory");
            abort();
        }
        if (!atexit_done) {
            atexit(key_forget_at_exit);
            atexit_done = true;
        }
    } else {
        sodium_mprotect_readwrite(key_mem);
    }
    memcpy(key_mem, key, SEAL_KEY_BYTES);
    sodium_mprotect_readonly(key_mem);
    key_loaded = true;
}

void seal_key_set(const unsigned char key[SEAL_KEY_BYTES])
{
    pthread_rwlock_wrlock(&key_lock);
    key_store(key);
    pthread_rwlock_unlock(&key_lock);
}

bool seal_ready(void)
{
    pthread_rwlock_rdlock(&key_lock);
    bool ready = key_loaded;
    pthread_rwlock_unlock(&key_lock);
    return ready;
}

void seal_forget(void)
{
    pthread_rwlock_wrlock(&key_lock);
    if (key_mem)
        sodium_free(key_mem); /* wipes it */
    key_mem = NULL;
    key_loaded = false;
    pthread_rwlock_unlock(&key_lock);
}

/* --- key files */

/* Make a new file's name durable: fsync its directory. */
static void fsync_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? (slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path)))
                      : xstrdup(".");
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

int seal_key_create(const char *path, char *err, size_t errlen)
{
    if (!path || !*path) {
        snprintf(err, errlen, "no key file given");
        return -1;
    }
    if (sodium_init() < 0) {
        snprintf(err, errlen, "libsodium cannot be initialised");
        return -1;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            snprintf(err, errlen, "the key file %s already exists (a key file is never overwritten)", path);
        else
            snprintf(err, errlen, "cannot create the key file %s: %s", path, strerror(errno));
        return -1;
    }
    unsigned char key[SEAL_KEY_BYTES];
    char text[KEY_HEX + 2];
    randombytes_buf(key, sizeof key);
    sodium_bin2hex(text, KEY_HEX + 1, key, sizeof key);
    sodium_memzero(key, sizeof key);
    text[KEY_HEX] = '\n';
    text[KEY_HEX + 1] = '\0';
    /* The umask may only have removed bits; make sure of the mode anyway. */
    bool ok = fchmod(fd, 0600) == 0;
    size_t done = 0;
    while (ok && done < KEY_HEX + 1) {
        ssize_t w = write(fd, text + done, KEY_HEX + 1 - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            ok = false;
        else
            done += (size_t)w;
    }
    sodium_memzero(text, sizeof text);
    if (ok)
        ok = fsync(fd) == 0;
    int saved = errno;
    if (close(fd) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (!ok) {
        unlink(path);
        snprintf(err, errlen, "cannot write the key file %s: %s", path, strerror(saved));
        return -1;
    }
    fsync_parent(path);
    return 0;
}

int seal_key_read(const char *path, unsigned char key[SEAL_KEY_BYTES], char *err, size_t errlen)
{
    if (!path || !*path) {
        snprintf(err, errlen, "no key file given");
        return -1;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot read the key file %s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        snprintf(err, errlen, "cannot read the key file %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s is not a Jouda key file (not a regular file)", path);
        close(fd);
        return -1;
    }
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        snprintf(err, errlen,
                 "the key file %s may be used by others (mode %03o): it must be readable by its "
                 "owner only (chmod 600 %s)",
                 path, (unsigned)(st.st_mode & 0777), path);
        close(fd);
        return -1;
    }
    /* One byte more than a key file holds, to see a longer file. */
    char text[KEY_HEX + 3];
    size_t len = 0;
    for (;;) {
        ssize_t r = read(fd, text + len, sizeof text - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(err, errlen, "cannot read the key file %s: %s", path, strerror(errno));
            sodium_memzero(text, sizeof text);
            close(fd);
            return -1;
        }
        if (r == 0)
            break;
        len += (size_t)r;
        if (len == sizeof text)
            break;
    }
    close(fd);
    size_t binlen = 0;
    const char *end = NULL;
    bool ok = (len == KEY_HEX || (len == KEY_HEX + 1 && text[KEY_HEX] == '\n'));
    if (ok)
        ok = sodium_hex2bin(key, SEAL_KEY_BYTES, text, KEY_HEX, NULL, &binlen, &end) == 0 &&
             binlen == SEAL_KEY_BYTES && end == text + KEY_HEX;
    sodium_memzero(text, sizeof text);
    if (!ok) {
        sodium_memzero(key, SEAL_KEY_BYTES);
        snprintf(err, errlen, "%s is not a Jouda key file (64 hexadecimal digits and a line break expected)",
                 path);
        return -1;
    }
    return 0;
}

int seal_key_load(const char *path, char *err, size_t errlen)
{
    if (sodium_init() < 0) {
        snprintf(err, errlen, "libsodium cannot be initialised");
        return -1;
    }
    unsigned char *key = sodium_malloc(SEAL_KEY_BYTES);
    if (!key) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = seal_key_read(path, key, err, errlen);
    if (rc == 0)
        seal_key_set(key);
    sodium_free(key);
    return rc;
}

/* --- sealing */

static const char *seal_raw(arena_t *a, const unsigned char *key, const char *plain)
{
    size_t n = strlen(plain);
    if (n > SIZE_MAX / 2 - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES) {
        log_error("seal: text too long");
        abort();
    }
    size_t rawlen = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
    unsigned char *raw = xmalloc(rawlen);
    randombytes_buf(raw, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(raw + crypto_secretbox_NONCEBYTES, (const unsigned char *)plain, n, raw, key);
    size_t b64len = sodium_base64_encoded_len(rawlen, VARIANT); /* with the NUL */
    char *out = arena_alloc(a, PREFIX_LEN + b64len);
    memcpy(out, SEAL_PREFIX, PREFIX_LEN);
    sodium_bin2base64(out + PREFIX_LEN, b64len, raw, rawlen, VARIANT);
    free(raw);
    return out;
}

static int open_raw(arena_t *a, const unsigned char *key, const char *sealed, const char **out)
{
    if (strncmp(sealed, SEAL_PREFIX, PREFIX_LEN) != 0)
        return -1;
    const char *b64 = sealed + PREFIX_LEN;
    size_t b64len = strlen(b64);
    size_t maxlen = b64len / 4 * 3 + 3;
    if (maxlen < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
        return -1;
    unsigned char *raw = xmalloc(maxlen);
    size_t rawlen = 0;
    const char *end = NULL;
    if (sodium_base642bin(raw, maxlen, b64, b64len, NULL, &rawlen, &end, VARIANT) != 0 ||
        end != b64 + b64len || rawlen < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
        free(raw);
        return -1;
    }
    size_t n = rawlen - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
    char *plain = arena_alloc(a, n + 1);
    int rc = crypto_secretbox_open_easy((unsigned char *)plain, raw + crypto_secretbox_NONCEBYTES,
                                        rawlen - crypto_secretbox_NONCEBYTES, raw, key);
    free(raw);
    /* Only text is sealed: a NUL byte inside would cut it short. */
    if (rc != 0 || memchr(plain, '\0', n)) {
        sodium_memzero(plain, n);
        return -1;
    }
    plain[n] = '\0';
    *out = plain;
    return 0;
}

const char *seal_text_with(arena_t *a, const unsigned char key[SEAL_KEY_BYTES], const char *plain)
{
    if (!plain || !*plain)
        return NULL;
    if (sodium_init() < 0) {
        log_error("seal: libsodium cannot be initialised");
        abort();
    }
    return seal_raw(a, key, plain);
}

int seal_open_with(arena_t *a, const unsigned char key[SEAL_KEY_BYTES], const char *sealed,
                   const char **out)
{
    const char *dummy;
    if (!out)
        out = &dummy;
    *out = NULL;
    if (!sealed || !*sealed)
        return 0;
    if (sodium_init() < 0)
        return -1;
    return open_raw(a, key, sealed, out);
}

const char *seal_text(arena_t *a, const char *plain)
{
    if (!plain || !*plain)
        return NULL;
    pthread_rwlock_rdlock(&key_lock);
    if (!key_loaded) {
        pthread_rwlock_unlock(&key_lock);
        /* Sealing under no key would lose the text: commands that write
         * sealed text load the key first. */
        log_error("seal: seal_text called before a key was loaded");
        abort();
    }
    const char *s = seal_raw(a, key_mem, plain);
    pthread_rwlock_unlock(&key_lock);
    return s;
}

int seal_open(arena_t *a, const char *sealed, const char **out)
{
    const char *dummy;
    if (!out)
        out = &dummy;
    *out = NULL;
    if (!sealed || !*sealed)
        return 0;
    pthread_rwlock_rdlock(&key_lock);
    int rc = -1;
    if (key_loaded)
        rc = open_raw(a, key_mem, sealed, out);
    else
        log_error("seal: seal_open called before a key was loaded");
    pthread_rwlock_unlock(&key_lock);
    return rc;
}

/* --- the database's check */

/* The setting's value: 1 and *value (in the arena), 0 when absent, -1. */
static int check_read(db_t *db, arena_t *a, const char **value)
{
    *value = NULL;
    db_res_t *res = db_query(db, "SELECT value FROM settings WHERE key = ?",
                             PARAMS(P_TEXT(SEAL_CHECK_SETTING)));
    if (!res)
        return -1;
    int found = 0;
    if (db_next(res)) {
        *value = arena_strdup(a, db_text(res, 0));
        found = 1;
    }
    int st = db_res_status(res);
    db_res_free(res);
    return st == DB_OK ? found : -1;
}

int seal_db_checked(db_t *db)
{
    if (!db)
        return -1;
    arena_t *a = arena_new();
    const char *v;
    int rc = check_read(db, a, &v);
    arena_free(a);
    return rc;
}

int seal_check_db(db_t *db, char *err, size_t errlen)
{
    if (!db) {
        snprintf(err, errlen, "no database");
        return -1;
    }
    if (!seal_ready()) {
        snprintf(err, errlen, "no key file loaded");
        return -1;
    }
    arena_t *a = arena_new();
    const char *stored = NULL;
    int found = check_read(db, a, &stored);
    if (found == 0) {
        /* Servers starting at once: the first insert wins, everyone checks
         * the winner's value. */
        const char *check = seal_text(a, SEAL_CHECK_TEXT);
        if (db_exec(db, "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                    PARAMS(P_TEXT(SEAL_CHECK_SETTING), P_TEXT(check))) != DB_OK) {
            snprintf(err, errlen, "cannot write the key check into the database: %s", db_errmsg(db));
            arena_free(a);
            return -1;
        }
        found = check_read(db, a, &stored);
    }
    if (found < 0) {
        snprintf(err, errlen, "cannot read the key check from the database: %s", db_errmsg(db));
        arena_free(a);
        return -1;
    }
    const char *plain = NULL;
    int rc = 0;
    if (found == 0 || seal_open(a, stored, &plain) != 0 || !str_eq(plain, SEAL_CHECK_TEXT)) {
        snprintf(err, errlen, "the key file does not open this database's sealed data (wrong key file?)");
        rc = -1;
    }
    arena_free(a);
    return rc;
}
