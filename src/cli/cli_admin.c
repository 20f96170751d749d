/* cli_admin.c - the administration subcommands: init, migrate, user
 * (add, list, disable), token (create, list, revoke) and backup, and the helpers every
 * subcommand shares. Passwords never come from the command line (they would
 * show in the process list and the shell history). Every write is audited
 * with actor 0, the system. */
#include "../account/account.h"
#include "../app/app.h"
#include "../audit/audit.h"
#include "../auth/auth.h"
#include "../kit/kit.h"
#include "../nodes/nodes.h"
#include "../users/users.h"
#include "cli.h"

#define CLI_HASH_LEN 128 /* crypto_pwhash_STRBYTES */

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

/* --- Shared helpers ------------------------------------------------------ */

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry '%s --help'.\n", cmd);
    va_end(ap);
    return CLI_USAGE;
}

int cli_fail(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return CLI_FAIL;
}

bool cli_is_pg_url(const char *url)
{
    return url && (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0);
}

int cli_prepare_sqlite_dir(const char *url)
{
    if (!url || cli_is_pg_url(url))
        return 0;
    char *dir = xstrdup(url);
    char *slash = strrchr(dir, '/');
    int rc = 0;
    if (slash && slash != dir) {
        *slash = '\0';
        /* mkdir -p */
        for (char *p = dir + 1; *p; p++) {
            if (*p != '/')
                continue;
            *p = '\0';
            if (mkdir(dir, 0750) != 0 && errno != EEXIST)
                rc = -1;
            *p = '/';
        }
        if (mkdir(dir, 0750) != 0 && errno != EEXIST)
            rc = -1;
    }
    free(dir);
    return rc;
}

void cli_warn_db_mode(const char *cmd, const char *url)
{
    if (!url || !*url || cli_is_pg_url(url))
        return;
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < ARRAY_LEN(suffixes); i++) {
        char *path = xasprintf("%s%s", url, suffixes[i]);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & (S_IRWXG | S_IRWXO))) {
            const char *how = (st.st_mode & (S_IRGRP | S_IROTH)) ? "readable" : "writable";
            fprintf(stderr, "%s: warning: %s is %s by other users (mode %04o): chmod 600 it\n",
                    cmd, path, how, (unsigned)(st.st_mode & 07777));
        }
        free(path);
    }
}

db_t *cli_open_db(const char *cmd, const char *url, bool must_exist)
{
    if (!cli_is_pg_url(url)) {
        struct stat st;
        if (must_exist && stat(url, &st) != 0) {
            fprintf(stderr, "%s: no database at %s (run 'jouda init --db %s' first)\n", cmd, url,
                    url);
            return NULL;
        }
        if (cli_prepare_sqlite_dir(url) != 0) {
            fprintf(stderr, "%s: cannot create the directory of %s: %s\n", cmd, url,
                    strerror(errno));
            return NULL;
        }
    }
    char err[512] = "";
    db_t *db = app_open_db(url, err, sizeof err);
    if (!db) {
        fprintf(stderr, "%s: cannot open the database: %s\n", cmd, *err ? err : "unknown error");
        return NULL;
    }
    return db;
}

static void cli_chomp(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
}

/* One line from standard input into out; false at end of input. */
static bool cli_read_line(char *out, size_t outlen)
{
    if (!fgets(out, (int)outlen, stdin))
        return false;
    cli_chomp(out);
    return true;
}

static bool cli_read_hidden(const char *prompt, char *out, size_t outlen)
{
    struct termios old, quiet;
    fputs(prompt, stderr);
    fflush(stderr);
    bool restore = tcgetattr(STDIN_FILENO, &old) == 0;
    if (restore) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        quiet.c_lflag |= ECHONL;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    bool ok = cli_read_line(out, outlen);
    if (restore)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    return ok;
}

int cli_read_password(const char *cmd, const char *env, char *out, size_t outlen)
{
    const char *from_env = env ? getenv(env) : NULL;
    if (from_env && *from_env) {
        snprintf(out, outlen, "%s", from_env);
        return 0;
    }
    if (isatty(STDIN_FILENO)) {
        char again[PASSWORD_MAX * 4 + 8];
        if (!cli_read_hidden("Password: ", out, outlen) ||
            !cli_read_hidden("Password again: ", again, sizeof again)) {
            fprintf(stderr, "%s: no password given\n", cmd);
            return -1;
        }
        if (strcmp(out, again) != 0) {
            fprintf(stderr, "%s: the two passwords differ\n", cmd);
            return -1;
        }
        return 0;
    }
    if (!cli_read_line(out, outlen) || !*out) {
        fprintf(stderr, "%s: no password given: set %s or write it on standard input\n", cmd,
                env ? env : "it");
        return -1;
    }
    return 0;
}

int64_t cli_find_user(db_t *db, const char *login)
{
    return users_find_id(db, login);
}

/* A password from env or stdin, checked, hashed into hash (>= 128). */
static int cli_password_hash(const char *cmd, const char *env, char *hash, size_t hashlen)
{
    char pw[PASSWORD_MAX * 4 + 8];
    if (cli_read_password(cmd, env, pw, sizeof pw) != 0)
        return CLI_USAGE;
    const char *why = password_problem(pw);
    if (why) {
        memset(pw, 0, sizeof pw);
        return cli_usage_error(cmd, "%s", why);
    }
    int rc = password_hash(pw, hash, hashlen);
    memset(pw, 0, sizeof pw);
    return rc == 0 ? CLI_OK : cli_fail(cmd, "cannot hash the password");
}

/* getopt_long from the start of a new argv (glibc: optind = 0 re-initialises). */
static void cli_getopt_reset(void)
{
    optind = 0;
    opterr = 1;
}

#define CLI_BAD_OPTION(cmd) (fprintf(stderr, "Try '%s --help'.\n", cmd), CLI_USAGE)

/* --- init ---------------------------------------------------------------- */

static void cli_init_help(void)
{
    printf("Usage: jouda init [--db DB] [--key-file PATH] --admin-email EMAIL [--admin-name NAME]\n"
           "                  [--name INSTANCE]\n\n"
           "Creates the database (or migrates it), adds the content Jouda ships, and creates\n"
           "the first national administrator (role admin at the root of the platform).\n"
           "It also creates the key file that seals sensitive text at rest when there is\n"
           "none (mode 0600; never overwritten): \"<db>.key\" beside a SQLite file, or the\n"
           "file --key-file (or JOUDA_KEY_FILE) names, which PostgreSQL requires. Back it\n"
           "up apart from the database: without it the sealed data cannot be read.\n"
           "The password comes from the environment variable JOUDA_ADMIN_PASSWORD, else from\n"
           "standard input (one line; asked twice without echo on a terminal); never from\n"
           "the command line. At least %d characters.\n\n"
           "If an account with that email exists already, it is left unchanged and init\n"
           "ends with 'admin already exists' (exit code 0): running init again is safe.\n\n"
           "  --db DB              SQLite file (default %s) or postgresql:// URL\n"
           "  --key-file PATH      the key file (default: \"<db>.key\" for SQLite; required\n"
           "                       with PostgreSQL, also from JOUDA_KEY_FILE)\n"
           "  --admin-email EMAIL  the administrator's login\n"
           "  --admin-name NAME    the name shown (default \"Administrateur national\")\n"
           "  --name INSTANCE      the instance's name, the producer of the transfer kits it\n"
           "                       exports (default \"Jouda\"; kept when not given again)\n"
           "  -h, --help           this help\n",
           PASSWORD_MIN, CLI_DEFAULT_DB);
}

/* Content every instance has right after init (référentiels and lists come
 * with later modules; the root node comes with the org migration). */
static int cli_seed(db_t *db)
{
    return nodes_root_id(db) > 0 ? 0 : -1;
}

int cli_init(int argc, char **argv)
{
    const char *cmd = argv[0], *url = CLI_DEFAULT_DB, *email = NULL,
               *name = "Administrateur national", *key_file = NULL, *instance = NULL;
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"key-file", required_argument, 0, 'k'},
                                         {"admin-email", required_argument, 0, 'e'},
                                         {"admin-name", required_argument, 0, 'n'},
                                         {"name", required_argument, 0, 'I'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': url = optarg; break;
        case 'k': key_file = optarg; break;
        case 'e': email = optarg; break;
        case 'n': name = optarg; break;
        case 'I': instance = optarg; break;
        case 'h': cli_init_help(); return CLI_OK;
        default: return CLI_BAD_OPTION(cmd);
        }
    }
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (!email || !*email)
        return cli_usage_error(cmd, "--admin-email is required");
    if (!strchr(email, '@') || strlen(email) > 254)
        return cli_usage_error(cmd, "'%s' is not an email address", email);
    if (!*url)
        return cli_usage_error(cmd, "--db must not be empty");
    if (key_file && !*key_file)
        return cli_usage_error(cmd, "--key-file must not be empty");
    if (instance && !kit_instance_name_ok(instance))
        return cli_usage_error(cmd, "--name must be 1 to 100 characters on one line");

    cli_warn_db_mode(cmd, url);
    if (cli_prepare_sqlite_dir(url) != 0)
        return cli_fail(cmd, "cannot create the directory of %s: %s", url, strerror(errno));
    char *key_path = NULL;
    bool key_created = false;
    int rc = cli_key_load(cmd, url, key_file, &key_path, &key_created);
    if (rc != CLI_OK)
        return rc;
    db_t *db = cli_open_db(cmd, url, false);
    if (!db) {
        free(key_path);
        return CLI_FAIL;
    }
    if ((rc = cli_key_check(cmd, db, key_path)) != CLI_OK)
        goto out;
    if (cli_seed(db) != 0) {
        rc = cli_fail(cmd, "the database has no root node: %s", db_errmsg(db));
        goto out;
    }
    printf("Database ready (%s, schema version %d).\n", db_kind_name(db), db_schema_version(db));
    if (instance && kit_set_instance_name(db, instance, 0, "cli") != RES_OK) {
        rc = cli_fail(cmd, "cannot save the instance's name: %s", db_errmsg(db));
        goto out;
    }
    {
        arena_t *na = arena_new();
        printf("Instance name: %s\n", kit_instance_name(db, na));
        arena_free(na);
    }
    cli_key_backup_note(stdout, key_path, key_created);
    if (cli_find_user(db, email) > 0) {
        printf("admin already exists: %s (unchanged)\n", email);
        goto out;
    }
    char hash[CLI_HASH_LEN];
    rc = cli_password_hash(cmd, "JOUDA_ADMIN_PASSWORD", hash, sizeof hash);
    if (rc != CLI_OK)
        goto out;
    int64_t root = nodes_root_id(db);
    role_t role = ROLE_ADMIN;
    user_new_t u = {.email = email, .name = name, .language = "fr", .password_hash = hash,
                        .home_node_id = root, .roles = &role, .role_nodes = &root, .n_roles = 1};
    const char *why = NULL;
    int64_t id = 0;
    if (db_begin(db) != DB_OK) {
        rc = cli_fail(cmd, "cannot start a transaction: %s", db_errmsg(db));
        goto out;
    }
    if (users_insert(db, 0, &u, NULL, &id, &why, NULL) != RES_OK) {
        db_rollback(db);
        rc = why ? cli_usage_error(cmd, "%s", why) : cli_fail(cmd, "cannot create the account");
        goto out;
    }
    if (db_commit(db) != DB_OK) {
        rc = cli_fail(cmd, "cannot save: %s", db_errmsg(db));
        goto out;
    }
    printf("Created the national administrator %s (user %lld).\n", email, (long long)id);
out:
    db_close(db);
    free(key_path);
    return rc;
}

/* --- migrate ------------------------------------------------------------- */

int cli_migrate(int argc, char **argv)
{
    const char *cmd = argv[0], *url = CLI_DEFAULT_DB;
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': url = optarg; break;
        case 'h':
            printf("Usage: jouda migrate [--db DB]\n\n"
                   "Applies the database migrations not applied yet (serve, init and the other\n"
                   "commands also do it when they start).\n\n"
                   "  --db DB      SQLite file (default %s) or postgresql:// URL\n"
                   "  -h, --help   this help\n",
                   CLI_DEFAULT_DB);
            return CLI_OK;
        default: return CLI_BAD_OPTION(cmd);
        }
    }
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    cli_warn_db_mode(cmd, url);
    db_t *db = cli_open_db(cmd, url, false);
    if (!db)
        return CLI_FAIL;
    printf("Database up to date (%s, schema version %d).\n", db_kind_name(db),
           db_schema_version(db));
    db_close(db);
    return CLI_OK;
}

/* --- user add | list | disable ------------------------------------------ */

static void cli_user_help_to(FILE *f)
{
    fprintf(f, "Usage: jouda user add     [--db DB] (--email EMAIL | --username NAME) --name \"Full name\"\n"
           "                          --role ROLE --node ID [--language fr|ar|en] [--expires-days N]\n"
           "       jouda user list    [--db DB] [--node ID]\n"
           "       jouda user disable [--db DB] EMAIL_OR_USERNAME\n"
           "       jouda user totp-reset [--db DB] EMAIL_OR_USERNAME\n\n"
           "add: creates an account with one role at a node. The password comes from\n"
           "  JOUDA_USER_PASSWORD, else from standard input (never from the command line).\n"
           "  Roles: admin, quality_advisor, observer, director, quality_referent, staff,\n"
           "  inspector. --expires-days ends the role after N days (inspectors).\n"
           "list: one line per account, tab-separated: id, login, name, active (1/0), roles\n"
           "  (role@node,...). --node keeps the accounts managed in that node's subtree.\n"
           "disable: disables the account, ends its sessions and revokes its API tokens.\n"
           "totp-reset: removes the two-step verification of someone who lost their phone\n"
           "  and their recovery codes (check who asks first); they set it up again.\n\n"
           "  --db DB      SQLite file (default %s) or postgresql:// URL\n"
           "  -h, --help   this help\n",
           CLI_DEFAULT_DB);
}

static void cli_user_help(void)
{
    cli_user_help_to(stdout);
}

static int cli_user_add(int argc, char **argv)
{
    const char *cmd = argv[0], *url = CLI_DEFAULT_DB, *email = NULL, *username = NULL,
               *name = NULL, *role_s = NULL, *node_s = NULL, *lang = "fr", *exp_s = NULL;
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'},       {"email", required_argument, 0, 'e'},
        {"username", required_argument, 0, 'u'}, {"name", required_argument, 0, 'n'},
        {"role", required_argument, 0, 'r'},     {"node", required_argument, 0, 'N'},
        {"language", required_argument, 0, 'l'}, {"expires-days", required_argument, 0, 'x'},
        {"help", no_argument, 0, 'h'},           {0, 0, 0, 0}};
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': url = optarg; break;
        case 'e': email = optarg; break;
        case 'u': username = optarg; break;
        case 'n': name = optarg; break;
        case 'r': role_s = optarg; break;
        case 'N': node_s = optarg; break;
        case 'l': lang = optarg; break;
        case 'x': exp_s = optarg; break;
        case 'h': cli_user_help(); return CLI_OK;
        default: return CLI_BAD_OPTION(cmd);
        }
    }
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (!email && !username)
        return cli_usage_error(cmd, "--email or --username is required");
    if (!name || !*name)
        return cli_usage_error(cmd, "--name is required");
    if (!role_s)
        return cli_usage_error(cmd, "--role is required");
    role_t role = role_from_code(role_s);
    if (role == ROLE_NONE)
        return cli_usage_error(cmd, "unknown role '%s'", role_s);
    int64_t node = 0, days = 0;
    if (!node_s || !str_to_i64(node_s, &node) || node <= 0)
        return cli_usage_error(cmd, "--node needs a node id (a positive number)");
    if (exp_s && (!str_to_i64(exp_s, &days) || days <= 0 || days > 3650))
        return cli_usage_error(cmd, "--expires-days needs a number of days (1 to 3650)");
    if (strcmp(lang, "fr") != 0 && strcmp(lang, "ar") != 0 && strcmp(lang, "en") != 0)
        return cli_usage_error(cmd, "--language must be fr, ar or en");

    db_t *db = cli_open_db(cmd, url, true);
    if (!db)
        return CLI_FAIL;
    int rc = CLI_OK;
    arena_t *na = arena_new();
    bool node_exists = *nodes_path_of(db, na, node) != '\0';
    arena_free(na);
    if (!node_exists) {
        rc = cli_usage_error(cmd, "no node with id %lld", (long long)node);
        goto out;
    }
    if ((email && cli_find_user(db, email) > 0) || (username && cli_find_user(db, username) > 0)) {
        rc = cli_fail(cmd, "an account with this email or username exists already");
        goto out;
    }
    char hash[CLI_HASH_LEN];
    rc = cli_password_hash(cmd, "JOUDA_USER_PASSWORD", hash, sizeof hash);
    if (rc != CLI_OK)
        goto out;
    int64_t expiry = days ? now_utc() + days * 86400 : 0;
    user_new_t u = {.email = email, .username = username, .name = name, .language = lang,
                        .password_hash = hash, .roles = &role, .role_nodes = &node,
                        .role_expiry = &expiry, .n_roles = 1};
    const char *why = NULL;
    int64_t id = 0;
    if (db_begin(db) != DB_OK) {
        rc = cli_fail(cmd, "cannot start a transaction: %s", db_errmsg(db));
        goto out;
    }
    if (users_insert(db, 0, &u, NULL, &id, &why, NULL) != RES_OK) {
        db_rollback(db);
        rc = why ? cli_usage_error(cmd, "%s", why) : cli_fail(cmd, "cannot create the account");
        goto out;
    }
    if (db_commit(db) != DB_OK) {
        rc = cli_fail(cmd, "cannot save: %s", db_errmsg(db));
        goto out;
    }
    printf("Created user %lld (%s).\n", (long long)id, email ? email : username);
out:
    db_close(db);
    return rc;
}

static int cli_user_list(int argc, char **argv)
{
    const char *cmd = argv[0], *url = CLI_DEFAULT_DB, *node_s = NULL;
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"node", required_argument, 0, 'N'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': url = optarg; break;
        case 'N': node_s = optarg; break;
        case 'h': cli_user_help(); return CLI_OK;
        default: return CLI_BAD_OPTION(cmd);
        }
    }
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    int64_t node = 0;
    if (node_s && (!str_to_i64(node_s, &node) || node <= 0))
        return cli_usage_error(cmd, "--node needs a node id (a positive number)");
    db_t *db = cli_open_db(cmd, url, true);
    if (!db)
        return CLI_FAIL;
    int rc = CLI_OK;
    arena_t *a = arena_new();
    if (node && !*nodes_path_of(db, a, node)) {
        rc = cli_usage_error(cmd, "no node with id %lld", (long long)node);
        goto out;
    }
    /* one row per (user, role), users in id order; a node's accounts: their
     * home or one of their roles in its subtree */
    json_t *rows = users_listing(db, a, node);
    if (!rows) {
        rc = cli_fail(cmd, "cannot read the accounts: %s", db_errmsg(db));
        goto out;
    }
    int64_t current = 0;
    int nroles = 0;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        int64_t id = json_integer_value(json_object_get(row, "id"));
        if (id != current) {
            if (current)
                putchar('\n');
            current = id;
            nroles = 0;
            const char *login = json_string_value(json_object_get(row, "login"));
            const char *name = json_string_value(json_object_get(row, "name"));
            printf("%lld\t%s\t%s\t%d\t", (long long)id, login ? login : "", name ? name : "",
                   json_integer_value(json_object_get(row, "active")) ? 1 : 0);
        }
        const char *role = json_string_value(json_object_get(row, "role"));
        if (role) {
            printf("%s%s@%lld", nroles ? "," : "", role,
                   (long long)json_integer_value(json_object_get(row, "node_id")));
            nroles++;
        }
    }
    if (current)
        putchar('\n');
    json_decref(rows);
out:
    arena_free(a);
    db_close(db);
    return rc;
}

/* The options of "user disable" and "user totp-reset": [--db DB] LOGIN.
 * -1 to go on with *url and *login, else the exit code (help, usage). */
static int one_login_args(int argc, char **argv, const char **url, const char **login)
{
    const char *cmd = argv[0];
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    cli_getopt_reset();
    int c;
    *url = CLI_DEFAULT_DB;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': *url = optarg; break;
        case 'h': cli_user_help(); return CLI_OK;
        default: return CLI_BAD_OPTION(cmd);
        }
    }
    if (optind != argc - 1)
        return cli_usage_error(cmd, "give one email or username");
    *login = argv[optind];
    return -1;
}

static int cli_user_disable(int argc, char **argv)
{
    const char *cmd = argv[0], *url, *login;
    int done = one_login_args(argc, argv, &url, &login);
    if (done >= 0)
        return done;
    db_t *db = cli_open_db(cmd, url, true);
    if (!db)
        return CLI_FAIL;
    int rc = CLI_OK;
    int64_t id = cli_find_user(db, login);
    if (id <= 0) {
        rc = cli_fail(cmd, "no account '%s'", login);
        goto out;
    }
    if (!users_is_active(db, id)) {
        printf("Account %s is already disabled.\n", login);
        goto out;
    }
    if (users_is_last_admin(db, id)) {
        rc = cli_fail(cmd, "%s is the platform's last administrator: give the role to another "
                           "account first", login);
        goto out;
    }
    /* one transaction: the flag, its audit row and the end of the sessions */
    if (users_set_active(db, 0, id, false, NULL) != RES_OK) {
        rc = cli_fail(cmd, "cannot disable the account: %s", db_errmsg(db));
        goto out;
    }
    printf("Disabled account %s (user %lld); its sessions were ended and its API tokens revoked.\n",
           login, (long long)id);
out:
    db_close(db);
    return rc;
}

static int cli_user_totp_reset(int argc, char **argv)
{
    const char *cmd = argv[0], *url, *login;
    int done = one_login_args(argc, argv, &url, &login);
    if (done >= 0)
        return done;
    db_t *db = cli_open_db(cmd, url, true);
    if (!db)
        return CLI_FAIL;
    int rc = CLI_OK;
    int64_t id = cli_find_user(db, login);
    if (id <= 0) {
        rc = cli_fail(cmd, "no account '%s'", login);
    } else {
        res_t st = account_totp_reset(db, id);
        if (st == RES_CONFLICT)
            printf("Account %s has no two-step verification to reset.\n", login);
        else if (st != RES_OK)
            rc = cli_fail(cmd, "cannot reset the two-step verification: %s", db_errmsg(db));
        else
            printf("Removed the two-step verification of %s (user %lld): they set it up again "
                   "from their profile.\n",
                   login, (long long)id);
    }
    db_close(db);
    return rc;
}

int cli_user(int argc, char **argv)
{
    const char *cmd = argv[0];
    if (argc < 2) {
        fprintf(stderr, "%s: say which action: add, list or disable\n\n", cmd);
        cli_user_help_to(stderr);
        return CLI_USAGE;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
        cli_user_help();
        return CLI_OK;
    }
    int (*fn)(int, char **) = strcmp(sub, "add") == 0       ? cli_user_add
                              : strcmp(sub, "list") == 0    ? cli_user_list
                              : strcmp(sub, "disable") == 0 ? cli_user_disable
                              : strcmp(sub, "totp-reset") == 0 ? cli_user_totp_reset
                                                            : NULL;
    if (!fn)
        return cli_usage_error(cmd, "unknown action '%s' (add, list, disable or totp-reset)", sub);
    char *name = xasprintf("%s %s", cmd, sub);
    argv[1] = name;
    int rc = fn(argc - 1, argv + 1);
    free(name);
    return rc;
}

/* --- token create | list | revoke ---------------------------------------- */

static void cli_token_help_to(FILE *f)
{
    fprintf(f, "Usage: jouda token create [--db DB] --user EMAIL_OR_USERNAME [--label LABEL]\n"
           "                          [--expires-days N]\n"
           "       jouda token list   [--db DB] [--user EMAIL_OR_USERNAME]\n"
           "       jouda token revoke [--db DB] ID\n\n"
           "create: creates an API bearer token for the account and prints it alone on\n"
           "  standard output. It is shown once: only its keyed hash is stored. Use it as\n"
           "    Authorization: Bearer <token>\n"
           "  It ends after N days (--expires-days, %d to %d; default %d).\n"
           "list: one line per token, tab-separated: id, login, label, created, expires,\n"
           "  last used (UTC, ISO 8601; - when never), revoked (1/0). Never the token itself.\n"
           "  --user keeps the tokens of one account.\n"
           "revoke: revokes the token with this id at once and for good (audited).\n"
           "  A password change or reset, or disabling the account, revokes all its tokens.\n\n"
           "  --db DB            SQLite file (default %s) or postgresql:// URL\n"
           "  --user LOGIN       the account's email or username\n"
           "  --label LABEL      what the token is for (default \"command line\")\n"
           "  --expires-days N   days until the token expires (default %d, at most %d)\n"
           "  -h, --help         this help\n",
           1, API_TOKEN_DAYS_MAX, API_TOKEN_DAYS_DEFAULT, CLI_DEFAULT_DB, API_TOKEN_DAYS_DEFAULT,
           API_TOKEN_DAYS_MAX);
}

static void cli_token_help(void)
{
    cli_token_help_to(stdout);
}

static int cli_token_create(int argc, char **argv)
{
    const char *cmd = argv[0], *url = CLI_DEFAULT_DB, *login = NULL, *label = "command line",
               *days_s = NULL;
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"user", required_argument, 0, 'u'},
                                         {"label", required_argument, 0, 'l'},
                                         {"expires-days", required_argument, 0, 'x'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': url = optarg; break;
        case 'u': login = optarg; break;
        case 'l': label = optarg; break;
        case 'x': days_s = optarg; break;
        case 'h': cli_token_help(); return CLI_OK;
        default: return CLI_BAD_OPTION(cmd);
        }
    }
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (!login || !*login)
        return cli_usage_error(cmd, "--user is required");
    if (strlen(label) > API_TOKEN_LABEL_MAX || str_has_control(label) ||
        !utf8_valid(label, strlen(label)))
        return cli_usage_error(cmd, "--label must be at most %d characters, without control characters",
                               API_TOKEN_LABEL_MAX);
    int64_t days = API_TOKEN_DAYS_DEFAULT;
    if (days_s && (!str_to_i64(days_s, &days) || days < 1 || days > API_TOKEN_DAYS_MAX))
        return cli_usage_error(cmd, "--expires-days needs a whole number of days from 1 to %d, not '%s'",
                               API_TOKEN_DAYS_MAX, days_s);
    db_t *db = cli_open_db(cmd, url, true);
    if (!db)
        return CLI_FAIL;
    int rc = CLI_OK;
    int64_t uid = cli_find_user(db, login);
    if (uid <= 0) {
        rc = cli_fail(cmd, "no account '%s'", login);
        goto out;
    }
    if (!users_is_active(db, uid)) {
        rc = cli_fail(cmd, "the account '%s' is disabled", login);
        goto out;
    }
    int64_t home = users_home_of(db, uid);
    int64_t expires = now_utc() + days * 86400;
    char token[128];
    int64_t tid = 0;
    if (db_begin(db) != DB_OK) {
        rc = cli_fail(cmd, "cannot start a transaction: %s", db_errmsg(db));
        goto out;
    }
    json_t *ch = json_pack("{s:{s:n, s:s}, s:{s:n, s:I}, s:{s:n, s:I}}", "label", "from", "to", label,
                           "user_id", "from", "to", (json_int_t)uid, "expires_at", "from", "to",
                           (json_int_t)expires);
    bool ok = api_token_create(db, uid, label, expires, token, sizeof token, &tid) == 0 &&
              audit_write(db, 0, "token_create", "token", tid, home, ch, NULL) == DB_OK &&
              db_commit(db) == DB_OK;
    json_decref(ch);
    if (!ok) {
        if (db_in_tx(db))
            db_rollback(db);
        rc = cli_fail(cmd, "cannot create the token: %s", db_errmsg(db));
        goto out;
    }
    printf("%s\n", token);
    memset(token, 0, sizeof token);
out:
    db_close(db);
    return rc;
}

/* An epoch time as the list prints it: ISO 8601 UTC, "-" for none. */
static const char *cli_time(int64_t t, char *buf, size_t len)
{
    if (t <= 0)
        return "-";
    format_iso_utc(t, buf, len);
    return buf;
}

static int cli_token_list(int argc, char **argv)
{
    const char *cmd = argv[0], *url = CLI_DEFAULT_DB, *login = NULL;
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"user", required_argument, 0, 'u'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': url = optarg; break;
        case 'u': login = optarg; break;
        case 'h': cli_token_help(); return CLI_OK;
        default: return CLI_BAD_OPTION(cmd);
        }
    }
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (login && !*login)
        return cli_usage_error(cmd, "--user needs an email or username");
    db_t *db = cli_open_db(cmd, url, true);
    if (!db)
        return CLI_FAIL;
    int rc = CLI_OK;
    arena_t *a = arena_new();
    int64_t uid = 0;
    if (login && (uid = cli_find_user(db, login)) <= 0) {
        rc = cli_fail(cmd, "no account '%s'", login);
        goto out;
    }
    json_t *rows = api_token_list(db, uid, false);
    if (!rows) {
        rc = cli_fail(cmd, "cannot read the tokens: %s", db_errmsg(db));
        goto out;
    }
    size_t i;
    json_t *t;
    int64_t owner = 0;
    const char *owner_login = "";
    json_array_foreach(rows, i, t) {
        int64_t u = json_integer_value(json_object_get(t, "user_id"));
        if (u != owner) {
            user_t acct;
            owner = u;
            owner_login = users_load(db, a, u, &acct) == 0
                              ? (acct.email ? acct.email : acct.username ? acct.username : "")
                              : "";
        }
        const char *label = json_string_value(json_object_get(t, "label"));
        char t1[32], t2[32], t3[32];
        printf("%lld\t%s\t%s\t%s\t%s\t%s\t%d\n", (long long)json_integer_value(json_object_get(t, "id")),
               owner_login, label ? label : "",
               cli_time(json_integer_value(json_object_get(t, "created_at")), t1, sizeof t1),
               cli_time(json_integer_value(json_object_get(t, "expires_at")), t2, sizeof t2),
               cli_time(json_integer_value(json_object_get(t, "last_used_at")), t3, sizeof t3),
               json_integer_value(json_object_get(t, "revoked")) ? 1 : 0);
    }
    json_decref(rows);
out:
    arena_free(a);
    db_close(db);
    return rc;
}

static int cli_token_revoke(int argc, char **argv)
{
    const char *cmd = argv[0], *url = CLI_DEFAULT_DB;
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': url = optarg; break;
        case 'h': cli_token_help(); return CLI_OK;
        default: return CLI_BAD_OPTION(cmd);
        }
    }
    if (optind != argc - 1)
        return cli_usage_error(cmd, "give the id of one token (see 'jouda token list')");
    int64_t id = 0;
    if (!str_to_i64(argv[optind], &id) || id <= 0)
        return cli_usage_error(cmd, "'%s' is not a token id (a positive number)", argv[optind]);
    db_t *db = cli_open_db(cmd, url, true);
    if (!db)
        return CLI_FAIL;
    int rc = CLI_OK;
    res_t st = account_token_revoke(db, 0, id, 0, NULL);
    if (st == RES_OK)
        printf("Revoked token %lld.\n", (long long)id);
    else if (st == RES_CONFLICT)
        printf("Token %lld is already revoked.\n", (long long)id);
    else if (st == RES_NOT_FOUND)
        rc = cli_fail(cmd, "no token with id %lld", (long long)id);
    else
        rc = cli_fail(cmd, "cannot revoke the token: %s", db_errmsg(db));
    db_close(db);
    return rc;
}

int cli_token(int argc, char **argv)
{
    const char *cmd = argv[0];
    if (argc < 2) {
        fprintf(stderr, "%s: say which action: create, list or revoke\n\n", cmd);
        cli_token_help_to(stderr);
        return CLI_USAGE;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
        cli_token_help();
        return CLI_OK;
    }
    int (*fn)(int, char **) = strcmp(sub, "create") == 0   ? cli_token_create
                              : strcmp(sub, "list") == 0   ? cli_token_list
                              : strcmp(sub, "revoke") == 0 ? cli_token_revoke
                                                           : NULL;
    if (!fn)
        return cli_usage_error(cmd, "unknown action '%s' (create, list or revoke)", sub);
    char *name = xasprintf("%s %s", cmd, sub);
    argv[1] = name;
    int rc = fn(argc - 1, argv + 1);
    free(name);
    return rc;
}

/* --- backup -------------------------------------------------------------- */

int cli_backup(int argc, char **argv)
{
    const char *cmd = argv[0], *url = CLI_DEFAULT_DB, *out = NULL;
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"out", required_argument, 0, 'o'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': url = optarg; break;
        case 'o': out = optarg; break;
        case 'h':
            printf("Usage: jouda backup [--db DB] --out FILE\n\n"
                   "Copies a SQLite database into FILE with SQLite's online backup: it may run\n"
                   "while 'jouda serve' uses the database. FILE must not exist yet.\n"
                   "For PostgreSQL use pg_dump, e.g. pg_dump -Fc -f jouda.dump 'postgresql://...'\n\n"
                   "  --db DB      SQLite file (default %s)\n"
                   "  --out FILE   the copy to write\n"
                   "  -h, --help   this help\n",
                   CLI_DEFAULT_DB);
            return CLI_OK;
        default: return CLI_BAD_OPTION(cmd);
        }
    }
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (!out || !*out)
        return cli_usage_error(cmd, "--out is required");
    if (cli_is_pg_url(url))
        return cli_fail(cmd, "backup copies SQLite databases only. For PostgreSQL use pg_dump, "
                             "for example:\n  pg_dump -Fc -f jouda.dump '%s'\n"
                             "and restore with pg_restore.", url);
    struct stat st;
    if (stat(url, &st) != 0)
        return cli_fail(cmd, "no database at %s", url);
    if (stat(out, &st) == 0)
        return cli_fail(cmd, "%s exists already; choose another file", out);
    char err[512] = "";
    db_t *db = db_open(url, err, sizeof err);
    if (!db)
        return cli_fail(cmd, "cannot open the database: %s", err);
    int rc = CLI_OK;
    if (db_backup(db, out, err, sizeof err) != DB_OK)
        rc = cli_fail(cmd, "backup failed: %s", *err ? err : db_errmsg(db));
    else if (stat(out, &st) == 0)
        printf("Backup written to %s (%lld bytes).\n", out, (long long)st.st_size);
    db_close(db);
    return rc;
}
