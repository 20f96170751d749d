/* fold.h - text folding for search: one normal form for names typed in
 * French, Arabic or English, so that a search ignores case, French accents,
 * Arabic diacritics and letter variants. Plain C over libc (no Unicode
 * library): the rules below are the whole of it.
 *
 * Folding, code point by code point (after UTF-8 decoding; invalid bytes,
 * overlongs and surrogates are dropped):
 *  - ASCII letters to lower case;
 *  - Latin-1 Supplement and Latin Extended-A letters to their base letters,
 *    lower case: à â ä á ã å -> a, ç -> c, é è ê ë -> e, ñ -> n, ... and
 *    æ -> ae, œ -> oe, ß -> ss, þ -> th, ĳ -> ij; combining accents
 *    (U+0300-U+036F, decomposed input) are dropped;
 *  - Arabic: harakat U+064B-U+065F, superscript alef U+0670, tatweel U+0640
 *    and the small high signs U+0610-U+061A are dropped; أ إ آ ٱ -> ا,
 *    ة -> ه, ى -> ي, ؤ -> و, ئ -> ي (and the Persian forms ی -> ي, ک -> ك);
 *  - Arabic-Indic digits ٠-٩ and Eastern ۰-۹ -> 0-9;
 *  - controls and invisible format marks (zero-width joiners, direction
 *    marks, soft hyphen, BOM) are dropped;
 *  - every run of white space (ASCII, no-break and Unicode spaces) becomes
 *    one space; leading and trailing space is removed.
 * Everything else is kept as it is. The result is valid UTF-8, never longer
 * than the input, and folding it again changes nothing. */
#ifndef JOUDA_FOLD_H
#define JOUDA_FOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest search query, in words: further words are ignored. */
#define TEXT_FOLD_MAX_WORDS 8

/* The folded form of a NUL-terminated string, malloc'd (free() it); NULL
 * counts as "". Out of memory is fatal (xmalloc). */
char *text_fold(const char *utf8);

/* Fold n bytes (which may hold NUL bytes: they are dropped) into out, which
 * must have room for n + 1 bytes. Returns the length written (NUL added). */
size_t text_fold_into(const char *in, size_t n, char *out);

/* The search key of a record: its fields (NULL ones skipped) folded and
 * joined by one space, malloc'd. Never "": a record without a single
 * letter gets " ", so that a stored "" can mean "not computed yet". */
char *text_fold_key(const char *const *fields, size_t n);

/* Split a folded string in place at its spaces into at most max words.
 * Returns the number of words (0 for ""). */
size_t text_fold_words(char *folded, const char **words, size_t max);

/* Does key (a search key) contain every word (at most TEXT_FOLD_MAX_WORDS)
 * of query, once query is folded? Plain substring tests, the same as the
 * "search_key LIKE '%word%'" of the SQL searches. An empty query matches. */
bool text_fold_match(const char *key, const char *query);

/* For tokenizers built on the same rules (words.c): decode one strictly
 * valid UTF-8 sequence at s (n > 0 bytes left): its length and code point,
 * or 0 when the first byte starts no valid sequence. */
size_t text_utf8_decode(const char *s, size_t n, uint32_t *cp);
/* Is cp white space for the folding (becomes one space)? */
bool text_fold_is_space(uint32_t cp);
/* Is cp dropped by the folding (controls, format marks, accents and
 * Arabic diacritics, tatweel)? */
bool text_fold_is_dropped(uint32_t cp);

#endif
