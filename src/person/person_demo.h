/* person_demo.h - private to the persons part of `jouda demo`
 * (person_demo.c: the small scale and the entry point; person_demo_bulk.c:
 * the national scale; person_demo_text.c: the invented names and the texts).
 * Every name is invented: first and last names are pairs written in both
 * scripts ("Yassine" / "ياسين"), drawn from common given and family names. */
#ifndef JOUDA_PERSON_DEMO_H
#define JOUDA_PERSON_DEMO_H

#include "person_internal.h"

typedef struct {
    const char *fr, *ar;
} pd_name_t;

/* One domain of a needs assessment and the goal it leads to. */
typedef struct {
    const char *domain;
    int level;
    const char *situation, *strengths, *needs, *own_words, *goal, *action, *who;
} pd_need_t;

/* The notes and texts of one language. */
typedef struct {
    const char *health[4], *family[4], *judicial[3], *mother_family, *mother_child, *review[4],
        *participation, *participation_young, *origin_ref, *grant_reason;
} pd_texts_t;

extern const pd_name_t pd_girls[20], pd_boys[20], pd_women[8], pd_family[20];
extern const pd_need_t pd_child_fr[10], pd_youth_fr[3], pd_mother_fr[4], pd_child_ar[8],
    pd_mother_ar[4];
extern const pd_need_t pd_bulk[7];
extern const pd_texts_t pd_fr, pd_ar;

/* What the writers share. */
typedef struct {
    app_demo_t *d;
    db_t *db;
    arena_t *a;         /* per establishment */
    int64_t today, now; /* today: a day number */
    const pd_texts_t *t;
    bool arabic;
    int review_months;
} pd_t;

/* A day number as "YYYY-MM-DD" (in the arena). */
const char *pd_day(arena_t *a, int64_t day);
/* day + months (the day of the month kept, at most 28). */
int64_t pd_months(int64_t day, int months);
/* A pseudonymous code "p" + 8 lower-case letters and digits, distinct for distinct
 * seeds below 2^40. Seeds: a node's id << 7 | a rank below 128. */
const char *pd_code(arena_t *a, uint64_t seed);

/* National scale: the persons of the establishments of the country
 * (authorisation numbers "EPS-N-...") among eps (n, sorted by id), in bulk;
 * nothing for one that has persons already. DB_OK or DB_ERR. */
int pd_national(pd_t *x, const node_t *eps, size_t n);

#endif
