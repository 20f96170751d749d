/* capit.h - capitalisation sheets (issue 11, section 1): an experience of an
 * EPS written down to be shared (context, history, objectives, actors, what
 * was done, what was innovative, results with indicators, difficulties,
 * lessons, conditions for replication, tools), in French or Arabic, with a
 * stable code (generated once, kept across instances: kits carry it) and a
 * version (UNIQUE (code, version)); draft -> review -> published. Editing a
 * published sheet opens version + 1 as a draft; the published one stays
 * readable until the new one is published, then it is superseded.
 *
 * Other modules use it only through the seam (module_t):
 *  - entity "sheet" (app_entity_name(r, "sheet", id, &href): its title and
 *    page /sheets/<id> when the reader may read it);
 *  - fact "sheet_published" (app_fact): EPS having a published sheet;
 *  - kit part "sheet" (app_kit_part): published sheets, latest published
 *    version of each code, matched by (code, version);
 *  - search rows of type "sheet" (search_put), href "/sheets/<id>".
 * Pages: /sheets (the library of sheets), /sheets/new, /sheets/<id>,
 * /sheets/<id>/edit; API: /api/v1/sheets (docs/API.md). */
#ifndef JOUDA_CAPIT_H
#define JOUDA_CAPIT_H

#include "../app/app.h"

/* The page of a sheet: "/sheets/<id>" (arena). */
const char *cap_sheet_href(arena_t *a, int64_t id);

extern const module_t capit_module;

#endif
