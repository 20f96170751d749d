/* words.h - the words of a text for the full-text search: one tokenizer for
 * what is indexed, what is asked and what is highlighted, so that the three
 * always agree, on SQLite (FTS5) as on PostgreSQL (tsvector), whatever the
 * database's locale.
 *
 * A word is a run of letters and digits: every code point is a letter
 * except white space, controls, ASCII punctuation and symbols, the Latin-1
 * signs (« » ¿ ¡ § ° × ÷...), general punctuation (’ “ ” – — …), Arabic
 * punctuation (، ؛ ؟ ٪ ۔), currency signs, arrows, mathematical and
 * technical signs, shapes, dingbats and emoji. The marks the folding drops
 * (accents written apart, harakat, tatweel, joiners) continue a word
 * begun before them and never begin one. A word's folded form is
 * text_fold of its bytes (fold.h), cut to WORDS_TOKEN_MAX bytes at a
 * character boundary. With md (Markdown), the marks # * _ > ` [ ] ~ | are
 * separators like any punctuation, and the targets of links and images
 * "[text](target)" and autolinks "<https://...>" are not words.
 * Invalid UTF-8 bytes separate words. Pure: libc only. */
#ifndef JOUDA_WORDS_H
#define JOUDA_WORDS_H

#include <stdbool.h>
#include <stddef.h>

#define WORDS_TOKEN_MAX 64

typedef struct {
    size_t off, len;    /* its bytes in the text */
    const char *folded; /* its folded form: NUL-terminated, never empty, no space */
    size_t flen;
} word_t;

/* Called for each word in order; return false to stop. */
typedef bool (*word_fn)(void *ctx, const word_t *w);

/* Walk the words of text[0..n). Returns the number of words given to fn. */
size_t words_each(const char *text, size_t n, bool md, word_fn fn, void *ctx);

/* The folded words of text (NULL counts as "") joined by one space,
 * malloc'd; "" when none. At most max words (0: all). An Arabic word
 * beginning with the article (ال, or لل, or وال بال كال فال) is followed by
 * its form without it (المدرسة: "المدرسه مدرسه"), so that a search for
 * مدرسة finds it; so is a word of three letters or more after the
 * conjunction و (وحماية: "وحمايه حمايه"). */
char *words_tokens(const char *text, bool md, size_t max);

/* The length of the article beginning the folded word (len bytes) when at
 * least two letters follow it, or of the conjunction و when three do; 0
 * otherwise. */
size_t words_article(const char *folded, size_t len);

/* The words of a search query (plain text): folded, at most max, each once,
 * Arabic ones without their article (words_tokens indexes both forms),
 * Latin ones of five letters or more without a final s (a plural: as
 * prefixes they find the singular and the plural);
 * words of one character are left out (only such words: 0, no query).
 * They point into *buf (malloc'd: free it, also when 0 is returned). */
size_t words_query(const char *q, char **buf, const char **words, size_t max);

/* In Markdown text t[0..n), where what begins at i ends when it is not
 * words: after a link's target ("(...)" right after "]") or an autolink
 * ("<https://...>"); i otherwise. */
size_t words_md_skip(const char *t, size_t n, size_t i);

/* SQLite FTS5 MATCH expression: every word as a quoted prefix, all of them
 * required: "w1"* "w2"*. malloc'd; "" for no word. */
char *words_fts5_query(const char *const *words, size_t n);

/* PostgreSQL tsquery text, read by CAST(? AS tsquery) (no parser, no
 * dictionary): 'w1':* & 'w2':*, quotes and backslashes escaped. malloc'd;
 * "" for no word. */
char *words_tsquery(const char *const *words, size_t n);

/* PostgreSQL tsvector text, read by CAST(? AS tsvector): the tokens of the
 * title (space separated, as words_tokens gives them) at positions from 1
 * with weight A, then those of the body at the following positions with
 * weight D (positions stop at 16383, PostgreSQL's last). malloc'd. */
char *words_tsvector(const char *title_tokens, const char *body_tokens);

#endif
