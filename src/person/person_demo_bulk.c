/* person_demo_bulk.c - the national scale of the persons demo: about 55
 * persons in each establishment of the country (60,000 in all), spread over
 * its units, ages by category, each with a plan (draft, agreed, reviewed,
 * late - about 15% -, in review, replaced by a newer version, closed when
 * the person left) and two to four needs, the first staff member of the
 * unit as referent.
 *
 * Fast on both engines: what exists (persons, units, staff, directors) is
 * read in a few queries first; then establishments are written by groups of
 * twenty in multi-row INSERTs of 50 rows (the same statement text again and
 * again, prepared once), one transaction per group; few sealed fields per
 * person (a family note, two texts per need, the participation, one goal, a
 * review). */
#include "person_demo.h"

#include <string.h>
#include <sys/types.h>

#include "../core/fold.h"

#define PD_BATCH 50
#define PD_GROUP 20 /* establishments per transaction */

typedef struct {
    int64_t id, eps_id, node_id, plan_id, plan2_id, staff, director;
    const char *path, *code;
    const pd_name_t *first, *last;
    bool female;
    int age, life; /* life: 0 draft, 1 late, 2 in review, 3 replaced, 4 left, 5 agreed, 6
                      agreed+reviewed */
    bool children; /* of an establishment for children or students */
    int64_t birth, admission, exit, agreed, next;
    uint32_t h;
} pd_bulk_t;

/* Rows of one statement, a batch at a time: head, then rows of "(?, ...)"
 * of per_row parameters, then tail; when ret is given, each returned row. */
typedef struct pd_batch {
    pd_t *x;
    const char *head, *tail;
    int per_row, rows, np;
    size_t first; /* the person (index) of the batch's first row */
    db_param_t *p;
    void (*ret)(db_res_t *res, const struct pd_batch *b, void *ctx);
    void *ctx;
    bool ok;
} pd_batch_t;

static void pd_batch_init(pd_batch_t *b, pd_t *x, const char *head, int per_row, const char *tail,
                          void (*ret)(db_res_t *, const pd_batch_t *, void *), void *ctx)
{
    memset(b, 0, sizeof *b);
    b->x = x;
    b->head = head;
    b->tail = tail;
    b->per_row = per_row;
    b->ret = ret;
    b->ctx = ctx;
    b->ok = true;
    b->p = arena_alloc(x->a, sizeof *b->p * (size_t)(per_row * PD_BATCH));
}

static bool pd_batch_flush(pd_batch_t *b)
{
    if (!b->ok || b->rows == 0)
        return b->ok;
    buf_t sql;
    buf_init(&sql);
    buf_puts(&sql, b->head);
    for (int r = 0; r < b->rows; r++) {
        buf_puts(&sql, r ? ", (" : " (");
        for (int c = 0; c < b->per_row; c++)
            buf_puts(&sql, c ? ", ?" : "?");
        buf_puts(&sql, ")");
    }
    buf_puts(&sql, b->tail);
    if (b->ret) {
        db_res_t *res = db_query(b->x->db, sql.data, b->p, b->np);
        while (res && db_next(res))
            b->ret(res, b, b->ctx);
        b->ok = res && db_res_status(res) == DB_OK;
        db_res_free(res);
    } else {
        b->ok = db_exec(b->x->db, sql.data, b->p, b->np) == DB_OK;
    }
    buf_free(&sql);
    b->rows = b->np = 0;
    return b->ok;
}

/* Room for one more row's parameters (flushing a full batch first), for
 * the person of index who. */
static db_param_t *pd_batch_row(pd_batch_t *b, size_t who)
{
    if (b->rows == PD_BATCH)
        pd_batch_flush(b);
    if (b->rows == 0)
        b->first = who;
    db_param_t *row = b->p + b->np;
    b->np += b->per_row;
    b->rows++;
    return row;
}

typedef struct {
    pd_bulk_t *v;
    size_t n;
} pd_bulk_list_t;

/* RETURNING rows: matched within the persons of the batch. */
static void pd_got_person(db_res_t *res, const pd_batch_t *b, void *ctx)
{
    pd_bulk_list_t *l = ctx;
    const char *code = db_text(res, 1);
    for (size_t i = b->first; i < l->n && i <= b->first + PD_BATCH; i++)
        if (str_eq(l->v[i].code, code))
            l->v[i].id = db_int(res, 0);
}

static void pd_got_plan(db_res_t *res, const pd_batch_t *b, void *ctx)
{
    pd_bulk_list_t *l = ctx;
    int64_t person = db_int(res, 1);
    for (size_t i = b->first; i < l->n && i <= b->first + PD_BATCH; i++)
        if (l->v[i].id == person) {
            if (db_int(res, 2) == 2)
                l->v[i].plan2_id = db_int(res, 0);
            else
                l->v[i].plan_id = db_int(res, 0);
        }
}

/* Ages and sexes by category of establishment. */
static void pd_bulk_who(const char *category, uint32_t h, int *age, bool *female)
{
    *female = h % 2 == 0;
    if (str_eq(category, "students"))
        *age = 12 + (int)(h % 7);
    else if (str_eq(category, "women"))
        *age = 18 + (int)(h % 25), *female = true;
    else if (str_eq(category, "elderly"))
        *age = 65 + (int)(h % 28);
    else if (str_eq(category, "disability"))
        *age = 5 + (int)(h % 36);
    else if (str_eq(category, "homeless"))
        *age = 20 + (int)(h % 50);
    else
        *age = 2 + (int)(h % 17);
}

static bool pd_bulk_persons(pd_t *x, pd_bulk_list_t *l)
{
    pd_batch_t b;
    pd_batch_init(
        &b, x,
        "INSERT INTO persons (code, eps_id, node_id, path, first_name, last_name, first_name_ar,"
        " last_name_ar, search_key, birth_date, sex, admission_date, origin, legal_status,"
        " disability, exit_date, exit_destination, family_notes, created_by, created_at,"
        " updated_at) VALUES",
        21, " RETURNING id, code", pd_got_person, l);
    static const char *const origins[] = {"judicial", "social_services", "family", "self",
                                          "police"};
    static const char *const legal[] = {"judicial_placement", "parental_authority", "guardianship",
                                        "other"};
    const char *family = "Contacts avec la famille suivis par l'assistante sociale.";
    for (size_t i = 0; i < l->n && b.ok; i++) {
        pd_bulk_t *p = &l->v[i];
        const char *fields[] = {p->first->fr, p->last->fr, p->first->ar, p->last->ar, p->code};
        char *key = text_fold_key(fields, ARRAY_LEN(fields));
        const char *k = arena_strdup(x->a, key);
        free(key);
        int64_t created = p->admission * 86400 + 10 * 3600;
        db_param_t *r = pd_batch_row(&b, i);
        int c = 0;
        r[c++] = P_TEXT(p->code);
        r[c++] = P_INT(p->eps_id);
        r[c++] = P_INT(p->node_id);
        r[c++] = P_TEXT(p->path);
        r[c++] = P_TEXT(p->first->fr);
        r[c++] = P_TEXT(p->last->fr);
        r[c++] = P_TEXT(p->first->ar);
        r[c++] = P_TEXT(p->last->ar);
        r[c++] = P_TEXT(k);
        r[c++] = P_TEXT(pd_day(x->a, p->birth));
        r[c++] = P_TEXT(p->female ? "f" : "m");
        r[c++] = P_TEXT(pd_day(x->a, p->admission));
        r[c++] = P_TEXT(origins[p->h % 5]);
        r[c++] = P_TEXT(legal[(p->h >> 3) % 4]);
        r[c++] = P_INT(p->h % 11 == 3);
        r[c++] = P_TEXT(p->exit ? pd_day(x->a, p->exit) : NULL);
        r[c++] = P_TEXT(p->exit ? "family" : NULL);
        r[c++] = P_TEXT(seal_text(x->a, family));
        r[c++] = p->director ? P_INT(p->director) : P_NULL;
        r[c++] = P_INT(created);
        r[c++] = P_INT(created);
    }
    return pd_batch_flush(&b);
}

static const char *const pd_child_domains[] = {"education", "family",   "health",       "identity",
                                               "leisure",   "autonomy", "participation"};
static const char *const pd_adult_domains[] = {"health",   "autonomy", "family",
                                               "identity", "leisure",  "participation"};

static const pd_need_t *pd_bulk_need(const pd_bulk_t *p, int j)
{
    const char *dom =
        p->children ? pd_child_domains[(p->h / 3 + (uint32_t)j) % ARRAY_LEN(pd_child_domains)]
                    : pd_adult_domains[(p->h / 3 + (uint32_t)j) % ARRAY_LEN(pd_adult_domains)];
    for (size_t m = 0; m < ARRAY_LEN(pd_bulk); m++)
        if (str_eq(pd_bulk[m].domain, dom))
            return &pd_bulk[m];
    return &pd_bulk[0];
}

static bool pd_bulk_care(pd_t *x, pd_bulk_list_t *l)
{
    pd_batch_t needs, refs, plans;
    pd_batch_init(
        &needs, x,
        "INSERT INTO person_needs (person_id, domain, level, situation, needs, assessed_on,"
        " updated_by, updated_at) VALUES",
        8, "", NULL, NULL);
    pd_batch_init(&refs, x, "INSERT INTO person_referents (person_id, user_id) VALUES", 2, "", NULL,
                  NULL);
    pd_batch_init(
        &plans, x,
        "INSERT INTO person_plans (person_id, version, status, participation, agreement,"
        " child_signed_name, child_signed_on, child_signed_how, review_months, agreed_on,"
        " closed_on, next_review, late_notified, created_by, created_at, updated_at) VALUES",
        16, " RETURNING id, person_id, version", pd_got_plan, l);
    const char *part =
        "Réunion de projet avec la personne et son référent ; objectifs discutés un par un.";
    static const char *const status[] = {"draft",  "agreed", "in_review", "agreed",
                                         "closed", "agreed", "agreed"};
    for (size_t i = 0; i < l->n && needs.ok && refs.ok && plans.ok; i++) {
        pd_bulk_t *p = &l->v[i];
        int64_t on = p->admission + 20 < x->today ? p->admission + 20 : x->today;
        int k = 2 + (int)(p->h % 3);
        for (int j = 0; j < k; j++) {
            const pd_need_t *e = pd_bulk_need(p, j);
            db_param_t *r = pd_batch_row(&needs, i);
            r[0] = P_INT(p->id);
            r[1] = P_TEXT(e->domain);
            r[2] = P_INT(1 + (int)((p->h >> (j + 2)) % 4));
            r[3] = P_TEXT(seal_text(x->a, e->situation));
            r[4] = P_TEXT(seal_text(x->a, e->needs));
            r[5] = P_TEXT(pd_day(x->a, on));
            r[6] = p->director ? P_INT(p->director) : P_NULL;
            r[7] = P_INT(on * 86400 + 11 * 3600);
        }
        if (p->staff > 0) {
            db_param_t *r = pd_batch_row(&refs, i);
            r[0] = P_INT(p->id);
            r[1] = P_INT(p->staff);
        }
        /* the plan (and a closed first version when it was replaced) */
        for (int v = p->life == 3 ? 1 : 2; v <= 2; v++) {
            bool first_of_two = p->life == 3 && v == 1;
            const char *st = first_of_two ? "closed" : status[p->life];
            int64_t agreed = first_of_two ? pd_months(p->agreed, -12) : p->agreed;
            bool signs = agreed && p->age >= 10 && p->h % 4 != 0;
            db_param_t *r = pd_batch_row(&plans, i);
            r[0] = P_INT(p->id);
            r[1] = P_INT(p->life == 3 ? v : 1);
            r[2] = P_TEXT(st);
            r[3] = P_TEXT(seal_text(x->a, part));
            r[4] = P_TEXT(agreed ? (p->h % 5 == 0 ? "partly" : "agrees") : NULL);
            r[5] = P_TEXT(signs ? arena_printf(x->a, "%s %s", p->first->fr, p->last->fr) : NULL);
            r[6] = P_TEXT(signs ? pd_day(x->a, agreed) : NULL);
            r[7] = P_TEXT(signs ? "signature" : NULL);
            r[8] = P_INT(6);
            r[9] = P_TEXT(agreed ? pd_day(x->a, agreed) : NULL);
            r[10] = P_TEXT(first_of_two ? pd_day(x->a, p->agreed)
                           : p->exit    ? pd_day(x->a, p->exit)
                                        : NULL);
            r[11] = P_TEXT(!str_eq(st, "closed") && p->next ? pd_day(x->a, p->next) : NULL);
            /* the late ones were told about already (the daily work of a
             * running system): no flood of notifications at the next start */
            r[12] = P_TEXT(p->life == 1 ? pd_day(x->a, p->next) : NULL);
            r[13] = p->director ? P_INT(p->director) : P_NULL;
            r[14] = P_INT((agreed ? agreed - 15 : x->today - 5) * 86400 + 15 * 3600);
            r[15] = P_INT((agreed ? agreed : x->today - 5) * 86400 + 16 * 3600);
        }
    }
    if (!pd_batch_flush(&needs) || !pd_batch_flush(&refs) || !pd_batch_flush(&plans))
        return false;
    /* goals of the plans in force, reviews of those reviewed */
    pd_batch_t goals, reviews;
    pd_batch_init(&goals, x, "INSERT INTO person_goals (plan_id, position, domain, text) VALUES", 4,
                  "", NULL, NULL);
    pd_batch_init(
        &reviews, x,
        "INSERT INTO person_reviews (plan_id, reviewed_on, due_on, changes, next_review, by_user,"
        " created_at) VALUES",
        7, "", NULL, NULL);
    for (size_t i = 0; i < l->n && goals.ok && reviews.ok; i++) {
        pd_bulk_t *p = &l->v[i];
        int64_t plan = p->plan2_id ? p->plan2_id : p->plan_id;
        if (!plan)
            return false;
        const pd_need_t *e = pd_bulk_need(p, 0);
        db_param_t *r = pd_batch_row(&goals, i);
        r[0] = P_INT(plan);
        r[1] = P_INT(1);
        r[2] = P_TEXT(e->domain);
        r[3] = P_TEXT(seal_text(x->a, e->goal));
        if (p->life == 1 || p->life == 6) {
            /* one review: the previous due day, done a few days late or early */
            int64_t due = pd_months(p->next, -6), on = due + (int64_t)(p->h % 21) - 5;
            r = pd_batch_row(&reviews, i);
            r[0] = P_INT(plan);
            r[1] = P_TEXT(pd_day(x->a, on));
            r[2] = P_TEXT(pd_day(x->a, due));
            r[3] = P_TEXT(seal_text(x->a, pd_fr.review[p->h % 4]));
            r[4] = P_TEXT(pd_day(x->a, p->next));
            r[5] = p->director ? P_INT(p->director) : P_NULL;
            r[6] = P_INT(on * 86400 + 17 * 3600);
        }
    }
    return pd_batch_flush(&goals) && pd_batch_flush(&reviews);
}

/* What exists, read once: per establishment of the list (sorted by id),
 * its persons and plans already there, director, units and their first
 * staff member. */
typedef struct {
    int64_t id, staff;
    const char *path;
} pd_bulk_unit_t;

typedef struct {
    int64_t persons, plans, director;
    pd_bulk_unit_t units[16];
    size_t n_units;
} pd_bulk_eps_t;

static ssize_t pd_find_eps(const node_t *eps, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (eps[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && eps[lo].id == id ? (ssize_t)lo : -1;
}

static bool pd_bulk_read(pd_t *x, arena_t *a, const node_t *eps, size_t n, pd_bulk_eps_t *out)
{
    static const char *const counts[] = {
        "SELECT eps_id, COUNT(*) FROM persons GROUP BY eps_id",
        "SELECT p.eps_id, COUNT(*) FROM person_plans pl JOIN persons p ON p.id = pl.person_id"
        " GROUP BY p.eps_id",
        "SELECT r.node_id, MIN(r.user_id) FROM user_roles r JOIN users u ON u.id = r.user_id"
        " WHERE r.role = 'director' AND u.active = 1 GROUP BY r.node_id",
    };
    for (size_t q = 0; q < ARRAY_LEN(counts); q++) {
        db_res_t *res = db_query(x->db, counts[q], NOPARAMS);
        while (res && db_next(res)) {
            ssize_t k = pd_find_eps(eps, n, db_int(res, 0));
            if (k >= 0)
                *(q == 0   ? &out[k].persons
                  : q == 1 ? &out[k].plans
                           : &out[k].director) = db_int(res, 1);
        }
        bool ok = res && db_res_status(res) == DB_OK;
        db_res_free(res);
        if (!ok)
            return false;
    }
    /* the units, and the first staff member of each */
    VEC(int64_t) unit_ids = {0};
    VEC(pd_bulk_unit_t *) units = {0};
    db_res_t *res =
        db_query(x->db,
                 "SELECT parent_id, id, path FROM nodes WHERE kind = 'unit' AND active = 1"
                 " ORDER BY id",
                 NOPARAMS);
    while (res && db_next(res)) {
        ssize_t k = pd_find_eps(eps, n, db_int(res, 0));
        if (k < 0 || out[k].n_units == ARRAY_LEN(out[k].units))
            continue;
        pd_bulk_unit_t *u = &out[k].units[out[k].n_units++];
        u->id = db_int(res, 1);
        u->path = arena_strdup(a, db_text(res, 2));
        *VEC_PUSH(a, &unit_ids) = u->id;
        *VEC_PUSH(a, &units) = u;
    }
    bool ok = res && db_res_status(res) == DB_OK;
    db_res_free(res);
    res = ok ? db_query(
                   x->db,
                   "SELECT r.node_id, r.user_id FROM user_roles r JOIN users u ON u.id = r.user_id"
                   " WHERE r.role = 'staff' AND r.node_kind = 'unit' AND u.active = 1"
                   " ORDER BY r.user_id",
                   NOPARAMS)
             : NULL;
    while (res && db_next(res)) {
        int64_t id = db_int(res, 0);
        size_t lo = 0, hi = unit_ids.n; /* the ids are ascending */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (unit_ids.v[mid] < id)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < unit_ids.n && unit_ids.v[lo] == id && units.v[lo]->staff == 0)
            units.v[lo]->staff = db_int(res, 1);
    }
    ok = ok && res && db_res_status(res) == DB_OK;
    db_res_free(res);
    return ok;
}

/* The persons of one establishment, appended to l. */
static void pd_bulk_eps(pd_t *x, const node_t *eps, const pd_bulk_eps_t *e, pd_bulk_list_t *l)
{
    bool children = str_eq(eps->category, "children") || str_eq(eps->category, "students");
    uint32_t he = hash_mix32((uint32_t)eps->id * 2654435761u);
    size_t count = 40 + he % 31;
    int64_t T = x->today;
    for (size_t i = 0; i < count; i++) {
        pd_bulk_t *p = &l->v[l->n++];
        memset(p, 0, sizeof *p);
        uint32_t h = hash_mix32((uint32_t)(eps->id * 128 + (int64_t)i));
        p->h = h;
        p->eps_id = eps->id;
        p->director = e->director;
        p->children = children;
        size_t u = e->n_units ? i % e->n_units : 0;
        p->node_id = e->n_units ? e->units[u].id : eps->id;
        p->path = e->n_units ? e->units[u].path : eps->path;
        p->staff = e->n_units ? e->units[u].staff : 0;
        p->code = pd_code(x->a, (uint64_t)eps->id << 7 | (uint64_t)i);
        pd_bulk_who(eps->category, h, &p->age, &p->female);
        bool woman = p->female && p->age >= 18;
        p->first = woman && h % 3 == 0 ? &pd_women[(h >> 4) % ARRAY_LEN(pd_women)]
                   : p->female         ? &pd_girls[(h >> 4) % ARRAY_LEN(pd_girls)]
                                       : &pd_boys[(h >> 4) % ARRAY_LEN(pd_boys)];
        p->last = &pd_family[(h >> 9) % ARRAY_LEN(pd_family)];
        p->birth = pd_months(T - (int64_t)(h % 300), -12 * p->age);
        static const int lives[20] = {0, 0, 1, 1, 1, 2, 2, 3, 4, 5, 5, 5, 5, 5, 6, 6, 6, 6, 6, 6};
        p->life = lives[(h >> 11) % 20];
        int64_t span = (p->life == 0 ? 200 : 700) + (int64_t)((h >> 5) % 900);
        p->admission = T - span;
        if (p->admission < p->birth + 30) {
            p->admission = p->birth + 30;
            if (p->life != 0 && p->admission > T - 400)
                p->life = 0; /* too recent for an agreed plan */
        }
        switch (p->life) {
        case 1: /* late */
            p->agreed = pd_months(T - 10 - (int64_t)(h % 90), -12);
            p->next = pd_months(T - 10 - (int64_t)(h % 90), 0);
            break;
        case 2:
        case 5: /* agreed, next review ahead */
            p->agreed = T - 10 - (int64_t)(h % 160);
            p->next = pd_months(p->agreed, 6);
            break;
        case 3: /* replaced: the second version agreed lately */
            p->agreed = T - 20 - (int64_t)(h % 100);
            p->next = pd_months(p->agreed, 6);
            break;
        case 4: /* left */
            p->exit = T - 20 - (int64_t)(h % 300);
            p->agreed = pd_months(p->exit, -8);
            if (p->agreed <= p->admission)
                p->agreed = p->admission + 30;
            break;
        case 6: /* agreed, reviewed once, next review ahead */
            p->agreed = pd_months(T - 10 - (int64_t)(h % 150), -6);
            p->next = pd_months(T - 10 - (int64_t)(h % 150), 6);
            break;
        default: break;
        }
    }
}

static const char *const pd_grown[] = {"ANALYZE persons", "ANALYZE person_plans"};

int pd_national(pd_t *x, const node_t *eps, size_t n)
{
    arena_t *keep = arena_new();
    pd_bulk_eps_t *info = arena_alloc(keep, sizeof *info * (n ? n : 1));
    x->a = keep;
    if (!pd_bulk_read(x, keep, eps, n, info)) {
        arena_free(keep);
        return DB_ERR;
    }
    int rc = DB_OK;
    size_t group = 0;
    for (size_t i = 0; i < n && rc == DB_OK; group++) {
        /* the tables grow from nothing: fresh statistics after the first
         * groups keep the foreign keys' checks on their indexes (PostgreSQL
         * plans them once per session, from the statistics of the moment) */
        if (group == 1 || group == 3 || group == 8 || group == 20)
            for (size_t t = 0; t < ARRAY_LEN(pd_grown) && rc == DB_OK; t++)
                rc = db_exec(x->db, pd_grown[t], NOPARAMS);
        /* a group of establishments of the country without persons yet */
        x->a = arena_new();
        pd_bulk_list_t l = {.v = arena_alloc(x->a, sizeof *l.v * 71 * PD_GROUP)};
        for (size_t taken = 0; i < n && taken < PD_GROUP; i++) {
            if (!eps[i].authorisation_no || strncmp(eps[i].authorisation_no, "EPS-N-", 6) != 0)
                continue;
            if (info[i].persons > 0) {
                for (int64_t k = 0; k < info[i].persons; k++)
                    app_demo_count(x->d, "persons", false);
                for (int64_t k = 0; k < info[i].plans; k++)
                    app_demo_count(x->d, "support plans", false);
                continue;
            }
            pd_bulk_eps(x, &eps[i], &info[i], &l);
            taken++;
        }
        bool mine;
        bool ok = app_tx_begin(x->db, &mine) && pd_bulk_persons(x, &l);
        for (size_t k = 0; ok && k < l.n; k++)
            ok = l.v[k].id > 0;
        ok = ok && pd_bulk_care(x, &l);
        if (app_tx_end(x->db, mine, ok) != DB_OK || !ok)
            rc = DB_ERR;
        for (size_t k = 0; rc == DB_OK && k < l.n; k++) {
            app_demo_count(x->d, "persons", true);
            app_demo_count(x->d, "support plans", true);
            if (l.v[k].plan2_id)
                app_demo_count(x->d, "support plans", true);
        }
        arena_free(x->a);
    }
    x->a = NULL;
    arena_free(keep);
    return rc;
}
