/* project.h - the projet d'établissement: an EPS's plan for up to five
 * years, written together (sections in Markdown, proposals and comments, a
 * participation record), its strategy (axes, objectives with indicators,
 * action sheets, improvement actions born of objectives), versions frozen
 * at each validation with a word-level diff, and PDF documents in French or
 * Arabic. What other modules may call. */
#ifndef JOUDA_PROJECT_H
#define JOUDA_PROJECT_H

#include "../app/app.h"

extern const module_t project_module;

#endif
