/* person_model.c - persons: codes, reading a form or JSON body, creating,
 * changing, the JSON shown by pages and the API, referents, siblings and
 * the caseload list. Sealed fields are sealed here on the way in and opened
 * on the way out: handlers see clear text. */
#include "person_internal.h"

#include "../core/fold.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const pers_sex_codes[] = {"f", "m", NULL};
const char *const pers_origin_codes[] = {"judicial", "family", "social_services", "police",
                                         "self",     "other",  NULL};
const char *const pers_legal_codes[] = {"judicial_placement", "kafala_pending",
                                        "abandoned_declared", "parental_authority",
                                        "guardianship",       "other",
                                        NULL};
const char *const pers_exit_codes[] = {"family",   "kafala",        "autonomy",
                                       "other_eps", "adult_service", "other", NULL};
const char *const pers_plan_status_codes[] = {"draft", "agreed", "in_review", "closed", NULL};
const char *const pers_agreement_codes[] = {"agrees", "partly", "disagrees", "not_asked", NULL};
const char *const pers_sign_how_codes[] = {"signature", "oral", "thumbprint", "other", NULL};

const char *pers_code_msgid(arena_t *a, const char *list, const char *code)
{
    return code ? arena_printf(a, "person.%s.%s", list, code) : NULL;
}

const char *pers_status_code(pers_status_t s)
{
    return (unsigned)s < 4 ? pers_plan_status_codes[s] : "draft";
}

int pers_status_from_code(const char *code)
{
    for (int i = 0; code && pers_plan_status_codes[i]; i++)
        if (strcmp(code, pers_plan_status_codes[i]) == 0)
            return i;
    return -1;
}

const char *pers_query_text(db_t *db, arena_t *a, const char *sql, const db_param_t *params,
                            int n)
{
    db_res_t *res = db_query(db, sql, params, n);
    const char *out = NULL;
    if (res && db_next(res))
        out = arena_strdup(a, db_text(res, 0));
    db_res_free(res);
    return out;
}

/* --- Days ------------------------------------------------------------------ */

static bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int month_days(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : d[m - 1];
}

/* "YYYY-MM-DD" or "dd/mm/yyyy" (1900-9999) -> "YYYY-MM-DD" in out; false
 * when it is not a real day. */
static bool day_parse(const char *s, char out[11])
{
    int y = 0, m = 0, d = 0, n = 0;
    while (*s == ' ')
        s++;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 && n == 10) {
    } else if (sscanf(s, "%2d/%2d/%4d%n", &d, &m, &y, &n) == 3 && n >= 8) {
    } else {
        return false;
    }
    for (const char *t = s + n; *t; t++)
        if (*t != ' ')
            return false;
    if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1 || d > month_days(y, m))
        return false;
    snprintf(out, 11, "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
    return true;
}

int pers_age(const char *birth_date, const char *day)
{
    char b[11], t[11];
    if (!birth_date || !day || !day_parse(birth_date, b) || !day_parse(day, t))
        return -1;
    int age = atoi(t) - atoi(b);
    if (strcmp(t + 5, b + 5) < 0)
        age--;
    return age < 0 ? -1 : age;
}

/* --- Reading a body -------------------------------------------------------- */

/* An optional one-line text: NULL absent, "" present but empty. */
const char *pers_opt_text(req_t *r, json_t *errors, const char *field, size_t max)
{
    if (!input_present(r, field))
        return NULL;
    const char *v = v_text(r, errors, field, false, max);
    return v ? v : "";
}

const char *pers_opt_long(req_t *r, json_t *errors, const char *field, size_t max)
{
    if (!input_present(r, field))
        return NULL;
    const char *v = v_long_text(r, errors, field, false, max);
    return v ? v : "";
}

const char *pers_opt_code(req_t *r, json_t *errors, const char *field,
                          const char *const *list)
{
    if (!input_present(r, field))
        return NULL;
    const char *v = v_code(r, errors, field, false, list);
    return v ? v : "";
}

/* A day field: NULL absent, "" cleared, else "YYYY-MM-DD"; an error when
 * it is not a day (or in the future when past_only). */
static const char *opt_day(req_t *r, json_t *errors, const char *field, bool past_only)
{
    if (!input_present(r, field))
        return NULL;
    bool bad = false;
    const char *s = input_str(r, field, &bad);
    const char *msg = r->is_api ? N_("Enter a date as YYYY-MM-DD.")
                                : N_("Enter a date such as 31/12/2026.");
    if (bad) {
        v_error(errors, field, msg);
        return NULL;
    }
    if (!s || !*s)
        return "";
    char d[11];
    if (strlen(s) > 40 || !day_parse(s, d)) {
        v_error(errors, field, msg);
        return NULL;
    }
    if (past_only && strcmp(d, pers_today(r->arena)) > 0) {
        v_error(errors, field, N_("This date is in the future."));
        return NULL;
    }
    return arena_strdup(r->arena, d);
}

const char *pers_day_input(req_t *r, json_t *errors, const char *field, bool past_only)
{
    return opt_day(r, errors, field, past_only);
}

static int opt_bool(req_t *r, json_t *errors, const char *field)
{
    if (r->json) {
        json_t *v = json_object_get(r->json, field);
        if (!v)
            return -1;
        if (json_is_boolean(v))
            return json_is_true(v) ? 1 : 0;
        if (json_is_null(v))
            return 0;
        v_error(errors, field, N_("Answer yes or no."));
        return -1;
    }
    /* a form: an unticked box is absent */
    const char *s = req_form(r, field);
    return s && (strcmp(s, "1") == 0 || strcmp(s, "on") == 0 || strcmp(s, "true") == 0) ? 1 : 0;
}

void pers_read_input(req_t *r, json_t *errors, bool creating, pers_input_t *in)
{
    memset(in, 0, sizeof *in);
    in->node_id = v_int(r, errors, "node_id", creating, 1, INT64_MAX, 0);
    v_required_message(errors, "node_id", N_("Choose the unit where the person lives."));
    in->first_name = pers_opt_text(r, errors, "first_name", PERS_NAME_MAX);
    in->last_name = pers_opt_text(r, errors, "last_name", PERS_NAME_MAX);
    in->first_name_ar = pers_opt_text(r, errors, "first_name_ar", PERS_NAME_MAX);
    in->last_name_ar = pers_opt_text(r, errors, "last_name_ar", PERS_NAME_MAX);
    in->birth_date = opt_day(r, errors, "birth_date", true);
    in->sex = pers_opt_code(r, errors, "sex", pers_sex_codes);
    in->admission_date = opt_day(r, errors, "admission_date", true);
    in->origin = pers_opt_code(r, errors, "origin", pers_origin_codes);
    in->origin_ref = pers_opt_text(r, errors, "origin_ref", PERS_TEXT_MAX);
    in->legal_status = pers_opt_code(r, errors, "legal_status", pers_legal_codes);
    in->disability = opt_bool(r, errors, "disability");
    in->disability_kind = pers_opt_text(r, errors, "disability_kind", PERS_TEXT_MAX);
    in->exit_date = opt_day(r, errors, "exit_date", false);
    in->exit_destination = pers_opt_code(r, errors, "exit_destination", pers_exit_codes);
    in->health_notes = pers_opt_long(r, errors, "health_notes", PERS_NOTE_MAX);
    in->family_notes = pers_opt_long(r, errors, "family_notes", PERS_NOTE_MAX);
    in->judicial_notes = pers_opt_long(r, errors, "judicial_notes", PERS_NOTE_MAX);
    if (creating) {
        bool latin = in->first_name && *in->first_name && in->last_name && *in->last_name;
        bool arabic = in->first_name_ar && *in->first_name_ar && in->last_name_ar &&
                      *in->last_name_ar;
        if (!latin && !arabic && !json_object_get(errors, "first_name") &&
            !json_object_get(errors, "first_name_ar"))
            v_error(errors, "first_name",
                    N_("Enter the first and last name, in Latin or in Arabic letters."));
        if (!in->birth_date || !*in->birth_date)
            v_error(errors, "birth_date", N_("Enter the date of birth."));
        if (!in->sex || !*in->sex)
            v_error(errors, "sex", N_("Choose the sex."));
        if (!in->admission_date || !*in->admission_date)
            v_error(errors, "admission_date", N_("Enter the admission date."));
    }
}

/* The fields of a person as stored, after applying in over p (p NULL when
 * creating). Checks what involves several fields. */
typedef struct {
    const char *v[17];
    int disability;
} merged_t;

enum {
    M_FIRST, M_LAST, M_FIRST_AR, M_LAST_AR, M_BIRTH, M_SEX, M_ADMISSION, M_ORIGIN, M_ORIGIN_REF,
    M_LEGAL, M_DIS_KIND, M_EXIT, M_EXIT_DEST, M_HEALTH, M_FAMILY, M_JUDICIAL, M__N
};
static const char *const merged_names[M__N] = {
    "first_name", "last_name", "first_name_ar", "last_name_ar", "birth_date", "sex",
    "admission_date", "origin", "origin_ref", "legal_status", "disability_kind", "exit_date",
    "exit_destination", "health_notes", "family_notes", "judicial_notes"};
static const bool merged_sealed[M__N] = {[M_ORIGIN_REF] = true, [M_HEALTH] = true,
                                         [M_FAMILY] = true, [M_JUDICIAL] = true};

static void merge(const person_t *p, const pers_input_t *in, merged_t *m)
{
    const char *const old[M__N] = {
        p ? p->first_name : NULL, p ? p->last_name : NULL, p ? p->first_name_ar : NULL,
        p ? p->last_name_ar : NULL, p ? p->birth_date : NULL, p ? p->sex : NULL,
        p ? p->admission_date : NULL, p ? p->origin : NULL, p ? p->origin_ref : NULL,
        p ? p->legal_status : NULL, p ? p->disability_kind : NULL, p ? p->exit_date : NULL,
        p ? p->exit_destination : NULL, p ? p->health_notes : NULL, p ? p->family_notes : NULL,
        p ? p->judicial_notes : NULL};
    const char *const nw[M__N] = {
        in->first_name, in->last_name, in->first_name_ar, in->last_name_ar, in->birth_date,
        in->sex, in->admission_date, in->origin, in->origin_ref, in->legal_status,
        in->disability_kind, in->exit_date, in->exit_destination, in->health_notes,
        in->family_notes, in->judicial_notes};
    for (int i = 0; i < M__N; i++) {
        const char *v = nw[i] ? nw[i] : old[i];
        m->v[i] = v && *v ? v : NULL;
    }
    m->disability = in->disability >= 0 ? in->disability : (p && p->disability);
}

static bool merged_ok(const merged_t *m, json_t *errors)
{
    if (!m->v[M_BIRTH])
        v_error(errors, "birth_date", N_("Enter the date of birth."));
    if (!m->v[M_SEX])
        v_error(errors, "sex", N_("Choose the sex."));
    if (!m->v[M_ADMISSION])
        v_error(errors, "admission_date", N_("Enter the admission date."));
    bool latin = m->v[M_FIRST] && m->v[M_LAST];
    bool arabic = m->v[M_FIRST_AR] && m->v[M_LAST_AR];
    if (!latin && !arabic)
        v_error(errors, "first_name",
                N_("Enter the first and last name, in Latin or in Arabic letters."));
    if (m->v[M_BIRTH] && m->v[M_ADMISSION] && strcmp(m->v[M_ADMISSION], m->v[M_BIRTH]) < 0)
        v_error(errors, "admission_date", N_("The admission cannot come before the birth."));
    if (m->v[M_EXIT] && m->v[M_ADMISSION] && strcmp(m->v[M_EXIT], m->v[M_ADMISSION]) < 0)
        v_error(errors, "exit_date", N_("The exit cannot come before the admission."));
    if (m->v[M_EXIT_DEST] && !m->v[M_EXIT])
        v_error(errors, "exit_date", N_("Enter the exit date with the destination."));
    return json_object_size(errors) == 0;
}

static char *merged_search_key(const merged_t *m, const char *code)
{
    const char *f[5] = {m->v[M_FIRST] ? m->v[M_FIRST] : "", m->v[M_LAST] ? m->v[M_LAST] : "",
                        m->v[M_FIRST_AR] ? m->v[M_FIRST_AR] : "",
                        m->v[M_LAST_AR] ? m->v[M_LAST_AR] : "", code};
    return text_fold_key(f, 5);
}

/* --- Loading ----------------------------------------------------------------- */

#define PERS_COLS                                                                                 \
    "id, eps_id, node_id, rev, created_by, created_at, updated_at, anonymised_at, code, path,"  \
    " first_name, last_name, first_name_ar, last_name_ar, birth_date, sex, admission_date,"      \
    " origin, origin_ref, legal_status, disability, disability_kind, exit_date,"                 \
    " exit_destination, health_notes, family_notes, judicial_notes"

static const char *blank_null(arena_t *a, const char *s)
{
    return s && *s ? arena_strdup(a, s) : NULL;
}

static const char *open_field(arena_t *a, const char *sealed, bool *ok)
{
    const char *out = NULL;
    if (!sealed || !*sealed)
        return NULL;
    if (seal_open(a, sealed, &out) != 0) {
        *ok = false;
        return NULL;
    }
    return out;
}

int pers_load(db_t *db, arena_t *a, int64_t id, person_t *o)
{
    memset(o, 0, sizeof *o);
    db_res_t *res = db_query(db, "SELECT " PERS_COLS " FROM persons WHERE id = ?",
                             PARAMS(P_INT(id)));
    if (!res || !db_next(res)) {
        db_res_free(res);
        return -1;
    }
    o->id = db_int(res, 0);
    o->eps_id = db_int(res, 1);
    o->node_id = db_int(res, 2);
    o->rev = db_int(res, 3);
    o->created_by = db_int(res, 4);
    o->created_at = db_int(res, 5);
    o->updated_at = db_int(res, 6);
    o->anonymised_at = db_int(res, 7);
    o->code = arena_strdup(a, db_text(res, 8));
    o->path = arena_strdup(a, db_text(res, 9));
    o->first_name = blank_null(a, db_text(res, 10));
    o->last_name = blank_null(a, db_text(res, 11));
    o->first_name_ar = blank_null(a, db_text(res, 12));
    o->last_name_ar = blank_null(a, db_text(res, 13));
    o->birth_date = blank_null(a, db_text(res, 14));
    o->sex = blank_null(a, db_text(res, 15));
    o->admission_date = blank_null(a, db_text(res, 16));
    o->origin = blank_null(a, db_text(res, 17));
    o->unsealed = true;
    o->origin_ref = open_field(a, db_text(res, 18), &o->unsealed);
    o->legal_status = blank_null(a, db_text(res, 19));
    o->disability = db_int(res, 20) != 0;
    o->disability_kind = blank_null(a, db_text(res, 21));
    o->exit_date = blank_null(a, db_text(res, 22));
    o->exit_destination = blank_null(a, db_text(res, 23));
    o->health_notes = open_field(a, db_text(res, 24), &o->unsealed);
    o->family_notes = open_field(a, db_text(res, 25), &o->unsealed);
    o->judicial_notes = open_field(a, db_text(res, 26), &o->unsealed);
    db_res_free(res);
    return 0;
}

int pers_where(db_t *db, arena_t *a, int64_t id, const char **path, int64_t *eps_id,
               int64_t *node_id)
{
    db_res_t *res = db_query(db, "SELECT path, eps_id, node_id FROM persons WHERE id = ?",
                             PARAMS(P_INT(id)));
    int rc = -1;
    if (res && db_next(res)) {
        *path = arena_strdup(a, db_text(res, 0));
        *eps_id = db_int(res, 1);
        *node_id = db_int(res, 2);
        rc = 0;
    }
    db_res_free(res);
    return rc;
}

static const char *join_name(arena_t *a, const char *first, const char *last)
{
    if (first && last)
        return arena_printf(a, "%s %s", first, last);
    return first ? first : last;
}

const char *pers_display_name(arena_t *a, const person_t *p, const char *lang)
{
    const char *latin = join_name(a, p->first_name, p->last_name);
    const char *arabic = join_name(a, p->first_name_ar, p->last_name_ar);
    const char *n = lang && strcmp(lang, "ar") == 0 ? (arabic ? arabic : latin)
                                                    : (latin ? latin : arabic);
    return n ? n : p->code;
}

/* --- Writing ----------------------------------------------------------------- */

static const char code_letters[] = "23456789abcdefghjklmnpqrstuvwxyz";

static void new_code(char out[PERS_CODE_LEN + 1])
{
    out[0] = 'p';
    for (int i = 1; i < PERS_CODE_LEN; i++)
        out[i] = code_letters[randombytes_uniform(sizeof code_letters - 1)];
    out[PERS_CODE_LEN] = 0;
}

/* The EPS of a node (itself or its parent), with its path; 0 when the node
 * is neither an EPS nor a unit. */
static int64_t eps_of(db_t *db, arena_t *a, const node_t *n, const char **eps_path)
{
    if (n->kind == NODE_EPS) {
        *eps_path = n->path;
        return n->id;
    }
    if (n->kind == NODE_UNIT) {
        *eps_path = nodes_path_of(db, a, n->parent_id);
        return n->parent_id;
    }
    return 0;
}

/* Does the reader hold a live staff role at a unit of the EPS of eps_path? */
static bool works_at_unit(req_t *r, const char *eps_path)
{
    int64_t now = now_utc();
    for (int i = 0; eps_path && i < r->user->n_roles; i++) {
        const role_assignment_t *ra = &r->user->roles[i];
        if (ra->role == ROLE_STAFF && ra->node_kind == NODE_UNIT && authz_role_live(ra, now) &&
            ra->node_path && nodes_path_within(ra->node_path, eps_path))
            return true;
    }
    return false;
}

res_t pers_create(req_t *r, const pers_input_t *in, json_t *errors, int64_t *id_out)
{
    node_t n;
    const char *eps_path = NULL;
    int64_t eps = 0;
    if (nodes_load(r->db, r->arena, in->node_id, &n) != 0 ||
        (eps = eps_of(r->db, r->arena, &n, &eps_path)) == 0 || !n.active) {
        v_error(errors, "node_id", N_("Choose a unit of an establishment."));
        return RES_INVALID;
    }
    merged_t m;
    merge(NULL, in, &m);
    if (!merged_ok(&m, errors))
        return RES_INVALID;
    bool mine;
    if (!app_tx_begin(r->db, &mine))
        return RES_ERROR;
    char code[PERS_CODE_LEN + 1];
    do
        new_code(code);
    while (db_query_int(r->db, "SELECT COUNT(*) FROM persons WHERE code = ?",
                        PARAMS(P_TEXT(code)), 0) > 0);
    char *key = merged_search_key(&m, code);
    int64_t now = now_utc(), id = 0;
    arena_t *a = r->arena;
    db_res_t *res = db_query(
        r->db,
        "INSERT INTO persons (code, eps_id, node_id, path, first_name, last_name, first_name_ar,"
        " last_name_ar, search_key, birth_date, sex, admission_date, origin, origin_ref,"
        " legal_status, disability, disability_kind, exit_date, exit_destination, health_notes,"
        " family_notes, judicial_notes, created_by, created_at, updated_at) VALUES (?, ?, ?, ?,"
        " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        PARAMS(P_TEXT(code), P_INT(eps), P_INT(n.id), P_TEXT(n.path),
               P_TEXT(m.v[M_FIRST] ? m.v[M_FIRST] : ""), P_TEXT(m.v[M_LAST] ? m.v[M_LAST] : ""),
               P_TEXT(m.v[M_FIRST_AR] ? m.v[M_FIRST_AR] : ""),
               P_TEXT(m.v[M_LAST_AR] ? m.v[M_LAST_AR] : ""), P_TEXT(key),
               pers_text_or_null(m.v[M_BIRTH]), pers_text_or_null(m.v[M_SEX]),
               pers_text_or_null(m.v[M_ADMISSION]), pers_text_or_null(m.v[M_ORIGIN]),
               pers_sealed_param(a, m.v[M_ORIGIN_REF]), pers_text_or_null(m.v[M_LEGAL]),
               P_INT(m.disability), pers_text_or_null(m.v[M_DIS_KIND]), pers_text_or_null(m.v[M_EXIT]),
               pers_text_or_null(m.v[M_EXIT_DEST]), pers_sealed_param(a, m.v[M_HEALTH]),
               pers_sealed_param(a, m.v[M_FAMILY]), pers_sealed_param(a, m.v[M_JUDICIAL]),
               P_INT(r->user->id), P_INT(now), P_INT(now)));
    free(key);
    if (res && db_next(res))
        id = db_int(res, 0);
    db_res_free(res);
    bool ok = id > 0;
    /* the educator of a unit who records a child becomes one of its referents */
    if (ok && works_at_unit(r, eps_path))
        ok = db_exec(r->db, "INSERT INTO person_referents (person_id, user_id) VALUES (?, ?)",
                     PARAMS(P_INT(id), P_INT(r->user->id))) == DB_OK;
    if (ok) {
        json_t *ch = json_pack("{s:{s:s}, s:{s:I}}", "code", "to", code, "node_id", "to",
                               (json_int_t)n.id);
        for (int i = 0; i < M__N; i++) {
            if (!m.v[i])
                continue;
            if (i == M_ORIGIN || i == M_LEGAL || i == M_EXIT_DEST || i == M_ADMISSION ||
                i == M_EXIT)
                json_object_set_new(ch, merged_names[i], json_pack("{s:s}", "to", m.v[i]));
            else
                json_object_set_new(ch, merged_names[i], json_string("changed"));
        }
        ok = audit_write(r->db, r->user->id, "create", "person", id, n.id, ch, req_ip(r)) ==
             DB_OK;
        json_decref(ch);
    }
    if (app_tx_end(r->db, mine, ok) != DB_OK || !ok)
        return RES_ERROR;
    *id_out = id;
    return RES_OK;
}

static bool same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

res_t pers_update(req_t *r, const person_t *p, const pers_input_t *in, int64_t rev,
                  json_t *errors)
{
    if (p->anonymised_at)
        return RES_CONFLICT;
    if (rev > 0 && rev != p->rev)
        return RES_CONFLICT;
    node_t n = {0};
    int64_t node_id = p->node_id;
    const char *path = p->path;
    if (in->node_id > 0 && in->node_id != p->node_id) {
        const char *eps_path = NULL;
        if (nodes_load(r->db, r->arena, in->node_id, &n) != 0 || !n.active ||
            eps_of(r->db, r->arena, &n, &eps_path) != p->eps_id ||
            app_authorize(r, PERM_PERSONAL_WRITE, n.id) != AUTHZ_ALLOW) {
            v_error(errors, "node_id", N_("Choose a unit of the same establishment."));
            return RES_INVALID;
        }
        node_id = n.id;
        path = n.path;
    }
    merged_t m;
    merge(p, in, &m);
    if (!merged_ok(&m, errors))
        return RES_INVALID;
    const char *const old[M__N] = {
        p->first_name, p->last_name, p->first_name_ar, p->last_name_ar, p->birth_date, p->sex,
        p->admission_date, p->origin, p->origin_ref, p->legal_status, p->disability_kind,
        p->exit_date, p->exit_destination, p->health_notes, p->family_notes, p->judicial_notes};
    json_t *ch = json_object();
    for (int i = 0; i < M__N; i++) {
        if (same(old[i], m.v[i]))
            continue;
        if (merged_sealed[i] || i <= M_SEX || i == M_DIS_KIND)
            json_object_set_new(ch, merged_names[i], json_string("changed"));
        else
            json_object_set_new(ch, merged_names[i],
                                json_pack("{s:o, s:o}", "from", json_str_or_null(old[i]), "to",
                                          json_str_or_null(m.v[i])));
    }
    if (m.disability != (int)p->disability)
        json_object_set_new(ch, "disability", json_string("changed"));
    if (node_id != p->node_id)
        json_object_set_new(ch, "node_id", json_pack("{s:I, s:I}", "from", (json_int_t)p->node_id,
                                                     "to", (json_int_t)node_id));
    if (json_object_size(ch) == 0) {
        json_decref(ch);
        return RES_OK;
    }
    bool mine;
    if (!app_tx_begin(r->db, &mine)) {
        json_decref(ch);
        return RES_ERROR;
    }
    arena_t *a = r->arena;
    char *key = merged_search_key(&m, p->code);
    bool ok = db_exec(r->db,
                      "UPDATE persons SET node_id = ?, path = ?, first_name = ?, last_name = ?,"
                      " first_name_ar = ?, last_name_ar = ?, search_key = ?, birth_date = ?,"
                      " sex = ?, admission_date = ?, origin = ?, origin_ref = ?, legal_status = ?,"
                      " disability = ?, disability_kind = ?, exit_date = ?, exit_destination = ?,"
                      " health_notes = ?, family_notes = ?, judicial_notes = ?, rev = rev + 1,"
                      " updated_at = ? WHERE id = ? AND rev = ?",
                      PARAMS(P_INT(node_id), P_TEXT(path),
                             P_TEXT(m.v[M_FIRST] ? m.v[M_FIRST] : ""),
                             P_TEXT(m.v[M_LAST] ? m.v[M_LAST] : ""),
                             P_TEXT(m.v[M_FIRST_AR] ? m.v[M_FIRST_AR] : ""),
                             P_TEXT(m.v[M_LAST_AR] ? m.v[M_LAST_AR] : ""), P_TEXT(key),
                             pers_text_or_null(m.v[M_BIRTH]), pers_text_or_null(m.v[M_SEX]),
                             pers_text_or_null(m.v[M_ADMISSION]), pers_text_or_null(m.v[M_ORIGIN]),
                             pers_sealed_param(a, m.v[M_ORIGIN_REF]), pers_text_or_null(m.v[M_LEGAL]),
                             P_INT(m.disability), pers_text_or_null(m.v[M_DIS_KIND]),
                             pers_text_or_null(m.v[M_EXIT]), pers_text_or_null(m.v[M_EXIT_DEST]),
                             pers_sealed_param(a, m.v[M_HEALTH]), pers_sealed_param(a, m.v[M_FAMILY]),
                             pers_sealed_param(a, m.v[M_JUDICIAL]), P_INT(now_utc()), P_INT(p->id),
                             P_INT(p->rev))) == DB_OK;
    free(key);
    bool stale = ok && db_changes(r->db) == 0;
    ok = ok && !stale &&
         audit_write(r->db, r->user->id, "update", "person", p->id, node_id, ch, req_ip(r)) ==
             DB_OK;
    json_decref(ch);
    if (app_tx_end(r->db, mine, ok) != DB_OK || !ok)
        return stale ? RES_CONFLICT : RES_ERROR;
    return RES_OK;
}

/* --- As JSON ---------------------------------------------------------------- */

static json_t *user_refs(req_t *r, const char *sql, int64_t id)
{
    json_t *out = json_array();
    db_res_t *res = db_query(r->db, sql, PARAMS(P_INT(id)));
    while (res && db_next(res)) {
        int64_t uid = db_int(res, 0);
        const char *href = NULL;
        const char *name = app_entity_name(r, "user", uid, &href);
        json_array_append_new(out, json_pack("{s:I, s:s}", "id", (json_int_t)uid, "name",
                                             name ? name : "?"));
    }
    db_res_free(res);
    return out;
}

static json_t *siblings_json(req_t *r, int64_t id)
{
    json_t *out = json_array();
    db_res_t *res = db_query(r->db,
                             "SELECT p.id, p.code, p.first_name, p.last_name, p.first_name_ar,"
                             " p.last_name_ar FROM person_siblings s JOIN persons p ON p.id ="
                             " s.sibling_id WHERE s.person_id = ? ORDER BY p.id",
                             PARAMS(P_INT(id)));
    while (res && db_next(res)) {
        person_t s = {.code = db_text(res, 1),
                      .first_name = blank_null(r->arena, db_text(res, 2)),
                      .last_name = blank_null(r->arena, db_text(res, 3)),
                      .first_name_ar = blank_null(r->arena, db_text(res, 4)),
                      .last_name_ar = blank_null(r->arena, db_text(res, 5))};
        json_array_append_new(out, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)db_int(res, 0),
                                             "code", s.code, "name",
                                             pers_display_name(r->arena, &s, r->lang)));
    }
    db_res_free(res);
    return out;
}

json_t *pers_json(req_t *r, const person_t *p)
{
    const char *href = NULL;
    const char *node_name = app_entity_name(r, "node", p->node_id, &href);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(p->id));
    json_object_set_new(o, "code", json_string(p->code));
    json_object_set_new(o, "node_id", json_integer(p->node_id));
    json_object_set_new(o, "node_name", json_str_or_null(node_name));
    json_object_set_new(o, "eps_id", json_integer(p->eps_id));
    json_object_set_new(o, "name", json_string(pers_display_name(r->arena, p, r->lang)));
    const char *const f[][2] = {
        {"first_name", p->first_name},
        {"last_name", p->last_name},
        {"first_name_ar", p->first_name_ar},
        {"last_name_ar", p->last_name_ar},
        {"birth_date", p->birth_date},
        {"sex", p->sex},
        {"admission_date", p->admission_date},
        {"origin", p->origin},
        {"origin_ref", p->origin_ref},
        {"legal_status", p->legal_status},
        {"disability_kind", p->disability_kind},
        {"exit_date", p->exit_date},
        {"exit_destination", p->exit_destination},
        {"health_notes", p->health_notes},
        {"family_notes", p->family_notes},
        {"judicial_notes", p->judicial_notes},
    };
    for (size_t i = 0; i < ARRAY_LEN(f); i++)
        json_object_set_new(o, f[i][0], json_str_or_null(f[i][1]));
    json_object_set_new(o, "disability", json_boolean(p->disability));
    int age = pers_age(p->birth_date, pers_today(r->arena));
    json_object_set_new(o, "age", age >= 0 ? json_integer(age) : json_null());
    json_object_set_new(o, "referents",
                        user_refs(r,
                                  "SELECT user_id FROM person_referents WHERE person_id = ?"
                                  " ORDER BY user_id",
                                  p->id));
    json_object_set_new(o, "siblings", siblings_json(r, p->id));
    json_object_set_new(o, "anonymised", json_boolean(p->anonymised_at != 0));
    json_object_set_new(o, "sealed_ok", json_boolean(p->unsealed));
    json_object_set_new(o, "rev", json_integer(p->rev));
    json_object_set_new(o, "created_at", json_integer(p->created_at));
    json_object_set_new(o, "updated_at", json_integer(p->updated_at));
    return o;
}

/* --- Referents and siblings ---------------------------------------------------- */

res_t pers_set_referents(req_t *r, const person_t *p, const int64_t *ids, size_t n,
                         json_t *errors)
{
    const char *eps_path = nodes_path_of(r->db, r->arena, p->eps_id);
    for (size_t i = 0; i < n; i++)
        if (!users_works_at(r->db, eps_path, ids[i])) {
            v_error(errors, "referents",
                    N_("Choose referents among the people who work at the establishment."));
            return RES_INVALID;
        }
    bool mine;
    if (!app_tx_begin(r->db, &mine))
        return RES_ERROR;
    bool ok = db_exec(r->db, "DELETE FROM person_referents WHERE person_id = ?",
                      PARAMS(P_INT(p->id))) == DB_OK;
    json_t *list = json_array();
    for (size_t i = 0; ok && i < n; i++) {
        ok = db_exec(r->db,
                     "INSERT INTO person_referents (person_id, user_id) VALUES (?, ?)"
                     " ON CONFLICT DO NOTHING",
                     PARAMS(P_INT(p->id), P_INT(ids[i]))) == DB_OK;
        json_array_append_new(list, json_integer(ids[i]));
    }
    char *txt = json_dumps(list, JSON_COMPACT);
    json_t *ch = json_pack("{s:{s:s}}", "referents", "to", txt ? txt : "[]");
    free(txt);
    json_decref(list);
    ok = ok && audit_write(r->db, r->user->id, "referents", "person", p->id, p->node_id, ch,
                           req_ip(r)) == DB_OK;
    json_decref(ch);
    if (app_tx_end(r->db, mine, ok) != DB_OK || !ok)
        return RES_ERROR;
    return RES_OK;
}

res_t pers_set_siblings(req_t *r, const person_t *p, const int64_t *ids, size_t n,
                        json_t *errors)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == p->id ||
            db_query_int(r->db, "SELECT COUNT(*) FROM persons WHERE id = ? AND eps_id = ?",
                         PARAMS(P_INT(ids[i]), P_INT(p->eps_id)), 0) == 0) {
            v_error(errors, "siblings",
                    N_("Choose siblings among the persons of the same establishment."));
            return RES_INVALID;
        }
    bool mine;
    if (!app_tx_begin(r->db, &mine))
        return RES_ERROR;
    bool ok = db_exec(r->db, "DELETE FROM person_siblings WHERE person_id = ? OR sibling_id = ?",
                      PARAMS(P_INT(p->id), P_INT(p->id))) == DB_OK;
    for (size_t i = 0; ok && i < n; i++)
        ok = db_exec(r->db,
                     "INSERT INTO person_siblings (person_id, sibling_id) VALUES (?, ?), (?, ?)"
                     " ON CONFLICT DO NOTHING",
                     PARAMS(P_INT(p->id), P_INT(ids[i]), P_INT(ids[i]), P_INT(p->id))) == DB_OK;
    json_t *ch = json_pack("{s:{s:I}}", "siblings", "to", (json_int_t)n);
    ok = ok && audit_write(r->db, r->user->id, "siblings", "person", p->id, p->node_id, ch,
                           req_ip(r)) == DB_OK;
    json_decref(ch);
    if (app_tx_end(r->db, mine, ok) != DB_OK || !ok)
        return RES_ERROR;
    return RES_OK;
}

json_t *pers_referent_choices(req_t *r, const person_t *p)
{
    return users_workers(r->db, nodes_path_of(r->db, r->arena, p->eps_id));
}

/* --- The caseload --------------------------------------------------------------- */

json_t *pers_list(req_t *r, const pers_filter_t *f, int64_t *total)
{
    buf_t where;
    buf_init(&where);
    db_param_t params[48];
    int np = 0;
    const char *day = pers_today(r->arena);
    buf_puts(&where, " WHERE p.anonymised_at = 0 AND ");
    pers_scope_sql(r, &where, params, &np, 40);
    if (f->node_id > 0) {
        const char *path = nodes_path_of(r->db, r->arena, f->node_id);
        buf_puts(&where, " AND p.path >= ? AND p.path < ?");
        params[np++] = P_TEXT(path);
        params[np++] = P_TEXT(app_path_upper(r->arena, path));
    }
    if (f->mine) {
        buf_puts(&where, " AND p.id IN (SELECT person_id FROM person_referents WHERE user_id = ?)");
        params[np++] = P_INT(r->user->id);
    }
    if (!f->left)
        buf_puts(&where, " AND p.exit_date IS NULL");
    if (f->due) {
        char soon[11];
        iso_day_format(iso_day_number(day) + 30, soon);
        buf_puts(&where, " AND pl.status IN ('agreed', 'in_review') AND pl.next_review <= ?");
        params[np++] = P_TEXT(arena_strdup(r->arena, soon));
    }
    if (f->q && *f->q)
        app_search_sql(r, "p.search_key", f->q, &where, params, &np, 46);

    buf_t sql;
    buf_init(&sql);
    buf_printf(&sql, "SELECT COUNT(*) FROM persons p" PERS_CURRENT_PLAN_JOIN "%s", where.data);
    *total = db_query_int(r->db, sql.data, params, np, 0);
    buf_free(&sql);

    buf_init(&sql);
    buf_printf(&sql,
               "SELECT p.id, p.code, p.first_name, p.last_name, p.first_name_ar, p.last_name_ar,"
               " p.birth_date, p.sex, p.node_id, p.exit_date, pl.status, pl.next_review,"
               " CASE WHEN EXISTS (SELECT 1 FROM person_referents rf WHERE rf.person_id = p.id"
               " AND rf.user_id = ?) THEN 1 ELSE 0 END AS is_ref"
               " FROM persons p" PERS_CURRENT_PLAN_JOIN "%s"
               " ORDER BY is_ref DESC, CASE WHEN p.last_name = '' THEN p.last_name_ar ELSE"
               " p.last_name END, p.first_name, p.id LIMIT ? OFFSET ?",
               where.data);
    db_param_t all[52];
    all[0] = P_INT(r->user->id);
    memcpy(all + 1, params, (size_t)np * sizeof *params);
    int na = np + 1;
    all[na++] = P_INT(f->limit > 0 ? f->limit : 50);
    all[na++] = P_INT(f->offset);
    json_t *items = json_array();
    char soon[11];
    iso_day_format(iso_day_number(day) + 30, soon);
    db_res_t *res = db_query(r->db, sql.data, all, na);
    while (res && db_next(res)) {
        person_t s = {.code = db_text(res, 1),
                      .first_name = blank_null(r->arena, db_text(res, 2)),
                      .last_name = blank_null(r->arena, db_text(res, 3)),
                      .first_name_ar = blank_null(r->arena, db_text(res, 4)),
                      .last_name_ar = blank_null(r->arena, db_text(res, 5))};
        const char *other_lang = strcmp(r->lang, "ar") == 0 ? "fr" : "ar";
        const char *name = pers_display_name(r->arena, &s, r->lang);
        const char *other = pers_display_name(r->arena, &s, other_lang);
        int64_t node = db_int(res, 8);
        const char *href = NULL;
        const char *node_name = app_entity_name(r, "node", node, &href);
        const char *status = db_text(res, 10);
        const char *next = db_text(res, 11);
        bool open = status && (strcmp(status, "agreed") == 0 || strcmp(status, "in_review") == 0);
        bool late = open && next && strcmp(next, day) < 0;
        bool due_soon = open && next && !late && strcmp(next, soon) <= 0;
        int age = pers_age(db_text(res, 6), day);
        json_t *it = json_object();
        json_object_set_new(it, "id", json_integer(db_int(res, 0)));
        json_object_set_new(it, "code", json_string(s.code));
        json_object_set_new(it, "name", json_string(name));
        json_object_set_new(it, "name_other",
                            json_str_or_null(strcmp(other, name) != 0 ? other : NULL));
        json_object_set_new(it, "age", age >= 0 ? json_integer(age) : json_null());
        json_object_set_new(it, "sex", json_str_or_null(db_text(res, 7)));
        json_object_set_new(it, "node_id", json_integer(node));
        json_object_set_new(it, "node_name", json_str_or_null(node_name));
        json_object_set_new(it, "exit_date", json_str_or_null(db_text(res, 9)));
        json_object_set_new(it, "plan_status", json_str_or_null(status));
        json_object_set_new(it, "plan_status_label",
                            status ? json_string(T(r, pers_code_msgid(r->arena, "plan", status)))
                                   : json_null());
        json_object_set_new(it, "next_review", json_str_or_null(next));
        json_object_set_new(it, "late", json_boolean(late));
        json_object_set_new(it, "due_soon", json_boolean(due_soon));
        json_object_set_new(it, "referent", json_boolean(db_int(res, 12) != 0));
        json_array_append_new(items, it);
    }
    db_res_free(res);
    buf_free(&sql);
    buf_free(&where);
    return items;
}
