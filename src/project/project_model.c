/* project_model.c - projets d'établissement: reading them, creating one
 * with its template's sections, writing sections, the status workflow
 * (consultation, validation freezing a version, a new version, the
 * calendar), contributions (proposals and comments) and the participation
 * record. Every change is audited in the transaction that makes it. */
#include "project_internal.h"

#include <string.h>

#include "../core/fold.h"

static const char *const status_codes[] = {"drafting", "consultation", "validated", "in_force",
                                           "expired"};

const char *prj_status_code(prj_status_t s)
{
    return (unsigned)s < ARRAY_LEN(status_codes) ? status_codes[s] : "drafting";
}

int prj_status_from_code(const char *code)
{
    for (size_t i = 0; code && i < ARRAY_LEN(status_codes); i++)
        if (strcmp(code, status_codes[i]) == 0)
            return (int)i;
    return -1;
}

bool prj_frozen(prj_status_t s)
{
    return s == PRJ_VALIDATED || s == PRJ_IN_FORCE || s == PRJ_EXPIRED;
}

static const char *opt_text(arena_t *a, db_res_t *res, int col)
{
    const char *t = db_text(res, col);
    return t ? arena_strdup(a, t) : NULL;
}

void prj_from_row(arena_t *a, db_res_t *res, int col, project_t *o)
{
    memset(o, 0, sizeof *o);
    int c = col;
    o->id = db_int(res, c++);
    o->node_id = db_int(res, c++);
    o->template_id = db_int(res, c++);
    o->version = db_int(res, c++);
    o->rev = db_int(res, c++);
    o->validated_by = db_int(res, c++);
    o->created_by = db_int(res, c++);
    o->node_path = opt_text(a, res, c++);
    o->title = opt_text(a, res, c++);
    o->period_start = opt_text(a, res, c++);
    o->period_end = opt_text(a, res, c++);
    o->lang = opt_text(a, res, c++);
    o->consultation = opt_text(a, res, c++);
    int s = prj_status_from_code(db_text(res, c++));
    o->status = s < 0 ? PRJ_DRAFTING : (prj_status_t)s;
    o->validated_at = db_int(res, c++);
    o->created_at = db_int(res, c++);
    o->updated_at = db_int(res, c++);
}

int prj_load(db_t *db, arena_t *a, int64_t id, project_t *out)
{
    db_res_t *res = db_query(db, "SELECT " PRJ_COLS " FROM projects p WHERE p.id = ?",
                             PARAMS(P_INT(id)));
    int rc = -1;
    if (res && db_next(res)) {
        prj_from_row(a, res, 0, out);
        rc = 0;
    }
    db_res_free(res);
    return rc;
}

const char *prj_section_title(const prj_section_t *s, const char *lang)
{
    if (str_eq(lang, "ar") && s->title_ar && *s->title_ar)
        return s->title_ar;
    if (str_eq(lang, "en") && s->title_en && *s->title_en)
        return s->title_en;
    return s->title_fr ? s->title_fr : "";
}

#define SEC_COLS "key, position, title_fr, title_ar, title_en, content, owner_id, updated_by," \
                 " updated_at, rev"

static void section_from_row(arena_t *a, db_res_t *res, const char *lang, prj_section_t *s)
{
    s->key = opt_text(a, res, 0);
    s->position = (int)db_int(res, 1);
    s->title_fr = opt_text(a, res, 2);
    s->title_ar = opt_text(a, res, 3);
    s->title_en = opt_text(a, res, 4);
    s->content = opt_text(a, res, 5);
    s->owner_id = db_int(res, 6);
    s->updated_by = db_int(res, 7);
    s->updated_at = db_int(res, 8);
    s->rev = db_int(res, 9);
    s->title = prj_section_title(s, lang);
}

prj_section_t *prj_sections(db_t *db, arena_t *a, int64_t project_id, const char *lang, size_t *n)
{
    *n = 0;
    prj_section_t *v = arena_alloc(a, PRJ_SECTIONS_MAX * sizeof *v);
    db_res_t *res = db_query(db,
                             "SELECT " SEC_COLS " FROM project_sections WHERE project_id = ?"
                             " ORDER BY position, key",
                             PARAMS(P_INT(project_id)));
    while (res && db_next(res) && *n < PRJ_SECTIONS_MAX)
        section_from_row(a, res, lang, &v[(*n)++]);
    db_res_free(res);
    return v;
}

prj_section_t *prj_section(db_t *db, arena_t *a, int64_t project_id, const char *key,
                           const char *lang)
{
    prj_section_t *s = NULL;
    db_res_t *res = db_query(db,
                             "SELECT " SEC_COLS " FROM project_sections WHERE project_id = ?"
                             " AND key = ?",
                             PARAMS(P_INT(project_id), P_TEXT(key)));
    if (res && db_next(res)) {
        s = arena_alloc(a, sizeof *s);
        section_from_row(a, res, lang, s);
    }
    db_res_free(res);
    return s;
}

/* --- creating ------------------------------------------------------------ */

bool prj_period_ok(const char *start, const char *end, json_t *errors)
{
    bool ok = true;
    if (!start || !iso_day_valid(start)) {
        v_error(errors, "period_start", N_("Enter a date as YYYY-MM-DD."));
        ok = false;
    }
    if (!end || !iso_day_valid(end)) {
        v_error(errors, "period_end", N_("Enter a date as YYYY-MM-DD."));
        ok = false;
    }
    if (!ok)
        return false;
    if (strcmp(end, start) <= 0) {
        v_error(errors, "period_end", N_("The end of the period comes after its start."));
        return false;
    }
    /* at most five years: the end is before the same day five years later */
    int y = 0, m = 0, d = 0;
    sscanf(start, "%d-%d-%d", &y, &m, &d);
    char limit[48];
    snprintf(limit, sizeof limit, "%04d-%02d-%02d", (y + PRJ_MAX_YEARS) % 10000, m % 100, d % 100);
    if (strcmp(end, limit) >= 0) {
        v_error(errors, "period_end", N_("A projet d'établissement covers five years at most."));
        return false;
    }
    return true;
}

/* Another projet of the EPS whose period meets [start, end]: its title. */
static const char *overlap(db_t *db, arena_t *a, int64_t node_id, int64_t except,
                           const char *start, const char *end)
{
    db_res_t *res = db_query(db,
                             "SELECT title FROM projects WHERE node_id = ? AND id <> ?"
                             " AND period_start <= ? AND period_end >= ? ORDER BY id LIMIT 1",
                             PARAMS(P_INT(node_id), P_INT(except), P_TEXT(end), P_TEXT(start)));
    const char *t = res && db_next(res) ? opt_text(a, res, 0) : NULL;
    db_res_free(res);
    return t;
}

static char *search_key(const char *title)
{
    const char *fields[] = {title};
    return text_fold_key(fields, 1);
}

res_t prj_create(db_t *db, arena_t *a, int64_t actor, const char *ip, const node_t *eps,
                 const prj_input_t *in, json_t *errors, int64_t *id_out)
{
    if (!prj_period_ok(in->period_start, in->period_end, errors))
        return RES_INVALID;
    int64_t tpl = in->template_id > 0 ? in->template_id : prj_default_template(db);
    if (db_query_int(db, "SELECT COUNT(*) FROM project_template_sections WHERE template_id = ?",
                     PARAMS(P_INT(tpl)), 0) == 0) {
        v_error(errors, "template_id", N_("Choose a template that has sections."));
        return RES_INVALID;
    }
    bool mine;
    if (!app_tx_begin(db, &mine))
        return RES_ERROR;
    if (overlap(db, a, eps->id, 0, in->period_start, in->period_end)) {
        app_tx_end(db, mine, false);
        v_error(errors, "period_start",
                N_("This establishment already has a projet for part of this period."));
        return RES_INVALID;
    }
    int64_t now = now_utc(), id = 0;
    char *key = search_key(in->title);
    db_res_t *res = db_query(db,
                             "INSERT INTO projects (node_id, node_path, template_id, title,"
                             " period_start, period_end, lang, created_by, created_at, updated_at,"
                             " search_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                             PARAMS(P_INT(eps->id), P_TEXT(eps->path), P_INT(tpl), P_TEXT(in->title),
                                    P_TEXT(in->period_start), P_TEXT(in->period_end),
                                    P_TEXT(in->lang ? in->lang : "fr"),
                                    actor > 0 ? P_INT(actor) : P_NULL, P_INT(now), P_INT(now),
                                    P_TEXT(key)));
    free(key);
    if (res && db_next(res))
        id = db_int(res, 0);
    db_res_free(res);
    bool ok = id > 0 &&
              db_exec(db,
                      "INSERT INTO project_sections (project_id, key, position, title_fr, title_ar,"
                      " title_en) SELECT ?, key, position, title_fr, title_ar, title_en FROM"
                      " project_template_sections WHERE template_id = ?",
                      PARAMS(P_INT(id), P_INT(tpl))) == DB_OK;
    if (ok) {
        json_t *ch = json_pack("{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:I}}", "title", "to",
                               in->title, "period_start", "to", in->period_start, "period_end",
                               "to", in->period_end, "lang", "to", in->lang ? in->lang : "fr",
                               "template_id", "to", (json_int_t)tpl);
        ok = audit_write(db, actor, "create", "project", id, eps->id, ch, ip) == DB_OK;
        json_decref(ch);
    }
    if (app_tx_end(db, mine, ok) != DB_OK || !ok)
        return RES_ERROR;
    *id_out = id;
    return RES_OK;
}

res_t prj_update(db_t *db, arena_t *a, int64_t actor, const char *ip, const project_t *p,
                 const prj_input_t *in, json_t *errors)
{
    if (prj_frozen(p->status))
        return RES_CONFLICT;
    const char *title = in->title ? in->title : p->title;
    const char *start = in->period_start ? in->period_start : p->period_start;
    const char *end = in->period_end ? in->period_end : p->period_end;
    const char *lang = in->lang ? in->lang : p->lang;
    if (!prj_period_ok(start, end, errors))
        return RES_INVALID;
    bool mine;
    if (!app_tx_begin(db, &mine))
        return RES_ERROR;
    if (overlap(db, a, p->node_id, p->id, start, end)) {
        app_tx_end(db, mine, false);
        v_error(errors, "period_start",
                N_("This establishment already has a projet for part of this period."));
        return RES_INVALID;
    }
    char *key = search_key(title);
    bool ok = db_exec(db,
                      "UPDATE projects SET title = ?, period_start = ?, period_end = ?, lang = ?,"
                      " search_key = ?, rev = rev + 1, updated_at = ? WHERE id = ? AND rev = ?",
                      PARAMS(P_TEXT(title), P_TEXT(start), P_TEXT(end), P_TEXT(lang), P_TEXT(key),
                             P_INT(now_utc()), P_INT(p->id), P_INT(p->rev))) == DB_OK &&
              db_changes(db) == 1;
    free(key);
    bool stale = !ok;
    if (ok) {
        json_t *before = json_pack("{s:s, s:s, s:s, s:s}", "title", p->title, "period_start",
                                   p->period_start, "period_end", p->period_end, "lang", p->lang);
        json_t *after = json_pack("{s:s, s:s, s:s, s:s}", "title", title, "period_start", start,
                                  "period_end", end, "lang", lang);
        json_t *ch = audit_diff(before, after);
        ok = audit_write(db, actor, "update", "project", p->id, p->node_id, ch, ip) == DB_OK;
        json_decref(ch);
        json_decref(before);
        json_decref(after);
    }
    if (ok)
        ok = prj_search_index(db, p->id) == DB_OK;
    if (app_tx_end(db, mine, ok) != DB_OK && ok)
        return RES_ERROR;
    return ok ? RES_OK : stale ? RES_CONFLICT : RES_ERROR;
}

/* --- sections -------------------------------------------------------------- */

res_t prj_write_section(db_t *db, int64_t actor, const char *ip, const project_t *p,
                        const prj_section_t *s, const char *content, int64_t rev)
{
    if (prj_frozen(p->status))
        return RES_CONFLICT;
    bool mine;
    if (!app_tx_begin(db, &mine))
        return RES_ERROR;
    int64_t now = now_utc();
    bool ok = db_exec(db,
                      "UPDATE project_sections SET content = ?, rev = rev + 1, updated_by = ?,"
                      " updated_at = ? WHERE project_id = ? AND key = ? AND (? = 0 OR rev = ?)",
                      PARAMS(P_TEXT(content), actor > 0 ? P_INT(actor) : P_NULL, P_INT(now),
                             P_INT(p->id), P_TEXT(s->key), P_INT(rev), P_INT(rev))) == DB_OK &&
              db_changes(db) == 1;
    bool stale = !ok;
    /* the projet's status is read again inside the transaction: a
     * validation between loading and writing wins */
    if (ok)
        ok = db_exec(db,
                     "UPDATE projects SET updated_at = ? WHERE id = ? AND status IN"
                     " ('drafting','consultation')",
                     PARAMS(P_INT(now), P_INT(p->id))) == DB_OK &&
             db_changes(db) == 1;
    if (ok) {
        json_t *ch = json_pack("{s:{s:s}, s:{s:I, s:I}}", "section", "to", s->key, "length", "from",
                               (json_int_t)utf8_count(s->content ? s->content : ""), "to",
                               (json_int_t)utf8_count(content));
        ok = audit_write(db, actor, "write", "project", p->id, p->node_id, ch, ip) == DB_OK;
        json_decref(ch);
    }
    if (ok)
        ok = prj_search_index(db, p->id) == DB_OK;
    if (app_tx_end(db, mine, ok) != DB_OK && ok)
        return RES_ERROR;
    return ok ? RES_OK : stale || db_changes(db) == 0 ? RES_CONFLICT : RES_ERROR;
}

res_t prj_set_owner(db_t *db, int64_t actor, const char *ip, const project_t *p,
                    const prj_section_t *s, int64_t owner_id)
{
    if (prj_frozen(p->status))
        return RES_CONFLICT;
    bool mine;
    if (!app_tx_begin(db, &mine))
        return RES_ERROR;
    bool ok = db_exec(db, "UPDATE project_sections SET owner_id = ? WHERE project_id = ? AND key = ?",
                      PARAMS(owner_id > 0 ? P_INT(owner_id) : P_NULL, P_INT(p->id),
                             P_TEXT(s->key))) == DB_OK;
    if (ok) {
        json_t *ch = json_pack("{s:{s:s}, s:{s:o, s:o}}", "section", "to", s->key, "owner_id",
                               "from", s->owner_id > 0 ? json_integer(s->owner_id) : json_null(),
                               "to", owner_id > 0 ? json_integer(owner_id) : json_null());
        ok = audit_write(db, actor, "update", "project", p->id, p->node_id, ch, ip) == DB_OK;
        json_decref(ch);
    }
    if (ok && owner_id > 0 && owner_id != actor) {
        char href[96];
        snprintf(href, sizeof href, "/projects/%lld/sections/%s", (long long)p->id, s->key);
        notify_arg_t args[] = {NOTIFY_TEXT(s->title ? s->title : s->key),
                               NOTIFY_REF("project", p->id)};
        ok = notify_user(db, owner_id, "project",
                         N_("You now hold the section \"%s\" of the projet %s."), href, args,
                         2) == DB_OK;
    }
    return app_tx_end(db, mine, ok) == DB_OK && ok ? RES_OK : RES_ERROR;
}

/* --- workflow -------------------------------------------------------------- */

static res_t set_status_tx(db_t *db, int64_t actor, const char *ip, const project_t *p,
                           prj_status_t to, const char *action)
{
    bool ok = db_exec(db,
                      "UPDATE projects SET status = ?, rev = rev + 1, updated_at = ?"
                      " WHERE id = ? AND rev = ?",
                      PARAMS(P_TEXT(prj_status_code(to)), P_INT(now_utc()), P_INT(p->id),
                             P_INT(p->rev))) == DB_OK;
    if (!ok)
        return RES_ERROR;
    if (db_changes(db) != 1)
        return RES_CONFLICT;
    json_t *ch = json_pack("{s:{s:s, s:s}}", "status", "from", prj_status_code(p->status), "to",
                           prj_status_code(to));
    ok = audit_write(db, actor, action, "project", p->id, p->node_id, ch, ip) == DB_OK;
    json_decref(ch);
    return ok ? RES_OK : RES_ERROR;
}

res_t prj_set_status(db_t *db, int64_t actor, const char *ip, const project_t *p, prj_status_t to)
{
    bool allowed = (p->status == PRJ_DRAFTING && to == PRJ_CONSULTATION) ||
                   (p->status == PRJ_CONSULTATION && to == PRJ_DRAFTING);
    if (!allowed)
        return RES_CONFLICT;
    bool mine;
    if (!app_tx_begin(db, &mine))
        return RES_ERROR;
    res_t rc = set_status_tx(db, actor, ip, p, to, "status");
    if (app_tx_end(db, mine, rc == RES_OK) != DB_OK && rc == RES_OK)
        return RES_ERROR;
    return rc;
}

res_t prj_validate(db_t *db, int64_t actor, const char *ip, const project_t *p,
                   const char *consultation, int64_t *version_id)
{
    if (p->status != PRJ_DRAFTING && p->status != PRJ_CONSULTATION)
        return RES_CONFLICT;
    bool mine;
    if (!app_tx_begin(db, &mine))
        return RES_ERROR;
    int64_t now = now_utc(), vid = 0;
    char day[11];
    iso_day_local(now, day);
    json_t *strategy = prj_strategy_snapshot(db, p->id);
    char *sj = json_dumps(strategy, JSON_COMPACT);
    json_decref(strategy);
    db_res_t *res = db_query(db,
                             "INSERT INTO project_versions (project_id, number, validated_at,"
                             " validated_on, validated_by, consultation, period_start, period_end,"
                             " title, strategy) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                             PARAMS(P_INT(p->id), P_INT(p->version), P_INT(now), P_TEXT(day),
                                    actor > 0 ? P_INT(actor) : P_NULL, P_TEXT(consultation),
                                    P_TEXT(p->period_start), P_TEXT(p->period_end), P_TEXT(p->title),
                                    P_TEXT(sj ? sj : "[]")));
    free(sj);
    if (res && db_next(res))
        vid = db_int(res, 0);
    db_res_free(res);
    bool ok = vid > 0 &&
              db_exec(db,
                      "INSERT INTO project_version_sections (version_id, key, position, title_fr,"
                      " title_ar, title_en, content) SELECT ?, key, position, title_fr, title_ar,"
                      " title_en, content FROM project_sections WHERE project_id = ?",
                      PARAMS(P_INT(vid), P_INT(p->id))) == DB_OK;
    res_t rc = ok ? RES_OK : RES_ERROR;
    if (ok) {
        ok = db_exec(db,
                     "UPDATE projects SET status = 'validated', consultation = ?, validated_at = ?,"
                     " validated_by = ?, rev = rev + 1, updated_at = ? WHERE id = ? AND rev = ?",
                     PARAMS(P_TEXT(consultation), P_INT(now), actor > 0 ? P_INT(actor) : P_NULL,
                            P_INT(now), P_INT(p->id), P_INT(p->rev))) == DB_OK;
        if (ok && db_changes(db) != 1) {
            ok = false;
            rc = RES_CONFLICT;
        }
    }
    if (ok) {
        json_t *ch = json_pack("{s:{s:s, s:s}, s:{s:I}, s:{s:s}}", "status", "from",
                               prj_status_code(p->status), "to", "validated", "version", "to",
                               (json_int_t)p->version, "consultation", "to", consultation);
        ok = audit_write(db, actor, "validate", "project", p->id, p->node_id, ch, ip) == DB_OK;
        json_decref(ch);
        rc = ok ? RES_OK : RES_ERROR;
    }
    if (ok) {
        ok = prj_search_index(db, p->id) == DB_OK;
        rc = ok ? RES_OK : RES_ERROR;
    }
    if (app_tx_end(db, mine, ok) != DB_OK && ok)
        return RES_ERROR;
    if (ok && version_id)
        *version_id = vid;
    return rc;
}

res_t prj_new_version(db_t *db, int64_t actor, const char *ip, const project_t *p)
{
    if (!prj_frozen(p->status))
        return RES_CONFLICT;
    bool mine;
    if (!app_tx_begin(db, &mine))
        return RES_ERROR;
    bool ok = db_exec(db,
                      "UPDATE projects SET status = 'drafting', version = version + 1,"
                      " consultation = NULL, rev = rev + 1, updated_at = ? WHERE id = ? AND rev = ?",
                      PARAMS(P_INT(now_utc()), P_INT(p->id), P_INT(p->rev))) == DB_OK;
    res_t rc = !ok ? RES_ERROR : db_changes(db) != 1 ? RES_CONFLICT : RES_OK;
    if (rc == RES_OK) {
        json_t *ch = json_pack("{s:{s:s, s:s}, s:{s:I, s:I}}", "status", "from",
                               prj_status_code(p->status), "to", "drafting", "version", "from",
                               (json_int_t)p->version, "to", (json_int_t)(p->version + 1));
        if (audit_write(db, actor, "new_version", "project", p->id, p->node_id, ch, ip) != DB_OK)
            rc = RES_ERROR;
        json_decref(ch);
    }
    if (app_tx_end(db, mine, rc == RES_OK) != DB_OK && rc == RES_OK)
        return RES_ERROR;
    return rc;
}

int prj_calendar(db_t *db, const char *day, int64_t now)
{
    (void)now;
    int changed = 0;
    arena_t *a = arena_new();
    db_res_t *res = db_query(db,
                             "SELECT " PRJ_COLS " FROM projects p WHERE (p.status = 'validated'"
                             " AND p.period_start <= ?) OR (p.status IN ('validated','in_force')"
                             " AND p.period_end < ?) ORDER BY p.id",
                             PARAMS(P_TEXT(day), P_TEXT(day)));
    size_t n = 0, cap = 0;
    project_t *v = NULL;
    while (res && db_next(res)) {
        project_t *p = vec_grow(a, (void **)&v, &n, &cap, sizeof *v);
        prj_from_row(a, res, 0, p);
    }
    bool failed = !res || db_res_status(res) != DB_OK;
    db_res_free(res);
    for (size_t i = 0; i < n && !failed; i++) {
        prj_status_t to = strcmp(v[i].period_end, day) < 0 ? PRJ_EXPIRED : PRJ_IN_FORCE;
        bool mine;
        if (!app_tx_begin(db, &mine)) {
            failed = true;
            break;
        }
        res_t rc = set_status_tx(db, 0, NULL, &v[i], to, "status");
        if ((app_tx_end(db, mine, rc == RES_OK) != DB_OK && rc == RES_OK) || rc == RES_ERROR)
            failed = true;
        else if (rc == RES_OK)
            changed++;
    }
    arena_free(a);
    return failed ? -1 : changed;
}

/* --- contributions ------------------------------------------------------- */

res_t prj_contribute(db_t *db, int64_t actor, const char *ip, const project_t *p,
                     const prj_section_t *s, const char *kind, const char *body, int64_t *id_out)
{
    if (prj_frozen(p->status))
        return RES_CONFLICT;
    bool mine;
    if (!app_tx_begin(db, &mine))
        return RES_ERROR;
    int64_t id = 0;
    db_res_t *res = db_query(db,
                             "INSERT INTO project_contributions (project_id, section_key, author_id,"
                             " kind, body, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                             PARAMS(P_INT(p->id), P_TEXT(s->key), actor > 0 ? P_INT(actor) : P_NULL,
                                    P_TEXT(kind), P_TEXT(body), P_INT(now_utc())));
    if (res && db_next(res))
        id = db_int(res, 0);
    db_res_free(res);
    bool ok = id > 0;
    if (ok) {
        json_t *ch = json_pack("{s:{s:s}, s:{s:s}}", "section", "to", s->key, "kind", "to", kind);
        ok = audit_write(db, actor, "contribute", "project", p->id, p->node_id, ch, ip) == DB_OK;
        json_decref(ch);
    }
    /* the section's owner hears of it (or the projet's creator) */
    int64_t to = s->owner_id > 0 ? s->owner_id : p->created_by;
    if (ok && to > 0 && to != actor) {
        char href[96];
        snprintf(href, sizeof href, "/projects/%lld/sections/%s", (long long)p->id, s->key);
        notify_arg_t args[] = {NOTIFY_REF("user", actor), NOTIFY_REF("project", p->id)};
        ok = notify_user(db, to, "project",
                         str_eq(kind, "proposal")
                             ? N_("%s proposes a text for a section of the projet %s.")
                             : N_("%s commented on a section of the projet %s."),
                         href, args, 2) == DB_OK;
    }
    if (app_tx_end(db, mine, ok) != DB_OK || !ok)
        return RES_ERROR;
    *id_out = id;
    return RES_OK;
}

int prj_contrib_load(db_t *db, arena_t *a, int64_t id, prj_contrib_t *c)
{
    db_res_t *res = db_query(db,
                             "SELECT id, project_id, author_id, decided_by, created_at, decided_at,"
                             " section_key, kind, body, status FROM project_contributions"
                             " WHERE id = ?",
                             PARAMS(P_INT(id)));
    int rc = -1;
    if (res && db_next(res)) {
        c->id = db_int(res, 0);
        c->project_id = db_int(res, 1);
        c->author_id = db_int(res, 2);
        c->decided_by = db_int(res, 3);
        c->created_at = db_int(res, 4);
        c->decided_at = db_int(res, 5);
        c->section_key = opt_text(a, res, 6);
        c->kind = opt_text(a, res, 7);
        c->body = opt_text(a, res, 8);
        c->status = opt_text(a, res, 9);
        rc = 0;
    }
    db_res_free(res);
    return rc;
}

prj_contrib_t *prj_contribs(db_t *db, arena_t *a, int64_t project_id, const char *key, size_t *n)
{
    *n = 0;
    size_t cap = 0;
    prj_contrib_t *v = NULL;
    db_res_t *res = db_query(db,
                             "SELECT id FROM project_contributions WHERE project_id = ?"
                             " AND section_key = ? ORDER BY id LIMIT 500",
                             PARAMS(P_INT(project_id), P_TEXT(key)));
    int64_t ids[500];
    size_t k = 0;
    while (res && db_next(res) && k < ARRAY_LEN(ids))
        ids[k++] = db_int(res, 0);
    db_res_free(res);
    for (size_t i = 0; i < k; i++) {
        prj_contrib_t *c = vec_grow(a, (void **)&v, n, &cap, sizeof *v);
        if (prj_contrib_load(db, a, ids[i], c) != 0)
            (*n)--;
    }
    return v;
}

res_t prj_decide(db_t *db, int64_t actor, const char *ip, const project_t *p,
                 const prj_contrib_t *c, const char *decision, const char *merged)
{
    if (prj_frozen(p->status) || !str_eq(c->kind, "proposal") || !str_eq(c->status, "open"))
        return RES_CONFLICT;
    arena_t *a = arena_new();
    prj_section_t *s = prj_section(db, a, p->id, c->section_key, "fr");
    bool mine;
    if (!s || !app_tx_begin(db, &mine)) {
        arena_free(a);
        return RES_ERROR;
    }
    const char *status = str_eq(decision, "accept")  ? "accepted"
                         : str_eq(decision, "merge") ? "merged"
                                                     : "declined";
    bool ok = db_exec(db,
                      "UPDATE project_contributions SET status = ?, decided_by = ?, decided_at = ?"
                      " WHERE id = ? AND status = 'open'",
                      PARAMS(P_TEXT(status), actor > 0 ? P_INT(actor) : P_NULL, P_INT(now_utc()),
                             P_INT(c->id))) == DB_OK &&
              db_changes(db) == 1;
    res_t rc = ok ? RES_OK : RES_CONFLICT;
    if (ok && !str_eq(status, "declined")) {
        rc = prj_write_section(db, actor, ip, p, s, str_eq(status, "merged") ? merged : c->body, 0);
        ok = rc == RES_OK;
    }
    if (ok) {
        json_t *ch = json_pack("{s:{s:s}, s:{s:s}}", "section", "to", c->section_key, "decision",
                               "to", status);
        ok = audit_write(db, actor, "decide", "project", p->id, p->node_id, ch, ip) == DB_OK;
        json_decref(ch);
        rc = ok ? RES_OK : RES_ERROR;
    }
    if (ok && c->author_id > 0 && c->author_id != actor) {
        char href[96];
        snprintf(href, sizeof href, "/projects/%lld/sections/%s", (long long)p->id, c->section_key);
        notify_arg_t args[] = {NOTIFY_REF("project", p->id),
                               NOTIFY_CODE(arena_printf(a, "contrib_status.%s", status))};
        ok = notify_user(db, c->author_id, "project",
                         N_("Your proposal for the projet %s: %s."), href, args, 2) == DB_OK;
        rc = ok ? RES_OK : RES_ERROR;
    }
    arena_free(a);
    if (app_tx_end(db, mine, ok) != DB_OK && ok)
        return RES_ERROR;
    return rc;
}

/* --- participation record ------------------------------------------------ */

res_t prj_add_meeting(db_t *db, int64_t actor, const char *ip, const project_t *p,
                      const prj_meeting_input_t *in, int64_t *id_out)
{
    bool mine;
    if (!app_tx_begin(db, &mine))
        return RES_ERROR;
    int64_t id = 0;
    db_res_t *res = db_query(db,
                             "INSERT INTO project_meetings (project_id, held_on, topic, staff,"
                             " children, families, partners, note, created_by, created_at)"
                             " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                             PARAMS(P_INT(p->id), P_TEXT(in->held_on), P_TEXT(in->topic),
                                    P_INT(in->staff), P_INT(in->children), P_INT(in->families),
                                    P_INT(in->partners), P_TEXT(in->note ? in->note : ""),
                                    actor > 0 ? P_INT(actor) : P_NULL, P_INT(now_utc())));
    if (res && db_next(res))
        id = db_int(res, 0);
    db_res_free(res);
    bool ok = id > 0;
    if (ok) {
        json_t *ch = json_pack("{s:{s:s}, s:{s:s}, s:{s:I}, s:{s:I}, s:{s:I}, s:{s:I}}", "held_on",
                               "to", in->held_on, "topic", "to", in->topic, "staff", "to",
                               (json_int_t)in->staff, "children", "to", (json_int_t)in->children,
                               "families", "to", (json_int_t)in->families, "partners", "to",
                               (json_int_t)in->partners);
        ok = audit_write(db, actor, "meeting", "project", p->id, p->node_id, ch, ip) == DB_OK;
        json_decref(ch);
    }
    if (app_tx_end(db, mine, ok) != DB_OK || !ok)
        return RES_ERROR;
    *id_out = id;
    return RES_OK;
}

json_t *prj_meetings(req_t *r, int64_t project_id, json_t **totals)
{
    json_t *list = json_array();
    int64_t t[5] = {0};
    db_res_t *res = db_query(r->db,
                             "SELECT id, held_on, topic, staff, children, families, partners, note"
                             " FROM project_meetings WHERE project_id = ? ORDER BY held_on, id"
                             " LIMIT 500",
                             PARAMS(P_INT(project_id)));
    while (res && db_next(res)) {
        json_t *m = json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:s}", "id",
                              (json_int_t)db_int(res, 0), "held_on", db_text(res, 1), "held_on_text",
                              prj_day_text(r, db_text(res, 1)), "topic", db_text(res, 2), "staff",
                              (json_int_t)db_int(res, 3), "children", (json_int_t)db_int(res, 4),
                              "families", (json_int_t)db_int(res, 5), "partners",
                              (json_int_t)db_int(res, 6), "note", db_text(res, 7));
        json_array_append_new(list, m);
        t[0]++;
        for (int k = 0; k < 4; k++)
            t[k + 1] += db_int(res, 3 + k);
    }
    db_res_free(res);
    if (totals)
        *totals = json_pack("{s:I, s:I, s:I, s:I, s:I}", "meetings", (json_int_t)t[0], "staff",
                            (json_int_t)t[1], "children", (json_int_t)t[2], "families",
                            (json_int_t)t[3], "partners", (json_int_t)t[4]);
    return list;
}
