/* library_demo.c - the document library's part of `jouda demo`. Small
 * scale: the national library (a charter of the child's rights, the
 * complaints procedure, the steering committee's minutes template, an
 * archived admission procedure), the association Amal's model of an
 * individual support plan and incident form, and the procedures and
 * protocols of its establishments in French and Arabic: Casablanca's
 * safeguarding procedure in its third version (read by some of the staff,
 * one house mother still on the second), a reception protocol with a new
 * version waiting for approval, its Arabic counterpart, the house rules
 * past their review date, a draft; one protocol in Tanger and one
 * procedure in Fès (association Nour). Files are small PDFs drawn by the
 * doc engine. National scale: the same, and a model and a form for each
 * association and a procedure for one establishment in ten, in bulk. Codes
 * are fixed (from the place and rank), so that running it again adds
 * nothing and two demo instances share them (kits merge cleanly). */
#include "library_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/fold.h"
#include "../doc/doc.h"

typedef struct {
    char where;          /* 'R' root, 'A' Amal, 'N' Nour, 'C' Casablanca, 'T' Tanger, 'F' Fès */
    const char *kind;
    const char *title_fr, *title_ar, *summary;
    int versions;        /* files uploaded: 1..3 */
    char status;         /* 'a' approved, 'p' approved + a newer version waiting, 'd' draft, 'x' archived */
    int review;          /* days from today of the review date; 0: none */
    const char *criteria;/* "REF code;REF code" */
    const char *owner;   /* "director" "referent" "admin" "advisor" */
} demo_doc_t;

// clang-format off
static const demo_doc_t small_docs[] = {
    {'R', "procedure", "Charte des droits de l'enfant accueilli", "ميثاق حقوق الطفل المستقبَل",
     "Les droits de l'enfant accueilli en établissement de protection sociale, à remettre à chaque enfant et à sa famille dès l'admission, en français et en arabe.",
     2, 'a', 300, "JOUDA-EPS-ENFANCE 1.1;JOUDA-EPS-ENFANCE 1.2", "admin"},
    {'R', "procedure", "Procédure de gestion des réclamations", "مسطرة تدبير الشكايات",
     "Comment recevoir, enregistrer, traiter et répondre à une réclamation d'un enfant, d'une famille ou d'un partenaire, et en tirer des actions d'amélioration.",
     1, 'a', 180, "JOUDA-EPS-ENFANCE 7.4", "admin"},
    {'R', "template", "Modèle de compte rendu du comité de pilotage qualité", NULL,
     "Ordre du jour, présents, décisions et suivi des actions du comité de pilotage de la démarche qualité.",
     1, 'a', 0, "JOUDA-EPS-ENFANCE 10.1", "admin"},
    {'R', "procedure", "Ancienne procédure d'admission (2019)", NULL,
     "Remplacée par le protocole d'accueil d'un nouvel enfant.", 1, 'x', 0, NULL, "admin"},
    {'A', "template", "Modèle de projet personnalisé", "نموذج المشروع الشخصي",
     "Le document commun aux établissements de l'association pour écrire le projet personnalisé de chaque enfant : besoins par domaine de vie, objectifs, actions, paroles de l'enfant, signatures.",
     2, 'a', 240, "JOUDA-EPS-ENFANCE 3.2;JOUDA-EPS-ENFANCE 3.3", "advisor"},
    {'A', "form", "Formulaire de déclaration d'incident", "استمارة التصريح بحادث",
     "À remplir le jour même par le professionnel témoin d'un incident ou d'un événement indésirable, puis à remettre à la direction.",
     1, 'a', 120, "JOUDA-EPS-ENFANCE 7.3", "advisor"},
    {'C', "procedure", "Procédure de signalement et de protection de l'enfant", "مسطرة التبليغ وحماية الطفل",
     "Ce que fait tout professionnel qui constate ou soupçonne une maltraitance : protéger l'enfant, alerter la direction, écrire les faits, signaler aux autorités compétentes, accompagner l'enfant.",
     3, 'a', 240, "JOUDA-EPS-ENFANCE 7.1;JOUDA-EPS-ENFANCE 7.2", "director"},
    {'C', "protocol", "Protocole d'accueil d'un nouvel enfant", NULL,
     "Les étapes de l'arrivée d'un enfant : préparation de la maison, premier jour, référent éducatif, bilan de santé, premiers rendez-vous avec la famille.",
     2, 'p', 200, "JOUDA-EPS-ENFANCE 3.1;Q4C 5", "referent"},
    {'C', "protocol", NULL, "بروتوكول استقبال طفل جديد",
     "مراحل استقبال الطفل الجديد: تحضير البيت، اليوم الأول، المربي المرجعي، الفحص الطبي، أول لقاء مع الأسرة.",
     1, 'a', 200, "JOUDA-EPS-ENFANCE 3.1", "referent"},
    {'C', "procedure", "Règlement de fonctionnement", "النظام الداخلي",
     "Les règles de la vie collective de l'établissement, les droits et les devoirs de chacun, les horaires et les sorties.",
     2, 'a', -12, "JOUDA-EPS-ENFANCE 1.1", "director"},
    {'C', "procedure", "Procédure de gestion des sorties et des fugues", NULL,
     "Projet : autorisations de sortie, retour tardif, absence inexpliquée, fugue ; qui prévient qui, et dans quel délai.",
     1, 'd', 0, "JOUDA-EPS-ENFANCE 7.1", "referent"},
    {'T', "protocol", "Protocole de sortie du week-end", "بروتوكول الخروج في عطلة نهاية الأسبوع",
     "Préparer avec l'enfant et sa famille les sorties du week-end, les autoriser, les suivre et en parler au retour.",
     1, 'a', 150, "JOUDA-EPS-ENFANCE 4.1", "director"},
    {'F', "procedure", "Procédure d'accueil des mères et de leurs enfants", "مسطرة استقبال الأمهات وأطفالهن",
     "L'accueil d'une mère seule et de son enfant : premier entretien, hébergement, accompagnement social et juridique, projet de sortie.",
     1, 'a', 220, NULL, "director"},
};
// clang-format on

static const char *const version_notes[] = {
    "Première version validée en réunion d'équipe.",
    "Mise à jour après l'auto-évaluation : rôles précisés et numéros d'urgence ajoutés.",
    "Révision annuelle : circuit de signalement simplifié et fiche réflexe ajoutée.",
};

/* A small A4 PDF saying what the document is (its version on the cover). */
static int demo_pdf(const char *lang, const char *title, const char *summary, int version,
                    buf_t *out)
{
    bool ar = str_eq(lang, "ar");
    char note[64];
    snprintf(note, sizeof note, ar ? "الإصدار %d" : "Version %d", version);
    doc_opts_t o = {.lang = lang, .title = title, .subtitle = ar ? "وثيقة للتوضيح" : "Document de démonstration",
                    .cover_note = note, .header = title, .footer = "Jouda", .cover = false};
    doc_t *d = doc_new(&o);
    doc_heading(d, 1, title);
    doc_note(d, note);
    doc_paragraph(d, summary ? summary : "");
    doc_heading(d, 2, ar ? "من يطبق هذه الوثيقة" : "Qui applique ce document");
    doc_paragraph(d, ar ? "كل مهنيي المؤسسة، بتنسيق مع المدير والمرجع في الجودة."
                        : "Tous les professionnels de l'établissement, avec la direction et le référent qualité.");
    doc_heading(d, 2, ar ? "المراجعة" : "Révision");
    doc_paragraph(d, ar ? "تراجع هذه الوثيقة مرة في السنة على الأقل، أو بعد كل حادث مهم."
                        : "Ce document est revu au moins une fois par an, ou après tout événement important.");
    int rc = doc_render_pdf(d, out);
    doc_free(d);
    return rc;
}

/* A file name from a title: "procedure-de-signalement-v3.pdf" (the code
 * for a title without Latin letters). */
static const char *file_slug(arena_t *a, const char *title, const char *code, int version)
{
    char *folded = text_fold(title ? title : "");
    char out[64];
    size_t n = 0;
    bool dash = false;
    for (const char *c = folded; *c && n < 48; c++) {
        bool keep = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9');
        if (keep) {
            if (dash && n > 0)
                out[n++] = '-';
            out[n++] = *c;
            dash = false;
        } else {
            dash = true;
        }
    }
    out[n] = '\0';
    free(folded);
    return arena_printf(a, "%s-v%d.pdf", n >= 3 ? out : code, version);
}

static int64_t first_holder(db_t *db, const char *path, role_t role)
{
    json_t *list = users_holding(db, path, role);
    int64_t id = json_integer_value(json_object_get(json_array_get(list, 0), "id"));
    json_decref(list);
    return id;
}

static const char *demo_code(arena_t *a, uint32_t seed)
{
    return arena_printf(a, "doc-%08x", hash_mix32(seed));
}

static void backdate(db_t *db, int64_t doc_id, int64_t number, int64_t at)
{
    db_exec(db, "UPDATE document_versions SET created_at = ? WHERE document_id = ? AND number = ?",
            PARAMS(P_INT(at), P_INT(doc_id), P_INT(number)));
}

/* One document with its versions, as its writers would have made it. */
static int demo_one(app_demo_t *dm, arena_t *a, const demo_doc_t *s, const char *code,
                    const node_t *node, int64_t actor, int64_t owner, int64_t approver,
                    const unsigned char *pdf, size_t pdf_len, int64_t *id_out)
{
    db_t *db = dm->db;
    lib_doc_t d;
    if (lib_load_code(db, a, code, &d) == 0) {
        app_demo_count(dm, "documents", false);
        *id_out = 0;
        return DB_OK;
    }
    char today[11];
    iso_day_local(now_utc(), today);
    lib_input_t in;
    memset(&in, 0, sizeof in);
    in.code = code;
    in.kind = s->kind;
    in.title_fr = s->title_fr;
    in.title_ar = s->title_ar;
    in.summary = s->summary;
    in.owner_id = owner;
    char review[11] = "";
    if (s->review) {
        iso_day_format(iso_day_number(today) + s->review, review);
        in.review_on = review;
    }
    lib_crit_t crit[8];
    if (s->criteria) {
        char buf[200];
        snprintf(buf, sizeof buf, "%s", s->criteria);
        for (char *tok = strtok(buf, ";"); tok && in.n_criteria < 8; tok = strtok(NULL, ";")) {
            char *sp = strchr(tok, ' ');
            if (!sp)
                continue;
            *sp = '\0';
            crit[in.n_criteria].ref = arena_strdup(a, tok);
            crit[in.n_criteria].code = arena_strdup(a, sp + 1);
            in.n_criteria++;
        }
        in.criteria = crit;
    }
    int64_t id = 0;
    if (lib_create(db, a, actor, NULL, node->id, node->path, &in, &id) != RES_OK)
        return DB_ERR;
    int64_t now = now_utc();
    const char *lang = s->title_fr ? "fr" : "ar";
    const char *title = s->title_fr ? s->title_fr : s->title_ar;
    for (int v = 1; v <= s->versions; v++) {
        buf_t b;
        buf_init(&b);
        const unsigned char *data = pdf;
        size_t len = pdf_len;
        if (!pdf) {
            if (demo_pdf(lang, title, s->summary, v, &b) != 0) {
                buf_free(&b);
                return DB_ERR;
            }
            data = (const unsigned char *)b.data;
            len = b.len;
        }
        if (lib_load(db, a, id, &d) != 0) {
            buf_free(&b);
            return DB_ERR;
        }
        http_file_t f;
        memset(&f, 0, sizeof f);
        f.field = "file";
        f.filename = file_slug(a, title, code, v);
        f.data = (const char *)data;
        f.len = len;
        const char *msgid = NULL;
        res_t rc = lib_add_version(db, a, v == 1 ? actor : owner, NULL, &d, &f,
                                   version_notes[(v - 1) % 3], 0, false, 0, NULL, &msgid);
        buf_free(&b);
        if (rc != RES_OK)
            return DB_ERR;
        backdate(db, id, v, now - (int64_t)(s->versions - v + 1) * 120 * 86400);
        /* every version but a pending last one was approved in its time */
        bool last = v == s->versions;
        if (s->status != 'd' && !(last && s->status == 'p')) {
            if (lib_load(db, a, id, &d) != 0 ||
                lib_set_status(db, a, approver, NULL, &d, LIB_APPROVED, 0) != RES_OK)
                return DB_ERR;
        }
    }
    /* approved a few days after it was written */
    db_exec(db,
            "UPDATE documents SET approved_at = (SELECT v.created_at + 3 * 86400 FROM"
            " document_versions v WHERE v.document_id = documents.id AND v.number ="
            " documents.approved_version) WHERE id = ? AND approved_version > 0",
            PARAMS(P_INT(id)));
    if (s->status == 'x') {
        if (lib_load(db, a, id, &d) != 0 ||
            lib_set_status(db, a, approver, NULL, &d, LIB_ARCHIVED, 0) != RES_OK)
            return DB_ERR;
    }
    app_demo_count(dm, "documents", true);
    *id_out = id;
    return DB_OK;
}

static const node_t *eps_named(const node_t *eps, size_t n, const char *name)
{
    for (size_t i = 0; eps && i < n; i++)
        if (str_eq(eps[i].name, name))
            return &eps[i];
    return NULL;
}

/* Casablanca's safeguarding procedure: read by some of the staff in its
 * third version; a house mother read the second one only. */
static int demo_acks(db_t *db, int64_t doc_id, const node_t *casa)
{
    json_t *workers = users_workers(db, casa->path);
    int64_t fatima = users_find_id(db, "mere.fatima");
    int64_t educ = users_find_id(db, "educateur.casa");
    int64_t now = now_utc();
    int rc = DB_OK;
    size_t i;
    json_t *w;
    json_array_foreach(workers, i, w) {
        int64_t uid = json_integer_value(json_object_get(w, "id"));
        if (rc != DB_OK)
            break;
        if (uid == fatima) {
            rc = lib_ack_raw(db, doc_id, 2, uid, now - 200 * 86400);
            continue;
        }
        if (uid == educ || i % 3 == 0)
            rc = lib_ack_raw(db, doc_id, 3, uid, now - (int64_t)(i % 20 + 1) * 86400);
        else if (i % 3 == 1)
            rc = lib_ack_raw(db, doc_id, 2, uid, now - 150 * 86400);
    }
    json_decref(workers);
    return rc;
}

static int demo_small(app_demo_t *dm, arena_t *a, const node_t *eps, size_t n_eps)
{
    db_t *db = dm->db;
    node_t root;
    if (nodes_load(db, a, nodes_root_id(db), &root) != 0)
        return DB_ERR;
    const node_t *casa = eps_named(eps, n_eps, "Village d'enfants Casablanca - Aïn Chock");
    const node_t *tanger = eps_named(eps, n_eps, "Village d'enfants Tanger");
    const node_t *fes = eps_named(eps, n_eps, "Foyer Nour Fès");
    node_t amal, nour;
    bool has_amal = casa && nodes_load(db, a, casa->parent_id, &amal) == 0;
    bool has_nour = fes && nodes_load(db, a, fes->parent_id, &nour) == 0;
    int64_t root_admin = first_holder(db, root.path, ROLE_ADMIN);
    for (size_t k = 0; k < ARRAY_LEN(small_docs); k++) {
        const demo_doc_t *s = &small_docs[k];
        const node_t *node = s->where == 'R'   ? &root
                             : s->where == 'A' ? (has_amal ? &amal : NULL)
                             : s->where == 'N' ? (has_nour ? &nour : NULL)
                             : s->where == 'C' ? casa
                             : s->where == 'T' ? tanger
                                               : fes;
        if (!node)
            continue;
        int64_t actor, owner, approver;
        if (node->kind == NODE_EPS) {
            int64_t dir = first_holder(db, node->path, ROLE_DIRECTOR);
            int64_t ref = first_holder(db, node->path, ROLE_QUALITY_REFERENT);
            approver = dir;
            owner = str_eq(s->owner, "referent") && ref ? ref : dir;
            actor = ref ? ref : dir;
        } else {
            int64_t adm = first_holder(db, node->path, ROLE_ADMIN);
            int64_t adv = first_holder(db, node->path, ROLE_QUALITY_ADVISOR);
            if (!adm)
                adm = root_admin;
            approver = adm;
            owner = str_eq(s->owner, "advisor") && adv ? adv : adm;
            actor = adv ? adv : adm;
        }
        /* root documents: the same codes on every demo instance */
        uint32_t seed = s->where == 'R' ? 7000u + (uint32_t)k : (uint32_t)(node->id * 100 + k);
        int64_t id = 0;
        int rc = demo_one(dm, a, s, demo_code(a, seed), node, actor, owner, approver, NULL, 0, &id);
        if (rc != DB_OK)
            return rc;
        if (id > 0 && s->where == 'C' && s->versions == 3 && demo_acks(db, id, casa) != DB_OK)
            return DB_ERR;
    }
    return DB_OK;
}

// clang-format off
static const demo_doc_t bulk_assoc[] = {
    {'A', "template", "Modèle de projet personnalisé", "نموذج المشروع الشخصي",
     "Le modèle commun aux établissements de l'association pour écrire le projet personnalisé.",
     1, 'a', 365, "JOUDA-EPS-ENFANCE 3.2", "advisor"},
    {'A', "form", "Formulaire de déclaration d'incident", "استمارة التصريح بحادث",
     "À remplir le jour même par le professionnel témoin d'un incident.", 1, 'a', 365,
     "JOUDA-EPS-ENFANCE 7.3", "advisor"},
};
static const demo_doc_t bulk_eps = {
    'E', "procedure", "Procédure de signalement et de protection de l'enfant", "مسطرة التبليغ وحماية الطفل",
    "Ce que fait tout professionnel qui constate ou soupçonne une maltraitance.", 1, 'a', 300,
    "JOUDA-EPS-ENFANCE 7.2", "director"};
// clang-format on

static int demo_national(app_demo_t *dm, arena_t *a, const node_t *eps, size_t n_eps)
{
    /* the two demo associations have their documents from the small scale */
    const node_t *casa = eps_named(eps, n_eps, "Village d'enfants Casablanca - Aïn Chock");
    const node_t *fes = eps_named(eps, n_eps, "Foyer Nour Fès");
    int64_t amal = casa ? casa->parent_id : -1, nour = fes ? fes->parent_id : -1;
    db_t *db = dm->db;
    buf_t pdf;
    buf_init(&pdf);
    if (demo_pdf("fr", bulk_eps.title_fr, bulk_eps.summary, 1, &pdf) != 0) {
        buf_free(&pdf);
        return DB_ERR;
    }
    int64_t root_admin = first_holder(db, nodes_path_of(db, a, nodes_root_id(db)), ROLE_ADMIN);
    int rc = DB_OK;
    app_ids_t seen = {0};
    for (size_t i = 0; i < n_eps && rc == DB_OK; i++) {
        const node_t *e = &eps[i];
        if (e->parent_id == amal || e->parent_id == nour)
            continue;
        bool known = false;
        for (size_t k = 0; k < seen.n && !known; k++)
            known = seen.v[k] == e->parent_id;
        if (!known) {
            /* the first establishment of an association: its documents */
            *VEC_PUSH(a, &seen) = e->parent_id;
            node_t as;
            if (nodes_load(db, a, e->parent_id, &as) == 0) {
                for (size_t k = 0; k < ARRAY_LEN(bulk_assoc) && rc == DB_OK; k++) {
                    int64_t id;
                    rc = demo_one(dm, a, &bulk_assoc[k],
                                  demo_code(a, (uint32_t)(as.id * 100 + 50 + k)), &as, root_admin,
                                  root_admin, root_admin, (const unsigned char *)pdf.data, pdf.len,
                                  &id);
                }
            }
        }
        if (rc == DB_OK && i % 10 == 3) {
            int64_t dir = first_holder(db, e->path, ROLE_DIRECTOR);
            int64_t who = dir ? dir : root_admin;
            int64_t id;
            rc = demo_one(dm, a, &bulk_eps, demo_code(a, (uint32_t)(e->id * 100 + 60)), e, who, who,
                          who, (const unsigned char *)pdf.data, pdf.len, &id);
        }
    }
    buf_free(&pdf);
    return rc;
}

int lib_demo(app_demo_t *dm)
{
    arena_t *a = arena_new();
    size_t n = 0;
    node_t *eps = nodes_all_eps(dm->db, a, &n);
    bool mine;
    int rc = app_tx_begin(dm->db, &mine) ? DB_OK : DB_ERR;
    if (rc == DB_OK)
        rc = demo_small(dm, a, eps, n);
    if (rc == DB_OK && dm->scale == DEMO_NATIONAL)
        rc = demo_national(dm, a, eps, n);
    rc = app_tx_end(dm->db, mine, rc == DB_OK) == DB_OK && rc == DB_OK ? DB_OK : DB_ERR;
    arena_free(a);
    return rc;
}
