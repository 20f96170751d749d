/* fold.c - text folding for search (see fold.h for the rules). A table-free
 * decoder and a few small tables: the whole Unicode database is not needed
 * for the scripts the platform's names are written in. */
#include "fold.h"

#include "core.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Base letters of U+00C0-U+00FF, one byte per code point. Codes standing for
 * more than one letter or for "keep": A ae, T th, S ss, * the code point
 * itself (the signs x and / between the letters). */
static const char fold_latin1[] = "aaaaaaAceeeeiiiidnooooo*ouuuuyTS"  /* U+00C0-U+00DF */
                                  "aaaaaaAceeeeiiiidnooooo*ouuuuyTy"; /* U+00E0-U+00FF */
_Static_assert(sizeof fold_latin1 == 64 + 1, "one entry per code point of U+00C0-U+00FF");

/* Base letters of U+0100-U+017F (Latin Extended-A); I ij, O oe. */
static const char fold_latin_ext_a[] = "aaaaaa"       /* Ā ā Ă ă Ą ą */
                                       "cccccccc"     /* Ć ć Ĉ ĉ Ċ ċ Č č */
                                       "dddd"         /* Ď ď Đ đ */
                                       "eeeeeeeeee"   /* Ē ē Ĕ ĕ Ė ė Ę ę Ě ě */
                                       "gggggggg"     /* Ĝ ĝ Ğ ğ Ġ ġ Ģ ģ */
                                       "hhhh"         /* Ĥ ĥ Ħ ħ */
                                       "iiiiiiiiii"   /* Ĩ ĩ Ī ī Ĭ ĭ Į į İ ı */
                                       "II"           /* Ĳ ĳ */
                                       "jj"           /* Ĵ ĵ */
                                       "kkk"          /* Ķ ķ ĸ */
                                       "llllllllll"   /* Ĺ ĺ Ļ ļ Ľ ľ Ŀ ŀ Ł ł */
                                       "nnnnnnnnn"    /* Ń ń Ņ ņ Ň ň ŉ Ŋ ŋ */
                                       "oooooo"       /* Ō ō Ŏ ŏ Ő ő */
                                       "OO"           /* Œ œ */
                                       "rrrrrr"       /* Ŕ ŕ Ŗ ŗ Ř ř */
                                       "ssssssss"     /* Ś ś Ŝ ŝ Ş ş Š š */
                                       "tttttt"       /* Ţ ţ Ť ť Ŧ ŧ */
                                       "uuuuuuuuuuuu" /* Ũ ũ Ū ū Ŭ ŭ Ů ů Ű ű Ų ų */
                                       "ww"           /* Ŵ ŵ */
                                       "yyy"          /* Ŷ ŷ Ÿ */
                                       "zzzzzz"       /* Ź ź Ż ż Ž ž */
                                       "s";           /* ſ */
_Static_assert(sizeof fold_latin_ext_a == 128 + 1, "one entry per code point of U+0100-U+017F");

enum { FOLD_SPACE = -1 };

/* Decode one strictly valid UTF-8 sequence at s (n bytes left, n > 0).
 * Returns its length and the code point, or 0 when the first byte does not
 * start a valid sequence (then that byte alone is dropped). */
static size_t fold_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char b = s[0];
    if (b < 0x80) {
        *cp = b;
        return 1;
    }
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF; /* bounds of the second byte */
    if (b >= 0xC2 && b <= 0xDF) {
        len = 2;
        *cp = b & 0x1F;
    } else if (b >= 0xE0 && b <= 0xEF) {
        len = 3;
        *cp = b & 0x0F;
        if (b == 0xE0)
            lo = 0xA0; /* overlong */
        else if (b == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (b >= 0xF0 && b <= 0xF4) {
        len = 4;
        *cp = b & 0x07;
        if (b == 0xF0)
            lo = 0x90; /* overlong */
        else if (b == 0xF4)
            hi = 0x8F; /* beyond U+10FFFF */
    } else {
        return 0;
    }
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        *cp = (*cp << 6) | (s[i] & 0x3F);
    }
    return len;
}

static size_t fold_encode(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static bool fold_is_space(uint32_t cp)
{
    return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
           cp == 0x205F || cp == 0x3000;
}

/* Controls, invisible format marks and the diacritics the search ignores. */
static bool fold_is_dropped(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0xAD ||
           (cp >= 0x0300 && cp <= 0x036F) ||              /* combining accents */
           (cp >= 0x0610 && cp <= 0x061A) || cp == 0x061C || /* small high signs, letter mark */
           cp == 0x0640 ||                                /* tatweel */
           (cp >= 0x064B && cp <= 0x065F) || cp == 0x0670 || /* harakat, superscript alef */
           cp == 0x180E || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x2066 && cp <= 0x206F) || cp == 0xFEFF;
}

static size_t fold_letters(char code, char *out)
{
    const char *s;
    switch (code) {
    case 'A': s = "ae"; break;
    case 'T': s = "th"; break;
    case 'S': s = "ss"; break;
    case 'I': s = "ij"; break;
    case 'O': s = "oe"; break;
    default: out[0] = code; return 1;
    }
    memcpy(out, s, 2);
    return 2;
}

static uint32_t fold_arabic(uint32_t cp)
{
    switch (cp) {
    case 0x0622: /* alef with madda */
    case 0x0623: /* alef with hamza above */
    case 0x0625: /* alef with hamza below */
    case 0x0671: /* alef wasla */
    case 0x0672:
    case 0x0673: return 0x0627; /* alef */
    case 0x0629: return 0x0647; /* ta marbuta -> ha */
    case 0x0649:                /* alef maqsura */
    case 0x0626:                /* ya with hamza */
    case 0x06CC: return 0x064A; /* Persian ya -> ya */
    case 0x0624: return 0x0648; /* waw with hamza -> waw */
    case 0x06A9: return 0x0643; /* keheh -> kaf */
    default: return cp;
    }
}

/* The folded form of one code point into out (>= 4 bytes): its length, 0
 * when dropped, FOLD_SPACE for white space. Never longer than the code
 * point's own encoding. */
static int fold_cp(uint32_t cp, char *out)
{
    if (fold_is_space(cp))
        return FOLD_SPACE;
    if (fold_is_dropped(cp))
        return 0;
    if (cp >= 'A' && cp <= 'Z') {
        out[0] = (char)(cp - 'A' + 'a');
        return 1;
    }
    if (cp >= 0xC0 && cp <= 0xFF && fold_latin1[cp - 0xC0] != '*')
        return (int)fold_letters(fold_latin1[cp - 0xC0], out);
    if (cp >= 0x100 && cp <= 0x17F)
        return (int)fold_letters(fold_latin_ext_a[cp - 0x100], out);
    if (cp >= 0x0660 && cp <= 0x0669) {
        out[0] = (char)('0' + (cp - 0x0660));
        return 1;
    }
    if (cp >= 0x06F0 && cp <= 0x06F9) {
        out[0] = (char)('0' + (cp - 0x06F0));
        return 1;
    }
    return (int)fold_encode(fold_arabic(cp), out);
}

size_t text_fold_into(const char *in, size_t n, char *out)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t i = 0, o = 0;
    bool pending_space = false;
    while (i < n) {
        uint32_t cp;
        size_t len = fold_decode(s + i, n - i, &cp);
        if (len == 0) {
            i++; /* an invalid byte: dropped */
            continue;
        }
        i += len;
        char tmp[4];
        int k = fold_cp(cp, tmp);
        if (k == FOLD_SPACE) {
            pending_space = o > 0;
            continue;
        }
        if (k == 0)
            continue;
        /* The space comes from at least one input byte that wrote nothing,
         * so the output never outgrows the input. */
        if (pending_space) {
            out[o++] = ' ';
            pending_space = false;
        }
        memcpy(out + o, tmp, (size_t)k);
        o += (size_t)k;
    }
    out[o] = '\0';
    return o;
}

char *text_fold(const char *utf8)
{
    if (!utf8)
        utf8 = "";
    size_t n = strlen(utf8);
    char *out = xmalloc(n + 1);
    text_fold_into(utf8, n, out);
    return out;
}

char *text_fold_key(const char *const *fields, size_t n)
{
    size_t total = 1;
    for (size_t i = 0; i < n; i++)
        if (fields[i])
            total += strlen(fields[i]) + 1;
    char *out = xmalloc(total + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (!fields[i])
            continue;
        if (o > 0)
            out[o++] = ' ';
        size_t k = text_fold_into(fields[i], strlen(fields[i]), out + o);
        if (k == 0 && o > 0)
            o--; /* nothing to add: take the separator back */
        o += k;
    }
    if (o == 0)
        out[o++] = ' ';
    out[o] = '\0';
    return out;
}

size_t text_fold_words(char *folded, const char **words, size_t max)
{
    size_t n = 0;
    char *p = folded;
    while (p && *p && n < max) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        words[n++] = p;
        char *sp = strchr(p, ' ');
        if (!sp)
            break;
        *sp = '\0';
        p = sp + 1;
    }
    return n;
}

bool text_fold_match(const char *key, const char *query)
{
    char *q = text_fold(query);
    const char *words[TEXT_FOLD_MAX_WORDS];
    size_t n = text_fold_words(q, words, TEXT_FOLD_MAX_WORDS);
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++)
        ok = key && strstr(key, words[i]) != NULL;
    free(q);
    return ok;
}

size_t text_utf8_decode(const char *s, size_t n, uint32_t *cp)
{
    return n ? fold_decode((const unsigned char *)s, n, cp) : 0;
}

bool text_fold_is_space(uint32_t cp)
{
    return fold_is_space(cp);
}

bool text_fold_is_dropped(uint32_t cp)
{
    return fold_is_dropped(cp);
}
