/* person_demo.c - the persons part of `jouda demo` (names and texts in
 * person_demo_text.c, the national scale in person_demo_bulk.c).
 *
 * Small scale: each unit of the demo establishments (Amal's six villages,
 * Nour's home) gets its children: four to six per family house (brothers and
 * sisters often together, linked as siblings), young people of 15 to 18 in
 * a youth home, mothers each with a child in a mother-and-child programme.
 * Each has admission, origin, legal status, sometimes a disability, sealed
 * notes, referents (the staff of the unit; educateur.casa for some children
 * of Casablanca), a needs assessment in several domains and a plan at some
 * step of its life: none yet, draft, agreed, reviewed, late for its review,
 * in review, closed and replaced by a newer version; agreed plans are often
 * co-signed by the child and the guardian. A few persons have left (one at
 * Marrakech more than ten years ago, for `jouda retention`). The texts are
 * in French, in Arabic for the establishment whose projet is written in
 * Arabic (the second one, as in project_demo.c). Casablanca also has a
 * running grant (to a staff member of Tanger), an expired one and a few
 * access-log rows; Marrakech reviews every four months.
 *
 * National scale (person_demo_bulk.c): the other establishments of the
 * country get about 55 persons each, 60,000 in all.
 *
 * Rows are written directly with prepared statements (the model functions
 * need a request), with an audit row per person created at the small scale;
 * dates are relative to today. Running it again adds nothing: a unit (small)
 * or an establishment (national) that has persons is left as it is. The
 * sealing key is loaded by `jouda demo`. */
#include "person_demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/fold.h"

/* The life of a plan, relative to today (R: months between reviews). */
typedef enum {
    PL_NONE,
    PL_DRAFT,
    PL_AGREED,
    PL_LATE,
    PL_REVIEWED,
    PL_IN_REVIEW,
    PL_REPLACED,
    PL_NEXT_DRAFT,
    PL_CLOSED /* the person left */
} pd_life_t;
static const pd_life_t pd_lives[] = {PL_AGREED,     PL_LATE,      PL_REVIEWED, PL_DRAFT,
                                     PL_REPLACED,   PL_IN_REVIEW, PL_AGREED,   PL_NONE,
                                     PL_NEXT_DRAFT, PL_LATE};

/* ---------- days, codes, names */

const char *pd_day(arena_t *a, int64_t day)
{
    char *s = arena_alloc(a, 11);
    iso_day_format(day, s);
    return s;
}

/* day + months (the day of the month kept, at most 28). */
int64_t pd_months(int64_t day, int months)
{
    char s[40];
    iso_day_format(day, s);
    int y = 0, m = 0, dd = 0;
    if (sscanf(s, "%d-%d-%d", &y, &m, &dd) != 3)
        return day;
    int total = y * 12 + (m - 1) + months;
    snprintf(s, sizeof s, "%04d-%02d-%02d", (total / 12) % 10000, total % 12 + 1,
             dd > 28 ? 28 : dd);
    return iso_day_number(s);
}

/* A pseudonymous code "p" + 8 letters and digits, distinct for distinct
 * seeds below 2^40 (a bijection of 40 bits written in base 32). */
const char *pd_code(arena_t *a, uint64_t seed)
{
    static const char digits[] = "23456789abcdefghjklmnpqrstuvwxyz";
    const uint64_t mask = (1ULL << 40) - 1;
    uint64_t x = seed & mask;
    x = (x * 0x9E3779B1ULL + 0x5bd1e995ULL) & mask;
    x ^= x >> 19;
    x = (x * 0xC2B2AE35ULL) & mask;
    x ^= x >> 21;
    char *s = arena_alloc(a, PERS_CODE_LEN + 1);
    s[0] = 'p';
    for (int i = 8; i >= 1; i--) {
        s[i] = digits[x & 31];
        x >>= 5;
    }
    return s;
}

static char *pd_key(const char *code, const pd_name_t *f, const pd_name_t *l)
{
    const char *fields[] = {f->fr, l->fr, f->ar, l->ar, code};
    return text_fold_key(fields, ARRAY_LEN(fields));
}

static int64_t pd_role_holder(db_t *db, int64_t node, const char *role)
{
    return db_query_int(
        db,
        "SELECT r.user_id FROM user_roles r JOIN users u ON u.id = r.user_id"
        " WHERE r.node_id = ? AND r.role = ? AND u.active = 1 ORDER BY r.user_id LIMIT 1",
        PARAMS(P_INT(node), P_TEXT(role)), 0);
}

/* Whether the unit has persons already: then they and their plans are
 * counted as there. */
static bool pd_existing(pd_t *x, int64_t unit)
{
    int64_t n = db_query_int(x->db, "SELECT COUNT(*) FROM persons WHERE node_id = ?",
                             PARAMS(P_INT(unit)), 0);
    if (n <= 0)
        return false;
    int64_t plans =
        db_query_int(x->db,
                     "SELECT COUNT(*) FROM person_plans pl JOIN persons p ON p.id = pl.person_id"
                     " WHERE p.node_id = ?",
                     PARAMS(P_INT(unit)), 0);
    for (int64_t k = 0; k < n; k++)
        app_demo_count(x->d, "persons", false);
    for (int64_t k = 0; k < plans; k++)
        app_demo_count(x->d, "support plans", false);
    return true;
}

/* tmpl with its "%s" replaced by word. */
static const char *pd_fill(arena_t *a, const char *tmpl, const char *word)
{
    const char *at = strstr(tmpl, "%s");
    return at ? arena_printf(a, "%.*s%s%s", (int)(at - tmpl), tmpl, word, at + 2) : tmpl;
}

/* ---------- rows of the small scale */

typedef struct {
    int64_t id, node_id, eps_id, creator;
    const char *path, *code;
    const pd_name_t *first, *last;
    bool female, disabled, young, mother, with_mother; /* with_mother: a mother's child */
    const char *origin;                                /* set by pd_insert_person when NULL */
    int age;
    int64_t birth, admission, exit; /* day numbers; exit 0 when in care */
    uint32_t h;
} pd_person_t;

static bool pd_insert_person(pd_t *x, pd_person_t *p, const char *health, const char *family,
                             const char *judicial)
{
    const pd_texts_t *t = x->t;
    static const char *const origins[] = {"judicial", "judicial", "social_services", "police",
                                          "family"};
    static const char *const legal[] = {"judicial_placement", "judicial_placement",
                                        "abandoned_declared", "kafala_pending",
                                        "parental_authority", "guardianship"};
    static const char *const exits[] = {"family", "kafala", "autonomy", "other_eps"};
    uint32_t h = p->h;
    bool programme = p->mother || p->with_mother;
    const char *origin = p->origin   ? p->origin
                         : programme ? (h % 2 ? "self" : "social_services")
                                     : origins[h % 5];
    p->origin = origin;
    const char *ref = NULL;
    if (str_eq(origin, "judicial"))
        ref = seal_text(x->a, arena_printf(x->a, "%s %d/%d", t->origin_ref, 100 + (int)(h % 1900),
                                           atoi(pd_day(x->a, p->admission))));
    char *key = pd_key(p->code, p->first, p->last);
    int64_t created = p->admission * 86400 + 10 * 3600;
    const char *exit_dest = !p->exit ? NULL : p->young || p->age >= 18 ? "autonomy" : exits[h % 4];
    const char *legal_status = p->mother        ? "other"
                               : p->with_mother ? "parental_authority"
                                                : legal[(h >> 3) % 6];
    db_res_t *res = db_query(
        x->db,
        "INSERT INTO persons (code, eps_id, node_id, path, first_name, last_name, first_name_ar,"
        " last_name_ar, search_key, birth_date, sex, admission_date, origin, origin_ref, "
        "legal_status,"
        " disability, disability_kind, exit_date, exit_destination, health_notes, family_notes,"
        " judicial_notes, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?,"
        " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        PARAMS(P_TEXT(p->code), P_INT(p->eps_id), P_INT(p->node_id), P_TEXT(p->path),
               P_TEXT(p->first->fr), P_TEXT(p->last->fr), P_TEXT(p->first->ar), P_TEXT(p->last->ar),
               P_TEXT(key), P_TEXT(pd_day(x->a, p->birth)), P_TEXT(p->female ? "f" : "m"),
               P_TEXT(pd_day(x->a, p->admission)), P_TEXT(origin), P_TEXT(ref),
               P_TEXT(legal_status), P_INT(p->disabled ? 1 : 0),
               P_TEXT(p->disabled ? (x->arabic ? "إعاقة سمعية" : "Déficience auditive") : NULL),
               P_TEXT(p->exit ? pd_day(x->a, p->exit) : NULL), P_TEXT(exit_dest),
               P_TEXT(seal_text(x->a, health)), P_TEXT(seal_text(x->a, family)),
               P_TEXT(seal_text(x->a, judicial)), P_INT(p->creator), P_INT(created),
               P_INT(created)));
    free(key);
    p->id = res && db_next(res) ? db_int(res, 0) : 0;
    db_res_free(res);
    if (p->id <= 0)
        return false;
    app_demo_count(x->d, "persons", true);
    json_t *after = json_pack("{s:s, s:I}", "code", p->code, "node_id", (json_int_t)p->node_id);
    json_t *ch = audit_diff(NULL, after);
    int rc = audit_write(x->db, p->creator, "create", "person", p->id, p->node_id, ch, NULL);
    json_decref(ch);
    json_decref(after);
    return rc == DB_OK;
}

/* The domains assessed for a person, in the bank of its kind. */
static size_t pd_domains(const pd_person_t *p, const pd_need_t *bank, size_t nbank,
                         const pd_need_t **out)
{
    static const char *const child_pick[] = {"health", "identity", "autonomy",
                                             "safety", "leisure",  "participation"};
    const char *want[6];
    size_t n = 0;
    if (p->mother || p->young) {
        for (size_t i = 0; i < nbank && n < 4; i++)
            out[n++] = &bank[i];
        return n;
    }
    want[n++] = p->age < 6 ? "development" : "education";
    want[n++] = "family";
    for (int k = 0; k < 1 + (int)(p->h % 3); k++)
        want[n++] = child_pick[(p->h / 7 + (uint32_t)k * 2) % ARRAY_LEN(child_pick)];
    if (p->disabled)
        want[n++] = "disability";
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < nbank; j++)
            if (str_eq(bank[j].domain, want[i])) {
                bool dup = false;
                for (size_t k = 0; k < m; k++)
                    dup |= out[k] == &bank[j];
                if (!dup)
                    out[m++] = &bank[j];
            }
    return m;
}

static bool pd_needs(pd_t *x, const pd_person_t *p, const pd_need_t *const *dom, size_t n,
                     int64_t by)
{
    int64_t on = p->admission + 25 < x->today ? p->admission + 25 : x->today;
    for (size_t i = 0; i < n; i++) {
        const pd_need_t *e = dom[i];
        if (db_exec(
                x->db,
                "INSERT INTO person_needs (person_id, domain, level, situation, strengths, needs,"
                " own_words, assessed_on, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
                "?, ?)",
                PARAMS(P_INT(p->id), P_TEXT(e->domain), P_INT(e->level),
                       P_TEXT(seal_text(x->a, e->situation)), P_TEXT(seal_text(x->a, e->strengths)),
                       P_TEXT(seal_text(x->a, e->needs)),
                       P_TEXT(p->age >= 6 ? seal_text(x->a, e->own_words) : NULL),
                       P_TEXT(pd_day(x->a, on)), P_INT(by), P_INT(on * 86400 + 11 * 3600))) !=
            DB_OK)
            return false;
    }
    return true;
}

/* One version of a plan with its goals (and their actions). */
typedef struct {
    int version;
    const char *status;
    int64_t created, agreed, closed, next; /* day numbers, 0 = none */
    bool child_signs, guardian_signs;
} pd_plan_t;

static int64_t pd_plan(pd_t *x, const pd_person_t *p, const pd_plan_t *pl,
                       const pd_need_t *const *dom, size_t n, const char *guardian)
{
    const pd_texts_t *t = x->t;
    const char *name = x->arabic ? arena_printf(x->a, "%s %s", p->first->ar, p->last->ar)
                                 : arena_printf(x->a, "%s %s", p->first->fr, p->last->fr);
    const char *part =
        p->age < 6 ? t->participation_young
                   : pd_fill(x->a, t->participation, x->arabic ? p->first->ar : p->first->fr);
    bool open_agreed = pl->agreed > 0;
    const char *agreement = !open_agreed    ? NULL
                            : p->age < 6    ? "not_asked"
                            : p->h % 5 == 0 ? "partly"
                                            : "agrees";
    bool child = open_agreed && pl->child_signs && p->age >= 7;
    bool guard = open_agreed && pl->guardian_signs && guardian && !p->mother;
    db_res_t *res = db_query(
        x->db,
        "INSERT INTO person_plans (person_id, version, status, participation, agreement,"
        " child_signed_name, child_signed_on, child_signed_how, guardian_name, guardian_signed_on,"
        " guardian_signed_how, review_months, agreed_on, closed_on, next_review, created_by,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " RETURNING id",
        PARAMS(P_INT(p->id), P_INT(pl->version), P_TEXT(pl->status), P_TEXT(seal_text(x->a, part)),
               P_TEXT(agreement), P_TEXT(child ? name : NULL),
               P_TEXT(child ? pd_day(x->a, pl->agreed) : NULL),
               P_TEXT(child ? (p->age >= 10 ? "signature" : "oral") : NULL),
               P_TEXT(guard ? guardian : NULL), P_TEXT(guard ? pd_day(x->a, pl->agreed) : NULL),
               P_TEXT(guard ? "signature" : NULL), P_INT(x->review_months),
               P_TEXT(pl->agreed ? pd_day(x->a, pl->agreed) : NULL),
               P_TEXT(pl->closed ? pd_day(x->a, pl->closed) : NULL),
               P_TEXT(pl->next ? pd_day(x->a, pl->next) : NULL), P_INT(p->creator),
               P_INT(pl->created * 86400 + 15 * 3600),
               P_INT((pl->closed   ? pl->closed
                      : pl->agreed ? pl->agreed
                                   : pl->created) *
                         86400 +
                     16 * 3600)));
    int64_t id = res && db_next(res) ? db_int(res, 0) : 0;
    db_res_free(res);
    if (id > 0)
        app_demo_count(x->d, "support plans", true);
    for (size_t i = 0; id > 0 && i < n && i < 3; i++) {
        res = db_query(
            x->db,
            "INSERT INTO person_goals (plan_id, position, domain, text) VALUES (?, ?, ?, ?)"
            " RETURNING id",
            PARAMS(P_INT(id), P_INT((int64_t)i + 1), P_TEXT(dom[i]->domain),
                   P_TEXT(seal_text(x->a, dom[i]->goal))));
        int64_t goal = res && db_next(res) ? db_int(res, 0) : 0;
        db_res_free(res);
        int64_t due = pd_months(pl->agreed ? pl->agreed : pl->created, 3 + (int)i);
        if (goal <= 0 ||
            db_exec(x->db,
                    "INSERT INTO person_actions (goal_id, position, text, who, due, done) VALUES"
                    " (?, 1, ?, ?, ?, ?)",
                    PARAMS(P_INT(goal), P_TEXT(seal_text(x->a, dom[i]->action)),
                           P_TEXT(dom[i]->who), P_TEXT(pd_day(x->a, due)),
                           P_INT(due < x->today && (p->h + i) % 3 != 0))) != DB_OK)
            return 0;
    }
    return id;
}

static bool pd_review(pd_t *x, const pd_person_t *p, int64_t plan, int64_t due, int64_t on,
                      int64_t next, int k)
{
    return db_exec(x->db,
                   "INSERT INTO person_reviews (plan_id, reviewed_on, due_on, changes, next_review,"
                   " by_user, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   PARAMS(P_INT(plan), P_TEXT(pd_day(x->a, on)), P_TEXT(pd_day(x->a, due)),
                          P_TEXT(seal_text(x->a, x->t->review[(p->h + (uint32_t)k) % 4])),
                          P_TEXT(pd_day(x->a, next)), P_INT(p->creator),
                          P_INT(on * 86400 + 17 * 3600))) == DB_OK;
}

/* The plans of a person along its life. */
static bool pd_plans(pd_t *x, const pd_person_t *p, pd_life_t life, const pd_need_t *const *dom,
                     size_t n, const char *guardian)
{
    int R = x->review_months;
    int64_t T = x->today;
    uint32_t h = p->h;
    pd_plan_t pl = {.version = 1, .child_signs = h % 3 != 0, .guardian_signs = h % 2 == 0};
    int64_t id, id2;
    switch (life) {
    case PL_NONE: return true;
    case PL_DRAFT:
        pl.status = "draft";
        pl.created = T - 5 - (int64_t)(h % 20);
        return pd_plan(x, p, &pl, dom, n, guardian) > 0;
    case PL_AGREED:
    case PL_NEXT_DRAFT:
        pl.status = "agreed";
        pl.agreed = T - 10 - (int64_t)(h % (uint32_t)(R * 30 - 30));
        pl.created = pl.agreed - 20;
        pl.next = pd_months(pl.agreed, R);
        if (pd_plan(x, p, &pl, dom, n, guardian) <= 0)
            return false;
        if (life == PL_AGREED)
            return true;
        pd_plan_t v2 = {.version = 2, .status = "draft", .created = T - 3};
        return pd_plan(x, p, &v2, dom, n, guardian) > 0;
    case PL_LATE:
        /* agreed, reviewed once, and now past its next review */
        pl.status = "agreed";
        pl.agreed = pd_months(T - 15 - (int64_t)(h % 60), -2 * R);
        pl.created = pl.agreed - 20;
        int64_t due = pd_months(pl.agreed, R), on = due + 6;
        pl.next = pd_months(on, R);
        if (pl.next >= T)
            pl.next = T - 12;
        id = pd_plan(x, p, &pl, dom, n, guardian);
        return id > 0 && pd_review(x, p, id, due, on, pl.next, 0);
    case PL_REVIEWED:
    case PL_IN_REVIEW:
        /* agreed, reviewed twice (the first time late), next one ahead; in
         * review: its team is reviewing it now */
        pl.status = life == PL_IN_REVIEW ? "in_review" : "agreed";
        pl.agreed = pd_months(T + 20 + (int64_t)(h % 40), -3 * R);
        pl.created = pl.agreed - 25;
        int64_t d1 = pd_months(pl.agreed, R), o1 = d1 + 9 + (int64_t)(h % 12);
        int64_t d2 = pd_months(o1, R), o2 = d2 - 2;
        pl.next = pd_months(o2, R);
        id = pd_plan(x, p, &pl, dom, n, guardian);
        return id > 0 && pd_review(x, p, id, d1, o1, d2, 0) &&
               pd_review(x, p, id, d2, o2, pl.next, 1);
    case PL_REPLACED:
    case PL_CLOSED: {
        /* version 1 agreed and reviewed, closed when version 2 was agreed
         * (or when the person left) */
        int64_t end = life == PL_CLOSED ? p->exit : T - 30 - (int64_t)(h % 60);
        pl.status = "closed";
        pl.agreed = pd_months(end, -R - 4);
        if (pl.agreed < p->admission + 30)
            pl.agreed = p->admission + 30;
        pl.created = pl.agreed - 20;
        pl.closed = end;
        int64_t d = pd_months(pl.agreed, R);
        id = pd_plan(x, p, &pl, dom, n, guardian);
        if (id <= 0 || (d < end && !pd_review(x, p, id, d, d + 4, pd_months(d + 4, R), 0)))
            return false;
        if (life == PL_CLOSED)
            return true;
        pd_plan_t next = {.version = 2,
                          .status = "agreed",
                          .created = end - 15,
                          .agreed = end,
                          .next = pd_months(end, R),
                          .child_signs = true,
                          .guardian_signs = true};
        id2 = pd_plan(x, p, &next, dom, n, guardian);
        return id2 > 0;
    }
    }
    return true;
}

/* ---------- small scale: one unit */

typedef struct {
    int64_t id;
    const char *path, *kind;
} pd_unit_t;

static bool pd_link_siblings(pd_t *x, int64_t a, int64_t b)
{
    return db_exec(x->db,
                   "INSERT INTO person_siblings (person_id, sibling_id) VALUES (?, ?), (?, ?)",
                   PARAMS(P_INT(a), P_INT(b), P_INT(b), P_INT(a))) == DB_OK;
}

static bool pd_referents(pd_t *x, int64_t person, const int64_t *users, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        bool dup = false;
        for (size_t j = 0; j < i; j++)
            dup |= users[j] == users[i];
        if (!dup && users[i] > 0 &&
            db_exec(x->db, "INSERT INTO person_referents (person_id, user_id) VALUES (?, ?)",
                    PARAMS(P_INT(person), P_INT(users[i]))) != DB_OK)
            return false;
    }
    return true;
}

/* The persons of one unit. ui: the unit's rank in the EPS; left: which
 * person (index) has left, -1 none; old_exit: a departure more than ten
 * years ago (Marrakech). Persons of the first houses of Casablanca also
 * have educateur.casa as referent. */
static bool pd_unit(pd_t *x, const node_t *eps, const pd_unit_t *u, int ui, int64_t creator,
                    const char *guardian, int64_t casa_educator, int left, bool old_exit,
                    int64_t *first_ids, int *n_first)
{
    bool mothers = str_eq(u->kind, "mother_child"), youth = str_eq(u->kind, "youth_home");
    int n = mothers ? 6 : youth ? 5 : 4 + (int)(hash_mix32((uint32_t)u->id) % 3);
    int64_t staff[8];
    size_t ns = 0;
    db_res_t *res =
        db_query(x->db,
                 "SELECT r.user_id FROM user_roles r JOIN users u ON u.id = r.user_id"
                 " WHERE r.node_id = ? AND r.role = 'staff' AND u.active = 1 ORDER BY r.user_id",
                 PARAMS(P_INT(u->id)));
    while (res && db_next(res) && ns < 6)
        staff[ns++] = db_int(res, 0);
    db_res_free(res);
    pd_person_t prev = {0};
    for (int k = 0; k < n; k++) {
        uint32_t h = hash_mix32((uint32_t)(u->id * 64 + k));
        pd_person_t p = {.node_id = u->id,
                         .eps_id = eps->id,
                         .creator = creator,
                         .path = u->path,
                         .h = h,
                         .code = pd_code(x->a, (uint64_t)u->id << 7 | (uint64_t)k)};
        /* brothers and sisters arrive together: the next child shares the
         * family name of the previous one, one time in three */
        bool sibling = !mothers && !youth && k > 0 && h % 3 == 0 && !prev.exit;
        p.mother = mothers && k % 2 == 0;
        p.with_mother = mothers && k % 2 == 1;
        p.female = p.mother || h % 2 == 0;
        p.age = p.mother  ? 19 + (int)(h % 14)
                : mothers ? 2 + (int)(h % 4)
                : youth   ? 15 + (int)(h % 4)
                          : 2 + (int)(h % 17);
        p.young = youth;
        /* names drawn in steps coprime with the lists' lengths: no two
         * alike in one unit */
        uint32_t base = hash_mix32((uint32_t)u->id * 977u), kk = (uint32_t)k;
        p.first = p.mother   ? &pd_women[(base + kk * 3) % ARRAY_LEN(pd_women)]
                  : p.female ? &pd_girls[(base + kk * 7) % ARRAY_LEN(pd_girls)]
                             : &pd_boys[(base + kk * 7) % ARRAY_LEN(pd_boys)];
        p.last = mothers && k % 2 == 1 ? prev.last
                 : sibling             ? prev.last
                                       : &pd_family[(base / 31 + kk * 3) % ARRAY_LEN(pd_family)];
        p.origin = p.with_mother ? prev.origin : NULL;
        p.disabled = !mothers && h % 9 == 4;
        p.birth = pd_months(x->today - (int64_t)(h % 300), -12 * p.age);
        int64_t in_care = (int64_t)(p.age - (p.mother ? 0 : 1)) * 365;
        int64_t span = in_care < 1400 ? in_care : 1400;
        p.admission = mothers && k % 2 == 1 ? prev.admission
                      : sibling
                          ? prev.admission
                          : x->today - 40 - (int64_t)(h % (uint32_t)(span > 41 ? span - 40 : 1));
        if (p.admission < p.birth + 30)
            p.admission = p.birth + 30;
        pd_life_t life = pd_lives[(ui * 3 + k) % ARRAY_LEN(pd_lives)];
        if (k == left) {
            if (p.age < 8) {
                p.age = 8 + (int)(h % 9);
                p.birth = pd_months(x->today - (int64_t)(h % 300), -12 * p.age);
            }
            if (old_exit) {
                p.age = 29;
                p.birth = pd_months(x->today - 100, -12 * 29);
                p.admission = pd_months(x->today, -12 * 14);
                p.exit = pd_months(x->today - 200, -12 * 10);
            } else {
                p.exit = x->today - 30 - (int64_t)(h % 500);
                if (p.exit < p.admission + 200)
                    p.admission = p.exit - 400;
            }
            life = PL_CLOSED;
        } else if (p.with_mother) {
            /* arrived with the mother (or born since) */
            if (p.admission <= p.birth)
                p.admission = p.birth + 1;
            if (life != PL_NONE && life != PL_DRAFT)
                life = p.admission > x->today - 200   ? PL_DRAFT
                       : p.admission > x->today - 560 ? PL_AGREED
                                                      : life;
        } else if (life == PL_NONE) {
            p.admission = x->today - 12 - (int64_t)(h % 20); /* just arrived */
        } else if (life != PL_DRAFT && p.admission > x->today - 560) {
            /* in care long enough for its reviews, else still at its draft */
            p.admission = x->today - 560 - (int64_t)(h % 300);
            if (p.admission < p.birth + 30) {
                p.admission = p.birth + 30;
                if (p.admission > x->today - 560)
                    life = PL_DRAFT;
            }
        }
        const pd_texts_t *t = x->t;
        const char *family = p.mother  ? t->mother_family
                             : mothers ? t->mother_child
                                       : t->family[sibling ? 2 : (h >> 5) % 4];
        const char *health = p.disabled ? t->health[3] : p.mother ? NULL : t->health[(h >> 6) % 3];
        const char *judicial = p.mother || mothers ? NULL : t->judicial[(h >> 7) % 3];
        if (!pd_insert_person(x, &p, health, family, judicial))
            return false;
        /* referents: the unit's staff, and educateur.casa for some children
         * of the first houses of Casablanca */
        int64_t refs[8];
        size_t nr = 0;
        for (size_t i = 0; i < ns; i++)
            refs[nr++] = staff[i];
        if (casa_educator > 0 && ui < 3 && k % 2 == 0)
            refs[nr++] = casa_educator;
        if (!pd_referents(x, p.id, refs, nr))
            return false;
        if (sibling && !pd_link_siblings(x, prev.id, p.id))
            return false;
        const pd_need_t *dom[8];
        const pd_need_t *bank = x->arabic ? (mothers && p.mother ? pd_mother_ar : pd_child_ar)
                                : mothers && p.mother ? pd_mother_fr
                                : youth               ? pd_youth_fr
                                                      : pd_child_fr;
        size_t nbank = bank == pd_mother_ar   ? ARRAY_LEN(pd_mother_ar)
                       : bank == pd_child_ar  ? ARRAY_LEN(pd_child_ar)
                       : bank == pd_mother_fr ? ARRAY_LEN(pd_mother_fr)
                       : bank == pd_youth_fr  ? ARRAY_LEN(pd_youth_fr)
                                              : ARRAY_LEN(pd_child_fr);
        size_t nd = pd_domains(&p, bank, nbank, dom);
        if (life != PL_NONE || k % 2 == 0) /* a newcomer may not be assessed yet */
            if (!pd_needs(x, &p, dom, nd, staff[0] ? staff[0] : creator))
                return false;
        const char *guard =
            p.with_mother ? arena_printf(x->a, "%s %s", x->arabic ? prev.first->ar : prev.first->fr,
                                         x->arabic ? prev.last->ar : prev.last->fr)
                          : guardian;
        if (!pd_plans(x, &p, life, dom, nd, guard))
            return false;
        if (n_first && *n_first < 8)
            first_ids[(*n_first)++] = p.id;
        prev = p;
    }
    return true;
}

/* Casablanca: a grant running and one expired, a few reads of files. */
static bool pd_casa_extras(pd_t *x, int64_t unit, const int64_t *ids, int n, int64_t director)
{
    if (n < 3)
        return true;
    int64_t tanger = users_find_id(x->db, "directeur.tanger@amal.ma");
    int64_t fatima = users_find_id(x->db, "mere.fatima");
    int64_t educ = users_find_id(x->db, "educateur.casa");
    int64_t other =
        db_query_int(x->db,
                     "SELECT r.user_id FROM user_roles r JOIN nodes n ON n.id = r.node_id"
                     " WHERE r.role = 'staff' AND n.authorisation_no = 'EPS-TTA-2015-012'"
                     " ORDER BY r.user_id LIMIT 1",
                     NOPARAMS, 0);
    int64_t grantee = other > 0 ? other : tanger;
    if (grantee > 0) {
        int64_t gid =
            db_query_int(x->db,
                         "INSERT INTO person_grants (person_id, user_id, granted_by, until_day,"
                         " reason, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                         PARAMS(P_INT(ids[1]), P_INT(grantee), P_INT(director),
                                P_TEXT(pd_day(x->a, x->today + 30)), P_TEXT(pd_fr.grant_reason),
                                P_INT(x->now - 3 * 86400)),
                         0);
        /* the audit row as the model writes it (person_access.c) */
        json_t *ch = json_pack("{s:{s:I}, s:{s:s}, s:s}", "user_id", "to", (json_int_t)grantee,
                               "until", "to", pd_day(x->a, x->today + 30), "reason", "changed");
        int rc =
            gid > 0 ? audit_write(x->db, director, "access_grant", "person", ids[1], unit, ch, NULL)
                    : DB_ERR;
        json_decref(ch);
        if (rc != DB_OK ||
            db_exec(x->db,
                    "INSERT INTO person_grants (person_id, user_id, granted_by, until_day, reason,"
                    " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    PARAMS(P_INT(ids[2]), P_INT(grantee), P_INT(director),
                           P_TEXT(pd_day(x->a, x->today - 60)),
                           P_TEXT("Avis sur l'orientation scolaire"),
                           P_INT(x->now - 120 * 86400))) != DB_OK)
            return false;
    }
    static const struct {
        int who, person, days_ago;
        const char *what;
    } reads[] = {{0, 0, 2, "identity"}, {0, 0, 2, "plan"},    {1, 0, 5, "needs"},
                 {2, 1, 1, "identity"}, {2, 1, 1, "reviews"}, {0, 2, 9, "identity"}};
    int64_t who[3] = {fatima, educ, director};
    for (size_t i = 0; i < ARRAY_LEN(reads); i++)
        if (who[reads[i].who] > 0 &&
            db_exec(x->db,
                    "INSERT INTO person_reads (person_id, user_id, at, what) VALUES (?, ?, ?, ?)",
                    PARAMS(P_INT(ids[reads[i].person]), P_INT(who[reads[i].who]),
                           P_INT(x->now - reads[i].days_ago * 86400 - (int64_t)i * 600),
                           P_TEXT(reads[i].what))) != DB_OK)
            return false;
    return true;
}

static int pd_small(pd_t *x, const node_t *eps, size_t ei)
{
    db_t *db = x->db;
    x->arabic = ei == 1; /* the establishment writing in Arabic (project_demo.c) */
    x->t = x->arabic ? &pd_ar : &pd_fr;
    bool marrakech = str_eq(eps->authorisation_no, "EPS-MS-2014-007");
    bool casa = str_eq(eps->authorisation_no, "EPS-CS-2016-031");
    x->review_months = marrakech ? 4 : 6;
    int64_t director = pd_role_holder(db, eps->id, "director");
    const char *dname = director > 0
                            ? pers_query_text(db, x->a, "SELECT name FROM users WHERE id = ?",
                                              PARAMS(P_INT(director)))
                            : NULL;
    const char *guardian = dname ? arena_printf(x->a,
                                                x->arabic ? "%s (المديرة، ولاية مفوضة)"
                                                          : "%s (direction, tutelle déléguée)",
                                                dname)
                                 : NULL;
    int64_t casa_educator = casa ? users_find_id(db, "educateur.casa") : 0;
    if (marrakech &&
        db_exec(db,
                "INSERT INTO person_settings (eps_id, review_months, require_totp, updated_by, "
                "updated_at)"
                " SELECT ?, 4, 0, ?, ? WHERE NOT EXISTS (SELECT 1 FROM person_settings WHERE "
                "eps_id = ?)",
                PARAMS(P_INT(eps->id), P_INT(director), P_INT(x->now), P_INT(eps->id))) != DB_OK)
        return DB_ERR;
    json_t *units =
        db_query_json(db,
                      "SELECT id, path, unit_kind FROM nodes WHERE parent_id = ? AND kind = 'unit'"
                      " AND active = 1 ORDER BY id",
                      PARAMS(P_INT(eps->id)));
    int64_t first[8];
    int n_first = 0;
    bool ok = units != NULL;
    size_t i;
    json_t *o;
    json_array_foreach(units, i, o)
    {
        if (!ok)
            break;
        pd_unit_t u = {json_integer_value(json_object_get(o, "id")),
                       json_string_value(json_object_get(o, "path")),
                       json_string_value(json_object_get(o, "unit_kind"))};
        if (!u.kind)
            u.kind = "family_house";
        if (pd_existing(x, u.id))
            continue;
        /* one departure in the second house and in the youth home; at
         * Marrakech, one more than ten years ago */
        bool youth = str_eq(u.kind, "youth_home");
        int left = (i == 1 || youth) ? 3 : (marrakech && i == 2) ? 0 : -1;
        ok = pd_unit(x, eps, &u, (int)i, director, guardian, casa_educator, left,
                     marrakech && i == 2, first, i == 0 ? &n_first : NULL);
        if (ok && casa && i == 0)
            ok = pd_casa_extras(x, u.id, first, n_first, director);
    }
    json_decref(units);
    return ok ? DB_OK : DB_ERR;
}

/* ---------- the module's part of `jouda demo` */

int pers_demo(app_demo_t *d)
{
    if (!seal_ready()) {
        fprintf(stderr, "jouda demo: no key to seal the persons' notes (see --key-file)\n");
        return DB_ERR;
    }
    pd_t x = {.d = d, .db = d->db, .now = now_utc()};
    char today[11];
    iso_day_local(x.now, today);
    x.today = iso_day_number(today);
    arena_t *keep = arena_new();
    size_t n = 0;
    node_t *eps = nodes_all_eps(d->db, keep, &n);
    int rc = eps ? DB_OK : DB_ERR;
    /* the establishments of the small demo (Amal's and Nour's) first */
    size_t ei = 0;
    for (size_t i = 0; i < n && rc == DB_OK; i++) {
        if (eps[i].authorisation_no && strncmp(eps[i].authorisation_no, "EPS-N-", 6) == 0)
            continue;
        x.a = arena_new();
        bool mine;
        bool ok = app_tx_begin(d->db, &mine);
        rc = ok ? pd_small(&x, &eps[i], ei++) : DB_ERR;
        if (app_tx_end(d->db, mine, ok && rc == DB_OK) != DB_OK)
            rc = DB_ERR;
        arena_free(x.a);
    }
    x.t = &pd_fr;
    x.review_months = 6;
    x.arabic = false;
    if (rc == DB_OK && d->scale == DEMO_NATIONAL)
        rc = pd_national(&x, eps, n);
    arena_free(keep);
    return rc;
}
