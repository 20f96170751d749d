/* person_util.c - small helpers shared by the persons module's files:
 * today's day, adding months to a day, sealing and opening one value. */
#include "person_internal.h"

#include <stdlib.h>
#include <string.h>

const char *pers_today(arena_t *a)
{
    char d[11];
    iso_day_local(now_utc(), d);
    return arena_strdup(a, d);
}

const char *pers_add_months(arena_t *a, const char *day, int months)
{
    int y = atoi(day), m = atoi(day + 5), d = atoi(day + 8);
    m += months;
    while (m > 12) {
        m -= 12;
        y++;
    }
    static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int last = md[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    if (d > last)
        d = last;
    return arena_printf(a, "%04d-%02d-%02d", y % 10000, m, d);
}

const char *pers_opened(arena_t *a, const char *sealed)
{
    const char *out = NULL;
    if (!sealed || !*sealed || seal_open(a, sealed, &out) != 0)
        return NULL;
    return out;
}

db_param_t pers_sealed_param(arena_t *a, const char *s)
{
    const char *v = s && *s ? seal_text(a, s) : NULL;
    return v ? P_TEXT(v) : P_NULL;
}

db_param_t pers_text_or_null(const char *s)
{
    return s && *s ? P_TEXT(s) : P_NULL;
}
