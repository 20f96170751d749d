/* core.h - small shared utilities: fatal OOM, per-request arena, growable
 * buffers, UTF-8 checks, time and logging. Every module may include this. */
#ifndef JOUDA_CORE_H
#define JOUDA_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JOUDA_VERSION "0.1.0"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation: out-of-memory is fatal and handled once, here. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Arena: many small allocations released in one go (one per request). */
typedef struct arena arena_t;
arena_t *arena_new(void);
void arena_free(arena_t *a);
void *arena_alloc(arena_t *a, size_t n);          /* zeroed, 16-aligned */
char *arena_strdup(arena_t *a, const char *s);     /* NULL -> NULL */
char *arena_strndup(arena_t *a, const char *s, size_t n);
char *arena_printf(arena_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Register a cleanup run by arena_free (e.g. json_decref of a model). */
void arena_defer(arena_t *a, void (*fn)(void *), void *arg);

/* Growable array in an arena: vec_push returns a zeroed new element. The
 * old storage stays in the arena (freed with it).
 *     VEC(node_t) rows = {0};
 *     node_t *n = VEC_PUSH(a, &rows);   ... rows.v[i], rows.n */
#define VEC(T) struct { T *v; size_t n, cap; }
void *vec_grow(arena_t *a, void **v, size_t *n, size_t *cap, size_t elem);
#define VEC_PUSH(a, vec) \
    ((__typeof__((vec)->v))vec_grow((a), (void **)&(vec)->v, &(vec)->n, &(vec)->cap, sizeof *(vec)->v))

/* Growable byte buffer, always NUL-terminated. */
typedef struct {
    char *data;
    size_t len;
    size_t cap;
} buf_t;
void buf_init(buf_t *b);
void buf_free(buf_t *b);
void buf_reset(buf_t *b);
void buf_append(buf_t *b, const void *p, size_t n);
void buf_puts(buf_t *b, const char *s);
void buf_putc(buf_t *b, char c);
void buf_printf(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(buf_t *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
char *buf_detach(buf_t *b); /* caller frees with free(); buffer reset */

/* UTF-8 */
bool utf8_valid(const char *s, size_t n);     /* strict: no overlongs, no surrogates */
size_t utf8_count(const char *s);             /* code points in a NUL-terminated valid string */
bool str_has_control(const char *s);          /* C0 controls other than \t \n \r, or DEL */

/* Strings */
bool str_eq(const char *a, const char *b);    /* NULL-safe */
bool str_empty(const char *s);                /* NULL or "" or only spaces */
char *str_trim(char *s);                      /* in place, ASCII spaces */
bool str_to_i64(const char *s, int64_t *out); /* whole string, base 10 */
bool str_in(const char *const *list, const char *s); /* s in a NULL-terminated list */
/* Natural order for names: "Maison 2" < "Maison 10"; ASCII case folded. */
int str_natural_cmp(const char *a, const char *b);
/* An id as written in paths ("/admin/nodes/12", node paths "/1/4/9/"): a
 * positive decimal integer, no sign, no leading zero, at most 18 digits.
 * Reads from s, sets *end after the digits. false when there is none. */
#define ID_MAX_DIGITS 18
bool id_parse(const char *s, const char **end, int64_t *out);
/* Text with "%d" (numbers) or "%s" (strings) placeholders, filled in order
 * without ever using the text as a printf format (catalogue strings are
 * data). "%%" is a percent sign; missing values print nothing. In the arena. */
char *text_fill_numbers(arena_t *a, const char *text, const long long *nums, size_t n);
char *text_fill_strings(arena_t *a, const char *text, const char *const *strs, size_t n);

/* A whole file into a malloc'd buffer (NUL-terminated). 0, or -1 with errno
 * set (EFBIG when larger than max bytes). */
int file_read_all(const char *path, size_t max, char **data, size_t *len);

/* A small deterministic mixing of 32 bits (demo data: the same at every run). */
uint32_t hash_mix32(uint32_t x);

/* Time: UTC seconds since the epoch; ms monotonic clock. */
int64_t now_utc(void);
int64_t now_ms_monotonic(void);
/* "31/12/2026 14:05" in Africa/Casablanca, from the system tz database
 * (UTC+1, UTC+0 during Ramadan); UTC when tzdata is absent. */
void format_local_datetime(int64_t utc, char *out, size_t outlen);
void format_local_date(int64_t utc, char *out, size_t outlen);
/* A day typed by a person, "31/12/2026" (also "1/2/2027") or "2026-12-31"
 * (date pickers), surrounding spaces allowed: the UTC seconds of its first
 * and last second in Africa/Casablanca (either pointer may be NULL).
 * 0, or -1 when it is not a real date between 1970 and 9999. */
int parse_local_date(const char *s, int64_t *day_start, int64_t *day_end);
/* Days written as the API writes them, "2026-12-31": is s such a real day
 * (exactly ten characters)? Its number of days since 1970-01-01 (-1 when
 * not such a day), and back (out holds 11 bytes). today_local: the day it
 * is in Africa/Casablanca at utc. */
bool iso_day_valid(const char *s);
int64_t iso_day_number(const char *s);
void iso_day_format(int64_t days, char out[11]);
void iso_day_local(int64_t utc, char out[11]);
/* "2026-11-29T20:09:24Z": how the API writes every time. */
void format_iso_utc(int64_t utc, char *out, size_t outlen);

/* Logging to stderr with a timestamp. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
