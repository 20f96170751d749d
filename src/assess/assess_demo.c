/* assess_demo.c - the self-assessment part of `jouda demo`. At the small
 * scale every establishment has a validated campaign of 2025 on the
 * référentiel of its kind (Jouda EPS-Enfance, or Jouda Mère-Enfant for
 * women's establishments), with scores, comments and evidence that tell a
 * story (strong on health and education, weaker on participation and
 * leaving care, one house that improves), and two of them a 2026 campaign in
 * progress. At the national scale every establishment has one campaign,
 * validated but in one establishment in ten, still in progress. Scores follow the guided-scoring rules (a 4 or a star has a
 * comment and evidence, a 2 or less says what is missing). Running it again
 * adds nothing. */
#include "assess_internal.h"

#include <string.h>


static const char *const comments_high[] = {
    "Pratique bien installée, vérifiée lors du traceur avec deux enfants et leur éducatrice.",
    "Les professionnels interrogés décrivent tous la même conduite; les documents sont à jour.",
    "Point fort de l'établissement, cité par les enfants eux-mêmes lors du conseil.",
    "Procédure écrite, connue de l'équipe et appliquée: trois exemples récents consultés.",
};
static const char *const comments_mid[] = {
    "En place dans la plupart des maisons; à harmoniser entre les équipes de jour et de nuit.",
    "La pratique existe mais la traçabilité reste irrégulière (registre incomplet en été).",
    "Bonne dynamique depuis la formation de mars; à consolider avec un suivi trimestriel.",
    "Connu des éducateurs référents, moins des nouveaux arrivants et des bénévoles.",
};
static const char *const comments_low[] = {
    "Manque une procédure écrite; les pratiques dépendent de chaque éducateur.",
    "Les enfants ne sont pas encore associés: aucun compte rendu de réunion sur ce point.",
    "Pas de suivi formalisé des jeunes après la sortie: à construire avec les partenaires.",
    "Documents absents ou non datés; l'équipe reconnaît le besoin d'un outil commun.",
};
static const char *const refs[] = {
    "Compte rendu de l'entretien avec l'équipe", "Registre consulté sur place",
    "Observation d'un temps de vie quotidienne", "Compte rendu du conseil des enfants",
};

/* The score of a criterion for an establishment whose level is base (2..3.6). */
static score_t demo_score(uint32_t h, double base, int theme, bool imperative)
{
    /* themes 3 (participation) and 8 (leaving care) are where most
     * establishments are weaker; 6 (health) and 5 (education) stronger */
    double v = base + (theme == 2 || theme == 8 ? -0.7 : theme == 5 || theme == 6 ? 0.4 : 0);
    v += ((double)(h % 1000) / 1000.0 - 0.5) * 1.4;
    if (imperative && v < 2.6)
        v += 0.8;
    if (h % 97 == 0)
        return SCORE_RI;
    if (v >= 3.55)
        return h % 5 == 0 ? SCORE_STAR : SCORE_4;
    if (v >= 2.55)
        return SCORE_3;
    if (v >= 1.7)
        return SCORE_2;
    return SCORE_1;
}

/* One campaign of eps on ref, filled up to fill (0..1), then moved to status. */
static int decide_proposals(db_t *db, arena_t *a, const campaign_t *c, int64_t eps_id);

static int demo_campaign(app_demo_t *d, const node_t *eps, const ref_t *ref, const ref_doc_t *doc,
                         int year, camp_status_t status, double fill, double base, uint32_t seed)
{
    db_t *db = d->db;
    arena_t *a = arena_new();
    const char *title = arena_printf(a, "Auto-évaluation %d", year);
    if (db_query_int(db, "SELECT COUNT(*) FROM campaigns WHERE node_id = ? AND title = ?",
                     PARAMS(P_INT(eps->id), P_TEXT(title)), 0) > 0) {
        app_demo_count(d, "self-assessment campaigns", false);
        arena_free(a);
        return DB_OK;
    }
    camp_input_t in = {.node_id = eps->id, .referentiel_id = ref->id, .title = title};
    in.period_start = arena_printf(a, "%d-01-15", year);
    in.period_end = arena_printf(a, "%d-06-30", year);
    in.methods = "accompanied_tracer|interview|documents|observation";
    in.p_staff = 8 + hash_mix32(seed) % 20;
    in.p_children = 5 + hash_mix32(seed + 1) % 25;
    in.p_families = hash_mix32(seed + 2) % 9;
    in.p_partners = 1 + hash_mix32(seed + 3) % 4;
    json_t *errors = json_object();
    int64_t id = 0;
    res_t rc = camp_create(db, a, 0, NULL, eps->path, eps->category, &in, errors, &id);
    json_decref(errors);
    if (rc != RES_OK) {
        arena_free(a);
        return rc == RES_INVALID ? DB_OK : DB_ERR;
    }
    camp_full_t f;
    if (camp_load_full(db, a, id, &f) != 0) {
        arena_free(a);
        return DB_ERR;
    }
    /* the document's texts: evidence to cite */
    int64_t now = now_utc();
    int64_t when = now - (int64_t)(2026 - year) * 365 * 86400;
    bool mine = false;
    if (!app_tx_begin(db, &mine)) {
        arena_free(a);
        return DB_ERR;
    }
    bool ok = true;
    size_t rated = 0;
    for (size_t k = 0; ok && k < f.n_crit; k++) {
        camp_crit_t *c = &f.crit[k];
        const ref_row_t *row = &f.rows[c->row];
        uint32_t h = hash_mix32(seed * 7919u + (uint32_t)k * 104729u);
        if ((double)(h % 1000) / 1000.0 >= fill)
            continue;
        int theme = atoi(row->code);
        score_t s = demo_score(h >> 8, base, theme, row->imperative);
        const char *comment = NULL;
        bool counts;
        double v = assess_score_value(s, &counts);
        if (s == SCORE_RI)
            comment = "Enfant trop jeune pour répondre lors du traceur; à revoir avec un aîné.";
        else if (v >= 4)
            comment = comments_high[h % ARRAY_LEN(comments_high)];
        else if (v >= 3)
            comment = h % 3 ? comments_mid[h % ARRAY_LEN(comments_mid)] : NULL;
        else
            comment = comments_low[h % ARRAY_LEN(comments_low)];
        db_res_t *res = db_query(
            db,
            "INSERT INTO ratings (campaign_id, item_id, code, score, comment, version, updated_by,"
            " updated_at) VALUES (?, ?, ?, ?, ?, 1, NULL, ?) RETURNING id",
            PARAMS(P_INT(id), P_INT(c->item_id), P_TEXT(c->code), P_TEXT(assess_score_code(s)),
                   P_TEXT(comment), P_INT(when)));
        int64_t rid = 0;
        if (res && db_next(res))
            rid = db_int(res, 0);
        db_res_free(res);
        ok = rid > 0;
        /* evidence: from the criterion's expected evidence, for good scores and some others */
        const ref_item_t *it = NULL;
        for (size_t q = 0; doc && q < doc->n_items && !it; q++)
            if (str_eq(doc->items[q].code, c->code))
                it = &doc->items[q];
        int nev = v >= 4 ? 1 + (int)(h % 2) : (v >= 3 && h % 2) ? 1 : 0;
        for (int e = 0; ok && e < nev; e++) {
            const char *label = it && it->evidence_fr.n
                                    ? it->evidence_fr.v[(h + (uint32_t)e) % it->evidence_fr.n]
                                    : refs[(h + (uint32_t)e) % ARRAY_LEN(refs)];
            ok = db_exec(db,
                         "INSERT INTO rating_evidence (rating_id, kind, label, created_at)"
                         " VALUES (?, 'reference', ?, ?)",
                         PARAMS(P_INT(rid), P_TEXT(arena_printf(a, "%s (%d)", label, year)),
                                P_INT(when))) == DB_OK;
        }
        rated++;
    }
    ok = ok && db_exec(db, "UPDATE campaigns SET n_rated = ?, status = ?, created_at = ?,"
                           " updated_at = ? WHERE id = ?",
                       PARAMS(P_INT(rated),
                              P_TEXT(status == CAMP_DRAFT ? "draft"
                                     : status == CAMP_IN_PROGRESS ? "in_progress"
                                                                  : "submitted"),
                              P_INT(when), P_INT(when), P_INT(id))) == DB_OK;
    if (app_tx_end(db, mine, ok) != DB_OK) {
        arena_free(a);
        return DB_ERR;
    }
    if (status == CAMP_VALIDATED) {
        camp_full_t g;
        const char *msgid = NULL;
        if (camp_load_full(db, a, id, &g) != 0 ||
            camp_transition(db, a, 0, NULL, &g, CAMP_VALIDATED, NULL, 0, &msgid) != RES_OK) {
            arena_free(a);
            return DB_ERR;
        }
        db_exec(db, "UPDATE campaigns SET validated_at = ?, submitted_at = ? WHERE id = ?",
                PARAMS(P_INT(when + 30 * 86400), P_INT(when + 25 * 86400), P_INT(id)));
        /* the director keeps most gaps for the improvement plan (which turns
         * them into actions) and sets a few aside, with a reason */
        if (decide_proposals(db, a, &g.c, eps->id) != DB_OK) {
            arena_free(a);
            return DB_ERR;
        }
    }
    app_demo_count(d, "self-assessment campaigns", true);
    arena_free(a);
    return DB_OK;
}

static int decide_proposals(db_t *db, arena_t *a, const campaign_t *c, int64_t eps_id)
{
    int64_t director = db_query_int(db,
                                    "SELECT user_id FROM user_roles WHERE node_id = ? AND"
                                    " role = 'director' ORDER BY user_id LIMIT 1",
                                    PARAMS(P_INT(eps_id)), 0);
    json_t *rows = db_query_json(db,
                                 "SELECT id, imperative FROM proposals WHERE campaign_id = ? AND"
                                 " status = 'proposed' ORDER BY id",
                                 PARAMS(P_INT(c->id)));
    bool mine;
    if (!rows || !app_tx_begin(db, &mine)) {
        json_decref(rows);
        return DB_ERR;
    }
    bool ok = true;
    size_t i;
    json_t *o;
    json_array_foreach(rows, i, o)
    {
        int64_t pid = json_integer_value(json_object_get(o, "id"));
        bool imperative = json_integer_value(json_object_get(o, "imperative")) != 0;
        bool accept = imperative || hash_mix32((uint32_t)pid) % 6 != 0;
        const char *msgid = NULL;
        ok = camp_decide(db, director, NULL, c, pid, accept,
                         accept ? NULL : "Écart connu, déjà traité par le projet d'établissement.",
                         &msgid) == RES_OK;
        if (!ok)
            break;
    }
    (void)a;
    json_decref(rows);
    return app_tx_end(db, mine, ok);
}

static int64_t published(db_t *db, const char *code)
{
    return db_query_int(db,
                        "SELECT id FROM referentiels WHERE code = ? AND status = 'published'"
                        " ORDER BY version DESC LIMIT 1",
                        PARAMS(P_TEXT(code)), 0);
}

int assess_demo(app_demo_t *d)
{
    arena_t *a = arena_new();
    ref_t enf, mere;
    ref_doc_t denf, dmere;
    int64_t ie = published(d->db, "JOUDA-EPS-ENFANCE"), im = published(d->db, "JOUDA-MERE-ENFANT");
    if (!ie || !im || ref_load(d->db, a, ie, &enf) != 0 || ref_load(d->db, a, im, &mere) != 0) {
        arena_free(a);
        return DB_OK; /* the référentiels were removed: nothing to assess against */
    }
    /* the documents, for the evidence each criterion expects (ref.h reads them) */
    bool have_docs = ref_load_doc(d->db, a, ie, &denf) == 0 && ref_load_doc(d->db, a, im, &dmere) == 0;
    size_t n = 0;
    node_t *eps = nodes_all_eps(d->db, a, &n);
    int rc = DB_OK;
    for (size_t i = 0; eps && i < n && rc == DB_OK; i++) {
        bool women = str_eq(eps[i].category, "women");
        const ref_t *ref = women ? &mere : &enf;
        const ref_doc_t *doc = have_docs ? (women ? &dmere : &denf) : NULL;
        uint32_t seed = (uint32_t)eps[i].id * 2654435761u;
        double base = 2.8 + (double)(hash_mix32(seed) % 1000) / 1000.0 * 0.7;
        if (d->scale == DEMO_NATIONAL) {
            /* one establishment in ten is still assessing itself for the first
             * time (the methodology roadmap shows establishments at every step) */
            if (eps[i].id % 10 == 3)
                rc = demo_campaign(d, &eps[i], ref, doc, 2025, CAMP_IN_PROGRESS, 0.6, base, seed);
            else
                rc = demo_campaign(d, &eps[i], ref, doc, 2025, CAMP_VALIDATED, 1.0, base, seed);
            continue;
        }
        rc = demo_campaign(d, &eps[i], ref, doc, 2025, CAMP_VALIDATED, 1.0, base, seed);
        /* the first two establishments are assessing themselves again, and progress */
        if (rc == DB_OK && i < 2)
            rc = demo_campaign(d, &eps[i], ref, doc, 2026, CAMP_IN_PROGRESS, 0.6, base + 0.35,
                               seed + 17);
    }
    arena_free(a);
    return rc;
}
