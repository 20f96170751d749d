/* cli_retention.c - `jouda retention`: anonymise the persons who left an
 * establishment more than the retention period ago (person_retention,
 * docs/PRIVACY.md), for cron. */
#include "../auth/seal.h"
#include "../person/person.h"
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RETENTION_DEFAULT_YEARS 10
#define RETENTION_MAX_YEARS 100

static void retention_help(void)
{
    printf("Usage: jouda retention [--db DB] [--years N] [--dry-run] [--key-file PATH]\n\n"
           "Anonymises the persons who left the care of an establishment (their exit date)\n"
           "more than N years ago (default %d, docs/PRIVACY.md): names, birth date (its\n"
           "year is kept), notes, the free text of needs and plans, referents, siblings,\n"
           "grants and the access log are removed; the pseudonymous code, dates and codes\n"
           "stay for the statistics. One audit row per person. Running it again only\n"
           "anonymises those who reached the period since. Meant for cron, e.g. every\n"
           "night at 3:30:\n"
           "  30 3 * * * jouda retention --db /var/lib/jouda/jouda.db\n\n"
           "  --db DB          SQLite file (default %s) or postgresql:// URL\n"
           "  --years N        the retention period after the exit, in years (1-%d)\n"
           "  --dry-run        count the persons concerned, change nothing\n"
           "  --key-file PATH  not needed (sealed values are removed without being opened);\n"
           "                   when given, checked against the database first\n"
           "  -h, --help       this help\n",
           RETENTION_DEFAULT_YEARS, CLI_DEFAULT_DB, RETENTION_MAX_YEARS);
}

/* "YYYY-MM-DD" years before day, as person_retention counts (29 February
 * becomes the 28th). */
static void retention_cutoff(const char *day, int years, char out[11])
{
    int y = 0, m = 0, d = 0;
    if (sscanf(day, "%4d-%2d-%2d", &y, &m, &d) != 3) {
        snprintf(out, 11, "%s", day);
        return;
    }
    y -= years;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m == 2 && d == 29 && !leap)
        d = 28;
    char buf[32];
    snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    snprintf(out, 11, "%.10s", buf);
}

int cli_retention(int argc, char **argv)
{
    const char *cmd = argv[0], *url = CLI_DEFAULT_DB, *key_file = NULL;
    int years = RETENTION_DEFAULT_YEARS;
    bool dry_run = false;
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"years", required_argument, 0, 'y'},
                                         {"dry-run", no_argument, 0, 'n'},
                                         {"key-file", required_argument, 0, 'k'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    optind = 0;
    opterr = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': url = optarg; break;
        case 'y': {
            char *end = NULL;
            errno = 0;
            long v = strtol(optarg, &end, 10);
            if (errno || !*optarg || *end || v < 1 || v > RETENTION_MAX_YEARS)
                return cli_usage_error(cmd, "--years takes a whole number of years from 1 to %d",
                                       RETENTION_MAX_YEARS);
            years = (int)v;
            break;
        }
        case 'n': dry_run = true; break;
        case 'k': key_file = optarg; break;
        case 'h': retention_help(); return CLI_OK;
        default: fprintf(stderr, "Try '%s --help'.\n", cmd); return CLI_USAGE;
        }
    }
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (!*url)
        return cli_usage_error(cmd, "--db must not be empty");
    if (key_file && !*key_file)
        return cli_usage_error(cmd, "--key-file must not be empty");
    db_t *db = cli_open_db(cmd, url, true);
    if (!db)
        return CLI_FAIL;
    char err[512] = "";
    if (key_file && seal_key_load(key_file, err, sizeof err) != 0) {
        db_close(db);
        return cli_fail(cmd, "%s", err);
    }
    if (key_file && seal_check_db(db, err, sizeof err) != 0) {
        db_close(db);
        return cli_fail(cmd, "%s: %s", key_file, err);
    }
    char today[11], cutoff[11];
    iso_day_local(now_utc(), today);
    retention_cutoff(today, years, cutoff);
    int n = person_retention(db, years, today, dry_run);
    int rc = CLI_OK;
    if (n < 0)
        rc = cli_fail(cmd, "the anonymisation failed, nothing was changed: %s",
                      db_errmsg(db) ? db_errmsg(db) : "unknown error");
    else if (dry_run)
        printf("%d %s to anonymise (left before %s); nothing changed (--dry-run).\n", n,
               n == 1 ? "person" : "persons", cutoff);
    else
        printf("%d %s anonymised (left before %s).\n", n, n == 1 ? "person" : "persons", cutoff);
    db_close(db);
    return rc;
}
