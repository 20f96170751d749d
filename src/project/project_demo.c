/* project_demo.c - the projet d'établissement part of `jouda demo`. At the
 * small scale the first establishment has a projet written in French,
 * validated, revised and validated again (its two versions can be
 * compared), and now at its third version in consultation, with proposals
 * and comments waiting and a section held by the quality referent; the
 * second one a projet written in Arabic, validated; the third one a French
 * projet validated once. Each has meetings of staff, children, families and
 * partners and a strategy (axes, objectives with indicators, action sheets,
 * an improvement action born of an objective). Everything goes through the
 * model, so each has its history. At the national scale every other
 * establishment gets a projet, written in bulk, at every step of its life.
 * Running it again adds nothing. */
#include "project_internal.h"

#include <string.h>

#include "../core/fold.h"

typedef struct {
    const char *key, *text;
} demo_text_t;

static const demo_text_t fr_text[] = {
    {"history",
     "L'association est née en 1998 de l'engagement de familles et de bénévoles du quartier, "
     "pour offrir aux enfants privés de milieu familial **un foyer stable et chaleureux**.\n\n"
     "Son projet : que chaque enfant grandisse en sécurité, soit scolarisé, garde ses liens "
     "quand c'est possible et prépare sa vie d'adulte."},
    {"missions",
     "L'établissement est autorisé au titre de la **loi 65-15** relative aux établissements de "
     "protection sociale. Il respecte le cahier des charges de sa catégorie (enfants privés de "
     "milieu familial) :\n\n"
     "- l'accueil et l'hébergement dans des conditions dignes ;\n"
     "- la prise en charge éducative, sanitaire et psychologique ;\n"
     "- l'accompagnement vers l'autonomie et l'insertion."},
    {"people",
     "L'établissement accueille 96 enfants de 6 à 18 ans, orientés par décision judiciaire ou "
     "par les services sociaux. Les besoins les plus fréquents :\n\n"
     "| Besoin | Part des enfants |\n|---|---|\n| Soutien scolaire | 70 % |\n"
     "| Suivi psychologique | 45 % |\n| Maintien des liens familiaux | 60 % |"},
    {"offer",
     "Trois maisons de vie accueillent chacune une douzaine d'enfants avec leurs éducateurs. "
     "Les journées suivent le rythme de l'école ; les mercredis et week-ends sont consacrés "
     "aux activités sportives, culturelles et aux visites des familles."},
    {"principles",
     "Nous agissons dans **l'intérêt supérieur de l'enfant**, avec sa participation. Chaque "
     "enfant a un projet personnalisé, révisé au moins tous les six mois. La bientraitance et "
     "la confidentialité guident toutes nos pratiques."},
    {"professionals",
     "L'équipe compte 27 professionnels : éducateurs, assistante sociale, psychologue, "
     "infirmière, personnel de cuisine et d'entretien. Un plan de formation annuel et une "
     "analyse des pratiques mensuelle soutiennent leur travail."},
    {"partnerships",
     "Écoles publiques du quartier, centre de santé, tribunal de première instance, Entraide "
     "nationale, associations sportives et culturelles : chaque partenariat fait l'objet d'une "
     "convention et d'un bilan annuel."},
    {"quality",
     "L'auto-évaluation annuelle sur le référentiel national nourrit le plan d'amélioration "
     "continue. Les incidents sont déclarés et analysés ; une enquête de satisfaction est "
     "menée chaque année auprès des enfants et des familles."},
    {"axes",
     "Trois axes pour les cinq ans :\n\n1. Réussite scolaire et orientation.\n"
     "2. Participation des enfants à la vie de l'établissement.\n"
     "3. Préparation à la sortie et à l'autonomie."},
    {"evaluation",
     "Le projet 2019-2023 a atteint ses objectifs de scolarisation (100 % des enfants "
     "scolarisés) ; la participation des enfants reste à renforcer, d'où l'axe 2."},
};

static const demo_text_t ar_text[] = {
    {"history",
     "تأسست الجمعية سنة 2003 بمبادرة من نساء متطوعات لإيواء الأمهات في وضعية صعبة وأطفالهن، "
     "وتوفير **بيت آمن** ومواكبة نحو الاستقلالية."},
    {"missions",
     "المؤسسة مرخصة في إطار **القانون 65-15** المتعلق بمؤسسات الرعاية الاجتماعية، وتحترم دفتر "
     "التحملات الخاص بصنفها:\n\n- الاستقبال والإيواء في ظروف لائقة؛\n- المواكبة الاجتماعية "
     "والنفسية والصحية؛\n- التكوين والإدماج المهني للأمهات."},
    {"people",
     "تستقبل المؤسسة 24 أماً و31 طفلاً دون السادسة. أهم الحاجيات: السكن، الصحة، التكوين المهني، "
     "والدعم القانوني لتسجيل الأطفال في الحالة المدنية."},
    {"offer",
     "وحدة للإيواء، حضانة للأطفال، ورشات للخياطة والطبخ، ومكتب للمواكبة الاجتماعية والقانونية."},
    {"principles",
     "نعمل من أجل **كرامة الأم ومصلحة الطفل الفضلى**، مع احترام السرية ومشاركة الأمهات في "
     "القرارات التي تخصهن."},
    {"professionals",
     "يضم الفريق 14 مهنياً: مساعدة اجتماعية، مربيات، ممرضة، مكونات في الحرف، وأخصائية نفسية "
     "بدوام جزئي."},
    {"partnerships",
     "التعاون الوطني، المستشفى الإقليمي، مراكز التكوين المهني، المحكمة الابتدائية وجمعيات "
     "الحي."},
    {"quality",
     "تقييم ذاتي سنوي على المرجع الوطني، ومخطط للتحسين المستمر، وتتبع الحوادث والشكايات."},
    {"axes",
     "ثلاثة محاور:\n\n1. الإدماج المهني للأمهات.\n2. صحة الأم والطفل.\n3. الحقوق والحالة المدنية."},
    {"evaluation",
     "حقق المشروع السابق أهدافه في مجال الإيواء والصحة؛ ويبقى الإدماج المهني أولوية."},
};

typedef struct {
    const char *axis, *objective, *indicator, *baseline, *target, *sheet, *sheet_text, *lead;
} demo_strategy_t;

static const demo_strategy_t fr_strategy[] = {
    {"Réussite scolaire et orientation", "Réduire le redoublement au collège",
     "Taux de redoublement au collège", "18 %", "8 %", "Soutien scolaire en petits groupes",
     "Quatre soirs par semaine, des étudiants bénévoles encadrés par un éducateur.\n\n"
     "- bilan à chaque trimestre avec l'école ;\n- cahier de suivi par enfant.",
     "Éducateur référent scolarité"},
    {"Participation des enfants", "Tenir un conseil des enfants chaque mois",
     "Conseils tenus avec compte rendu affiché", "4 par an", "11 par an",
     "Conseil des enfants", "Ordre du jour préparé avec les délégués de chaque maison.",
     "Directrice"},
    {"Préparation à la sortie", "Préparer chaque jeune de 16 ans et plus à sa sortie",
     "Jeunes de 16 ans et plus ayant un plan de sortie", "30 %", "100 %",
     "Atelier d'orientation professionnelle", "Visites d'entreprises et de centres de formation.",
     "Assistante sociale"},
};

static const demo_strategy_t ar_strategy[] = {
    {"الإدماج المهني للأمهات", "تمكين كل أم من تكوين مؤهل", "نسبة الأمهات الحاصلات على شهادة تكوين",
     "40 %", "80 %", "ورشة الخياطة", "ثلاث حصص أسبوعياً مع مكونة معتمدة.", "المكونة"},
    {"صحة الأم والطفل", "تتبع تلقيح جميع الأطفال", "نسبة الأطفال الذين أتموا التلقيح", "85 %",
     "100 %", "يوم صحي شهري", "بشراكة مع المركز الصحي للحي.", "الممرضة"},
};

static int64_t role_holder(db_t *db, int64_t node, const char *role)
{
    return db_query_int(db,
                        "SELECT r.user_id FROM user_roles r JOIN users u ON u.id = r.user_id"
                        " WHERE r.node_id = ? AND r.role = ? AND u.active = 1 ORDER BY r.user_id"
                        " LIMIT 1",
                        PARAMS(P_INT(node), P_TEXT(role)), 0);
}

/* A request-like context for the model functions that read the request
 * (strategy): the actor as the signed-in user, a JSON body. */
typedef struct {
    req_t r;
    http_req_t h;
    app_user_t u;
} demo_req_t;

static req_t *demo_req(demo_req_t *q, db_t *db, arena_t *a, int64_t actor)
{
    memset(q, 0, sizeof *q);
    q->h.arena = a;
    q->r.http = &q->h;
    q->r.arena = a;
    q->r.db = db;
    q->r.is_api = true;
    q->r.lang = "fr";
    q->u.id = actor;
    q->r.user = &q->u;
    return &q->r;
}

static bool add_strategy(db_t *db, arena_t *a, const project_t *p, int64_t actor,
                         const demo_strategy_t *st, size_t n, bool with_action)
{
    demo_req_t q;
    req_t *r = demo_req(&q, db, a, actor);
    int64_t axis = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *errors = json_object();
        r->json = json_pack("{s:s}", "title", st[i].axis);
        bool ok = prj_strategy_add(r, p, "axis", errors, &axis) == RES_OK;
        json_decref(r->json);
        int64_t obj = 0, x = 0;
        r->json = json_pack("{s:I, s:s}", "axis_id", (json_int_t)axis, "title", st[i].objective);
        ok = ok && prj_strategy_add(r, p, "objective", errors, &obj) == RES_OK;
        json_decref(r->json);
        r->json = json_pack("{s:I, s:s, s:s, s:s}", "objective_id", (json_int_t)obj, "label",
                            st[i].indicator, "baseline", st[i].baseline, "target", st[i].target);
        ok = ok && prj_strategy_add(r, p, "indicator", errors, &x) == RES_OK;
        json_decref(r->json);
        r->json = json_pack("{s:I, s:s, s:s, s:s}", "objective_id", (json_int_t)obj, "title",
                            st[i].sheet, "content", st[i].sheet_text, "lead", st[i].lead);
        ok = ok && prj_strategy_add(r, p, "sheet", errors, &x) == RES_OK;
        json_decref(r->json);
        r->json = NULL;
        json_decref(errors);
        if (ok && with_action && i == 0)
            ok = prj_objective_action(r, p, obj, &x) == RES_OK;
        if (!ok)
            return false;
    }
    return true;
}

static bool write_all(db_t *db, arena_t *a, int64_t id, int64_t actor, const demo_text_t *t, size_t n)
{
    project_t p;
    if (prj_load(db, a, id, &p) != 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        prj_section_t *s = prj_section(db, a, id, t[i].key, "fr");
        if (s && prj_write_section(db, actor, NULL, &p, s, t[i].text, 0) != RES_OK)
            return false;
    }
    return true;
}

static bool meetings(db_t *db, arena_t *a, int64_t id, int64_t actor, bool arabic)
{
    static const prj_meeting_input_t fr[] = {
        {"2025-09-15", "Lancement avec toute l'équipe", "", 24, 0, 0, 0},
        {"2025-10-08", "Conseil des enfants : ce que nous voulons changer", "", 3, 18, 0, 0},
        {"2025-11-20", "Rencontre avec les familles", "", 4, 0, 22, 0},
        {"2026-01-14", "Comité des partenaires", "", 3, 0, 0, 9},
    };
    static const prj_meeting_input_t ar[] = {
        {"2025-10-02", "لقاء مع فريق العمل", "", 12, 0, 0, 0},
        {"2025-10-30", "لقاء مع الأمهات", "", 3, 0, 19, 0},
        {"2025-12-11", "لقاء مع الشركاء", "", 2, 0, 0, 7},
    };
    project_t p;
    if (prj_load(db, a, id, &p) != 0)
        return false;
    const prj_meeting_input_t *m = arabic ? ar : fr;
    size_t n = arabic ? ARRAY_LEN(ar) : ARRAY_LEN(fr);
    for (size_t i = 0; i < n; i++) {
        int64_t mid;
        if (prj_add_meeting(db, actor, NULL, &p, &m[i], &mid) != RES_OK)
            return false;
    }
    return true;
}

static int64_t create(db_t *db, arena_t *a, const node_t *eps, int64_t actor, const char *title,
                      const char *start, const char *end, const char *lang)
{
    prj_input_t in = {.title = title, .period_start = start, .period_end = end, .lang = lang};
    json_t *errors = json_object();
    int64_t id = 0;
    res_t rc = prj_create(db, a, actor, NULL, eps, &in, errors, &id);
    json_decref(errors);
    return rc == RES_OK ? id : 0;
}

static bool validate(db_t *db, arena_t *a, int64_t id, int64_t actor, const char *consultation)
{
    project_t p;
    return prj_load(db, a, id, &p) == 0 &&
           prj_validate(db, actor, NULL, &p, consultation, NULL) == RES_OK;
}

/* A French projet, validated; with revise, revised (two sections changed,
 * an axis added) and validated again. Its id in *id_out. */
static bool demo_french(db_t *db, arena_t *a, const node_t *eps, int64_t director, bool revise,
                        int64_t *id_out)
{
    int64_t id = create(db, a, eps, director, "Projet d'établissement 2024-2028", "2024-01-01",
                        "2028-12-31", "fr");
    *id_out = id;
    project_t p;
    bool ok = id > 0 && write_all(db, a, id, director, fr_text, ARRAY_LEN(fr_text)) &&
              meetings(db, a, id, director, false) && prj_load(db, a, id, &p) == 0 &&
              add_strategy(db, a, &p, director, fr_strategy, 2, true) &&
              validate(db, a, id, director,
                       "Version soumise à l'équipe (réunion du 15 septembre), au conseil des "
                       "enfants et aux familles ; avis favorable du conseil d'administration.");
    if (!ok || !revise)
        return ok;
    ok = prj_load(db, a, id, &p) == 0 && prj_new_version(db, director, NULL, &p) == RES_OK;
    static const demo_text_t changes[] = {
        {"people",
         "L'établissement accueille désormais 104 enfants de 6 à 18 ans, orientés par décision "
         "judiciaire ou par les services sociaux, dont 12 en situation de handicap. Les besoins "
         "les plus fréquents :\n\n| Besoin | Part des enfants |\n|---|---|\n"
         "| Soutien scolaire | 72 % |\n| Suivi psychologique | 50 % |\n"
         "| Maintien des liens familiaux | 60 % |\n| Accompagnement du handicap | 12 % |"},
        {"axes",
         "Trois axes pour les cinq ans, le troisième renforcé après la révision :\n\n"
         "1. Réussite scolaire et orientation.\n"
         "2. Participation des enfants à la vie de l'établissement.\n"
         "3. Préparation à la sortie, à l'autonomie et au logement."},
    };
    return ok && write_all(db, a, id, director, changes, ARRAY_LEN(changes)) &&
           prj_load(db, a, id, &p) == 0 && add_strategy(db, a, &p, director, fr_strategy + 2, 1, false) &&
           validate(db, a, id, director,
                    "Révision à mi-parcours présentée à l'équipe et au conseil des enfants le "
                    "14 janvier ; les partenaires ont été consultés par écrit.");
}

static bool demo_arabic(db_t *db, arena_t *a, const node_t *eps, int64_t director)
{
    int64_t id = create(db, a, eps, director, "مشروع المؤسسة 2025-2029", "2025-01-01", "2029-12-31",
                        "ar");
    project_t p;
    return id > 0 && write_all(db, a, id, director, ar_text, ARRAY_LEN(ar_text)) &&
           meetings(db, a, id, director, true) && prj_load(db, a, id, &p) == 0 &&
           add_strategy(db, a, &p, director, ar_strategy, ARRAY_LEN(ar_strategy), true) &&
           validate(db, a, id, director,
                    "عُرض المشروع على فريق العمل والأمهات والشركاء، وصادق عليه المجلس الإداري.");
}

/* The third version of a validated projet, in consultation: a section
 * rewritten, proposals and comments waiting. */
static bool demo_consultation(db_t *db, arena_t *a, int64_t id, int64_t director,
                              int64_t referent, json_t *people)
{
    project_t p;
    bool ok = prj_load(db, a, id, &p) == 0 && prj_new_version(db, director, NULL, &p) == RES_OK;
    static const demo_text_t change[] = {
        {"evaluation",
         "Le projet 2019-2023 a atteint ses objectifs de scolarisation (100 % des enfants "
         "scolarisés). La participation des enfants a progressé : le conseil des enfants se "
         "réunit désormais chaque mois."},
    };
    ok = ok && write_all(db, a, id, director, change, ARRAY_LEN(change)) && prj_load(db, a, id, &p) == 0;
    /* the referent holds the quality section */
    prj_section_t *s = ok ? prj_section(db, a, id, "quality", "fr") : NULL;
    if (s && referent > 0)
        ok = prj_set_owner(db, director, NULL, &p, s, referent) == RES_OK;
    ok = ok && prj_load(db, a, id, &p) == 0 && prj_set_status(db, director, NULL, &p, PRJ_CONSULTATION) == RES_OK &&
         prj_load(db, a, id, &p) == 0;
    size_t np = json_array_size(people);
    int64_t staff1 = np > 2 ? json_integer_value(json_object_get(json_array_get(people, np - 1), "id")) : director;
    int64_t staff2 = np > 3 ? json_integer_value(json_object_get(json_array_get(people, np - 2), "id")) : director;
    static const struct {
        const char *key, *kind, *body;
        int who;
    } contribs[] = {
        {"offer", "proposal",
         "Trois maisons de vie accueillent chacune une douzaine d'enfants avec leurs éducateurs. "
         "Les journées suivent le rythme de l'école ; les mercredis et week-ends sont consacrés "
         "aux activités sportives, culturelles, **à l'aide aux devoirs** et aux visites des "
         "familles, organisées avec elles.",
         1},
        {"principles", "comment",
         "Il faudrait citer la Convention internationale des droits de l'enfant.", 2},
        {"quality", "proposal",
         "L'auto-évaluation annuelle nourrit le plan d'amélioration. Les incidents sont déclarés "
         "dans les 24 heures et analysés chaque mois en réunion d'équipe.",
         2},
        {"people", "comment", "Les chiffres sont ceux de juin : à mettre à jour en septembre.", 1},
    };
    for (size_t i = 0; ok && i < ARRAY_LEN(contribs); i++) {
        prj_section_t *c = prj_section(db, a, id, contribs[i].key, "fr");
        int64_t cid;
        ok = c && prj_contribute(db, contribs[i].who == 1 ? staff1 : staff2, NULL, &p, c,
                                 contribs[i].kind, contribs[i].body, &cid) == RES_OK;
    }
    return ok;
}

/* National scale: a projet per establishment in bulk, at every step. */
static int national(app_demo_t *d, const node_t *eps, size_t n)
{
    db_t *db = d->db;
    int64_t tpl = prj_default_template(db), now = now_utc();
    static const char *const statuses[] = {"drafting", "consultation", "validated", "in_force",
                                           "in_force", "in_force", "expired"};
    bool mine;
    if (!app_tx_begin(db, &mine))
        return DB_ERR;
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++) {
        if (db_query_int(db, "SELECT COUNT(*) FROM projects WHERE node_id = ?",
                         PARAMS(P_INT(eps[i].id)), 0) > 0) {
            app_demo_count(d, "projets d'établissement", false);
            continue;
        }
        uint32_t h = hash_mix32((uint32_t)eps[i].id * 7919u);
        const char *status = statuses[h % ARRAY_LEN(statuses)];
        int y = str_eq(status, "expired")    ? 2019
                : str_eq(status, "in_force") ? 2023 + (int)(h % 3)
                                             : 2027;
        char start[11], end[11];
        snprintf(start, sizeof start, "%04d-01-01", y % 10000);
        snprintf(end, sizeof end, "%04d-12-31", (y + 4) % 10000);
        const char *title = str_eq(status, "expired") ? "Projet d'établissement 2019-2023"
                                                      : "Projet d'établissement";
        const char *fields[] = {title};
        char *key = text_fold_key(fields, 1);
        db_res_t *res = db_query(db,
                                 "INSERT INTO projects (node_id, node_path, template_id, title,"
                                 " period_start, period_end, lang, status, version, consultation,"
                                 " validated_at, created_at, updated_at, search_key) VALUES"
                                 " (?, ?, ?, ?, ?, ?, 'fr', ?, 1, ?, ?, ?, ?, ?) RETURNING id",
                                 PARAMS(P_INT(eps[i].id), P_TEXT(eps[i].path), P_INT(tpl),
                                        P_TEXT(title), P_TEXT(start), P_TEXT(end), P_TEXT(status),
                                        prj_frozen((prj_status_t)prj_status_from_code(status))
                                            ? P_TEXT("Équipe, enfants et partenaires consultés.")
                                            : P_NULL,
                                        prj_frozen((prj_status_t)prj_status_from_code(status)) ? P_INT(now) : P_NULL,
                                        P_INT(now), P_INT(now), P_TEXT(key)));
        free(key);
        int64_t id = res && db_next(res) ? db_int(res, 0) : 0;
        db_res_free(res);
        ok = id > 0 &&
             db_exec(db,
                     "INSERT INTO project_sections (project_id, key, position, title_fr, title_ar,"
                     " title_en, content) SELECT ?, key, position, title_fr, title_ar, title_en,"
                     " CASE WHEN position <= ? THEN ? ELSE '' END FROM project_template_sections"
                     " WHERE template_id = ?",
                     PARAMS(P_INT(id), P_INT(3 + (int64_t)(h % 8)),
                            P_TEXT(fr_text[h % ARRAY_LEN(fr_text)].text), P_INT(tpl))) == DB_OK;
        if (ok && prj_frozen((prj_status_t)prj_status_from_code(status))) {
            res = db_query(db,
                           "INSERT INTO project_versions (project_id, number, validated_at,"
                           " validated_on, consultation, period_start, period_end, title)"
                           " VALUES (?, 1, ?, ?, ?, ?, ?, ?) RETURNING id",
                           PARAMS(P_INT(id), P_INT(now), P_TEXT(start),
                                  P_TEXT("Équipe, enfants et partenaires consultés."), P_TEXT(start),
                                  P_TEXT(end), P_TEXT(title)));
            int64_t vid = res && db_next(res) ? db_int(res, 0) : 0;
            db_res_free(res);
            ok = vid > 0 && db_exec(db,
                                    "INSERT INTO project_version_sections (version_id, key, position,"
                                    " title_fr, title_ar, title_en, content) SELECT ?, key, position,"
                                    " title_fr, title_ar, title_en, content FROM project_sections"
                                    " WHERE project_id = ?",
                                    PARAMS(P_INT(vid), P_INT(id))) == DB_OK;
        }
        app_demo_count(d, "projets d'établissement", true);
    }
    if (app_tx_end(db, mine, ok) != DB_OK || !ok)
        return DB_ERR;
    return DB_OK;
}

int prj_demo(app_demo_t *d)
{
    arena_t *a = arena_new();
    size_t n = 0;
    node_t *eps = nodes_all_eps(d->db, a, &n);
    int rc = DB_OK;
    size_t small = n < 3 ? n : 3;
    for (size_t i = 0; eps && i < small && rc == DB_OK; i++) {
        if (db_query_int(d->db, "SELECT COUNT(*) FROM projects WHERE node_id = ?",
                         PARAMS(P_INT(eps[i].id)), 0) > 0) {
            app_demo_count(d, "projets d'établissement", false);
            continue;
        }
        int64_t director = role_holder(d->db, eps[i].id, "director");
        int64_t referent = role_holder(d->db, eps[i].id, "quality_referent");
        if (director <= 0)
            continue;
        json_t *people = users_workers(d->db, eps[i].path);
        bool mine;
        bool ok = app_tx_begin(d->db, &mine);
        int64_t id = 0;
        /* the first: two validated versions and a third in consultation;
         * the second written in Arabic; the third validated once */
        if (ok && i == 0)
            ok = demo_french(d->db, a, &eps[i], director, true, &id) &&
                 demo_consultation(d->db, a, id, director, referent, people);
        else if (ok && i == 1)
            ok = demo_arabic(d->db, a, &eps[i], director);
        else if (ok)
            ok = demo_french(d->db, a, &eps[i], director, false, &id);
        json_decref(people);
        if (app_tx_end(d->db, mine, ok) != DB_OK || !ok)
            rc = DB_ERR;
        else
            app_demo_count(d, "projets d'établissement", true);
    }
    if (rc == DB_OK && d->scale == DEMO_NATIONAL && n > small)
        rc = national(d, eps + small, n - small);
    if (rc == DB_OK) {
        char day[11];
        iso_day_local(now_utc(), day);
        rc = prj_calendar(d->db, day, now_utc()) < 0 ? DB_ERR : DB_OK;
    }
    arena_free(a);
    return rc;
}
