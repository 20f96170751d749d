/* capit_rules.c - the pure rules of capitalisation sheets: statuses and
 * who may move a sheet between them, the themes, the texts of a sheet in
 * reading order, codes (made once, checked when they come from a kit) and
 * the names of files in a kit. No I/O (tests/unit/test_capit.c). */
#include "capit_internal.h"

#include <string.h>

static const char *const status_codes[] = {"draft", "review", "published", "superseded"};

const char *cap_status_code(cap_status_t s)
{
    return (unsigned)s < ARRAY_LEN(status_codes) ? status_codes[s] : "draft";
}

int cap_status_from_code(const char *code)
{
    for (size_t i = 0; code && i < ARRAY_LEN(status_codes); i++)
        if (strcmp(code, status_codes[i]) == 0)
            return (int)i;
    return -1;
}

bool cap_is_public(cap_status_t s)
{
    return s == CAP_PUBLISHED || s == CAP_SUPERSEDED;
}

const char *const cap_themes[] = {"participation_enfant", "bientraitance", "education", "sante",
                                  "insertion", "famille", "handicap", "gouvernance",
                                  "partenariat", "qualite", "autre", NULL};
const char *const cap_langs[] = {"fr", "ar", NULL};

bool cap_theme_valid(const char *code)
{
    return code && str_in(cap_themes, code);
}

const char *const cap_text_fields[CAP_NTEXT] = {
    "context", "history", "objectives", "actors", "implementation", "innovation",
    "results", "difficulties", "lessons", "replication", "tools",
};

const char *const cap_text_labels[CAP_NTEXT] = {
    N_("Context"),
    N_("History and key moments"),
    N_("Objectives"),
    N_("Actors"),
    N_("What was done"),
    N_("What was innovative"),
    N_("Results"),
    N_("Difficulties met"),
    N_("Lessons learned"),
    N_("Conditions for replication"),
    N_("Tools and documents"),
};

const char *const cap_text_hints[CAP_NTEXT] = {
    N_("The establishment, the people concerned and the situation before: why it was needed."),
    N_("How it started and went on: dates, steps, turning points."),
    N_("What the team wanted to change, for whom."),
    N_("Who took part: children and young people, families, staff, partners, volunteers."),
    N_("The activities, their rhythm, the means used."),
    N_("What was new here compared with usual practice."),
    N_("What changed, with figures when there are some (add them as indicators below)."),
    N_("What was hard and how the team dealt with it."),
    N_("What the team would tell another establishment: what to keep, what to avoid."),
    N_("What another establishment needs to do the same: people, time, money, partners."),
    N_("The tools made or used (forms, guides, timetables): attach them or name them."),
};

int cap_text_index(const char *field)
{
    for (int i = 0; field && i < CAP_NTEXT; i++)
        if (strcmp(field, cap_text_fields[i]) == 0)
            return i;
    return -1;
}

/* Who may make each transition: W writers, P publishers. */
enum { BY_W = 1, BY_P = 2 };
static const struct {
    cap_status_t from, to;
    int by;
} transitions[] = {
    {CAP_DRAFT, CAP_REVIEW, BY_W | BY_P},
    {CAP_REVIEW, CAP_DRAFT, BY_W | BY_P},
    {CAP_REVIEW, CAP_PUBLISHED, BY_P},
    {CAP_DRAFT, CAP_PUBLISHED, BY_P},
};

res_t cap_transition(cap_status_t from, cap_status_t to, bool may_write, bool may_publish)
{
    for (size_t i = 0; i < ARRAY_LEN(transitions); i++) {
        if (transitions[i].from != from || transitions[i].to != to)
            continue;
        int by = transitions[i].by;
        if (((by & BY_W) && may_write) || ((by & BY_P) && may_publish))
            return RES_OK;
        return RES_FORBIDDEN;
    }
    return RES_CONFLICT;
}

size_t cap_allowed(cap_status_t from, bool may_write, bool may_publish, cap_status_t *out)
{
    size_t n = 0;
    for (size_t i = 0; i < ARRAY_LEN(transitions) && n < 4; i++)
        if (transitions[i].from == from &&
            cap_transition(from, transitions[i].to, may_write, may_publish) == RES_OK)
            out[n++] = transitions[i].to;
    return n;
}

/* 32 letters and digits without the ones read alike (l 1 o 0). */
static const char code_alphabet[] = "abcdefghijkmnpqrstuvwxyz23456789";

void cap_code_make(const unsigned char rnd[8], char out[13])
{
    memcpy(out, "cap-", 4);
    for (int i = 0; i < 8; i++)
        out[4 + i] = code_alphabet[rnd[i] & 31];
    out[12] = '\0';
}

bool cap_code_valid(const char *code)
{
    if (!code || !*code)
        return false;
    size_t n = strlen(code);
    if (n > CAP_CODE_MAX)
        return false;
    if (!((code[0] >= 'a' && code[0] <= 'z') || (code[0] >= '0' && code[0] <= '9')))
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = code[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

bool cap_doc_code_valid(char *code)
{
    if (!code || !*code)
        return false;
    size_t n = strlen(code);
    if (n > CAP_DOC_CODE_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = code[i];
        if (c >= 'A' && c <= 'Z')
            code[i] = (char)(c - 'A' + 'a');
        else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                   c == '-'))
            return false;
    }
    return code[0] != '.' && code[0] != '-';
}

void cap_kit_filename(const char *name, int n, char *out, size_t outlen)
{
    if (!out || outlen == 0)
        return;
    size_t cap = outlen - 1 < 100 ? outlen - 1 : 100;
    int k = snprintf(out, outlen, "%d-", n > 0 ? n : 1);
    size_t w = k > 0 && (size_t)k < cap ? (size_t)k : 0;
    bool under = false;
    for (const unsigned char *p = (const unsigned char *)(name ? name : ""); *p && w < cap; p++) {
        unsigned char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '-' || c == '_';
        if (ok) {
            out[w++] = (char)c;
            under = false;
        } else if ((c & 0xc0) != 0x80 && !under) {
            /* one '_' for a space or a whole multi-byte character */
            out[w++] = '_';
            under = true;
        }
    }
    /* keep an extension readable: drop a trailing '_' or '.' */
    size_t head = k > 0 ? (size_t)k : 0;
    while (w > head && (out[w - 1] == '_' || out[w - 1] == '.'))
        w--;
    if (w <= head) {
        const char *dflt = "file";
        for (size_t i = 0; dflt[i] && w < cap; i++)
            out[w++] = dflt[i];
    }
    out[w] = '\0';
}
