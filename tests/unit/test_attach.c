/* test_attach.c - the attachments service: type detection from the first
 * bytes (never from the name or the type the browser claims), office
 * documents' containers (zip archives built here with libzip: the kind the
 * name gives, no programs, pages, macros or encryption inside, zip bombs by
 * their declared sizes and entry count), file name
 * cleaning, sizes for display, attach_store's checks, storage and audit
 * row, and the lists as pages show them (paged, newest first, sizes, dates
 * and uploaders written for the reader) on a SQLite database. */
#include "testutil.h"

#include "attach/attach.h"
#include "audit/audit.h"
#include "cli/cli.h"
#include "i18n/i18n.h"
#include "nodes/nodes.h"
#include "users/users.h"

#include <zip.h>

#define S(lit) (lit), (sizeof(lit) - 1)

/* --- attach_sniff ---------------------------------------------------------- */

static void test_sniff_binary_types(void **state)
{
    (void)state;
    assert_string_equal(attach_sniff(S("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), "a.pdf"), "application/pdf");
    assert_string_equal(attach_sniff(S("\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), "a.png"), "image/png");
    assert_string_equal(attach_sniff(S("\xff\xd8\xff\xe0\0\x10JFIF"), "a.jpg"), "image/jpeg");
    assert_string_equal(attach_sniff(S("GIF89a\x01\0\x01\0"), "a.gif"), "image/gif");
    assert_string_equal(attach_sniff(S("GIF87a\x01\0\x01\0"), "a.gif"), "image/gif");
    assert_string_equal(attach_sniff(S("RIFF\x24\0\0\0WEBPVP8 "), "a.webp"), "image/webp");
    /* the type comes from the bytes, whatever the name says */
    assert_string_equal(attach_sniff(S("%PDF-1.4"), "photo.png"), "application/pdf");
}

/* --- office documents: zip archives built in memory ----------------------- */

typedef struct {
    const char *name;
    const char *data;
    size_t len;
    int method;   /* ZIP_CM_DEFLATE or ZIP_CM_STORE */
    bool encrypt; /* with a password */
} part_t;

#define PART(n, lit) {(n), (lit), sizeof(lit) - 1, ZIP_CM_DEFLATE, false}
#define STORED(n, lit) {(n), (lit), sizeof(lit) - 1, ZIP_CM_STORE, false}

/* The bytes of a zip archive holding parts, in order (malloc'ed). */
static char *zip_build(const part_t *parts, size_t n, size_t *len)
{
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &err);
    assert_non_null(src);
    zip_source_keep(src);
    zip_t *za = zip_open_from_source(src, ZIP_TRUNCATE, &err);
    assert_non_null(za);
    for (size_t i = 0; i < n; i++) {
        zip_source_t *s = zip_source_buffer(za, parts[i].data, parts[i].len, 0);
        assert_non_null(s);
        zip_int64_t idx = zip_file_add(za, parts[i].name, s, ZIP_FL_ENC_UTF_8);
        assert_true(idx >= 0);
        assert_int_equal(zip_set_file_compression(za, (zip_uint64_t)idx, parts[i].method, 0), 0);
        if (parts[i].encrypt)
            assert_int_equal(zip_file_set_encryption(za, (zip_uint64_t)idx, ZIP_EM_AES_256, "secret"), 0);
    }
    assert_int_equal(zip_close(za), 0);
    assert_int_equal(zip_source_open(src), 0);
    assert_int_equal(zip_source_seek(src, 0, SEEK_END), 0);
    zip_int64_t size = zip_source_tell(src);
    assert_true(size > 0);
    assert_int_equal(zip_source_seek(src, 0, SEEK_SET), 0);
    char *out = xmalloc((size_t)size);
    assert_int_equal(zip_source_read(src, out, (zip_uint64_t)size), size);
    zip_source_close(src);
    zip_source_free(src);
    zip_error_fini(&err);
    *len = (size_t)size;
    return out;
}

static const char k_docx_types[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
    "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
    "<Override PartName=\"/word/document.xml\" ContentType=\"application/"
    "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>";
static const char k_xlsx_types[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/"
    "package/2006/content-types\"><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/"
    "vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/></Types>";
static const char k_pptx_types[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/"
    "package/2006/content-types\"><Override PartName=\"/ppt/presentation.xml\" ContentType=\"application/"
    "vnd.openxmlformats-officedocument.presentationml.presentation.main+xml\"/></Types>";
static const char k_rels[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/"
    "package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/"
    "officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>";
static const char k_document[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"http://"
    "schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:p><w:r><w:t>Projet</w:t>"
    "</w:r></w:p></w:body></w:document>";
static const char k_odt_type[] = "application/vnd.oasis.opendocument.text";
static const char k_ods_type[] = "application/vnd.oasis.opendocument.spreadsheet";
static const char k_content[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content xmlns:office=\"urn:oasis:"
    "names:tc:opendocument:xmlns:office:1.0\"><office:body/></office:document-content>";
/* a Windows program's first bytes: MZ, e_lfanew = 64, PE */
static const char k_pe[] = "MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0\xb8\0\0\0\0\0\0\0@\0\0\0\0\0\0\0"
                           "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0@\0\0\0"
                           "PE\0\0L\x01\x03\0";

#define DOCX_BASE PART("[Content_Types].xml", k_docx_types), PART("_rels/.rels", k_rels), \
                  PART("word/document.xml", k_document)

/* The verdict on parts built into an archive named name. */
static attach_verdict_t verdict_of(const part_t *parts, size_t n, const char *name)
{
    size_t len;
    char *zip = zip_build(parts, n, &len);
    attach_verdict_t why = ATTACH_OK;
    const char *type = attach_inspect(zip, len, name, &why);
    assert_true((type != NULL) == (why == ATTACH_OK));
    free(zip);
    return why;
}
#define VERDICT(name, ...) \
    verdict_of((const part_t[]){__VA_ARGS__}, sizeof((const part_t[]){__VA_ARGS__}) / sizeof(part_t), name)

static void test_sniff_zip_office_needs_extension(void **state)
{
    (void)state;
    const part_t docx[] = {DOCX_BASE};
    size_t n;
    char *zip = zip_build(docx, ARRAY_LEN(docx), &n);
    assert_string_equal(attach_sniff(zip, n, "plan.docx"),
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    assert_string_equal(attach_sniff(zip, n, "PLAN.DOCX"),
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    /* any other archive is refused, whatever it holds */
    assert_null(attach_sniff(zip, n, "archive.zip"));
    assert_null(attach_sniff(zip, n, "app.jar"));
    assert_null(attach_sniff(zip, n, "noextension"));
    /* the container must be of the kind the name gives */
    assert_null(attach_sniff(zip, n, "Budget.xlsx"));
    assert_null(attach_sniff(zip, n, "projet.odt"));
    free(zip);
    const part_t xlsx[] = {PART("[Content_Types].xml", k_xlsx_types), PART("xl/workbook.xml", "<workbook/>")};
    zip = zip_build(xlsx, ARRAY_LEN(xlsx), &n);
    assert_string_equal(attach_sniff(zip, n, "Budget.XLSX"),
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert_null(attach_sniff(zip, n, "budget.docx"));
    free(zip);
    const part_t pptx[] = {PART("[Content_Types].xml", k_pptx_types), PART("ppt/presentation.xml", "<p/>")};
    zip = zip_build(pptx, ARRAY_LEN(pptx), &n);
    assert_string_equal(attach_sniff(zip, n, "slides.pptx"),
                        "application/vnd.openxmlformats-officedocument.presentationml.presentation");
    free(zip);
    const part_t odt[] = {STORED("mimetype", k_odt_type), PART("content.xml", k_content)};
    zip = zip_build(odt, ARRAY_LEN(odt), &n);
    assert_string_equal(attach_sniff(zip, n, "projet.odt"), "application/vnd.oasis.opendocument.text");
    assert_null(attach_sniff(zip, n, "projet.ods"));
    assert_null(attach_sniff(zip, n, "projet.docx"));
    free(zip);
    const part_t ods[] = {STORED("mimetype", k_ods_type), PART("content.xml", k_content)};
    zip = zip_build(ods, ARRAY_LEN(ods), &n);
    assert_string_equal(attach_sniff(zip, n, "indicateurs.ods"),
                        "application/vnd.oasis.opendocument.spreadsheet");
    free(zip);
    /* a zip signature alone, or an office name without one */
    const char sig[] = "PK\x03\x04\x14\0\x06\0\x08\0";
    assert_null(attach_sniff(sig, sizeof sig - 1, "plan.docx"));
    assert_null(attach_sniff(S("<html>"), "fake.docx"));
}

/* Office Open XML needs its [Content_Types].xml naming the main part;
 * OpenDocument a first entry "mimetype", stored, holding the type. */
static void test_zip_container_of_the_kind(void **state)
{
    (void)state;
    attach_verdict_t why = ATTACH_OK;
    assert_int_equal(VERDICT("plan.docx", DOCX_BASE), ATTACH_OK);
    assert_int_equal(VERDICT("plan.docx", PART("_rels/.rels", k_rels), PART("word/document.xml", k_document)),
                     ATTACH_DOC_INVALID);
    assert_int_equal(VERDICT("plan.docx", PART("[Content_Types].xml", "<Types/>"), PART("word/document.xml", k_document)),
                     ATTACH_DOC_INVALID);
    /* the type of a macro-enabled document is not the one of a docx */
    assert_int_equal(VERDICT("plan.docx", PART("[Content_Types].xml", "<Types><Override ContentType=\"application/"
                                                                      "vnd.ms-word.document.macroEnabled.main+xml\"/></Types>")),
                     ATTACH_DOC_INVALID);
    assert_int_equal(VERDICT("projet.odt", STORED("mimetype", k_odt_type), PART("content.xml", k_content)), ATTACH_OK);
    assert_int_equal(VERDICT("projet.odt", PART("mimetype", k_odt_type), PART("content.xml", k_content)),
                     ATTACH_DOC_INVALID); /* compressed */
    assert_int_equal(VERDICT("projet.odt", PART("content.xml", k_content), STORED("mimetype", k_odt_type)),
                     ATTACH_DOC_INVALID); /* not first */
    assert_int_equal(VERDICT("projet.odt", STORED("mimetype", k_ods_type), PART("content.xml", k_content)),
                     ATTACH_DOC_INVALID); /* another kind */
    assert_int_equal(VERDICT("projet.odt", STORED("mimetype", "application/vnd.oasis.opendocument.textx")),
                     ATTACH_DOC_INVALID);
    assert_int_equal(VERDICT("projet.odt", PART("notes.txt", "du texte")), ATTACH_DOC_INVALID);
    /* a name leaving its folder */
    assert_int_equal(VERDICT("plan.docx", DOCX_BASE, PART("../../etc/cron.d/x", "x")), ATTACH_DOC_INVALID);
    assert_int_equal(VERDICT("plan.docx", DOCX_BASE, PART("/etc/passwd", "x")), ATTACH_DOC_INVALID);
    /* bytes that are no archive at all */
    assert_null(attach_inspect(S("PK\x03\x04 truncated"), "plan.docx", &why));
    assert_int_equal(why, ATTACH_DOC_INVALID);
    assert_null(attach_inspect(S("MZ\x90\0"), "plan.docx", &why));
    assert_int_equal(why, ATTACH_TYPE);
}

/* The case of the issue: a zip holding evil.html and run.exe named .docx. */
static void test_zip_refuses_programs_and_pages(void **state)
{
    (void)state;
    assert_int_equal(VERDICT("evil.docx", PART("[Content_Types].xml", k_docx_types), PART("evil.html", "<html><script>x</script>"),
                             PART("run.exe", k_pe)),
                     ATTACH_DOC_ACTIVE);
    static const char *const names[] = {
        "run.exe", "word/a.dll", "x.bat", "x.cmd", "x.com", "setup.MSI", "install.sh", "Scripts/javascript/a.js",
        "a.vbs", "lib.jar", "a.ps1", "a.scr", "index.html", "word/media/page.HTM", "a.xhtml",
        "word/image2.svg", "customXml/x.svg", "word/media/sub/x.svg", "a.hta", "a.wsf", "raccourci.lnk", "a.cpl", "word/vbaProject.bin",
        "xl/VBAPROJECT.BIN",
    };
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        part_t parts[] = {DOCX_BASE, {names[i], "x", 1, ZIP_CM_DEFLATE, false}};
        assert_int_equal(verdict_of(parts, ARRAY_LEN(parts), "plan.docx"), ATTACH_DOC_ACTIVE);
    }
    /* by content, under harmless names */
    part_t pe[] = {DOCX_BASE, {"word/media/image1.png", k_pe, sizeof k_pe - 1, ZIP_CM_DEFLATE, false}};
    assert_int_equal(verdict_of(pe, ARRAY_LEN(pe), "plan.docx"), ATTACH_DOC_ACTIVE);
    assert_int_equal(VERDICT("plan.docx", DOCX_BASE, PART("word/media/image1.png", "\x7f" "ELF\x02\x01\x01")),
                     ATTACH_DOC_ACTIVE);
    assert_int_equal(VERDICT("plan.docx", DOCX_BASE, PART("customXml/item1.xml", "#!/bin/sh\nrm -rf ~\n")),
                     ATTACH_DOC_ACTIVE);
    assert_int_equal(VERDICT("plan.docx", DOCX_BASE, PART("word/page.xml", "\xef\xbb\xbf<?xml version=\"1.0\"?>\n<HTML><body>")),
                     ATTACH_DOC_ACTIVE);
    assert_int_equal(VERDICT("projet.odt", STORED("mimetype", k_odt_type), PART("Pictures/1.png", "<svg onload=alert(1)>")),
                     ATTACH_DOC_ACTIVE);
    /* an SVG picture holds SVG where office applications keep pictures, nothing else */
    assert_int_equal(VERDICT("plan.docx", DOCX_BASE, PART("word/media/image2.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")),
                     ATTACH_OK);
    assert_int_equal(VERDICT("projet.odt", STORED("mimetype", k_odt_type), PART("Pictures/1.svg", "<?xml version=\"1.0\"?><svg/>")),
                     ATTACH_OK);
    assert_int_equal(VERDICT("plan.docx", DOCX_BASE, PART("word/media/image2.svg", "<html><script>x</script>")),
                     ATTACH_DOC_ACTIVE);
    part_t pe_svg[] = {DOCX_BASE, {"word/media/image2.svg", k_pe, sizeof k_pe - 1, ZIP_CM_DEFLATE, false}};
    assert_int_equal(verdict_of(pe_svg, ARRAY_LEN(pe_svg), "plan.docx"), ATTACH_DOC_ACTIVE);
    /* pictures and XML parts are fine */
    assert_int_equal(VERDICT("plan.docx", DOCX_BASE, STORED("word/media/image1.png", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
                             PART("docProps/core.xml", "<?xml version=\"1.0\"?><cp:coreProperties/>")),
                     ATTACH_OK);
}

static void test_zip_refuses_encrypted(void **state)
{
    (void)state;
    part_t parts[] = {DOCX_BASE, {"word/secret.xml", "<secret/>", 9, ZIP_CM_DEFLATE, true}};
    assert_int_equal(verdict_of(parts, ARRAY_LEN(parts), "plan.docx"), ATTACH_DOC_ENCRYPTED);
    part_t all[] = {{"mimetype", k_odt_type, sizeof k_odt_type - 1, ZIP_CM_STORE, true}};
    assert_int_equal(verdict_of(all, ARRAY_LEN(all), "projet.odt"), ATTACH_DOC_ENCRYPTED);
}

/* Zip bombs: the sizes the archive declares, and its number of entries. */
static void test_zip_limits(void **state)
{
    (void)state;
    const part_t docx[] = {DOCX_BASE, PART("word/media/big.bin", "0123456789")};
    size_t n;
    char *zip = zip_build(docx, ARRAY_LEN(docx), &n);
    assert_non_null(attach_sniff(zip, n, "plan.docx"));
    /* the central directory of the last entry now says 4 GiB once unpacked */
    size_t at = 0;
    for (size_t i = 0; i + 28 <= n; i++)
        if (memcmp(zip + i, "PK\x01\x02", 4) == 0)
            at = i;
    assert_true(at > 0);
    char *cd = zip + at;
    memcpy(cd + 24, "\0\0\0\xf0", 4);
    attach_verdict_t why;
    assert_null(attach_inspect(zip, n, "plan.docx", &why));
    assert_int_equal(why, ATTACH_DOC_TOO_BIG);
    /* just over the limit with the other parts */
    uint32_t size = (uint32_t)(ATTACH_ZIP_MAX_UNPACKED - 100);
    unsigned char le[4] = {size & 0xff, (size >> 8) & 0xff, (size >> 16) & 0xff, size >> 24};
    memcpy(cd + 24, le, 4);
    assert_null(attach_inspect(zip, n, "plan.docx", &why));
    assert_int_equal(why, ATTACH_DOC_TOO_BIG);
    free(zip);

    /* as many entries as allowed, then one more */
    part_t *many = xcalloc(ATTACH_ZIP_MAX_PARTS + 1, sizeof *many);
    char (*names)[32] = xcalloc(ATTACH_ZIP_MAX_PARTS + 1, sizeof *names);
    many[0] = (part_t)PART("[Content_Types].xml", k_docx_types);
    for (size_t i = 1; i <= ATTACH_ZIP_MAX_PARTS; i++) {
        snprintf(names[i], sizeof names[i], "word/part%zu.xml", i);
        many[i] = (part_t){names[i], "", 0, ZIP_CM_STORE, false};
    }
    assert_int_equal(verdict_of(many, ATTACH_ZIP_MAX_PARTS, "plan.docx"), ATTACH_OK);
    assert_int_equal(verdict_of(many, ATTACH_ZIP_MAX_PARTS + 1, "plan.docx"), ATTACH_DOC_TOO_BIG);
    free(names);
    free(many);
}

static void test_head_is_active(void **state)
{
    (void)state;
    assert_true(attach_head_is_active(k_pe, sizeof k_pe - 1));
    assert_true(attach_head_is_active(S("\x7f" "ELF")));
    assert_true(attach_head_is_active(S("\xca\xfe\xba\xbe\0\0\0\x34")));
    assert_true(attach_head_is_active(S("\xcf\xfa\xed\xfe\x07\0\0\x01")));
    assert_true(attach_head_is_active(S("#!/usr/bin/env python3\n")));
    assert_true(attach_head_is_active(S("  \r\n<!DOCTYPE html><html>")));
    assert_true(attach_head_is_active(S("<?xml version=\"1.0\"?>\n<!DOCTYPE svg PUBLIC>")));
    assert_true(attach_head_is_active(S("<Script>alert(1)</script>")));
    /* an MZ without the rest of a program, pictures, XML parts, nothing */
    assert_false(attach_head_is_active(S("MZ\x90\0")));
    assert_false(attach_head_is_active(S("\x89PNG\r\n\x1a\n")));
    assert_false(attach_head_is_active(S("<?xml version=\"1.0\"?>\n<w:document>")));
    assert_false(attach_head_is_active(S("<?xml version=\"1.0\"")));
    assert_false(attach_head_is_active(S("html <html>")));
    assert_false(attach_head_is_active("", 0));
}

static void test_sniff_text_only_valid_utf8(void **state)
{
    (void)state;
    assert_string_equal(attach_sniff(S("nom;âge\nFatima;12\n"), "liste.csv"), "text/csv; charset=utf-8");
    assert_string_equal(attach_sniff(S("ملاحظات الاجتماع\n"), "notes.txt"), "text/plain; charset=utf-8");
    assert_string_equal(attach_sniff(S("a,b\n"), "LISTE.CSV"), "text/csv; charset=utf-8");
    /* a NUL byte, or bytes that are not UTF-8, are not text */
    assert_null(attach_sniff(S("a,b\0c\n"), "liste.csv"));
    assert_null(attach_sniff(S("caf\xe9\n"), "latin1.txt"));
    assert_null(attach_sniff(S("\xc0\xaf"), "overlong.txt"));
    /* text is only accepted with a text extension: no HTML, no scripts */
    assert_null(attach_sniff(S("<script>alert(1)</script>"), "page.html"));
    assert_null(attach_sniff(S("<svg onload=alert(1)>"), "image.svg"));
    assert_null(attach_sniff(S("#!/bin/sh\nrm -rf /\n"), "run.sh"));
    assert_null(attach_sniff(S("plain words"), "noextension"));
}

static void test_sniff_refuses_the_rest(void **state)
{
    (void)state;
    assert_null(attach_sniff(S("MZ\x90\0\x03"), "setup.exe"));
    assert_null(attach_sniff(S("MZ\x90\0\x03"), "setup.pdf"));
    assert_null(attach_sniff(S("\x7f" "ELF\x02\x01"), "a.png"));
    assert_null(attach_sniff(S("RIFF\x24\0\0\0WAVEfmt "), "sound.webp"));
    assert_null(attach_sniff(S("%PD"), "short.pdf"));
    assert_null(attach_sniff("", 0, "empty.txt"));
    assert_null(attach_sniff(NULL, 0, "x.pdf"));
    /* a file shorter than a signature must not be read past its end */
    assert_null(attach_sniff(S("\x89P"), "a.png"));
    assert_null(attach_sniff(S("RIFF\x24\0"), "a.webp"));
}

/* --- file names and sizes -------------------------------------------------- */

/* in is accepted and cleaned to want */
static void cleans_to(const char *in, const char *want)
{
    char out[1024];
    assert_int_equal(attach_filename_clean(in, out, sizeof out), 0);
    assert_string_equal(out, want);
}

static void test_filename_clean(void **state)
{
    (void)state;
    char out[1024];
    cleans_to("rapport.pdf", "rapport.pdf");
    cleans_to("C:\\Users\\amal\\Bilan 2026.pdf", "Bilan 2026.pdf");
    cleans_to("../../etc/passwd.txt", "passwd.txt");
    cleans_to("  تقرير الجودة.pdf  ", "تقرير الجودة.pdf");
    /* controls, quotes and right-to-left overrides are dropped */
    cleans_to("a\r\nb\t\"c\".txt", "abc.txt");
    cleans_to("photo\xe2\x80\xaegpj.exe", "photogpj.exe");
    /* nothing usable left, or not UTF-8 */
    assert_int_equal(attach_filename_clean("", out, sizeof out), -1);
    assert_int_equal(attach_filename_clean("dir/", out, sizeof out), -1);
    assert_int_equal(attach_filename_clean("..", out, sizeof out), -1);
    assert_int_equal(attach_filename_clean("\x01\x02", out, sizeof out), -1);
    assert_int_equal(attach_filename_clean("caf\xe9.txt", out, sizeof out), -1);
    assert_int_equal(attach_filename_clean(NULL, out, sizeof out), -1);
}

static void test_filename_length_keeps_extension(void **state)
{
    (void)state;
    char in[1200], out[1024];
    /* 300 two-byte letters then ".pdf" */
    size_t n = 0;
    for (int i = 0; i < 300; i++) {
        in[n++] = '\xc3';
        in[n++] = '\xa9';
    }
    memcpy(in + n, ".pdf", 5);
    assert_int_equal(attach_filename_clean(in, out, sizeof out), 0);
    assert_true(utf8_valid(out, strlen(out)));
    assert_int_equal(utf8_count(out), ATTACH_NAME_MAX);
    assert_string_equal(out + strlen(out) - 4, ".pdf");
}

static void test_size_text(void **state)
{
    (void)state;
    char out[64];
    /* without catalogues loaded, the English units show */
    attach_size_text(512, "en", out, sizeof out);
    assert_string_equal(out, "512 B");
    attach_size_text(1024, "en", out, sizeof out);
    assert_string_equal(out, "1 KB");
    attach_size_text(1500, "en", out, sizeof out);
    assert_string_equal(out, "2 KB");
    attach_size_text(1572864, "en", out, sizeof out);
    assert_string_equal(out, "1.5 MB");
    attach_size_text(1572864, "fr", out, sizeof out);
    assert_non_null(strstr(out, "1,5"));
}

/* --- attach_store on a database ---------------------------------------------- */

static int setup_db(void **state)
{
    return test_db_setup(state, false, "attach", TEST_MIG_OF(nodes_module), TEST_MIG_OF(users_module),
                         TEST_MIG_OF(audit_module), TEST_MIG_OF(attach_module));
}

/* An account that uploads: an administrator of the platform. */
static int64_t uploader(db_t *db, int64_t node)
{
    role_t role = ROLE_ADMIN;
    user_new_t u = {.email = "directrice@amal.ma", .name = "Fatima Zahra Bennani", .language = "fr",
                    .password_hash = TEST_FAKE_HASH, .roles = &role, .role_nodes = &node, .n_roles = 1};
    int64_t id = 0;
    assert_int_equal(users_insert(db, 0, &u, NULL, &id, NULL, NULL), RES_OK);
    return id;
}

static void test_store_and_list(void **state)
{
    test_db_t *fx = *state;
    int64_t root = nodes_root_id(fx->db);
    const char pdf[] = "%PDF-1.4\n1 0 obj\n";
    http_file_t f = {.field = "file", .filename = "dir/Projet d'établissement.pdf",
                     .content_type = "text/html", .data = pdf, .len = sizeof pdf - 1};
    const char *why = "x";
    int64_t id = 0;
    int64_t actor = uploader(fx->db, root);
    assert_int_equal(attach_store(fx->db, root, "node", root, &f, actor, "192.0.2.1", &id, &why), RES_OK);
    assert_null(why);
    assert_true(id > 0);
    json_t *row = db_query_row_json(fx->db,
                                    "SELECT filename, content_type, size, sha256, node_id FROM "
                                    "attachments WHERE id = ?",
                                    PARAMS(P_INT(id)));
    assert_non_null(row);
    assert_string_equal(json_string_value(json_object_get(row, "filename")), "Projet d'établissement.pdf");
    /* the claimed type is ignored */
    assert_string_equal(json_string_value(json_object_get(row, "content_type")), "application/pdf");
    assert_int_equal(json_integer_value(json_object_get(row, "size")), (int64_t)(sizeof pdf - 1));
    assert_int_equal(strlen(json_string_value(json_object_get(row, "sha256"))), 64);
    json_decref(row);
    /* the bytes come back unchanged */
    db_res_t *res = db_query(fx->db, "SELECT data FROM attachments WHERE id = ?", PARAMS(P_INT(id)));
    assert_non_null(res);
    assert_true(db_next(res));
    size_t len = 0;
    const void *data = db_blob(res, 0, &len);
    assert_int_equal(len, sizeof pdf - 1);
    assert_memory_equal(data, pdf, len);
    db_res_free(res);
    /* one audit row, without the content */
    assert_int_equal(db_query_int(fx->db,
                                  "SELECT count(*) FROM audit_log WHERE action = 'upload' AND "
                                  "entity = 'attachment' AND entity_id = ? AND ip = '192.0.2.1' AND "
                                  "actor_id = ? AND node_path = '/1/' AND changes NOT LIKE '%obj%'",
                                  PARAMS(P_INT(id), P_INT(actor)), -1),
                     1);
    /* the plain list: what is stored, never the content */
    json_t *list = attach_list(fx->db, "node", root);
    assert_int_equal(json_array_size(list), 1);
    json_t *item = json_array_get(list, 0);
    assert_int_equal(json_integer_value(json_object_get(item, "id")), id);
    assert_string_equal(json_string_value(json_object_get(item, "filename")), "Projet d'établissement.pdf");
    assert_string_equal(json_string_value(json_object_get(item, "content_type")), "application/pdf");
    assert_int_equal(json_integer_value(json_object_get(item, "size")), (int64_t)(sizeof pdf - 1));
    assert_int_equal(json_integer_value(json_object_get(item, "created_by")), actor);
    assert_true(json_integer_value(json_object_get(item, "created_at")) > 1700000000);
    assert_null(json_object_get(item, "data"));
    json_decref(list);
    assert_int_equal(attach_count(fx->db, "node", root), 1);
    assert_int_equal(attach_count(fx->db, "node", root + 1000), 0);
    assert_int_equal(attach_count(fx->db, "evidence", root), 0);

    /* the list for pages: written for the reader, paged, newest first */
    static const char txt[] = "compte rendu\n";
    http_file_t t = {.field = "file", .filename = "cr.txt", .data = txt, .len = sizeof txt - 1};
    int64_t id2 = 0, id3 = 0;
    assert_int_equal(attach_store(fx->db, root, "node", root, &t, 0, NULL, &id2, &why), RES_OK);
    assert_int_equal(attach_store(fx->db, root, "node", root, &t, actor, NULL, &id3, &why), RES_OK);
    assert_true(id < id2 && id2 < id3);
    req_t *r = test_req("GET", "/admin/nodes/1");
    r->db = fx->db;
    r->lang = "en";
    list = attach_list_page(r, "node", root, 50, 0);
    assert_int_equal(json_array_size(list), 3);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "id")), id3);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 2), "id")), id);
    item = json_array_get(list, 2);
    char want[64];
    attach_size_text((int64_t)(sizeof pdf - 1), "en", want, sizeof want);
    assert_string_equal(json_string_value(json_object_get(item, "size_h")), want);
    format_local_datetime(json_integer_value(json_object_get(item, "created_at")), want, sizeof want);
    assert_string_equal(json_string_value(json_object_get(item, "created_at_h")), want);
    assert_string_equal(json_string_value(json_object_get(item, "created_by_name")), "Fatima Zahra Bennani");
    /* uploaded by the system: nobody to name */
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 1), "created_by_name")), "");
    assert_null(json_object_get(item, "data"));
    json_decref(list);
    list = attach_list_page(r, "node", root, 1, 1);
    assert_int_equal(json_array_size(list), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "id")), id2);
    json_decref(list);
    list = attach_list_page(r, "node", root, 50, 3);
    assert_int_equal(json_array_size(list), 0);
    json_decref(list);
    list = attach_list_page(r, "node", root + 1000, 50, 0);
    assert_int_equal(json_array_size(list), 0);
    json_decref(list);
    test_req_free(r);
}

static void test_store_refusals(void **state)
{
    test_db_t *fx = *state;
    int64_t root = nodes_root_id(fx->db);
    const char *why = NULL;
    int64_t id = 0;
    struct {
        const char *name;
        const char *data;
        size_t len;
    } bad[] = {
        {"page.html", "<html><script>", 14},
        {"rapport.html", "%PDF-1.4 polyglot", 17}, /* PDF bytes under an HTML name */
        {"photo.png", "\xff\xd8\xff\xe0", 4},     /* JPEG bytes named .png */
        {"empty.pdf", "", 0},
        {"\x01", "%PDF-1.4", 8},
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        http_file_t f = {.field = "file", .filename = bad[i].name, .data = bad[i].data,
                         .len = bad[i].len};
        why = NULL;
        assert_int_equal(attach_store(fx->db, root, "node", root, &f, 0, NULL, &id, &why), RES_INVALID);
        assert_non_null(why);
    }
    why = NULL;
    assert_int_equal(attach_store(fx->db, root, "node", root, NULL, 0, NULL, &id, &why), RES_INVALID);
    assert_non_null(why);
    /* a file part without a name is no file */
    http_file_t unnamed = {.field = "file", .filename = NULL, .data = "%PDF-1.4", .len = 8};
    why = NULL;
    assert_int_equal(attach_store(fx->db, root, "node", root, &unnamed, 0, NULL, &id, &why), RES_INVALID);
    assert_non_null(why);
    /* too large: refused before anything is read */
    char *big = xcalloc(1, ATTACH_MAX_BYTES + 1);
    memcpy(big, "%PDF-1.4", 8);
    http_file_t f = {.field = "file", .filename = "big.pdf", .data = big, .len = ATTACH_MAX_BYTES + 1};
    why = NULL;
    assert_int_equal(attach_store(fx->db, root, "node", root, &f, 0, NULL, &id, &why), RES_INVALID);
    assert_non_null(strstr(why, "large"));
    /* exactly the limit is fine */
    f.len = ATTACH_MAX_BYTES;
    assert_int_equal(attach_store(fx->db, root, "node", root, &f, 0, NULL, &id, &why), RES_OK);
    free(big);
    /* documents refused say why, in words of their own */
    const part_t evil[] = {PART("[Content_Types].xml", k_docx_types), PART("evil.html", "<html>"),
                           PART("run.exe", "MZ")};
    size_t zlen;
    char *zip = zip_build(evil, ARRAY_LEN(evil), &zlen);
    http_file_t z = {.field = "file", .filename = "evil.docx", .data = zip, .len = zlen};
    why = NULL;
    assert_int_equal(attach_store(fx->db, root, "node", root, &z, 0, NULL, &id, &why), RES_INVALID);
    assert_ptr_equal(why, attach_verdict_msgid(ATTACH_DOC_ACTIVE));
    free(zip);
    const part_t locked[] = {DOCX_BASE, {"word/x.xml", "<x/>", 4, ZIP_CM_DEFLATE, true}};
    zip = zip_build(locked, ARRAY_LEN(locked), &zlen);
    z = (http_file_t){.field = "file", .filename = "locked.docx", .data = zip, .len = zlen};
    assert_int_equal(attach_store(fx->db, root, "node", root, &z, 0, NULL, &id, &why), RES_INVALID);
    assert_ptr_equal(why, attach_verdict_msgid(ATTACH_DOC_ENCRYPTED));
    free(zip);
    http_file_t sig = {.field = "file", .filename = "plan.docx", .data = "PK\x03\x04\x14\0", .len = 6};
    assert_int_equal(attach_store(fx->db, root, "node", root, &sig, 0, NULL, &id, &why), RES_INVALID);
    assert_ptr_equal(why, attach_verdict_msgid(ATTACH_DOC_INVALID));
    http_file_t html = {.field = "file", .filename = "page.html", .data = "<html>", .len = 6};
    assert_int_equal(attach_store(fx->db, root, "node", root, &html, 0, NULL, &id, &why), RES_INVALID);
    assert_ptr_equal(why, attach_verdict_msgid(ATTACH_TYPE));
    assert_non_null(strstr(why, "PDF"));
    /* refusals stored nothing and wrote no audit row */
    assert_int_equal(db_query_int(fx->db, "SELECT count(*) FROM attachments", NOPARAMS, -1), 1);
    assert_int_equal(db_query_int(fx->db, "SELECT count(*) FROM audit_log", NOPARAMS, -1), 1);
}

int main(void)
{
    jouda_use_modules(); /* the ancestry hook gives audit rows their paths; users are named */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sniff_binary_types),
        cmocka_unit_test(test_sniff_zip_office_needs_extension),
        cmocka_unit_test(test_zip_container_of_the_kind),
        cmocka_unit_test(test_zip_refuses_programs_and_pages),
        cmocka_unit_test(test_zip_refuses_encrypted),
        cmocka_unit_test(test_zip_limits),
        cmocka_unit_test(test_head_is_active),
        cmocka_unit_test(test_sniff_text_only_valid_utf8),
        cmocka_unit_test(test_sniff_refuses_the_rest),
        cmocka_unit_test(test_filename_clean),
        cmocka_unit_test(test_filename_length_keeps_extension),
        cmocka_unit_test(test_size_text),
        cmocka_unit_test_setup_teardown(test_store_and_list, setup_db, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_store_refusals, setup_db, test_db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
