/* road_steps.c - the steps of the démarche qualité and the pure rules of the
 * roadmap: statuses, and the merge of what people recorded with what the data
 * prove (the current step is the first one not done). No database here. */
#include "road_internal.h"

#include <string.h>

const road_step_def_t road_steps[ROAD_NSTEPS] = {
    {"commitment", N_("road_step.commitment"),
     N_("The director commits the establishment to the approach and forms a steering committee "
        "(management, referent, staff, and representatives of the children and families)."),
     NULL, NULL, NULL},
    {"referent_named", N_("road_step.referent_named"),
     N_("A person of the establishment is named quality referent and holds that role in Jouda."),
     "quality_referent_named", N_("See the accounts of the establishment"), "/admin/users?node={eps}"},
    {"team_trained", N_("road_step.team_trained"),
     N_("The team is trained in the approach: the référentiel, self-assessment, the improvement plan."),
     NULL, NULL, NULL},
    {"self_assessment", N_("road_step.self_assessment"),
     N_("A self-assessment on the référentiel is led with the team, scored and validated by the director."),
     "campaign_validated", N_("Start a self-assessment"), "/campaigns/new"},
    {"plan_adopted", N_("road_step.plan_adopted"),
     N_("The actions drawn from the self-assessment are planned and the director adopts the improvement plan."),
     "plan_adopted", N_("Open the improvement plan"), "/plans/{eps}"},
    {"project_validated", N_("road_step.project_validated"),
     N_("The projet d'établissement is written with the team, consulted and validated by the director."),
     "project_validated", N_("Open the projets d'établissement"), "/projects?node_id={eps}"},
    {"indicators_followed", N_("road_step.indicators_followed"),
     N_("The objectives of the projet have indicators with targets, followed over time."),
     "project_indicators", N_("Open the projets d'établissement"), "/projects?node_id={eps}"},
    {"capitalisation", N_("road_step.capitalisation"),
     N_("What worked is written down in a capitalisation sheet, published for the other establishments."),
     "sheet_published", N_("Write a capitalisation sheet"), "/sheets/new"},
    {"kit_shared", N_("road_step.kit_shared"),
     N_("The establishment's tools and sheets are shared with other establishments through a transfer kit."),
     NULL, NULL, NULL},
};

const char *const road_status_codes[] = {"todo", "in_progress", "done", NULL};

/* Codes shown through the catalogues, listed for them. */
static const char *const road_code_msgids[] __attribute__((unused)) = {
    N_("road_status.todo"), N_("road_status.in_progress"), N_("road_status.done"),
    N_("road_step.complete")};

int road_step_index(const char *code)
{
    for (int i = 0; code && i < ROAD_NSTEPS; i++)
        if (strcmp(road_steps[i].code, code) == 0)
            return i;
    return -1;
}

const char *road_status_code(road_status_t s)
{
    return (int)s >= 0 && s <= ROAD_DONE ? road_status_codes[s] : "todo";
}

int road_status_parse(const char *code)
{
    for (int i = 0; code && road_status_codes[i]; i++)
        if (strcmp(road_status_codes[i], code) == 0)
            return i;
    return -1;
}

int road_merge(const road_status_t *stored, const bool *proved, bool *done, int *n_done)
{
    int current = ROAD_COMPLETE, n = 0;
    for (int i = 0; i < ROAD_NSTEPS; i++) {
        done[i] = (stored && stored[i] == ROAD_DONE) || (proved && proved[i]);
        if (done[i])
            n++;
        else if (current == ROAD_COMPLETE)
            current = i;
    }
    if (n_done)
        *n_done = n;
    return current;
}

const char *road_current_code(int current)
{
    return current >= 0 && current < ROAD_NSTEPS ? road_steps[current].code : "complete";
}

int road_current_parse(const char *code)
{
    if (str_eq(code, "complete"))
        return ROAD_COMPLETE;
    return road_step_index(code);
}

bool road_ids_has(const int64_t *ids, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ids[mid] == id)
            return true;
        if (ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}
