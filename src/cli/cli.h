/* cli.h - the command line: one binary, one function per subcommand, and the
 * few helpers they share (usage errors, database opening, secrets from the
 * environment or standard input, finding a user by login).
 * Exit codes: 0 done, 1 runtime failure (database unreachable...), 2 usage
 * error (unknown option, missing or invalid value). */
#ifndef JOUDA_CLI_H
#define JOUDA_CLI_H

#include "../app/app.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

#define CLI_DEFAULT_DB "var/jouda.db"

/* The composition root (modules.c): hands the modules to the framework.
 * Called first by main, and by the tests. */
void jouda_use_modules(void);

/* Subcommands: argv[0] is "jouda <name>", options follow. */
int cli_serve(int argc, char **argv);
int cli_init(int argc, char **argv);
int cli_migrate(int argc, char **argv);
int cli_demo(int argc, char **argv);
int cli_user(int argc, char **argv);
int cli_token(int argc, char **argv);
int cli_backup(int argc, char **argv);
int cli_remind(int argc, char **argv);
int cli_key(int argc, char **argv);
int cli_retention(int argc, char **argv);
int cli_kit(int argc, char **argv);

/* Prints "<cmd>: <message>" and the hint to --help on stderr; returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints "<cmd>: <message>" on stderr; returns CLI_FAIL. */
int cli_fail(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

bool cli_is_pg_url(const char *url);
/* For a SQLite path: creates its directory when missing (mkdir -p). */
int cli_prepare_sqlite_dir(const char *url);
/* Open and migrate (app_open_db). must_exist: refuse a SQLite file that is
 * not there yet (commands that only make sense on an initialised database).
 * Prints the reason and returns NULL on failure. */
db_t *cli_open_db(const char *cmd, const char *url, bool must_exist);
/* For a SQLite path: warns on stderr about the database file (and its -wal
 * and -shm files) when other users may read or write it:
 * "<cmd>: warning: PATH is readable by other users (mode 0644): chmod 600 it".
 * Files that do not exist are not mentioned. */
void cli_warn_db_mode(const char *cmd, const char *url);

/* A password from the environment variable env, else standard input (one
 * line; without echo and asked twice when it is a terminal). 0, or -1 when
 * none was given (message printed). */
int cli_read_password(const char *cmd, const char *env, char *out, size_t outlen);

/* The key file of sealed text (src/auth/seal.h; cli_key.c). Before opening
 * the database: finds it (key_file from --key-file, else JOUDA_KEY_FILE,
 * else "<db>.key" for SQLite; PostgreSQL needs one: usage error), creates it
 * when missing and the database holds no sealed data yet (*created), refuses
 * a missing one when it does ("the key file ... is missing"), and loads it.
 * CLI_OK with *path (malloc'd), or a code (message printed). */
int cli_key_load(const char *cmd, const char *url, const char *key_file, char **path,
                 bool *created);
/* After opening: the key against the database's check (written when
 * absent). CLI_OK, or CLI_FAIL with the message naming the file. */
int cli_key_check(const char *cmd, db_t *db, const char *path);
/* Says where the key is and that it must be backed up apart from the database. */
void cli_key_backup_note(FILE *out, const char *path, bool created);

/* A user's id by email (case-insensitive) or username, active or not; 0 when none. */
int64_t cli_find_user(db_t *db, const char *login);

#endif
