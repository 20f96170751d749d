/* modules.c - the program's composition root: the modules Jouda is made of,
 * in order (menus and pages sort by their own orders; the demo data are
 * added in this order). A new module adds its header and one line here;
 * the framework itself names no module. */
#include "../account/account.h"
#include "../attach/attach.h"
#include "../audit/audit.h"
#include "../nodes/nodes.h"
#include "../notify/notify.h"
#include "../ref/ref.h"
#include "../assess/assess.h"
#include "../plan/plan.h"
#include "../project/project.h"
#include "../person/person.h"
#include "../users/users.h"
#include "../search/search.h"
#include "../capit/capit.h"
#include "../library/library.h"
#include "../roadmap/roadmap.h"
#include "../kit/kit.h"
#include "../onboard/onboard.h"
#include "cli.h"

static const module_t *const jouda_modules[] = {
    &audit_module,  /* the log every write goes to */
    &notify_module, /* in-app notifications */
    &nodes_module,  /* the organisation tree */
    &users_module,  /* accounts and roles */
    &account_module,/* signing in, profile */
    &attach_module, /* documents */
    &ref_module,    /* référentiels: frameworks of criteria */
    &assess_module, /* self-assessment campaigns */
    &plan_module,   /* the improvement plan: actions, adoption, reminders */
    &project_module,/* the projet d'établissement: sections, versions, strategy, PDF */
    &person_module, /* persons supported, their needs and support plans */
    &search_module, /* one search over sheets, documents, criteria and sections */
    &capit_module,  /* capitalisation sheets: experience written down and shared */
    &library_module,/* the document library: procedures, protocols, templates, forms */
    &roadmap_module,/* the methodology roadmap of each EPS */
    &kit_module,    /* transfer kits: export, signature, import */
    &onboard_module,/* the wizard opening a new EPS */
};

void jouda_use_modules(void)
{
    app_use_modules(jouda_modules, ARRAY_LEN(jouda_modules));
}
