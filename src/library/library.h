/* library.h - the document library: procedures, protocols, templates
 * (modèles) and forms (formulaires) of an establishment, or shared by an
 * association or the whole network (the "national library" at the root).
 * Each document has a stable lower-case code (kept across instances: kits
 * carry it), an owner, a review date, a status (draft -> approved ->
 * archived) and numbered versions whose files are kept (stored through the
 * attach module, owner_kind "document_version"); staff acknowledge having
 * read the current approved version; documents are linked to criteria of
 * published référentiels as evidence.
 *
 * Pages under /documents, API under /api/v1/documents (docs/API.md). Its
 * kit part "document" carries every approved document's current version.
 * Other modules use it only through the module seam (kit parts, search
 * rows, home sections). */
#ifndef JOUDA_LIBRARY_H
#define JOUDA_LIBRARY_H

#include "../app/app.h"

extern const module_t library_module;

#endif
