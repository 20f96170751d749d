/* cli_serve.c - `jouda serve`: start-up (share directory, database,
 * catalogues, templates), the HTTP server, and a graceful stop on SIGTERM or
 * SIGINT (requests in flight are finished, connections closed). */
#include "../app/app.h"
#include "../auth/seal.h"
#include "../doc/doc.h"
#include "cli.h"

#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void cli_serve_help(void)
{
    printf("Usage: jouda serve [--db DB] [--key-file PATH] [--listen ADDRESS:PORT]\n"
           "                   [--threads N] [--trust-proxy ADDRESS]\n\n"
           "Serves the web pages and the JSON API. The database is migrated at start.\n"
           "SIGTERM or SIGINT stops it gracefully.\n\n"
           "Sensitive text is sealed with the key of the key file: it must open the\n"
           "database's sealed data, or the server does not start (exit status 1). A\n"
           "missing key file is created only for a database holding no sealed data yet.\n"
           "When the database is sealed again with another key ('jouda key rotate'), a\n"
           "running server stops within ten seconds (exit status 1): start it again.\n\n"
           "  --db DB            SQLite file (default %s, its directory created\n"
           "                     when missing) or postgresql:// URL\n"
           "  --key-file PATH    the key file (default: \"<db>.key\" for SQLite; required\n"
           "                     with PostgreSQL; also from JOUDA_KEY_FILE)\n"
           "  --listen ADDR:PORT where to listen (default 127.0.0.1:8080; port 0 picks a free one)\n"
           "  --threads N        request threads (default: the number of cores)\n"
           "  --trust-proxy ADDRESS\n"
           "                     behind a reverse proxy (see docs/nginx.conf): the proxy's own\n"
           "                     IPv4 or IPv6 address, e.g. 127.0.0.1. From that address only,\n"
           "                     X-Forwarded-For gives the client's address and\n"
           "                     X-Forwarded-Proto: https means HTTPS (Secure cookies,\n"
           "                     Strict-Transport-Security). The address is required.\n"
           "  -h, --help         this help\n\n"
           "Environment: JOUDA_SHARE_DIR, the directory holding templates/, static/ and\n"
           "locale/ (default: the binary's directory when it has templates/, else the\n"
           "current directory); JOUDA_STRICT_TEMPLATES=1 makes undefined template names errors.\n\n"
           "Once a day (checked every few minutes) it does the daily work: overdue\n"
           "improvement actions marked and their owners notified. With several servers\n"
           "on one database only the first does it; 'jouda remind' does it from cron.\n",
           CLI_DEFAULT_DB);
}

/* How often a running server checks that its key still opens the database. */
#define SERVE_KEY_RECHECK_SECONDS 10

/* 1 when the process key opens the database's check, 0 when it no longer
 * does, -1 when it cannot be told (the database unreachable, no check). */
static int cli_key_still_opens(db_t *db)
{
    if (!db)
        return -1;
    arena_t *a = arena_new();
    db_res_t *res = db_query(db, "SELECT value FROM settings WHERE key = ?",
                             PARAMS(P_TEXT(SEAL_CHECK_SETTING)));
    int rc = -1;
    if (res && db_next(res)) {
        const char *plain = NULL;
        rc = seal_open(a, db_text(res, 0), &plain) == 0 && str_eq(plain, SEAL_CHECK_TEXT) ? 1 : 0;
    }
    if (res)
        db_res_free(res);
    arena_free(a);
    return rc;
}

static bool cli_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Where templates/, static/ and locale/ are (kept for the process lifetime). */
static const char *cli_share_dir(void)
{
    const char *env = getenv("JOUDA_SHARE_DIR");
    if (env && *env)
        return env;
    static char exe_dir[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe_dir, sizeof exe_dir - 1);
    if (n > 0) {
        exe_dir[n] = '\0';
        char *slash = strrchr(exe_dir, '/');
        if (slash) {
            *slash = '\0';
            char probe[PATH_MAX + 16];
            snprintf(probe, sizeof probe, "%s/templates", exe_dir);
            if (cli_is_dir(probe))
                return exe_dir;
        }
    }
    return ".";
}

static bool cli_listen_ok(const char *listen)
{
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen)
        return false;
    int64_t port;
    return str_to_i64(colon + 1, &port) && port >= 0 && port <= 65535;
}

int cli_serve(int argc, char **argv)
{
    const char *cmd = argv[0], *url = CLI_DEFAULT_DB, *listen = "127.0.0.1:8080";
    int64_t threads = 0;
    const char *trust_proxy = NULL, *key_file = NULL;
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"key-file", required_argument, 0, 'k'},
                                         {"trust-proxy", required_argument, 0, 'p'},
                                         {"listen", required_argument, 0, 'l'},
                                         {"threads", required_argument, 0, 't'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': url = optarg; break;
        case 'k': key_file = optarg; break;
        case 'l': listen = optarg; break;
        case 'p': {
            http_addr_t a;
            if (!http_addr_parse(optarg, &a))
                return cli_usage_error(cmd, "--trust-proxy needs the proxy's IP address, e.g. "
                                            "--trust-proxy 127.0.0.1 (not '%s')", optarg);
            trust_proxy = optarg;
            break;
        }
        case 't':
            if (!str_to_i64(optarg, &threads) || threads < 1 || threads > 256)
                return cli_usage_error(cmd, "--threads needs a number from 1 to 256");
            break;
        case 'h': cli_serve_help(); return CLI_OK;
        default: fprintf(stderr, "Try '%s --help'.\n", cmd); return CLI_USAGE;
        }
    }
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (!cli_listen_ok(listen))
        return cli_usage_error(cmd, "--listen needs ADDRESS:PORT, e.g. 127.0.0.1:8080");
    if (!*url)
        return cli_usage_error(cmd, "--db must not be empty");
    if (key_file && !*key_file)
        return cli_usage_error(cmd, "--key-file must not be empty");
    if (cli_prepare_sqlite_dir(url) != 0)
        return cli_fail(cmd, "cannot create the directory of %s", url);
    cli_warn_db_mode(cmd, url);
    /* The key before the database: the modules' start hooks may seal. */
    char *key_path = NULL;
    bool key_created = false;
    int krc = cli_key_load(cmd, url, key_file, &key_path, &key_created);
    if (krc != CLI_OK)
        return krc;
    if (key_created)
        cli_key_backup_note(stderr, key_path, true);

    /* The server threads inherit this mask: only the main thread takes the
     * stop signals, in sigwait below. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    g_app.share_dir = cli_share_dir();
    char err[512] = "";
    if (app_init(url, err, sizeof err) != 0) {
        app_shutdown();
        free(key_path);
        return cli_fail(cmd, "cannot start: %s", *err ? err : "unknown error");
    }
    /* app_init keeps the main thread's connection: this thread's */
    if (cli_key_check(cmd, app_thread_db(), key_path) != CLI_OK) {
        app_shutdown();
        free(key_path);
        return CLI_FAIL;
    }
    doc_warm_up(); /* fontconfig's start-up before the first PDF, not during it */
    http_config_t cfg = {
        .listen = listen,
        .threads = (int)threads,
        .workers = 2,
        .trust_proxy = trust_proxy,
        .prepare = app_prepare,
        .handle = app_handle,
        .error = app_http_error,
    };
    http_server_t *srv = http_server_start(&cfg, err, sizeof err);
    if (!srv) {
        app_shutdown();
        free(key_path);
        return cli_fail(cmd, "cannot listen on %s: %s", listen, *err ? err : "unknown error");
    }
    char host[256];
    snprintf(host, sizeof host, "%.*s", (int)(strrchr(listen, ':') - listen), listen);
    printf("Jouda listening on http://%s:%d\n", host, http_server_port(srv));
    fflush(stdout);
    app_daily_start();

    /* Wait for a stop signal; meanwhile, see that the key still opens the
     * database's sealed data: after `jouda key rotate` this server would
     * fail on every sealed value, so it stops and says why. */
    int rc = CLI_OK;
    for (;;) {
        struct timespec wait = {.tv_sec = SERVE_KEY_RECHECK_SECONDS};
        siginfo_t info;
        int sig = sigtimedwait(&stop, &info, &wait);
        if (sig == SIGTERM || sig == SIGINT) {
            log_info("received %s: stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
            break;
        }
        if (cli_key_still_opens(app_thread_db()) == 0) {
            log_error("the key file %s no longer opens the database's sealed data (sealed again "
                      "with another key by 'jouda key rotate'?): stopping; start the server again "
                      "with the database's key file",
                      key_path);
            rc = CLI_FAIL;
            break;
        }
    }
    app_daily_stop();
    http_server_stop(srv);
    app_shutdown();
    free(key_path);
    log_info("stopped");
    return rc;
}

int cli_remind(int argc, char **argv)
{
    const char *cmd = argv[0], *url = CLI_DEFAULT_DB;
    bool force = false;
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"force", no_argument, 0, 'f'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': url = optarg; break;
        case 'f': force = true; break;
        case 'h':
            printf("Usage: jouda remind [--db DB] [--force]\n\n"
                   "Does today's daily work (as jouda serve does once a day): improvement\n"
                   "actions past their due date are marked overdue and their owners notified.\n"
                   "It is done once per day across every server sharing the database: when\n"
                   "it was done today already, nothing happens (exit 0) unless --force.\n\n"
                   "  --db DB      SQLite file (default %s) or postgresql:// URL\n"
                   "  --force      do it again today\n"
                   "  -h, --help   this help\n",
                   CLI_DEFAULT_DB);
            return CLI_OK;
        default: fprintf(stderr, "Try '%s --help'.\n", cmd); return CLI_USAGE;
        }
    }
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    db_t *db = cli_open_db(cmd, url, true);
    if (!db)
        return CLI_FAIL;
    int rc = app_run_daily(db, now_utc(), force);
    db_close(db);
    if (rc < 0)
        return cli_fail(cmd, "the daily work failed (see the log)");
    printf(rc ? "Daily work done.\n" : "Daily work already done today.\n");
    return CLI_OK;
}
