/* onb_create.c - opening the EPS: everything the wizard gathered, written in
 * one transaction (the EPS, its units, the accounts and their roles, the
 * roadmap, the kit, the run marked done and the "onboard" audit row), and
 * the result shown once. */
#include "onboard_internal.h"

#include <sodium.h>
#include <string.h>

/* Letters and digits without look-alikes: no 0/o, 1/l/i. */
static const char pw_alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";

void onb_password(char *out, size_t outlen)
{
    if (outlen < ONB_PASSWORD_LEN + 1) {
        if (outlen)
            out[0] = '\0';
        return;
    }
    size_t k = 0;
    for (int g = 0; g < 4; g++) {
        if (g)
            out[k++] = '-';
        for (int i = 0; i < 4; i++)
            out[k++] = pw_alphabet[randombytes_uniform((uint32_t)(sizeof pw_alphabet - 1))];
    }
    out[k] = '\0';
}

static json_int_t count_of(json_t *report, const char *what)
{
    return json_integer_value(json_object_get(json_object_get(report, "counts"), what));
}

/* The 409 of a run done already (reloaded, or posted twice at once): the
 * establishment it made when known. */
static res_t created_already(db_t *db, const char *run_hash, int64_t *eps_id, const char **msgid)
{
    *eps_id = db_query_int(db, "SELECT eps_id FROM onboard_runs WHERE token_hash = ?",
                           PARAMS(P_TEXT(run_hash)), 0);
    if (*eps_id < 0)
        *eps_id = 0;
    *msgid = N_("This establishment has been created already: its accounts' passwords "
                "were shown once, on the page that followed.");
    return RES_CONFLICT;
}

res_t onb_create(req_t *r, onb_plan_t *p, json_t *errors, int64_t *eps_id, json_t **kit_report,
                 const char **msgid)
{
    *eps_id = 0;
    *kit_report = NULL;
    *msgid = NULL;
    db_t *db = r->db;
    arena_t *a = r->arena;
    int64_t actor = r->user->id;
    const char *ip = req_ip(r);

    /* The slow part first, outside the transaction: Argon2id of each
     * temporary password (the write lock is not held meanwhile). */
    char hashes[ONB_PEOPLE][160];
    for (int k = 0; k < ONB_PEOPLE; k++) {
        onb_person_t *who = &p->people[k];
        who->id = 0;
        if (!who->given)
            continue;
        onb_password(who->password, sizeof who->password);
        if (password_hash(who->password, hashes[k], sizeof hashes[k]) != 0)
            return RES_ERROR;
    }
    const char *run_hash = p->run ? onb_run_hash(r, p->run) : NULL;

    if (db_begin(db) != DB_OK)
        return RES_ERROR;
    res_t out = RES_ERROR;
    const char *conflict = NULL;
    int64_t id = 0;
    json_t *report = NULL;

    /* a run creates once: the same page posted twice finds its EPS. The
     * run is claimed first (its row locked on PostgreSQL, made when the
     * kit's step did not make it: UNIQUE(token_hash) decides between two
     * posts), so a second post waits for the first and finds it done. */
    if (run_hash) {
        int64_t done = db_query_int(db, "SELECT eps_id FROM onboard_runs WHERE token_hash = ?",
                                    PARAMS(P_TEXT(run_hash)), 0);
        if (done > 0) {
            db_rollback(db);
            return created_already(db, run_hash, eps_id, msgid);
        }
        int64_t now = now_utc();
        if (db_exec(db,
                    "UPDATE onboard_runs SET updated_at = ? WHERE token_hash = ? AND user_id = ?"
                    " AND eps_id IS NULL",
                    PARAMS(P_INT(now), P_TEXT(run_hash), P_INT(actor))) != DB_OK)
            goto fail;
        if (db_changes(db) != 1) {
            int irc = db_exec(db,
                              "INSERT INTO onboard_runs (token_hash, user_id, created_at,"
                              " updated_at) VALUES (?, ?, ?, ?)",
                              PARAMS(P_TEXT(run_hash), P_INT(actor), P_INT(now), P_INT(now)));
            if (irc == DB_CONSTRAINT) {
                db_rollback(db);
                return created_already(db, run_hash, eps_id, msgid);
            }
            if (irc != DB_OK)
                goto fail;
        }
    }

    res_t rc = nodes_insert(db, a, actor, ip, &p->assoc, NODE_EPS, &p->eps, &id, &conflict);
    if (rc == RES_CONFLICT) {
        db_rollback(db);
        *msgid = conflict;
        return RES_CONFLICT;
    }
    node_t eps;
    if (rc != RES_OK || nodes_load(db, a, id, &eps) != 0)
        goto fail;

    for (int i = 0; i < p->n_units; i++) {
        node_input_t u;
        memset(&u, 0, sizeof u);
        u.capacity = -1;
        u.has_name = true;
        u.name = p->units[i].name;
        u.has_unit_kind = true;
        u.unit_kind = p->units[i].kind;
        if (nodes_insert(db, a, actor, ip, &eps, NODE_UNIT, &u, &p->units[i].id, &conflict) !=
            RES_OK)
            goto fail;
    }

    int n_accounts = 0;
    for (int k = 0; k < ONB_PEOPLE; k++) {
        onb_person_t *who = &p->people[k];
        if (!who->given)
            continue;
        user_new_t nu = {.email = who->email,
                         .username = who->username,
                         .name = who->name,
                         .language = who->language,
                         .password_hash = hashes[k],
                         .home_node_id = id,
                         .roles = &who->role,
                         .role_nodes = &id,
                         .role_expiry = NULL,
                         .n_roles = 1};
        const char *m = NULL, *f = NULL;
        rc = users_insert(db, actor, &nu, ip, &who->id, &m, &f);
        if ((rc == RES_CONFLICT || rc == RES_INVALID) && m) {
            /* taken meanwhile (checked before, raced since) */
            db_rollback(db);
            const char *field = f && (str_eq(f, "email") || str_eq(f, "username") ||
                                      str_eq(f, "name") || str_eq(f, "language"))
                                    ? arena_printf(a, "%s_%s", who->prefix, f)
                                    : arena_printf(a, "%s_email", who->prefix);
            v_error(errors, field, m);
            return RES_INVALID;
        }
        if (rc != RES_OK)
            goto fail;
        n_accounts++;
    }

    if (road_open(db, id, actor, ip) != DB_OK)
        goto fail;

    if (p->kit && p->kit_len) {
        kit_opts_t o = {.apply = true,
                        .allow_unsigned = p->allow_unsigned,
                        .node_id = p->assoc_id,
                        .actor = actor,
                        .ip = ip};
        const char *m = NULL;
        rc = kit_import(r, db, a, p->kit, p->kit_len, &o, &report, &m);
        if (rc == RES_INVALID) {
            if (db_in_tx(db))
                db_rollback(db);
            json_decref(report);
            v_error(errors, "kit", m ? m : N_("This file is not a transfer kit Jouda can read."));
            return RES_INVALID;
        }
        if (rc != RES_OK || !db_in_tx(db))
            goto fail;
    }

    json_t *ch = json_object();
    json_object_set_new(ch, "parent_id",
                        json_pack("{s:n, s:I}", "from", "to", (json_int_t)p->assoc_id));
    json_object_set_new(ch, "units", json_pack("{s:n, s:i}", "from", "to", p->n_units));
    json_object_set_new(ch, "accounts", json_pack("{s:n, s:i}", "from", "to", n_accounts));
    json_object_set_new(ch, "roadmap", json_pack("{s:n, s:b}", "from", "to", 1));
    if (report) {
        json_object_set_new(ch, "kit_created",
                            json_pack("{s:n, s:I}", "from", "to", count_of(report, "create")));
        json_object_set_new(ch, "kit_updated",
                            json_pack("{s:n, s:I}", "from", "to", count_of(report, "update")));
    }
    int arc = audit_write(db, actor, "onboard", "node", id, id, ch, ip);
    json_decref(ch);
    if (arc != DB_OK)
        goto fail;

    if (run_hash) {
        /* the run claimed above, marked done: exactly one row, still open */
        if (db_exec(
                db,
                "UPDATE onboard_runs SET eps_id = ?, kit = NULL, kit_name = NULL, updated_at = ?"
                " WHERE token_hash = ? AND user_id = ? AND eps_id IS NULL",
                PARAMS(P_INT(id), P_INT(now_utc()), P_TEXT(run_hash), P_INT(actor))) != DB_OK)
            goto fail;
        if (db_changes(db) != 1) {
            db_rollback(db);
            json_decref(report);
            sodium_memzero(hashes, sizeof hashes);
            return created_already(db, run_hash, eps_id, msgid);
        }
    }
    if (db_commit(db) != DB_OK)
        goto fail;
    sodium_memzero(hashes, sizeof hashes);
    *eps_id = id;
    *kit_report = report;
    return RES_OK;
fail:
    log_error("onboard: opening an establishment failed: %s", db_errmsg(db));
    if (db_in_tx(db))
        db_rollback(db);
    json_decref(report);
    sodium_memzero(hashes, sizeof hashes);
    return out;
}

/* --- The result ------------------------------------------------------------ */

json_t *onb_result(req_t *r, const onb_plan_t *p, int64_t eps_id, json_t *kit_report)
{
    const char *name = nodes_display_name(r, p->eps.name, p->eps.name_ar);
    json_t *units = json_array();
    for (int i = 0; i < p->n_units; i++)
        json_array_append_new(units, json_pack("{s:I, s:s, s:o, s:s}", "id",
                                               (json_int_t)p->units[i].id, "name", p->units[i].name,
                                               "unit_kind", json_str_or_null(p->units[i].kind),
                                               "href", nodes_href(r, p->units[i].id)));
    json_t *accounts = json_array();
    for (int k = 0; k < ONB_PEOPLE; k++) {
        const onb_person_t *who = &p->people[k];
        if (!who->given || who->id <= 0)
            continue;
        const char *role = who->role == ROLE_DIRECTOR ? "director" : "quality_referent";
        json_array_append_new(
            accounts,
            json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:s}", "id", (json_int_t)who->id,
                      "role", role, "role_label", T(r, users_role_msgid(who->role)), "name",
                      who->name, "email", json_str_or_null(who->email), "username",
                      json_str_or_null(who->username), "language", who->language, "password",
                      who->password, "login", who->email ? who->email : who->username));
    }
    json_t *links =
        json_pack("{s:s, s:s, s:s, s:s}", "eps", nodes_href(r, eps_id), "roadmap",
                  arena_printf(r->arena, "/roadmap/%lld", (long long)eps_id), "campaign",
                  arena_printf(r->arena, "/campaigns/new?node_id=%lld", (long long)eps_id), "users",
                  arena_printf(r->arena, "/admin/users?node=%lld", (long long)eps_id));
    return json_pack("{s:I, s:s, s:o, s:o, s:o, s:o, s:O}", "id", (json_int_t)eps_id, "name", name,
                     "association_id", json_integer(p->assoc_id), "units", units, "accounts",
                     accounts, "links", links, "kit", kit_report ? kit_report : json_null());
}
