/* onboard.h - the wizard opening a new EPS (issue 11, section 6): the EPS
 * and its units, its director and quality referent accounts, a transfer kit,
 * its roadmap opened at the first step, in one transaction. Nothing for
 * other modules to call: the module only. */
#ifndef JOUDA_ONBOARD_H
#define JOUDA_ONBOARD_H

#include "../app/app.h"

extern const module_t onboard_module;

#endif
