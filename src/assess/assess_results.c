/* assess_results.c - the results of a campaign: the plain mean of the scored
 * criteria under each node of the référentiel's tree and overall (star counts
 * 4; nc and ri are left out but counted), the distribution of scores, the
 * imperative criteria below 4, the criteria without evidence, and the
 * comparison with the establishment's previous validated campaign on the
 * same référentiel. Averages are not rounded in the API. */
#include "assess_internal.h"

#include <string.h>

static json_t *average_json(double v, int scored)
{
    return scored > 0 ? json_real(v) : json_null();
}

int64_t camp_previous(db_t *db, const campaign_t *c, const char *ref_code)
{
    (void)ref_code;
    return db_query_int(db,
                        "SELECT c.id FROM campaigns c WHERE c.node_id = ? AND c.status = 'validated'"
                        " AND c.id <> ? AND c.referentiel_id IN (SELECT referentiel_id FROM"
                        " campaigns WHERE id = ?) AND c.validated_at <= ?"
                        " ORDER BY c.validated_at DESC, c.id DESC LIMIT 1",
                        PARAMS(P_INT(c->node_id), P_INT(c->id), P_INT(c->id),
                               P_INT(c->validated_at ? c->validated_at : now_utc())),
                        0);
}

/* The frozen averages of a validated campaign by item code (thousandths). */
static json_t *frozen_by_code(db_t *db, int64_t campaign_id)
{
    json_t *out = json_object();
    db_res_t *res = db_query(db,
                             "SELECT code, average FROM campaign_results WHERE campaign_id = ?"
                             " ORDER BY code",
                             PARAMS(P_INT(campaign_id)));
    while (res && db_next(res))
        if (!db_isnull(res, 1))
            json_object_set_new(out, db_text(res, 0),
                                json_real((double)db_int(res, 1) / 1000.0));
    db_res_free(res);
    return out;
}

json_t *camp_results_json(req_t *r, const camp_full_t *f, bool api)
{
    json_t *o = json_object();
    json_object_set_new(o, "overall", average_json(f->overall.average, f->overall.scored));
    json_object_set_new(o, "scored", json_integer(f->overall.scored));
    json_object_set_new(o, "not_concerned", json_integer(f->overall.nc));
    json_object_set_new(o, "inadapted", json_integer(f->overall.ri));
    json_object_set_new(o, "unrated", json_integer(f->overall.unrated));
    json_object_set_new(o, "criteria", json_integer((json_int_t)f->n_crit));
    int64_t prev = camp_previous(r->db, &f->c, f->ref.code);
    json_t *before = prev ? frozen_by_code(r->db, prev) : NULL;
    json_t *avgs = json_array();
    for (size_t i = 0; i < f->n_rows; i++) {
        const ref_row_t *row = &f->rows[i];
        if (row->leaf)
            continue;
        const assess_agg_t *g = &f->agg[i];
        json_t *e = json_object();
        json_object_set_new(e, "code", json_string(row->code));
        json_object_set_new(e, "level", json_str_or_null(row->level));
        json_object_set_new(e, "depth", json_integer(row->depth));
        json_object_set_new(e, "average", average_json(g->average, g->scored));
        json_object_set_new(e, "scored", json_integer(g->scored));
        if (!api || before) {
            json_t *b = before ? json_object_get(before, row->code) : NULL;
            json_object_set_new(e, "previous", b ? json_incref(b) : json_null());
            json_object_set_new(e, "delta", b && g->scored ? json_real(g->average - json_real_value(b))
                                                          : json_null());
        }
        if (!api) {
            json_object_set_new(e, "title",
                                json_string(ref_title(r, row->title_fr, row->title_ar,
                                                      row->title_en, NULL)));
        }
        json_array_append_new(avgs, e);
    }
    json_object_set_new(o, "averages", avgs);
    json_t *fails = json_array(), *noev = json_array();
    static const char *const dist_codes[] = {NULL, "1", "2", "3", "4", "star", "nc", "ri",
                                             "conforme", "partiel", "non_conforme"};
    json_t *dist = json_object();
    for (int s = 1; s < SCORE_COUNT; s++)
        if (assess_score_parse(f->ref.scale, dist_codes[s]) != SCORE_NONE)
            json_object_set_new(dist, dist_codes[s], json_integer(f->overall.dist[s]));
    for (size_t k = 0; k < f->n_crit; k++) {
        const camp_crit_t *c = &f->crit[k];
        bool counts;
        double v = assess_score_value(c->score, &counts);
        if (f->rows[c->row].imperative && counts && v < 4)
            json_array_append_new(fails, json_string(c->code));
        if (c->score != SCORE_NONE && c->n_evidence == 0)
            json_array_append_new(noev, json_string(c->code));
    }
    json_object_set_new(o, "imperative_failures", fails);
    json_object_set_new(o, "without_evidence", noev);
    json_object_set_new(o, "distribution", dist);
    json_object_set_new(o, "previous_campaign_id", prev ? json_integer(prev) : json_null());
    json_decref(before);
    return o;
}
