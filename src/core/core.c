/* core.c - allocation (OOM is fatal), the per-request arena, growable
 * buffers, UTF-8 checks, string helpers, time and logging. */
#include "core.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void oom(void)
{
    fputs("jouda: out of memory\n", stderr);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom();
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom();
    return q;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    buf_t b;
    buf_init(&b);
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    return buf_detach(&b);
}

/* ---- arena: a list of blocks; big allocations get their own block ---- */

#define ARENA_BLOCK 8192

struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
};

struct arena_defer {
    struct arena_defer *next;
    void (*fn)(void *);
    void *arg;
};

struct arena {
    struct arena_block *head;
    struct arena_defer *defers;
};

arena_t *arena_new(void)
{
    return xcalloc(1, sizeof(arena_t));
}

void arena_free(arena_t *a)
{
    if (!a)
        return;
    /* run deferred cleanups in reverse registration order */
    struct arena_defer *d = a->defers;
    while (d) {
        struct arena_defer *next = d->next;
        d->fn(d->arg);
        free(d);
        d = next;
    }
    struct arena_block *b = a->head;
    while (b) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    free(a);
}

void *arena_alloc(arena_t *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (n == 0)
        n = 16;
    struct arena_block *b = a->head;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > ARENA_BLOCK / 2 ? n : ARENA_BLOCK;
        struct arena_block *nb = xmalloc(sizeof(*nb) + cap);
        nb->used = 0;
        nb->cap = cap;
        if (b && n > ARENA_BLOCK / 2) {
            /* keep the current block as head: it still has room for small ones */
            nb->next = b->next;
            b->next = nb;
            nb->used = n;
            memset(nb->data, 0, n);
            return nb->data;
        }
        nb->next = b;
        a->head = nb;
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += n;
    memset(p, 0, n);
    return p;
}

char *arena_strdup(arena_t *a, const char *s)
{
    return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_strndup(arena_t *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_printf(arena_t *a, const char *fmt, ...)
{
    va_list ap;
    char small[256];
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return arena_strdup(a, "");
    char *p = arena_alloc(a, (size_t)n + 1);
    if ((size_t)n < sizeof small) {
        memcpy(p, small, (size_t)n + 1);
    } else {
        va_start(ap, fmt);
        vsnprintf(p, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    return p;
}

void arena_defer(arena_t *a, void (*fn)(void *), void *arg)
{
    struct arena_defer *d = xmalloc(sizeof *d);
    d->fn = fn;
    d->arg = arg;
    d->next = a->defers;
    a->defers = d;
}

/* ---- buffers ---- */

void buf_init(buf_t *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void buf_free(buf_t *b)
{
    free(b->data);
    buf_init(b);
}

void buf_reset(buf_t *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static void buf_grow(buf_t *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
}

void buf_append(buf_t *b, const void *p, size_t n)
{
    buf_grow(b, n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void buf_puts(buf_t *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

void buf_putc(buf_t *b, char c)
{
    buf_grow(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

void buf_vprintf(buf_t *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    buf_grow(b, 64);
    int n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
    if (n < 0) {
        va_end(ap2);
        return;
    }
    if ((size_t)n >= b->cap - b->len) {
        buf_grow(b, (size_t)n);
        vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap2);
    }
    va_end(ap2);
    b->len += (size_t)n;
}

void buf_printf(buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

char *buf_detach(buf_t *b)
{
    char *p = b->data ? b->data : xstrdup("");
    buf_init(b);
    return p;
}

/* ---- UTF-8 ---- */

bool utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        unsigned cp;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > n)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

size_t utf8_count(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

bool str_has_control(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F)
            return true;
    }
    return false;
}

/* ---- strings ---- */

bool str_eq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

bool str_empty(const char *s)
{
    if (!s)
        return true;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

char *str_trim(char *s)
{
    if (!s)
        return s;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

bool str_to_i64(const char *s, int64_t *out)
{
    if (!s || !*s)
        return false;
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    if (!*p)
        return false;
    for (const char *q = p; *q; q++)
        if (*q < '0' || *q > '9')
            return false;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

/* ---- time ---- */

int64_t now_utc(void)
{
    return (int64_t)time(NULL);
}

int64_t now_ms_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Africa/Casablanca through the system's tz database (set once in main via
 * TZ); localtime_r is thread-safe once TZ is set. */
static void local_tm(int64_t utc, struct tm *tm)
{
    time_t t = (time_t)utc;
    if (!localtime_r(&t, tm)) {
        t = 0;
        gmtime_r(&t, tm);
    }
}

void format_local_datetime(int64_t utc, char *out, size_t outlen)
{
    struct tm tm;
    local_tm(utc, &tm);
    strftime(out, outlen, "%d/%m/%Y %H:%M", &tm);
}

void format_local_date(int64_t utc, char *out, size_t outlen)
{
    struct tm tm;
    local_tm(utc, &tm);
    strftime(out, outlen, "%d/%m/%Y", &tm);
}

static bool read_number(const char **p, int min_digits, int max_digits, int *out)
{
    int v = 0, n = 0;
    while (**p >= '0' && **p <= '9' && n < max_digits) {
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    *out = v;
    return n >= min_digits;
}

/* Local midnight of y-m-d through the tz database (mktime honours TZ). */
static int64_t local_midnight(int y, int m, int d)
{
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_isdst = -1};
    return (int64_t)mktime(&tm);
}

int parse_local_date(const char *s, int64_t *day_start, int64_t *day_end)
{
    if (!s)
        return -1;
    while (*s == ' ')
        s++;
    const char *p = s;
    int y, m, d;
    if (strlen(s) >= 8 && s[4] == '-') {
        if (!read_number(&p, 4, 4, &y) || *p++ != '-' || !read_number(&p, 1, 2, &m) ||
            *p++ != '-' || !read_number(&p, 1, 2, &d))
            return -1;
    } else if (!read_number(&p, 1, 2, &d) || *p++ != '/' || !read_number(&p, 1, 2, &m) ||
               *p++ != '/' || !read_number(&p, 4, 4, &y)) {
        return -1;
    }
    while (*p == ' ')
        p++;
    if (*p || y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1)
        return -1;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[m - 1] + (m == 2 && leap))
        return -1;
    if (day_start)
        *day_start = local_midnight(y, m, d);
    if (day_end)
        *day_end = local_midnight(y, m, d + 1) - 1; /* mktime normalises day 32 */
    return 0;
}

uint32_t hash_mix32(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}

bool iso_day_valid(const char *s)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    return parse_local_date(s, NULL, NULL) == 0;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int64_t iso_day_number(const char *s)
{
    if (!iso_day_valid(s))
        return -1;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    return days_from_civil(y, m, d);
}

void iso_day_format(int64_t days, char out[11])
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    y += m <= 2;
    if (y < 0 || y > 9999)
        y = y < 0 ? 0 : 9999;
    char buf[32];
    snprintf(buf, sizeof buf, "%04d-%02d-%02d", (int)y, m & 31, d & 63);
    memcpy(out, buf, 10);
    out[10] = '\0';
}

void iso_day_local(int64_t utc, char out[11])
{
    struct tm tm;
    local_tm(utc, &tm);
    iso_day_format(days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday), out);
}

void format_iso_utc(int64_t utc, char *out, size_t outlen)
{
    time_t t = (time_t)utc;
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
        if (outlen)
            out[0] = '\0';
    }
}

/* ---- logging ---- */

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

__attribute__((format(printf, 2, 0))) static void vlog(const char *level, const char *fmt, va_list ap)
{
    char stamp[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    pthread_mutex_lock(&log_lock);
    fprintf(stderr, "%s %s ", stamp, level);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    pthread_mutex_unlock(&log_lock);
}

void log_info(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog("info", fmt, ap);
    va_end(ap);
}

void log_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog("error", fmt, ap);
    va_end(ap);
}

/* ---- growable arrays ---- */

void *vec_grow(arena_t *a, void **v, size_t *n, size_t *cap, size_t elem)
{
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        void *nv = arena_alloc(a, ncap * elem);
        if (*n)
            memcpy(nv, *v, *n * elem);
        *v = nv;
        *cap = ncap;
    }
    void *slot = (char *)*v + (*n)++ * elem;
    memset(slot, 0, elem);
    return slot;
}

/* ---- ids ---- */

bool id_parse(const char *s, const char **end, int64_t *out)
{
    if (!s || *s < '1' || *s > '9')
        return false;
    int64_t v = 0;
    int digits = 0;
    while (*s >= '0' && *s <= '9') {
        if (++digits > ID_MAX_DIGITS)
            return false;
        v = v * 10 + (*s - '0');
        s++;
    }
    *out = v;
    if (end)
        *end = s;
    return true;
}

/* ---- filling messages ---- */

static char *text_fill(arena_t *a, const char *text, char kind, const long long *nums,
                       const char *const *strs, size_t n)
{
    buf_t b;
    buf_init(&b);
    size_t used = 0;
    for (const char *p = text ? text : ""; *p; p++) {
        if (p[0] == '%' && p[1] == '%') {
            buf_putc(&b, '%');
            p++;
        } else if (p[0] == '%' && p[1] == kind) {
            if (used < n) {
                if (nums)
                    buf_printf(&b, "%lld", nums[used]);
                else if (strs[used])
                    buf_puts(&b, strs[used]);
            }
            used++;
            p++;
        } else {
            buf_putc(&b, *p);
        }
    }
    char *out = arena_strdup(a, b.data ? b.data : "");
    buf_free(&b);
    return out;
}

char *text_fill_numbers(arena_t *a, const char *text, const long long *nums, size_t n)
{
    return text_fill(a, text, 'd', nums, NULL, n);
}

char *text_fill_strings(arena_t *a, const char *text, const char *const *strs, size_t n)
{
    return text_fill(a, text, 's', NULL, strs, n);
}

/* ---- files ---- */

int file_read_all(const char *path, size_t max, char **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    buf_t b;
    buf_init(&b);
    char chunk[16384];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (n > max - b.len || b.len > max) {
            fclose(f);
            buf_free(&b);
            errno = EFBIG;
            return -1;
        }
        buf_append(&b, chunk, n);
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        buf_free(&b);
        errno = EIO;
        return -1;
    }
    *len = b.len;
    *data = b.data ? buf_detach(&b) : xstrdup("");
    return 0;
}

/* ---- lists and names ---- */

bool str_in(const char *const *list, const char *s)
{
    if (!list || !s)
        return false;
    for (size_t i = 0; list[i]; i++)
        if (strcmp(list[i], s) == 0)
            return true;
    return false;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int ascii_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

int str_natural_cmp(const char *a, const char *b)
{
    if (!a || !b)
        return a ? 1 : (b ? -1 : 0);
    while (*a && *b) {
        if (is_digit(*a) && is_digit(*b)) {
            while (*a == '0')
                a++;
            while (*b == '0')
                b++;
            size_t la = 0, lb = 0;
            while (is_digit(a[la]))
                la++;
            while (is_digit(b[lb]))
                lb++;
            if (la != lb)
                return la < lb ? -1 : 1;
            int c = strncmp(a, b, la);
            if (c)
                return c < 0 ? -1 : 1;
            a += la;
            b += lb;
            continue;
        }
        int ca = ascii_lower((unsigned char)*a), cb = ascii_lower((unsigned char)*b);
        if (ca != cb)
            return ca < cb ? -1 : 1;
        a++;
        b++;
    }
    if (*a)
        return 1;
    if (*b)
        return -1;
    return 0;
}
