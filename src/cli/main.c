/* main.c - the jouda binary: dispatches to a subcommand. Each subcommand
 * parses its own options (getopt_long) and has its own --help. */
#include "../core/core.h"
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} cli_command_t;

static const cli_command_t cli_commands[] = {
    {"serve", cli_serve, "serve the web application and the API"},
    {"init", cli_init, "create or migrate the database and create the first national administrator"},
    {"migrate", cli_migrate, "apply the pending database migrations"},
    {"demo", cli_demo, "add the demonstration data (idempotent; --scale national for the country)"},
    {"user", cli_user, "add, list or disable user accounts"},
    {"token", cli_token, "create an API bearer token for a user"},
    {"backup", cli_backup, "copy a SQLite database to a file while it is in use"},
    {"remind", cli_remind, "do today's daily work (overdue actions, reminders) now, for cron"},
    {"key", cli_key, "rotate the key that seals sensitive text at rest"},
    {"retention", cli_retention, "anonymise the persons who left care longer ago than the retention period"},
    {"kit", cli_kit, "export, sign, check and import transfer kits (keygen, export, import, show, trust)"},
};

static void cli_main_help(FILE *out)
{
    fprintf(out, "Usage: jouda <command> [options]\n\n"
                 "Jouda %s - quality approach of social protection establishments.\n\n"
                 "Commands:\n",
            JOUDA_VERSION);
    for (size_t i = 0; i < ARRAY_LEN(cli_commands); i++)
        fprintf(out, "  %-10s %s\n", cli_commands[i].name, cli_commands[i].summary);
    fprintf(out, "\nDatabases: --db PATH (a SQLite file, default %s) or\n"
                 "--db postgresql://user@host/name.\n"
                 "Sensitive text is sealed with a key kept outside the database: --key-file\n"
                 "PATH or JOUDA_KEY_FILE (default: the SQLite file's name + \".key\"; required\n"
                 "with PostgreSQL). Back it up apart from the database.\n"
                 "Run 'jouda <command> --help' for the options of a command.\n"
                 "Exit codes: 0 done, 1 failure (database unreachable...), 2 usage error.\n",
            CLI_DEFAULT_DB);
}

int main(int argc, char **argv)
{
    /* Every file jouda creates (the SQLite database, its -wal and -shm files,
     * backups, their directories) holds personal data, password hashes or
     * the server key: for the owner only. */
    umask(077);
    jouda_use_modules();
    if (argc < 2) {
        cli_main_help(stderr);
        return CLI_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        cli_main_help(stdout);
        return CLI_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("jouda %s\n", JOUDA_VERSION);
        return CLI_OK;
    }
    for (size_t i = 0; i < ARRAY_LEN(cli_commands); i++) {
        if (strcmp(cmd, cli_commands[i].name) == 0) {
            /* argv[0] of the subcommand names it, so getopt's messages do too */
            char *name = xasprintf("jouda %s", cmd);
            argv[1] = name;
            int rc = cli_commands[i].run(argc - 1, argv + 1);
            free(name);
            return rc;
        }
    }
    fprintf(stderr, "jouda: unknown command '%s'\nRun 'jouda --help' for the list of commands.\n",
            cmd);
    return CLI_USAGE;
}
