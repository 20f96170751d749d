/* wdiff.h - a word-level difference between two texts, readable by a
 * person: the texts are cut into words and the spaces (or line breaks)
 * between them, the longest common subsequence of words is kept, and the
 * rest is shown as deleted from the old text and added in the new one.
 * Long texts stay bounded in time and memory: common beginnings and ends are
 * set aside first, and when the middle is still too large for an exact
 * comparison it is compared line by line (then word by word within changed
 * lines) instead. */
#ifndef JOUDA_WDIFF_H
#define JOUDA_WDIFF_H

#include <jansson.h>
#include <stddef.h>

typedef struct {
    size_t added, deleted, same; /* words */
} wdiff_stats_t;

/* Segments in reading order: [{"op":"same"|"add"|"del", "same"|"add"|"del":true,
 * "text":"..."}] - consecutive words of one kind in one segment, with their
 * spaces and line breaks as in the text they come from. Concatenating the
 * "same" and "del" texts gives old, the "same" and "add" texts gives new.
 * old/new may be NULL (empty). stats may be NULL. A new array.
 *
 * Every segment carries all three booleans (false but its own: the template
 * engine would otherwise look a missing one up in enclosing contexts), its
 * text is never empty, and no two neighbours are of one kind. Words are
 * runs of anything but white space (Unicode spaces included); the white
 * space between two changed words belongs to the change, the white space
 * around a change stays common when both texts share it. A matched run of
 * words no longer than the changes on both sides of it is shown as part of
 * one replacement (easier to read than confetti), and counted so in stats.
 * Bytes of old or new that are not valid UTF-8 are first replaced by U+FFFD
 * (md_utf8_repair): the two concatenations give the texts so repaired. */
json_t *wdiff(const char *old_text, const char *new_text, wdiff_stats_t *stats);

#endif
