/* nodes_demo.c - the organisation tree of `jouda demo`. Small scale: two
 * associations kept apart (Amal with six children's villages, Nour with one
 * home) and their units. National scale: the same, and the country around
 * them - 58 more associations, 1,100 establishments in all (about one per
 * province of each region, several categories), 11,000 units. Idempotent:
 * every node is looked up by parent and name before it is inserted. */
#include "nodes_internal.h"

#include "../core/fold.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *kind, *name, *name_ar, *category, *region, *province, *auth_no, *unit_kind;
    int capacity; /* 0: none */
} demo_node_t;

typedef struct {
    const char *name, *name_ar, *region, *province, *auth_no;
    int capacity, houses;
    const char *extra_name, *extra_name_ar, *extra_kind; /* youth home / mother-child, or NULL */
} demo_eps_t;

static const demo_eps_t demo_amal_eps[] = {
    {"Village d'enfants Casablanca - Aïn Chock", "قرية الأطفال الدار البيضاء - عين الشق",
     "casablanca_settat", "Casablanca", "EPS-CS-2016-031", 130, 12, "Foyer des jeunes Aïn Chock",
     "دار الشباب عين الشق", "youth_home"},
    {"Village d'enfants Dar Bouazza", "قرية الأطفال دار بوعزة", "casablanca_settat", "Nouaceur",
     "EPS-CS-2017-058", 100, 10, "Programme mère-enfant Dar Bouazza",
     "برنامج الأم والطفل دار بوعزة", "mother_child"},
    {"Village d'enfants Tanger", "قرية الأطفال طنجة", "tanger_tetouan_alhoceima", "Tanger-Assilah",
     "EPS-TTA-2015-012", 110, 10, "Foyer des jeunes Tanger", "دار الشباب طنجة", "youth_home"},
    {"Village d'enfants Imzouren", "قرية الأطفال إمزورن", "tanger_tetouan_alhoceima", "Al Hoceima",
     "EPS-TTA-2018-044", 80, 8, NULL, NULL, NULL},
    {"Village d'enfants Marrakech", "قرية الأطفال مراكش", "marrakech_safi", "Marrakech",
     "EPS-MS-2014-007", 100, 10, "Foyer des jeunes Marrakech", "دار الشباب مراكش", "youth_home"},
    {"Village d'enfants Agadir", "قرية الأطفال أكادير", "souss_massa", "Agadir-Ida-Ou-Tanane",
     "EPS-SM-2019-023", 80, 8, "Programme mère-enfant Agadir", "برنامج الأم والطفل أكادير",
     "mother_child"},
};

/* A node under parent, looked up by name first. The id, or -1. */
static int64_t demo_node(app_demo_t *d, int64_t parent, const char *parent_path, const demo_node_t *n)
{
    int64_t id = db_query_int(d->db, "SELECT id FROM nodes WHERE parent_id = ? AND name = ? ORDER BY id",
                              PARAMS(P_INT(parent), P_TEXT(n->name)), 0);
    if (id > 0) {
        app_demo_count(d, "places", false);
        return id;
    }
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
    if (id <= 0)
        return -1;
    /* the path names every ancestor, then the node itself */
    char *path = xasprintf("%s%lld/", parent_path, (long long)id);
    const char *path_p = path;
    int rc = db_exec(d->db, "UPDATE nodes SET path = ? WHERE id = ?", PARAMS(P_TEXT(path_p), P_INT(id)));
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
    app_demo_count(d, "places", true);
    return id;
}

/* The child's path, in a buffer of the caller's. */
static const char *child_path(char *buf, size_t len, const char *parent_path, int64_t id)
{
    buf_t b;
    buf_init(&b);
    buf_printf(&b, "%s%lld/", parent_path, (long long)id);
    if (b.len < len)
        memcpy(buf, b.data, b.len + 1);
    else
        buf[0] = '\0';
    buf_free(&b);
    return buf;
}

static int demo_eps(app_demo_t *d, int64_t assoc, const char *assoc_path, const demo_eps_t *e,
                    const char *category)
{
    demo_node_t en = {.kind = "eps", .name = e->name, .name_ar = e->name_ar, .category = category,
                      .region = e->region, .province = e->province, .auth_no = e->auth_no,
                      .capacity = e->capacity};
    int64_t eps = demo_node(d, assoc, assoc_path, &en);
    if (eps <= 0)
        return -1;
    char eps_path[128];
    child_path(eps_path, sizeof eps_path, assoc_path, eps);
    for (int k = 0; k < e->houses; k++) {
        char name[32], name_ar[64];
        snprintf(name, sizeof name, "Maison %d", k + 1);
        snprintf(name_ar, sizeof name_ar, "البيت %d", k + 1);
        demo_node_t un = {.kind = "unit", .name = name, .name_ar = name_ar,
                          .unit_kind = "family_house"};
        if (demo_node(d, eps, eps_path, &un) <= 0)
            return -1;
    }
    if (e->extra_name) {
        demo_node_t un = {.kind = "unit", .name = e->extra_name, .name_ar = e->extra_name_ar,
                          .unit_kind = e->extra_kind};
        if (demo_node(d, eps, eps_path, &un) <= 0)
            return -1;
    }
    return 0;
}

/* --- The country ------------------------------------------------------------- */

typedef struct {
    const char *code, *fr, *ar;
    int weight; /* establishments per 100 */
} demo_region_t;

static const demo_region_t demo_regions[] = {
    {"casablanca_settat", "Casablanca-Settat", "الدار البيضاء سطات", 19},
    {"rabat_sale_kenitra", "Rabat-Salé-Kénitra", "الرباط سلا القنيطرة", 13},
    {"fes_meknes", "Fès-Meknès", "فاس مكناس", 12},
    {"marrakech_safi", "Marrakech-Safi", "مراكش آسفي", 12},
    {"tanger_tetouan_alhoceima", "Tanger-Tétouan-Al Hoceïma", "طنجة تطوان الحسيمة", 10},
    {"souss_massa", "Souss-Massa", "سوس ماسة", 8},
    {"oriental", "L'Oriental", "الشرق", 7},
    {"beni_mellal_khenifra", "Béni Mellal-Khénifra", "بني ملال خنيفرة", 7},
    {"draa_tafilalet", "Drâa-Tafilalet", "درعة تافيلالت", 5},
    {"guelmim_oued_noun", "Guelmim-Oued Noun", "كلميم واد نون", 3},
    {"laayoune_sakia_elhamra", "Laâyoune-Sakia El Hamra", "العيون الساقية الحمراء", 2},
    {"dakhla_oued_eddahab", "Dakhla-Oued Ed-Dahab", "الداخلة وادي الذهب", 2},
};

typedef struct {
    const char *category, *fr, *ar, *unit_fr, *unit_ar, *unit_kind;
} demo_kind_t;

/* What the establishments of the country look like, by category. */
static const demo_kind_t demo_kinds[] = {
    {"children", "Maison d'enfants", "دار الأطفال", "Maison", "البيت", "family_house"},
    {"children", "Centre de protection de l'enfance", "مركز حماية الطفولة", "Groupe de vie",
     "مجموعة العيش", "youth_home"},
    {"students", "Dar Talib", "دار الطالب", "Dortoir", "المرقد", "youth_home"},
    {"women", "Centre d'accueil des femmes", "مركز استقبال النساء", "Appartement", "الشقة",
     "mother_child"},
    {"elderly", "Maison des personnes âgées", "دار المسنين", "Pavillon", "الجناح", "other"},
    {"disability", "Centre pour personnes en situation de handicap", "مركز الأشخاص في وضعية إعاقة",
     "Groupe", "المجموعة", "day_centre"},
    {"homeless", "Centre d'accueil des personnes sans abri", "مركز إيواء الأشخاص بدون مأوى",
     "Unité", "الوحدة", "other"},
};

#define DEMO_NATIONAL_ASSOCIATIONS 58 /* beside Amal and Nour: 60 */
#define DEMO_NATIONAL_EPS 1093        /* beside the 7 of Amal and Nour: 1,100 */
#define DEMO_NATIONAL_UNITS_PER_EPS 10

static int demo_country(app_demo_t *d, int64_t root, const char *root_path)
{
    /* associations spread over the regions by weight, establishments over
     * the associations in turn */
    int64_t assoc[DEMO_NATIONAL_ASSOCIATIONS];
    const char *assoc_path[DEMO_NATIONAL_ASSOCIATIONS];
    int assoc_region[DEMO_NATIONAL_ASSOCIATIONS];
    int assoc_no[DEMO_NATIONAL_ASSOCIATIONS];
    int na = 0;
    for (size_t g = 0; g < ARRAY_LEN(demo_regions) && na < DEMO_NATIONAL_ASSOCIATIONS; g++) {
        int count = demo_regions[g].weight * DEMO_NATIONAL_ASSOCIATIONS / 100;
        for (int k = 0; k < (count < 1 ? 1 : count) && na < DEMO_NATIONAL_ASSOCIATIONS; k++, na++) {
            assoc_region[na] = (int)g;
            assoc_no[na] = k + 1;
        }
    }
    for (; na < DEMO_NATIONAL_ASSOCIATIONS; na++) { /* rounding: the rest in Casablanca-Settat */
        assoc_region[na] = 0;
        assoc_no[na] = 100 + na;
    }
    arena_t *a = arena_new();
    for (int i = 0; i < DEMO_NATIONAL_ASSOCIATIONS; i++) {
        const demo_region_t *g = &demo_regions[assoc_region[i]];
        char name[160], name_ar[200];
        snprintf(name, sizeof name, "Association Entraide %s %d", g->fr, assoc_no[i]);
        snprintf(name_ar, sizeof name_ar, "جمعية التعاون %s %d", g->ar, assoc_no[i]);
        demo_node_t an = {.kind = "association", .name = name, .name_ar = name_ar};
        int64_t id = demo_node(d, root, root_path, &an);
        if (id <= 0) {
            arena_free(a);
            return -1;
        }
        assoc[i] = id;
        assoc_path[i] = arena_printf(a, "%s%lld/", root_path, (long long)id);
    }
    for (int e = 0; e < DEMO_NATIONAL_EPS; e++) {
        int ai = e % DEMO_NATIONAL_ASSOCIATIONS;
        /* the table grows a hundredfold: statistics now and then keep the
         * planner on the indexes */
        if (e % 150 == 0 && app_analyze(d->db) != DB_OK) {
            arena_free(a);
            return -1;
        }
        const demo_region_t *g = &demo_regions[assoc_region[ai]];
        const demo_kind_t *k = &demo_kinds[(e / DEMO_NATIONAL_ASSOCIATIONS + e) % ARRAY_LEN(demo_kinds)];
        char name[200], name_ar[260], auth[40];
        int nth = e / DEMO_NATIONAL_ASSOCIATIONS + 1;
        snprintf(name, sizeof name, "%s %s %d-%d", k->fr, g->fr, ai + 1, nth);
        snprintf(name_ar, sizeof name_ar, "%s %s %d-%d", k->ar, g->ar, ai + 1, nth);
        snprintf(auth, sizeof auth, "EPS-N-%04d", e + 1);
        demo_node_t en = {.kind = "eps", .name = name, .name_ar = name_ar, .category = k->category,
                          .region = g->code, .province = g->fr, .auth_no = auth,
                          .capacity = 40 + (e * 37) % 120};
        int64_t eps = demo_node(d, assoc[ai], assoc_path[ai], &en);
        if (eps <= 0) {
            arena_free(a);
            return -1;
        }
        char eps_path[128];
        child_path(eps_path, sizeof eps_path, assoc_path[ai], eps);
        for (int u = 0; u < DEMO_NATIONAL_UNITS_PER_EPS; u++) {
            char un[64], un_ar[96];
            snprintf(un, sizeof un, "%s %d", k->unit_fr, u + 1);
            snprintf(un_ar, sizeof un_ar, "%s %d", k->unit_ar, u + 1);
            demo_node_t n = {.kind = "unit", .name = un, .name_ar = un_ar, .unit_kind = k->unit_kind};
            if (demo_node(d, eps, eps_path, &n) <= 0) {
                arena_free(a);
                return -1;
            }
        }
    }
    arena_free(a);
    return 0;
}

int nodes_demo(app_demo_t *d)
{
    int64_t root = nodes_root_id(d->db);
    if (root <= 0)
        return DB_ERR;
    char root_path[32], path[128];
    child_path(root_path, sizeof root_path, "/", root);
    demo_node_t a1 = {.kind = "association", .name = "Association Amal pour l'enfance",
                      .name_ar = "جمعية أمل للطفولة"};
    int64_t amal = demo_node(d, root, root_path, &a1);
    if (amal <= 0)
        return DB_ERR;
    child_path(path, sizeof path, root_path, amal);
    for (size_t i = 0; i < ARRAY_LEN(demo_amal_eps); i++)
        if (demo_eps(d, amal, path, &demo_amal_eps[i], "children") != 0)
            return DB_ERR;

    demo_node_t a2 = {.kind = "association", .name = "Association Nour Solidarité",
                      .name_ar = "جمعية نور للتضامن"};
    int64_t nour = demo_node(d, root, root_path, &a2);
    if (nour <= 0)
        return DB_ERR;
    child_path(path, sizeof path, root_path, nour);
    demo_eps_t fes = {"Foyer Nour Fès", "مؤسسة نور فاس", "fes_meknes", "Fès", "EPS-FM-2020-009",
                      40, 0, NULL, NULL, NULL};
    if (demo_eps(d, nour, path, &fes, "children") != 0)
        return DB_ERR;
    int64_t fes_id = db_query_int(d->db, "SELECT id FROM nodes WHERE parent_id = ? AND name = ?",
                                  PARAMS(P_INT(nour), P_TEXT(fes.name)), 0);
    char fes_path[128];
    child_path(fes_path, sizeof fes_path, path, fes_id);
    demo_node_t ma = {.kind = "unit", .name = "Maison A", .name_ar = "البيت أ", .unit_kind = "family_house"};
    demo_node_t mb = {.kind = "unit", .name = "Maison B", .name_ar = "البيت ب", .unit_kind = "family_house"};
    if (fes_id <= 0 || demo_node(d, fes_id, fes_path, &ma) <= 0 || demo_node(d, fes_id, fes_path, &mb) <= 0)
        return DB_ERR;

    if (d->scale == DEMO_NATIONAL && demo_country(d, root, root_path) != 0)
        return DB_ERR;
    return DB_OK;
}
