/* users_demo.c - the accounts of `jouda demo`, on the tree the nodes module
 * made: in each establishment a director, a quality referent, a house mother
 * per family house, educators and animators, with French and Arabic
 * spellings; the known logins the documentation and the tests use; national
 * roles. At the national scale, every establishment of the country gets its
 * team the same way (about 15,000 accounts). One password hash serves every
 * account. Idempotent: an account is looked up by email or username first. */
#include "users_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEMO_INSPECTOR_DAYS 90

typedef struct {
    const char *latin, *arabic;
} demo_name_t;

static const demo_name_t demo_female[] = {
    {"Fatima Zahra", "فاطمة الزهراء"}, {"Khadija", "خديجة"}, {"Aicha", "عائشة"},
    {"Meryem", "مريم"}, {"Naima", "نعيمة"}, {"Saida", "سعيدة"}, {"Latifa", "لطيفة"},
    {"Hafsa", "حفصة"}, {"Zineb", "زينب"}, {"Rachida", "رشيدة"}, {"Malika", "مليكة"},
    {"Fouzia", "فوزية"}, {"Hanane", "حنان"}, {"Samira", "سميرة"}, {"Nadia", "نادية"},
    {"Houda", "هدى"}, {"Loubna", "لبنى"}, {"Souad", "سعاد"}, {"Amina", "أمينة"},
    {"Karima", "كريمة"},
};
static const demo_name_t demo_male[] = {
    {"Mohamed", "محمد"}, {"Youssef", "يوسف"}, {"Hassan", "حسن"}, {"Omar", "عمر"},
    {"Rachid", "رشيد"}, {"Abdellah", "عبد الله"}, {"Said", "سعيد"}, {"Mustapha", "مصطفى"},
    {"Hamza", "حمزة"}, {"Khalid", "خالد"}, {"Anass", "أنس"}, {"Ayoub", "أيوب"},
    {"Mehdi", "المهدي"}, {"Brahim", "إبراهيم"}, {"Driss", "إدريس"}, {"Noureddine", "نور الدين"},
    {"Hicham", "هشام"}, {"Adil", "عادل"}, {"Ilyas", "إلياس"}, {"Tarik", "طارق"},
};
static const demo_name_t demo_last[] = {
    {"Bennani", "بناني"},      {"El Idrissi", "الإدريسي"}, {"Alaoui", "العلوي"},
    {"Tazi", "التازي"},        {"Benjelloun", "بنجلون"},   {"Chraibi", "الشرايبي"},
    {"El Amrani", "العمراني"}, {"Berrada", "برادة"},       {"Ouazzani", "الوزاني"},
    {"Lahlou", "لحلو"},        {"Benkirane", "بنكيران"},   {"El Fassi", "الفاسي"},
    {"Zouhair", "زهير"},       {"Bouzid", "بوزيد"},        {"Essaidi", "السعيدي"},
    {"Naciri", "الناصري"},     {"Hakimi", "حكيمي"},        {"Ait Taleb", "آيت الطالب"},
    {"Moussaoui", "الموساوي"}, {"Kabbaj", "القباج"},       {"Sebti", "السبتي"},
    {"Boukhari", "البخاري"},   {"Ait Lahcen", "آيت لحسن"}, {"Oubaha", "أوباها"},
    {"El Ouardi", "الوردي"},   {"Skalli", "السقلي"},       {"Mernissi", "المرنيسي"},
};

/* The establishments of Association Amal, by authorisation number (the
 * nodes module made them): the slug of their logins and the people the
 * documentation names. */
typedef struct {
    const char *auth_no, *slug;
    const char *director_email, *director_name; /* NULL: generated */
    const char *referent_email, *referent_name;
} demo_team_t;

static const demo_team_t demo_amal_teams[] = {
    {"EPS-CS-2016-031", "casa", "directrice.casa@amal.ma", "Samira El Idrissi",
     "referent.casa@amal.ma", "Karim Tazi"},
    {"EPS-CS-2017-058", "darbouazza", NULL, NULL, NULL, NULL},
    {"EPS-TTA-2015-012", "tanger", "directeur.tanger@amal.ma", "Youssef Benjelloun", NULL, NULL},
    {"EPS-TTA-2018-044", "imzouren", NULL, NULL, NULL, NULL},
    {"EPS-MS-2014-007", "marrakech", NULL, NULL, NULL, NULL},
    {"EPS-SM-2019-023", "agadir", NULL, NULL, NULL, NULL},
};

typedef struct {
    app_demo_t *d;
    int person; /* running count: one name in three is written in Arabic */
} demo_t;

/* 0 (created or present, id in *id_out when given), -1 on failure. */
static int demo_user(demo_t *x, const char *email, const char *username, const char *name,
                     const char *lang, role_t role, int64_t node, int64_t expiry, int64_t *id_out,
                     bool *created)
{
    if (created)
        *created = false;
    int64_t id = users_find_id(x->d->db, email ? email : username);
    if (id > 0) {
        app_demo_count(x->d, "accounts", false);
        if (id_out)
            *id_out = id;
        return 0;
    }
    user_new_t u = {.email = email, .username = username, .name = name, .language = lang,
                    .password_hash = x->d->password_hash, .roles = &role, .role_nodes = &node,
                    .role_expiry = &expiry, .n_roles = 1};
    const char *why = NULL;
    if (users_insert(x->d->db, 0, &u, NULL, &id, &why, NULL) != RES_OK) {
        fprintf(stderr, "jouda demo: cannot create %s: %s\n", email ? email : username,
                why ? why : db_errmsg(x->d->db));
        return -1;
    }
    app_demo_count(x->d, "accounts", true);
    if (id_out)
        *id_out = id;
    if (created)
        *created = true;
    return 0;
}

/* A generated person: name in Latin or Arabic script, and its language. */
typedef struct {
    char name[160];
    char first_ascii[40]; /* first word of the first name, lower case, for logins */
    const char *lang;
} demo_person_t;

static void demo_person(demo_t *x, bool female, int first, int last, demo_person_t *p)
{
    const demo_name_t *f = female ? &demo_female[first % (int)ARRAY_LEN(demo_female)]
                                  : &demo_male[first % (int)ARRAY_LEN(demo_male)];
    const demo_name_t *l = &demo_last[last % (int)ARRAY_LEN(demo_last)];
    bool arabic = x->person++ % 3 == 2;
    snprintf(p->name, sizeof p->name, "%s %s", arabic ? f->arabic : f->latin,
             arabic ? l->arabic : l->latin);
    p->lang = arabic ? "ar" : "fr";
    size_t i = 0;
    for (const char *c = f->latin; *c && *c != ' ' && i + 1 < sizeof p->first_ascii; c++)
        p->first_ascii[i++] = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
    p->first_ascii[i] = '\0';
}

/* A named account (from the documentation) with a welcome notification. */
static int demo_known(demo_t *x, const char *email, const char *username, const char *name,
                      role_t role, int64_t node, int64_t expiry)
{
    int64_t id = 0;
    bool created = false;
    x->person++;
    if (demo_user(x, email, username, name, "fr", role, node, expiry, &id, &created) != 0)
        return -1;
    if (created) {
        notify_arg_t args[] = {NOTIFY_CODE(users_role_msgid(role)), NOTIFY_REF("node", node)};
        char *link = xasprintf("/admin/nodes/%lld", (long long)node);
        int rc = notify_user(x->d->db, id, "role", N_("You were given the role %s at %s."), link,
                             args, 2);
        free(link);
        if (rc != DB_OK)
            return -1;
    }
    return 0;
}

/* A node's id under parent by name (0 when absent). */
static int64_t child_named(db_t *db, int64_t parent, const char *name)
{
    return db_query_int(db, "SELECT id FROM nodes WHERE parent_id = ? AND name = ? ORDER BY id",
                        PARAMS(P_INT(parent), P_TEXT(name)), 0);
}

/* The units of an EPS, in creation order: family houses apart. */
typedef struct {
    int64_t houses[32];
    int n_houses;
    int64_t extra;
    char extra_kind[24];
} demo_units_t;

static void units_of(db_t *db, int64_t eps, demo_units_t *u)
{
    memset(u, 0, sizeof *u);
    db_res_t *res = db_query(db, "SELECT id, unit_kind FROM nodes WHERE parent_id = ? AND kind = 'unit'"
                                 " ORDER BY id",
                             PARAMS(P_INT(eps)));
    while (res && db_next(res)) {
        const char *k = db_text(res, 1);
        if (str_eq(k, "family_house") && u->n_houses < (int)ARRAY_LEN(u->houses)) {
            u->houses[u->n_houses++] = db_int(res, 0);
        } else if (!u->extra) {
            u->extra = db_int(res, 0);
            snprintf(u->extra_kind, sizeof u->extra_kind, "%s", k ? k : "other");
        } else if (u->n_houses < (int)ARRAY_LEN(u->houses)) {
            u->houses[u->n_houses++] = db_int(res, 0);
        }
    }
    if (res)
        db_res_free(res);
}

/* The team of one establishment: direction, a house mother per house,
 * educators, the educator of the extra unit, animators (full: the teams of
 * the small demo, as the seed describes them; else a lighter team for the
 * national scale, logins numbered). dom: the login's domain ("amal.ma"). */
static int demo_team(demo_t *x, int64_t eps, int ei, const char *slug, const char *dom,
                     const demo_team_t *named, bool full)
{
    db_t *db = x->d->db;
    demo_units_t u;
    units_of(db, eps, &u);
    demo_person_t p;
    char login[128];
    if (named && named->director_email) {
        if (demo_known(x, named->director_email, NULL, named->director_name, ROLE_DIRECTOR, eps, 0))
            return -1;
    } else {
        demo_person(x, ei % 2 == 0, ei * 3 + 2, ei * 5 + 1, &p);
        snprintf(login, sizeof login, "direction.%s@%s", slug, dom);
        if (demo_user(x, login, NULL, p.name, p.lang, ROLE_DIRECTOR, eps, 0, NULL, NULL))
            return -1;
    }
    if (named && named->referent_email) {
        if (demo_known(x, named->referent_email, NULL, named->referent_name, ROLE_QUALITY_REFERENT,
                       eps, 0))
            return -1;
    } else {
        demo_person(x, ei % 2 == 1, ei * 3 + 4, ei * 5 + 3, &p);
        snprintf(login, sizeof login, "referent.%s@%s", slug, dom);
        if (demo_user(x, login, NULL, p.name, p.lang, ROLE_QUALITY_REFERENT, eps, 0, NULL, NULL))
            return -1;
    }
    /* a house mother in every family house (usernames: many have no email) */
    for (int k = 0; k < u.n_houses; k++) {
        demo_person(x, true, ei * 5 + k, ei * 7 + k * 3, &p);
        if (named && named == &demo_amal_teams[0] && k == 0) {
            if (demo_known(x, NULL, "mere.fatima", "Fatima Zahra Bennani", ROLE_STAFF, u.houses[0], 0))
                return -1;
            continue;
        }
        if (full)
            snprintf(login, sizeof login, "mere.%s.%s", p.first_ascii, slug);
        else
            snprintf(login, sizeof login, "mere.%s.%d.%s", p.first_ascii, k + 1, slug);
        if (demo_user(x, NULL, login, p.name, p.lang, ROLE_STAFF, u.houses[k], 0, NULL, NULL))
            return -1;
    }
    /* educators at the EPS, alternately men and women */
    int educators = full ? u.n_houses + 2 : 2;
    for (int k = 0; k < educators; k++) {
        bool female = k % 2 == 1;
        demo_person(x, female, ei * 3 + k / 2 + 7, ei * 7 + k * 5 + 2, &p);
        if (named && named == &demo_amal_teams[0] && k == 0) {
            if (demo_known(x, NULL, "educateur.casa", "Hamza Alaoui", ROLE_STAFF, eps, 0))
                return -1;
            continue;
        }
        if (full)
            snprintf(login, sizeof login, "educ.%s.%s", p.first_ascii, slug);
        else
            snprintf(login, sizeof login, "educ.%s.%d.%s", p.first_ascii, k + 1, slug);
        if (demo_user(x, NULL, login, p.name, p.lang, ROLE_STAFF, eps, 0, NULL, NULL))
            return -1;
    }
    if (!full)
        return 0;
    /* the educator of the youth home or mother-and-child programme */
    if (u.extra) {
        demo_person(x, u.extra_kind[0] == 'm', ei * 2 + 15, ei * 3 + 11, &p);
        snprintf(login, sizeof login, "%s.%s.%s", u.extra_kind[0] == 'm' ? "mc" : "foyer",
                 p.first_ascii, slug);
        if (demo_user(x, NULL, login, p.name, p.lang, ROLE_STAFF, u.extra, 0, NULL, NULL))
            return -1;
    }
    /* animators */
    for (int k = 0; k < 3; k++) {
        demo_person(x, k % 2 == 0, ei * 2 + k + 13, ei * 3 + k * 4 + 6, &p);
        snprintf(login, sizeof login, "anim.%s.%s", p.first_ascii, slug);
        if (demo_user(x, NULL, login, p.name, p.lang, ROLE_STAFF, eps, 0, NULL, NULL))
            return -1;
    }
    return 0;
}

/* Every establishment of the country outside Amal and Nour gets a team;
 * each association an administrator. */
static int demo_country(demo_t *x, int64_t root, int64_t amal, int64_t nour)
{
    db_t *db = x->d->db;
    db_res_t *res = db_query(db, "SELECT id FROM nodes WHERE parent_id = ? AND kind = 'association'"
                                 " AND id <> ? AND id <> ? ORDER BY id",
                             PARAMS(P_INT(root), P_INT(amal), P_INT(nour)));
    VEC(int64_t) assocs = {0};
    arena_t *a = arena_new();
    while (res && db_next(res))
        *VEC_PUSH(a, &assocs) = db_int(res, 0);
    if (res)
        db_res_free(res);
    int ei = 100;
    for (size_t i = 0; i < assocs.n; i++) {
        /* the tables grow a hundredfold: statistics now and then keep the
         * planner on the indexes */
        if (i % 8 == 0 && app_analyze(db) != DB_OK) {
            arena_free(a);
            return -1;
        }
        demo_person_t p;
        char login[96];
        demo_person(x, i % 2 == 0, (int)i, (int)i * 3, &p);
        snprintf(login, sizeof login, "admin.a%zu@entraide.ma", i + 1);
        if (demo_user(x, login, NULL, p.name, p.lang, ROLE_ADMIN, assocs.v[i], 0, NULL, NULL)) {
            arena_free(a);
            return -1;
        }
        res = db_query(db, "SELECT id FROM nodes WHERE parent_id = ? AND kind = 'eps' ORDER BY id",
                       PARAMS(P_INT(assocs.v[i])));
        VEC(int64_t) eps = {0};
        while (res && db_next(res))
            *VEC_PUSH(a, &eps) = db_int(res, 0);
        if (res)
            db_res_free(res);
        for (size_t k = 0; k < eps.n; k++) {
            char slug[32];
            snprintf(slug, sizeof slug, "e%lld", (long long)eps.v[k]);
            if (demo_team(x, eps.v[k], ei++, slug, "entraide.ma", NULL, false) != 0) {
                arena_free(a);
                return -1;
            }
        }
    }
    arena_free(a);
    return 0;
}

int users_demo(app_demo_t *d)
{
    demo_t x = {.d = d};
    db_t *db = d->db;
    int64_t root = nodes_root_id(db);
    int64_t amal = child_named(db, root, "Association Amal pour l'enfance");
    int64_t nour = child_named(db, root, "Association Nour Solidarité");
    if (root <= 0 || amal <= 0 || nour <= 0)
        return DB_ERR;
    if (demo_known(&x, "admin@amal.ma", NULL, "Rachid Alaoui", ROLE_ADMIN, amal, 0) ||
        demo_known(&x, "conseil@amal.ma", NULL, "Latifa Chraibi", ROLE_QUALITY_ADVISOR, amal, 0))
        return DB_ERR;
    int64_t eps1 = 0;
    for (size_t i = 0; i < ARRAY_LEN(demo_amal_teams); i++) {
        const demo_team_t *t = &demo_amal_teams[i];
        int64_t eps = db_query_int(db, "SELECT id FROM nodes WHERE parent_id = ? AND authorisation_no = ?",
                                   PARAMS(P_INT(amal), P_TEXT(t->auth_no)), 0);
        if (eps <= 0 || demo_team(&x, eps, (int)i, t->slug, "amal.ma", t, true) != 0)
            return DB_ERR;
        if (i == 0)
            eps1 = eps;
    }

    int64_t fes = child_named(db, nour, "Foyer Nour Fès");
    int64_t house_a = child_named(db, fes, "Maison A"), house_b = child_named(db, fes, "Maison B");
    if (fes <= 0 || house_a <= 0 || house_b <= 0)
        return DB_ERR;
    if (demo_known(&x, "admin@nour.ma", NULL, "Hicham Lahlou", ROLE_ADMIN, nour, 0) ||
        demo_known(&x, "directrice@nour.ma", NULL, "Nadia Berrada", ROLE_DIRECTOR, fes, 0) ||
        demo_user(&x, NULL, "mere.souad.nour", "سعاد الفاسي", "ar", ROLE_STAFF, house_a, 0, NULL, NULL) ||
        demo_user(&x, NULL, "mere.amina.nour", "Amina Skalli", "fr", ROLE_STAFF, house_b, 0, NULL, NULL) ||
        demo_user(&x, NULL, "educ.omar.nour", "Omar Mernissi", "fr", ROLE_STAFF, fes, 0, NULL, NULL) ||
        demo_user(&x, NULL, "educ.houda.nour", "هدى بنكيران", "ar", ROLE_STAFF, fes, 0, NULL, NULL) ||
        demo_user(&x, NULL, "educ.ilyas.nour", "Ilyas Naciri", "fr", ROLE_STAFF, fes, 0, NULL, NULL))
        return DB_ERR;

    /* national roles */
    if (demo_known(&x, "observateur@entraide.ma", NULL, "Mustapha Ouazzani", ROLE_OBSERVER, root, 0) ||
        demo_known(&x, "inspecteur@entraide.ma", NULL, "Driss El Amrani", ROLE_INSPECTOR, eps1,
                   now_utc() + DEMO_INSPECTOR_DAYS * 86400))
        return DB_ERR;
    if (d->scale == DEMO_NATIONAL && demo_country(&x, root, amal, nour) != 0)
        return DB_ERR;

    /* tell the national administrators once, when the data first arrive */
    bool new_places = false;
    for (int i = 0; i < d->n_counts; i++)
        new_places |= str_eq(d->counts[i].what, "places") && d->counts[i].created > 0;
    if (new_places) {
        db_res_t *res = db_query(db,
                                 "SELECT DISTINCT ur.user_id FROM user_roles ur "
                                 "WHERE ur.role = 'admin' AND ur.node_id = ? ORDER BY ur.user_id",
                                 PARAMS(P_INT(root)));
        int64_t ids[64];
        int n = 0;
        while (res && db_next(res) && n < 64)
            ids[n++] = db_int(res, 0);
        if (res)
            db_res_free(res);
        for (int i = 0; i < n; i++)
            if (notify_user(db, ids[i], "demo", N_("The demonstration data were added."),
                            "/admin/nodes", NULL, 0) != DB_OK)
                return DB_ERR;
    }
    return DB_OK;
}
