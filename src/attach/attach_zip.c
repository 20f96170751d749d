/* attach_zip.c - what an office document (a zip archive) holds, read from
 * memory with libzip before it is accepted: the container of its kind
 * ([Content_Types].xml with the main part's type for Office Open XML, a
 * first stored "mimetype" entry for OpenDocument), no part that is a
 * program, a script, a web page or macros (by name, and by the first bytes
 * of every part), nothing encrypted, and limits on the number of parts and
 * on their declared sizes once unpacked (zip bombs). Nothing is unpacked but
 * the first bytes of each part. SVG pictures are accepted only where office
 * applications keep pictures (word/media/, Pictures/...): Word and
 * PowerPoint insert their icons as SVG, and a part is never shown by a
 * browser, only by the office application that opens the document. */
#include "attach.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zip.h>

#define ZIP_HEAD_BYTES 1024               /* of each part, for its content */
#define ZIP_TYPES_MAX (256 * 1024)        /* [Content_Types].xml */

/* Parts refused by the end of their name (lower case). */
static const char *const k_active_ext[] = {
    ".exe", ".dll", ".bat", ".cmd", ".com", ".msi", ".sh",  ".js",  ".vbs", ".jar",  ".ps1",
    ".scr", ".html", ".htm", ".xhtml", ".svg", ".hta", ".wsf", ".lnk", ".cpl",
};

static bool ends_with_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* The last component of a part's name. */
static const char *base_name(const char *name)
{
    const char *b = name;
    for (const char *c = name; *c; c++)
        if (*c == '/' || *c == '\\')
            b = c + 1;
    return b;
}

/* An SVG picture where office applications keep pictures. */
static bool is_media_svg(const char *name)
{
    static const char *const dirs[] = {"word/media/", "ppt/media/", "xl/media/", "Pictures/"};
    if (!ends_with_ci(name, ".svg"))
        return false;
    for (size_t i = 0; i < ARRAY_LEN(dirs); i++)
        if (strncasecmp(name, dirs[i], strlen(dirs[i])) == 0 && !strpbrk(name + strlen(dirs[i]), "/\\"))
            return true;
    return false;
}

/* Programs, scripts, web pages and macros, by the part's name. */
static bool name_is_active(const char *name)
{
    if (is_media_svg(name))
        return false;
    for (size_t i = 0; i < ARRAY_LEN(k_active_ext); i++)
        if (ends_with_ci(name, k_active_ext[i]))
            return true;
    /* Office macros (a .docm renamed .docx still carries them) */
    return strcasecmp(base_name(name), "vbaProject.bin") == 0;
}

/* A name that would leave the folder it is unpacked in. */
static bool name_escapes(const char *name)
{
    if (name[0] == '/' || name[0] == '\\' || (name[0] && name[1] == ':'))
        return true;
    for (const char *c = name; *c;) {
        size_t n = strcspn(c, "/\\");
        if (n == 2 && c[0] == '.' && c[1] == '.')
            return true;
        c += n;
        if (*c)
            c++;
    }
    return false;
}

static bool starts_ci(const char *p, size_t n, const char *word)
{
    size_t k = strlen(word);
    return n >= k && strncasecmp(p, word, k) == 0;
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool head_is_active(const char *data, size_t n, bool svg_allowed)
{
    const unsigned char *u = (const unsigned char *)data;
    if (n >= 64 && u[0] == 'M' && u[1] == 'Z') { /* a Windows program: MZ, then PE */
        uint32_t pe = le32(u + 60);
        if (pe <= n - 4 && memcmp(u + pe, "PE\0\0", 4) == 0)
            return true;
        if (memmem(u, n, "This program cannot be run in DOS mode", 38))
            return true;
    }
    if (n >= 4 && (memcmp(u, "\x7f" "ELF", 4) == 0 ||             /* Linux */
                   memcmp(u, "\xfe\xed\xfa\xce", 4) == 0 || memcmp(u, "\xfe\xed\xfa\xcf", 4) == 0 ||
                   memcmp(u, "\xce\xfa\xed\xfe", 4) == 0 || memcmp(u, "\xcf\xfa\xed\xfe", 4) == 0 ||
                   memcmp(u, "\xca\xfe\xba\xbe", 4) == 0))         /* macOS, Java classes */
        return true;
    if (n >= 2 && u[0] == '#' && u[1] == '!') /* a script */
        return true;
    /* markup: past a byte order mark, blanks and an XML declaration */
    size_t i = 0;
    if (n >= 3 && memcmp(u, "\xef\xbb\xbf", 3) == 0)
        i = 3;
    for (int round = 0; round < 2; round++) {
        while (i < n && (u[i] == ' ' || u[i] == '\t' || u[i] == '\r' || u[i] == '\n'))
            i++;
        if (round == 0 && starts_ci(data + i, n - i, "<?xml")) {
            const char *end = memmem(data + i, n - i, "?>", 2);
            if (!end)
                break;
            i = (size_t)(end - data) + 2;
        }
    }
    static const char *const markup[] = {"<!doctype html", "<html", "<script", "<iframe", "<body", "<head"};
    for (size_t k = 0; k < ARRAY_LEN(markup); k++)
        if (starts_ci(data + i, n - i, markup[k]))
            return true;
    return !svg_allowed && (starts_ci(data + i, n - i, "<svg") || starts_ci(data + i, n - i, "<!doctype svg"));
}

bool attach_head_is_active(const char *data, size_t n)
{
    return head_is_active(data, n, false);
}

/* Up to cap bytes from the start of part i; -1 when it cannot be read. */
static zip_int64_t read_part(zip_t *za, zip_uint64_t i, char *buf, size_t cap)
{
    zip_file_t *f = zip_fopen_index(za, i, 0);
    if (!f)
        return -1;
    size_t got = 0;
    while (got < cap) {
        zip_int64_t n = zip_fread(f, buf + got, cap - got);
        if (n < 0) {
            zip_fclose(f);
            return -1;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    zip_fclose(f);
    return (zip_int64_t)got;
}

/* Office Open XML: [Content_Types].xml names the main part of the kind. */
static attach_verdict_t check_ooxml(zip_t *za, const char *main_type)
{
    zip_int64_t i = zip_name_locate(za, "[Content_Types].xml", ZIP_FL_NOCASE | ZIP_FL_ENC_RAW);
    zip_stat_t st;
    if (i < 0 || zip_stat_index(za, (zip_uint64_t)i, ZIP_FL_ENC_RAW, &st) != 0 ||
        !(st.valid & ZIP_STAT_SIZE) || st.size == 0 || st.size > ZIP_TYPES_MAX)
        return ATTACH_DOC_INVALID;
    char *xml = xmalloc((size_t)st.size + 1);
    zip_int64_t n = read_part(za, (zip_uint64_t)i, xml, (size_t)st.size);
    attach_verdict_t v = ATTACH_DOC_INVALID;
    if (n > 0) {
        xml[n] = '\0';
        if (memmem(xml, (size_t)n, main_type, strlen(main_type)) && memmem(xml, (size_t)n, "<Types", 6))
            v = ATTACH_OK;
    }
    free(xml);
    return v;
}

/* OpenDocument: the first entry is "mimetype", stored, holding the type. */
static attach_verdict_t check_odf(zip_t *za, const char *mimetype)
{
    zip_stat_t st;
    size_t want = strlen(mimetype);
    if (zip_stat_index(za, 0, ZIP_FL_ENC_RAW, &st) != 0 || !(st.valid & ZIP_STAT_NAME) ||
        strcmp(st.name, "mimetype") != 0 || !(st.valid & ZIP_STAT_COMP_METHOD) ||
        st.comp_method != ZIP_CM_STORE || !(st.valid & ZIP_STAT_SIZE) || st.size != want)
        return ATTACH_DOC_INVALID;
    char buf[128];
    zip_int64_t n = read_part(za, 0, buf, sizeof buf);
    return n == (zip_int64_t)want && memcmp(buf, mimetype, want) == 0 ? ATTACH_OK
                                                                      : ATTACH_DOC_INVALID;
}

/* Every part by its directory entry: encryption, method, sizes, name. */
static attach_verdict_t check_entries(zip_t *za, zip_uint64_t count)
{
    zip_uint64_t unpacked = 0;
    for (zip_uint64_t i = 0; i < count; i++) {
        zip_stat_t st;
        if (zip_stat_index(za, i, ZIP_FL_ENC_RAW, &st) != 0 || !(st.valid & ZIP_STAT_NAME) ||
            !(st.valid & ZIP_STAT_SIZE))
            return ATTACH_DOC_INVALID;
        if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
            return ATTACH_DOC_ENCRYPTED;
        if ((st.valid & ZIP_STAT_COMP_METHOD) && st.comp_method != ZIP_CM_STORE &&
            st.comp_method != ZIP_CM_DEFLATE)
            return ATTACH_DOC_INVALID; /* office applications write no other method */
        if (st.size > ATTACH_ZIP_MAX_UNPACKED - unpacked)
            return ATTACH_DOC_TOO_BIG;
        unpacked += st.size;
        if (!st.name[0] || name_escapes(st.name))
            return ATTACH_DOC_INVALID;
        if (name_is_active(st.name))
            return ATTACH_DOC_ACTIVE;
    }
    return ATTACH_OK;
}

/* The first bytes of every part that has some. */
static attach_verdict_t check_contents(zip_t *za, zip_uint64_t count)
{
    char head[ZIP_HEAD_BYTES];
    for (zip_uint64_t i = 0; i < count; i++) {
        zip_stat_t st;
        if (zip_stat_index(za, i, ZIP_FL_ENC_RAW, &st) != 0)
            return ATTACH_DOC_INVALID;
        if (st.size == 0)
            continue; /* folders and empty parts */
        zip_int64_t n = read_part(za, i, head, sizeof head);
        if (n < 0)
            return ATTACH_DOC_INVALID;
        if (head_is_active(head, (size_t)n, (st.valid & ZIP_STAT_NAME) && is_media_svg(st.name)))
            return ATTACH_DOC_ACTIVE;
    }
    return ATTACH_OK;
}

attach_verdict_t attach_zip_check(const char *data, size_t len, const char *ooxml_main_type,
                                  const char *odf_mimetype)
{
    if (!data || len == 0)
        return ATTACH_DOC_INVALID;
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t *src = zip_source_buffer_create(data, len, 0, &err);
    if (!src) {
        zip_error_fini(&err);
        return ATTACH_DOC_INVALID;
    }
    zip_t *za = zip_open_from_source(src, ZIP_RDONLY, &err);
    zip_error_fini(&err);
    if (!za) {
        zip_source_free(src);
        return ATTACH_DOC_INVALID;
    }
    attach_verdict_t v = ATTACH_OK;
    zip_int64_t count = zip_get_num_entries(za, 0);
    if (count <= 0)
        v = ATTACH_DOC_INVALID;
    else if (count > ATTACH_ZIP_MAX_PARTS)
        v = ATTACH_DOC_TOO_BIG;
    if (v == ATTACH_OK)
        v = check_entries(za, (zip_uint64_t)count);
    if (v == ATTACH_OK && ooxml_main_type)
        v = check_ooxml(za, ooxml_main_type);
    if (v == ATTACH_OK && odf_mimetype)
        v = check_odf(za, odf_mimetype);
    if (v == ATTACH_OK && !ooxml_main_type && !odf_mimetype)
        v = ATTACH_DOC_INVALID; /* an archive of no known kind */
    if (v == ATTACH_OK)
        v = check_contents(za, (zip_uint64_t)count);
    zip_discard(za); /* frees the source; the bytes stay the caller's */
    return v;
}
