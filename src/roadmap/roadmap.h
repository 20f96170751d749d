/* roadmap.h - the methodology roadmap of an EPS (issue 11, section 4).
 *
 * Per EPS, the nine steps of the démarche qualité, each with a status (todo / in_progress / done), a day, an evidence
 * text and who changed it last. Steps a module can prove (app_fact_t) are shown done by the system at read time.
 */
#ifndef JOUDA_ROADMAP_H
#define JOUDA_ROADMAP_H

#include "../app/app.h"

/* Open the roadmap of a new EPS: writes its nine steps (the first "in_progress", the others "todo") in one
 * transaction with an audit row. Idempotent: steps that already exist are left as they are.
 * DB_OK, or a db_* code (DB_ERR also when eps_id is not an establishment). Joins the caller's
 * transaction when there is one. */
int road_open(db_t *db, int64_t eps_id, int64_t actor, const char *ip);

extern const module_t roadmap_module;

#endif
