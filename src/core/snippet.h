/* snippet.h - the piece of a stored text shown under a search result: a
 * window of words around the best place where the query's words are found,
 * in the text as it was written (accents and harakat kept), with the words
 * found marked, Markdown's marks and link targets left out.
 *
 * Words are those of words.h: a word of the text is found when its folded
 * form begins with one of the query's folded words (the search's prefix
 * matching). The window holds the most different query words, then the
 * most hits, the earliest such; it is centred on its hits. "… " and " …"
 * say that text was left out before or after. Between two words the text
 * keeps its punctuation, without Markdown marks, white space made one
 * space. Very long words and runs of signs are cut. The result is valid
 * UTF-8 (invalid bytes and controls are left out). Pure: libc only. */
#ifndef JOUDA_SNIPPET_H
#define JOUDA_SNIPPET_H

#include <stdbool.h>
#include <stddef.h>

#define SNIPPET_WORDS 30 /* the usual window */

typedef struct {
    size_t off, len; /* a piece of snippet_t.text */
    bool hit;        /* a word found */
} snippet_seg_t;

typedef struct {
    char *text;           /* the whole snippet, NUL-terminated (malloc'd) */
    size_t len;
    snippet_seg_t *segs;  /* in order, covering text; never two plain ones in a row */
    size_t n_segs;
    size_t hits;          /* words found in the window */
} snippet_t;

/* The snippet of text[0..n) for the folded query words (words_query) in a
 * window of at most window words (0: the whole text, without "…"). md: the
 * text is Markdown. An empty text gives an empty snippet. */
void snippet_make(const char *text, size_t n, bool md, const char *const *words, size_t n_words,
                  size_t window, snippet_t *out);
void snippet_free(snippet_t *s);

#endif
