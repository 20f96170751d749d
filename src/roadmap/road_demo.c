/* road_demo.c - the roadmap's demo data. Small scale: each of the demo
 * establishments at a different current step, with days and evidence written
 * as a director would (one in Arabic), through road_open and road_write
 * (audited). What other modules' demo data prove (validated campaigns,
 * adopted plans, validated projets) marks steps done by itself, so the steps
 * recorded here are chosen around those facts. National scale: every other
 * establishment spread over every step (and complete), written in bulk.
 * An establishment that has steps already is left as it is. */
#include "road_internal.h"
#include "../users/users.h"

#include <string.h>

typedef struct {
    int step;
    road_status_t status;
    int days_ago;           /* the step's day, -1: none */
    const char *evidence;
    const char *link;
} demo_step_t;

typedef struct {
    const char *name;       /* the demo establishment (nodes' demo data) */
    demo_step_t steps[8];
    int n;
} demo_eps_t;

enum { COMMITMENT, REFERENT, TEAM, SELF, PLAN, PROJECT, INDICATORS, CAPIT, KIT };

static const demo_eps_t demo_small[] = {
    /* current: the projet, in consultation */
    {"Village d'enfants Casablanca - Aïn Chock",
     {{COMMITMENT, ROAD_DONE, 445,
       "Note d'engagement signée par la directrice. Comité de pilotage de 7 membres : direction, référent "
       "qualité, deux éducatrices, une mère SOS, un jeune du conseil des enfants et un parent.", ""},
      {REFERENT, ROAD_DONE, 438, "Karim Tazi nommé référent qualité par décision de la directrice.", ""},
      {TEAM, ROAD_DONE, 380,
       "Deux journées de formation à la démarche qualité et au référentiel : 22 professionnels formés, "
       "feuille d'émargement archivée.", ""},
      {PROJECT, ROAD_IN_PROGRESS, -1,
       "Projet en consultation : réunions avec l'équipe, les enfants et les familles ; validation prévue au "
       "prochain comité de pilotage.", "/projects"}},
     4},
    /* current: the kit, being prepared */
    {"Village d'enfants Dar Bouazza",
     {{COMMITMENT, ROAD_DONE, 630, "Engagement de la direction présenté à toute l'équipe ; comité de pilotage "
                                   "réuni chaque trimestre.", ""},
      {TEAM, ROAD_DONE, 560, "Formation de 18 professionnels en trois sessions, animée par la conseillère "
                             "qualité de l'association.", ""},
      {INDICATORS, ROAD_DONE, 150, "Tableau de bord de 9 indicateurs revu chaque trimestre en comité de "
                                   "pilotage.", ""},
      {CAPIT, ROAD_DONE, 60, "Fiche « Le conseil des enfants, deux ans après » rédigée et présentée au "
                             "comité de l'association.", ""},
      {KIT, ROAD_IN_PROGRESS, -1, "Kit en préparation avec le siège : procédure d'accueil, fiche du conseil "
                                  "des enfants, grille d'entretien.", ""}},
     5},
    /* complete, written in Arabic */
    {"Village d'enfants Tanger",
     {{COMMITMENT, ROAD_DONE, 700, "وقّع المدير التزام المؤسسة بمقاربة الجودة وتشكّلت لجنة القيادة من ثمانية "
                                   "أعضاء بينهم ممثل عن الأطفال.", ""},
      {TEAM, ROAD_DONE, 640, "تكوين 20 مهنياً في المرجعية والتقييم الذاتي على مدى يومين، ولائحة الحضور "
                             "محفوظة.", ""},
      {INDICATORS, ROAD_DONE, 200, "لوحة قيادة من عشرة مؤشرات تُراجع كل ثلاثة أشهر في لجنة القيادة.", ""},
      {CAPIT, ROAD_DONE, 120, "تحرير بطاقة رسملة حول استقبال الأطفال الجدد ونشرها لمؤسسات الجمعية.", ""},
      {KIT, ROAD_DONE, 30, "مشاركة عدة النقل مع قرية الأطفال إمزورن خلال زيارة تبادل الخبرات.", ""}},
     5},
    /* current: commitment, the committee being formed */
    {"Village d'enfants Imzouren",
     {{COMMITMENT, ROAD_IN_PROGRESS, -1, "Comité de pilotage en cours de constitution : invitations envoyées "
                                         "aux éducateurs, aux familles et au conseil des enfants.", ""}},
     1},
    /* current: the indicators */
    {"Village d'enfants Marrakech",
     {{COMMITMENT, ROAD_DONE, 820, "Engagement de la direction inscrit au règlement intérieur ; comité de "
                                   "pilotage installé.", ""},
      {TEAM, ROAD_DONE, 760, "Équipe formée par l'association (14 professionnels), supports de formation "
                             "archivés.", ""},
      {PROJECT, ROAD_DONE, 990, "Projet d'établissement 2024-2028 validé par le conseil d'administration "
                                "avant l'arrivée de Jouda ; version papier archivée.", ""},
      {INDICATORS, ROAD_IN_PROGRESS, -1, "Tableau de bord en construction avec le référent : 12 indicateurs "
                                         "retenus, cibles à fixer.", ""}},
     4},
    /* current: training the team */
    {"Village d'enfants Agadir",
     {{COMMITMENT, ROAD_DONE, 300, "Note d'engagement de la direction et comité de pilotage de 6 membres.", ""},
      {TEAM, ROAD_IN_PROGRESS, 20, "Première session de formation réalisée avec 9 éducateurs ; la seconde est "
                                   "prévue le mois prochain.", ""}},
     2},
    /* current: naming a referent */
    {"Foyer Nour Fès",
     {{COMMITMENT, ROAD_DONE, 250, "Engagement du bureau de l'association et de la direction du foyer ; "
                                   "comité de pilotage réuni deux fois.", ""},
      {REFERENT, ROAD_IN_PROGRESS, -1, "Appel à candidatures interne lancé ; nomination attendue au prochain "
                                       "comité de pilotage.", ""}},
     2},
};

static const char *day_ago(arena_t *a, int64_t today, int days)
{
    if (days < 0)
        return "";
    char *out = arena_alloc(a, 11);
    iso_day_format(today - days, out);
    return out;
}

static int64_t holder(db_t *db, const char *path, role_t role)
{
    json_t *rows = users_holding(db, path, role);
    int64_t id = json_integer_value(json_object_get(json_array_get(rows, 0), "id"));
    json_decref(rows);
    return id;
}

static int demo_one(app_demo_t *d, arena_t *a, const node_t *eps, const demo_eps_t *spec, int64_t today)
{
    db_t *db = d->db;
    int64_t director = holder(db, eps->path, ROLE_DIRECTOR);
    int64_t referent = holder(db, eps->path, ROLE_QUALITY_REFERENT);
    bool mine;
    if (!app_tx_begin(db, &mine))
        return DB_ERR;
    bool ok = road_open(db, eps->id, director, NULL) == DB_OK;
    for (int i = 0; ok && i < spec->n; i++) {
        const demo_step_t *s = &spec->steps[i];
        road_input_t in = {.status = s->status, .day = day_ago(a, today, s->days_ago),
                           .evidence = s->evidence, .link = s->link};
        int64_t actor = s->step == REFERENT || !referent ? director : referent;
        ok = road_write(db, actor, NULL, eps, s->step, &in, 0) == RES_OK;
    }
    if (app_tx_end(db, mine, ok) != DB_OK || !ok)
        return DB_ERR;
    app_demo_count(d, "roadmaps", true);
    return DB_OK;
}

/* --- National scale ------------------------------------------------------- */

static const char *const evidence_fr[ROAD_NSTEPS] = {
    "Note d'engagement de la direction ; comité de pilotage constitué (direction, référent, éducateurs, "
    "représentant des enfants).",
    "Référent qualité désigné par décision de la direction.",
    "Formation de l'équipe à la démarche et au référentiel (feuille d'émargement archivée).",
    "Auto-évaluation menée avec l'équipe, résultats présentés au comité de pilotage.",
    "Plan d'amélioration adopté en comité de pilotage.",
    "Projet d'établissement validé par le conseil d'administration.",
    "Tableau de bord des indicateurs suivi chaque trimestre.",
    "Fiche de capitalisation rédigée et partagée avec l'association.",
    "Kit de transfert partagé avec un établissement voisin.",
};
static const char *const evidence_ar[ROAD_NSTEPS] = {
    "التزام الإدارة وتشكيل لجنة القيادة (الإدارة، المرجع، المربون، ممثل الأطفال).",
    "تعيين مرجع الجودة بقرار من الإدارة.",
    "تكوين الفريق في مقاربة الجودة والمرجعية (لائحة الحضور محفوظة).",
    "تقييم ذاتي أُنجز مع الفريق وعُرضت نتائجه على لجنة القيادة.",
    "اعتماد خطة التحسين في لجنة القيادة.",
    "المصادقة على مشروع المؤسسة من طرف المجلس الإداري.",
    "تتبع لوحة القيادة للمؤشرات كل ثلاثة أشهر.",
    "تحرير بطاقة رسملة ومشاركتها مع الجمعية.",
    "مشاركة عدة النقل مع مؤسسة مجاورة.",
};

#define BATCH 20 /* establishments per INSERT (9 rows each) */
#define ROW_PARAMS 7

static bool flush(db_t *db, buf_t *sql, db_param_t *p, int np)
{
    if (np == 0)
        return true;
    bool ok = db_exec(db, sql->data, p, np) == DB_OK;
    buf_reset(sql);
    return ok;
}

static int national(app_demo_t *d, arena_t *a, const node_t *eps, size_t n, const bool *skip, int64_t today)
{
    db_t *db = d->db;
    /* what the data prove, for the whole country: a step proved cannot be
     * an establishment's current one */
    const char *root = nodes_path_of(db, a, nodes_root_id(db));
    app_ids_t proved[ROAD_NSTEPS];
    memset(proved, 0, sizeof proved);
    for (int s = 0; s < ROAD_NSTEPS; s++) {
        const app_fact_t *f = app_fact(road_steps[s].fact);
        if (f && f->eps(db, a, root, &proved[s]) != DB_OK)
            return DB_ERR;
    }
    bool mine;
    if (!app_tx_begin(db, &mine))
        return DB_ERR;
    buf_t sql;
    buf_init(&sql);
    db_param_t *p = arena_alloc(a, sizeof(db_param_t) * BATCH * ROAD_NSTEPS * ROW_PARAMS);
    int np = 0, in_batch = 0;
    int64_t now = now_utc();
    bool ok = true;
    int64_t spread[ROAD_NSTEPS + 1] = {0};
    for (size_t i = 0; ok && i < n; i++) {
        if (skip[i])
            continue;
        uint32_t h = hash_mix32((uint32_t)eps[i].id * 2654435761u);
        /* the current step with the fewest establishments so far, among
         * those no fact proves here: an even spread over what can be */
        int target = -1;
        for (int s = 0; s <= ROAD_NSTEPS; s++)
            if ((s == ROAD_COMPLETE || !road_ids_has(proved[s].v, proved[s].n, eps[i].id)) &&
                (target < 0 || spread[s] < spread[target]))
                target = s;
        spread[target]++;
        bool ar = h % 5 == 0;
        if (np == 0)
            buf_puts(&sql, "INSERT INTO road_steps (eps_id, eps_path, step, status, day, evidence, updated_at)"
                           " VALUES ");
        for (int s = 0; s < ROAD_NSTEPS; s++) {
            road_status_t st = s < target ? ROAD_DONE : s == target ? ROAD_IN_PROGRESS : ROAD_TODO;
            int ago = (target - s) * 40 + (int)(h % 25);
            buf_puts(&sql, np == 0 ? "(?, ?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?, ?)");
            p[np++] = P_INT(eps[i].id);
            p[np++] = P_TEXT(eps[i].path);
            p[np++] = P_TEXT(road_steps[s].code);
            p[np++] = P_TEXT(road_status_code(st));
            p[np++] = st == ROAD_DONE ? P_TEXT(day_ago(a, today, ago)) : P_NULL;
            p[np++] = P_TEXT(st == ROAD_DONE ? (ar ? evidence_ar[s] : evidence_fr[s]) : "");
            p[np++] = P_INT(now - (int64_t)(st == ROAD_TODO ? 400 : ago) * 86400);
        }
        app_demo_count(d, "roadmaps", true);
        if (++in_batch == BATCH) {
            ok = flush(db, &sql, p, np);
            np = in_batch = 0;
        }
    }
    if (ok)
        ok = flush(db, &sql, p, np);
    buf_free(&sql);
    if (app_tx_end(db, mine, ok) != DB_OK || !ok)
        return DB_ERR;
    return DB_OK;
}

int road_demo(app_demo_t *d)
{
    arena_t *a = arena_new();
    size_t n = 0;
    node_t *eps = nodes_all_eps(d->db, a, &n);
    char today_s[11];
    iso_day_local(now_utc(), today_s);
    int64_t today = iso_day_number(today_s);
    bool *skip = arena_alloc(a, (n + 1) * sizeof *skip);
    /* establishments with steps already: left as they are */
    db_res_t *res = db_query(d->db, "SELECT DISTINCT eps_id FROM road_steps ORDER BY eps_id", NOPARAMS);
    app_ids_t have = {0};
    while (res && db_next(res))
        *VEC_PUSH(a, &have) = db_int(res, 0);
    db_res_free(res);
    int rc = res ? DB_OK : DB_ERR;
    for (size_t i = 0; eps && i < n && rc == DB_OK; i++) {
        if (road_ids_has(have.v, have.n, eps[i].id)) {
            skip[i] = true;
            app_demo_count(d, "roadmaps", false);
            continue;
        }
        for (size_t k = 0; k < ARRAY_LEN(demo_small) && !skip[i]; k++)
            if (str_eq(eps[i].name, demo_small[k].name)) {
                skip[i] = true;
                rc = demo_one(d, a, &eps[i], &demo_small[k], today);
            }
    }
    if (rc == DB_OK && d->scale == DEMO_NATIONAL)
        rc = national(d, a, eps, n, skip, today);
    arena_free(a);
    return rc;
}
