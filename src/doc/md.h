/* md.h - Markdown (CommonMark with tables and strikethrough, md4c's parser,
 * raw HTML disabled: it stays text) read into JSON blocks, the one model of
 * rich text: pages render them with the templates doc/blocks and doc/runs
 * (escaped like everything else), PDFs with doc_blocks (doc.h).
 *
 * Blocks (arrays of objects; each has "type" and a boolean of that name so
 * templates can branch on it):
 *   {"type":"heading","heading":true,"level":1..6,"page_level":3..6,"runs":[...]}
 *   {"type":"paragraph","paragraph":true,"runs":[...]}
 *   {"type":"list","list":true,"ordered":bool,"start":n,"items":[{"blocks":[...]}]}
 *   {"type":"quote","quote":true,"blocks":[...]}
 *   {"type":"code","code":true,"text":"..."}
 *   {"type":"table","table":true,"head":[{"runs":[...],"align":"start"|"center"|"end"}],
 *    "rows":[{"cells":[{"runs":[...],"align":...}]}]}
 *   {"type":"rule","rule":true}
 * Runs: {"text":"...", "b":true?, "i":true?, "code":true?, "del":true?,
 *        "href":"..."?} or {"br":true} (a hard line break; soft breaks are a
 * space). Links keep only http:, https:, mailto: and relative targets
 * (others become plain text); images become their alternative text.
 * Nesting deeper than MD_MAX_DEPTH (lists in lists, quotes) is flattened
 * into the deepest level, so templates never recurse too far.
 *
 * Every key a template may ask for is present, because the template engine
 * looks a missing name up in the enclosing contexts (a paragraph inside a
 * quote would read the quote's "quote":true, a run the page's "code"), and
 * fails on it in strict mode:
 *   - every block carries the seven type booleans, false but its own;
 *   - a run of text carries "text", "b", "i", "code", "del", "br" (false)
 *     and "link" (true when it has "href"; "href" is absent otherwise); a
 *     hard break is {"br":true} alone;
 *   - a heading's "page_level" is the level it is shown at on a page, whose
 *     section title is an <h2>: min(level + 2, 6) (the templates write
 *     <h{{page_level}}>); "level" stays as written;
 *   - table cells always have "align" ("start" also for ":--" and none).
 * Adjacent text of one style is one run. Named entities are decoded when
 * known (&amp; &lt; &gt; &quot; &apos; &nbsp;, typography, French letters;
 * others stay as typed), numeric ones always (U+FFFD for 0, surrogates and
 * beyond U+10FFFF). Headings and paragraphs without any text (an image
 * without alternative text) are dropped; a code block's text loses its
 * final line break. */
#ifndef JOUDA_MD_H
#define JOUDA_MD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define MD_MAX_DEPTH 6

/* The blocks of src (len bytes, UTF-8; invalid bytes are replaced by
 * U+FFFD). A new array, never NULL (empty for empty text). */
json_t *md_blocks(const char *src, size_t len);
/* The plain text of blocks (runs joined, blocks separated by newlines):
 * search, previews, word counts. malloc'd. A hard break is a newline, table
 * cells are separated by tabs; blocks not made by md_blocks are read as far
 * as they follow the shapes above. */
char *md_plain(const json_t *blocks);

/* Whether a link target is kept: not empty, no byte below 0x21 nor DEL, and
 * either relative (no ':' before the first '/', '?' or '#') or with the
 * scheme http:, https: or mailto: (any case). md_blocks checks targets once
 * their entities are decoded and their surrounding spaces dropped. */
bool md_href_allowed(const char *href);

/* A malloc'd copy of s[0..len) where each byte that does not start a valid
 * UTF-8 sequence (utf8_valid's rules) is replaced by U+FFFD; *out_len (may
 * be NULL) its length. Also used by wdiff. */
char *md_utf8_repair(const char *s, size_t len, size_t *out_len);

#endif
