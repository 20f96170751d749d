/* users_check.c - pure checks on user input shared by the pages, the API
 * and the command line: usernames, emails, names, dates, "next" targets,
 * node paths. No I/O, so tests/unit/test_users.c covers them directly. */
#include "users_internal.h"

#include <stdio.h>
#include <string.h>

const char *const users_languages[] = {"fr", "ar", "en", NULL};
const char *const users_role_codes[] = {"admin",    "quality_advisor", "observer", "director",
                                        "quality_referent", "staff",   "inspector", NULL};

void users_lower(char *s)
{
    for (; s && *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

const char *users_check_username(const char *u)
{
    if (!u || !*u)
        return N_("Enter a username.");
    if (strchr(u, '@'))
        return N_("A username cannot contain @: put an email address in the email field.");
    size_t n = strlen(u);
    bool ok = n >= USERS_USERNAME_MIN && n <= USERS_USERNAME_MAX;
    for (const char *p = u; ok && *p; p++)
        ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' ||
             *p == '-';
    if (!ok)
        return N_("A username has 3 to 40 characters: lower-case letters, digits, dot, dash or "
                  "underscore.");
    return NULL;
}

const char *users_check_email(const char *e)
{
    const char *bad = N_("Enter an email address like name@example.ma.");
    if (!e || !*e)
        return bad;
    size_t n = strlen(e);
    if (n > USERS_EMAIL_MAX || !utf8_valid(e, n))
        return bad;
    const char *at = strchr(e, '@');
    if (!at || at == e || strchr(at + 1, '@') || !at[1])
        return bad;
    const char *dot = strrchr(at + 1, '.');
    if (!dot || dot == at + 1 || !dot[1])
        return bad;
    for (const unsigned char *p = (const unsigned char *)e; *p; p++)
        if (*p <= ' ' || *p == 0x7f || *p == '<' || *p == '>' || *p == '"' || *p == ',' ||
            *p == ';' || *p == '\\')
            return bad;
    return NULL;
}

const char *users_check_name(const char *n)
{
    if (str_empty(n))
        return N_("Enter the name.");
    size_t len = strlen(n);
    if (!utf8_valid(n, len) || str_has_control(n) || strpbrk(n, "\t\r\n"))
        return N_("The text contains characters that are not allowed.");
    if (utf8_count(n) > USERS_NAME_MAX)
        return N_("The name is too long (120 characters at most).");
    return NULL;
}

bool users_language_ok(const char *l)
{
    for (int i = 0; l && users_languages[i]; i++)
        if (strcmp(l, users_languages[i]) == 0)
            return true;
    return false;
}

const char *users_safe_next(const char *next)
{
    if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\')
        return "/";
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)next; *p; p++, n++)
        if (*p < 0x20 || *p == 0x7f || *p == '\\' || n > 500)
            return "/";
    return next;
}

int users_parse_iso(const char *s, int64_t *out)
{
    /* "2030-12-31T23:59:59Z", as the API writes times */
    int y, mo, d, h, mi, sec;
    char z = 0, end = 0;
    if (!s || strlen(s) != 20 ||
        sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c%c", &y, &mo, &d, &h, &mi, &sec, &z, &end) != 7 ||
        z != 'Z' || y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
        mi > 59 || sec > 59 || h < 0 || mi < 0 || sec < 0)
        return -1;
    static const int days_before[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (d > mdays[mo - 1] + (mo == 2 && leap))
        return -1;
    int64_t yd = days_before[mo - 1] + (mo > 2 && leap) + (d - 1);
    int64_t years = y - 1970;
    /* leap days between 1970 and the start of year y */
    int64_t leaps = ((y - 1) / 4 - 1969 / 4) - ((y - 1) / 100 - 1969 / 100) + ((y - 1) / 400 - 1969 / 400);
    *out = ((years * 365 + leaps + yd) * 24 + h) * 3600 + mi * 60 + sec;
    return 0;
}

int users_parse_date(const char *s, int64_t *out)
{
    /* a role ends at the end of the day typed, in Casablanca */
    return parse_local_date(s, NULL, out);
}

int64_t users_minutes_ceil(int64_t seconds)
{
    if (seconds <= 60)
        return 1;
    return (seconds + 59) / 60;
}

const char *users_role_msgid(role_t r)
{
    switch (r) {
    case ROLE_ADMIN: return N_("role.admin");
    case ROLE_QUALITY_ADVISOR: return N_("role.quality_advisor");
    case ROLE_OBSERVER: return N_("role.observer");
    case ROLE_DIRECTOR: return N_("role.director");
    case ROLE_QUALITY_REFERENT: return N_("role.quality_referent");
    case ROLE_STAFF: return N_("role.staff");
    case ROLE_INSPECTOR: return N_("role.inspector");
    default: return "";
    }
}

char *users_login_key(arena_t *a, const char *login)
{
    char *k = arena_strdup(a, login ? login : "");
    k = str_trim(k);
    users_lower(k);
    return k;
}

char *users_throttle_key(arena_t *a, const char *typed_key, int64_t user_id)
{
    if (user_id > 0)
        return arena_printf(a, "user:%lld", (long long)user_id);
    const char *k = typed_key ? typed_key : "";
    /* anyone may type "user:12": as an unknown login it must not count
     * against account 12 */
    if (strncmp(k, "user:", 5) == 0)
        return arena_printf(a, "login:%s", k);
    return arena_strdup(a, k);
}

const char *users_check_expiry(int64_t expires, int64_t now)
{
    if (expires <= now)
        return N_("The end date must be in the future.");
    if (expires > USERS_EXPIRES_MAX)
        return N_("Enter an end date no later than 31/12/9999.");
    return NULL;
}

bool users_password_fits(const char *password)
{
    if (!password)
        return false;
    size_t n = strlen(password);
    return n <= USERS_PASSWORD_MAX_BYTES && utf8_valid(password, n) &&
           utf8_count(password) <= PASSWORD_MAX;
}
