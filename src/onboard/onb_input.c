/* onb_input.c - what the wizard reads: the establishment (the nodes
 * module's reader and rules), its units, the two people, and for the API the
 * nested body turned into the form's flat names so that pages and API share
 * one validation. */
#include "onboard_internal.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define MSG_TYPE N_("This value has the wrong type.")
#define MSG_UNKNOWN N_("This field is not known.")

static const char *const person_prefix[ONB_PEOPLE] = {"director", "referent"};
static const char *const person_keys[] = {"name", "email", "username", "language", NULL};

const char *const onb_field_order[] = {"association_id",
                                       "name",
                                       "name_ar",
                                       "category",
                                       "region",
                                       "province",
                                       "capacity",
                                       "authorisation_no",
                                       "unit_name_1",
                                       "unit_kind_1",
                                       "unit_name_2",
                                       "unit_kind_2",
                                       "unit_name_3",
                                       "unit_kind_3",
                                       "unit_name_4",
                                       "unit_kind_4",
                                       "unit_name_5",
                                       "unit_kind_5",
                                       "unit_name_6",
                                       "unit_kind_6",
                                       "unit_name_7",
                                       "unit_kind_7",
                                       "unit_name_8",
                                       "unit_kind_8",
                                       "unit_name_9",
                                       "unit_kind_9",
                                       "unit_name_10",
                                       "unit_kind_10",
                                       "unit_name_11",
                                       "unit_kind_11",
                                       "unit_name_12",
                                       "unit_kind_12",
                                       "units",
                                       "director_name",
                                       "director_email",
                                       "director_username",
                                       "director_language",
                                       "referent_name",
                                       "referent_email",
                                       "referent_username",
                                       "referent_language",
                                       "kit",
                                       "allow_unsigned",
                                       NULL};

void onb_plan_init(onb_plan_t *p)
{
    memset(p, 0, sizeof *p);
    p->eps.capacity = -1;
    p->people[ONB_DIRECTOR].prefix = person_prefix[ONB_DIRECTOR];
    p->people[ONB_DIRECTOR].role = ROLE_DIRECTOR;
    p->people[ONB_REFERENT].prefix = person_prefix[ONB_REFERENT];
    p->people[ONB_REFERENT].role = ROLE_QUALITY_REFERENT;
}

static const char *fname(req_t *r, const char *a, const char *b)
{
    return arena_printf(r->arena, "%s_%s", a, b);
}

static bool filled(req_t *r, const char *field)
{
    bool bad = false;
    const char *v = input_str(r, field, &bad);
    return bad || !str_empty(v);
}

/* --- Step 1 ----------------------------------------------------------------- */

res_t onb_read_eps(req_t *r, json_t *errors, onb_plan_t *p)
{
    res_t rc = onb_assoc_check(r, errors, p);
    if (rc != RES_OK)
        return rc;
    nodes_input_read(r, errors, NODE_EPS, false, &p->eps);
    p->n_units = 0;
    for (int i = 1; i <= ONB_UNITS_MAX; i++) {
        const char *kn = arena_printf(r->arena, "unit_name_%d", i);
        const char *kk = arena_printf(r->arena, "unit_kind_%d", i);
        const char *name = v_text(r, errors, kn, false, NODES_NAME_MAX);
        const char *kind = v_code(r, errors, kk, false, nodes_unit_kinds);
        if (!name) {
            if (kind)
                v_error(errors, kn, N_("Enter the unit's name, or leave its kind empty."));
            continue;
        }
        for (int k = 0; k < p->n_units; k++)
            if (strcmp(p->units[k].name, name) == 0) {
                v_error(errors, kn, N_("Two units have this name: give each its own."));
                break;
            }
        p->units[p->n_units].name = name;
        p->units[p->n_units].kind = kind;
        p->n_units++;
    }
    return RES_OK;
}

/* --- Step 2 ----------------------------------------------------------------- */

static void read_person(req_t *r, json_t *errors, onb_person_t *who)
{
    const char *fn = fname(r, who->prefix, "name"), *fe = fname(r, who->prefix, "email"),
               *fu = fname(r, who->prefix, "username"), *fl = fname(r, who->prefix, "language");
    who->given = filled(r, fn) || filled(r, fe) || filled(r, fu);
    who->name = who->email = who->username = NULL;
    who->language = "fr";
    const char *lang = v_code(r, errors, fl, false, users_languages);
    if (lang)
        who->language = lang;
    if (!who->given)
        return;
    who->name = v_text(r, errors, fn, true, USERS_NAME_MAX);
    v_required_message(errors, fn, N_("Enter the person's full name."));
    const char *why = who->name ? users_check_name(who->name) : NULL;
    if (why)
        v_error(errors, fn, why);
    who->email = v_email(r, errors, fe, false);
    const char *u = v_text(r, errors, fu, false, USERS_USERNAME_MAX);
    if (u) {
        char *low = arena_strdup(r->arena, u);
        users_lower(low);
        why = users_check_username(low);
        if (why)
            v_error(errors, fu, why);
        else
            who->username = low;
    }
    if (!who->email && !who->username && !json_object_get(errors, fe) &&
        !json_object_get(errors, fu))
        v_error(errors, fe, N_("Give an email address or a username (at least one)."));
    /* every error at once: an account that exists already too */
    if (who->email && users_find_id(r->db, who->email) > 0)
        v_error(errors, fe,
                N_("An account already uses this email address. Use another address, or give "
                   "the role to that account from its page once the establishment is open."));
    if (who->username && users_find_id(r->db, who->username) > 0)
        v_error(errors, fu, N_("This username is already used."));
}

void onb_read_people(req_t *r, json_t *errors, onb_plan_t *p)
{
    for (int k = 0; k < ONB_PEOPLE; k++)
        read_person(r, errors, &p->people[k]);
    const onb_person_t *d = &p->people[ONB_DIRECTOR], *q = &p->people[ONB_REFERENT];
    if (d->given && q->given) {
        if (d->email && q->email && strcmp(d->email, q->email) == 0)
            v_error(errors, "referent_email",
                    N_("The director and the quality referent need two different accounts: give "
                       "another email address."));
        if (d->username && q->username && strcmp(d->username, q->username) == 0)
            v_error(errors, "referent_username",
                    N_("The director and the quality referent need two different usernames."));
    }
}

/* --- Values ----------------------------------------------------------------- */

json_t *onb_values(req_t *r)
{
    json_t *v = json_object();
    for (size_t i = 0; onb_field_order[i]; i++) {
        const char *s = input_str(r, onb_field_order[i], NULL);
        if (s && utf8_valid(s, strlen(s)))
            json_object_set_new(v, onb_field_order[i], json_string(s));
    }
    return v;
}

int onb_unit_rows(req_t *r, bool more)
{
    int last = 0;
    for (int i = 1; i <= ONB_UNITS_MAX; i++)
        if (filled(r, arena_printf(r->arena, "unit_name_%d", i)) ||
            filled(r, arena_printf(r->arena, "unit_kind_%d", i)))
            last = i;
    int64_t shown = 0;
    const char *s = input_str(r, "unit_rows", NULL);
    if (!s || !str_to_i64(s, &shown) || shown < 0)
        shown = 0;
    int rows = last + 1;
    if (rows < ONB_UNITS_SHOWN)
        rows = ONB_UNITS_SHOWN;
    if (shown > rows)
        rows = (int)(shown > ONB_UNITS_MAX ? ONB_UNITS_MAX : shown);
    if (more)
        rows += 3;
    return rows > ONB_UNITS_MAX ? ONB_UNITS_MAX : rows;
}

/* --- API ------------------------------------------------------------------- */

static const char *const api_top[] = {
    "association_id", "name",     "name_ar",          "category",       "region",
    "province",       "capacity", "authorisation_no", "units",          "director",
    "referent",       "kit",      "kit_name",         "allow_unsigned", NULL};

static void flat_person(req_t *r, json_t *errors, json_t *flat, const char *prefix, json_t *o)
{
    if (!o || json_is_null(o))
        return;
    if (!json_is_object(o)) {
        v_error(errors, prefix, MSG_TYPE);
        return;
    }
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        if (!str_in(person_keys, k)) {
            v_error(errors, arena_printf(r->arena, "%s.%s", prefix, k), MSG_UNKNOWN);
            continue;
        }
        json_object_set(flat, fname(r, prefix, k), v);
    }
}

bool onb_api_flatten(req_t *r, json_t *errors, onb_plan_t *p)
{
    json_t *in = r->json;
    json_t *flat = json_object();
    arena_defer(r->arena, (void (*)(void *))json_decref, flat);
    const char *k;
    json_t *v;
    json_object_foreach(in, k, v)
    {
        if (!str_in(api_top, k)) {
            v_error(errors, k, MSG_UNKNOWN);
            continue;
        }
        if (strcmp(k, "units") == 0 || strcmp(k, "director") == 0 || strcmp(k, "referent") == 0 ||
            strcmp(k, "kit") == 0 || strcmp(k, "kit_name") == 0 || strcmp(k, "allow_unsigned") == 0)
            continue;
        json_object_set(flat, k, v);
    }
    json_t *units = json_object_get(in, "units");
    if (units && !json_is_null(units)) {
        if (!json_is_array(units))
            v_error(errors, "units", MSG_TYPE);
        else if (json_array_size(units) > ONB_UNITS_MAX)
            v_error(errors, "units",
                    N_("An establishment opens with 12 units at most: add the others later."));
        else {
            size_t i;
            json_t *u;
            json_array_foreach(units, i, u)
            {
                if (!json_is_object(u)) {
                    v_error(errors, arena_printf(r->arena, "unit_name_%zu", i + 1), MSG_TYPE);
                    continue;
                }
                json_object_foreach(u, k, v)
                {
                    if (strcmp(k, "name") == 0)
                        json_object_set(flat, arena_printf(r->arena, "unit_name_%zu", i + 1), v);
                    else if (strcmp(k, "unit_kind") == 0)
                        json_object_set(flat, arena_printf(r->arena, "unit_kind_%zu", i + 1), v);
                    else
                        v_error(errors, arena_printf(r->arena, "units[%zu].%s", i, k), MSG_UNKNOWN);
                }
                /* a unit given in the API has a name */
                json_t *un = json_object_get(u, "name");
                if (!un || json_is_null(un) ||
                    (json_is_string(un) && str_empty(json_string_value(un))))
                    v_error(errors, arena_printf(r->arena, "unit_name_%zu", i + 1),
                            N_("Enter the unit's name."));
            }
        }
    }
    flat_person(r, errors, flat, "director", json_object_get(in, "director"));
    flat_person(r, errors, flat, "referent", json_object_get(in, "referent"));

    json_t *au = json_object_get(in, "allow_unsigned");
    if (au && !json_is_boolean(au) && !json_is_null(au))
        v_error(errors, "allow_unsigned", MSG_TYPE);
    p->allow_unsigned = json_is_true(au);
    json_t *kn = json_object_get(in, "kit_name");
    if (kn && !json_is_string(kn) && !json_is_null(kn))
        v_error(errors, "kit_name", MSG_TYPE);
    p->kit_name = json_is_string(kn) ? arena_strdup(r->arena, json_string_value(kn)) : "kit.zip";
    json_t *kit = json_object_get(in, "kit");
    if (kit && !json_is_null(kit)) {
        const char *b64 = json_string_value(kit);
        size_t n = b64 ? strlen(b64) : 0;
        unsigned char *bin = n ? arena_alloc(r->arena, n / 4 * 3 + 3) : NULL;
        size_t len = 0;
        if (!b64 || n == 0 ||
            sodium_base642bin(bin, n / 4 * 3 + 3, b64, n, " \r\n", &len, NULL,
                              sodium_base64_VARIANT_ORIGINAL) != 0 ||
            len == 0)
            v_error(errors, "kit", N_("Send the kit as a zip archive in base64."));
        else {
            p->kit = bin;
            p->kit_len = len;
        }
    }
    r->json = flat;
    nodes_json_types(r, errors);
    return json_object_size(errors) == 0;
}

json_t *onb_api_fields(json_t *errors)
{
    json_t *out = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(errors, k, v)
    {
        char key[96];
        int n;
        if (sscanf(k, "unit_name_%d", &n) == 1 && n >= 1)
            snprintf(key, sizeof key, "units[%d].name", n - 1);
        else if (sscanf(k, "unit_kind_%d", &n) == 1 && n >= 1)
            snprintf(key, sizeof key, "units[%d].unit_kind", n - 1);
        else if (strncmp(k, "director_", 9) == 0)
            snprintf(key, sizeof key, "director.%s", k + 9);
        else if (strncmp(k, "referent_", 9) == 0)
            snprintf(key, sizeof key, "referent.%s", k + 9);
        else
            snprintf(key, sizeof key, "%s", k);
        json_object_set(out, key, v);
    }
    return out;
}
