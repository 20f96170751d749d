/* capit_input.c - what a writer gives for a sheet, from the page's form or
 * a JSON body, checked field by field so that one answer reports every
 * problem: texts (one line or Markdown, lengths, valid UTF-8), the theme
 * and language among theirs, indicators, authors (people who work at the
 * establishment), criteria of published référentiels, actions the writer
 * may know, and documents' codes. */
#include "capit_internal.h"

#include <stdio.h>
#include <string.h>

const char *const cap_api_fields[] = {
    "node_id", "title", "theme", "lang", "status", "rev", "contributors", "indicators",
    "author_ids", "criteria", "action_ids", "documents", "context", "history", "objectives",
    "actors", "implementation", "innovation", "results", "difficulties", "lessons",
    "replication", "tools", NULL};

const char *const cap_form_order[] = {
    "node_id", "title", "theme", "lang", "author_ids", "contributors", "context", "history",
    "objectives", "actors", "implementation", "innovation", "results", "indicators",
    "ind_label_1", "ind_label_2", "ind_label_3", "ind_label_4", "ind_label_5", "ind_label_6",
    "ind_label_7", "ind_label_8", "ind_label_9", "ind_label_10", "difficulties", "lessons",
    "replication", "tools", "documents", "criteria", "action_ids", "actions", "rev", NULL};

/* Form values of a repeated field, in order. */
static size_t form_values(req_t *r, const char *key, const char **out, size_t max, bool *bad)
{
    size_t n = 0;
    for (http_kv_t *kv = r->http->form; kv; kv = kv->next)
        if (strcmp(kv->key, key) == 0) {
            if (strlen(kv->val) != kv->val_len || !utf8_valid(kv->val, kv->val_len)) {
                *bad = true;
                continue;
            }
            if (n < max)
                out[n++] = kv->val;
            else
                *bad = true;
        }
    return n;
}

/* A one-line piece of text checked like v_text does. NULL when empty. */
static const char *piece(req_t *r, const char *raw, size_t max, bool *bad, bool *too_long)
{
    if (!raw)
        return NULL;
    if (!utf8_valid(raw, strlen(raw)) || str_has_control(raw) || strpbrk(raw, "\n\r\t")) {
        *bad = true;
        return NULL;
    }
    char *v = str_trim(arena_strdup(r->arena, raw));
    if (!*v)
        return NULL;
    if (utf8_count(v) > max) {
        *too_long = true;
        return NULL;
    }
    return v;
}

/* --- indicators ---------------------------------------------------------- */

static void indicators_json(req_t *r, json_t *errors, cap_input_t *in, json_t *v)
{
    if (!json_is_array(v)) {
        v_error(errors, "indicators", N_("Give the indicators as a list of {label, value, unit}."));
        return;
    }
    if (json_array_size(v) > CAP_IND_MAX) {
        v_error(errors, "indicators", N_("A sheet has 20 indicators at most."));
        return;
    }
    size_t i;
    json_t *o;
    json_array_foreach(v, i, o) {
        json_t *jl = json_object_get(o, "label"), *jv = json_object_get(o, "value"),
               *ju = json_object_get(o, "unit");
        const char *value = NULL;
        char num[64];
        bool bad = !json_is_object(o) || !json_is_string(jl) ||
                   (ju && !json_is_null(ju) && !json_is_string(ju)) ||
                   (jv && !json_is_null(jv) && !json_is_string(jv) && !json_is_number(jv));
        if (json_is_object(o)) {
            const char *k;
            json_t *x;
            json_object_foreach(o, k, x)
                bad = bad || !(str_eq(k, "label") || str_eq(k, "value") || str_eq(k, "unit"));
        }
        if (bad) {
            v_error(errors, "indicators", N_("Give the indicators as a list of {label, value, unit}."));
            return;
        }
        if (json_is_integer(jv)) {
            snprintf(num, sizeof num, "%lld", (long long)json_integer_value(jv));
            value = num;
        } else if (json_is_real(jv)) {
            snprintf(num, sizeof num, "%g", json_real_value(jv));
            value = num;
        } else if (json_is_string(jv)) {
            value = json_string_value(jv);
        }
        bool badtext = false, too_long = false;
        cap_indicator_t *ind = &in->ind[in->n_ind];
        ind->label = piece(r, json_string_value(jl), CAP_IND_LABEL_MAX, &badtext, &too_long);
        ind->value = piece(r, value, CAP_IND_VALUE_MAX, &badtext, &too_long);
        ind->unit = piece(r, ju ? json_string_value(ju) : NULL, CAP_IND_UNIT_MAX, &badtext, &too_long);
        if (badtext) {
            v_error(errors, "indicators", N_("This text contains invalid characters."));
            return;
        }
        if (too_long) {
            v_error(errors, "indicators", N_("An indicator's label, value or unit is too long."));
            return;
        }
        if (!ind->label) {
            v_error(errors, "indicators", N_("Give each indicator a label."));
            return;
        }
        in->n_ind++;
    }
}

static void indicators_form(req_t *r, json_t *errors, cap_input_t *in)
{
    for (int i = 1; i <= CAP_IND_MAX; i++) {
        char kl[32], kv[32], ku[32];
        snprintf(kl, sizeof kl, "ind_label_%d", i);
        snprintf(kv, sizeof kv, "ind_value_%d", i);
        snprintf(ku, sizeof ku, "ind_unit_%d", i);
        bool badtext = false, too_long = false, bad = false;
        const char *l = input_str(r, kl, &bad), *v = input_str(r, kv, &bad),
                   *u = input_str(r, ku, &bad);
        cap_indicator_t ind = {piece(r, l, CAP_IND_LABEL_MAX, &badtext, &too_long),
                               piece(r, v, CAP_IND_VALUE_MAX, &badtext, &too_long),
                               piece(r, u, CAP_IND_UNIT_MAX, &badtext, &too_long)};
        if (bad || badtext) {
            v_error(errors, kl, N_("This text contains invalid characters."));
            continue;
        }
        if (too_long) {
            v_error(errors, kl, N_("An indicator's label, value or unit is too long."));
            continue;
        }
        if (!ind.label && !ind.value && !ind.unit)
            continue;
        if (!ind.label) {
            v_error(errors, kl, N_("Give each indicator a label."));
            continue;
        }
        in->ind[in->n_ind++] = ind;
    }
}

/* --- lists of ids and codes ------------------------------------------------ */

/* A JSON array of positive integers into ids (at most max). */
static bool json_ids(json_t *v, int64_t *ids, size_t *n, size_t max)
{
    if (!json_is_array(v) || json_array_size(v) > max)
        return false;
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x) {
        if (!json_is_integer(x) || json_integer_value(x) <= 0)
            return false;
        bool seen = false;
        for (size_t k = 0; k < *n; k++)
            seen = seen || ids[k] == json_integer_value(x);
        if (!seen)
            ids[(*n)++] = json_integer_value(x);
    }
    return true;
}

/* Numbers and links to actions typed in one field ("12, 15 /actions/18"),
 * and words naming an action when the plan lets its actions be found. */
static bool typed_actions(req_t *r, const char *text, cap_input_t *in, json_t *errors)
{
    char *copy = arena_strdup(r->arena, text), *save = NULL;
    for (char *tok = strtok_r(copy, " ,;\n\t", &save); tok; tok = strtok_r(NULL, " ,;\n\t", &save)) {
        const char *p = strrchr(tok, '/');
        p = p ? p + 1 : tok;
        if (*p == '#')
            p++;
        int64_t id = 0;
        if (!str_to_i64(p, &id) || id <= 0) {
            int64_t found[2];
            if (app_entity_find(r, "action", tok, found, 2) == 1) {
                id = found[0];
            } else {
                v_error(errors, "actions",
                        N_("Give the number of each action, as at the end of its page's address "
                           "(/actions/12)."));
                return false;
            }
        }
        bool seen = false;
        for (size_t k = 0; k < in->n_actions; k++)
            seen = seen || in->actions[k] == id;
        if (seen)
            continue;
        if (in->n_actions >= CAP_ACTIONS_MAX) {
            v_error(errors, "actions", N_("A sheet links 30 actions at most."));
            return false;
        }
        in->actions[in->n_actions++] = id;
    }
    return true;
}

static void documents_text(req_t *r, const char *text, cap_input_t *in, json_t *errors)
{
    char *copy = arena_strdup(r->arena, text), *save = NULL;
    for (char *tok = strtok_r(copy, " ,;\n\t", &save); tok; tok = strtok_r(NULL, " ,;\n\t", &save)) {
        if (!cap_doc_code_valid(tok)) {
            v_error(errors, "documents",
                    N_("A document's code is made of letters, digits, dots, dashes and underscores."));
            return;
        }
        bool seen = false;
        for (size_t k = 0; k < in->n_docs; k++)
            seen = seen || str_eq(in->docs[k], tok);
        if (seen)
            continue;
        if (in->n_docs >= CAP_DOCUMENTS_MAX) {
            v_error(errors, "documents", N_("A sheet names 30 documents at most."));
            return;
        }
        in->docs[in->n_docs++] = tok;
    }
}

static bool add_crit(req_t *r, cap_input_t *in, const char *ref, const char *crit)
{
    if (!ref || !crit || !*ref || !*crit || strlen(ref) > 60 || strlen(crit) > 60 ||
        !utf8_valid(ref, strlen(ref)) || !utf8_valid(crit, strlen(crit)) || str_has_control(ref) ||
        str_has_control(crit))
        return false;
    for (size_t k = 0; k < in->n_crit; k++)
        if (str_eq(in->crit[k].ref, ref) && str_eq(in->crit[k].crit, crit))
            return true;
    if (in->n_crit >= CAP_CRITERIA_MAX)
        return false;
    in->crit[in->n_crit].ref = arena_strdup(r->arena, ref);
    in->crit[in->n_crit].crit = arena_strdup(r->arena, crit);
    in->n_crit++;
    return true;
}

/* --- the whole input ------------------------------------------------------------ */

static bool author_allowed(req_t *r, const char *eps_path, int64_t sheet_id, int64_t uid)
{
    if (eps_path && users_works_at(r->db, eps_path, uid))
        return true;
    if (sheet_id > 0 &&
        db_query_int(r->db, "SELECT COUNT(*) FROM sheet_authors WHERE sheet_id = ? AND user_id = ?",
                     PARAMS(P_INT(sheet_id), P_INT(uid)), 0) > 0)
        return true;
    return r->user && uid == r->user->id;
}

void cap_input_read(req_t *r, json_t *errors, cap_input_t *in, bool creating,
                    const char *eps_path, int64_t sheet_id)
{
    memset(in, 0, sizeof *in);
    bool api = r->json != NULL;
    bool full = creating || !api; /* a page's form gives every field */
    in->title = v_text(r, errors, "title", full, CAP_TITLE_MAX);
    v_required_message(errors, "title", N_("Give the sheet a title."));
    if (api && !creating && input_present(r, "title") && !in->title)
        v_error(errors, "title", N_("Give the sheet a title."));
    in->theme = input_present(r, "theme") ? v_code(r, errors, "theme", false, cap_themes) : NULL;
    in->lang = input_present(r, "lang") ? v_code(r, errors, "lang", false, cap_langs) : NULL;
    in->contributors = v_long_text(r, errors, "contributors", false, CAP_CONTRIB_MAX);
    if (!in->contributors && (full || input_present(r, "contributors")) &&
        !json_object_get(errors, "contributors"))
        in->contributors = "";
    for (int i = 0; i < CAP_NTEXT; i++) {
        const char *f = cap_text_fields[i];
        bool required = i == CAP_T_CONTEXT || i == CAP_T_LESSONS;
        bool given = full || input_present(r, f);
        in->text[i] = v_long_text(r, errors, f, required && given, CAP_TEXT_MAX);
        if (!in->text[i] && given && !json_object_get(errors, f))
            in->text[i] = "";
    }
    v_required_message(errors, "context",
                       N_("Describe the context: the establishment, the people concerned, why it "
                          "was needed."));
    v_required_message(errors, "lessons",
                       N_("Write the lessons learned: they are what other establishments read "
                          "first."));

    /* indicators */
    if (api) {
        if (input_present(r, "indicators")) {
            in->has_indicators = true;
            json_t *v = json_object_get(r->json, "indicators");
            if (!json_is_null(v))
                indicators_json(r, errors, in, v);
        }
    } else {
        in->has_indicators = true;
        indicators_form(r, errors, in);
    }

    /* authors: people who work at the establishment */
    if (api) {
        if (input_present(r, "author_ids")) {
            in->has_authors = true;
            json_t *v = json_object_get(r->json, "author_ids");
            if (!json_is_null(v) && !json_ids(v, in->authors, &in->n_authors, CAP_AUTHORS_MAX))
                v_error(errors, "author_ids", N_("Give the authors as a list of account ids."));
        }
    } else {
        in->has_authors = true;
        const char *vals[CAP_AUTHORS_MAX];
        bool bad = false;
        size_t n = form_values(r, "author_ids", vals, CAP_AUTHORS_MAX, &bad);
        for (size_t i = 0; i < n && !bad; i++) {
            int64_t id = 0;
            if (!str_to_i64(vals[i], &id) || id <= 0)
                bad = true;
            else
                in->authors[in->n_authors++] = id;
        }
        if (bad)
            v_error(errors, "author_ids", N_("Choose the authors among the proposed people."));
    }
    if (in->has_authors && !json_object_get(errors, "author_ids"))
        for (size_t i = 0; i < in->n_authors; i++)
            if (!author_allowed(r, eps_path, sheet_id, in->authors[i])) {
                v_error(errors, "author_ids",
                        N_("The authors are people who work at the establishment."));
                break;
            }

    /* criteria */
    if (api) {
        if (input_present(r, "criteria")) {
            in->has_criteria = true;
            json_t *v = json_object_get(r->json, "criteria");
            bool ok = json_is_null(v) || (json_is_array(v) && json_array_size(v) <= CAP_CRITERIA_MAX);
            size_t i;
            json_t *o;
            if (json_is_array(v))
                json_array_foreach(v, i, o)
                    ok = ok && json_is_object(o) && json_object_size(o) == 2 &&
                         add_crit(r, in, json_string_value(json_object_get(o, "referentiel")),
                                  json_string_value(json_object_get(o, "criterion")));
            if (!ok)
                v_error(errors, "criteria",
                        N_("Give the criteria as a list of {referentiel, criterion} codes."));
        }
    } else {
        in->has_criteria = true;
        const char *vals[CAP_CRITERIA_MAX];
        bool bad = false;
        size_t n = form_values(r, "criteria", vals, CAP_CRITERIA_MAX, &bad);
        for (size_t i = 0; i < n && !bad; i++) {
            const char *bar = strchr(vals[i], '|');
            bad = !bar || !add_crit(r, in, arena_strndup(r->arena, vals[i], (size_t)(bar - vals[i])),
                                    bar + 1);
        }
        if (bad)
            v_error(errors, "criteria", N_("Choose criteria among those proposed (60 at most)."));
    }
    if (in->has_criteria && !json_object_get(errors, "criteria") &&
        !cap_criteria_check(r, in->crit, in->n_crit, sheet_id))
        v_error(errors, "criteria", N_("Choose criteria of a published référentiel."));

    /* improvement actions the writer may know */
    if (api) {
        if (input_present(r, "action_ids")) {
            in->has_actions = true;
            json_t *v = json_object_get(r->json, "action_ids");
            if (!json_is_null(v) && !json_ids(v, in->actions, &in->n_actions, CAP_ACTIONS_MAX))
                v_error(errors, "action_ids", N_("Give the actions as a list of action ids."));
        }
    } else {
        in->has_actions = true;
        const char *vals[CAP_ACTIONS_MAX];
        bool bad = false;
        size_t n = form_values(r, "action_ids", vals, CAP_ACTIONS_MAX, &bad);
        for (size_t i = 0; i < n && !bad; i++) {
            int64_t id = 0;
            if (!str_to_i64(vals[i], &id) || id <= 0)
                bad = true;
            else
                in->actions[in->n_actions++] = id;
        }
        if (bad)
            v_error(errors, "action_ids", N_("Choose the actions among the proposed ones."));
        bool badt = false;
        const char *typed = input_str(r, "actions", &badt);
        if (badt || (typed && !utf8_valid(typed, strlen(typed))))
            v_error(errors, "actions", N_("This text contains invalid characters."));
        else if (typed && *typed)
            typed_actions(r, typed, in, errors);
    }
    const char *afield = api ? "action_ids" : "actions";
    if (in->has_actions && !json_object_get(errors, afield))
        for (size_t i = 0; i < in->n_actions; i++)
            if (!app_entity_name(r, "action", in->actions[i], NULL)) {
                v_error(errors, afield, N_("One of these actions does not exist or is not known to you."));
                break;
            }

    /* documents of the library, by code */
    if (api) {
        if (input_present(r, "documents")) {
            in->has_documents = true;
            json_t *v = json_object_get(r->json, "documents");
            bool ok = json_is_null(v) || (json_is_array(v) && json_array_size(v) <= CAP_DOCUMENTS_MAX);
            size_t i;
            json_t *o;
            if (json_is_array(v))
                json_array_foreach(v, i, o) {
                    char *code = json_is_string(o) ? arena_strdup(r->arena, json_string_value(o)) : NULL;
                    ok = ok && code && cap_doc_code_valid(code);
                    if (ok) {
                        bool seen = false;
                        for (size_t k = 0; k < in->n_docs; k++)
                            seen = seen || str_eq(in->docs[k], code);
                        if (!seen)
                            in->docs[in->n_docs++] = code;
                    }
                }
            if (!ok)
                v_error(errors, "documents",
                        N_("Give the documents as a list of their codes (letters, digits, dots, "
                           "dashes)."));
        }
    } else {
        in->has_documents = true;
        bool bad = false;
        const char *typed = input_str(r, "documents", &bad);
        if (bad || (typed && (!utf8_valid(typed, strlen(typed)) || str_has_control(typed))))
            v_error(errors, "documents", N_("This text contains invalid characters."));
        else if (typed)
            documents_text(r, typed, in, errors);
    }
}
