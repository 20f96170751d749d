/* doc_text.c - the text side of the document engine: the one lock and the
 * one pango font map (made once, kept for the life of the program), the
 * fonts named explicitly, user text cleaned into valid UTF-8 with styled
 * byte ranges (never pango markup), and text laid out by pango into boxes
 * whose lines are measured for pagination and drawn one by one. */
#include "doc_internal.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Noto Sans Arabic before Noto Naskh Arabic: poppler (pdftotext) cuts
 * Naskh's lam-alef into pieces on other lines, Noto Sans Arabic's it keeps
 * in place (see test_doc.c). */
#define FAMILY_LTR "Noto Sans,Noto Sans Arabic,Noto Naskh Arabic"
#define FAMILY_RTL "Noto Sans Arabic,Noto Sans,Noto Naskh Arabic"

#define LINE_PITCH_LTR 1.45 /* line height / font size */
#define LINE_PITCH_RTL 1.7

static pthread_mutex_t lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static PangoFontMap *font_map;
static PangoContext *contexts[2]; /* left to right, right to left */
static const char *mono_family = "DejaVu Sans Mono,monospace,Noto Sans Arabic";

void doc_lock(void)
{
    pthread_mutex_lock(&lock);
}

void doc_unlock(void)
{
    pthread_mutex_unlock(&lock);
}

/* Noto Sans Mono when it is installed, else DejaVu Sans Mono. */
static void pick_mono(void)
{
    PangoFontFamily **fams = NULL;
    int n = 0;
    pango_font_map_list_families(font_map, &fams, &n);
    for (int i = 0; i < n; i++)
        if (strcmp(pango_font_family_get_name(fams[i]), "Noto Sans Mono") == 0)
            mono_family = "Noto Sans Mono,DejaVu Sans Mono,Noto Sans Arabic";
    g_free(fams);
}

static PangoContext *context_new(bool rtl)
{
    PangoContext *c = pango_font_map_create_context(font_map);
    pango_cairo_context_set_resolution(c, 72); /* sizes in points = user units */
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    pango_cairo_context_set_font_options(c, fo);
    cairo_font_options_destroy(fo);
    pango_context_set_round_glyph_positions(c, FALSE);
    pango_context_set_base_dir(c, rtl ? PANGO_DIRECTION_RTL : PANGO_DIRECTION_LTR);
    pango_context_set_language(c, pango_language_from_string(rtl ? "ar" : "fr"));
    return c;
}

PangoContext *doc_context(bool rtl)
{
    if (!font_map) {
        static bool registered;
        if (!registered && atexit(doc_shutdown) == 0) /* leak checkers see nothing left */
            registered = true;
        font_map = pango_cairo_font_map_new();
        pick_mono();
    }
    if (!contexts[rtl])
        contexts[rtl] = context_new(rtl);
    return contexts[rtl];
}

void doc_shutdown(void)
{
    doc_lock();
    for (int i = 0; i < 2; i++) {
        if (contexts[i])
            g_object_unref(contexts[i]);
        contexts[i] = NULL;
    }
    if (font_map)
        g_object_unref(font_map);
    font_map = NULL;
    cairo_debug_reset_static_data();
    /* fontconfig comes with pango but is not linked directly: FcFini found at run time */
    void *fini = dlsym(RTLD_DEFAULT, "FcFini");
    if (fini)
        ((void (*)(void))fini)();
    doc_unlock();
}

PangoFontDescription *doc_font(bool rtl, font_kind_t kind, double size, bool bold)
{
    PangoFontDescription *fd = pango_font_description_new();
    pango_font_description_set_family(fd, kind == FONT_MONO ? mono_family : rtl ? FAMILY_RTL : FAMILY_LTR);
    pango_font_description_set_size(fd, (gint)(size * PANGO_SCALE + 0.5));
    pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    return fd;
}

/* --- cleaning ----------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t seq_len(const char *s, size_t n)
{
    unsigned char c = (unsigned char)s[0];
    size_t len = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (len == 0 || len > n || !utf8_valid(s, len))
        return 0;
    return len;
}

void doc_clean_append(buf_t *b, const char *s, size_t n, clean_mode_t mode)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t len = seq_len(s + i, n - i);
        if (len == 0) {
            buf_puts(b, "\xEF\xBF\xBD");
            i++;
            continue;
        }
        if (len > 1) {
            /* C1 controls (U+0080..U+009F) are dropped like C0 ones */
            if (!(len == 2 && c == 0xC2 && (unsigned char)s[i + 1] < 0xA0))
                buf_append(b, s + i, len);
            i += len;
            continue;
        }
        i++;
        if (c == '\r') {
            if (i < n && s[i] == '\n')
                continue; /* \r\n: one line break, the \n's */
            c = '\n';
        }
        if (c == '\n')
            buf_puts(b, mode == CLEAN_LINE ? " " : mode == CLEAN_PARA ? "\xE2\x80\xA8" : "\n");
        else if (c == '\t')
            buf_putc(b, mode == CLEAN_CODE ? '\t' : ' ');
        else if (c >= 0x20 && c != 0x7F)
            buf_putc(b, (char)c);
    }
}

char *doc_clean(const char *s, clean_mode_t mode)
{
    buf_t b;
    buf_init(&b);
    buf_puts(&b, "");
    if (s)
        doc_clean_append(&b, s, strlen(s), mode);
    return buf_detach(&b);
}

void rt_init(rt_builder_t *rb)
{
    memset(rb, 0, sizeof *rb);
    buf_init(&rb->b);
}

void rt_add(rt_builder_t *rb, const char *s, size_t n, unsigned style, clean_mode_t mode)
{
    size_t start = rb->b.len;
    if (s)
        doc_clean_append(&rb->b, s, n, mode);
    if (!style || rb->b.len == start)
        return;
    if (rb->n && rb->spans[rb->n - 1].end == start && rb->spans[rb->n - 1].style == style) {
        rb->spans[rb->n - 1].end = (unsigned)rb->b.len;
        return;
    }
    if (rb->n == rb->cap) {
        rb->cap = rb->cap ? rb->cap * 2 : 8;
        rb->spans = xrealloc(rb->spans, rb->cap * sizeof *rb->spans);
    }
    rb->spans[rb->n++] = (span_t){(unsigned)start, (unsigned)rb->b.len, style};
}

rtext_t rt_finish(rt_builder_t *rb, arena_t *a)
{
    rtext_t t = {0};
    t.len = (unsigned)rb->b.len;
    t.s = arena_strndup(a, rb->b.data ? rb->b.data : "", rb->b.len);
    if (rb->n) {
        span_t *sp = arena_alloc(a, rb->n * sizeof *sp);
        memcpy(sp, rb->spans, rb->n * sizeof *sp);
        t.spans = sp;
        t.n_spans = rb->n;
    }
    buf_free(&rb->b);
    free(rb->spans);
    rt_init(rb);
    return t;
}

rtext_t rt_plain(arena_t *a, const char *s, clean_mode_t mode)
{
    rt_builder_t rb;
    rt_init(&rb);
    rt_add(&rb, s, s ? strlen(s) : 0, 0, mode);
    return rt_finish(&rb, a);
}

static bool rtl_script(GUnicodeScript sc)
{
    return sc == G_UNICODE_SCRIPT_ARABIC || sc == G_UNICODE_SCRIPT_HEBREW || sc == G_UNICODE_SCRIPT_SYRIAC ||
           sc == G_UNICODE_SCRIPT_THAANA || sc == G_UNICODE_SCRIPT_NKO || sc == G_UNICODE_SCRIPT_SAMARITAN ||
           sc == G_UNICODE_SCRIPT_MANDAIC || sc == G_UNICODE_SCRIPT_ADLAM;
}

int doc_text_dir(const char *s, size_t n)
{
    const char *end = s + n;
    for (const char *p = s; p < end; p = g_utf8_next_char(p)) {
        gunichar cp = g_utf8_get_char(p);
        if (!g_unichar_isalpha(cp))
            continue;
        return rtl_script(g_unichar_get_script(cp)) ? 1 : -1;
    }
    return 0;
}

/* --- text boxes -------------------------------------------------------------------- */

static PangoAttrList *attrs_of(const rtext_t *t, double size)
{
    PangoAttrList *al = pango_attr_list_new();
    for (unsigned i = 0; i < t->n_spans; i++) {
        const span_t *sp = &t->spans[i];
        PangoAttribute *at[8];
        int k = 0;
        if (sp->style & ST_B)
            at[k++] = pango_attr_weight_new(PANGO_WEIGHT_BOLD);
        if (sp->style & ST_I)
            at[k++] = pango_attr_style_new(PANGO_STYLE_ITALIC);
        if (sp->style & ST_CODE) {
            at[k++] = pango_attr_family_new(mono_family);
            at[k++] = pango_attr_size_new((int)(size * 0.9 * PANGO_SCALE));
            at[k++] = pango_attr_background_new(0xEEEE, 0xEFEF, 0xF2F2);
        }
        if (sp->style & ST_DEL)
            at[k++] = pango_attr_strikethrough_new(TRUE);
        if (sp->style & ST_LINK) {
            at[k++] = pango_attr_foreground_new(0x1D1D, 0x4E4E, 0xD8D8);
            at[k++] = pango_attr_underline_new(PANGO_UNDERLINE_SINGLE);
        }
        for (int j = 0; j < k; j++) {
            at[j]->start_index = sp->start;
            at[j]->end_index = sp->end;
            pango_attr_list_insert(al, at[j]);
        }
    }
    return al;
}

/* Pango swaps left and right alignment on lines whose direction differs
 * from the context's; the alignment asked for is visual, so it is swapped
 * back for text running against the document. */
static PangoAlignment alignment(bool rtl, const rtext_t *t, const tstyle_t *st)
{
    if (st->align == AL_CENTER)
        return PANGO_ALIGN_CENTER;
    bool right = (st->align == AL_START) == rtl;
    if (st->code)
        return right ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT;
    int dir = doc_text_dir(t->s, t->len);
    if (dir != 0 && (dir > 0) != rtl)
        right = !right;
    return right ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT;
}

static void measure(tbox_t *tb, arena_t *a)
{
    int n = pango_layout_get_line_count(tb->lay);
    tb->n = n;
    tb->line = arena_alloc(a, (size_t)n * sizeof *tb->line);
    double *v = arena_alloc(a, (size_t)n * 5 * sizeof *v);
    tb->top = v, tb->bot = v + n, tb->base = v + 2 * n, tb->x = v + 3 * n, tb->w = v + 4 * n;
    PangoLayoutIter *it = pango_layout_get_iter(tb->lay);
    int i = 0;
    do {
        int y0, y1;
        PangoRectangle logical;
        pango_layout_iter_get_line_yrange(it, &y0, &y1);
        pango_layout_iter_get_line_extents(it, NULL, &logical);
        tb->line[i] = pango_layout_iter_get_line_readonly(it);
        tb->top[i] = (double)y0 / PANGO_SCALE;
        tb->bot[i] = (double)y1 / PANGO_SCALE;
        tb->base[i] = (double)pango_layout_iter_get_baseline(it) / PANGO_SCALE;
        tb->x[i] = (double)logical.x / PANGO_SCALE;
        tb->w[i] = (double)logical.width / PANGO_SCALE;
        i++;
    } while (i < n && pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
    tb->n = i;
    tb->height = i ? tb->bot[i - 1] - tb->top[0] : 0;
}

void tbox_make(tbox_t *tb, arena_t *a, bool rtl, const rtext_t *t, const tstyle_t *st, double width)
{
    memset(tb, 0, sizeof *tb);
    if (!(width >= 4))
        width = 4; /* a narrow column still lays out, a character a line */
    tb->width = width;
    PangoLayout *lay = pango_layout_new(doc_context(st->code ? false : rtl));
    PangoFontDescription *fd = doc_font(rtl, st->font, st->size, st->bold);
    pango_layout_set_font_description(lay, fd);
    pango_font_description_free(fd);
    pango_layout_set_auto_dir(lay, !st->code);
    pango_layout_set_width(lay, (int)(width * PANGO_SCALE));
    pango_layout_set_wrap(lay, PANGO_WRAP_WORD_CHAR);
    if (st->ellipsize)
        pango_layout_set_ellipsize(lay, PANGO_ELLIPSIZE_END); /* logical end */
    pango_layout_set_alignment(lay, alignment(rtl, t, st));
    pango_layout_set_text(lay, t->s, (int)t->len);
    PangoAttrList *al = attrs_of(t, st->size);
    /* the same pitch for every line whatever its script (Arabic fonts are
     * taller): Latin lines a little more open, Arabic ones a little closer */
    double pitch = st->size * (rtl ? LINE_PITCH_RTL : LINE_PITCH_LTR);
    pango_attr_list_insert_before(al, pango_attr_line_height_new_absolute((int)(pitch * PANGO_SCALE)));
    /* a word cut to fit (a long code, an address) takes no hyphen that is not in it */
    pango_attr_list_insert_before(al, pango_attr_insert_hyphens_new(FALSE));
    pango_layout_set_attributes(lay, al);
    pango_attr_list_unref(al);
    tb->lay = lay;
    measure(tb, a);
}

void tbox_draw(cairo_t *cr, const tbox_t *tb, int from, int to, double x, double y)
{
    if (!tb->lay)
        return;
    double y0 = tb->top[from];
    for (int i = from; i < to && i < tb->n; i++) {
        cairo_move_to(cr, x + tb->x[i], y + tb->base[i] - y0);
        pango_cairo_show_layout_line(cr, tb->line[i]);
    }
}

void tbox_free(tbox_t *tb)
{
    if (tb->lay)
        g_object_unref(tb->lay);
    tb->lay = NULL;
}
