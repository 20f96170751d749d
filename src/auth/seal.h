/* seal.h - sensitive text sealed at rest: libsodium's secretbox
 * (XSalsa20-Poly1305) with one 32-byte key kept outside the database, in a
 * key file readable by its owner only. `jouda init` creates "<db>.key"
 * beside a SQLite file when none exists; `jouda serve` (and the commands
 * that write sealed text) read it by default; --key-file PATH (or the
 * environment variable JOUDA_KEY_FILE) names another one, and is required
 * with PostgreSQL.
 *
 * A sealed value is text: "s1:" followed by the base64 (standard alphabet,
 * no padding) of the 24-byte nonce and the box. Settings keep "seal_check",
 * a known text sealed with the key, so a wrong key is refused at start with
 * a clear message instead of failing later on each value.
 *
 * The key lives in the process (locked in memory, wiped at exit); the
 * functions are safe from any thread once it is loaded. */
#ifndef JOUDA_SEAL_H
#define JOUDA_SEAL_H

#include "../core/core.h"
#include "../db/db.h"

#include <stdbool.h>
#include <stddef.h>

#define SEAL_KEY_BYTES 32
#define SEAL_PREFIX "s1:"

/* The default key file of a database: "<path>.key" for a SQLite file
 * (malloc'd), NULL for a PostgreSQL URL (there is no default). */
char *seal_default_key_path(const char *db_url);
/* The key file to use: explicit (--key-file) when not NULL, else the
 * environment's JOUDA_KEY_FILE when set, else the default; malloc'd, NULL
 * when there is none (PostgreSQL without either). */
char *seal_key_path(const char *db_url, const char *explicit_path);

/* Create a new key file at path (mode 0600, created exclusively: an
 * existing file is never overwritten). 0, or -1 with err. */
int seal_key_create(const char *path, char *err, size_t errlen);
/* Read a key file (exactly the key, written as 64 hex digits and a line
 * break) into the process key. Refuses a file others may read or write.
 * 0, or -1 with err ("cannot read ...", "... is not a Jouda key file"). */
int seal_key_load(const char *path, char *err, size_t errlen);
/* Use these bytes as the process key (tests, rotation). */
void seal_key_set(const unsigned char key[SEAL_KEY_BYTES]);
bool seal_ready(void);
void seal_forget(void);

/* Compare the key with the database's: settings "seal_check" is written
 * with this key when absent; when present and this key does not open it:
 * -1 with err "the key file does not open this database's sealed data
 * (wrong key file?)". 0 when they match. */
int seal_check_db(db_t *db, char *err, size_t errlen);

/* Seal plain text (NULL or "" -> NULL: nothing stored). In the arena.
 * Aborts when no key is loaded (a programming error: commands that write
 * sealed text load the key first). */
const char *seal_text(arena_t *a, const char *plain);
/* Open a sealed value: 0 with *out (in the arena; NULL for NULL/""), -1
 * when it is malformed or was sealed with another key. */
int seal_open(arena_t *a, const char *sealed, const char **out);
/* The same with an explicit key (rotation). */
const char *seal_text_with(arena_t *a, const unsigned char key[SEAL_KEY_BYTES],
                           const char *plain);
int seal_open_with(arena_t *a, const unsigned char key[SEAL_KEY_BYTES], const char *sealed,
                   const char **out);

/* Additions (key rotation, start-up): */

/* The setting holding the check, and the text it seals. */
#define SEAL_CHECK_SETTING "seal_check"
#define SEAL_CHECK_TEXT "jouda seal check"

/* Read a key file into key (the same checks as seal_key_load) without
 * touching the process key: rotation holds the old and the new key at once.
 * 0, or -1 with err (key wiped). */
int seal_key_read(const char *path, unsigned char key[SEAL_KEY_BYTES], char *err, size_t errlen);
/* Whether the database holds a key check yet (a database made before keys
 * existed has none): 1, 0, or -1 on a database error. */
int seal_db_checked(db_t *db);

#endif
