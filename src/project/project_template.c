/* project_template.c - templates of projets d'établissement: the sections a
 * new projet starts with (titles and guidance in French, Arabic and
 * English). The default template is written at start when absent (so it is
 * there right after `jouda init`) and never overwritten: those who hold
 * quality.write where a template belongs (admin, quality advisor) edit it
 * on its page. */
#include "project_internal.h"

#include <string.h>

typedef struct {
    const char *key, *fr, *ar, *en, *g_fr, *g_ar, *g_en;
} builtin_section_t;

static const builtin_section_t builtin[] = {
    {"history", "Histoire et projet de l'association", "تاريخ الجمعية ومشروعها",
     "History and project of the association",
     "D'où vient l'association, ses valeurs, ce qu'elle veut pour les personnes accueillies.",
     "نشأة الجمعية وقيمها وما تريده للأشخاص المستقبَلين.",
     "Where the association comes from, its values, what it wants for the people it supports."},
    {"missions", "Missions et cadre juridique", "المهام والإطار القانوني", "Missions and legal framework",
     "Les missions de l'EPS, la loi 65-15 et son cahier des charges selon sa catégorie, "
     "l'autorisation et les conventions.",
     "مهام المؤسسة، القانون 65-15 ودفتر التحملات حسب صنفها، الترخيص والاتفاقيات.",
     "The EPS's missions, Law 65-15 and the specifications of its category, its authorisation "
     "and agreements."},
    {"people", "Les personnes accueillies et leurs besoins", "الأشخاص المستقبَلون وحاجياتهم",
     "The people supported and their needs",
     "Qui est accueilli (âges, parcours, situations), quels besoins, comment ils évoluent.",
     "من يُستقبَل (الأعمار، المسارات، الوضعيات)، ما هي حاجياتهم وكيف تتطور.",
     "Who is supported (ages, paths, situations), their needs and how they change."},
    {"offer", "L'offre de service et l'organisation", "عرض الخدمات والتنظيم",
     "The service offer and organisation",
     "Hébergement, accompagnement éducatif, santé, scolarité, insertion ; l'organisation des "
     "unités et des journées.",
     "الإيواء، المواكبة التربوية، الصحة، التمدرس، الإدماج؛ تنظيم الوحدات والأيام.",
     "Housing, educational support, health, schooling, integration; how units and days are "
     "organised."},
    {"principles", "Principes d'intervention et éthique", "مبادئ التدخل والأخلاقيات",
     "Principles of intervention and ethics",
     "Droits de l'enfant, intérêt supérieur, participation, bientraitance, confidentialité.",
     "حقوق الطفل، المصلحة الفضلى، المشاركة، حسن المعاملة، السرية.",
     "Children's rights, best interests, participation, good treatment, confidentiality."},
    {"professionals", "Professionnels et compétences", "المهنيون والكفاءات",
     "Professionals and skills",
     "Les équipes, les métiers, la formation, la supervision et l'analyse des pratiques.",
     "الفرق، المهن، التكوين، الإشراف وتحليل الممارسات.",
     "Teams, professions, training, supervision and reflective practice."},
    {"partnerships", "Partenariats et ancrage territorial", "الشراكات والانفتاح على المحيط",
     "Partnerships and territory",
     "Écoles, santé, justice, collectivités, associations : ce que chacun apporte.",
     "المدارس، الصحة، العدالة، الجماعات، الجمعيات: ما يقدمه كل طرف.",
     "Schools, health, justice, local authorities, associations: what each brings."},
    {"quality", "Démarche qualité et gestion des risques", "مقاربة الجودة وتدبير المخاطر",
     "Quality approach and risk management",
     "Auto-évaluation, plan d'amélioration, incidents, enquêtes de satisfaction.",
     "التقييم الذاتي، مخطط التحسين، الحوادث، استطلاعات الرضا.",
     "Self-assessment, improvement plan, incidents, satisfaction surveys."},
    {"axes", "Axes stratégiques", "المحاور الاستراتيجية", "Strategic axes",
     "Les grandes orientations des cinq ans ; le détail (objectifs, indicateurs, fiches "
     "actions) est dans la stratégie du projet.",
     "التوجهات الكبرى للسنوات الخمس؛ التفاصيل (الأهداف، المؤشرات، بطاقات العمل) في استراتيجية "
     "المشروع.",
     "The main directions for five years; the detail (objectives, indicators, action sheets) "
     "is in the projet's strategy."},
    {"evaluation", "Évaluation du projet précédent", "تقييم المشروع السابق",
     "Evaluation of the previous plan",
     "Ce qui a été atteint, ce qui ne l'a pas été et pourquoi, ce que l'on en retient.",
     "ما تحقق وما لم يتحقق ولماذا، وما نستخلصه.",
     "What was achieved, what was not and why, what we learn from it."},
};

int64_t prj_default_template(db_t *db)
{
    return db_query_int(db, "SELECT id FROM project_templates WHERE code = 'default'", NULL, 0, 0);
}

int prj_templates_start(db_t *db)
{
    if (prj_default_template(db) > 0)
        return DB_OK;
    int64_t root = db_query_int(db, "SELECT id FROM nodes WHERE kind = 'root' ORDER BY id LIMIT 1",
                                NULL, 0, 0);
    if (root <= 0)
        return DB_OK; /* no organisation yet: written at the next start */
    if (db_begin(db) != DB_OK)
        return DB_ERR;
    int64_t now = now_utc();
    db_res_t *res = db_query(db,
                             "INSERT INTO project_templates (code, node_id, node_path, title, builtin,"
                             " created_at, updated_at) SELECT 'default', id, path, ?, 1, ?, ? FROM"
                             " nodes WHERE id = ? RETURNING id",
                             PARAMS(P_TEXT("Projet d'établissement (modèle de base)"), P_INT(now),
                                    P_INT(now), P_INT(root)));
    int64_t id = res && db_next(res) ? db_int(res, 0) : 0;
    db_res_free(res);
    bool ok = id > 0;
    for (size_t i = 0; ok && i < ARRAY_LEN(builtin); i++) {
        const builtin_section_t *s = &builtin[i];
        ok = db_exec(db,
                     "INSERT INTO project_template_sections (template_id, key, position, title_fr,"
                     " title_ar, title_en, guidance_fr, guidance_ar, guidance_en) VALUES"
                     " (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     PARAMS(P_INT(id), P_TEXT(s->key), P_INT((int64_t)i + 1), P_TEXT(s->fr),
                            P_TEXT(s->ar), P_TEXT(s->en), P_TEXT(s->g_fr), P_TEXT(s->g_ar),
                            P_TEXT(s->g_en))) == DB_OK;
    }
    if (!ok) {
        db_rollback(db);
        return DB_ERR;
    }
    return db_commit(db);
}

int64_t prj_template_resolve(req_t *r, int64_t id)
{
    return db_query_int(r->db, "SELECT node_id FROM project_templates WHERE id = ?",
                        PARAMS(P_INT(id)), 0);
}

json_t *prj_template_options(req_t *r)
{
    json_t *rows = db_query_json(r->db, "SELECT id, title FROM project_templates ORDER BY id",
                                 NULL, 0);
    return rows ? rows : json_array();
}

static json_t *template_json(req_t *r, int64_t id)
{
    json_t *t = db_query_row_json(r->db,
                                  "SELECT id, code, title, node_id, node_path, rev, updated_at"
                                  " FROM project_templates WHERE id = ?",
                                  PARAMS(P_INT(id)));
    if (!t)
        return NULL;
    json_t *secs = db_query_json(r->db,
                                 "SELECT key, position, title_fr, title_ar, title_en, guidance_fr,"
                                 " guidance_ar, guidance_en FROM project_template_sections"
                                 " WHERE template_id = ? ORDER BY position, key",
                                 PARAMS(P_INT(id)));
    json_object_set_new(t, "sections", secs ? secs : json_array());
    return t;
}

void prj_api_templates(req_t *r)
{
    json_t *ids = db_query_json(r->db, "SELECT id FROM project_templates ORDER BY id", NULL, 0);
    json_t *items = json_array();
    size_t i;
    json_t *row;
    json_array_foreach(ids, i, row) {
        json_t *t = template_json(r, json_integer_value(json_object_get(row, "id")));
        if (t) {
            json_object_del(t, "node_path");
            json_array_append_new(items, t);
        }
    }
    json_decref(ids);
    api_send(r, 200, json_pack("{s:o}", "items", items));
}

void prj_page_templates(req_t *r)
{
    json_t *rows = db_query_json(r->db,
                                 "SELECT t.id, t.title, t.node_path, (SELECT COUNT(*) FROM"
                                 " project_template_sections s WHERE s.template_id = t.id) AS"
                                 " sections FROM project_templates t ORDER BY t.id",
                                 NULL, 0);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        json_object_set_new(row, "href", json_string(arena_printf(r->arena, "/project-templates/%lld",
                                                                  (long long)json_integer_value(json_object_get(row, "id")))));
        json_object_set_new(row, "can_edit", json_boolean(app_can_at_path(
                                                 r, PERM_QUALITY_WRITE,
                                                 json_string_value(json_object_get(row, "node_path")))));
        json_object_del(row, "node_path");
    }
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(T(r, N_("Templates of the projet d'établissement"))));
    json_object_set_new(m, "crumbs", prj_crumbs(r, NULL));
    json_object_set_new(m, "items", rows ? rows : json_array());
    page_render(r, 200, "project/templates", m);
}

static void template_page(req_t *r, int64_t id, int status, json_t *errors)
{
    json_t *t = template_json(r, id);
    if (!t) {
        json_decref(errors);
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return;
    }
    bool can = app_can_at_path(r, PERM_QUALITY_WRITE, json_string_value(json_object_get(t, "node_path")));
    json_object_del(t, "node_path");
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(json_string_value(json_object_get(t, "title"))));
    json_object_set_new(m, "crumbs", json_pack("[{s:s, s:s}, {s:s, s:s}]", "label", T(r, N_("Projet d'établissement")),
                                               "href", "/projects", "label",
                                               T(r, N_("Templates of the projet d'établissement")),
                                               "href", "/project-templates"));
    json_object_set_new(m, "template", t);
    json_object_set_new(m, "can_edit", json_boolean(can));
    json_object_set_new(m, "action", json_string(arena_printf(r->arena, "/project-templates/%lld", (long long)id)));
    json_object_set_new(m, "edit_key", json_string(req_form(r, "key") ? req_form(r, "key") : ""));
    /* the form adding a section keeps what was typed in it */
    static const char *const keys[] = {"title_fr", "title_ar", "title_en", "guidance_fr", "guidance_ar", "guidance_en"};
    json_t *ns = json_pack("{s:s}", "key", "new");
    for (size_t i = 0; i < ARRAY_LEN(keys); i++)
        json_object_set_new(ns, keys[i], json_string(req_form(r, keys[i]) && utf8_valid(req_form(r, keys[i]), strlen(req_form(r, keys[i]))) ? req_form(r, keys[i]) : ""));
    json_object_set_new(m, "new_section", ns);
    model_form_errors_take(r, m, errors);
    page_render(r, status, "project/template", m);
}

void prj_page_template(req_t *r) { template_page(r, r->ids[0], 200, NULL); }

/* Save one section of a template (or add one: a new key). */
void prj_page_template_save(req_t *r)
{
    int64_t id = r->ids[0];
    char *path = NULL;
    db_res_t *res = db_query(r->db, "SELECT node_path FROM project_templates WHERE id = ?", PARAMS(P_INT(id)));
    if (res && db_next(res))
        path = arena_strdup(r->arena, db_text(res, 0));
    db_res_free(res);
    if (!path) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return;
    }
    if (!app_can_at_path(r, PERM_QUALITY_WRITE, path)) {
        app_fail(r, RES_FORBIDDEN, N_("The quality advisors and administrators edit the templates."), NULL);
        return;
    }
    json_t *errors = json_object();
    const char *key = v_text(r, errors, "key", true, 40);
    if (key && (strspn(key, "abcdefghijklmnopqrstuvwxyz_") != strlen(key) || str_eq(key, "keys") || !*key))
        v_error(errors, "key", N_("A section's code is made of lower-case letters and _."));
    const char *fr = v_text(r, errors, "title_fr", true, 200);
    const char *ar = v_text(r, errors, "title_ar", false, 200);
    const char *en = v_text(r, errors, "title_en", false, 200);
    const char *gfr = v_long_text(r, errors, "guidance_fr", false, 2000);
    const char *gar = v_long_text(r, errors, "guidance_ar", false, 2000);
    const char *gen = v_long_text(r, errors, "guidance_en", false, 2000);
    if (json_object_size(errors)) {
        template_page(r, id, 422, errors);
        return;
    }
    json_decref(errors);
    bool exists = db_query_int(r->db, "SELECT COUNT(*) FROM project_template_sections WHERE template_id = ? AND key = ?",
                               PARAMS(P_INT(id), P_TEXT(key)), 0) > 0;
    if (!exists && db_query_int(r->db, "SELECT COUNT(*) FROM project_template_sections WHERE template_id = ?",
                                PARAMS(P_INT(id)), 0) >= PRJ_SECTIONS_MAX) {
        app_fail(r, RES_CONFLICT, N_("A template has 40 sections at most."), NULL);
        return;
    }
    bool ok = db_begin(r->db) == DB_OK;
    if (ok && exists)
        ok = db_exec(r->db,
                     "UPDATE project_template_sections SET title_fr = ?, title_ar = ?, title_en = ?,"
                     " guidance_fr = ?, guidance_ar = ?, guidance_en = ? WHERE template_id = ? AND key = ?",
                     PARAMS(P_TEXT(fr), P_TEXT(ar ? ar : ""), P_TEXT(en ? en : ""), P_TEXT(gfr ? gfr : ""),
                            P_TEXT(gar ? gar : ""), P_TEXT(gen ? gen : ""), P_INT(id), P_TEXT(key))) == DB_OK;
    else if (ok)
        ok = db_exec(r->db,
                     "INSERT INTO project_template_sections (template_id, key, position, title_fr, title_ar,"
                     " title_en, guidance_fr, guidance_ar, guidance_en) VALUES (?, ?, (SELECT"
                     " COALESCE(MAX(position), 0) + 1 FROM project_template_sections WHERE template_id = ?),"
                     " ?, ?, ?, ?, ?, ?)",
                     PARAMS(P_INT(id), P_TEXT(key), P_INT(id), P_TEXT(fr), P_TEXT(ar ? ar : ""),
                            P_TEXT(en ? en : ""), P_TEXT(gfr ? gfr : ""), P_TEXT(gar ? gar : ""),
                            P_TEXT(gen ? gen : ""))) == DB_OK;
    if (ok)
        ok = db_exec(r->db, "UPDATE project_templates SET rev = rev + 1, updated_at = ? WHERE id = ?",
                     PARAMS(P_INT(now_utc()), P_INT(id))) == DB_OK;
    if (ok) {
        json_t *ch = json_pack("{s:{s:s}, s:{s:s}}", "section", "to", key, "title", "to", fr);
        ok = audit_write(r->db, r->user->id, exists ? "update" : "create", "project_template", id,
                         prj_template_resolve(r, id), ch, req_ip(r)) == DB_OK;
        json_decref(ch);
    }
    if (!ok || db_commit(r->db) != DB_OK) {
        db_rollback(r->db);
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    page_redirect_flash(r, arena_printf(r->arena, "/project-templates/%lld#section-%s", (long long)id, key), N_("Saved."));
}
