/* cli_key.c - the key file of sealed text (src/auth/seal.h) on the command
 * line: finding and loading it for init, serve and demo (created when a
 * database has no sealed data yet, refused when it does not open the
 * database's), and `jouda key rotate`, which seals every sealed value again
 * under a new key in one transaction. */
#include "../auth/seal.h"
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Values read and re-sealed at a time by the rotation. */
#define ROTATE_BATCH 500

static bool path_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* Does the database at url hold a key check yet? Opened without migrations
 * (nothing is written): 1, 0 (also when the database or its settings table
 * does not exist yet), or -1 with err. */
static int db_has_check(const char *url, char *err, size_t errlen)
{
    if (!cli_is_pg_url(url) && !path_exists(url))
        return 0;
    db_t *db = db_open(url, err, errlen);
    if (!db)
        return -1;
    int64_t tables = db_kind(db) == DB_PG
                         ? db_query_int(db,
                                        "SELECT count(*) AS n FROM pg_catalog.pg_tables WHERE tablename = "
                                        "'settings' AND schemaname = ANY (current_schemas(false))",
                                        NOPARAMS, -1)
                         : db_query_int(db,
                                        "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' "
                                        "AND name = 'settings'",
                                        NOPARAMS, -1);
    int rc = tables < 0 ? -1 : tables == 0 ? 0 : seal_db_checked(db);
    if (rc < 0)
        snprintf(err, errlen, "%s", db_errmsg(db));
    db_close(db);
    return rc;
}

int cli_key_load(const char *cmd, const char *url, const char *key_file, char **path_out,
                 bool *created)
{
    *path_out = NULL;
    if (created)
        *created = false;
    char *path = seal_key_path(url, key_file);
    if (!path)
        return cli_usage_error(cmd, "a key file is required with PostgreSQL: --key-file PATH or the "
                                    "environment variable JOUDA_KEY_FILE ('jouda init --key-file PATH' "
                                    "creates it)");
    char err[1024] = "";
    if (!path_exists(path)) {
        int has = db_has_check(url, err, sizeof err);
        if (has < 0) {
            free(path);
            return cli_fail(cmd, "cannot open the database: %s", err);
        }
        if (has > 0) {
            int rc = cli_fail(cmd,
                              "the key file %s is missing: the database's sealed data cannot be "
                              "read without it (--key-file PATH)",
                              path);
            free(path);
            return rc;
        }
        /* No sealed data yet (a new database, or one made before keys
         * existed): this key will be its key. */
        if (seal_key_create(path, err, sizeof err) != 0) {
            free(path);
            return cli_fail(cmd, "%s", err);
        }
        if (created)
            *created = true;
    }
    if (seal_key_load(path, err, sizeof err) != 0) {
        free(path);
        return cli_fail(cmd, "%s", err);
    }
    *path_out = path;
    return CLI_OK;
}

int cli_key_check(const char *cmd, db_t *db, const char *path)
{
    char err[512] = "";
    if (seal_check_db(db, err, sizeof err) != 0)
        return cli_fail(cmd, "%s: %s", path, err);
    return CLI_OK;
}

void cli_key_backup_note(FILE *out, const char *path, bool created)
{
    fprintf(out,
            "%s the key file %s: it opens the sealed data of this database. Back it up apart\n"
            "from the database: a backup of the database without its key is unreadable for\n"
            "sealed fields, and without it the data cannot be read again.\n",
            created ? "Created" : "Using", path);
}

/* --- key rotate ---------------------------------------------------------- */

static void cli_key_help_to(FILE *f)
{
    fprintf(f,
            "Usage: jouda key rotate [--db DB] [--key-file PATH]\n\n"
            "rotate: seals every sealed value of the database again under a new key.\n"
            "  The current key file (--key-file, else JOUDA_KEY_FILE, else \"<db>.key\"\n"
            "  beside a SQLite file) must open the database's sealed data. A new key is\n"
            "  written to PATH.new (mode 0600); every sealed column of every module is\n"
            "  re-sealed in one transaction; after the commit the current key is kept as\n"
            "  PATH.old (older backups of the database need it) and PATH.new becomes PATH.\n"
            "  On any failure before the commit nothing changes and PATH.new is removed.\n"
            "  Servers running on the database hold the old key: restart them right after\n"
            "  (a server stops by itself, with exit status 1, within ten seconds).\n"
            "  PATH.old must not exist yet: move the key of an earlier rotation to the\n"
            "  backups first.\n\n"
            "  --db DB          SQLite file (default %s) or postgresql:// URL\n"
            "  --key-file PATH  the current key file (required with PostgreSQL)\n"
            "  -h, --help       this help\n",
            CLI_DEFAULT_DB);
}

/* A table or column name declared by a module: written into SQL, so only
 * plain identifiers. */
static bool ident_ok(const char *s)
{
    if (!s || !*s || strlen(s) > 63)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || *p == '_' || (p != s && *p >= '0' && *p <= '9')))
            return false;
    return true;
}

/* Re-seal one column; adds the values done to *count. 0, or -1 with err. */
static int rotate_column(db_t *db, const app_sealed_t *s, const unsigned char *old_key,
                         const unsigned char *new_key, int64_t *count, char *err, size_t errlen)
{
    if (!ident_ok(s->table) || !ident_ok(s->key) || !ident_ok(s->column)) {
        snprintf(err, errlen, "a module declares a sealed column with an unexpected name (%s.%s)",
                 s->table ? s->table : "?", s->column ? s->column : "?");
        return -1;
    }
    char *select = xasprintf("SELECT %s, %s FROM %s WHERE %s IS NOT NULL AND %s > ? ORDER BY %s LIMIT %d",
                             s->key, s->column, s->table, s->column, s->key, s->key, ROTATE_BATCH);
    char *update = xasprintf("UPDATE %s SET %s = ? WHERE %s = ?", s->table, s->column, s->key);
    int rc = 0;
    int64_t after = INT64_MIN;
    for (bool more = true; more && rc == 0;) {
        arena_t *a = arena_new();
        int64_t ids[ROTATE_BATCH];
        const char *vals[ROTATE_BATCH];
        size_t n = 0;
        db_res_t *res = db_query(db, select, PARAMS(P_INT(after)));
        if (!res) {
            snprintf(err, errlen, "cannot read %s.%s: %s", s->table, s->column, db_errmsg(db));
            arena_free(a);
            rc = -1;
            break;
        }
        while (n < ROTATE_BATCH && db_next(res)) {
            ids[n] = db_int(res, 0);
            vals[n] = arena_strdup(a, db_text(res, 1));
            n++;
        }
        if (db_res_status(res) != DB_OK) {
            snprintf(err, errlen, "cannot read %s.%s: %s", s->table, s->column, db_errmsg(db));
            rc = -1;
        }
        db_res_free(res);
        more = n == ROTATE_BATCH;
        for (size_t i = 0; i < n && rc == 0; i++) {
            after = ids[i];
            const char *plain = NULL;
            if (seal_open_with(a, old_key, vals[i], &plain) != 0) {
                snprintf(err, errlen,
                         "%s.%s of %s %lld is not a value sealed with the current key: nothing was "
                         "changed",
                         s->table, s->column, s->key, (long long)ids[i]);
                rc = -1;
                break;
            }
            if (!plain) /* an empty text: nothing sealed */
                continue;
            const char *sealed = seal_text_with(a, new_key, plain);
            sodium_memzero((void *)plain, strlen(plain));
            if (db_exec(db, update, PARAMS(P_TEXT(sealed), P_INT(ids[i]))) != DB_OK) {
                snprintf(err, errlen, "cannot write %s.%s: %s", s->table, s->column, db_errmsg(db));
                rc = -1;
                break;
            }
            (*count)++;
        }
        arena_free(a);
    }
    free(select);
    free(update);
    return rc;
}

/* Make the renames durable: fsync the directory of path. */
static void fsync_dir_of(const char *path)
{
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    int fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

/* Does key open the database's check? */
static bool key_opens_check(db_t *db, const unsigned char *key)
{
    arena_t *a = arena_new();
    const char *plain = NULL;
    json_t *row = db_query_row_json(db, "SELECT value FROM settings WHERE key = ?",
                                    PARAMS(P_TEXT(SEAL_CHECK_SETTING)));
    const char *v = row ? json_string_value(json_object_get(row, "value")) : NULL;
    bool ok = v && seal_open_with(a, key, v, &plain) == 0 && str_eq(plain, SEAL_CHECK_TEXT);
    json_decref(row);
    arena_free(a);
    return ok;
}

static int cli_key_rotate(int argc, char **argv)
{
    const char *cmd = argv[0], *url = CLI_DEFAULT_DB, *key_file = NULL;
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"key-file", required_argument, 0, 'k'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': url = optarg; break;
        case 'k': key_file = optarg; break;
        case 'h': cli_key_help_to(stdout); return CLI_OK;
        default: fprintf(stderr, "Try '%s --help'.\n", cmd); return CLI_USAGE;
        }
    }
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (!*url)
        return cli_usage_error(cmd, "--db must not be empty");
    if (key_file && !*key_file)
        return cli_usage_error(cmd, "--key-file must not be empty");
    char *path = seal_key_path(url, key_file);
    if (!path)
        return cli_usage_error(cmd, "a key file is required with PostgreSQL: --key-file PATH or the "
                                    "environment variable JOUDA_KEY_FILE");
    char *new_path = xasprintf("%s.new", path), *old_path = xasprintf("%s.old", path);
    unsigned char *old_key = NULL, *new_key = NULL;
    db_t *db = NULL;
    bool created = false, begun = false;
    int rc = CLI_OK;
    char err[1024] = "";
    if (sodium_init() < 0) {
        rc = cli_fail(cmd, "cannot initialise the crypto library");
        goto out;
    }
    old_key = sodium_malloc(SEAL_KEY_BYTES);
    new_key = sodium_malloc(SEAL_KEY_BYTES);
    if (!old_key || !new_key) {
        rc = cli_fail(cmd, "out of memory");
        goto out;
    }
    if (!path_exists(path)) {
        rc = cli_fail(cmd, "the key file %s is missing (--key-file PATH)", path);
        goto out;
    }
    if (seal_key_read(path, old_key, err, sizeof err) != 0) {
        rc = cli_fail(cmd, "%s", err);
        goto out;
    }
    if (path_exists(old_path)) {
        rc = cli_fail(cmd,
                      "%s exists: it holds the key of an earlier rotation, which backups of the "
                      "database from before it need. Move it to where those backups are kept, "
                      "then run this again.",
                      old_path);
        goto out;
    }
    /* Start hooks of the modules may seal: the current key is the process's. */
    seal_key_set(old_key);
    db = cli_open_db(cmd, url, true);
    if (!db) {
        rc = CLI_FAIL;
        goto out;
    }
    if (path_exists(new_path)) {
        /* An earlier rotation stopped: before its commit (PATH.new is useless)
         * or after it (PATH.new is the database's key now). */
        if (seal_key_read(new_path, new_key, err, sizeof err) == 0 && key_opens_check(db, new_key))
            rc = cli_fail(cmd,
                          "%s exists and the database was sealed again with it by a rotation that "
                          "stopped before its end: finish it by hand:\n  mv %s %s && mv %s %s",
                          new_path, path, old_path, new_path, path);
        else
            rc = cli_fail(cmd,
                          "%s exists: an earlier rotation stopped before its commit and the "
                          "database still uses %s; remove %s and run this again",
                          new_path, path, new_path);
        goto out;
    }
    if (seal_check_db(db, err, sizeof err) != 0) {
        rc = cli_fail(cmd, "%s: %s", path, err);
        goto out;
    }
    if (seal_key_create(new_path, err, sizeof err) != 0) {
        rc = cli_fail(cmd, "%s", err);
        goto out;
    }
    created = true;
    if (seal_key_read(new_path, new_key, err, sizeof err) != 0) {
        rc = cli_fail(cmd, "%s", err);
        goto out;
    }
    if (db_begin(db) != DB_OK) {
        rc = cli_fail(cmd, "cannot start a transaction: %s", db_errmsg(db));
        goto out;
    }
    begun = true;
    int64_t count = 0;
    size_t columns = 0;
    for (size_t i = 0; i < app_module_count(); i++) {
        const module_t *m = app_module(i);
        for (size_t j = 0; j < m->n_sealed; j++) {
            if (rotate_column(db, &m->sealed[j], old_key, new_key, &count, err, sizeof err) != 0) {
                rc = cli_fail(cmd, "%s", err);
                goto out;
            }
            columns++;
        }
    }
    arena_t *a = arena_new();
    const char *check = seal_text_with(a, new_key, SEAL_CHECK_TEXT);
    int st = db_exec(db, "UPDATE settings SET value = ? WHERE key = ?",
                     PARAMS(P_TEXT(check), P_TEXT(SEAL_CHECK_SETTING)));
    arena_free(a);
    if (st != DB_OK || db_changes(db) != 1) {
        rc = cli_fail(cmd, "cannot write the key check: %s", db_errmsg(db));
        goto out;
    }
    begun = false;
    if (db_commit(db) != DB_OK) {
        rc = cli_fail(cmd, "cannot save (nothing was changed): %s", db_errmsg(db));
        goto out;
    }
    /* Committed: PATH.new is the database's key from now on. PATH keeps
     * existing throughout (a hard link to PATH.old, then replaced at once). */
    created = false;
    bool linked = link(path, old_path) == 0;
    if (!linked && rename(path, old_path) != 0) {
        rc = cli_fail(cmd,
                      "the database was sealed again with the key in %s, but %s could not be "
                      "renamed (%s): do it by hand before starting a server:\n  mv %s %s && mv %s %s",
                      new_path, path, strerror(errno), path, old_path, new_path, path);
        goto out;
    }
    if (rename(new_path, path) != 0) {
        rc = cli_fail(cmd,
                      "the database was sealed again with the key in %s, but it could not be "
                      "renamed (%s): do it by hand before starting a server:\n  mv %s %s",
                      new_path, strerror(errno), new_path, path);
        goto out;
    }
    fsync_dir_of(path);
    seal_key_set(new_key);
    printf("Re-sealed %lld value%s in %zu column%s with a new key.\n"
           "The key file %s holds the new key; the previous one is kept in %s\n"
           "(backups of the database made before now need it: keep it with them).\n"
           "Restart every 'jouda serve' using this database now: they hold the old key.\n",
           (long long)count, count == 1 ? "" : "s", columns, columns == 1 ? "" : "s", path, old_path);
out:
    if (begun)
        db_rollback(db);
    if (created)
        unlink(new_path);
    if (db)
        db_close(db);
    sodium_free(old_key);
    sodium_free(new_key);
    free(path);
    free(new_path);
    free(old_path);
    return rc;
}

int cli_key(int argc, char **argv)
{
    const char *cmd = argv[0];
    if (argc < 2) {
        fprintf(stderr, "%s: say which action: rotate\n\n", cmd);
        cli_key_help_to(stderr);
        return CLI_USAGE;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
        cli_key_help_to(stdout);
        return CLI_OK;
    }
    if (strcmp(sub, "rotate") != 0)
        return cli_usage_error(cmd, "unknown action '%s' (rotate)", sub);
    char *name = xasprintf("%s %s", cmd, sub);
    argv[1] = name;
    int rc = cli_key_rotate(argc - 1, argv + 1);
    free(name);
    return rc;
}
