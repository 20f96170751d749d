/* plan.h - the improvement plan (plan d'amélioration continue de la
 * qualité): actions born of self-assessment gaps, incidents, complaints,
 * surveys, inspections or the projet d'établissement, followed until their
 * effectiveness is checked; an EPS's plan adopted by its director. What
 * other modules may call. */
#ifndef JOUDA_PLAN_H
#define JOUDA_PLAN_H

#include "../app/app.h"

extern const module_t plan_module;

#endif
