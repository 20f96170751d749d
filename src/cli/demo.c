/* demo.c - `jouda demo`: realistic demonstration data. Two associations
 * kept apart (Amal with six children's villages, Nour with one home), their
 * units, about 160 staff with French and Arabic spellings, and the known
 * logins the documentation and the tests use. Idempotent: every node and
 * account is looked up (by parent and name, by email or username) before it
 * is inserted, and everything happens in one transaction. */
#include "../app/app.h"
#include "../audit/audit.h"
#include "../auth/auth.h"
#include "../core/fold.h"
#include "../notify/notify.h"
#include "../org/org.h"
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEMO_PASSWORD "Jouda-demo-2026"
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

typedef struct {
    const char *name, *name_ar, *region, *province, *auth_no, *slug;
    int capacity, houses;
    const char *extra_name, *extra_name_ar, *extra_kind; /* youth home / mother-child, or NULL */
    const char *director_email, *director_name; /* NULL: generated */
    const char *referent_email, *referent_name;
} demo_eps_t;

static const demo_eps_t demo_amal_eps[] = {
    {"Village d'enfants Casablanca - Aïn Chock", "قرية الأطفال الدار البيضاء - عين الشق",
     "casablanca_settat", "Casablanca", "EPS-CS-2016-031", "casa", 130, 12,
     "Foyer des jeunes Aïn Chock", "دار الشباب عين الشق", "youth_home",
     "directrice.casa@amal.ma", "Samira El Idrissi", "referent.casa@amal.ma", "Karim Tazi"},
    {"Village d'enfants Dar Bouazza", "قرية الأطفال دار بوعزة", "casablanca_settat", "Nouaceur",
     "EPS-CS-2017-058", "darbouazza", 100, 10, "Programme mère-enfant Dar Bouazza",
     "برنامج الأم والطفل دار بوعزة", "mother_child", NULL, NULL, NULL, NULL},
    {"Village d'enfants Tanger", "قرية الأطفال طنجة", "tanger_tetouan_alhoceima", "Tanger-Assilah",
     "EPS-TTA-2015-012", "tanger", 110, 10, "Foyer des jeunes Tanger", "دار الشباب طنجة",
     "youth_home", "directeur.tanger@amal.ma", "Youssef Benjelloun", NULL, NULL},
    {"Village d'enfants Imzouren", "قرية الأطفال إمزورن", "tanger_tetouan_alhoceima", "Al Hoceima",
     "EPS-TTA-2018-044", "imzouren", 80, 8, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
    {"Village d'enfants Marrakech", "قرية الأطفال مراكش", "marrakech_safi", "Marrakech",
     "EPS-MS-2014-007", "marrakech", 100, 10, "Foyer des jeunes Marrakech", "دار الشباب مراكش",
     "youth_home", NULL, NULL, NULL, NULL},
    {"Village d'enfants Agadir", "قرية الأطفال أكادير", "souss_massa", "Agadir-Ida-Ou-Tanane",
     "EPS-SM-2019-023", "agadir", 80, 8, "Programme mère-enfant Agadir", "برنامج الأم والطفل أكادير",
     "mother_child", NULL, NULL, NULL, NULL},
};

typedef struct {
    db_t *db;
    char hash[128];
    bool hashed;
    int nodes_new, nodes_old, users_new, users_old;
    int person; /* running count: one name in three is written in Arabic */
    int64_t root_admin_note_node;
} demo_t;

/* --- Nodes ---------------------------------------------------------------- */

typedef struct {
    const char *kind, *name, *name_ar, *category, *region, *province, *auth_no, *unit_kind;
    int capacity; /* 0: none */
} demo_node_t;

static int64_t demo_node(demo_t *d, int64_t parent, const demo_node_t *n)
{
    int64_t id = db_query_int(d->db, "SELECT id FROM nodes WHERE parent_id = ? AND name = ? ORDER BY id",
                              PARAMS(P_INT(parent), P_TEXT(n->name)), 0);
    if (id > 0) {
        d->nodes_old++;
        return id;
    }
    char *parent_path = NULL;
    db_res_t *res = db_query(d->db, "SELECT path FROM nodes WHERE id = ?", PARAMS(P_INT(parent)));
    if (res && db_next(res) && db_text(res, 0))
        parent_path = xstrdup(db_text(res, 0));
    if (res)
        db_res_free(res);
    if (!parent_path)
        return -1;
    int64_t now = now_utc();
    /* the search key: name and name_ar folded, as the application writes it */
    const char *key_fields[] = {n->name, n->name_ar};
    char *key = text_fold_key(key_fields, ARRAY_LEN(key_fields));
    const char *key_p = key;
    id = db_query_int(
        d->db,
        "INSERT INTO nodes(parent_id, kind, name, name_ar, category, region, province, capacity, "
        "authorisation_no, unit_kind, search_key, path, active, version, created_at, updated_at) "
        "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', 1, 1, ?, ?) RETURNING id",
        PARAMS(P_INT(parent), P_TEXT(n->kind), P_TEXT(n->name), P_TEXT(n->name_ar),
               P_TEXT(n->category), P_TEXT(n->region), P_TEXT(n->province),
               n->capacity > 0 ? P_INT(n->capacity) : P_NULL, P_TEXT(n->auth_no),
               P_TEXT(n->unit_kind), P_TEXT(key_p), P_INT(now), P_INT(now)),
        0);
    free(key);
    if (id <= 0) {
        free(parent_path);
        return -1;
    }
    /* the path names every ancestor, then the node itself */
    char *path = xasprintf("%s%lld/", parent_path, (long long)id);
    const char *path_p = path;
    free(parent_path);
    int rc = db_exec(d->db, "UPDATE nodes SET path = ? WHERE id = ?",
                     PARAMS(P_TEXT(path_p), P_INT(id)));
    free(path);
    if (rc != DB_OK)
        return -1;
    json_t *after = json_pack("{s:I, s:s, s:s}", "parent_id", (json_int_t)parent, "kind", n->kind,
                              "name", n->name);
    if (n->name_ar)
        json_object_set_new(after, "name_ar", json_string(n->name_ar));
    if (n->category)
        json_object_set_new(after, "category", json_string(n->category));
    if (n->region)
        json_object_set_new(after, "region", json_string(n->region));
    if (n->province)
        json_object_set_new(after, "province", json_string(n->province));
    if (n->capacity > 0)
        json_object_set_new(after, "capacity", json_integer(n->capacity));
    if (n->auth_no)
        json_object_set_new(after, "authorisation_no", json_string(n->auth_no));
    if (n->unit_kind)
        json_object_set_new(after, "unit_kind", json_string(n->unit_kind));
    json_t *ch = audit_diff(NULL, after);
    rc = audit_write(d->db, 0, "create", "node", id, id, ch, NULL);
    json_decref(ch);
    json_decref(after);
    if (rc != DB_OK)
        return -1;
    d->nodes_new++;
    return id;
}

/* --- Accounts -------------------------------------------------------------- */

/* 0 (created or present, id in *id_out when given), -1 on failure. */
static int demo_user(demo_t *d, const char *email, const char *username, const char *name,
                     const char *lang, role_t role, int64_t node, int64_t expiry, int64_t *id_out,
                     bool *created)
{
    if (created)
        *created = false;
    int64_t id = cli_find_user(d->db, email ? email : username);
    if (id > 0) {
        d->users_old++;
        if (id_out)
            *id_out = id;
        return 0;
    }
    if (!d->hashed) {
        /* Argon2id is slow on purpose: one hash serves every demo account */
        if (password_hash(DEMO_PASSWORD, d->hash, sizeof d->hash) != 0)
            return -1;
        d->hashed = true;
    }
    org_user_new_t u = {.email = email, .username = username, .name = name, .language = lang,
                        .password_hash = d->hash, .roles = &role, .role_nodes = &node,
                        .role_expiry = &expiry, .n_roles = 1};
    const char *why = NULL;
    if (org_user_create(d->db, 0, &u, &id, &why) != 0) {
        fprintf(stderr, "jouda demo: cannot create %s: %s\n", email ? email : username,
                why ? why : db_errmsg(d->db));
        return -1;
    }
    d->users_new++;
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

static void demo_person(demo_t *d, bool female, int first, int last, demo_person_t *p)
{
    const demo_name_t *f = female ? &demo_female[first % (int)ARRAY_LEN(demo_female)]
                                  : &demo_male[first % (int)ARRAY_LEN(demo_male)];
    const demo_name_t *l = &demo_last[last % (int)ARRAY_LEN(demo_last)];
    bool arabic = d->person++ % 3 == 2;
    snprintf(p->name, sizeof p->name, "%s %s", arabic ? f->arabic : f->latin,
             arabic ? l->arabic : l->latin);
    p->lang = arabic ? "ar" : "fr";
    size_t i = 0;
    for (const char *c = f->latin; *c && *c != ' ' && i + 1 < sizeof p->first_ascii; c++)
        p->first_ascii[i++] = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
    p->first_ascii[i] = '\0';
}

/* "You were given the role %s at %s." for the people the guide names. */
static void demo_welcome(demo_t *d, int64_t user_id, role_t role, int64_t node, const char *node_name)
{
    char *role_msgid = xasprintf("role.%s", role_code(role));
    char *link = xasprintf("/admin/nodes/%lld", (long long)node);
    notify_user(d->db, user_id, "role", N_("You were given the role %s at %s."), role_msgid,
                node_name, link);
    free(role_msgid);
    free(link);
}

/* A named account (from the documentation) with a welcome notification. */
static int demo_known(demo_t *d, const char *email, const char *username, const char *name,
                      role_t role, int64_t node, const char *node_name, int64_t expiry)
{
    int64_t id = 0;
    bool created = false;
    d->person++;
    if (demo_user(d, email, username, name, "fr", role, node, expiry, &id, &created) != 0)
        return -1;
    if (created)
        demo_welcome(d, id, role, node, node_name);
    return 0;
}

/* --- One EPS with its units and staff -------------------------------------- */

static int demo_eps(demo_t *d, int64_t assoc, const demo_eps_t *e, int ei)
{
    demo_node_t en = {.kind = "eps", .name = e->name, .name_ar = e->name_ar, .category = "children",
                      .region = e->region, .province = e->province, .auth_no = e->auth_no,
                      .capacity = e->capacity};
    int64_t eps = demo_node(d, assoc, &en);
    if (eps <= 0)
        return -1;
    int64_t houses[16] = {0}, extra = 0;
    for (int k = 0; k < e->houses && k < 16; k++) {
        char name[32], name_ar[64];
        snprintf(name, sizeof name, "Maison %d", k + 1);
        snprintf(name_ar, sizeof name_ar, "البيت %d", k + 1);
        demo_node_t un = {.kind = "unit", .name = name, .name_ar = name_ar,
                          .unit_kind = "family_house"};
        if ((houses[k] = demo_node(d, eps, &un)) <= 0)
            return -1;
    }
    if (e->extra_name) {
        demo_node_t un = {.kind = "unit", .name = e->extra_name, .name_ar = e->extra_name_ar,
                          .unit_kind = e->extra_kind};
        if ((extra = demo_node(d, eps, &un)) <= 0)
            return -1;
    }

    demo_person_t p;
    char login[96];
    /* direction */
    if (e->director_email) {
        if (demo_known(d, e->director_email, NULL, e->director_name, ROLE_DIRECTOR, eps, e->name, 0))
            return -1;
    } else {
        demo_person(d, ei % 2 == 0, ei * 3 + 2, ei * 5 + 1, &p);
        snprintf(login, sizeof login, "direction.%s@amal.ma", e->slug);
        if (demo_user(d, login, NULL, p.name, p.lang, ROLE_DIRECTOR, eps, 0, NULL, NULL))
            return -1;
    }
    if (e->referent_email) {
        if (demo_known(d, e->referent_email, NULL, e->referent_name, ROLE_QUALITY_REFERENT, eps,
                       e->name, 0))
            return -1;
    } else {
        demo_person(d, ei % 2 == 1, ei * 3 + 4, ei * 5 + 3, &p);
        snprintf(login, sizeof login, "referent.%s@amal.ma", e->slug);
        if (demo_user(d, login, NULL, p.name, p.lang, ROLE_QUALITY_REFERENT, eps, 0, NULL, NULL))
            return -1;
    }
    /* a house mother in every family house (usernames: many have no email) */
    for (int k = 0; k < e->houses && k < 16; k++) {
        demo_person(d, true, ei * 5 + k, ei * 7 + k * 3, &p);
        if (ei == 0 && k == 0) {
            if (demo_known(d, NULL, "mere.fatima", "Fatima Zahra Bennani", ROLE_STAFF, houses[0],
                           "Maison 1", 0))
                return -1;
            continue;
        }
        snprintf(login, sizeof login, "mere.%s.%s", p.first_ascii, e->slug);
        if (demo_user(d, NULL, login, p.name, p.lang, ROLE_STAFF, houses[k], 0, NULL, NULL))
            return -1;
    }
    /* educators at the EPS, alternately men and women */
    for (int k = 0; k < e->houses + 2; k++) {
        bool female = k % 2 == 1;
        demo_person(d, female, ei * 3 + k / 2 + 7, ei * 7 + k * 5 + 2, &p);
        if (ei == 0 && k == 0) {
            if (demo_known(d, NULL, "educateur.casa", "Hamza Alaoui", ROLE_STAFF, eps, e->name, 0))
                return -1;
            continue;
        }
        snprintf(login, sizeof login, "educ.%s.%s", p.first_ascii, e->slug);
        if (demo_user(d, NULL, login, p.name, p.lang, ROLE_STAFF, eps, 0, NULL, NULL))
            return -1;
    }
    /* the educator of the youth home or mother-and-child programme */
    if (extra) {
        demo_person(d, e->extra_kind[0] == 'm', ei * 2 + 15, ei * 3 + 11, &p);
        snprintf(login, sizeof login, "%s.%s.%s", e->extra_kind[0] == 'm' ? "mc" : "foyer",
                 p.first_ascii, e->slug);
        if (demo_user(d, NULL, login, p.name, p.lang, ROLE_STAFF, extra, 0, NULL, NULL))
            return -1;
    }
    /* animators */
    for (int k = 0; k < 3; k++) {
        demo_person(d, k % 2 == 0, ei * 2 + k + 13, ei * 3 + k * 4 + 6, &p);
        snprintf(login, sizeof login, "anim.%s.%s", p.first_ascii, e->slug);
        if (demo_user(d, NULL, login, p.name, p.lang, ROLE_STAFF, eps, 0, NULL, NULL))
            return -1;
    }
    return 0;
}

/* --- The whole data set ---------------------------------------------------- */

static int demo_build(demo_t *d)
{
    int64_t root = org_root_id(d->db);
    if (root <= 0)
        return -1;
    demo_node_t a1 = {.kind = "association", .name = "Association Amal pour l'enfance",
                      .name_ar = "جمعية أمل للطفولة"};
    int64_t amal = demo_node(d, root, &a1);
    if (amal <= 0)
        return -1;
    if (demo_known(d, "admin@amal.ma", NULL, "Rachid Alaoui", ROLE_ADMIN, amal, a1.name, 0) ||
        demo_known(d, "conseil@amal.ma", NULL, "Latifa Chraibi", ROLE_QUALITY_ADVISOR, amal,
                   a1.name, 0))
        return -1;
    int64_t eps1 = 0;
    for (size_t i = 0; i < ARRAY_LEN(demo_amal_eps); i++) {
        if (demo_eps(d, amal, &demo_amal_eps[i], (int)i) != 0)
            return -1;
        if (i == 0)
            eps1 = db_query_int(d->db, "SELECT id FROM nodes WHERE parent_id = ? AND name = ?",
                                PARAMS(P_INT(amal), P_TEXT(demo_amal_eps[0].name)), 0);
    }

    demo_node_t a2 = {.kind = "association", .name = "Association Nour Solidarité",
                      .name_ar = "جمعية نور للتضامن"};
    int64_t nour = demo_node(d, root, &a2);
    if (nour <= 0)
        return -1;
    demo_node_t fes = {.kind = "eps", .name = "Foyer Nour Fès", .name_ar = "مؤسسة نور فاس",
                       .category = "children", .region = "fes_meknes", .province = "Fès",
                       .auth_no = "EPS-FM-2020-009", .capacity = 40};
    int64_t fes_id = demo_node(d, nour, &fes);
    if (fes_id <= 0)
        return -1;
    demo_node_t ma = {.kind = "unit", .name = "Maison A", .name_ar = "البيت أ",
                      .unit_kind = "family_house"};
    demo_node_t mb = {.kind = "unit", .name = "Maison B", .name_ar = "البيت ب",
                      .unit_kind = "family_house"};
    int64_t house_a = demo_node(d, fes_id, &ma), house_b = demo_node(d, fes_id, &mb);
    if (house_a <= 0 || house_b <= 0)
        return -1;
    if (demo_known(d, "admin@nour.ma", NULL, "Hicham Lahlou", ROLE_ADMIN, nour, a2.name, 0) ||
        demo_known(d, "directrice@nour.ma", NULL, "Nadia Berrada", ROLE_DIRECTOR, fes_id, fes.name,
                   0) ||
        demo_user(d, NULL, "mere.souad.nour", "سعاد الفاسي", "ar", ROLE_STAFF, house_a, 0, NULL,
                  NULL) ||
        demo_user(d, NULL, "mere.amina.nour", "Amina Skalli", "fr", ROLE_STAFF, house_b, 0, NULL,
                  NULL) ||
        demo_user(d, NULL, "educ.omar.nour", "Omar Mernissi", "fr", ROLE_STAFF, fes_id, 0, NULL,
                  NULL) ||
        demo_user(d, NULL, "educ.houda.nour", "هدى بنكيران", "ar", ROLE_STAFF, fes_id, 0, NULL,
                  NULL) ||
        demo_user(d, NULL, "educ.ilyas.nour", "Ilyas Naciri", "fr", ROLE_STAFF, fes_id, 0, NULL,
                  NULL))
        return -1;

    /* national roles */
    if (demo_known(d, "observateur@entraide.ma", NULL, "Mustapha Ouazzani", ROLE_OBSERVER, root,
                   "Jouda", 0) ||
        demo_known(d, "inspecteur@entraide.ma", NULL, "Driss El Amrani", ROLE_INSPECTOR, eps1,
                   demo_amal_eps[0].name, now_utc() + DEMO_INSPECTOR_DAYS * 86400))
        return -1;

    /* tell the national administrators once, when the data first arrive */
    if (d->nodes_new > 0) {
        db_res_t *res = db_query(d->db,
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
            notify_user(d->db, ids[i], "demo", N_("The demonstration data were added."), NULL,
                        NULL, "/admin/nodes");
    }
    return 0;
}

static void demo_print_logins(void)
{
    printf("\nKnown logins (password %s, except the national administrator created by init):\n"
           "  admin@jouda.ma            national administrator (created by 'jouda init')\n"
           "  conseil@amal.ma           quality advisor, Association Amal\n"
           "  admin@amal.ma             administrator, Association Amal\n"
           "  directrice.casa@amal.ma   director, Village d'enfants Casablanca - Aïn Chock\n"
           "  referent.casa@amal.ma     quality referent, Casablanca - Aïn Chock\n"
           "  mere.fatima               house mother, Maison 1, Casablanca - Aïn Chock\n"
           "  educateur.casa            educator, Casablanca - Aïn Chock\n"
           "  directeur.tanger@amal.ma  director, Village d'enfants Tanger\n"
           "  observateur@entraide.ma   observer, whole platform\n"
           "  inspecteur@entraide.ma    inspector, Casablanca - Aïn Chock (%d days)\n"
           "  admin@nour.ma             administrator, Association Nour Solidarité\n"
           "  directrice@nour.ma        director, Foyer Nour Fès\n",
           DEMO_PASSWORD, DEMO_INSPECTOR_DAYS);
}

int cli_demo(int argc, char **argv)
{
    const char *cmd = argv[0], *url = CLI_DEFAULT_DB;
    bool quiet = false;
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, "hq", opts, NULL)) != -1) {
        switch (c) {
        case 'd': url = optarg; break;
        case 'q': quiet = true; break;
        case 'h':
            printf("Usage: jouda demo [--db DB] [--quiet]\n\n"
                   "Adds the demonstration data: two associations kept apart (Amal: six\n"
                   "children's villages in Casablanca-Settat, Tanger-Tetouan-Al Hoceima,\n"
                   "Marrakech-Safi and Souss-Massa; Nour: one home in Fes), their units, about\n"
                   "160 staff, and the known logins (password %s). Running it again\n"
                   "changes nothing.\n\n"
                   "  --db DB      SQLite file (default %s) or postgresql:// URL\n"
                   "  -q, --quiet  print only the summary line\n"
                   "  -h, --help   this help\n",
                   DEMO_PASSWORD, CLI_DEFAULT_DB);
            return CLI_OK;
        default: fprintf(stderr, "Try '%s --help'.\n", cmd); return CLI_USAGE;
        }
    }
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    db_t *db = cli_open_db(cmd, url, false);
    if (!db)
        return CLI_FAIL;
    demo_t d = {.db = db};
    int rc = CLI_OK;
    if (db_begin(db) != DB_OK) {
        rc = cli_fail(cmd, "cannot start a transaction: %s", db_errmsg(db));
    } else if (demo_build(&d) != 0) {
        const char *why = db_errmsg(db);
        db_rollback(db);
        rc = cli_fail(cmd, "the demo data could not be added (nothing was changed): %s",
                      why ? why : "");
    } else if (db_commit(db) != DB_OK) {
        rc = cli_fail(cmd, "cannot save: %s", db_errmsg(db));
    } else {
        printf("Demo data: %d places created (%d already there), %d accounts created (%d already "
               "there).\n",
               d.nodes_new, d.nodes_old, d.users_new, d.users_old);
        if (!quiet)
            demo_print_logins();
    }
    db_close(db);
    return rc;
}
