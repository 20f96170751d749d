/* assess_model.c - self-assessment campaigns in the database: loading a
 * campaign with its référentiel tree, criteria and ratings; who leads and who
 * validates; creating a campaign; its workflow (each move audited, results
 * frozen at validation and gaps turned into proposals); rating a criterion
 * with the guided-scoring rules and a version check; proposals accepted or
 * dismissed. Model functions answer res_t, never HTTP. */
#include "assess_internal.h"

#include <string.h>

static const char *const status_codes[] = {"draft", "in_progress", "submitted", "validated"};

const char *camp_status_code(camp_status_t s)
{
    return (unsigned)s < 4 ? status_codes[s] : "draft";
}

static camp_status_t status_from(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (str_eq(s, status_codes[i]))
            return (camp_status_t)i;
    return CAMP_DRAFT;
}

void camp_from_row(arena_t *a, db_res_t *res, int k, campaign_t *c)
{
    memset(c, 0, sizeof *c);
    c->id = db_int(res, k + 0);
    c->node_id = db_int(res, k + 1);
    c->referentiel_id = db_int(res, k + 2);
    c->rev = db_int(res, k + 3);
    c->node_path = arena_strdup(a, db_text(res, k + 4));
    c->title = arena_strdup(a, db_text(res, k + 5));
    c->period_start = arena_strdup(a, db_text(res, k + 6));
    c->period_end = arena_strdup(a, db_text(res, k + 7));
    c->methods = arena_strdup(a, db_text(res, k + 8));
    c->status = status_from(db_text(res, k + 9));
    c->p_staff = db_int(res, k + 10);
    c->p_children = db_int(res, k + 11);
    c->p_families = db_int(res, k + 12);
    c->p_partners = db_int(res, k + 13);
    c->n_criteria = db_int(res, k + 14);
    c->n_rated = db_int(res, k + 15);
    /* overall is stored in thousandths (an integer on both engines) */
    c->overall = db_isnull(res, k + 16) ? -1 : (double)db_int(res, k + 16) / 1000.0;
    c->created_by = db_int(res, k + 17);
    c->created_at = db_int(res, k + 18);
    c->updated_at = db_int(res, k + 19);
    c->submitted_at = db_int(res, k + 20);
    c->validated_at = db_int(res, k + 21);
    c->validated_by = db_int(res, k + 22);
}

int camp_load(db_t *db, arena_t *a, int64_t id, campaign_t *c)
{
    db_res_t *res =
        db_query(db, "SELECT " CAMP_COLS " FROM campaigns c WHERE c.id = ?", PARAMS(P_INT(id)));
    int rc = -1;
    if (res && db_next(res)) {
        camp_from_row(a, res, 0, c);
        rc = 0;
    }
    db_res_free(res);
    return rc;
}

int camp_load_full(db_t *db, arena_t *a, int64_t id, camp_full_t *f)
{
    memset(f, 0, sizeof *f);
    if (camp_load(db, a, id, &f->c) != 0 || ref_load(db, a, f->c.referentiel_id, &f->ref) != 0)
        return -1;
    f->rows = ref_rows(db, a, f->c.referentiel_id, &f->n_rows);
    if (!f->rows)
        return -1;
    f->crit_of_row = arena_alloc(a, (f->n_rows + 1) * sizeof *f->crit_of_row);
    for (size_t i = 0; i < f->n_rows; i++)
        f->crit_of_row[i] = -1;
    f->crit = arena_alloc(a, (f->n_rows + 1) * sizeof *f->crit);
    /* the campaign's criteria with their ratings (one query, in tree order) */
    db_res_t *res = db_query(
        db,
        "SELECT k.item_id, k.code, k.assignee_id, k.group_label, g.id, g.score, g.comment,"
        " g.version, g.updated_at, g.updated_by,"
        " (SELECT COUNT(*) FROM rating_evidence e WHERE e.rating_id = g.id) AS n_ev"
        " FROM campaign_criteria k LEFT JOIN ratings g ON g.campaign_id = k.campaign_id"
        " AND g.item_id = k.item_id WHERE k.campaign_id = ? ORDER BY k.ord",
        PARAMS(P_INT(id)));
    if (!res)
        return -1;
    size_t row = 0;
    while (db_next(res) && f->n_crit < f->n_rows) {
        int64_t item = db_int(res, 0);
        /* criteria and rows are both in tree order: walk forward */
        size_t r0 = row;
        while (row < f->n_rows && f->rows[row].id != item)
            row++;
        if (row >= f->n_rows) {
            /* not found ahead: search from the start (should not happen) */
            for (row = 0; row < r0 && f->rows[row].id != item; row++)
                ;
            if (row >= r0)
                continue;
        }
        camp_crit_t *k = &f->crit[f->n_crit];
        k->item_id = item;
        k->code = arena_strdup(a, db_text(res, 1));
        k->row = (int)row;
        k->assignee_id = db_int(res, 2);
        k->group_label = arena_strdup(a, db_text(res, 3));
        k->rating_id = db_int(res, 4);
        k->score = assess_score_parse(f->ref.scale, db_text(res, 5));
        k->comment = arena_strdup(a, db_text(res, 6));
        k->version = db_int(res, 7);
        k->updated_at = db_int(res, 8);
        k->updated_by = db_int(res, 9);
        k->n_evidence = (int)db_int(res, 10);
        f->crit_of_row[row] = (int)f->n_crit;
        f->n_crit++;
    }
    int st = db_res_status(res);
    db_res_free(res);
    if (st != DB_OK)
        return -1;
    /* results over the tree: criteria outside the campaign are left out */
    assess_node_t *nodes = arena_alloc(a, (f->n_rows + 1) * sizeof *nodes);
    int64_t *ids = arena_alloc(a, (f->n_rows + 1) * sizeof *ids);
    size_t n = 0;
    int *index_of = arena_alloc(a, (f->n_rows + 1) * sizeof *index_of);
    for (size_t i = 0; i < f->n_rows; i++) {
        index_of[i] = -1;
        if (f->rows[i].leaf && f->crit_of_row[i] < 0)
            continue;
        int parent = -1;
        for (size_t p = i; f->rows[i].parent_id && p-- > 0;)
            if (f->rows[p].id == f->rows[i].parent_id) {
                parent = index_of[p];
                break;
            }
        nodes[n].parent = parent;
        nodes[n].leaf = f->rows[i].leaf;
        nodes[n].imperative = f->rows[i].imperative;
        nodes[n].score = f->rows[i].leaf ? f->crit[f->crit_of_row[i]].score : SCORE_NONE;
        ids[n] = (int64_t)i;
        index_of[i] = (int)n++;
    }
    assess_agg_t *agg = arena_alloc(a, (n + 1) * sizeof *agg);
    assess_aggregate(nodes, n, agg, &f->overall);
    f->agg = arena_alloc(a, (f->n_rows + 1) * sizeof *f->agg);
    for (size_t i = 0; i < f->n_rows; i++) {
        if (index_of[i] >= 0)
            f->agg[i] = agg[index_of[i]];
        else
            f->agg[i].average = -1;
    }
    for (size_t k = 0; k < f->n_crit; k++) {
        const camp_crit_t *c = &f->crit[k];
        bool counts;
        double v = assess_score_value(c->score, &counts);
        if (f->rows[c->row].imperative && counts && v < 4)
            f->n_imperative_failures++;
        if (c->score != SCORE_NONE && c->n_evidence == 0)
            f->n_without_evidence++;
    }
    return 0;
}

/* --- Who may ------------------------------------------------------------- */

static bool role_over(req_t *r, const char *path, const role_t *roles, size_t n)
{
    int64_t now = now_utc();
    for (int i = 0; r->user && i < r->user->n_roles; i++) {
        const role_assignment_t *a = &r->user->roles[i];
        if (!authz_role_live(a, now) || !a->node_path || !nodes_path_within(path, a->node_path))
            continue;
        for (size_t k = 0; k < n; k++)
            if (a->role == roles[k] && authz_role_grants(a->role, a->node_kind, PERM_QUALITY_WRITE))
                return true;
    }
    return false;
}

bool camp_can_lead(req_t *r, const char *path)
{
    static const role_t leads[] = {ROLE_DIRECTOR, ROLE_QUALITY_REFERENT, ROLE_ADMIN,
                                   ROLE_QUALITY_ADVISOR};
    return path && role_over(r, path, leads, ARRAY_LEN(leads));
}

bool camp_can_validate(req_t *r, const char *path)
{
    static const role_t validators[] = {ROLE_DIRECTOR, ROLE_ADMIN};
    return path && role_over(r, path, validators, ARRAY_LEN(validators));
}

bool camp_require_lead(req_t *r, const char *path)
{
    if (camp_can_lead(r, path))
        return true;
    app_fail(r, RES_FORBIDDEN,
             N_("Only the director, the quality referent or a quality advisor may do this."), NULL);
    return false;
}

bool camp_require_validator(req_t *r, const char *path)
{
    if (camp_can_validate(r, path))
        return true;
    app_fail(r, RES_FORBIDDEN,
             N_("Only the director of the establishment validates or reopens a campaign."), NULL);
    return false;
}

int camp_crit_find(const camp_full_t *f, int64_t item_id, const char *code)
{
    for (size_t k = 0; k < f->n_crit; k++)
        if (code ? str_eq(f->crit[k].code, code) : f->crit[k].item_id == item_id)
            return (int)k;
    return -1;
}

/* --- Creating ------------------------------------------------------------ */

res_t camp_create(db_t *db, arena_t *a, int64_t actor, const char *ip, const char *node_path,
                  const char *eps_category, const camp_input_t *in, json_t *errors,
                  int64_t *id_out)
{
    size_t n = 0;
    ref_row_t *rows = ref_rows(db, a, in->referentiel_id, &n);
    if (!rows)
        return RES_ERROR;
    bool *chosen = arena_alloc(a, (n + 1) * sizeof *chosen);
    size_t count = 0;
    if (in->codes) {
        for (size_t k = 0; k < in->n_codes; k++) {
            bool found = false;
            for (size_t i = 0; i < n; i++)
                if (rows[i].leaf && str_eq(rows[i].code, in->codes[k])) {
                    found = true;
                    count += !chosen[i];
                    chosen[i] = true;
                }
            if (!found) {
                json_object_set_new(errors, "criteria",
                                    json_string(N_("Some of these codes are not criteria of this "
                                                   "référentiel.")));
                return RES_INVALID;
            }
        }
    } else {
        for (size_t i = 0; i < n; i++)
            if (rows[i].leaf && ref_applies(rows[i].categories, eps_category)) {
                chosen[i] = true;
                count++;
            }
    }
    if (count == 0) {
        json_object_set_new(errors, "criteria",
                            json_string(N_("No criterion of this référentiel applies to this "
                                           "establishment.")));
        return RES_INVALID;
    }
    int64_t now = now_utc();
    bool mine = false;
    if (!app_tx_begin(db, &mine))
        return RES_ERROR;
    db_res_t *res = db_query(
        db,
        "INSERT INTO campaigns (node_id, node_path, referentiel_id, title, period_start,"
        " period_end, methods, status, p_staff, p_children, p_families, p_partners, n_criteria,"
        " n_rated, rev, created_by, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, 0, 1, ?, ?, ?) RETURNING id",
        PARAMS(P_INT(in->node_id), P_TEXT(node_path), P_INT(in->referentiel_id), P_TEXT(in->title),
               P_TEXT(in->period_start), P_TEXT(in->period_end), P_TEXT(in->methods ? in->methods : ""),
               P_INT(in->p_staff), P_INT(in->p_children), P_INT(in->p_families),
               P_INT(in->p_partners), P_INT(count), P_INT(actor), P_INT(now), P_INT(now)));
    int64_t id = 0;
    if (res && db_next(res))
        id = db_int(res, 0);
    db_res_free(res);
    bool ok = id > 0;
    int ord = 0;
    for (size_t i = 0; ok && i < n; i++)
        if (chosen[i])
            ok = db_exec(db,
                         "INSERT INTO campaign_criteria (campaign_id, item_id, code, ord)"
                         " VALUES (?, ?, ?, ?)",
                         PARAMS(P_INT(id), P_INT(rows[i].id), P_TEXT(rows[i].code),
                                P_INT(ord++))) == DB_OK;
    for (size_t k = 0; ok && k < in->n_steering; k++)
        ok = db_exec(db,
                     "INSERT INTO campaign_steering (campaign_id, user_id) VALUES (?, ?)"
                     " ON CONFLICT DO NOTHING",
                     PARAMS(P_INT(id), P_INT(in->steering[k]))) == DB_OK;
    if (ok) {
        json_t *ch = json_pack("{s:{s:n,s:s},s:{s:n,s:I},s:{s:n,s:s},s:{s:n,s:s},s:{s:n,s:I}}",
                               "title", "from", "to", in->title, "referentiel_id", "from", "to",
                               (json_int_t)in->referentiel_id, "period_start", "from", "to",
                               in->period_start, "period_end", "from", "to", in->period_end,
                               "n_criteria", "from", "to", (json_int_t)count);
        ok = audit_write(db, actor, "create", "campaign", id, in->node_id, ch, ip) == DB_OK;
        json_decref(ch);
    }
    if (app_tx_end(db, mine, ok) != DB_OK) {
        return RES_ERROR;
    }
    *id_out = id;
    return RES_OK;
}

/* --- Workflow ------------------------------------------------------------ */

/* Freeze the results and turn the gaps into proposals (inside the
 * transaction of the validation). */
static bool freeze(db_t *db, const camp_full_t *f)
{
    if (db_exec(db, "DELETE FROM campaign_results WHERE campaign_id = ?",
                PARAMS(P_INT(f->c.id))) != DB_OK)
        return false;
    for (size_t i = 0; i < f->n_rows; i++) {
        if (f->rows[i].leaf)
            continue;
        const assess_agg_t *g = &f->agg[i];
        if (db_exec(db,
                    "INSERT INTO campaign_results (campaign_id, item_id, code, depth, average,"
                    " scored) VALUES (?, ?, ?, ?, ?, ?)",
                    PARAMS(P_INT(f->c.id), P_INT(f->rows[i].id), P_TEXT(f->rows[i].code),
                           P_INT(f->rows[i].depth),
                           g->scored ? P_INT((int64_t)(g->average * 1000.0 + 0.5)) : P_NULL,
                           P_INT(g->scored))) != DB_OK)
            return false;
    }
    for (size_t k = 0; k < f->n_crit; k++) {
        const camp_crit_t *c = &f->crit[k];
        const ref_row_t *row = &f->rows[c->row];
        if (!assess_score_gap(c->score, row->imperative))
            continue;
        if (db_exec(db,
                    "INSERT INTO proposals (campaign_id, item_id, code, title, imperative, score,"
                    " suggested_owner_id, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?,"
                    " 'proposed', ?) ON CONFLICT (campaign_id, item_id) DO NOTHING",
                    PARAMS(P_INT(f->c.id), P_INT(row->id), P_TEXT(row->code),
                           P_TEXT(row->title_fr), P_INT(row->imperative),
                           P_TEXT(assess_score_code(c->score)),
                           c->assignee_id ? P_INT(c->assignee_id) : P_NULL,
                           P_INT(now_utc()))) != DB_OK)
            return false;
    }
    return true;
}

res_t camp_transition(db_t *db, arena_t *a, int64_t actor, const char *ip, const camp_full_t *f,
                      camp_status_t to, const char *reason, int64_t rev, const char **msgid)
{
    camp_status_t from = f->c.status;
    bool reopen = to == CAMP_IN_PROGRESS && (from == CAMP_SUBMITTED || from == CAMP_VALIDATED);
    bool ok_move = (from == CAMP_DRAFT && to == CAMP_IN_PROGRESS) ||
                   (from == CAMP_IN_PROGRESS && to == CAMP_SUBMITTED) ||
                   (from == CAMP_SUBMITTED && to == CAMP_VALIDATED) || reopen;
    if (!ok_move) {
        *msgid = to == CAMP_IN_PROGRESS   ? N_("Only a draft campaign can be started.")
                 : to == CAMP_SUBMITTED ? N_("Only a campaign in progress can be submitted.")
                                        : N_("Only a submitted campaign can be validated.");
        return RES_CONFLICT;
    }
    if (rev && rev != f->c.rev) {
        *msgid = N_("Someone else changed this campaign in the meantime: look at it again.");
        return RES_CONFLICT;
    }
    if (to == CAMP_SUBMITTED) {
        size_t unrated = 0;
        for (size_t k = 0; k < f->n_crit; k++)
            unrated += f->crit[k].score == SCORE_NONE;
        if (unrated) {
            *msgid = N_("Every criterion must be scored before the campaign is submitted.");
            return RES_CONFLICT;
        }
    }
    int64_t now = now_utc();
    bool mine = false;
    if (!app_tx_begin(db, &mine))
        return RES_ERROR;
    int rc;
    if (to == CAMP_VALIDATED)
        rc = db_exec(db,
                     "UPDATE campaigns SET status = 'validated', rev = rev + 1, updated_at = ?,"
                     " validated_at = ?, validated_by = ?, overall = ? WHERE id = ? AND rev = ?",
                     PARAMS(P_INT(now), P_INT(now), P_INT(actor),
                            f->overall.scored
                                ? P_INT((int64_t)(f->overall.average * 1000.0 + 0.5))
                                : P_NULL,
                            P_INT(f->c.id), P_INT(f->c.rev)));
    else if (to == CAMP_SUBMITTED)
        rc = db_exec(db,
                     "UPDATE campaigns SET status = 'submitted', rev = rev + 1, updated_at = ?,"
                     " submitted_at = ? WHERE id = ? AND rev = ?",
                     PARAMS(P_INT(now), P_INT(now), P_INT(f->c.id), P_INT(f->c.rev)));
    else
        rc = db_exec(db,
                     "UPDATE campaigns SET status = 'in_progress', rev = rev + 1, updated_at = ?,"
                     " validated_at = NULL, validated_by = NULL, overall = NULL"
                     " WHERE id = ? AND rev = ?",
                     PARAMS(P_INT(now), P_INT(f->c.id), P_INT(f->c.rev)));
    if (rc != DB_OK || db_changes(db) != 1) {
        app_tx_end(db, mine, false);
        *msgid = N_("Someone else changed this campaign in the meantime: look at it again.");
        return rc == DB_OK ? RES_CONFLICT : RES_ERROR;
    }
    bool ok = true;
    if (to == CAMP_VALIDATED)
        ok = freeze(db, f);
    else if (reopen && from == CAMP_VALIDATED)
        ok = db_exec(db, "DELETE FROM campaign_results WHERE campaign_id = ?",
                     PARAMS(P_INT(f->c.id))) == DB_OK;
    const char *action = reopen                 ? "reopen"
                         : to == CAMP_IN_PROGRESS ? "start"
                         : to == CAMP_SUBMITTED   ? "submit"
                                                  : "validate";
    json_t *ch = json_pack("{s:{s:s,s:s}}", "status", "from", camp_status_code(from), "to",
                           camp_status_code(to));
    if (reason)
        json_object_set_new(ch, "reason", json_pack("{s:n,s:s}", "from", "to", reason));
    ok = ok && audit_write(db, actor, action, "campaign", f->c.id, f->c.node_id, ch, ip) == DB_OK;
    json_decref(ch);
    (void)a;
    if (app_tx_end(db, mine, ok) != DB_OK) {
        return RES_ERROR;
    }
    return RES_OK;
}

/* --- Rating -------------------------------------------------------------- */

res_t camp_rate(db_t *db, arena_t *a, int64_t actor, const char *ip, const camp_full_t *f,
                size_t k, const rating_input_t *in, json_t *errors, const char **msgid,
                int64_t *version_out)
{
    const camp_crit_t *c = &f->crit[k];
    const ref_row_t *row = &f->rows[c->row];
    if (f->c.status != CAMP_DRAFT && f->c.status != CAMP_IN_PROGRESS) {
        *msgid = N_("This campaign is submitted or validated: its scores can no longer change. "
                    "Reopen it first.");
        return RES_CONFLICT;
    }
    if (in->version && in->version != c->version) {
        *msgid = N_("Someone else scored this criterion in the meantime. Your score was not "
                    "saved: look at theirs, then score again.");
        return RES_CONFLICT;
    }
    score_t s = assess_score_parse(f->ref.scale, in->score);
    if (s == SCORE_NONE) {
        json_object_set_new(errors, "score", json_string(ASSESS_MSG_NO_SCORE));
        return RES_INVALID;
    }
    /* evidence after this change: the files stay, the references are replaced when sent */
    int64_t files = c->rating_id
                        ? db_query_int(db,
                                       "SELECT COUNT(*) FROM rating_evidence WHERE rating_id = ?"
                                       " AND kind <> 'reference'",
                                       PARAMS(P_INT(c->rating_id)), 0)
                        : 0;
    int64_t refs = in->has_evidence ? (int64_t)in->n_ev : (int64_t)c->n_evidence - files;
    const char *why = assess_score_check(s, in->comment, (int)(files + refs), row->imperative);
    if (why) {
        json_object_set_new(errors, s == SCORE_NC && row->imperative ? "score" : "comment",
                            json_string(why));
        return RES_INVALID;
    }
    int64_t now = now_utc();
    bool mine = false;
    if (!app_tx_begin(db, &mine))
        return RES_ERROR;
    int64_t rid = c->rating_id;
    int64_t version = c->version + 1;
    bool ok;
    if (!rid) {
        db_res_t *res = db_query(
            db,
            "INSERT INTO ratings (campaign_id, item_id, code, score, comment, version, updated_by,"
            " updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?) ON CONFLICT (campaign_id, item_id)"
            " DO NOTHING RETURNING id",
            PARAMS(P_INT(f->c.id), P_INT(c->item_id), P_TEXT(c->code),
                   P_TEXT(assess_score_code(s)), P_TEXT(in->comment), P_INT(actor), P_INT(now)));
        if (res && db_next(res))
            rid = db_int(res, 0);
        db_res_free(res);
        version = 1;
        ok = rid > 0;
        if (!ok) {
            /* someone rated it first */
            app_tx_end(db, mine, false);
            *msgid = N_("Someone else scored this criterion in the meantime. Your score was not "
                        "saved: look at theirs, then score again.");
            return RES_CONFLICT;
        }
        ok = db_exec(db, "UPDATE campaigns SET n_rated = n_rated + 1, updated_at = ? WHERE id = ?",
                     PARAMS(P_INT(now), P_INT(f->c.id))) == DB_OK;
    } else {
        ok = db_exec(db,
                     "UPDATE ratings SET score = ?, comment = ?, version = version + 1,"
                     " updated_by = ?, updated_at = ? WHERE id = ? AND version = ?",
                     PARAMS(P_TEXT(assess_score_code(s)), P_TEXT(in->comment), P_INT(actor),
                            P_INT(now), P_INT(rid), P_INT(c->version))) == DB_OK;
        if (ok && db_changes(db) != 1) {
            app_tx_end(db, mine, false);
            *msgid = N_("Someone else scored this criterion in the meantime. Your score was not "
                        "saved: look at theirs, then score again.");
            return RES_CONFLICT;
        }
    }
    if (ok && in->has_evidence) {
        ok = db_exec(db, "DELETE FROM rating_evidence WHERE rating_id = ? AND kind = 'reference'",
                     PARAMS(P_INT(rid))) == DB_OK;
        for (size_t e = 0; ok && e < in->n_ev; e++)
            ok = db_exec(db,
                         "INSERT INTO rating_evidence (rating_id, kind, label, url, created_by,"
                         " created_at) VALUES (?, 'reference', ?, ?, ?, ?)",
                         PARAMS(P_INT(rid), P_TEXT(in->ev_label[e]), P_TEXT(in->ev_url[e]),
                                P_INT(actor), P_INT(now))) == DB_OK;
    }
    if (ok) {
        json_t *ch = json_object();
        json_object_set_new(ch, "criterion", json_pack("{s:n,s:s}", "from", "to", c->code));
        const char *old = assess_score_code(c->score);
        json_object_set_new(ch, "score",
                            json_pack("{s:o,s:s}", "from", old ? json_string(old) : json_null(),
                                      "to", assess_score_code(s)));
        if (!str_eq(c->comment, in->comment))
            json_object_set_new(ch, "comment",
                                json_pack("{s:o,s:o}", "from", json_str_or_null(c->comment), "to",
                                          json_str_or_null(in->comment)));
        ok = audit_write(db, actor, "rate", "campaign", f->c.id, f->c.node_id, ch, ip) == DB_OK;
        json_decref(ch);
    }
    if (app_tx_end(db, mine, ok) != DB_OK) {
        return RES_ERROR;
    }
    (void)a;
    *version_out = version;
    return RES_OK;
}

/* --- Assignments --------------------------------------------------------- */

json_t *camp_assignable(db_t *db, arena_t *a, const campaign_t *c)
{
    json_t *rows = users_listing(db, a, c->node_id);
    json_t *out = json_array();
    json_t *seen = json_object();
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        const char *role = json_string_value(json_object_get(row, "role"));
        if (!json_is_true(json_object_get(row, "active")) && !json_is_integer(json_object_get(row, "active")))
            continue;
        if (json_is_integer(json_object_get(row, "active")) && !json_integer_value(json_object_get(row, "active")))
            continue;
        if (!str_eq(role, "director") && !str_eq(role, "quality_referent") && !str_eq(role, "staff"))
            continue;
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)json_integer_value(json_object_get(row, "id")));
        if (json_object_get(seen, key))
            continue;
        json_object_set_new(seen, key, json_true());
        json_array_append_new(out, json_pack("{s:O, s:O}", "id", json_object_get(row, "id"), "name",
                                             json_object_get(row, "name")));
    }
    json_decref(seen);
    json_decref(rows);
    return out;
}

res_t camp_assign(db_t *db, arena_t *a, int64_t actor, const char *ip, const camp_full_t *f,
                  size_t k, int64_t assignee, const char *group, const char **msgid)
{
    const camp_crit_t *c = &f->crit[k];
    if (assignee) {
        /* the person must score criteria there: quality.write at the EPS */
        app_user_t *u = users_load_ctx(db, a, assignee);
        int64_t path[32];
        int n = nodes_path_parse(f->c.node_path, path, 32);
        if (!u || n < 1 ||
            authz_decide(u->roles, u->n_roles, PERM_QUALITY_WRITE, path, n, now_utc()) !=
                AUTHZ_ALLOW) {
            *msgid = N_("Choose someone who scores criteria in this establishment.");
            return RES_INVALID;
        }
    }
    bool mine = false;
    if (!app_tx_begin(db, &mine))
        return RES_ERROR;
    bool ok = db_exec(db,
                      "UPDATE campaign_criteria SET assignee_id = ?, group_label = ?"
                      " WHERE campaign_id = ? AND item_id = ?",
                      PARAMS(assignee ? P_INT(assignee) : P_NULL, P_TEXT(group), P_INT(f->c.id),
                             P_INT(c->item_id))) == DB_OK;
    if (ok) {
        json_t *ch = json_object();
        json_object_set_new(ch, "criterion", json_pack("{s:n,s:s}", "from", "to", c->code));
        json_object_set_new(ch, "assignee_id",
                            json_pack("{s:o,s:o}", "from",
                                      c->assignee_id ? json_integer(c->assignee_id) : json_null(),
                                      "to", assignee ? json_integer(assignee) : json_null()));
        json_object_set_new(ch, "group",
                            json_pack("{s:o,s:o}", "from", json_str_or_null(c->group_label), "to",
                                      json_str_or_null(group)));
        ok = audit_write(db, actor, "assign", "campaign", f->c.id, f->c.node_id, ch, ip) == DB_OK;
        json_decref(ch);
    }
    if (app_tx_end(db, mine, ok) != DB_OK)
        return RES_ERROR;
    return RES_OK;
}

json_t *camp_evidence(db_t *db, int64_t rating_id)
{
    json_t *a = db_query_json(db,
                              "SELECT id, kind, label, url, attachment_id FROM rating_evidence"
                              " WHERE rating_id = ? ORDER BY id",
                              PARAMS(P_INT(rating_id)));
    return a ? a : json_array();
}

/* --- Proposals ----------------------------------------------------------- */

json_t *camp_proposals(db_t *db, int64_t campaign_id)
{
    json_t *a = db_query_json(db,
                              "SELECT id, code, title, imperative, score, suggested_owner_id,"
                              " status, reason, decided_by, decided_at, created_at FROM proposals"
                              " WHERE campaign_id = ? ORDER BY imperative DESC, id",
                              PARAMS(P_INT(campaign_id)));
    return a ? a : json_array();
}

res_t camp_decide(db_t *db, int64_t actor, const char *ip, const campaign_t *c, int64_t proposal_id,
                  bool accept, const char *reason, const char **msgid)
{
    db_res_t *res = db_query(db,
                             "SELECT imperative, status, code FROM proposals WHERE id = ? AND"
                             " campaign_id = ?",
                             PARAMS(P_INT(proposal_id), P_INT(c->id)));
    if (!res || !db_next(res)) {
        db_res_free(res);
        return RES_NOT_FOUND;
    }
    bool imperative = db_int(res, 0) != 0;
    bool open = str_eq(db_text(res, 1), "proposed");
    char code[64];
    snprintf(code, sizeof code, "%s", db_text(res, 2) ? db_text(res, 2) : "");
    db_res_free(res);
    if (!open) {
        *msgid = N_("This proposal was already decided.");
        return RES_CONFLICT;
    }
    if (!accept && !assess_gap_dismissable(imperative)) {
        *msgid = N_("A proposal made from an imperative criterion cannot be dismissed.");
        return RES_CONFLICT;
    }
    if (!accept && str_empty(reason)) {
        *msgid = N_("Say why this proposal is dismissed.");
        return RES_INVALID;
    }
    bool mine = false;
    if (!app_tx_begin(db, &mine))
        return RES_ERROR;
    int rc = db_exec(db,
                     "UPDATE proposals SET status = ?, reason = ?, decided_by = ?, decided_at = ?"
                     " WHERE id = ? AND status = 'proposed'",
                     PARAMS(P_TEXT(accept ? "accepted" : "dismissed"),
                            P_TEXT(accept ? NULL : reason), P_INT(actor), P_INT(now_utc()),
                            P_INT(proposal_id)));
    bool ok = rc == DB_OK && db_changes(db) == 1;
    if (ok) {
        json_t *ch = json_pack("{s:{s:n,s:s},s:{s:s,s:s}}", "criterion", "from", "to", code,
                               "proposal", "from", "proposed", "to",
                               accept ? "accepted" : "dismissed");
        if (!accept)
            json_object_set_new(ch, "reason", json_pack("{s:n,s:s}", "from", "to", reason));
        ok = audit_write(db, actor, accept ? "accept" : "dismiss", "campaign", c->id, c->node_id,
                         ch, ip) == DB_OK;
        json_decref(ch);
        /* the improvement plan turns it into an action */
        if (ok && accept)
            ok = app_emit(db, &(app_event_t){"proposal_accepted", proposal_id, actor, ip}) == DB_OK;
    }
    if (app_tx_end(db, mine, ok) != DB_OK) {
        *msgid = N_("This proposal was already decided.");
        return rc == DB_OK ? RES_CONFLICT : RES_ERROR;
    }
    return RES_OK;
}
