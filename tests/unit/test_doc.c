/* test_doc.c - the PDF document engine and the chart model, read back as
 * people will read them: documents in French, in Arabic and mixed, hostile
 * text (markup-like, invalid UTF-8, controls, endless words), an empty
 * document, many pages, tables crossing pages and a row taller than a
 * page, charts; each PDF is written to tests/output/doc/ with PNG pages
 * beside it (pdftoppm) for a person to look at, and checked with poppler:
 * pdftotext finds the words (Arabic in logical order), pdffonts shows every
 * font embedded, pdfinfo counts doc_page_count's pages, and the table of
 * contents gives the pages where the headings are. Also the chart's SVG
 * (escaping, viewBox, visual anchors), the radar drawn on the chart model,
 * rendering from several threads, and the time of a 30-page document. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

#include <cmocka.h>

#include "core/core.h"
#include "doc/doc.h"
#include "doc/chart.h"
#include "assess/assess_score.h"

#define OUT_DIR "tests/output/doc"
#define AR_TITLE "مشروع المؤسسة"

/* --- helpers ------------------------------------------------------------------ */

/* Everything a shell command writes on its standard output (malloc'd). */
static char *run(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    buf_t b;
    buf_init(&b);
    buf_puts(&b, "");
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
        buf_append(&b, chunk, n);
    pclose(p);
    return buf_detach(&b);
}

static char *runf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *runf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_t cmd;
    buf_init(&cmd);
    buf_vprintf(&cmd, fmt, ap);
    va_end(ap);
    char *out = run(cmd.data);
    buf_free(&cmd);
    return out;
}

/* Renders d into OUT_DIR/name.pdf with its PNG pages; the path (static). */
static const char *render_to(doc_t *d, const char *name)
{
    static char path[256];
    buf_t pdf;
    buf_init(&pdf);
    assert_int_equal(doc_render_pdf(d, &pdf), 0);
    assert_true(pdf.len > 1000);
    assert_memory_equal(pdf.data, "%PDF-", 5);
    snprintf(path, sizeof path, OUT_DIR "/%s.pdf", name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(pdf.data, 1, pdf.len, f), pdf.len);
    fclose(f);
    buf_free(&pdf);
    free(runf("rm -f " OUT_DIR "/%s-*.png; pdftoppm -r 60 -png %s " OUT_DIR "/%s", name, path, name));
    return path;
}

static int pdf_pages(const char *path)
{
    char *info = runf("pdfinfo %s", path);
    const char *p = strstr(info, "\nPages:");
    assert_non_null(p);
    int n = atoi(p + 7);
    free(info);
    return n;
}

/* pdftotext of pages first..last (0: all), with options opts. */
static char *pdf_text(const char *path, const char *opts, int first, int last)
{
    if (first > 0)
        return runf("pdftotext %s -f %d -l %d %s -", opts, first, last, path);
    return runf("pdftotext %s %s -", opts, path);
}

/* Every font of pdffonts' list is embedded; returns how many there are. */
static int fonts_all_embedded(const char *path)
{
    char *out = runf("pdffonts %s", path);
    char *dashes = strstr(out, "\n---");
    assert_non_null(dashes);
    dashes++;
    /* the fourth column of dashes is "emb" */
    size_t col = 0;
    for (int k = 0; k < 3; k++) {
        col += strspn(dashes + col, "-");
        col += strspn(dashes + col, " ");
    }
    int fonts = 0;
    for (char *line = strchr(dashes, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
        const char *l = line + 1;
        if (strlen(l) < col + 3)
            continue;
        fonts++;
        if (strncmp(l + col, "yes", 3) != 0)
            fail_msg("font not embedded: %.*s", (int)strcspn(l, "\n"), l);
    }
    free(out);
    return fonts;
}

static void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("\"%s\" not found in:\n%.3000s", needle, hay);
}

static json_t *json(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    if (!j)
        fail_msg("bad test JSON: %s", e.text);
    return j;
}

/* The physical page (1-based) of the first page whose text holds s after
 * page `after`, 0 when none. */
static int page_of(const char *path, const char *s, int after, int pages)
{
    for (int p = after + 1; p <= pages; p++) {
        char *t = pdf_text(path, "", p, p);
        bool found = strstr(t, s) != NULL;
        free(t);
        if (found)
            return p;
    }
    return 0;
}

/* The page number the table of contents gives for an entry starting with
 * title (the last number on its line in pdftotext -layout), 0 when absent. */
static int toc_number(const char *toc, const char *title)
{
    const char *p = strstr(toc, title);
    if (!p)
        return 0;
    const char *end = p + strcspn(p, "\n");
    const char *q = end;
    while (q > p && (q[-1] == ' '))
        q--;
    const char *digits = q;
    while (digits > p && digits[-1] >= '0' && digits[-1] <= '9')
        digits--;
    return digits < q ? atoi(digits) : 0;
}

static const char *const words[] = {
    "établissement", "projet", "éducatif", "accompagnement", "familles", "enfants", "équipe", "qualité",
    "évaluation", "objectif", "partenaires", "suivi", "résultats", "démarche", "amélioration", "bien-être",
    "sécurité", "formation", "réunion", "participation", "les", "des", "pour", "avec", "dans", "une", "et",
    "le", "la", "de",
};

/* A French paragraph of n words, different for each seed. */
static char *french_text(int n, uint32_t seed)
{
    buf_t b;
    buf_init(&b);
    for (int i = 0; i < n; i++) {
        uint32_t h = hash_mix32(seed * 7919u + (uint32_t)i);
        const char *w = words[h % ARRAY_LEN(words)];
        buf_printf(&b, "%s%s", i ? " " : "", w);
        if (i % 17 == 16)
            buf_putc(&b, ',');
    }
    buf_puts(&b, ".");
    return buf_detach(&b);
}

/* --- chart SVG ------------------------------------------------------------------ */

static void test_chart_svg_is_accessible_escaped_and_visual(void **state)
{
    (void)state;
    chart_t *c = chart_new(200, 100);
    assert_true(chart_width(c) == 200 && chart_height(c) == 100);
    chart_line(c, 0, 0, 12.345, -0.001, 0x1d4ed8, 1.5, true);
    double pts[] = {10, 10, 50, 10, 30, 40};
    chart_polygon(c, pts, 3, 0x6b7280, 1, 0x1d4ed8, 0.25);
    chart_rect(c, 5, 5, 20, 10, CHART_NONE, 1, 0xff0000, 1);
    chart_circle(c, 50, 50, 3, CHART_NONE, 1, 0x00ff00);
    chart_polyline(c, pts, 3, false, 0x123456, 2, false);
    chart_text(c, 10, 20, "<b>&amp;</b> \"q\" 'a'", 11, 0x374151, CHART_START, true);
    chart_text(c, 100, 20, "قيادة المؤسسة", 11, 0x374151, CHART_START, false);
    chart_text(c, 100, 40, "Mixte قيادة", 11, 0x374151, CHART_END, false);
    chart_text(c, 100, 60, "3", 11, 0x374151, CHART_MIDDLE, false);
    chart_text(c, 100, 80, "bad \xff\xfe bytes\x01", 11, 0x374151, CHART_END, false);
    chart_text(c, 100, 90, "", 11, 0x374151, CHART_END, false); /* nothing drawn */
    buf_t out;
    buf_init(&out);
    chart_svg(c, "Radar <\"&'>", false, &out);
    const char *s = out.data;
    assert_contains(s, "<svg xmlns=\"http://www.w3.org/2000/svg\"");
    assert_contains(s, "viewBox=\"0 0 200.00 100.00\"");
    assert_contains(s, "width=\"100%\"");
    assert_contains(s, "role=\"img\"");
    assert_contains(s, "direction=\"ltr\"");
    assert_contains(s, "<title id=\"chart-");
    assert_contains(s, "Radar &lt;&quot;&amp;&#39;&gt;</title>");
    /* aria-labelledby names the title's id */
    const char *lab = strstr(s, "aria-labelledby=\"");
    assert_non_null(lab);
    char id[32];
    snprintf(id, sizeof id, "id=\"%.14s\"", lab + 17);
    assert_contains(s, id);
    assert_contains(s, "x2=\"12.35\" y2=\"0.00\"");
    assert_null(strstr(s, "-0.00"));
    assert_contains(s, "stroke-dasharray=\"5 4\"");
    assert_contains(s, "points=\"10.00,10.00 50.00,10.00 30.00,40.00\" fill=\"#1d4ed8\" fill-opacity=\"0.25\"");
    assert_contains(s, "<polyline points=");
    assert_contains(s, "fill=\"#ff0000\"");
    assert_contains(s, "<circle cx=\"50.00\" cy=\"50.00\" r=\"3.00\" fill=\"#00ff00\"/>");
    assert_contains(s, "&lt;b&gt;&amp;amp;&lt;/b&gt; &quot;q&quot; &#39;a&#39;</text>");
    assert_null(strstr(s, "<b>"));
    /* anchors stay visual: an Arabic text starting at x runs rtl, so its SVG anchor is "end" */
    assert_contains(s, "text-anchor=\"start\" fill=\"#374151\" font-weight=\"bold\">&lt;b&gt;");
    assert_contains(s, "text-anchor=\"end\" fill=\"#374151\" direction=\"rtl\">قيادة المؤسسة</text>");
    assert_contains(s, "text-anchor=\"end\" fill=\"#374151\">Mixte قيادة</text>");
    assert_contains(s, "text-anchor=\"middle\" fill=\"#374151\">3</text>");
    assert_contains(s, "bad \xEF\xBF\xBD\xEF\xBF\xBD bytes</text>");
    assert_true(utf8_valid(s, out.len));
    assert_null(strstr(s, "\x01"));
    /* on a right-to-left page, a number reads right to left too: anchors swap */
    buf_reset(&out);
    chart_svg(c, NULL, true, &out);
    assert_contains(out.data, "text-anchor=\"middle\" fill=\"#374151\" direction=\"rtl\">3</text>");
    assert_contains(out.data, "<title id=\"chart-");
    buf_free(&out);
    chart_free(c);
    chart_free(NULL);
}

static void test_radar_chart_matches_the_svg_geometry(void **state)
{
    (void)state;
    static const char *const labels[] = {"Gouvernance et pilotage", "Accompagnement", "Vie quotidienne",
                                         "Partenariats", "Sécurité <&>"};
    static const double values[] = {3.2, 2.5, -1, 4, 1.5};
    static const double prev[] = {2.8, 2.0, 2, 3.5, 1};
    chart_t *c = assess_radar_chart(labels, values, prev, 5, "Cette campagne", "Campagne précédente", false);
    assert_true(chart_width(c) == 560 && chart_height(c) == 390);
    buf_t out;
    buf_init(&out);
    chart_svg(c, "Radar", false, &out);
    assert_contains(out.data, ">Gouvernance et</text>");
    assert_contains(out.data, ">pilotage</text>");
    assert_contains(out.data, "Sécurité &lt;&amp;&gt;");
    assert_contains(out.data, "Campagne précédente");
    assert_contains(out.data, "stroke-dasharray");
    /* the first axis points up: its label (two lines) is centred above the top */
    assert_contains(out.data, "<text x=\"280.00\" y=\"33.00\" font-size=\"11.00\" text-anchor=\"middle\"");
    buf_free(&out);
    chart_free(c);

    /* right to left: labels right of the centre end there, anchors still visual */
    static const char *const ar[] = {"القيادة", "المرافقة", "الحياة اليومية", "الشراكات"};
    static const double v4[] = {1, 2, 3, 4};
    c = assess_radar_chart(ar, v4, NULL, 4, "هذه الحملة", "الحملة السابقة", true);
    assert_true(chart_height(c) == 354);
    buf_init(&out);
    chart_svg(c, "رادار", true, &out);
    /* the second axis is on the left in rtl: its label ends at x = 280 - 134 */
    assert_contains(out.data, "<text x=\"146.00\" y=\"184.00\" font-size=\"11.00\" text-anchor=\"start\"");
    buf_free(&out);
    chart_free(c);

    /* too few or too many axes: horizontal bars */
    c = assess_radar_chart(labels, values, NULL, 2, "a", "b", false);
    assert_true(chart_height(c) == 12 + 40 * 2 + 4 + 20);
    chart_free(c);
    double many[30];
    for (int i = 0; i < 30; i++)
        many[i] = i % 5;
    c = assess_radar_chart(NULL, many, many, 30, "a", "b", true);
    assert_true(chart_height(c) == 12 + 40 * 30 + 4 + 20 + 28);
    chart_free(c);
}

/* --- documents -------------------------------------------------------------------- */

static const char *french_blocks =
    "["
    "{\"type\":\"heading\",\"heading\":true,\"level\":1,\"runs\":[{\"text\":\"Diagnostic partagé\"}]},"
    "{\"type\":\"paragraph\",\"paragraph\":true,\"runs\":[{\"text\":\"Le projet d'établissement décrit \"},"
    "{\"text\":\"les priorités\",\"b\":true},{\"text\":\" et \"},{\"text\":\"les moyens\",\"i\":true},"
    "{\"text\":\" ; le code \"},{\"text\":\"plan_rules.c\",\"code\":true},{\"text\":\" et \"},"
    "{\"text\":\"l'ancien plan\",\"del\":true},{\"text\":\" ou \"},{\"text\":\"le site\",\"href\":\"https://x.ma\"},"
    "{\"br\":true},{\"text\":\"Ligne après un saut.\"}]},"
    "{\"type\":\"list\",\"list\":true,\"ordered\":false,\"start\":1,\"items\":["
    "{\"blocks\":[{\"type\":\"paragraph\",\"paragraph\":true,\"runs\":[{\"text\":\"Premier point de liste\"}]}]},"
    "{\"blocks\":[{\"type\":\"paragraph\",\"paragraph\":true,\"runs\":[{\"text\":\"Deuxième point\"}]},"
    "{\"type\":\"list\",\"list\":true,\"ordered\":true,\"start\":3,\"items\":["
    "{\"blocks\":[{\"type\":\"paragraph\",\"paragraph\":true,\"runs\":[{\"text\":\"Sous-point numéroté\"}]}]},"
    "{\"blocks\":[]}]}]}]},"
    "{\"type\":\"quote\",\"quote\":true,\"blocks\":[{\"type\":\"paragraph\",\"paragraph\":true,"
    "\"runs\":[{\"text\":\"Une citation des familles, dans un encadré.\"}]},"
    "{\"type\":\"paragraph\",\"paragraph\":true,\"runs\":[{\"text\":\"Suite de la citation.\"}]}]},"
    "{\"type\":\"code\",\"code\":true,\"text\":\"int main(void)\\n{\\n\\treturn 0;\\n}\\n\"},"
    "{\"type\":\"rule\",\"rule\":true},"
    "{\"type\":\"heading\",\"heading\":true,\"level\":2,\"runs\":[{\"text\":\"Tableau des actions\"}]},"
    "{\"type\":\"table\",\"table\":true,\"head\":[{\"runs\":[{\"text\":\"Action\"}],\"align\":\"start\"},"
    "{\"runs\":[{\"text\":\"Échéance\"}],\"align\":\"center\"},{\"runs\":[{\"text\":\"Budget\"}],\"align\":\"end\"}],"
    "\"rows\":[{\"cells\":[{\"runs\":[{\"text\":\"Former l'équipe aux écrits professionnels\"}]},"
    "{\"runs\":[{\"text\":\"juin 2026\"}],\"align\":\"center\"},{\"runs\":[{\"text\":\"1 200\"}],\"align\":\"end\"}]},"
    "{\"cells\":[{\"runs\":[{\"text\":\"Conseil de la vie sociale\"}]}]}]},"
    "{\"type\":\"unknown\",\"runs\":[]},{\"type\":7},{\"nothing\":true},[],\"text\","
    "{\"type\":\"heading\",\"level\":9,\"runs\":[{\"text\":\"Niveau borné\"}]}"
    "]";

static doc_t *french_doc(void)
{
    doc_opts_t o = {.lang = "fr", .title = "Projet d'établissement 2026-2030",
                    .subtitle = "Maison d'enfants Al Amal — 2026 – 2030", .cover_note = "Version 3 · validée",
                    .header = "Projet d'établissement — Maison d'enfants Al Amal", .footer = "Document de travail",
                    .page_fmt = "Page %d sur %d", .toc_title = "Sommaire", .cover = true};
    doc_t *d = doc_new(&o);
    doc_heading(d, 1, "1. Présentation de l'établissement");
    for (int i = 0; i < 6; i++) {
        char *t = french_text(110, (uint32_t)i);
        doc_paragraph(d, t);
        free(t);
    }
    doc_note(d, "Note : chiffres au 31/12/2025.");
    doc_heading(d, 2, "1.1 Missions et public accueilli");
    doc_paragraph(d, "Première ligne\nseconde ligne du même paragraphe.");
    json_t *blocks = json(french_blocks);
    doc_blocks(d, blocks, 1);
    json_decref(blocks);
    doc_heading(d, 1, "2. Orientations stratégiques");
    doc_paragraph(d, "Les orientations découlent du diagnostic.");
    doc_page_break(d);
    doc_heading(d, 1, "3. Après un saut de page");
    doc_paragraph(d, "Fin du document.");
    return d;
}

static void test_french_document_reads_back(void **state)
{
    (void)state;
    doc_t *d = french_doc();
    assert_int_equal(doc_page_count(d), 0);
    const char *path = render_to(d, "french");
    int pages = doc_page_count(d);
    assert_true(pages >= 5);
    assert_int_equal(pdf_pages(path), pages);
    assert_true(fonts_all_embedded(path) >= 2);
    char *t = pdf_text(path, "", 0, 0);
    assert_contains(t, "Projet d'établissement 2026-2030");
    assert_contains(t, "Maison d'enfants Al Amal");
    assert_contains(t, "Sommaire");
    assert_contains(t, "Présentation de l'établissement");
    assert_contains(t, "les priorités");
    assert_contains(t, "plan_rules.c");
    assert_contains(t, "Premier point de liste");
    assert_contains(t, "Sous-point numéroté");
    assert_contains(t, "3.");
    assert_contains(t, "Une citation des familles");
    assert_contains(t, "return 0;");
    assert_contains(t, "Former l'équipe aux écrits");
    assert_contains(t, "Conseil de la vie sociale");
    assert_contains(t, "Niveau borné");
    assert_contains(t, "Ligne après un saut.");
    char last[64];
    snprintf(last, sizeof last, "Page %d sur %d", pages, pages);
    assert_contains(t, last);
    free(t);
    char *info = runf("pdfinfo %s", path);
    assert_contains(info, "Projet d'établissement 2026-2030");
    free(info);
    /* the cover has no header; the table of contents is page 2 */
    char *cover = pdf_text(path, "", 1, 1);
    assert_null(strstr(cover, "Page 1 sur"));
    free(cover);
    char *toc = pdf_text(path, "-layout", 2, 2);
    assert_contains(toc, "Sommaire");
    static const char *const heads[] = {"1. Présentation de l'établissement", "1.1 Missions et public accueilli",
                                        "Diagnostic partagé", "2. Orientations stratégiques",
                                        "3. Après un saut de page"};
    int prev = 0;
    for (size_t i = 0; i < ARRAY_LEN(heads); i++) {
        int n = toc_number(toc, heads[i]);
        assert_true(n >= 3);
        assert_true(n >= prev);
        assert_int_equal(page_of(path, heads[i], 2, pages), n);
        prev = n;
    }
    assert_int_equal(toc_number(toc, "Tableau des actions"), 0); /* level 3 after the shift: not in the contents */
    assert_int_equal(toc_number(toc, "Niveau borné"), 0);
    free(toc);
    /* a second rendering gives the same pages */
    buf_t again;
    buf_init(&again);
    assert_int_equal(doc_render_pdf(d, &again), 0);
    assert_int_equal(doc_page_count(d), pages);
    buf_free(&again);
    doc_free(d);
}

static const char *ar_para =
    "يهدف مشروع المؤسسة إلى تحسين جودة التكفل بالأطفال وتعزيز مشاركة الأسر في الحياة اليومية للمؤسسة، "
    "وذلك من خلال خطة عمل واضحة تمتد على ثلاث سنوات وتشمل التكوين المستمر للفريق التربوي.";

static doc_t *arabic_doc(void)
{
    doc_opts_t o = {.lang = "ar", .title = AR_TITLE " 2026-2030", .subtitle = "دار الأطفال الأمل",
                    .cover_note = "الإصدار 3", .header = AR_TITLE " — دار الأطفال الأمل", .footer = "وثيقة عمل",
                    .page_fmt = "الصفحة %d من %d", .toc_title = "المحتويات", .cover = true};
    doc_t *d = doc_new(&o);
    doc_heading(d, 1, "1. تقديم المؤسسة");
    for (int i = 0; i < 4; i++)
        doc_paragraph(d, ar_para);
    doc_paragraph(d, "Une phrase en français dans un document arabe, avec 2026 et « guillemets ».");
    doc_paragraph(d, "جملة عربية فيها كلمة Projet وأرقام 2026 و 3.5 داخلها.");
    doc_heading(d, 2, "1.1 الأهداف");
    json_t *blocks = json(
        "[{\"type\":\"list\",\"list\":true,\"ordered\":true,\"start\":1,\"items\":["
        "{\"blocks\":[{\"type\":\"paragraph\",\"paragraph\":true,\"runs\":[{\"text\":\"تحسين التكفل\"}]}]},"
        "{\"blocks\":[{\"type\":\"paragraph\",\"paragraph\":true,\"runs\":[{\"text\":\"إشراك الأسر\",\"b\":true}]}]}]},"
        "{\"type\":\"list\",\"list\":true,\"ordered\":false,\"items\":["
        "{\"blocks\":[{\"type\":\"paragraph\",\"paragraph\":true,\"runs\":[{\"text\":\"نقطة أولى\"}]},"
        "{\"type\":\"list\",\"list\":true,\"ordered\":false,\"items\":[{\"blocks\":[{\"type\":\"paragraph\","
        "\"paragraph\":true,\"runs\":[{\"text\":\"نقطة فرعية\"}]}]}]}]}]},"
        "{\"type\":\"quote\",\"quote\":true,\"blocks\":[{\"type\":\"paragraph\",\"paragraph\":true,"
        "\"runs\":[{\"text\":\"شهادة من إحدى الأسر\"}]}]}]");
    doc_blocks(d, blocks, 1);
    json_decref(blocks);
    doc_heading(d, 1, "2. خطة العمل");
    json_t *head = json("[\"الإجراء\", \"الأجل\", \"الميزانية\"]");
    json_t *rows = json("[[\"تكوين الفريق\", \"يونيو 2026\", 1200], [\"مجلس الحياة الاجتماعية\", \"2027\", 3.5]]");
    static const double w[] = {0.6, 0.2, 0.2};
    doc_table(d, head, rows, w);
    json_decref(head);
    json_decref(rows);
    return d;
}

static void test_arabic_document_reads_back_in_logical_order(void **state)
{
    (void)state;
    doc_t *d = arabic_doc();
    const char *path = render_to(d, "arabic");
    int pages = doc_page_count(d);
    assert_int_equal(pdf_pages(path), pages);
    assert_true(fonts_all_embedded(path) >= 1);
    char *t = pdf_text(path, "", 0, 0);
    assert_contains(t, AR_TITLE);
    assert_contains(t, "تقديم المؤسسة");
    assert_contains(t, "تحسين جودة التكفل");
    assert_contains(t, "تكوين الفريق");
    assert_contains(t, "إشراك");
    assert_contains(t, "نقطة فرعية");
    assert_contains(t, "Une phrase en français dans un document arabe");
    free(t);
    char *toc = pdf_text(path, "", 2, 2);
    assert_contains(toc, "المحتويات");
    assert_contains(toc, "خطة العمل");
    free(toc);
    doc_free(d);
}

static void test_hostile_text_renders_literally(void **state)
{
    (void)state;
    doc_opts_t o = {.lang = "fr", .title = "Titre \xff invalide <b>", .header = "", .footer = NULL,
                    .page_fmt = "%s %x %d%% %d %d %n", .toc_title = "Contents"};
    doc_t *d = doc_new(&o);
    doc_heading(d, 0, "<b>&amp;</b> heading");
    doc_heading(d, 99, "");
    doc_paragraph(d, "<b>&amp;</b> <span foreground=\"red\">markup</span> &lt;");
    doc_paragraph(d, "");
    doc_paragraph(d, NULL);
    doc_note(d, "bad \xc3\x28 bytes \xed\xa0\x80 surrogate \xf4\x90\x80\x80 end\x01\x02\x7f\x1b[0m");
    buf_t w;
    buf_init(&w);
    for (int i = 0; i < 400; i++)
        buf_puts(&w, "Anticonstitutionnellement");
    doc_paragraph(d, w.data);
    buf_reset(&w);
    for (int i = 0; i < 150; i++)
        buf_puts(&w, "مشروع");
    doc_paragraph(d, w.data);
    buf_free(&w);
    doc_paragraph(d, "Mélange : le مشروع المؤسسة est validé (version 2) — ثم نعود إلى French.");
    doc_paragraph(d, "tab\tand\r\nwindows line\rmac line");
    json_t *bad = json("[{\"type\":\"paragraph\",\"runs\":\"not an array\"},"
                       "{\"type\":\"paragraph\",\"runs\":[1, null, {\"text\":5}, {\"text\":\"<i>kept</i>\",\"b\":\"yes\"}]},"
                       "{\"type\":\"list\",\"items\":[{\"blocks\":7}, 3, {}]},"
                       "{\"type\":\"table\",\"head\":5,\"rows\":[{\"cells\":[{}, {\"runs\":[{\"text\":\"cell\"}]}]}, 9]},"
                       "{\"type\":\"table\",\"rows\":[]},"
                       "{\"type\":\"code\",\"text\":null},"
                       "{\"type\":\"heading\",\"level\":\"x\"}]");
    doc_blocks(d, bad, -100);
    doc_blocks(d, NULL, 0);
    json_decref(bad);
    /* nesting far deeper than anything sensible */
    json_t *deep = json("[{\"type\":\"paragraph\",\"runs\":[{\"text\":\"au fond\"}]}]");
    for (int i = 0; i < 300; i++)
        deep = json_pack("[{s:s, s:[{s:o}]}]", "type", i % 2 ? "quote" : "list", i % 2 ? "blocks" : "items",
                         "blocks", deep);
    doc_blocks(d, deep, 0);
    json_decref(deep);
    json_t *head = json("[\"<th>\", \"\"]"), *rows = json("[[\"x\\u0001y\", \"\"], [], \"row\", [null, true]]");
    static const double zero[] = {0, -1};
    doc_table(d, head, rows, zero);
    doc_table(d, NULL, NULL, NULL);
    doc_table(d, head, NULL, NULL);
    json_decref(head);
    json_decref(rows);
    doc_chart(d, NULL, 100);
    const char *path = render_to(d, "hostile");
    assert_int_equal(pdf_pages(path), doc_page_count(d));
    fonts_all_embedded(path);
    char *t = pdf_text(path, "", 0, 0);
    assert_contains(t, "<b>&amp;</b> heading");
    assert_contains(t, "<span foreground=\"red\">markup</span> &lt;");
    assert_contains(t, "<i>kept</i>");
    assert_contains(t, "Anticonstitutionnellement");
    assert_contains(t, "windows line");
    assert_contains(t, "<th>");
    assert_contains(t, "cell");
    assert_contains(t, "\xEF\xBF\xBD"); /* the replacement character */
    free(t);
    /* the long word is cut without hyphens: no line ends with one, and joined
     * again every copy is there (less those a page break interrupts) */
    char *hyphens = runf("pdftotext %s - | grep -c -- '-$'", path);
    assert_int_equal(atoi(hyphens), 0);
    free(hyphens);
    char *joined = runf("pdftotext -nopgbrk %s - | tr -d '\\n' | grep -o Anticonstitutionnellement | wc -l", path);
    assert_true(atoi(joined) >= 396);
    free(joined);
    /* the long word wrapped: its lines stay inside the page (pdftotext -bbox) */
    char *bbox = runf("pdftotext -bbox %s - | grep -o 'xMax=\"[0-9.]*\"' | tr -dc '0-9.\\n' | sort -n | tail -1",
                      path);
    assert_true(atof(bbox) > 0 && atof(bbox) < 595.3 - 50);
    free(bbox);
    char *raw = pdf_text(path, "", 0, 0);
    assert_contains(raw, AR_TITLE);
    free(raw);
    doc_free(d);
}

static void test_empty_documents(void **state)
{
    (void)state;
    doc_t *d = doc_new(NULL);
    const char *path = render_to(d, "empty");
    assert_int_equal(doc_page_count(d), 1);
    assert_int_equal(pdf_pages(path), 1);
    doc_free(d);
    doc_opts_t o = {.lang = "ar", .title = "", .cover = true, .toc_title = "المحتويات"};
    d = doc_new(&o);
    path = render_to(d, "empty-cover");
    assert_int_equal(doc_page_count(d), 1); /* the cover alone; no contents without headings */
    assert_int_equal(pdf_pages(path), 1);
    doc_free(d);
    doc_free(NULL);
    assert_int_equal(doc_page_count(NULL), 0);
}

static void test_tables_cross_pages_with_their_head(void **state)
{
    (void)state;
    doc_opts_t o = {.lang = "fr", .title = "Tableaux", .header = "Tableaux", .footer = "Pied"};
    doc_t *d = doc_new(&o);
    doc_paragraph(d, "Un tableau long suit.");
    json_t *head = json("[\"Colonne Alpha\", \"Colonne Beta\", \"Colonne Gamma\"]");
    json_t *rows = json_array();
    for (int i = 0; i < 90; i++) {
        char a[64], c[300];
        snprintf(a, sizeof a, "debut%d", i);
        char *t = french_text(6 + i % 25, (uint32_t)i);
        snprintf(c, sizeof c, "%s fin%d", t, i);
        free(t);
        json_array_append_new(rows, json_pack("[s, i, s]", a, i * 10, c));
    }
    static const double w[] = {0.2, 0.15, 0.65};
    doc_table(d, head, rows, w);
    json_decref(rows);
    /* a row taller than a page is cut between lines */
    rows = json_array();
    char *huge = french_text(1800, 99);
    json_array_append_new(rows, json_pack("[s, s, s]", "grand", "x", huge));
    json_array_append_new(rows, json_pack("[s, s, s]", "apres", "y", "z"));
    free(huge);
    doc_table(d, head, rows, w);
    json_decref(rows);
    json_decref(head);
    /* a head taller than a page: drawn past the bottom, but the rows still come */
    char *tall = french_text(2500, 7);
    head = json_pack("[s, s]", "tete", tall);
    free(tall);
    rows = json_pack("[[s, s], [s, s]]", "r1", "petite ligne", "r2", "fin du tableau");
    doc_table(d, head, rows, NULL);
    json_decref(rows);
    json_decref(head);
    const char *path = render_to(d, "tables");
    int pages = doc_page_count(d);
    assert_true(pages >= 4);
    assert_int_equal(pdf_pages(path), pages);
    bool third = false; /* the pages of the third table have their own head */
    for (int p = 1; p <= pages; p++) {
        char *t = pdf_text(path, "", p, p);
        third |= strstr(t, "tete") != NULL;
        if (p > 1 && !third)
            assert_contains(t, "Colonne Alpha"); /* the head on every page */
        /* every row whose start is on this page ends on it */
        for (int i = 0; i < 90; i++) {
            char a[32], z[32];
            snprintf(a, sizeof a, "debut%d\n", i);
            snprintf(z, sizeof z, "fin%d\n", i);
            if (strstr(t, a) && !strstr(t, z))
                fail_msg("row %d is split at page %d", i, p);
        }
        free(t);
    }
    char *all = pdf_text(path, "", 0, 0);
    assert_contains(all, "apres");
    assert_contains(all, "fin89");
    assert_contains(all, "fin du tableau");
    free(all);
    doc_free(d);
}

/* A 30-page report: 120 paragraphs of about 120 words, 5 tables, a chart. */
static doc_t *long_doc(chart_t **chart)
{
    doc_opts_t o = {.lang = "fr", .title = "Rapport long", .subtitle = "Trente pages", .header = "Rapport long",
                    .footer = "Jouda", .toc_title = "Sommaire", .cover = true};
    doc_t *d = doc_new(&o);
    static const char *const labels[] = {"Gouvernance", "Accompagnement", "Vie quotidienne", "Partenariats",
                                         "Sécurité", "Droits des usagers"};
    static const double v[] = {3.1, 2.4, 3.8, 1.9, 2.7, 3.3}, p[] = {2.5, 2.2, 3.0, 2.0, 2.1, 3.0};
    *chart = assess_radar_chart(labels, v, p, 6, "Cette campagne", "Campagne précédente", false);
    for (int i = 0; i < 120; i++) {
        if (i % 10 == 0) {
            char h[64];
            snprintf(h, sizeof h, "Partie %d du rapport", i / 10 + 1);
            doc_heading(d, 1, h);
        } else if (i % 5 == 0) {
            char h[64];
            snprintf(h, sizeof h, "Section %d.%d", i / 10 + 1, i % 10 / 5);
            doc_heading(d, 2, h);
        }
        char *t = french_text(120, (uint32_t)i + 1000);
        doc_paragraph(d, t);
        free(t);
        if (i % 24 == 12) {
            json_t *head = json("[\"Critère\", \"Moyenne\", \"Commentaire\"]"), *rows = json_array();
            for (int r = 0; r < 12; r++) {
                char *c = french_text(8 + r, (uint32_t)(i * 100 + r));
                json_array_append_new(rows, json_pack("[s, f, s]", "C.1.2", 2.5 + r * 0.1, c));
                free(c);
            }
            doc_table(d, head, rows, (const double[]){0.2, 0.15, 0.65});
            json_decref(head);
            json_decref(rows);
        }
        if (i == 60)
            doc_chart(d, *chart, 150);
    }
    return d;
}

static void test_thirty_pages_render(void **state)
{
    (void)state;
    int64_t t0 = now_ms_monotonic();
    doc_warm_up();
    int64_t t1 = now_ms_monotonic();
    chart_t *chart;
    doc_t *d = long_doc(&chart);
    buf_t pdf;
    buf_init(&pdf);
    int64_t t2 = now_ms_monotonic();
    assert_int_equal(doc_render_pdf(d, &pdf), 0);
    int64_t t3 = now_ms_monotonic();
    int pages = doc_page_count(d);
    printf("doc: warm-up %lld ms; %d pages (%zu KB) rendered in %lld ms\n", (long long)(t1 - t0), pages,
           pdf.len / 1024, (long long)(t3 - t2));
    /* the time is told, not asserted: make bench measures the documents */
    assert_true(pages >= 25);
    buf_free(&pdf);
    const char *path = render_to(d, "long");
    assert_int_equal(pdf_pages(path), pages);
    fonts_all_embedded(path);
    char *toc = pdf_text(path, "-layout", 2, 2);
    int n = toc_number(toc, "Partie 7 du rapport");
    assert_true(n > 2);
    assert_int_equal(page_of(path, "Partie 7 du rapport", 3, pages), n);
    n = toc_number(toc, "Section 12.1");
    assert_int_equal(page_of(path, "Section 12.1", 3, pages), n);
    free(toc);
    doc_free(d);
    chart_free(chart);
}

static void *render_thread(void *arg)
{
    int *ok = arg;
    for (int i = 0; i < 3; i++) {
        doc_t *d = i % 2 ? arabic_doc() : french_doc();
        buf_t b;
        buf_init(&b);
        if (doc_render_pdf(d, &b) != 0 || b.len < 1000)
            *ok = 0;
        buf_free(&b);
        doc_free(d);
    }
    return NULL;
}

static void test_documents_render_from_several_threads(void **state)
{
    (void)state;
    pthread_t th[4];
    int ok[4] = {1, 1, 1, 1};
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, render_thread, &ok[i]), 0);
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(ok[i], 1);
    }
}

static void test_charts_in_documents_both_directions(void **state)
{
    (void)state;
    static const char *const ar[] = {"القيادة والتدبير", "المرافقة التربوية", "الحياة اليومية", "الشراكات",
                                     "السلامة"};
    static const double v[] = {3, 2.5, 3.5, -1, 2}, p[] = {2, 2, 3, 1.5, 2.5};
    chart_t *c1 = assess_radar_chart(ar, v, p, 5, "هذه الحملة", "الحملة السابقة", true);
    chart_t *c2 = assess_radar_chart(ar, v, NULL, 2, "هذه الحملة", "الحملة السابقة", true);
    chart_t *c3 = chart_new(100, 1000); /* taller than a page: scaled down */
    chart_rect(c3, 0, 0, 100, 1000, 0x000000, 1, CHART_NONE, 0);
    chart_text(c3, 50, 500, "Haut", 10, 0, CHART_MIDDLE, true);
    doc_opts_t o = {.lang = "ar", .title = "رسوم", .header = "رسوم", .footer = "تذييل"};
    doc_t *d = doc_new(&o);
    doc_heading(d, 1, "الرادار");
    doc_chart(d, c1, 150);
    doc_chart(d, c2, 400);
    doc_chart(d, c3, 50);
    const char *path = render_to(d, "charts-ar");
    assert_int_equal(pdf_pages(path), doc_page_count(d));
    char *t = pdf_text(path, "", 0, 0);
    assert_contains(t, "القيادة والتدبير");
    assert_contains(t, "الحملة السابقة");
    assert_contains(t, "Haut");
    free(t);
    doc_free(d);
    chart_free(c1);
    chart_free(c2);
    chart_free(c3);
}

static void test_contents_over_several_pages(void **state)
{
    (void)state;
    doc_opts_t o = {.lang = "fr", .title = "Sommaire long", .toc_title = "Sommaire", .header = "En-tête"};
    doc_t *d = doc_new(&o);
    for (int i = 1; i <= 130; i++) {
        char h[64];
        snprintf(h, sizeof h, "Intitulé numéro %d", i);
        doc_heading(d, i % 10 == 1 ? 1 : 2, h);
        doc_paragraph(d, "Un court paragraphe sous le titre.");
    }
    const char *path = render_to(d, "contents");
    int pages = doc_page_count(d);
    assert_int_equal(pdf_pages(path), pages);
    /* no cover: the contents start on page 1 and take several pages */
    char *toc = pdf_text(path, "-layout", 1, 3);
    assert_contains(toc, "Sommaire");
    int n = toc_number(toc, "Intitulé numéro 99 ");
    assert_true(n > 3);
    int body = page_of(path, "Un court paragraphe", 0, pages);
    assert_true(body > 3);
    assert_int_equal(page_of(path, "Intitulé numéro 99\n", body - 1, pages), n);
    free(toc);
    doc_free(d);
}

static int group_setup(void **state)
{
    (void)state;
    return system("mkdir -p " OUT_DIR) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chart_svg_is_accessible_escaped_and_visual),
        cmocka_unit_test(test_radar_chart_matches_the_svg_geometry),
        cmocka_unit_test(test_french_document_reads_back),
        cmocka_unit_test(test_arabic_document_reads_back_in_logical_order),
        cmocka_unit_test(test_hostile_text_renders_literally),
        cmocka_unit_test(test_empty_documents),
        cmocka_unit_test(test_tables_cross_pages_with_their_head),
        cmocka_unit_test(test_thirty_pages_render),
        cmocka_unit_test(test_documents_render_from_several_threads),
        cmocka_unit_test(test_charts_in_documents_both_directions),
        cmocka_unit_test(test_contents_over_several_pages),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
