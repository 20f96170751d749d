/* test_tpl.c - the template engine: escaping, every kind of section value,
 * lookup rules, partials, layouts, translations, strict mode and syntax
 * errors with their line numbers. Expected outputs are written out in full. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "tpl/tpl.h"

static char g_err[512];

/* Fake translations: a few French strings, one with HTML characters. */
static const char *fake_gettext(void *ctx, const char *msgid)
{
    (void)ctx;
    if (strcmp(msgid, "Save") == 0)
        return "Enregistrer";
    if (strcmp(msgid, "Tom & Jerry") == 0)
        return "Tom <&> \"Jerry\" l'ami";
    if (strcmp(msgid, "role.director") == 0)
        return "Directeur <EPS>";
    return NULL; /* untranslated: the engine prints the msgid */
}

static const char *fake_ngettext(void *ctx, const char *one, const char *many, long n)
{
    (void)ctx;
    if (strcmp(one, "%d file") == 0 && strcmp(many, "%d files") == 0)
        return n > 1 ? "%d fichiers <b>" : "%d fichier";
    return NULL;
}

static const tpl_i18n_t fake = {fake_gettext, fake_ngettext, NULL};

static tpl_set_t *set_of(int strict, ...)
{
    tpl_set_t *s = tpl_set_new();
    tpl_set_strict(s, strict != 0);
    va_list ap;
    va_start(ap, strict);
    const char *name;
    while ((name = va_arg(ap, const char *)) != NULL) {
        const char *src = va_arg(ap, const char *);
        int rc = tpl_add(s, name, src, strlen(src), g_err, sizeof g_err);
        if (rc != 0)
            fail_msg("tpl_add %s: %s", name, g_err);
    }
    va_end(ap);
    return s;
}

/* Render name with the model given as JSON text; NULL on error (g_err). */
static char *render_i(tpl_set_t *s, const char *name, const char *layout, const char *model_json,
                      const tpl_i18n_t *i18n)
{
    json_error_t je;
    json_t *m = json_loads(model_json, 0, &je);
    if (!m)
        fail_msg("bad test model: %s", je.text);
    buf_t out;
    buf_init(&out);
    buf_puts(&out, "PRE:");
    int rc = tpl_render(s, name, layout, m, i18n, &out, g_err, sizeof g_err);
    json_decref(m);
    if (rc != 0) {
        /* a failed render leaves the buffer as it was */
        assert_string_equal(out.data, "PRE:");
        buf_free(&out);
        return NULL;
    }
    char *r = strdup(out.data + 4);
    buf_free(&out);
    return r;
}

static char *render(tpl_set_t *s, const char *name, const char *model_json)
{
    return render_i(s, name, NULL, model_json, &fake);
}

/* One template, render, compare, free. */
static void check(bool strict, const char *src, const char *model, const char *expect)
{
    tpl_set_t *s = set_of(strict, "t", src, NULL);
    char *r = render(s, "t", model);
    if (!r)
        fail_msg("render of '%s' failed: %s", src, g_err);
    assert_string_equal(r, expect);
    free(r);
    tpl_set_free(s);
}

/* One template whose render must fail with a message containing want. */
static void check_render_error(bool strict, const char *src, const char *model, const char *want)
{
    tpl_set_t *s = set_of(strict, "t", src, NULL);
    char *r = render(s, "t", model);
    if (r)
        fail_msg("render of '%s' should fail, gave '%s'", src, r);
    if (!strstr(g_err, want))
        fail_msg("error '%s' lacks '%s'", g_err, want);
    tpl_set_free(s);
}

static void check_syntax_error(const char *src, const char *want)
{
    tpl_set_t *s = tpl_set_new();
    g_err[0] = '\0';
    int rc = tpl_add(s, "pages/x", src, strlen(src), g_err, sizeof g_err);
    if (rc == 0)
        fail_msg("'%s' should not parse", src);
    if (!strstr(g_err, want))
        fail_msg("error '%s' lacks '%s'", g_err, want);
    assert_non_null(strstr(g_err, "pages/x"));
    assert_false(tpl_exists(s, "pages/x"));
    tpl_set_free(s);
}

static void test_escape(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b);
    tpl_escape(&b, "a&b<c>d\"e'f", 11);
    assert_string_equal(b.data, "a&amp;b&lt;c&gt;d&quot;e&#39;f");
    buf_reset(&b);
    tpl_escape(&b, "<<", 1); /* honours len */
    assert_string_equal(b.data, "&lt;");
    buf_free(&b);
    check(true, "<p title=\"{{s}}\">{{s}}</p>", "{\"s\":\"&<>\\\"' ok\"}",
          "<p title=\"&amp;&lt;&gt;&quot;&#39; ok\">&amp;&lt;&gt;&quot;&#39; ok</p>");
    /* a script in the model stays text */
    check(true, "{{x}}", "{\"x\":\"<script>alert(1)</script>\"}",
          "&lt;script&gt;alert(1)&lt;/script&gt;");
    /* UTF-8 passes through */
    check(true, "{{x}}", "{\"x\":\"مؤسسة é\"}", "مؤسسة é");
}

static void test_translations_escaped(void **state)
{
    (void)state;
    check(true, "{{_ \"Save\"}}|{{_ \"Tom & Jerry\"}}|{{_ \"Not translated <x>\"}}", "{}",
          "Enregistrer|Tom &lt;&amp;&gt; &quot;Jerry&quot; l&#39;ami|Not translated &lt;x&gt;");
    check(true, "{{_ \"He said \\\"hi\\\" \\\\o/\"}}", "{}", "He said &quot;hi&quot; \\o/");
    /* without i18n the msgid is printed, escaped */
    tpl_set_t *s = set_of(true, "t", "{{_ \"Save & quit\"}}", NULL);
    char *r = render_i(s, "t", NULL, "{}", NULL);
    assert_non_null(r);
    assert_string_equal(r, "Save &amp; quit");
    free(r);
    tpl_set_free(s);
    /* _k: the model holds a code */
    check(true, "{{_k role}}|{{_k other}}|{{_k none}}", "{\"role\":\"role.director\",\"other\":\"x<y\",\"none\":null}",
          "Directeur &lt;EPS&gt;|x&lt;y|");
    check_render_error(true, "{{_k n}}", "{\"n\":3}", "not a msgid");
}

static void test_scalars(void **state)
{
    (void)state;
    check(true, "{{i}} {{neg}} {{r}} {{big}} [{{t}}{{f}}{{z}}]",
          "{\"i\":42,\"neg\":-7,\"r\":2.5,\"big\":9007199254740993,\"t\":true,\"f\":false,\"z\":null}",
          "42 -7 2.5 9007199254740993 []");
    check(true, "{{a}} {{b}} {{c}} {{d}}", "{\"a\":-9223372036854775808,\"b\":9223372036854775807,\"c\":0,\"d\":1e300}",
          "-9223372036854775808 9223372036854775807 0 1e+300");
    /* objects and arrays are not printable: error when strict, nothing otherwise */
    check_render_error(true, "{{o}}", "{\"o\":{\"a\":1}}", "'o' is an object");
    check_render_error(true, "{{a}}", "{\"a\":[1]}", "'a' is an array");
    check(false, "[{{o}}{{a}}]", "{\"o\":{\"a\":1},\"a\":[1]}", "[]");
}

static void test_sections(void **state)
{
    (void)state;
    const char *model = "{\"arr\":[\"a\",\"<b>\",3],\"empty\":[],\"obj\":{\"k\":\"in\"},\"t\":true,\"f\":false,"
                        "\"z\":null,\"s\":\"x\",\"es\":\"\",\"one\":1,\"zero\":0,\"r0\":0.0,\"r\":0.5,"
                        "\"k\":\"out\",\"eo\":{}}";
    check(true, "{{#arr}}({{.}}){{/arr}}", model, "(a)(&lt;b&gt;)(3)");
    check(true, "{{#obj}}{{k}}{{/obj}}|{{k}}", model, "in|out");
    check(true, "{{#eo}}E{{k}}{{/eo}}", model, "Eout");
    check(true, "{{#t}}T{{/t}}{{#f}}F{{/f}}{{#z}}Z{{/z}}{{#s}}S{{k}}{{/s}}{{#es}}ES{{/es}}", model, "TSout");
    check(true, "{{#one}}1{{/one}}{{#zero}}0{{/zero}}{{#r}}R{{/r}}{{#r0}}R0{{/r0}}{{#empty}}E{{/empty}}",
          model, "1R");
    check(true,
          "{{^arr}}A{{/arr}}{{^empty}}E{{/empty}}{{^obj}}O{{/obj}}{{^t}}T{{/t}}{{^f}}F{{/f}}"
          "{{^z}}Z{{/z}}{{^s}}S{{/s}}{{^es}}ES{{/es}}{{^one}}1{{/one}}{{^zero}}0{{/zero}}",
          model, "EFZES0");
    /* {{.}} is the element; an array of objects pushes each */
    check(true, "{{#rows}}<li>{{name}}={{v}}</li>{{/rows}}",
          "{\"rows\":[{\"name\":\"a\",\"v\":1},{\"name\":\"b&\",\"v\":2}]}", "<li>a=1</li><li>b&amp;=2</li>");
}

static void test_nested_outer_lookup(void **state)
{
    (void)state;
    check(true, "{{#groups}}[{{title}}:{{#items}}{{name}}@{{title}}/{{lang}};{{/items}}]{{/groups}}",
          "{\"lang\":\"fr\",\"groups\":[{\"title\":\"G1\",\"items\":[{\"name\":\"x\"},{\"name\":\"y\",\"title\":\"own\"}]},"
          "{\"title\":\"G2\",\"items\":[]}]}",
          "[G1:x@G1/fr;y@own/fr;][G2:]");
    /* a name absent from the element is found in the outer contexts */
    check(true, "{{#a}}{{#b}}{{#c}}{{top}}{{/c}}{{/b}}{{/a}}",
          "{\"top\":\"T\",\"a\":{\"b\":[{\"c\":true},{\"c\":{\"z\":1}}]}}", "TT");
}

static void test_dotted_and_numeric(void **state)
{
    (void)state;
    const char *model = "{\"a\":{\"b\":{\"c\":\"deep\"}},\"list\":[{\"name\":\"first\"},{\"name\":\"second\"}],"
                        "\"errors\":{\"name\":\"Required\"},\"values\":{},\"nums\":[10,20]}";
    check(true, "{{a.b.c}}|{{list.1.name}}|{{nums.0}}|{{#list.0}}{{name}}{{/list.0}}", model,
          "deep|second|10|first");
    /* missing later segment: falsy, no error even in strict mode */
    check(true, "[{{errors.email}}{{values.email}}{{a.x.y}}{{list.9.name}}{{nums.x}}]"
                "{{#errors.email}}E{{/errors.email}}{{^errors.email}}ok{{/errors.email}}"
                "{{#errors.name}}<p>{{errors.name}}</p>{{/errors.name}}",
          model, "[]ok<p>Required</p>");
    /* dotted lookup starts where the first segment is found */
    check(true, "{{#list}}{{a.b.c}}{{/list}}", model, "deepdeep");
}

static void test_strict_undefined(void **state)
{
    (void)state;
    check_render_error(true, "ok\n{{x}}", "{}", "line 2: undefined name 'x'");
    check_render_error(true, "{{#missing}}{{/missing}}", "{}", "undefined name 'missing'");
    check_render_error(true, "{{^missing}}{{/missing}}", "{}", "undefined name 'missing'");
    check_render_error(true, "{{missing.b}}", "{\"a\":1}", "undefined name 'missing.b'");
    check_render_error(true, "{{#l}}{{nope}}{{/l}}", "{\"l\":[{\"a\":1}]}", "undefined name 'nope'");
    /* null is defined */
    check(true, "[{{z}}]{{^z}}none{{/z}}", "{\"z\":null}", "[]none");
    /* production: undefined prints nothing, sections skip */
    check(false, "[{{x}}{{x.y}}{{#x}}X{{/x}}{{^x}}notx{{/x}}]", "{}", "[notx]");
}

static void test_partials(void **state)
{
    (void)state;
    tpl_set_t *s = set_of(true, "page", "<ul>{{#items}}{{> partials/item}}{{/items}}</ul>", "partials/item",
                          "<li>{{name}}{{> partials/badge}}</li>", "partials/badge", "{{#hot}}!{{/hot}}",
                          "broken", "a{{> partials/nope}}b", NULL);
    assert_true(tpl_exists(s, "partials/item"));
    assert_false(tpl_exists(s, "partials/nope"));
    char *r = render(s, "page", "{\"hot\":false,\"items\":[{\"name\":\"a\"},{\"name\":\"b\",\"hot\":true}]}");
    assert_non_null(r);
    assert_string_equal(r, "<ul><li>a</li><li>b!</li></ul>");
    free(r);
    assert_null(render(s, "broken", "{}"));
    assert_non_null(strstr(g_err, "missing partial 'partials/nope'"));
    assert_non_null(strstr(g_err, "'broken' line 1"));
    assert_null(render(s, "no/such/page", "{}"));
    assert_non_null(strstr(g_err, "no/such/page"));
    tpl_set_free(s);
}

/* {{>* name}}: the template named by a model value (the sections of a page
 * that modules choose). A name that is missing, not a string or names no
 * template is an error in strict mode and outside it alike: a page never
 * loses a part silently. */
static void test_dynamic_partials(void **state)
{
    (void)state;
    for (int strict = 0; strict <= 1; strict++) {
        tpl_set_t *s = set_of(strict, "home", "<main>{{#sections}}{{>* partial}}{{/sections}}</main>",
                              "nodes/card", "<p>{{title}}: {{count}}</p>", "users/roles",
                              "<ul>{{#roles}}<li>{{.}}</li>{{/roles}}</ul>", "one", "[{{>*next}}]",
                              "two", "<{{ >*  inner.name }}>", "leaf", "{{v}}", "self", "{{>* me}}",
                              NULL);
        /* each item names its own template, rendered with the item as context */
        char *r = render(s, "home",
                         "{\"sections\":[{\"partial\":\"nodes/card\",\"title\":\"Dar <Amal>\",\"count\":3},"
                         "{\"partial\":\"users/roles\",\"roles\":[\"a&b\",\"c\"]},"
                         "{\"partial\":\"nodes/card\",\"title\":\"x\",\"count\":0}]}");
        if (!r)
            fail_msg("strict=%d: %s", strict, g_err);
        assert_string_equal(r, "<main><p>Dar &lt;Amal&gt;: 3</p><ul><li>a&amp;b</li><li>c</li></ul>"
                               "<p>x: 0</p></main>");
        free(r);
        /* the name is looked up like any other (outer contexts, dotted names,
         * spaces in the tag) */
        r = render(s, "one", "{\"next\":\"leaf\",\"v\":\"<1>\"}");
        assert_non_null(r);
        assert_string_equal(r, "[&lt;1&gt;]");
        free(r);
        r = render(s, "two", "{\"inner\":{\"name\":\"leaf\"},\"v\":2}");
        assert_non_null(r);
        assert_string_equal(r, "<2>");
        free(r);
        r = render(s, "home", "{\"partial\":\"leaf\",\"v\":\"outer\",\"sections\":[{}]}");
        assert_non_null(r);
        assert_string_equal(r, "<main>outer</main>");
        free(r);

        /* errors, in both modes */
        assert_null(render(s, "one", "{\"v\":1}")); /* the name is missing */
        assert_non_null(strstr(g_err, "next"));
        assert_non_null(strstr(g_err, "'one' line 1"));
        static const char *const not_names[] = {"{\"next\":null}", "{\"next\":3}", "{\"next\":true}",
                                                "{\"next\":[\"leaf\"]}", "{\"next\":{\"a\":1}}"};
        for (size_t i = 0; i < ARRAY_LEN(not_names); i++) {
            if (render(s, "one", not_names[i]))
                fail_msg("strict=%d: %s rendered", strict, not_names[i]);
            if (!strstr(g_err, "'next' does not name a template"))
                fail_msg("strict=%d: %s: %s", strict, not_names[i], g_err);
        }
        assert_null(render(s, "two", "{\"inner\":{}}")); /* a missing later segment */
        assert_non_null(strstr(g_err, "does not name a template"));
        assert_null(render(s, "one", "{\"next\":\"no/such\"}"));
        assert_non_null(strstr(g_err, "missing partial 'no/such'"));
        assert_null(render(s, "one", "{\"next\":\"\"}"));
        assert_non_null(strstr(g_err, "missing partial ''"));
        /* a name from the model cannot escape the set or loop for ever */
        assert_null(render(s, "one", "{\"next\":\"../leaf\"}"));
        assert_null(render(s, "self", "{\"me\":\"self\"}"));
        assert_non_null(strstr(g_err, "deeper than"));
        tpl_set_free(s);
    }
    /* a name is required, and it is a model name */
    check_syntax_error("a{{>*}}b", "missing name");
    check_syntax_error("a{{>*  }}b", "missing name");
    check_syntax_error("{{>* a b}}", "invalid name");
    check_syntax_error("{{>* .x}}", "invalid name");
    /* alone on its line, the tag goes with the line, as a partial's does */
    tpl_set_t *s = set_of(true, "list", "<ul>\n  {{>* p}}\n</ul>\n", "li", "<li>{{v}}</li>\n", NULL);
    char *r = render(s, "list", "{\"p\":\"li\",\"v\":\"x\"}");
    assert_non_null(r);
    assert_string_equal(r, "<ul>\n<li>x</li>\n</ul>\n");
    free(r);
    tpl_set_free(s);
}

static void test_recursion_limit(void **state)
{
    (void)state;
    tpl_set_t *s = set_of(false, "r", "x{{> r}}", "tree", "{{name}}{{#kids}}({{> tree}}){{/kids}}", NULL);
    assert_null(render(s, "r", "{}"));
    assert_non_null(strstr(g_err, "deeper than 32"));
    /* legitimate recursion (a tree) works */
    char *r = render(s, "tree", "{\"name\":\"root\",\"kids\":[{\"name\":\"a\",\"kids\":[{\"name\":\"b\",\"kids\":[]}]},"
                                "{\"name\":\"c\",\"kids\":[]}]}");
    assert_non_null(r);
    assert_string_equal(r, "root(a(b))(c)");
    free(r);
    /* a self-including template fanning out is stopped, not run for ever */
    tpl_set_t *s2 = set_of(false, "f", "{{> f}}{{> f}}", NULL);
    assert_null(render(s2, "f", "{}"));
    tpl_set_free(s2);
    tpl_set_free(s);
}

static void test_layout(void **state)
{
    (void)state;
    tpl_set_t *s = set_of(true, "layout",
                          "<html lang=\"{{lang}}\"><title>{{title}}</title><main>{{@content}}</main></html>", "page",
                          "<h1>{{title}}</h1><p>{{body}}</p>", NULL);
    char *r = render_i(s, "page", "layout", "{\"lang\":\"ar\",\"title\":\"A&B\",\"body\":\"<i>\"}", &fake);
    assert_non_null(r);
    /* the page is inserted as rendered: escaped once, not twice */
    assert_string_equal(r, "<html lang=\"ar\"><title>A&amp;B</title><main><h1>A&amp;B</h1><p>&lt;i&gt;</p></main></html>");
    free(r);
    /* an error in the page or a missing layout fails the whole render */
    assert_null(render_i(s, "page", "nolayout", "{\"lang\":\"ar\",\"title\":\"A\",\"body\":\"\"}", &fake));
    assert_null(render_i(s, "page", "layout", "{\"lang\":\"ar\",\"title\":\"A\"}", &fake));
    assert_non_null(strstr(g_err, "'body'"));
    tpl_set_free(s);
    check_render_error(true, "{{@content}}", "{}", "outside a layout");
}

static void test_plural(void **state)
{
    (void)state;
    const char *src = "{{_n n \"%d file\" \"%d files\"}}";
    check(true, src, "{\"n\":1}", "1 fichier");
    check(true, src, "{\"n\":0}", "0 fichier");
    check(true, src, "{\"n\":12}", "12 fichiers &lt;b&gt;");
    check(true, "{{#o}}{{_n o.count \"%d day\" \"%d days (%d)\"}}{{/o}}", "{\"o\":{\"count\":3}}",
          "3 days (3)");
    tpl_set_t *s = set_of(true, "t", "{{_n n \"one <x>\" \"%d many\"}}", NULL);
    char *r = render_i(s, "t", NULL, "{\"n\":1}", NULL);
    assert_string_equal(r, "one &lt;x&gt;");
    free(r);
    r = render_i(s, "t", NULL, "{\"n\":5}", NULL);
    assert_string_equal(r, "5 many");
    free(r);
    tpl_set_free(s);
    check_render_error(true, src, "{}", "undefined name 'n'");
    check_render_error(true, src, "{\"n\":\"3\"}", "not a number");
}

static void test_syntax_errors(void **state)
{
    (void)state;
    check_syntax_error("a\nb\n{{#sec}}\nx\n", "line 3: section {{#sec}} is never closed");
    check_syntax_error("{{#a}}\n{{#b}}\n{{/a}}", "line 3: {{/a}} does not close {{#b}}");
    check_syntax_error("x\n{{/a}}", "line 2: unexpected {{/a}}");
    check_syntax_error("\n\n\n{{&raw}}", "line 4: unknown tag form");
    check_syntax_error("{{{raw}}}", "line 1: unknown tag form");
    check_syntax_error("{{=<% %>=}}", "unknown tag form");
    check_syntax_error("{{}}", "unknown tag form");
    check_syntax_error("a\n{{_ \"never closed}}", "line 2: unterminated string");
    check_syntax_error("{{_ noquote}}", "expected a quoted string");
    check_syntax_error("{{_ \"\"}}", "empty msgid");
    check_syntax_error("{{_ \"a\" extra}}", "unexpected text");
    check_syntax_error("{{_n n \"one\"}}", "expected a quoted string");
    check_syntax_error("line1\n{{name", "line 2: unclosed tag");
    check_syntax_error("{{a..b}}", "invalid name");
    check_syntax_error("{{a b}}", "invalid name");
    check_syntax_error("{{#}}{{/}}", "missing name");
    check_syntax_error("{{@body}}", "unknown tag");
    check_syntax_error("{{> bad name}}", "invalid partial name");
    /* a valid set is kept when another template fails */
    tpl_set_t *s = set_of(true, "ok", "fine", NULL);
    assert_int_equal(tpl_add(s, "bad", "{{#x}}", 6, g_err, sizeof g_err), -1);
    assert_true(tpl_exists(s, "ok"));
    assert_false(tpl_exists(s, "bad"));
    tpl_set_free(s);
}

static void test_whitespace_and_standalone(void **state)
{
    (void)state;
    tpl_set_t *s = set_of(true, "t", "{{ name }}|{{# l }}{{ . }}{{/ l }}|{{_  \"Save\" }}|{{! a comment }}|{{>p}}|{{ >  p }}",
                          "p", "P", NULL);
    char *r = render(s, "t", "{\"name\":\"n\",\"l\":[1]}");
    assert_non_null(r);
    assert_string_equal(r, "n|1|Enregistrer||P|P");
    free(r);
    tpl_set_free(s);
}

static void test_standalone_lines(void **state)
{
    (void)state;
    tpl_set_t *s = set_of(true, "t", "<ul>\n  {{#l}}\n  <li>{{.}}</li>\n  {{/l}}\n  {{! note }}\n</ul>\n", NULL);
    char *r = render(s, "t", "{\"l\":[1,2]}");
    assert_string_equal(r, "<ul>\n  <li>1</li>\n  <li>2</li>\n</ul>\n");
    free(r);
    tpl_set_free(s);
    /* not alone on its line: kept as written */
    check(true, "a {{#t}}b{{/t}}\n", "{\"t\":true}", "a b\n");
    check(true, "{{#t}}\r\nx\r\n{{/t}}\r\n", "{\"t\":true}", "x\r\n");
}

/* Load a directory tree written here. */
static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_load_dir(void **state)
{
    (void)state;
    char dir[] = "/tmp/tpltestXXXXXX";
    assert_non_null(mkdtemp(dir));
    char p[512];
    snprintf(p, sizeof p, "%s/partials", dir);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/layout.html", dir);
    write_file(p, "[{{@content}}]");
    snprintf(p, sizeof p, "%s/partials/field.html", dir);
    write_file(p, "<i>{{v}}</i>");
    snprintf(p, sizeof p, "%s/page.html", dir);
    write_file(p, "{{> partials/field}}");
    snprintf(p, sizeof p, "%s/notes.txt", dir);
    write_file(p, "{{#broken");
    tpl_set_t *s = tpl_load_dir(dir, g_err, sizeof g_err);
    if (!s)
        fail_msg("load: %s", g_err);
    assert_true(tpl_exists(s, "layout"));
    assert_true(tpl_exists(s, "partials/field"));
    assert_true(tpl_exists(s, "page"));
    assert_false(tpl_exists(s, "notes"));
    tpl_set_strict(s, true);
    char *r = render_i(s, "page", "layout", "{\"v\":\"&\"}", NULL);
    assert_string_equal(r, "[<i>&amp;</i>]");
    free(r);
    tpl_set_free(s);
    /* a syntax error anywhere fails the load, naming the file and line */
    snprintf(p, sizeof p, "%s/partials/bad.html", dir);
    write_file(p, "ok\n{{#x}}\n");
    assert_null(tpl_load_dir(dir, g_err, sizeof g_err));
    assert_non_null(strstr(g_err, "'partials/bad' line 2"));
    assert_null(tpl_load_dir("/nonexistent/dir", g_err, sizeof g_err));
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_translations_escaped),
        cmocka_unit_test(test_scalars),
        cmocka_unit_test(test_sections),
        cmocka_unit_test(test_nested_outer_lookup),
        cmocka_unit_test(test_dotted_and_numeric),
        cmocka_unit_test(test_strict_undefined),
        cmocka_unit_test(test_partials),
        cmocka_unit_test(test_dynamic_partials),
        cmocka_unit_test(test_recursion_limit),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_plural),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_whitespace_and_standalone),
        cmocka_unit_test(test_standalone_lines),
        cmocka_unit_test(test_load_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
