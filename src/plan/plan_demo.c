/* plan_demo.c - the improvement plan part of `jouda demo`. At the small
 * scale every establishment's accepted self-assessment proposals (the
 * self-assessment demo accepts them, which creates the actions) are taken
 * through the plan as a team would: planned with owners and due dates, some
 * started, done, checked effective or not, one closed with a follow-up, one
 * cancelled, some overdue; a few actions come from incidents, complaints, the
 * children's survey and an inspection; then the director adopts the plan
 * (one establishment adopted it twice, after a review). Status changes go
 * through the model, so each action has its history. At the national scale
 * each establishment also gets about 170 actions of the last four years,
 * written in bulk, and an adopted plan (but one in ten, not adopted yet).
 * Running it again adds nothing. */
#include "plan_internal.h"

#include <string.h>

#include "../core/fold.h"


typedef struct {
    const char *origin, *title, *label, *theme;
} demo_action_t;

static const demo_action_t others[] = {
    {"incident", "Revoir le protocole de sortie des enfants le week-end",
     "Fugue d'un adolescent, fiche d'incident de mars", "Sécurité et protection"},
    {"incident", "Former l'équipe de nuit à l'apaisement des crises",
     "Deux incidents de violence entre jeunes en avril", "Sécurité et protection"},
    {"complaint", "Répondre aux familles sur l'organisation des visites",
     "Réclamation écrite d'une mère, reçue en mai", "Liens familiaux"},
    {"complaint", "Afficher la procédure de réclamation dans chaque maison",
     "Réclamation orale au conseil des enfants", "Participation et droits"},
    {"survey", "Varier les menus avec les enfants chaque trimestre",
     "Enquête de satisfaction des enfants 2025", "Vie quotidienne"},
    {"survey", "Tenir un conseil des enfants chaque mois avec compte rendu",
     "Enquête de satisfaction des enfants 2025", "Participation et droits"},
    {"inspection", "Mettre à jour le registre des entrées et des sorties",
     "Rapport d'inspection de l'Entraide nationale", "Gouvernance"},
    {"inspection", "Mettre l'infirmerie aux normes d'hygiène",
     "Rapport d'inspection de l'Entraide nationale", "Santé"},
    {"project", "Ouvrir un atelier d'orientation professionnelle pour les 15-18 ans",
     "Axe 2 du projet d'établissement", "Éducation et insertion"},
    {"other", "Numériser les dossiers administratifs des enfants", NULL, "Gouvernance"},
};

static const char *const comments[] = {
    "Première réunion tenue avec l'équipe, compte rendu dans le classeur qualité.",
    "Le matériel est commandé; livraison prévue dans trois semaines.",
    "Les enfants ont proposé deux idées, retenues pour la suite.",
    "Retard dû aux congés d'été; nouvelle date proposée à la directrice.",
};

static const char *day_at(arena_t *a, int64_t today, int64_t offset)
{
    char *d = arena_alloc(a, 11);
    iso_day_format(today + offset, d);
    return d;
}

static int64_t person(json_t *people, uint32_t h)
{
    size_t n = json_array_size(people);
    return n ? json_integer_value(json_object_get(json_array_get(people, h % n), "id")) : 0;
}

static int64_t role_holder(db_t *db, int64_t node, const char *role)
{
    return db_query_int(db,
                        "SELECT r.user_id FROM user_roles r JOIN users u ON u.id = r.user_id"
                        " WHERE r.node_id = ? AND r.role = ? AND u.active = 1 ORDER BY r.user_id LIMIT 1",
                        PARAMS(P_INT(node), P_TEXT(role)), 0);
}

/* One change through the model, as the actor. */
static bool step(db_t *db, arena_t *a, int64_t actor, int64_t id, act_input_t *in)
{
    action_t cur;
    if (act_load(db, a, id, &cur) != 0)
        return false;
    json_t *errors = json_object();
    const char *msgid = NULL;
    int64_t follow = 0;
    res_t rc = act_update(db, a, actor, NULL, &cur, in, true, errors, &msgid, &follow);
    json_decref(errors);
    return rc == RES_OK;
}

static bool go(db_t *db, arena_t *a, int64_t actor, int64_t id, const char *status)
{
    act_input_t in;
    memset(&in, 0, sizeof in);
    in.impact = in.effort = in.progress = -1;
    in.unit_id = in.owner_id = -1;
    in.status = status;
    if (str_eq(status, "cancelled"))
        in.reason = "Remplacée par une action plus large du projet d'établissement";
    if (str_eq(status, "effective"))
        in.check_comment = "Vérifié lors du traceur de suivi: la pratique est en place.";
    if (str_eq(status, "not_effective"))
        in.check_comment = "La pratique n'a pas tenu après deux mois; les causes sont à revoir.";
    if (str_eq(status, "closed")) {
        action_t cur;
        if (act_load(db, a, id, &cur) == 0 && cur.status == ACT_NOT_EFFECTIVE)
            in.follow_up_title = arena_printf(a, "Suite : %s", cur.title);
    }
    return step(db, a, actor, id, &in);
}

/* The path an action takes (by its rank k), and its dates relative to today. */
static bool play(db_t *db, arena_t *a, int64_t actor, int64_t id, int k, json_t *people,
                 int64_t today, uint32_t h)
{
    /* everyone gets planned first (an owner, a due date) but a few left proposed */
    if (k % 11 == 10)
        return true;
    act_input_t in;
    memset(&in, 0, sizeof in);
    in.impact = in.effort = in.progress = -1;
    in.unit_id = -1;
    in.has_owner = true;
    in.owner_id = person(people, h);
    int64_t due_off = (k % 4 == 3) ? -(int64_t)(10 + h % 60) : (int64_t)(20 + h % 200);
    in.due_date = day_at(a, today, due_off);
    in.start_date = day_at(a, today, -(int64_t)(90 + h % 60));
    in.expected_result = "La pratique est écrite, connue de l'équipe et appliquée.";
    in.check_method = "Traceur sur deux situations d'enfants et entretien avec l'équipe.";
    in.effort = 1 + (int)(h % 3);
    in.status = "planned";
    if (k % 3 == 0 && json_array_size(people) > 1) {
        in.has_contributors = true;
        in.contributors[in.n_contributors++] = person(people, h + 1);
    }
    if (!step(db, a, actor, id, &in))
        return false;
    switch (k % 11) {
    case 0: case 3: case 7:
        if (!go(db, a, actor, id, "in_progress"))
            return false;
        memset(&in, 0, sizeof in);
        in.impact = in.effort = -1;
        in.unit_id = in.owner_id = -1;
        in.progress = 20 + (int)(h % 60);
        if (!step(db, a, actor, id, &in))
            return false;
        action_t cur;
        return act_load(db, a, id, &cur) == 0 &&
               act_comment(db, cur.owner_id > 0 ? cur.owner_id : actor, NULL, &cur,
                           comments[h % ARRAY_LEN(comments)]) == RES_OK;
    case 1: case 4:
        return go(db, a, actor, id, "in_progress") && go(db, a, actor, id, "done");
    case 2: case 6:
        return go(db, a, actor, id, "in_progress") && go(db, a, actor, id, "done") &&
               go(db, a, actor, id, "effective") && (k % 11 != 6 || go(db, a, actor, id, "closed"));
    case 5:
        return go(db, a, actor, id, "in_progress") && go(db, a, actor, id, "done") &&
               go(db, a, actor, id, "not_effective") && (k != 5 || go(db, a, actor, id, "closed"));
    case 8:
        return true; /* planned, not started */
    case 9:
        return go(db, a, actor, id, "cancelled");
    default:
        return true;
    }
}

/* Give the finished ones believable past dates (the model wrote today). */
static void backdate(db_t *db, int64_t node, int64_t today)
{
    arena_t *a = arena_new();
    db_res_t *res = db_query(db, "SELECT id, due_date FROM actions WHERE node_id = ? AND done_date IS NOT NULL",
                             PARAMS(P_INT(node)));
    VEC(int64_t) ids = {0};
    VEC(int64_t) dues = {0};
    while (res && db_next(res)) {
        *VEC_PUSH(a, &ids) = db_int(res, 0);
        *VEC_PUSH(a, &dues) = iso_day_number(db_text(res, 1));
    }
    db_res_free(res);
    for (size_t i = 0; i < ids.n; i++) {
        uint32_t h = hash_mix32((uint32_t)ids.v[i]);
        int64_t done = today - 15 - (int64_t)(h % 40);
        int64_t due = dues.v[i] > 0 && dues.v[i] < today ? dues.v[i] : done + 10 - (int64_t)(h % 25);
        db_exec(db, "UPDATE actions SET done_date = ?, due_date = ?, delay_days = ? WHERE id = ?",
                PARAMS(P_TEXT(day_at(a, done, 0)), P_TEXT(day_at(a, due, 0)), P_INT(done - due),
                       P_INT(ids.v[i])));
    }
    arena_free(a);
}

static int demo_small_eps(app_demo_t *d, const node_t *eps, int64_t today, bool twice)
{
    db_t *db = d->db;
    arena_t *a = arena_new();
    int64_t director = role_holder(db, eps->id, "director");
    int64_t referent = role_holder(db, eps->id, "quality_referent");
    int64_t lead = referent ? referent : director;
    json_t *people = users_workers(db, eps->path);
    bool mine;
    bool ok = app_tx_begin(db, &mine);
    /* the actions born of the self-assessment */
    json_t *ids = db_query_json(db, "SELECT id FROM actions WHERE node_id = ? AND proposal_id IS NOT NULL"
                                    " AND status = 'proposed' ORDER BY id",
                                PARAMS(P_INT(eps->id)));
    size_t i;
    json_t *o;
    json_array_foreach(ids, i, o)
    {
        if (!ok)
            break;
        int64_t id = json_integer_value(json_object_get(o, "id"));
        ok = play(db, a, lead, id, (int)i, people, today, hash_mix32((uint32_t)id));
        app_demo_count(d, "improvement actions", true);
    }
    json_decref(ids);
    /* and from elsewhere */
    for (size_t k = 0; ok && k < ARRAY_LEN(others); k++) {
        uint32_t h = hash_mix32((uint32_t)(eps->id * 31 + (int64_t)k));
        if (h % 3 == 0)
            continue;
        act_input_t in;
        memset(&in, 0, sizeof in);
        in.impact = 1 + (int)(h % 3);
        in.effort = 1 + (int)((h >> 3) % 3);
        in.progress = -1;
        in.unit_id = in.campaign_id = in.proposal_id = -1;
        in.owner_id = person(people, h);
        in.title = others[k].title;
        in.origin = others[k].origin;
        in.origin_label = others[k].label;
        in.theme = others[k].theme;
        in.description = "Action décidée en réunion d'équipe; voir le compte rendu joint.";
        json_t *errors = json_object();
        int64_t id = 0;
        ok = act_create(db, a, lead, NULL, eps, &in, true, errors, &id) == RES_OK;
        json_decref(errors);
        if (ok)
            ok = play(db, a, lead, id, (int)(h % 11), people, today, h);
        app_demo_count(d, "improvement actions", true);
    }
    if (ok)
        backdate(db, eps->id, today);
    /* the director adopts the plan (and once more after a review) */
    int64_t adoption = 0;
    if (ok)
        ok = plan_adopt(db, director, NULL, eps, "Plan présenté au comité de pilotage et à l'équipe.",
                        &adoption) == RES_OK;
    if (ok) {
        db_exec(db, "UPDATE plan_adoptions SET adopted_at = ?, adopted_on = ? WHERE id = ?",
                PARAMS(P_INT((today - 120) * 86400 + 36000), P_TEXT(day_at(a, today, -120)), P_INT(adoption)));
        if (twice)
            ok = plan_adopt(db, director, NULL, eps, "Revue à mi-parcours: trois actions replanifiées.",
                            &adoption) == RES_OK;
    }
    /* it is day after the due dates passed: the owners were told */
    if (ok)
        ok = plan_daily(db, day_at(a, today, 0), now_utc()) == DB_OK;
    ok = app_tx_end(db, mine, ok) == DB_OK;
    json_decref(people);
    arena_free(a);
    app_demo_count(d, "adopted plans", true);
    return ok ? DB_OK : DB_ERR;
}

/* National scale: about 170 actions per EPS over four years, in bulk. */
#define BULK_PER_EPS 170
#define BULK_ROWS 40

static int demo_national_eps(app_demo_t *d, const node_t *eps, int64_t today)
{
    db_t *db = d->db;
    arena_t *a = arena_new();
    json_t *people = users_workers(db, eps->path);
    int64_t director = role_holder(db, eps->id, "director");
    bool mine;
    bool ok = app_tx_begin(db, &mine);
    int64_t now = now_utc();
    for (int start = 0; ok && start < BULK_PER_EPS; start += BULK_ROWS) {
        buf_t sql;
        buf_init(&sql);
        buf_puts(&sql, "INSERT INTO actions (node_id, node_path, title, origin, origin_label, theme,"
                       " owner_id, start_date, due_date, impact, effort, priority, status, progress,"
                       " done_date, delay_days, check_date, check_result, created_by, created_at,"
                       " updated_at, search_key, overdue_since) VALUES ");
        db_param_t p[BULK_ROWS * 23];
        int np = 0;
        for (int k = start; k < start + BULK_ROWS && k < BULK_PER_EPS; k++) {
            uint32_t h = hash_mix32((uint32_t)(eps->id * 1000 + k));
            const demo_action_t *t = &others[h % ARRAY_LEN(others)];
            /* older actions are finished; recent ones still open */
            int64_t age = (int64_t)((uint64_t)k * 1400 / BULK_PER_EPS) + (h % 30);
            int64_t startd = today - age, due = startd + 60 + (int64_t)(h % 180);
            const char *status;
            if (age > 300)
                status = (h % 9 == 0) ? "cancelled" : (h % 5 == 0) ? "effective" : "closed";
            else if (age > 120)
                status = (h % 4 == 0) ? "done" : (h % 4 == 1) ? "effective" : (h % 7 == 0) ? "not_effective" : "in_progress";
            else
                status = (h % 3 == 0) ? "planned" : (h % 3 == 1) ? "in_progress" : "proposed";
            int st = act_status_from_code(status);
            bool finished = st == ACT_DONE || st == ACT_EFFECTIVE || st == ACT_NOT_EFFECTIVE || st == ACT_CLOSED;
            int64_t done = finished ? due - 20 + (int64_t)(h % 50) : 0;
            if (finished && done > today)
                done = today - 1;
            int impact = 1 + (int)(h % 3), effort = 1 + (int)((h >> 4) % 3);
            const char *title = arena_printf(a, "%s (%d)", t->title, k + 1);
            const char *fields[] = {title, t->theme};
            char *key = text_fold_key(fields, 2);
            buf_puts(&sql, k > start ? ", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                                     : "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
            int64_t owner = person(people, h);
            p[np++] = P_INT(eps->id);
            p[np++] = P_TEXT(eps->path);
            p[np++] = P_TEXT(title);
            p[np++] = P_TEXT(t->origin);
            p[np++] = t->label ? P_TEXT(t->label) : P_NULL;
            p[np++] = P_TEXT(t->theme);
            p[np++] = owner ? P_INT(owner) : P_NULL;
            p[np++] = P_TEXT(day_at(a, startd, 0));
            p[np++] = P_TEXT(day_at(a, due, 0));
            p[np++] = P_INT(impact);
            p[np++] = P_INT(effort);
            p[np++] = P_INT(act_priority(impact, effort));
            p[np++] = P_TEXT(status);
            p[np++] = P_INT(finished ? 100 : st == ACT_IN_PROGRESS ? (int64_t)(10 + h % 80) : 0);
            p[np++] = finished ? P_TEXT(day_at(a, done, 0)) : P_NULL;
            p[np++] = finished ? P_INT(done - due) : P_NULL;
            p[np++] = (st == ACT_EFFECTIVE || st == ACT_NOT_EFFECTIVE || st == ACT_CLOSED) ? P_TEXT(day_at(a, done + 30, 0)) : P_NULL;
            p[np++] = (st == ACT_EFFECTIVE || st == ACT_CLOSED) ? P_TEXT("effective") : st == ACT_NOT_EFFECTIVE ? P_TEXT("not_effective") : P_NULL;
            p[np++] = director ? P_INT(director) : P_NULL;
            p[np++] = P_INT(now - age * 86400);
            p[np++] = P_INT(now - (age / 2) * 86400);
            p[np++] = P_TEXT(arena_strdup(a, key));
            p[np++] = act_status_open((act_status_t)st) && due < today ? P_TEXT(day_at(a, due + 1, 0)) : P_NULL;
            free(key);
        }
        ok = db_exec(db, sql.data, p, np) == DB_OK;
        buf_free(&sql);
    }
    /* one establishment in ten has written its plan but not adopted it yet
     * (the methodology roadmap shows establishments at every step) */
    bool adopt = eps->id % 10 != 4;
    int64_t adoption = 0;
    if (ok && adopt)
        ok = plan_adopt(db, director, NULL, eps, "Plan adopté en comité de pilotage.", &adoption) == RES_OK;
    ok = app_tx_end(db, mine, ok) == DB_OK;
    json_decref(people);
    arena_free(a);
    if (adopt)
        app_demo_count(d, "adopted plans", true);
    return ok ? DB_OK : DB_ERR;
}

int plan_demo(app_demo_t *d)
{
    arena_t *a = arena_new();
    size_t n = 0;
    node_t *eps = nodes_all_eps(d->db, a, &n);
    char today_s[11];
    iso_day_local(now_utc(), today_s);
    int64_t today = iso_day_number(today_s);
    int rc = DB_OK;
    for (size_t i = 0; eps && i < n && rc == DB_OK; i++) {
        /* done already: its adoption, or the actions written below (those born
         * of campaigns and projets come from other modules' demo data) */
        if (db_query_int(d->db,
                         "SELECT (SELECT COUNT(*) FROM plan_adoptions WHERE node_id = ?) + "
                         "(SELECT COUNT(*) FROM actions WHERE node_id = ? AND origin NOT IN "
                         "('self_assessment', 'project'))",
                         PARAMS(P_INT(eps[i].id), P_INT(eps[i].id)), 0) > 0) {
            app_demo_count(d, "adopted plans", false);
            continue;
        }
        rc = d->scale == DEMO_NATIONAL ? demo_national_eps(d, &eps[i], today)
                                       : demo_small_eps(d, &eps[i], today, i == 0);
    }
    arena_free(a);
    return rc;
}
