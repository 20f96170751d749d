/* capit_demo.c - the capitalisation part of `jouda demo`. At the small
 * scale, ten sheets of the demo establishments in French and Arabic,
 * written by their directors and referents through the model (so each
 * has its history): most published by the association's quality advisor
 * (or its administrator), one in review, one draft, and a published sheet
 * whose second version is being written. At the national scale, a
 * published sheet for about a third of the country's establishments, in
 * bulk, with titles from a pool. Running it again adds nothing. */
#include "capit_internal.h"

#include <string.h>

#include "../search/search.h"

typedef struct {
    const char *ref, *crit;
} demo_crit_t;

typedef struct {
    const char *eps;      /* the establishment's name */
    const char *title, *theme, *lang;
    const char *text[CAP_NTEXT];
    const char *ind[4][3];
    const char *contributors;
    demo_crit_t crit[3];
    const char *docs;     /* codes of the library's documents, space separated */
    int life;             /* 0 draft, 1 review, 2 published, 3 published with a v2 draft */
} demo_sheet_t;

#define CASA "Village d'enfants Casablanca - Aïn Chock"
#define BOUAZZA "Village d'enfants Dar Bouazza"
#define TANGER "Village d'enfants Tanger"
#define MARRAKECH "Village d'enfants Marrakech"
#define AGADIR "Village d'enfants Agadir"
#define FES "Foyer Nour Fès"
#define REF "JOUDA-EPS-ENFANCE"

static const demo_sheet_t sheets[] = {
    {CASA, "Conseil des enfants : donner la parole aux enfants chaque mois", "participation_enfant", "fr",
     {"Le village accueille 96 enfants de 6 à 18 ans dans douze maisons. En 2023, l'auto-évaluation "
      "a montré que les enfants étaient **peu consultés** : le critère sur le conseil des enfants "
      "était noté 1 sur 4.",
      "- **Septembre 2023** : première réunion avec les éducateurs, choix d'un délégué par maison.\n"
      "- **Octobre 2023** : premier conseil, les enfants fixent eux-mêmes leurs règles de parole.\n"
      "- **Janvier 2024** : le conseil obtient un petit budget pour les activités du mercredi.\n"
      "- **Juin 2024** : bilan avec les enfants et la direction.",
      "Que chaque enfant puisse donner son avis sur la vie du village et voir ses propositions "
      "suivies d'effet.",
      "Douze délégués élus (un par maison, filles et garçons à parts égales), deux éducateurs "
      "animateurs, la directrice qui répond à chaque proposition, la référente qualité qui tient "
      "le tableau de suivi.",
      "Un conseil par mois, le premier mercredi, une heure et demie. Ordre du jour préparé dans "
      "chaque maison la semaine d'avant. Compte rendu en mots simples affiché dans les maisons, "
      "avec la réponse de la direction à chaque proposition.",
      "Le **tableau des propositions** affiché à l'entrée : chaque idée y reste jusqu'à sa "
      "réponse (faite, en cours, refusée avec la raison). Les plus jeunes votent avec des "
      "gommettes de couleur.",
      "En un an, onze conseils se sont tenus et 23 propositions ont été mises en œuvre (menus du "
      "week-end, horaires de télévision, sortie à la mer). Les enfants disent se sentir écoutés.",
      "Au début, les éducateurs craignaient de perdre leur autorité. Les plus jeunes parlaient peu : "
      "les gommettes et les dessins ont aidé.",
      "Répondre à **chaque** proposition, même par un refus expliqué : c'est ce qui donne confiance. "
      "Un conseil sans suite décourage plus qu'aucun conseil.",
      "Deux éducateurs volontaires formés à l'animation, une salle, une heure et demie par mois, "
      "un engagement écrit de la direction à répondre dans le mois.",
      "Modèle d'ordre du jour, tableau de suivi des propositions, charte du délégué (en français "
      "et en arabe)."},
     {{"Conseils tenus en un an", "11", ""}, {"Propositions mises en œuvre", "23", ""},
      {"Enfants ayant participé à un vote", "85", "%"}},
     "Association des parents d'élèves du quartier",
     {{REF, "2.1"}, {REF, "2.3"}, {NULL, NULL}},
     "proc-conseil-enfants",
     2},
    {CASA, "Accueil d'un enfant nouvellement placé : les 30 premiers jours", "bientraitance", "fr",
     {"Les premiers jours dans un village d'enfants sont souvent vécus dans la peur. Les arrivées "
      "se faisaient parfois le soir, sans préparation de la maison.",
      "Un groupe de travail de mères SOS et d'éducateurs s'est réuni quatre fois au printemps 2024 "
      "pour écrire le parcours d'accueil, testé ensuite sur neuf arrivées.",
      "Que chaque enfant soit attendu, accueilli par une personne qu'il connaît déjà, et ait un "
      "projet personnalisé écrit dans les trois mois.",
      "Mères SOS, éducateur référent, assistante sociale, psychologue, l'enfant et, quand c'est "
      "possible, sa famille.",
      "- une visite du village **avant** l'arrivée quand le placement le permet ;\n"
      "- une chambre préparée avec l'enfant (couleur, photo, doudou) ;\n"
      "- un livret d'accueil illustré ;\n"
      "- un point à J+7, J+15 et J+30 avec l'enfant.",
      "Le livret illustré, dessiné avec les enfants déjà accueillis.",
      "Neuf enfants accueillis selon le parcours ; huit ont eu leur projet personnalisé dans les "
      "trois mois (contre la moitié avant).",
      "Les placements en urgence ne laissent pas le temps de la visite : une version courte du "
      "parcours a été écrite pour eux.",
      "Préparer la maison autant que l'enfant : les autres enfants de la maison sont les premiers "
      "à accueillir.",
      "Une personne référente disponible le jour de l'arrivée, un livret imprimé, une demi-journée "
      "de formation des mères SOS.",
      "Livret d'accueil, grille des points J+7, J+15, J+30."},
     {{"Enfants accueillis selon le parcours", "9", ""},
      {"Projets personnalisés écrits dans les 3 mois", "89", "%"}},
     "",
     {{REF, "3.1"}, {REF, "3.2"}, {NULL, NULL}},
     "",
     3},
    {TANGER, "Ateliers parents-enfants du samedi", "famille", "fr",
     {"Beaucoup d'enfants du village gardent des liens avec un parent, mais les visites se "
      "passaient dans un bureau, courtes et tendues.",
      "Lancés en janvier 2024 avec trois familles, les ateliers réunissent aujourd'hui quatorze "
      "familles un samedi sur deux.",
      "Rendre les visites plus chaleureuses et aider les parents à retrouver leur place.",
      "Parents, enfants, deux éducatrices, une animatrice bénévole, l'assistante sociale.",
      "Cuisine, jardinage, jeux de société, fabrication d'un album photo de l'enfant. Un goûter "
      "partagé termine chaque atelier.",
      "L'album photo que l'enfant garde et que le parent enrichit à chaque visite.",
      "Quatorze familles régulières ; deux retours en famille préparés grâce aux ateliers.",
      "Les transports coûtent cher aux familles : l'association rembourse désormais les tickets "
      "de bus.",
      "Faire *ensemble* plutôt que parler : une activité partagée apaise la rencontre.",
      "Une salle avec une cuisine, un petit budget de matériel, l'accord du juge pour les visites.",
      "Planning des ateliers, fiche d'inscription des familles."},
     {{"Familles régulières", "14", ""}, {"Retours en famille préparés", "2", ""}},
     "Mme Naïma B., animatrice bénévole",
     {{REF, "4.1"}, {NULL, NULL}, {NULL, NULL}},
     "",
     2},
    {TANGER, "مشروع دعم التمدرس", "education", "ar",
     {"كان ثلث أطفال القرية يكررون السنة الدراسية في الإعدادي، وكانت الأمهات البديلات لا يجدن "
      "الوقت لمتابعة الواجبات المنزلية.",
      "انطلق المشروع في أكتوبر 2023 بشراكة مع طلبة متطوعين من الكلية، ثم توسع سنة 2024 ليشمل "
      "جميع البيوت.",
      "تقليص التكرار الدراسي ومرافقة كل طفل في مساره الدراسي.",
      "الأطفال، الأمهات البديلات، المربي المرجعي للتمدرس، عشرون طالباً متطوعاً، مديرو المدارس.",
      "- حصص دعم أربع أمسيات في الأسبوع في مجموعات صغيرة؛\n- دفتر متابعة لكل طفل؛\n"
      "- لقاء كل ثلاثة أشهر مع المدرسة.",
      "دفتر المتابعة المشترك بين المدرسة والقرية.",
      "انخفضت نسبة التكرار في الإعدادي من 18% إلى 9% في سنة واحدة.",
      "صعوبة الحفاظ على انتظام المتطوعين خلال فترة الامتحانات.",
      "الشراكة مع المدرسة أساسية: الدعم وحده لا يكفي بدون تواصل منتظم مع الأساتذة.",
      "قاعة هادئة، متطوعون مؤطَّرون، اتفاقية مع الكلية.",
      "نموذج دفتر المتابعة، اتفاقية الشراكة مع الكلية."},
     {{"نسبة التكرار في الإعدادي", "9", "%"}, {"الطلبة المتطوعون", "20", ""}},
     "كلية الآداب بطنجة",
     {{REF, "5.1"}, {REF, "5.2"}, {NULL, NULL}},
     "",
     2},
    {BOUAZZA, "ورشات التكوين المهني للأمهات", "insertion", "ar",
     {"تستقبل وحدة الأم والطفل أمهات عازبات في وضعية هشة، أغلبهن بدون تكوين مهني.",
      "بدأت ورشة الخياطة سنة 2022، وأضيفت ورشة الطبخ سنة 2023 بعد طلب الأمهات.",
      "تمكين كل أم من تكوين مؤهل ومن دخل يحفظ كرامتها.",
      "الأمهات، مكونتان معتمدتان، المساعدة الاجتماعية، مركز التكوين المهني، حضانة الوحدة.",
      "ثلاث حصص أسبوعياً، مع تكفل الحضانة بالأطفال خلال الحصص، وشهادة في نهاية التكوين.",
      "الحضانة داخل الوحدة التي تسمح للأمهات بالتكوين دون ترك أطفالهن.",
      "حصلت 17 أماً على شهادة، ووجدت 11 منهن عملاً خلال ستة أشهر.",
      "الغياب بسبب مرض الأطفال؛ تم تنظيم حصص استدراكية.",
      "التكوين ينجح حين تُحلّ مسألة رعاية الأطفال أولاً.",
      "مكونات معتمدات، حضانة، شراكة مع مركز للتكوين المهني.",
      "برنامج التكوين، استمارة تتبع الإدماج."},
     {{"أمهات حاصلات على شهادة", "17", ""}, {"أمهات وجدن عملاً", "11", ""}},
     "مركز التكوين المهني بالنواصر",
     {{NULL, NULL}, {NULL, NULL}, {NULL, NULL}},
     "",
     2},
    {MARRAKECH, "Référent santé et carnet de suivi de chaque enfant", "sante", "fr",
     {"Les informations de santé des enfants étaient dispersées entre les maisons et l'infirmerie.",
      "Un carnet de suivi a été testé dans trois maisons à partir de mars 2025.",
      "Que chaque enfant ait un bilan de santé à l'admission et un suivi régulier connu de tous.",
      "L'infirmière, les mères SOS, le médecin du centre de santé.",
      "Un carnet par enfant, rangé sous clé dans la maison ; un point mensuel avec l'infirmière.",
      "",
      "Tous les enfants des trois maisons ont un carnet à jour.",
      "",
      "Un outil simple et tenu par ceux qui vivent avec l'enfant fonctionne mieux qu'un dossier "
      "central.",
      "",
      ""},
     {{"Enfants avec un carnet à jour", "34", ""}},
     "",
     {{REF, "6.1"}, {NULL, NULL}, {NULL, NULL}},
     "",
     1},
    {CASA, "Préparer la sortie : l'appartement d'autonomie", "insertion", "fr",
     {"Les jeunes de 18 ans quittaient le foyer sans avoir jamais géré un budget ni un logement.",
      "", "", "", "", "", "", "",
      "À écrire après le premier bilan avec les jeunes.",
      "", ""},
     {{NULL, NULL, NULL}},
     "",
     {{REF, "8.3"}, {NULL, NULL}, {NULL, NULL}},
     "",
     0},
    {AGADIR, "Ateliers parents-enfants : jouer pour se retrouver", "famille", "fr",
     {"Le programme mère-enfant d'Agadir accompagne de jeunes mères et leurs bébés.",
      "Inspirés des ateliers de Tanger, les ateliers d'éveil ont commencé en 2024.",
      "Renforcer le lien entre la mère et son enfant pendant la première année.",
      "Les mères, l'éducatrice de jeunes enfants, la psychologue.",
      "Deux matinées par semaine : massage, comptines, jeux d'éveil.",
      "Les comptines en darija et en amazigh, apprises des mères elles-mêmes.",
      "Les mères disent mieux comprendre les pleurs de leur bébé.",
      "Certaines mères travaillent le matin : une séance le samedi a été ajoutée.",
      "Partir de ce que les mères savent déjà.",
      "Une salle chauffée, des tapis, une professionnelle formée à l'éveil.",
      "Carnet de comptines illustré."},
     {{"Mères participantes", "12", ""}},
     "",
     {{NULL, NULL}, {NULL, NULL}, {NULL, NULL}},
     "",
     2},
    {FES, "لجنة اليقظة ضد سوء المعاملة", "bientraitance", "ar",
     {"بعد حادث سنة 2023، قررت المؤسسة وضع سياسة واضحة لحماية الأطفال.",
      "تأسست لجنة اليقظة في يناير 2024 وتجتمع كل شهر.",
      "الوقاية من كل أشكال سوء المعاملة والتعامل السريع مع كل شك.",
      "المديرة، الأخصائية النفسية، مربيان، ممثل عن الأطفال.",
      "- ميثاق حسن المعاملة يوقعه كل مهني؛\n- صندوق للشكايات في متناول الأطفال؛\n"
      "- تكوين سنوي لكل الفريق.",
      "مشاركة ممثل عن الأطفال في اللجنة.",
      "عولجت كل الشكايات في أقل من أسبوع، ولم يسجل أي حادث خطير منذ إنشاء اللجنة.",
      "تردد بعض المهنيين في التبليغ في البداية.",
      "الثقة تُبنى عندما يرى الأطفال أن شكاياتهم تعالج فعلاً.",
      "ميثاق مكتوب، تكوين، لجنة تجتمع بانتظام.",
      "ميثاق حسن المعاملة، مسطرة التبليغ."},
     {{"شكايات عولجت في أقل من أسبوع", "100", "%"}},
     "",
     {{REF, "7.1"}, {REF, "7.2"}, {NULL, NULL}},
     "proc-signalement",
     2},
    {FES, "Partenariat avec le centre de santé du quartier", "partenariat", "fr",
     {"Le foyer n'a pas d'infirmière à plein temps ; les consultations prenaient des demi-journées.",
      "Une convention a été signée en septembre 2024 avec le centre de santé voisin.",
      "Un suivi médical régulier pour chaque enfant, sans attente.",
      "La directrice, le médecin chef du centre, les éducateurs.",
      "Un créneau réservé chaque mardi, un dossier partagé, une journée de prévention par trimestre.",
      "", "Tous les enfants ont eu leur bilan annuel ; les vaccinations sont à jour.",
      "", "Une convention écrite et un interlocuteur nommé de chaque côté font durer le partenariat.",
      "L'accord de la délégation de la santé, un créneau fixe.",
      "Modèle de convention."},
     {{"Enfants avec bilan annuel", "100", "%"}},
     "",
     {{REF, "6.1"}, {REF, "10.5"}, {NULL, NULL}},
     "",
     2},
};

/* The first active account holding role at the node of path ("" none). */
static int64_t holder(db_t *db, const char *path, role_t role)
{
    json_t *h = users_holding(db, path, role);
    int64_t id = json_integer_value(json_object_get(json_array_get(h, 0), "id"));
    json_decref(h);
    return id;
}

/* The parent path of an EPS path ("/1/4/9/" -> "/1/4/"). */
static const char *parent_path(arena_t *a, const char *path)
{
    size_t n = strlen(path);
    if (n < 2)
        return path;
    size_t k = n - 1;
    while (k > 0 && path[k - 1] != '/')
        k--;
    return arena_strndup(a, path, k);
}

static void fill_input(arena_t *a, const demo_sheet_t *d, cap_input_t *in, int64_t director,
                       int64_t referent)
{
    memset(in, 0, sizeof *in);
    in->title = d->title;
    in->theme = d->theme;
    in->lang = d->lang;
    in->contributors = d->contributors;
    for (int i = 0; i < CAP_NTEXT; i++)
        in->text[i] = d->text[i] ? d->text[i] : "";
    in->has_indicators = in->has_authors = in->has_criteria = in->has_documents = true;
    for (size_t i = 0; i < 4 && d->ind[i][0]; i++)
        in->ind[in->n_ind++] = (cap_indicator_t){d->ind[i][0], d->ind[i][1], d->ind[i][2]};
    if (director > 0)
        in->authors[in->n_authors++] = director;
    if (referent > 0)
        in->authors[in->n_authors++] = referent;
    for (size_t i = 0; i < 3 && d->crit[i].ref; i++)
        in->crit[in->n_crit++] = (cap_crit_t){d->crit[i].ref, d->crit[i].crit};
    if (d->docs && *d->docs) {
        char *copy = arena_strdup(a, d->docs), *save = NULL;
        for (char *t = strtok_r(copy, " ", &save); t && in->n_docs < CAP_DOCUMENTS_MAX;
             t = strtok_r(NULL, " ", &save))
            in->docs[in->n_docs++] = t;
    }
}

static bool small_one(app_demo_t *dm, arena_t *a, const node_t *eps, const demo_sheet_t *d)
{
    db_t *db = dm->db;
    if (db_query_int(db, "SELECT COUNT(*) FROM sheets WHERE eps_id = ? AND title = ?",
                     PARAMS(P_INT(eps->id), P_TEXT(d->title)), 0) > 0) {
        app_demo_count(dm, "capitalisation sheets", false);
        return true;
    }
    int64_t director = holder(db, eps->path, ROLE_DIRECTOR);
    int64_t referent = holder(db, eps->path, ROLE_QUALITY_REFERENT);
    const char *assoc = parent_path(a, eps->path);
    int64_t publisher = holder(db, assoc, ROLE_QUALITY_ADVISOR);
    if (publisher <= 0)
        publisher = holder(db, assoc, ROLE_ADMIN);
    int64_t writer = referent > 0 ? referent : director;
    cap_input_t *in = arena_alloc(a, sizeof *in);
    fill_input(a, d, in, director, referent);
    cap_place_t p = {.node_id = eps->id, .node_path = eps->path, .eps_id = eps->id,
                     .eps_name = eps->name, .status = CAP_DRAFT};
    cap_ctx_t w = {db, a, writer, NULL}, pub = {db, a, publisher, NULL};
    bool mine;
    if (!app_tx_begin(db, &mine))
        return false;
    int64_t id = 0;
    sheet_t s;
    bool ok = cap_create(&w, &p, in, &id) == RES_OK;
    if (ok && d->life >= 1)
        ok = cap_load(db, a, id, &s) == 0 && cap_set_status(&w, &s, CAP_REVIEW, NULL, 0) == RES_OK;
    if (ok && d->life >= 2)
        ok = cap_load(db, a, id, &s) == 0 &&
             cap_set_status(publisher > 0 ? &pub : &w, &s, CAP_PUBLISHED, NULL, 0) == RES_OK;
    if (ok && d->life == 3) {
        /* its second version, being written: the lessons completed */
        cap_input_t *v2 = arena_alloc(a, sizeof *v2);
        memset(v2, 0, sizeof *v2);
        v2->text[CAP_T_LESSONS] =
            arena_printf(a, "%s\n\nAprès un an : associer un enfant déjà accueilli comme "
                            "« parrain » rassure beaucoup le nouvel arrivant.",
                         d->text[CAP_T_LESSONS]);
        int64_t nid = 0, open = 0;
        ok = cap_load(db, a, id, &s) == 0 && cap_new_version(&w, &s, v2, &nid, &open) == RES_OK;
    }
    if (app_tx_end(db, mine, ok) != DB_OK || !ok)
        return false;
    app_demo_count(dm, "capitalisation sheets", true);
    return true;
}

/* --- the national scale -------------------------------------------------------- */

static const struct {
    const char *title, *theme, *lang, *context, *lessons;
} pool[] = {
    {"Conseil des enfants", "participation_enfant", "fr",
     "Les enfants de l'établissement étaient peu consultés sur la vie quotidienne.",
     "Répondre à chaque proposition des enfants, même par un refus expliqué."},
    {"Accueil d'un enfant nouvellement placé", "bientraitance", "fr",
     "Les arrivées se faisaient sans préparation de la maison ni de l'équipe.",
     "Préparer la maison autant que l'enfant : les autres enfants accueillent aussi."},
    {"مشروع دعم التمدرس", "education", "ar",
     "كان عدد كبير من الأطفال يكررون السنة الدراسية.",
     "الشراكة المنتظمة مع المدرسة أساس نجاح الدعم المدرسي."},
    {"Ateliers parents-enfants", "famille", "fr",
     "Les visites des familles se passaient dans un bureau, courtes et tendues.",
     "Faire ensemble plutôt que parler : une activité partagée apaise la rencontre."},
    {"ورشات التكوين المهني", "insertion", "ar",
     "أغلب المستفيدين بدون تكوين مهني عند خروجهم من المؤسسة.",
     "التكوين ينجح حين يكون مرتبطاً بفرص عمل حقيقية في المنطقة."},
    {"Carnet de santé partagé", "sante", "fr",
     "Les informations de santé étaient dispersées entre plusieurs professionnels.",
     "Un outil simple tenu par ceux qui vivent avec la personne fonctionne mieux."},
    {"لجنة حسن المعاملة", "bientraitance", "ar",
     "لم تكن للمؤسسة مسطرة واضحة للتبليغ عن سوء المعاملة.",
     "الثقة تُبنى عندما يرى المستفيدون أن شكاياتهم تعالج فعلاً."},
    {"Comité de pilotage de la démarche qualité", "qualite", "fr",
     "La démarche qualité reposait sur une seule personne.",
     "Un comité qui se réunit à date fixe fait vivre la démarche au-delà des personnes."},
    {"Partenariat avec le centre de santé", "partenariat", "fr",
     "Les consultations médicales prenaient des demi-journées d'attente.",
     "Une convention écrite et un interlocuteur nommé de chaque côté font durer le partenariat."},
    {"أنشطة رياضية وثقافية منتظمة", "education", "ar",
     "كانت أوقات الفراغ غير منظمة في نهاية الأسبوع.",
     "إشراك المستفيدين في اختيار الأنشطة يضمن حضورهم."},
};

static int national(app_demo_t *dm, arena_t *a, const node_t *eps, size_t n)
{
    db_t *db = dm->db;
    bool mine;
    if (!app_tx_begin(db, &mine))
        return DB_ERR;
    bool ok = true;
    int64_t now = now_utc();
    for (size_t i = 0; ok && i < n; i++) {
        uint32_t h = hash_mix32((uint32_t)eps[i].id * 2654435761u);
        if (h % 3 != 0)
            continue;
        if (db_query_int(db, "SELECT COUNT(*) FROM sheets WHERE eps_id = ?",
                         PARAMS(P_INT(eps[i].id)), 0) > 0) {
            app_demo_count(dm, "capitalisation sheets", false);
            continue;
        }
        size_t k = (h / 3) % ARRAY_LEN(pool);
        const char *code = cap_new_code(db, a);
        char *key = cap_search_key(pool[k].title, code, eps[i].name);
        int64_t when = now - (int64_t)(h % 700) * 86400;
        db_res_t *res = db_query(
            db,
            "INSERT INTO sheets (code, version, node_id, node_path, eps_id, eps_name, title, theme,"
            " lang, status, context, lessons, created_at, updated_at, published_at, submitted_at,"
            " search_key) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, 'published', ?, ?, ?, ?, ?, ?, ?)"
            " RETURNING id",
            PARAMS(P_TEXT(code), P_INT(eps[i].id), P_TEXT(eps[i].path), P_INT(eps[i].id),
                   P_TEXT(eps[i].name), P_TEXT(pool[k].title), P_TEXT(pool[k].theme),
                   P_TEXT(pool[k].lang), P_TEXT(pool[k].context), P_TEXT(pool[k].lessons),
                   P_INT(when), P_INT(when), P_INT(when), P_INT(when), P_TEXT(key)));
        free(key);
        int64_t id = res && db_next(res) ? db_int(res, 0) : 0;
        db_res_free(res);
        ok = id > 0 && code;
        if (ok) {
            search_doc_t sd = {.type = "sheet", .id = id, .lang = pool[k].lang,
                               .node_path = eps[i].path, .perm = PERM_QUALITY_READ,
                               .everyone = true, .title = pool[k].title,
                               .body = arena_printf(a, "%s\n\n%s", pool[k].context, pool[k].lessons),
                               .href = cap_sheet_href(a, id)};
            ok = search_put(db, &sd) == DB_OK;
        }
        app_demo_count(dm, "capitalisation sheets", true);
    }
    if (app_tx_end(db, mine, ok) != DB_OK || !ok)
        return DB_ERR;
    return DB_OK;
}

int cap_demo(app_demo_t *d)
{
    arena_t *a = arena_new();
    size_t n = 0;
    node_t *eps = nodes_all_eps(d->db, a, &n);
    int rc = DB_OK;
    for (size_t i = 0; rc == DB_OK && i < ARRAY_LEN(sheets); i++)
        for (size_t k = 0; k < n; k++)
            if (str_eq(eps[k].name, sheets[i].eps)) {
                if (!small_one(d, a, &eps[k], &sheets[i]))
                    rc = DB_ERR;
                break;
            }
    if (rc == DB_OK && d->scale == DEMO_NATIONAL)
        rc = national(d, a, eps, n);
    arena_free(a);
    return rc;
}
