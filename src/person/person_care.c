/* person_care.c - the holistic part of a person's file: life domains, the
 * needs assessment by domain, the daily work on late reviews and the
 * pseudonymised indicators of an EPS (the plans are in person_plan.c).
 * Free texts are sealed here. */
#include "person_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- Domains ---------------------------------------------------------------------- */

static const struct {
    const char *code, *fr, *ar, *en;
} shipped_domains[] = {
    {"health", "Santé", "الصحة", "Health"},
    {"development", "Développement", "النمو", "Development"},
    {"education", "Éducation et formation", "التربية والتكوين", "Education and training"},
    {"identity", "Vie affective et identité", "الحياة العاطفية والهوية",
     "Emotional life and identity"},
    {"family", "Liens familiaux et sociaux", "الروابط الأسرية والاجتماعية",
     "Family and social ties"},
    {"autonomy", "Autonomie et compétences de vie", "الاستقلالية والمهارات الحياتية",
     "Autonomy and life skills"},
    {"safety", "Sécurité", "الأمان والحماية", "Safety"},
    {"participation", "Participation et droits", "المشاركة والحقوق", "Participation and rights"},
    {"leisure", "Loisirs et culture", "الترفيه والثقافة", "Leisure and culture"},
    {"disability", "Besoins liés au handicap", "الاحتياجات المرتبطة بالإعاقة",
     "Disability-specific needs"},
};

int pers_domains_seed(db_t *db)
{
    for (size_t i = 0; i < ARRAY_LEN(shipped_domains); i++) {
        int rc = db_exec(db,
                         "INSERT INTO person_domains (code, label_fr, label_ar, label_en,"
                         " position, active) VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT (code) DO"
                         " NOTHING",
                         PARAMS(P_TEXT(shipped_domains[i].code), P_TEXT(shipped_domains[i].fr),
                                P_TEXT(shipped_domains[i].ar), P_TEXT(shipped_domains[i].en),
                                P_INT((int64_t)(i + 1) * 10)));
        if (rc != DB_OK)
            return rc;
    }
    return DB_OK;
}

static const char *label_col(const char *lang)
{
    return lang && strcmp(lang, "ar") == 0   ? "label_ar"
           : lang && strcmp(lang, "en") == 0 ? "label_en"
                                             : "label_fr";
}

pers_domain_t *pers_domains(db_t *db, arena_t *a, const char *lang, bool all, size_t *n)
{
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT code, %s, position, active FROM person_domains%s ORDER BY position, code",
             label_col(lang), all ? "" : " WHERE active = 1");
    VEC(pers_domain_t) out = {0};
    db_res_t *res = db_query(db, sql, NULL, 0);
    while (res && db_next(res))
        *VEC_PUSH(a, &out) = (pers_domain_t){arena_strdup(a, db_text(res, 0)),
                                             arena_strdup(a, db_text(res, 1)),
                                             (int)db_int(res, 2), db_int(res, 3) != 0};
    *n = out.n;
    db_res_free(res);
    return out.v;
}

bool pers_domain_known(db_t *db, const char *code)
{
    return code && db_query_int(db, "SELECT COUNT(*) FROM person_domains WHERE code = ?",
                                PARAMS(P_TEXT(code)), 0) > 0;
}

static bool code_shape(const char *c)
{
    size_t n = c ? strlen(c) : 0;
    if (n < 2 || n > 30)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((c[i] >= 'a' && c[i] <= 'z') || c[i] == '_' || (i > 0 && c[i] >= '0' && c[i] <= '9')))
            return false;
    return true;
}

res_t pers_domain_save(req_t *r, const char *code, const char *fr, const char *ar,
                       const char *en, int position, bool active, json_t *errors)
{
    if (!code_shape(code))
        v_error(errors, "code", N_("Use 2 to 30 lower-case letters or underscores."));
    if (!fr || !*fr)
        v_error(errors, "label_fr", N_("Enter the name in French."));
    if (!ar || !*ar)
        v_error(errors, "label_ar", N_("Enter the name in Arabic."));
    if (!en || !*en)
        v_error(errors, "label_en", N_("Enter the name in English."));
    if (json_object_size(errors) > 0)
        return RES_INVALID;
    bool mine;
    if (!app_tx_begin(r->db, &mine))
        return RES_ERROR;
    bool ok = db_exec(r->db,
                      "INSERT INTO person_domains (code, label_fr, label_ar, label_en, position,"
                      " active) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET"
                      " label_fr = excluded.label_fr, label_ar = excluded.label_ar, label_en ="
                      " excluded.label_en, position = excluded.position, active ="
                      " excluded.active",
                      PARAMS(P_TEXT(code), P_TEXT(fr), P_TEXT(ar), P_TEXT(en), P_INT(position),
                             P_INT(active))) == DB_OK;
    json_t *ch = json_pack("{s:{s:s}, s:{s:s}, s:{s:b}}", "domain", "to", code, "label_fr", "to",
                           fr, "active", "to", active);
    ok = ok && audit_write(r->db, r->user->id, "domain", "person_domain", 0, 0, ch, req_ip(r)) ==
                   DB_OK;
    json_decref(ch);
    if (app_tx_end(r->db, mine, ok) != DB_OK || !ok)
        return RES_ERROR;
    return RES_OK;
}

/* --- Needs ------------------------------------------------------------------------- */

pers_need_t *pers_needs(req_t *r, int64_t person_id, size_t *n)
{
    arena_t *a = r->arena;
    VEC(pers_need_t) out = {0};
    /* every domain in order with the person's assessment; a domain no
     * longer in use still shows what was written in it */
    db_res_t *res = db_query(r->db,
                             "SELECT d.code, n.level, n.situation, n.strengths, n.needs,"
                             " n.own_words, n.assessed_on, n.rev, n.updated_by, n.updated_at FROM"
                             " person_domains d LEFT JOIN person_needs n ON n.domain = d.code AND"
                             " n.person_id = ? WHERE d.active = 1 OR n.id IS NOT NULL ORDER BY"
                             " d.position, d.code",
                             PARAMS(P_INT(person_id)));
    while (res && db_next(res))
        *VEC_PUSH(a, &out) = (pers_need_t){.domain = arena_strdup(a, db_text(res, 0)),
                                           .level = (int)db_int(res, 1),
                                           .situation = pers_opened(a, db_text(res, 2)),
                                           .strengths = pers_opened(a, db_text(res, 3)),
                                           .needs = pers_opened(a, db_text(res, 4)),
                                           .own_words = pers_opened(a, db_text(res, 5)),
                                           .assessed_on = arena_strdup(a, db_text(res, 6)),
                                           .rev = db_int(res, 7),
                                           .updated_by = db_int(res, 8),
                                           .updated_at = db_int(res, 9)};
    db_res_free(res);
    *n = out.n;
    return out.v;
}

res_t pers_need_save(req_t *r, const person_t *p, const pers_need_t *in, int64_t rev,
                     json_t *errors)
{
    if (p->anonymised_at)
        return RES_CONFLICT;
    if (!pers_domain_known(r->db, in->domain))
        return RES_NOT_FOUND;
    if (in->level < 1 || in->level > 4)
        v_error(errors, "level", N_("Choose a level of need from 1 to 4."));
    const char *texts[] = {in->situation, in->strengths, in->needs, in->own_words};
    const char *names[] = {"situation", "strengths", "needs", "own_words"};
    for (int i = 0; i < 4; i++)
        if (texts[i] && utf8_count(texts[i]) > PERS_NOTE_MAX)
            v_error(errors, names[i], N_("This text is too long."));
    if (json_object_size(errors) > 0)
        return RES_INVALID;
    const char *day = in->assessed_on && *in->assessed_on ? in->assessed_on : pers_today(r->arena);
    bool mine;
    if (!app_tx_begin(r->db, &mine))
        return RES_ERROR;
    db_res_t *res = db_query(r->db,
                             "SELECT rev, level FROM person_needs WHERE person_id = ? AND"
                             " domain = ?",
                             PARAMS(P_INT(p->id), P_TEXT(in->domain)));
    bool exists = res && db_next(res);
    int64_t cur_rev = exists ? db_int(res, 0) : 0, old_level = exists ? db_int(res, 1) : 0;
    db_res_free(res);
    if (exists && rev > 0 && rev != cur_rev) {
        app_tx_end(r->db, mine, false);
        return RES_CONFLICT;
    }
    arena_t *a = r->arena;
    int64_t now = now_utc();
    bool ok;
    if (exists)
        ok = db_exec(r->db,
                     "UPDATE person_needs SET level = ?, situation = ?, strengths = ?, needs = ?,"
                     " own_words = ?, assessed_on = ?, rev = rev + 1, updated_by = ?, updated_at"
                     " = ? WHERE person_id = ? AND domain = ? AND rev = ?",
                     PARAMS(P_INT(in->level), pers_sealed_param(a, in->situation),
                            pers_sealed_param(a, in->strengths), pers_sealed_param(a, in->needs),
                            pers_sealed_param(a, in->own_words), P_TEXT(day), P_INT(r->user->id),
                            P_INT(now), P_INT(p->id), P_TEXT(in->domain), P_INT(cur_rev))) ==
             DB_OK;
    else
        ok = db_exec(r->db,
                     "INSERT INTO person_needs (person_id, domain, level, situation, strengths,"
                     " needs, own_words, assessed_on, updated_by, updated_at) VALUES (?, ?, ?, ?,"
                     " ?, ?, ?, ?, ?, ?)",
                     PARAMS(P_INT(p->id), P_TEXT(in->domain), P_INT(in->level),
                            pers_sealed_param(a, in->situation), pers_sealed_param(a, in->strengths),
                            pers_sealed_param(a, in->needs), pers_sealed_param(a, in->own_words),
                            P_TEXT(day), P_INT(r->user->id), P_INT(now))) == DB_OK;
    json_t *ch = json_pack("{s:{s:s}, s:{s:I, s:i}}", "domain", "to", in->domain, "level", "from",
                           (json_int_t)old_level, "to", in->level);
    for (int i = 0; i < 4; i++)
        if (texts[i] && *texts[i])
            json_object_set_new(ch, names[i], json_string("changed"));
    ok = ok && audit_write(r->db, r->user->id, "need", "person", p->id, p->node_id, ch,
                           req_ip(r)) == DB_OK;
    json_decref(ch);
    if (app_tx_end(r->db, mine, ok) != DB_OK || !ok)
        return RES_ERROR;
    return RES_OK;
}

/* --- The daily work ------------------------------------------------------------------- */

int pers_daily(db_t *db, const char *day, int64_t now)
{
    (void)now;
    /* read the plans first, notify after (one connection: no nested reads) */
    json_t *late = db_query_json(db,
                                 "SELECT pl.id, pl.person_id, pl.next_review, p.eps_id FROM"
                                 " person_plans pl JOIN persons p ON p.id = pl.person_id WHERE"
                                 " pl.status IN ('agreed', 'in_review') AND pl.next_review < ?"
                                 " AND (pl.late_notified IS NULL OR pl.late_notified <>"
                                 " pl.next_review) AND p.exit_date IS NULL AND p.anonymised_at ="
                                 " 0 ORDER BY pl.id",
                                 PARAMS(P_TEXT(day)));
    if (!late)
        return DB_ERR;
    arena_t *a = arena_new();
    bool mine;
    int rc = app_tx_begin(db, &mine) ? DB_OK : DB_ERR;
    size_t i;
    json_t *row;
    json_array_foreach(late, i, row)
    {
        if (rc != DB_OK)
            break;
        int64_t plan = json_integer_value(json_object_get(row, "id"));
        int64_t person = json_integer_value(json_object_get(row, "person_id"));
        int64_t eps = json_integer_value(json_object_get(row, "eps_id"));
        const char *due = json_string_value(json_object_get(row, "next_review"));
        json_t *who = db_query_json(db,
                                    "SELECT user_id AS id FROM person_referents WHERE person_id"
                                    " = ? ORDER BY user_id",
                                    PARAMS(P_INT(person)));
        json_t *dirs = users_holding(db, nodes_path_of(db, a, eps), ROLE_DIRECTOR);
        json_array_extend(who ? who : (who = json_array()), dirs);
        json_decref(dirs);
        const char *link = arena_printf(a, "/persons/%lld?tab=plan", (long long)person);
        size_t k;
        json_t *u;
        json_array_foreach(who, k, u)
        {
            notify_arg_t args[] = {NOTIFY_REF("person", person), NOTIFY_TEXT(due)};
            rc = notify_user(db, json_integer_value(json_object_get(u, "id")), "person_review_late",
                             N_("The review of the plan of %s is late: it was due on %s."), link,
                             args, 2);
            if (rc != DB_OK)
                break;
        }
        json_decref(who);
        if (rc == DB_OK)
            rc = db_exec(db, "UPDATE person_plans SET late_notified = next_review WHERE id = ?",
                         PARAMS(P_INT(plan)));
    }
    if (app_tx_end(db, mine, rc == DB_OK) != DB_OK && rc == DB_OK)
        rc = DB_ERR;
    json_decref(late);
    arena_free(a);
    return rc;
}

/* --- Indicators ----------------------------------------------------------------------- */

int pers_indicators(db_t *db, const char *path, const char *day, pers_indicators_t *out)
{
    memset(out, 0, sizeof *out);
    out->avg_delay_days = -1;
    arena_t *a = arena_new();
    const char *hi = app_path_upper(a, path);
    db_res_t *res = db_query(
        db,
        /* the plan in force of each person (agreeing a version closes the
         * older ones: one at most), read per person on the index (person_id,
         * version) by scalar subqueries: a join lets PostgreSQL's generic
         * plan hash every plan of the country */
        "SELECT COUNT(*) AS n,"
        " SUM(CASE WHEN x.next_review IS NOT NULL THEN 1 ELSE 0 END) AS with_plan,"
        " SUM(CASE WHEN x.next_review >= ? THEN 1 ELSE 0 END) AS up_to_date,"
        " SUM(CASE WHEN x.signed = 1 THEN 1 ELSE 0 END) AS child_signed,"
        " SUM(CASE WHEN x.next_review < ? THEN 1 ELSE 0 END) AS late"
        " FROM (SELECT"
        " (SELECT c.next_review FROM person_plans c WHERE c.person_id = p.id AND c.status IN"
        " ('agreed', 'in_review') ORDER BY c.version DESC LIMIT 1) AS next_review,"
        " (SELECT CASE WHEN c.child_signed_on IS NULL THEN 0 ELSE 1 END FROM person_plans c WHERE"
        " c.person_id = p.id AND c.status IN ('agreed', 'in_review') ORDER BY c.version DESC"
        " LIMIT 1) AS signed"
        " FROM persons p WHERE p.path >= ? AND p.path < ? AND p.exit_date IS NULL AND"
        " p.anonymised_at = 0) x",
        PARAMS(P_TEXT(day), P_TEXT(day), P_TEXT(path), P_TEXT(hi)));
    int rc = -1;
    if (res && db_next(res)) {
        out->in_care = db_int(res, 0);
        out->with_plan = db_int(res, 1);
        out->up_to_date = db_int(res, 2);
        out->child_signed = db_int(res, 3);
        out->late = db_int(res, 4);
        rc = 0;
    }
    db_res_free(res);
    /* the delay of reviews: days between the due day and the review, for
     * the reviews of the last year done late, and the late plans today */
    char year_ago[11];
    iso_day_format(iso_day_number(day) - 365, year_ago);
    double total = 0;
    int64_t n = 0;
    res = db_query(db,
                   "SELECT rv.due_on, rv.reviewed_on FROM person_reviews rv JOIN person_plans pl"
                   " ON pl.id = rv.plan_id JOIN persons p ON p.id = pl.person_id WHERE p.path >= ?"
                   " AND p.path < ? AND rv.reviewed_on >= ? AND rv.due_on IS NOT NULL",
                   PARAMS(P_TEXT(path), P_TEXT(hi), P_TEXT(year_ago)));
    while (res && db_next(res)) {
        int64_t due = iso_day_number(db_text(res, 0)), done = iso_day_number(db_text(res, 1));
        if (due >= 0 && done >= 0) {
            total += done > due ? (double)(done - due) : 0;
            n++;
        }
    }
    db_res_free(res);
    res = db_query(db,
                   "SELECT pl.next_review FROM person_plans pl JOIN persons p ON p.id ="
                   " pl.person_id WHERE p.path >= ? AND p.path < ? AND pl.status IN ('agreed',"
                   " 'in_review') AND pl.next_review < ? AND p.exit_date IS NULL AND"
                   " p.anonymised_at = 0",
                   PARAMS(P_TEXT(path), P_TEXT(hi), P_TEXT(day)));
    int64_t today_n = iso_day_number(day);
    while (res && db_next(res)) {
        int64_t due = iso_day_number(db_text(res, 0));
        if (due >= 0) {
            total += (double)(today_n - due);
            n++;
        }
    }
    db_res_free(res);
    if (n > 0)
        out->avg_delay_days = total / (double)n;
    arena_free(a);
    return rc;
}
