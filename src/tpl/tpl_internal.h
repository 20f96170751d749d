/* tpl_internal.h - the parsed form of a template, shared by the parser
 * (tpl_parse.c) and the renderer (tpl_render.c). A template is a flat array
 * of nodes plus one string pool; a section node records the index just past
 * its body so rendering is a walk over index ranges, with no allocation. */
#ifndef JOUDA_TPL_INTERNAL_H
#define JOUDA_TPL_INTERNAL_H

#include "tpl.h"

#include <stdint.h>

enum tpl_kind {
    TK_TEXT,     /* s1: text */
    TK_VAR,      /* name */
    TK_SECTION,  /* name, end */
    TK_INVERTED, /* name, end */
    TK_PARTIAL,  /* s1: partial name */
    TK_DYNPARTIAL, /* name: value holding the partial's name */
    TK_TR,       /* s1: msgid */
    TK_TRN,      /* name: count, s1: one, s2: many */
    TK_TRK,      /* name: value holding the msgid */
    TK_CONTENT   /* {{@content}} */
};

/* Offsets (not pointers) into the pool: it grows while parsing. A name is
 * stored twice: raw ("errors.email", for messages) and as nseg
 * NUL-terminated segments ("errors\0email\0"); nseg 0 means "." */
typedef struct {
    uint8_t kind;
    uint8_t nseg;
    uint32_t line;
    uint32_t raw;
    uint32_t name;
    uint32_t s1, s1len;
    uint32_t s2, s2len;
    uint32_t end;
} tpl_node_t;

typedef struct {
    char *name;
    tpl_node_t *nodes;
    uint32_t nnodes;
    char *pool;
} tpl_t;

struct tpl_set {
    tpl_t *v; /* sorted by name */
    size_t n, cap;
    bool strict;
};

#define TPL_MAX_SRC (8u << 20)   /* bytes in one template */
#define TPL_MAX_NEST 32          /* sections open at once in one template */
#define TPL_MAX_SEGS 32          /* segments of a dotted name */
#define TPL_MAX_PARTIAL_DEPTH 32 /* partials within partials */

/* Parse src into t (t->name already set). 0 or -1 with err. */
int tpl_parse(tpl_t *t, const char *src, size_t len, char *err, size_t errlen);
void tpl_free_one(tpl_t *t);
const tpl_t *tpl_find(const tpl_set_t *set, const char *name);

#endif
