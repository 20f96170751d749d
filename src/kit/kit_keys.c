/* kit_keys.c - the instance's signing key (Ed25519: the public key in
 * clear, the secret key sealed at rest), the public keys it trusts, and its
 * name (the kit's producer, the setting instance_name). Every change is
 * audited: "keygen" of the instance, "create" / "delete" of a trusted key,
 * "update" of the instance's name. */
#include "kit_internal.h"

#include <sodium.h>
#include <string.h>

#include "../audit/audit.h"
#include "../auth/seal.h"
#include "../nodes/nodes.h"

#define NAME_SETTING "instance_name"
#define NAME_DEFAULT "Jouda"

/* --- The instance's name ------------------------------------------------------ */

bool kit_instance_name_ok(const char *name)
{
    if (!name || !*name || !utf8_valid(name, strlen(name)) || str_has_control(name) ||
        strchr(name, '\n') || strchr(name, '\r') || strchr(name, '\t') || str_empty(name))
        return false;
    return utf8_count(name) <= KIT_MAX_PRODUCER;
}

const char *kit_instance_name(db_t *db, arena_t *a)
{
    db_res_t *res = db_query(db, "SELECT value FROM settings WHERE key = ?",
                             PARAMS(P_TEXT(NAME_SETTING)));
    const char *name = NULL;
    if (res && db_next(res) && kit_instance_name_ok(db_text(res, 0)))
        name = arena_strdup(a, db_text(res, 0));
    db_res_free(res);
    return name ? name : arena_strdup(a, NAME_DEFAULT);
}

res_t kit_set_instance_name(db_t *db, const char *name, int64_t actor, const char *ip)
{
    if (!kit_instance_name_ok(name))
        return RES_INVALID;
    arena_t *a = arena_new();
    const char *old = kit_instance_name(db, a);
    bool mine = false;
    if (!app_tx_begin(db, &mine)) {
        arena_free(a);
        return RES_ERROR;
    }
    bool ok = true;
    if (!str_eq(old, name)) {
        ok = db_exec(db, "DELETE FROM settings WHERE key = ?", PARAMS(P_TEXT(NAME_SETTING))) ==
                 DB_OK &&
             db_exec(db, "INSERT INTO settings (key, value) VALUES (?, ?)",
                     PARAMS(P_TEXT(NAME_SETTING), P_TEXT(name))) == DB_OK;
        if (ok) {
            json_t *ch = json_pack("{s:{s:s,s:s}}", "name", "from", old, "to", name);
            ok = audit_write(db, actor, "update", "instance", 1, nodes_root_id(db), ch, ip) == DB_OK;
            json_decref(ch);
        }
    }
    arena_free(a);
    return app_tx_end(db, mine, ok) == DB_OK && ok ? RES_OK : RES_ERROR;
}

/* --- The instance's key pair ----------------------------------------------------- */

const char *kit_own_public(db_t *db, arena_t *a)
{
    db_res_t *res = db_query(db, "SELECT public_key FROM kit_signing_key WHERE id = 1", NOPARAMS);
    const char *pk = NULL;
    if (res && db_next(res))
        pk = arena_strdup(a, db_text(res, 0));
    db_res_free(res);
    return pk;
}

bool kit_own_secret(db_t *db, arena_t *a, unsigned char sk[KIT_SK_BYTES])
{
    if (!seal_ready() || sodium_init() < 0)
        return false;
    db_res_t *res = db_query(db, "SELECT secret_key, public_key FROM kit_signing_key WHERE id = 1",
                             NOPARAMS);
    const char *sealed = NULL, *pk_b64 = NULL;
    if (res && db_next(res)) {
        sealed = arena_strdup(a, db_text(res, 0));
        pk_b64 = arena_strdup(a, db_text(res, 1));
    }
    db_res_free(res);
    const char *plain = NULL;
    if (!sealed || seal_open(a, sealed, &plain) != 0 || !plain)
        return false;
    size_t n = 0;
    bool ok = sodium_base642bin(sk, KIT_SK_BYTES, plain, strlen(plain), NULL, &n, NULL,
                                sodium_base64_VARIANT_ORIGINAL) == 0 &&
              n == KIT_SK_BYTES;
    sodium_memzero((void *)plain, strlen(plain));
    /* the secret key carries its public half: it must be the one published */
    unsigned char pk[KIT_PK_BYTES], want[KIT_PK_BYTES];
    if (ok) {
        crypto_sign_ed25519_sk_to_pk(pk, sk);
        ok = kit_pk_parse(pk_b64, want) && memcmp(pk, want, KIT_PK_BYTES) == 0;
    }
    if (!ok)
        sodium_memzero(sk, KIT_SK_BYTES);
    return ok;
}

res_t kit_keygen(db_t *db, arena_t *a, bool force, int64_t actor, const char *ip,
                 const char **pk_b64)
{
    if (sodium_init() < 0 || !seal_ready())
        return RES_ERROR;
    const char *old = kit_own_public(db, a);
    if (old && !force) {
        *pk_b64 = old;
        return RES_CONFLICT;
    }
    unsigned char pk[KIT_PK_BYTES], sk[KIT_SK_BYTES];
    crypto_sign_keypair(pk, sk);
    char sk_b64[sodium_base64_ENCODED_LEN(KIT_SK_BYTES, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(sk_b64, sizeof sk_b64, sk, KIT_SK_BYTES, sodium_base64_VARIANT_ORIGINAL);
    sodium_memzero(sk, sizeof sk);
    const char *sealed = seal_text(a, sk_b64);
    sodium_memzero(sk_b64, sizeof sk_b64);
    const char *pub = kit_pk_b64(a, pk);
    bool mine = false;
    if (!app_tx_begin(db, &mine))
        return RES_ERROR;
    bool ok = db_exec(db, "DELETE FROM kit_signing_key WHERE id = 1", NOPARAMS) == DB_OK &&
              db_exec(db,
                      "INSERT INTO kit_signing_key (id, public_key, secret_key, created_by,"
                      " created_at) VALUES (1, ?, ?, ?, ?)",
                      PARAMS(P_TEXT(pub), P_TEXT(sealed), actor ? P_INT(actor) : P_NULL,
                             P_INT(now_utc()))) == DB_OK;
    if (ok) {
        json_t *ch = json_pack("{s:{s:o,s:s}}", "public_key", "from", json_str_or_null(old), "to",
                               pub);
        ok = audit_write(db, actor, "keygen", "instance", 1, nodes_root_id(db), ch, ip) == DB_OK;
        json_decref(ch);
    }
    if (app_tx_end(db, mine, ok) != DB_OK || !ok)
        return RES_ERROR;
    *pk_b64 = pub;
    return RES_OK;
}

/* --- Trusted keys ------------------------------------------------------------------ */

bool kit_key_trusted(db_t *db, arena_t *a, const char *pk_b64, const char **name)
{
    if (name)
        *name = NULL;
    if (!pk_b64)
        return false;
    const char *own = kit_own_public(db, a);
    if (own && str_eq(own, pk_b64))
        return true;
    db_res_t *res = db_query(db, "SELECT name FROM kit_keys WHERE public_key = ?",
                             PARAMS(P_TEXT(pk_b64)));
    bool found = false;
    if (res && db_next(res)) {
        found = true;
        if (name)
            *name = arena_strdup(a, db_text(res, 0));
    }
    db_res_free(res);
    return found;
}

res_t kit_trust(db_t *db, const char *name, const char *key, int64_t actor, const char *ip,
                const char **msgid, int64_t *id_out)
{
    unsigned char pk[KIT_PK_BYTES];
    *msgid = NULL;
    if (!kit_instance_name_ok(name)) {
        *msgid = N_("Name the key (1 to 100 characters, one line).");
        return RES_INVALID;
    }
    if (!key || !kit_pk_parse(key, pk)) {
        *msgid = N_("A public key is 44 characters of base64, as the command jouda kit keygen prints it.");
        return RES_INVALID;
    }
    if (db_query_int(db, "SELECT COUNT(*) FROM kit_keys WHERE public_key = ?", PARAMS(P_TEXT(key)),
                     0) > 0) {
        *msgid = N_("This key is trusted already.");
        return RES_CONFLICT;
    }
    bool mine = false;
    if (!app_tx_begin(db, &mine))
        return RES_ERROR;
    db_res_t *res = db_query(db,
                             "INSERT INTO kit_keys (name, public_key, created_by, created_at)"
                             " VALUES (?, ?, ?, ?) RETURNING id",
                             PARAMS(P_TEXT(name), P_TEXT(key), actor ? P_INT(actor) : P_NULL,
                                    P_INT(now_utc())));
    int64_t id = res && db_next(res) ? db_int(res, 0) : 0;
    db_res_free(res);
    bool ok = id > 0;
    if (ok) {
        json_t *ch = json_pack("{s:{s:n,s:s},s:{s:n,s:s}}", "name", "from", "to", name,
                               "public_key", "from", "to", key);
        ok = audit_write(db, actor, "create", "kit_key", id, nodes_root_id(db), ch, ip) == DB_OK;
        json_decref(ch);
    }
    if (app_tx_end(db, mine, ok) != DB_OK || !ok)
        return RES_ERROR;
    if (id_out)
        *id_out = id;
    return RES_OK;
}

res_t kit_untrust(db_t *db, int64_t id, int64_t actor, const char *ip)
{
    json_t *row = db_query_row_json(db, "SELECT name, public_key FROM kit_keys WHERE id = ?",
                                    PARAMS(P_INT(id)));
    if (!row)
        return RES_NOT_FOUND;
    bool mine = false;
    if (!app_tx_begin(db, &mine)) {
        json_decref(row);
        return RES_ERROR;
    }
    bool ok = db_exec(db, "DELETE FROM kit_keys WHERE id = ?", PARAMS(P_INT(id))) == DB_OK;
    if (ok) {
        json_t *ch = json_pack("{s:{s:O,s:n},s:{s:O,s:n}}", "name", "from",
                               json_object_get(row, "name"), "to", "public_key", "from",
                               json_object_get(row, "public_key"), "to");
        ok = audit_write(db, actor, "delete", "kit_key", id, nodes_root_id(db), ch, ip) == DB_OK;
        json_decref(ch);
    }
    json_decref(row);
    if (app_tx_end(db, mine, ok) != DB_OK || !ok)
        return RES_ERROR;
    return RES_OK;
}

json_t *kit_keys_json(db_t *db)
{
    json_t *rows = db_query_json(db,
                                 "SELECT id, name, public_key, created_by, created_at FROM kit_keys"
                                 " ORDER BY name, id",
                                 NOPARAMS);
    return rows ? rows : json_array();
}
