/* cli_kit.c - `jouda kit`: the instance's signing key (keygen), the kit of
 * what it shares (export), importing a kit with its preview (import),
 * the public keys it trusts (trust, untrust, keys). Imports and keys are
 * audited with actor 0, the system. */
#include "../kit/kit.h"
#include "../kit/kit_internal.h"
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KIT_OPT_COMMON                                                                             \
    {"db", required_argument, 0, 'd'}, {"key-file", required_argument, 0, 'k'},                    \
        {"help", no_argument, 0, 'h'}

static void kit_help_to(FILE *f)
{
    fprintf(f,
            "Usage: jouda kit keygen  [--db DB] [--key-file PATH] [--force]\n"
            "       jouda kit export  [--db DB] [--key-file PATH] --out FILE.zip\n"
            "       jouda kit import  [--db DB] [--key-file PATH] FILE.zip [--dry-run]\n"
            "                         [--allow-unsigned] [--node ID]\n"
            "       jouda kit trust   [--db DB] --name NAME KEY\n"
            "       jouda kit untrust [--db DB] KEY\n"
            "       jouda kit keys    [--db DB]\n"
            "       jouda kit show    FILE.zip\n\n"
            "A transfer kit is a zip of what this instance shares with others: published\n"
            "référentiels, templates of the projet d'établissement, published capitalisation\n"
            "sheets, approved documents (docs/formats/kit.md). Never persons, accounts,\n"
            "e-mail addresses, incidents or scores.\n\n"
            "keygen: creates the instance's Ed25519 key pair, which signs the kits it\n"
            "  exports: the secret key is sealed at rest (the key file), the public key is\n"
            "  printed, to give to the instances that import your kits. --force replaces\n"
            "  an existing pair (kits signed before are then signed by an unknown key).\n"
            "export: writes the instance's kit to FILE.zip, signed when the instance has a\n"
            "  key (unsigned otherwise, with a warning).\n"
            "import: checks the kit (checksums, signature, limits), prints what each item\n"
            "  would do (create, update, same, skip, invalid), then imports it all in one\n"
            "  transaction. A kit whose contents do not match its manifest is refused; an\n"
            "  unsigned kit or one signed by a key not trusted here needs --allow-unsigned.\n"
            "  --dry-run prints the preview only. --node ID: the association that receives\n"
            "  the sheets and documents (default: the root, the national library).\n"
            "  Exit status 1 when the kit is refused.\n"
            "trust: trusts the public key KEY (base64, 44 characters) under NAME: kits it\n"
            "  signs are imported without --allow-unsigned.\n"
            "untrust: stops trusting KEY (or the trusted key of that id).\n"
            "keys: lists the instance's name and public key, then the trusted keys\n"
            "  (tab-separated: id, name, key).\n"
            "show: checks a kit without any database (limits, checksums, signature) and\n"
            "  prints its manifest: producer, date, signing key, then one line per item\n"
            "  (tab-separated: item, type, code, version, sha256, size) and per file (file,\n"
            "  path, sha256, size). Exit status 1 when the kit is refused.\n\n"
            "  --db DB          SQLite file (default %s) or postgresql:// URL\n"
            "  --key-file PATH  the key file of sealed text (required with PostgreSQL)\n"
            "  -h, --help       this help\n",
            CLI_DEFAULT_DB);
}

/* Load the key file, open the database, check the key. */
static db_t *kit_open(const char *cmd, const char *url, const char *key_file, bool with_key,
                      int *rc)
{
    *rc = CLI_OK;
    if (!*url) {
        *rc = cli_usage_error(cmd, "--db must not be empty");
        return NULL;
    }
    if (key_file && !*key_file) {
        *rc = cli_usage_error(cmd, "--key-file must not be empty");
        return NULL;
    }
    char *key_path = NULL;
    if (with_key && (*rc = cli_key_load(cmd, url, key_file, &key_path, NULL)) != CLI_OK)
        return NULL;
    db_t *db = cli_open_db(cmd, url, true);
    if (!db) {
        free(key_path);
        *rc = CLI_FAIL;
        return NULL;
    }
    if (with_key && cli_key_check(cmd, db, key_path) != CLI_OK) {
        db_close(db);
        free(key_path);
        *rc = CLI_FAIL;
        return NULL;
    }
    free(key_path);
    return db;
}

static int kit_keygen_cmd(int argc, char **argv)
{
    const char *cmd = argv[0], *url = CLI_DEFAULT_DB, *key_file = NULL;
    bool force = false;
    static const struct option opts[] = {KIT_OPT_COMMON, {"force", no_argument, 0, 'f'}, {0, 0, 0, 0}};
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': url = optarg; break;
        case 'k': key_file = optarg; break;
        case 'f': force = true; break;
        case 'h': kit_help_to(stdout); return CLI_OK;
        default: fprintf(stderr, "Try '%s --help'.\n", cmd); return CLI_USAGE;
        }
    }
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    int rc;
    db_t *db = kit_open(cmd, url, key_file, true, &rc);
    if (!db)
        return rc;
    arena_t *a = arena_new();
    const char *pk = NULL;
    res_t res = kit_keygen(db, a, force, 0, "cli", &pk);
    if (res == RES_CONFLICT)
        rc = cli_fail(cmd, "this instance has a signing key already (public key %s): --force "
                           "replaces it, and the kits it signed become signed by an unknown key",
                      pk);
    else if (res != RES_OK)
        rc = cli_fail(cmd, "cannot create the key: %s", db_errmsg(db));
    else
        printf("Created the signing key of this instance. Its public key (give it to the\n"
               "instances that import your kits: 'jouda kit trust --name NAME KEY' there):\n%s\n",
               pk);
    arena_free(a);
    db_close(db);
    return rc;
}

static int kit_export_cmd(int argc, char **argv)
{
    const char *cmd = argv[0], *url = CLI_DEFAULT_DB, *key_file = NULL, *out = NULL;
    static const struct option opts[] = {KIT_OPT_COMMON, {"out", required_argument, 0, 'o'}, {0, 0, 0, 0}};
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        switch (c) {
        case 'd': url = optarg; break;
        case 'k': key_file = optarg; break;
        case 'o': out = optarg; break;
        case 'h': kit_help_to(stdout); return CLI_OK;
        default: fprintf(stderr, "Try '%s --help'.\n", cmd); return CLI_USAGE;
        }
    }
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (!out || !*out)
        return cli_usage_error(cmd, "--out FILE.zip is required");
    int rc;
    db_t *db = kit_open(cmd, url, key_file, true, &rc);
    if (!db)
        return rc;
    arena_t *a = arena_new();
    void *zip = NULL;
    size_t len = 0;
    bool is_signed = false;
    const char *msg = NULL;
    if (kit_export(db, a, NULL, &zip, &len, &is_signed, &msg) != RES_OK) {
        rc = cli_fail(cmd, "%s", msg ? msg : "cannot make the kit");
    } else {
        FILE *f = fopen(out, "wb");
        if (!f || fwrite(zip, 1, len, f) != len || fclose(f) != 0) {
            rc = cli_fail(cmd, "cannot write %s: %s", out, strerror(errno));
        } else {
            kit_read_t k;
            kit_error_t e;
            size_t n = kit_read(a, zip, len, &k, &e) ? k.n_items : 0;
            printf("Wrote %s: %zu item%s, %zu bytes, producer \"%s\".\n", out, n, n == 1 ? "" : "s",
                   len, kit_instance_name(db, a));
            if (!is_signed)
                fprintf(stderr, "%s: warning: the kit is not signed (this instance has no key: "
                                "'jouda kit keygen' creates one)\n", cmd);
        }
    }
    free(zip);
    arena_free(a);
    db_close(db);
    return rc;
}

static void print_report(json_t *rep)
{
    printf("Kit of \"%s\" made %s: %s.\n", json_string_value(json_object_get(rep, "producer")),
           json_string_value(json_object_get(rep, "created_at")),
           !json_is_true(json_object_get(rep, "signed"))    ? "not signed"
           : json_is_true(json_object_get(rep, "key_known")) ? "signed by a trusted key"
                                                              : "signed by an unknown key");
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(rep, "warnings"), i, w)
        printf("warning: %s\n", json_string_value(w));
    json_t *it;
    json_array_foreach(json_object_get(rep, "items"), i, it) {
        const char *msg = json_string_value(json_object_get(it, "message"));
        printf("  %-8s %-17s %s v%lld  %s%s%s\n", json_string_value(json_object_get(it, "action")),
               json_string_value(json_object_get(it, "type")),
               json_string_value(json_object_get(it, "code")),
               (long long)json_integer_value(json_object_get(it, "version")),
               json_string_value(json_object_get(it, "title")), msg ? ": " : "", msg ? msg : "");
    }
    json_t *c = json_object_get(rep, "counts");
    printf("%lld to create, %lld to update, %lld already here, %lld kept as they are, %lld invalid.\n",
           (long long)json_integer_value(json_object_get(c, "create")),
           (long long)json_integer_value(json_object_get(c, "update")),
           (long long)json_integer_value(json_object_get(c, "same")),
           (long long)json_integer_value(json_object_get(c, "skip")),
           (long long)json_integer_value(json_object_get(c, "invalid")));
}

static int kit_import_cmd(int argc, char **argv)
{
    const char *cmd = argv[0], *url = CLI_DEFAULT_DB, *key_file = NULL, *node_s = NULL;
    bool dry = false, allow = false;
    static const struct option opts[] = {KIT_OPT_COMMON,
                                         {"dry-run", no_argument, 0, 'n'},
                                         {"allow-unsigned", no_argument, 0, 'u'},
                                         {"node", required_argument, 0, 'N'},
                                         {0, 0, 0, 0}};
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': url = optarg; break;
        case 'k': key_file = optarg; break;
        case 'n': dry = true; break;
        case 'u': allow = true; break;
        case 'N': node_s = optarg; break;
        case 'h': kit_help_to(stdout); return CLI_OK;
        default: fprintf(stderr, "Try '%s --help'.\n", cmd); return CLI_USAGE;
        }
    }
    if (optind >= argc)
        return cli_usage_error(cmd, "the kit's file is required");
    if (optind + 1 < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
    const char *file = argv[optind];
    int64_t node = 0;
    if (node_s) {
        const char *end = NULL;
        if (!id_parse(node_s, &end, &node) || *end)
            return cli_usage_error(cmd, "--node must be a node id");
    }
    char *data = NULL;
    size_t len = 0;
    if (file_read_all(file, (size_t)KIT_MAX_ZIP, &data, &len) != 0)
        return errno == EFBIG ? cli_fail(cmd, "%s is too large for a kit (64 MB at most)", file)
                              : cli_fail(cmd, "cannot read %s: %s", file, strerror(errno));
    int rc;
    db_t *db = kit_open(cmd, url, key_file, true, &rc);
    if (!db) {
        free(data);
        return rc;
    }
    arena_t *a = arena_new();
    kit_opts_t o = {.apply = false, .allow_unsigned = allow, .node_id = node, .actor = 0, .ip = "cli"};
    json_t *rep = NULL;
    const char *msg = NULL;
    res_t res = kit_import(NULL, db, a, data, len, &o, &rep, &msg);
    if (res != RES_OK) {
        rc = cli_fail(cmd, "%s: refused: %s", file, msg ? msg : "the database failed");
    } else {
        print_report(rep);
        json_decref(rep);
        rep = NULL;
        if (dry) {
            printf("Dry run: nothing was imported.\n");
        } else {
            o.apply = true;
            res = kit_import(NULL, db, a, data, len, &o, &rep, &msg);
            if (res != RES_OK) {
                rc = cli_fail(cmd, "%s: not imported: %s", file, msg ? msg : db_errmsg(db));
            } else {
                json_t *cn = json_object_get(rep, "counts");
                printf("Imported: %lld created, %lld updated, %lld already here.\n",
                       (long long)json_integer_value(json_object_get(cn, "create")),
                       (long long)json_integer_value(json_object_get(cn, "update")),
                       (long long)json_integer_value(json_object_get(cn, "same")));
            }
            json_decref(rep);
        }
    }
    arena_free(a);
    free(data);
    db_close(db);
    return rc;
}

static int kit_trust_cmd(int argc, char **argv, bool untrust)
{
    const char *cmd = argv[0], *url = CLI_DEFAULT_DB, *name = NULL;
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"name", required_argument, 0, 'n'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': url = optarg; break;
        case 'n': name = optarg; break;
        case 'h': kit_help_to(stdout); return CLI_OK;
        default: fprintf(stderr, "Try '%s --help'.\n", cmd); return CLI_USAGE;
        }
    }
    if (optind >= argc)
        return cli_usage_error(cmd, "the public key is required");
    if (optind + 1 < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
    const char *key = argv[optind];
    if (!untrust && (!name || !kit_instance_name_ok(name)))
        return cli_usage_error(cmd, "--name NAME is required (1 to 100 characters, one line)");
    int rc;
    db_t *db = kit_open(cmd, url, NULL, false, &rc);
    if (!db)
        return rc;
    if (untrust) {
        int64_t id = 0;
        const char *end = NULL;
        if (!id_parse(key, &end, &id) || *end)
            id = db_query_int(db, "SELECT id FROM kit_keys WHERE public_key = ?", PARAMS(P_TEXT(key)), 0);
        res_t res = id > 0 ? kit_untrust(db, id, 0, "cli") : RES_NOT_FOUND;
        if (res == RES_NOT_FOUND)
            rc = cli_fail(cmd, "no trusted key %s", key);
        else if (res != RES_OK)
            rc = cli_fail(cmd, "cannot save: %s", db_errmsg(db));
        else
            printf("No longer trusted: %s\n", key);
    } else {
        const char *msgid = NULL;
        int64_t id = 0;
        res_t res = kit_trust(db, name, key, 0, "cli", &msgid, &id);
        if (res == RES_INVALID)
            rc = cli_usage_error(cmd, "%s", msgid);
        else if (res == RES_CONFLICT)
            rc = cli_fail(cmd, "%s", msgid);
        else if (res != RES_OK)
            rc = cli_fail(cmd, "cannot save: %s", db_errmsg(db));
        else
            printf("Trusted %s as \"%s\" (key %lld).\n", key, name, (long long)id);
    }
    db_close(db);
    return rc;
}

static int kit_keys_cmd(int argc, char **argv)
{
    const char *cmd = argv[0], *url = CLI_DEFAULT_DB;
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': url = optarg; break;
        case 'h': kit_help_to(stdout); return CLI_OK;
        default: fprintf(stderr, "Try '%s --help'.\n", cmd); return CLI_USAGE;
        }
    }
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    int rc;
    db_t *db = kit_open(cmd, url, NULL, false, &rc);
    if (!db)
        return rc;
    arena_t *a = arena_new();
    const char *pk = kit_own_public(db, a);
    printf("This instance: %s\nIts public key: %s\n", kit_instance_name(db, a),
           pk ? pk : "none ('jouda kit keygen' creates it)");
    json_t *keys = kit_keys_json(db);
    size_t i;
    json_t *k;
    if (json_array_size(keys))
        printf("Trusted keys:\n");
    json_array_foreach(keys, i, k)
        printf("%lld\t%s\t%s\n", (long long)json_integer_value(json_object_get(k, "id")),
               json_string_value(json_object_get(k, "name")),
               json_string_value(json_object_get(k, "public_key")));
    json_decref(keys);
    arena_free(a);
    db_close(db);
    return rc;
}

static int kit_show_cmd(int argc, char **argv)
{
    const char *cmd = argv[0];
    static const struct option opts[] = {{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h': kit_help_to(stdout); return CLI_OK;
        default: fprintf(stderr, "Try '%s --help'.\n", cmd); return CLI_USAGE;
        }
    }
    if (optind >= argc)
        return cli_usage_error(cmd, "the kit's file is required");
    if (optind + 1 < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
    const char *file = argv[optind];
    char *data = NULL;
    size_t len = 0;
    if (file_read_all(file, (size_t)KIT_MAX_ZIP, &data, &len) != 0)
        return errno == EFBIG ? cli_fail(cmd, "%s is too large for a kit (64 MB at most)", file)
                              : cli_fail(cmd, "cannot read %s: %s", file, strerror(errno));
    arena_t *a = arena_new();
    kit_read_t k;
    kit_error_t e;
    int rc = CLI_OK;
    if (!kit_read(a, data, len, &k, &e)) {
        const char *arg = e.arg ? e.arg : "";
        const char *msg = text_fill_strings(a, e.msgid, &arg, 1);
        rc = cli_fail(cmd, "%s: refused (%s): %s", file, e.code, msg);
    } else {
        char sha[65];
        kit_hex(k.sha256, sizeof k.sha256, sha);
        printf("producer\t%s\ncreated_at\t%s\nsignature\t%s\nsha256\t%s\n", k.producer,
               k.created_at ? k.created_at : "", k.signed_ok ? k.public_key : "none", sha);
        json_t *contents = json_object_get(k.manifest, "contents"), *it, *f;
        size_t i, j;
        json_array_foreach(contents, i, it) {
            printf("item\t%s\t%s\t%lld\t%s\t%lld\n", json_string_value(json_object_get(it, "type")),
                   json_string_value(json_object_get(it, "code")),
                   (long long)json_integer_value(json_object_get(it, "version")),
                   json_string_value(json_object_get(it, "sha256")),
                   (long long)json_integer_value(json_object_get(it, "size")));
            json_array_foreach(json_object_get(it, "files"), j, f)
                printf("file\t%s\t%s\t%lld\n", json_string_value(json_object_get(f, "path")),
                       json_string_value(json_object_get(f, "sha256")),
                       (long long)json_integer_value(json_object_get(f, "size")));
        }
    }
    arena_free(a);
    free(data);
    return rc;
}

int cli_kit(int argc, char **argv)
{
    if (argc < 2) {
        kit_help_to(stderr);
        return CLI_USAGE;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
        kit_help_to(stdout);
        return CLI_OK;
    }
    char *name = xasprintf("%s %s", argv[0], sub);
    argv[1] = name;
    int rc;
    if (strcmp(sub, "keygen") == 0)
        rc = kit_keygen_cmd(argc - 1, argv + 1);
    else if (strcmp(sub, "export") == 0)
        rc = kit_export_cmd(argc - 1, argv + 1);
    else if (strcmp(sub, "import") == 0)
        rc = kit_import_cmd(argc - 1, argv + 1);
    else if (strcmp(sub, "trust") == 0)
        rc = kit_trust_cmd(argc - 1, argv + 1, false);
    else if (strcmp(sub, "untrust") == 0)
        rc = kit_trust_cmd(argc - 1, argv + 1, true);
    else if (strcmp(sub, "keys") == 0)
        rc = kit_keys_cmd(argc - 1, argv + 1);
    else if (strcmp(sub, "show") == 0)
        rc = kit_show_cmd(argc - 1, argv + 1);
    else
        rc = cli_usage_error(argv[0], "unknown subcommand '%s' (keygen, export, import, trust, "
                                      "untrust, keys, show)",
                             sub);
    free(name);
    return rc;
}
