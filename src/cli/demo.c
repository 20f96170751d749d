/* demo.c - `jouda demo`: believable demonstration data, from every module in
 * the order of the composition root (the tree, then its people, then what
 * later modules add). Small scale: two associations kept apart (Amal with
 * six children's villages, Nour with one home) and about 180 accounts with
 * the known logins the documentation and the tests use. National scale: the
 * same and the country around them (60 associations, 1,100 establishments,
 * 11,000 units, about 15,000 accounts). Idempotent (each module looks up
 * what exists before adding), in one transaction, with planner statistics
 * refreshed at the end. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEMO_PASSWORD "Jouda-demo-2026"

static void demo_print_logins(void)
{
    printf("\nKnown logins (password %s, except the national administrator created by init):\n"
           "  admin@jouda.ma            national administrator (created by 'jouda init')\n"
           "  conseil@amal.ma           quality advisor, Association Amal\n"
           "  admin@amal.ma             administrator, Association Amal\n"
           "  directrice.casa@amal.ma   director, Village d'enfants Casablanca - Aïn Chock\n"
           "  referent.casa@amal.ma     quality referent, Casablanca - Aïn Chock\n"
           "  mere.fatima               house mother, Maison 1, Casablanca - Aïn Chock\n"
           "  educateur.casa            educator, Casablanca - Aïn Chock\n"
           "  directeur.tanger@amal.ma  director, Village d'enfants Tanger\n"
           "  observateur@entraide.ma   observer, whole platform\n"
           "  inspecteur@entraide.ma    inspector, Casablanca - Aïn Chock (90 days)\n"
           "  admin@nour.ma             administrator, Association Nour Solidarité\n"
           "  directrice@nour.ma        director, Foyer Nour Fès\n",
           DEMO_PASSWORD);
}

/* Is name one of the comma-separated names of list? */
static bool name_listed(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0)
            return true;
        if (!comma)
            break;
        p = comma + 1;
    }
    return false;
}

static void demo_help(void)
{
    printf("Usage: jouda demo [--db DB] [--key-file PATH] [--scale small|national]\n"
           "                  [--only MODULES] [--quiet]\n\n"
           "Adds the demonstration data: two associations kept apart (Amal: six\n"
           "children's villages in Casablanca-Settat, Tanger-Tetouan-Al Hoceima,\n"
           "Marrakech-Safi and Souss-Massa; Nour: one home in Fes), their units, about\n"
           "180 staff, and the known logins (password %s). With --scale national,\n"
           "also the country around them: 60 associations, 1,100 establishments, 11,000\n"
           "units and about 15,000 accounts (for measuring; under a minute). Running it\n"
           "again changes nothing.\n\n"
           "  --db DB         SQLite file (default %s) or postgresql:// URL\n"
           "  --key-file PATH the key file sealing sensitive text (default: \"<db>.key\"\n"
           "                  for SQLite, created with a new database; required with\n"
           "                  PostgreSQL; also from JOUDA_KEY_FILE)\n"
           "  --scale SCALE   small (default) or national\n"
           "  --only MODULES  the data of these modules only, comma-separated (nodes,users:\n"
           "                  the organisation and its accounts, without campaigns...)\n"
           "  -q, --quiet     print only the summary line\n"
           "  -h, --help      this help\n",
           DEMO_PASSWORD, CLI_DEFAULT_DB);
}

int cli_demo(int argc, char **argv)
{
    const char *cmd = argv[0], *url = CLI_DEFAULT_DB, *scale_s = "small", *only = NULL,
               *key_file = NULL;
    bool quiet = false;
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"key-file", required_argument, 0, 'k'},
                                         {"scale", required_argument, 0, 's'},
                                         {"only", required_argument, 0, 'o'},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, "hq", opts, NULL)) != -1) {
        switch (c) {
        case 'd': url = optarg; break;
        case 'k': key_file = optarg; break;
        case 's': scale_s = optarg; break;
        case 'o': only = optarg; break;
        case 'q': quiet = true; break;
        case 'h': demo_help(); return CLI_OK;
        default: fprintf(stderr, "Try '%s --help'.\n", cmd); return CLI_USAGE;
        }
    }
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    /* every name of --only is a module that has demo data */
    for (const char *p = only; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        bool known = false;
        for (size_t i = 0; i < app_module_count() && !known; i++) {
            const module_t *m = app_module(i);
            known = m->demo && strlen(m->name) == len && strncmp(m->name, p, len) == 0;
        }
        if (!known)
            return cli_usage_error(cmd, "--only names modules with demo data (nodes, users, assess...)");
        p = comma ? comma + 1 : p + len;
    }
    demo_scale_t scale;
    if (strcmp(scale_s, "small") == 0)
        scale = DEMO_SMALL;
    else if (strcmp(scale_s, "national") == 0)
        scale = DEMO_NATIONAL;
    else
        return cli_usage_error(cmd, "--scale must be small or national");
    if (key_file && !*key_file)
        return cli_usage_error(cmd, "--key-file must not be empty");
    if (cli_prepare_sqlite_dir(url) != 0)
        return cli_fail(cmd, "cannot create the directory of %s", url);
    /* the demo seals sensitive text: the key before anything else */
    char *key_path = NULL;
    bool key_created = false;
    int krc = cli_key_load(cmd, url, key_file, &key_path, &key_created);
    if (krc != CLI_OK)
        return krc;
    db_t *db = cli_open_db(cmd, url, false);
    if (!db) {
        free(key_path);
        return CLI_FAIL;
    }
    if (cli_key_check(cmd, db, key_path) != CLI_OK) {
        db_close(db);
        free(key_path);
        return CLI_FAIL;
    }
    if (key_created && !quiet)
        cli_key_backup_note(stdout, key_path, true);
    free(key_path);
    /* Argon2id is slow on purpose: one hash serves every demo account */
    char hash[160];
    if (password_hash(DEMO_PASSWORD, hash, sizeof hash) != 0) {
        db_close(db);
        return cli_fail(cmd, "cannot hash the demo password");
    }
    app_demo_t d = {.db = db, .scale = scale, .password = DEMO_PASSWORD, .password_hash = hash};
    int64_t t0 = now_ms_monotonic();
    int rc = CLI_OK;
    const char *failed = NULL;
    if (db_begin(db) != DB_OK) {
        rc = cli_fail(cmd, "cannot start a transaction: %s", db_errmsg(db));
    } else {
        for (size_t i = 0; i < app_module_count() && !failed; i++) {
            const module_t *m = app_module(i);
            if (only && !name_listed(only, m->name))
                continue;
            /* each module's data gives the planner new statistics for the next */
            if (m->demo && (m->demo(&d) != DB_OK || app_analyze(db) != DB_OK))
                failed = m->name;
        }
        if (failed) {
            const char *why = db_errmsg(db);
            db_rollback(db);
            rc = cli_fail(cmd, "the demo data of %s could not be added (nothing was changed): %s",
                          failed, why ? why : "");
        } else if (db_commit(db) != DB_OK) {
            rc = cli_fail(cmd, "cannot save: %s", db_errmsg(db));
        } else if (app_analyze(db) != DB_OK) {
            rc = cli_fail(cmd, "cannot refresh the statistics: %s", db_errmsg(db));
        }
    }
    if (rc == CLI_OK) {
        int places_new = 0, places_old = 0, accounts_new = 0, accounts_old = 0;
        for (int i = 0; i < d.n_counts; i++) {
            if (strcmp(d.counts[i].what, "places") == 0) {
                places_new = d.counts[i].created;
                places_old = d.counts[i].existing;
            } else if (strcmp(d.counts[i].what, "accounts") == 0) {
                accounts_new = d.counts[i].created;
                accounts_old = d.counts[i].existing;
            }
        }
        printf("Demo data: %d places created (%d already there), %d accounts created (%d already "
               "there)",
               places_new, places_old, accounts_new, accounts_old);
        for (int i = 0; i < d.n_counts; i++)
            if (strcmp(d.counts[i].what, "places") != 0 && strcmp(d.counts[i].what, "accounts") != 0)
                printf(", %d %s created (%d already there)", d.counts[i].created, d.counts[i].what,
                       d.counts[i].existing);
        printf(" in %.1f s.\n", (double)(now_ms_monotonic() - t0) / 1000.0);
        if (!quiet)
            demo_print_logins();
    }
    db_close(db);
    return rc;
}
