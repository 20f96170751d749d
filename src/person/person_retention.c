/* person_retention.c - `jouda retention`: the end of the retention period
 * of Law 09-08. A person who left the establishment (exit_date) more than
 * `years` ago is anonymised in place, once:
 *  - persons: the names in both scripts emptied, the search key reduced to
 *    the pseudonymous code, the birth date kept as 1 January of its year,
 *    the reference of the decision, the kind of disability and the three
 *    notes removed, anonymised_at set (the code, sex, node, dates of
 *    admission and exit and the codes of origin, legal status and
 *    destination stay: they are what the statistics count);
 *  - needs: the four free texts removed (domain and level stay);
 *  - plans: the participation and the names of the signatories removed
 *    (statuses, dates and agreement codes stay); goals' and actions' texts
 *    and who does them, reviews' "what changed" removed;
 *  - referents, siblings (both directions), grants and the access log of
 *    the person deleted.
 * One audit row per person (actor 0, action "retention", entity "person",
 * {"anonymised": {"from": false, "to": true}}: never a value), all in one
 * transaction. Sealed values are removed without being opened: no key is
 * needed.
 *
 * What was removed must not stay readable in the files: on SQLite the
 * connection turns secure_delete on first (freed content is overwritten
 * with zeros) and, when the transaction was its own, checkpoints the
 * write-ahead log into the database and truncates it after the commit. On
 * PostgreSQL the old row versions stay in the table files until VACUUM
 * (autovacuum) reclaims them (docs/PRIVACY.md). */
#include "person_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/fold.h"

/* "YYYY-MM-DD" years before day (29 February becomes the 28th), in out
 * (11 bytes). false when day is not a valid day or years is out of range. */
static bool retention_cutoff(const char *day, int years, char out[11])
{
    int y = 0, m = 0, d = 0;
    if (!day || !iso_day_valid(day) || years < 0 || years > 1000 ||
        sscanf(day, "%4d-%2d-%2d", &y, &m, &d) != 3)
        return false;
    y -= years;
    if (y < 1)
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m == 2 && d == 29 && !leap)
        d = 28;
    char buf[32];
    snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    memcpy(out, buf, 10);
    out[10] = '\0';
    return true;
}

/* The statements run for each person, in order (one parameter: its id,
 * given as many times as the statement has placeholders). */
static const struct {
    const char *sql;
    int n;
} retention_steps[] = {
    {"UPDATE person_needs SET situation = NULL, strengths = NULL, needs = NULL, own_words = NULL"
     " WHERE person_id = ?",
     1},
    {"UPDATE person_goals SET text = NULL WHERE plan_id IN (SELECT id FROM person_plans WHERE"
     " person_id = ?)",
     1},
    {"UPDATE person_actions SET text = NULL, who = '' WHERE goal_id IN (SELECT g.id FROM"
     " person_goals g JOIN person_plans pl ON pl.id = g.plan_id WHERE pl.person_id = ?)",
     1},
    {"UPDATE person_reviews SET changes = NULL WHERE plan_id IN (SELECT id FROM person_plans"
     " WHERE person_id = ?)",
     1},
    {"UPDATE person_plans SET participation = NULL, child_signed_name = NULL, guardian_name ="
     " NULL WHERE person_id = ?",
     1},
    {"DELETE FROM person_referents WHERE person_id = ?", 1},
    {"DELETE FROM person_siblings WHERE person_id = ? OR sibling_id = ?", 2},
    {"DELETE FROM person_grants WHERE person_id = ?", 1},
    {"DELETE FROM person_reads WHERE person_id = ?", 1},
};

static int retention_one(db_t *db, int64_t id, int64_t node_id, const char *code, const char *birth,
                         int64_t now)
{
    for (size_t i = 0; i < ARRAY_LEN(retention_steps); i++) {
        int rc = retention_steps[i].n == 2
                     ? db_exec(db, retention_steps[i].sql, PARAMS(P_INT(id), P_INT(id)))
                     : db_exec(db, retention_steps[i].sql, PARAMS(P_INT(id)));
        if (rc != DB_OK)
            return rc;
    }
    /* the birth date keeps its year only */
    char year[11] = "";
    if (birth && strlen(birth) >= 4) {
        memcpy(year, birth, 4);
        memcpy(year + 4, "-01-01", 7);
    }
    const char *fields[] = {code};
    char *key = text_fold_key(fields, 1);
    int rc = db_exec(
        db,
        "UPDATE persons SET first_name = '', last_name = '', first_name_ar = '',"
        " last_name_ar = '', search_key = ?, birth_date = ?, origin_ref = NULL,"
        " disability_kind = NULL, health_notes = NULL, family_notes = NULL,"
        " judicial_notes = NULL, anonymised_at = ?, rev = rev + 1, updated_at = ?"
        " WHERE id = ?",
        PARAMS(P_TEXT(key), P_TEXT(year[0] ? year : NULL), P_INT(now), P_INT(now), P_INT(id)));
    free(key);
    if (rc != DB_OK)
        return rc;
    json_t *ch = json_pack("{s:{s:b, s:b}}", "anonymised", "from", 0, "to", 1);
    rc = audit_write(db, 0, "retention", "person", id, node_id, ch, NULL);
    json_decref(ch);
    return rc;
}

int person_retention(db_t *db, int years, const char *today, bool dry_run)
{
    char cutoff[11];
    if (!db || !retention_cutoff(today, years, cutoff))
        return -1;
    static const char where[] = " FROM persons WHERE exit_date IS NOT NULL AND exit_date < ?"
                                " AND anonymised_at = 0";
    char sql[256];
    if (dry_run) {
        snprintf(sql, sizeof sql, "SELECT COUNT(*)%s", where);
        return (int)db_query_int(db, sql, PARAMS(P_TEXT(cutoff)), -1);
    }
    bool sqlite = db_kind(db) == DB_SQLITE;
    if (sqlite && !db_in_tx(db) && db_exec(db, "PRAGMA secure_delete = ON", NOPARAMS) != DB_OK)
        return -1;
    bool mine;
    if (!app_tx_begin(db, &mine))
        return -1;
    /* read them all first, then write (one connection: no writes during a read) */
    snprintf(sql, sizeof sql, "SELECT id, node_id, code, birth_date%s ORDER BY id", where);
    json_t *rows = db_query_json(db, sql, PARAMS(P_TEXT(cutoff)));
    if (!rows) {
        app_tx_end(db, mine, false);
        return -1;
    }
    int64_t now = now_utc();
    bool ok = true;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        ok = retention_one(db, json_integer_value(json_object_get(row, "id")),
                           json_integer_value(json_object_get(row, "node_id")),
                           json_string_value(json_object_get(row, "code")),
                           json_string_value(json_object_get(row, "birth_date")), now) == DB_OK;
        if (!ok)
            break;
    }
    size_t n = json_array_size(rows);
    json_decref(rows);
    if (app_tx_end(db, mine, ok) != DB_OK || !ok)
        return -1;
    if (sqlite && mine && n > 0) {
        /* best effort: a reader still open elsewhere keeps the log for now */
        db_res_t *res = db_query(db, "PRAGMA wal_checkpoint(TRUNCATE)", NOPARAMS);
        while (res && db_next(res))
            ;
        db_res_free(res);
    }
    return (int)n;
}
