/* onb_api.c - POST /api/v1/onboard: the wizard in one call (the same
 * validation and the same transaction as the pages). ?dry_run=1 checks
 * everything and previews the kit, writing nothing. */
#include "onboard_internal.h"

#include <string.h>

void onb_api_create(req_t *r)
{
    if (!api_body_object(r))
        return;
    if (!onb_may_use(r)) {
        app_fail(r, RES_FORBIDDEN,
                 N_("Only an administrator or a quality advisor of an association opens a new "
                    "establishment."),
                 NULL);
        return;
    }
    onb_plan_t p;
    onb_plan_init(&p);
    json_t *errors = json_object();
    arena_defer(r->arena, (void (*)(void *))json_decref, errors);
    onb_api_flatten(r, errors, &p);
    res_t rc = onb_read_eps(r, errors, &p);
    if (rc != RES_OK) {
        app_fail(r, rc, NULL, NULL);
        return;
    }
    onb_read_people(r, errors, &p);
    if (json_object_size(errors) == 0) {
        rc = onb_kit_preview(r, errors, &p);
        if (rc != RES_OK && rc != RES_INVALID) {
            app_fail(r, rc, NULL, NULL);
            return;
        }
    }
    if (json_object_size(errors) > 0) {
        v_errors_order(errors, onb_field_order);
        app_fail(r, RES_INVALID, NULL, onb_api_fields(errors));
        return;
    }
    const char *dry = req_query(r, "dry_run");
    if (str_eq(dry, "1") || str_eq(dry, "true")) {
        json_t *plan = json_object();
        json_object_set_new(plan, "dry_run", json_true());
        json_object_set_new(plan, "association_id", json_integer(p.assoc_id));
        json_object_set_new(plan, "name", json_string(p.eps.name));
        json_object_set_new(plan, "units", json_integer(p.n_units));
        json_t *acc = json_array();
        for (int k = 0; k < ONB_PEOPLE; k++)
            if (p.people[k].given)
                json_array_append_new(acc, json_string(p.people[k].role == ROLE_DIRECTOR
                                                           ? "director"
                                                           : "quality_referent"));
        json_object_set_new(plan, "accounts", acc);
        json_object_set_new(plan, "kit", p.kit_report ? json_incref(p.kit_report) : json_null());
        api_send(r, 200, plan);
        return;
    }
    int64_t eps_id = 0;
    json_t *report = NULL;
    const char *msgid = NULL;
    rc = onb_create(r, &p, errors, &eps_id, &report, &msgid);
    if (rc == RES_INVALID) {
        app_fail(r, RES_INVALID, NULL, onb_api_fields(errors));
        return;
    }
    if (rc != RES_OK) {
        app_fail(r, rc, msgid, NULL);
        return;
    }
    json_t *out = onb_result(r, &p, eps_id, report);
    json_decref(report);
    api_send(r, 201, out);
}
