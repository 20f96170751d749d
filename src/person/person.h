/* person.h - the persons supported by an EPS (children, young people,
 * mothers) and their holistic individual support plans (projet
 * personnalisé): identity, needs by life domain, the plan with its goals,
 * actions, co-signatures, versions and reviews. The most sensitive data of
 * the system: read on a need-to-know basis, every read of a file logged,
 * notes and free text sealed at rest (seal.h), two-step verification
 * required of those who hold or grant wide access (account.h).
 * Uses nodes, users, account, audit, notify and doc. */
#ifndef JOUDA_PERSON_H
#define JOUDA_PERSON_H

#include "../app/app.h"

/* `jouda retention`: anonymise the persons who left (exit_date) more than
 * years ago and are not anonymised yet: names, birth date (kept as its
 * year), notes, free text of needs and plans, referents, siblings, grants
 * and the access log emptied; the pseudonymous code and the counts stay.
 * One audit row per person (actor 0). today: "YYYY-MM-DD". dry_run: only
 * count. Number of persons (to be) anonymised, or -1. */
int person_retention(db_t *db, int years, const char *today, bool dry_run);

extern const module_t person_module;

#endif
