/* assess.h - the self-assessment module: campaigns in which an establishment
 * scores itself against a published référentiel, with evidence, a workflow
 * (draft -> in progress -> submitted -> validated), results per node of the
 * référentiel's tree, and the gaps that become improvement proposals. What
 * other modules may call. */
#ifndef JOUDA_ASSESS_H
#define JOUDA_ASSESS_H

#include "../app/app.h"

extern const module_t assess_module;

#endif
