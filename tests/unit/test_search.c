/* test_search.c - the one search: the words of a text (what is indexed,
 * asked and highlighted: French accents, Arabic with and without harakat and
 * tatweel, letter variants, Markdown marks and link targets, invalid UTF-8),
 * the query texts handed to FTS5 and to PostgreSQL (quoting), snippets (the
 * window, the marked words as written, Markdown left out), and the index on
 * SQLite and PostgreSQL: the same item found whatever the spelling, only
 * what the reader may read (everyone, scope, below), counts, ranking. */
#include "testutil.h"

#include "core/core.h"
#include "core/fold.h"
#include "core/snippet.h"
#include "core/words.h"
#include "search/search_internal.h"

#include <string.h>

static void tokens(const char *in, bool md, const char *want)
{
    char *t = words_tokens(in, md, 0);
    assert_string_equal(t, want);
    assert_true(utf8_valid(t, strlen(t)));
    free(t);
}

static void test_tokens_french(void **state)
{
    tokens("", false, "");
    tokens(NULL, false, "");
    tokens("L'École maternelle", false, "l ecole maternelle");
    tokens("l’ÉCOLE « Aïn-Chock »", false, "l ecole ain chock");
    tokens("Œuvre, cœur; garçon!", false, "oeuvre coeur garcon");
    tokens("e\xcc\x81te\xcc\x81", false, "ete"); /* decomposed accents continue the word */
    tokens("3,5 % – 12€", false, "3 5 12");
    tokens("a_b c*d", false, "a b c d");
}

static void test_tokens_arabic(void **state)
{
    /* harakat, tatweel, alef forms, ta marbuta, alef maqsura */
    tokens("مَدْرَسَةٌ", false, "مدرسه");
    tokens("مـــدرسة", false, "مدرسه");
    tokens("أطفال إلى آمال", false, "اطفال الي امال");
    tokens("مصطفى", false, "مصطفي");
    /* Arabic punctuation separates words */
    tokens("الطفل،الأسرة؛المدرسة؟نعم", false, "الطفل طفل الاسره اسره المدرسه مدرسه نعم");
    /* the article: and, with, like, so, for the */
    tokens("والمدرسة بالأسرة للطفولة الم", false,
           "والمدرسه مدرسه بالاسره اسره للطفوله طفوله الم");
    tokens("وَحِمَايَة ولد", false, "وحمايه حمايه ولد");
    tokens("٣٠ طفلا", false, "30 طفلا");
    /* the same words whatever the spelling */
    char *a = words_tokens("التَّعَلُّمُ مَدْرَسَةُ الحَيَاةِ", false, 0);
    char *b = words_tokens("التعلم مدرسه الحياه", false, 0);
    assert_string_equal(a, b);
    free(a);
    free(b);
    /* mixed scripts */
    tokens("Projet مشروع 2026", false, "projet مشروع 2026");
}

static void test_tokens_markdown(void **state)
{
    tokens("## Titre\n\n- **gras** et _italique_\n> cité `code`", true,
           "titre gras et italique cite code");
    tokens("Voir [le guide](https://exemple.ma/guide_(v2)) et ![image](x.png)", true,
           "voir le guide et image");
    tokens("<https://jouda.ma/a> fin", true, "fin");
    /* not Markdown: the target's words are words */
    tokens("[le guide](https://x.ma)", false, "le guide https x ma");
    /* a parenthesis that is not a link's target */
    tokens("texte (entre parenthèses)", true, "texte entre parentheses");
}

static void test_tokens_invalid(void **state)
{
    tokens("ab\xff" "cd", false, "ab cd");
    tokens("\xc3", false, "");
    tokens("\xed\xa0\x80x", false, "x");   /* a surrogate */
    tokens("\xe2\x80\x8e\xd8\xa7", false, "ا"); /* a direction mark never begins a word */
    tokens("a\x01" "b\tc", false, "a b c");
    /* a word longer than WORDS_TOKEN_MAX is cut at a character boundary */
    char longw[300];
    memset(longw, 0, sizeof longw);
    for (int i = 0; i < 100; i++)
        memcpy(longw + 2 * i, "\xd8\xa8", 2); /* ب x 100 */
    char *t = words_tokens(longw, false, 0);
    assert_true(strlen(t) <= WORDS_TOKEN_MAX);
    assert_true(utf8_valid(t, strlen(t)));
    free(t);
}

static void test_query_words(void **state)
{
    char *buf;
    const char *w[TEXT_FOLD_MAX_WORDS];
    size_t n = words_query("  École   l'ÉCOLE  a ", &buf, w, TEXT_FOLD_MAX_WORDS);
    assert_int_equal(n, 1); /* "l" and "a" dropped, "ecole" once */
    assert_string_equal(w[0], "ecole");
    free(buf);
    n = words_query("Enfants familles plus process temps", &buf, w, TEXT_FOLD_MAX_WORDS);
    assert_int_equal(n, 5); /* plurals without their s, as prefixes */
    assert_string_equal(w[0], "enfant");
    assert_string_equal(w[1], "famille");
    assert_string_equal(w[2], "plus");
    assert_string_equal(w[3], "process");
    assert_string_equal(w[4], "temp");
    free(buf);
    n = words_query("و", &buf, w, TEXT_FOLD_MAX_WORDS);
    assert_int_equal(n, 0); /* one letter is no query, even alone */
    free(buf);
    n = words_query("", &buf, w, TEXT_FOLD_MAX_WORDS);
    assert_int_equal(n, 0);
    free(buf);
    n = words_query("a b c d e f g h i j k l m n", &buf, w, 3);
    assert_int_equal(n, 0); /* one-letter words only: no prefix scans */
    free(buf);
    n = words_query("a b c d e f g h", &buf, w, TEXT_FOLD_MAX_WORDS);
    assert_int_equal(n, 0);
    free(buf);
    n = words_query("a b enfance c ab", &buf, w, TEXT_FOLD_MAX_WORDS);
    assert_int_equal(n, 2); /* the one-letter words dropped, the others kept */
    assert_string_equal(w[0], "enfance");
    assert_string_equal(w[1], "ab");
    free(buf);
    n = words_query("مَدْرَسَة الأطفال", &buf, w, TEXT_FOLD_MAX_WORDS);
    assert_int_equal(n, 2);
    assert_string_equal(w[0], "مدرسه");
    assert_string_equal(w[1], "اطفال"); /* without its article */
    free(buf);
}

static void test_query_texts(void **state)
{
    const char *w[] = {"ecole", "it's", "a\\b", "\"x"};
    char *s = words_tsquery(w, 4);
    assert_string_equal(s, "'ecole':* & 'it''s':* & 'a\\\\b':* & '\"x':*");
    free(s);
    s = words_fts5_query(w, 4);
    assert_string_equal(s, "\"ecole\"* \"it's\"* \"a\\b\"* \"\"\"x\"*");
    free(s);
    s = words_tsquery(w, 0);
    assert_string_equal(s, "");
    free(s);
    s = words_tsvector("titre principal", "texte d'ici");
    assert_string_equal(s, "'titre':1A 'principal':2A 'texte':3 'd''ici':4");
    free(s);
    s = words_tsvector("", "");
    assert_string_equal(s, "");
    free(s);
}

/* The snippet with its hits between < and >. */
static char *marked(const char *text, bool md, const char *q, size_t window)
{
    char *buf;
    const char *w[TEXT_FOLD_MAX_WORDS];
    size_t n = words_query(q, &buf, w, TEXT_FOLD_MAX_WORDS);
    snippet_t s;
    snippet_make(text, text ? strlen(text) : 0, md, w, n, window, &s);
    free(buf);
    assert_true(utf8_valid(s.text, s.len));
    buf_t b;
    buf_init(&b);
    size_t covered = 0;
    for (size_t i = 0; i < s.n_segs; i++) {
        assert_int_equal(s.segs[i].off, covered);
        covered += s.segs[i].len;
        if (s.segs[i].hit)
            buf_putc(&b, '<');
        buf_append(&b, s.text + s.segs[i].off, s.segs[i].len);
        if (s.segs[i].hit)
            buf_putc(&b, '>');
        if (i > 0)
            assert_false(!s.segs[i].hit && !s.segs[i - 1].hit);
    }
    assert_int_equal(covered, s.len);
    snippet_free(&s);
    return buf_detach(&b);
}

static void snip(const char *text, bool md, const char *q, size_t window, const char *want)
{
    char *got = marked(text, md, q, window);
    assert_string_equal(got, want);
    free(got);
}

static void test_snippet_french(void **state)
{
    snip("L'école maternelle Aïn Chock", false, "ECOLE ain", 0,
         "L'<école> maternelle <Aïn> Chock");
    snip("Les Écoliers et l'ÉCOLE", false, "ecol", 0, "Les <Écoliers> et l'<ÉCOLE>");
    snip("un enfant, des enfants", false, "enfants", 0, "un <enfant>, des <enfants>");
    snip("", false, "x", 30, "");
    snip(NULL, false, "x", 30, "");
    snip("rien ici", false, "absent", 30, "rien ici");
}

static void test_snippet_arabic(void **state)
{
    const char *text = "تَعَلَّمَ الأَطْفَالُ فِي المَدْرَسَةِ إلى المساء";
    snip(text, false, "المدرسه", 0, "تَعَلَّمَ الأَطْفَالُ فِي <المَدْرَسَةِ> إلى المساء");
    snip(text, false, "الأطفال", 0, "تَعَلَّمَ <الأَطْفَالُ> فِي المَدْرَسَةِ إلى المساء");
    snip(text, false, "الى", 0, "تَعَلَّمَ الأَطْفَالُ فِي المَدْرَسَةِ <إلى> المساء");
    snip("مـــدرسة", false, "مدرسه", 0, "<مـــدرسة>");
    snip("مصطفى", false, "مصطفي", 0, "<مصطفى>");
    snip("Projet مشروع", false, "مشروع projet", 0, "<Projet> <مشروع>");
    snip("الطفل،الأسرة", false, "الاسره", 0, "الطفل،<الأسرة>");
    /* a word found without its article */
    snip("فِي المَدْرَسَةِ وَالأُسْرَة", false, "مدرسة اسرة", 0, "فِي <المَدْرَسَةِ> <وَالأُسْرَة>");
}

static void test_snippet_markdown(void **state)
{
    /* headings and quotes are marks at the start of a line only */
    snip("a > b\n> c # d\n# e", true, "zz", 0, "a > b c # d e");
    snip("voir <b>gras</b>", true, "gras", 0, "voir <b><gras></b>");
    snip("## Accueil\n\n- **Les familles** sont reçues\n- [Guide](http://x.ma/familles)", true,
         "familles", 0, "Accueil Les <familles> sont reçues Guide");
    snip("Un *mot* (voir [ici](u)).", true, "mot", 0, "Un <mot> (voir ici).");
    snip("tout_en_un", true, "en", 0, "tout <en> un");
}

static void test_snippet_window(void **state)
{
    snip("un deux trois quatre cinq six sept huit neuf dix onze douze", false, "sept", 4,
         "… cinq six <sept> huit …");
    snip("un deux trois quatre cinq six", false, "absent", 3, "un deux trois …");
    snip("un deux trois quatre cinq six", false, "un", 3, "<un> deux trois …");
    snip("un deux trois quatre cinq six", false, "six", 3, "… quatre cinq <six>");
    /* the window with the most different words wins over the first hit */
    snip("alpha x x x x x x x x x beta x gamma alpha x", false, "alpha beta gamma", 5,
         "… x <beta> x <gamma> <alpha> …");
    /* a very long word is cut */
    char longw[400];
    memset(longw, 'a', 399);
    longw[399] = '\0';
    char *got = marked(longw, false, "aaa", 0);
    assert_true(strlen(got) < 140);
    free(got);
}

static void test_snippet_invalid(void **state)
{
    snip("mot\xff\xfe" "suivant \x01 fin", false, "suivant", 0, "mot <suivant> fin");
    snip("\xc3\xa9t\xc3", false, "ete", 0, "ét");
    snip("\xc3\xa9t\xc3\xa9", false, "ete", 0, "<été>");
}

/* --- the index, on both engines ------------------------------------------- */

static int setup_sqlite(void **state)
{
    return test_db_setup(state, false, "search", TEST_MIG_OF(search_module));
}

static int setup_pg(void **state)
{
    return test_db_setup(state, true, "search", TEST_MIG_OF(search_module));
}

static int64_t now_plus(int64_t s)
{
    return now_utc() + s;
}

/* A reader holding role at the node of path. */
static req_t *reader(db_t *db, role_t role, node_kind_t kind, const char *path)
{
    req_t *r = test_req("GET", "/api/v1/search");
    r->db = db;
    app_user_t *u = arena_alloc(r->arena, sizeof *u);
    u->id = 7;
    u->name = "Reader";
    if (role != ROLE_NONE) {
        role_assignment_t *ra = arena_alloc(r->arena, sizeof *ra);
        ra->id = 1;
        ra->role = role;
        ra->node_kind = kind;
        ra->node_path = path;
        ra->node_id = 1;
        ra->expires_at = role == ROLE_INSPECTOR ? now_plus(3600) : 0;
        u->roles = ra;
        u->n_roles = 1;
    }
    r->user = u;
    return r;
}

static void put(db_t *db, const char *type, int64_t id, const char *lang, const char *path,
                perm_t perm, bool everyone, bool below, const char *title, const char *body)
{
    search_doc_t d = {.type = type,
                      .id = id,
                      .lang = lang,
                      .node_path = path,
                      .perm = perm,
                      .everyone = everyone,
                      .below = below,
                      .title = title,
                      .body = body,
                      .href = "/x"};
    assert_int_equal(search_put(db, &d), DB_OK);
}

/* Item ids found for q by the reader, ranked, as "type:id ..." */
static char *found(req_t *r, const char *qs, int64_t *total)
{
    test_req_query(r, qs);
    json_t *errors = json_object();
    search_query_t q;
    search_read(r, errors, &q);
    assert_int_equal(json_object_size(errors), 0);
    json_decref(errors);
    search_hit_t *hits;
    size_t n;
    json_t *counts;
    assert_int_equal(search_run(r, &q, 50, 0, &hits, &n, total, &counts), RES_OK);
    json_decref(counts);
    buf_t b;
    buf_init(&b);
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s%s:%lld", i ? " " : "", hits[i].type, (long long)hits[i].item_id);
    return buf_detach(&b);
}

static void expect(req_t *r, const char *qs, const char *want)
{
    int64_t total = -1;
    char *got = found(r, qs, &total);
    if (strcmp(got, want) != 0)
        fail_msg("%s: got \"%s\", want \"%s\"", qs, got, want);
    size_t words = *want ? 1 : 0;
    for (const char *p = want; *p; p++)
        words += *p == ' ';
    assert_int_equal(total, (int64_t)words);
    free(got);
}

static void index_cases(void **state)
{
    test_db_t *t = *state;
    db_t *db = test_db_or_skip(t);
    assert_int_equal(db_begin(db), DB_OK);
    /* everyone: a criterion in French and in Arabic */
    put(db, "criterion", 1, "fr", "/1/", PERM_QUALITY_READ, true, false,
        "1.1 L'accueil des enfants", "Les éléments d'évaluation de l'accueil.");
    put(db, "criterion", 1, "ar", "/1/", PERM_QUALITY_READ, true, false,
        "1.1 اسْتِقْبَالُ الأَطْفَالِ", "عناصر التقييم في المَدْرَسَةِ");
    /* a section of EPS 10 (association 4) and one of EPS 11 (association 5) */
    put(db, "section", 1001, "fr", "/1/4/10/", PERM_QUALITY_READ, false, true,
        "Valeurs de l'établissement", "Notre projet pour les familles d'Aïn Chock.");
    put(db, "section", 1101, "fr", "/1/5/11/", PERM_QUALITY_READ, false, true,
        "Valeurs", "Le projet secret des familles de Tanger.");
    /* a document of association 4, read by its EPS's staff too */
    put(db, "document", 7, "fr", "/1/4/", PERM_ATTACH_READ, false, true,
        "Procédure de protection", "Procédure pour les familles.");
    /* a title hit and a body hit */
    put(db, "sheet", 20, "fr", "/1/", PERM_QUALITY_READ, true, false, "Jardin partagé",
        "Un potager avec les enfants.");
    put(db, "sheet", 21, "fr", "/1/", PERM_QUALITY_READ, true, false, "Potager",
        "Un jardin avec les enfants, jardin ouvert.");
    assert_int_equal(db_commit(db), DB_OK);

    req_t *nobody = reader(db, ROLE_NONE, NODE_ROOT, NULL);
    /* with and without accents, case, diacritics and letter variants */
    expect(nobody, "q=accueil", "criterion:1");
    expect(nobody, "q=ACCUEÏL", "criterion:1");
    expect(nobody, "q=%D8%A7%D9%84%D8%A7%D8%B7%D9%81%D8%A7%D9%84", "criterion:1"); /* الاطفال */
    expect(nobody, "q=%D8%A7%D9%84%D8%A3%D8%B7%D9%81%D8%A7%D9%84", "criterion:1"); /* الأطفال */
    expect(nobody, "q=%D9%85%D8%AF%D8%B1%D8%B3%D9%87", "criterion:1");             /* مدرسه */
    expect(nobody, "q=%D9%85%D8%AF%D8%B1%D8%B3%D8%A9", "criterion:1");             /* مدرسة */
    /* every word must match; the last one (all) as a prefix */
    expect(nobody, "q=accueil+enf", "criterion:1");
    expect(nobody, "q=accueil+tanger", "");
    /* nobody sees sections and documents without a role */
    expect(nobody, "q=familles", "");
    /* a title hit ranks first */
    expect(nobody, "q=jardin", "sheet:20 sheet:21");
    expect(nobody, "q=potager", "sheet:21 sheet:20");
    expect(nobody, "q=jardin&type=criterion", "");

    /* the director of EPS 10 sees its sections, not EPS 11's */
    req_t *dir10 = reader(db, ROLE_DIRECTOR, NODE_EPS, "/1/4/10/");
    expect(dir10, "q=projet", "section:1001");
    expect(dir10, "q=secret", "");
    /* ... and the document of its association (below) */
    expect(dir10, "q=procedure", "document:7");
    /* the staff of a unit of EPS 10 reads the EPS's section (below) */
    req_t *unit = reader(db, ROLE_STAFF, NODE_UNIT, "/1/4/10/12/");
    expect(unit, "q=projet", "section:1001");
    /* an advisor of association 5 sees EPS 11's, not association 4's */
    req_t *adv5 = reader(db, ROLE_QUALITY_ADVISOR, NODE_ASSOCIATION, "/1/5/");
    expect(adv5, "q=projet", "section:1101");
    expect(adv5, "q=procedure", "");
    /* an admin at the root sees everything */
    req_t *admin = reader(db, ROLE_ADMIN, NODE_ROOT, "/1/");
    int64_t total;
    char *all = found(admin, "q=familles", &total);
    assert_int_equal(total, 3);
    free(all);
    /* an expired role counts for nothing */
    req_t *old = reader(db, ROLE_INSPECTOR, NODE_EPS, "/1/4/10/");
    old->user->roles[0].expires_at = now_utc() - 10;
    expect(old, "q=projet", "");

    /* replace and drop */
    put(db, "section", 1001, "fr", "/1/4/10/", PERM_QUALITY_READ, false, true, "Valeurs",
        "Texte nouveau.");
    expect(dir10, "q=projet", "");
    expect(dir10, "q=nouveau", "section:1001");
    assert_int_equal(search_drop(db, "criterion", 1), DB_OK);
    expect(nobody, "q=accueil", "");
    const char *keep[] = {"fr"};
    put(db, "sheet", 20, "ar", "/1/", PERM_QUALITY_READ, true, false, "حديقة", "");
    assert_int_equal(search_drop_other_langs(db, "sheet", 20, keep, 1), DB_OK);
    expect(nobody, "q=%D8%AD%D8%AF%D9%8A%D9%82%D9%87", ""); /* حديقه */
    assert_int_equal(search_drop_range(db, "section", 1000, 1099), DB_OK);
    expect(dir10, "q=nouveau", "");
    arena_t *a = arena_new();
    app_ids_t ids = {0};
    assert_int_equal(search_item_ids(db, a, "sheet", &ids), DB_OK);
    assert_int_equal(ids.n, 2);
    assert_int_equal(ids.v[0], 20);
    arena_free(a);

    test_req_free(nobody);
    test_req_free(dir10);
    test_req_free(unit);
    test_req_free(adv5);
    test_req_free(admin);
    test_req_free(old);
}

static void test_read_query(void **state)
{
    req_t *r = test_req("GET", "/search");
    json_t *errors = json_object();
    search_query_t q;
    test_req_query(r, "q=a");
    search_read(r, errors, &q);
    assert_int_equal(q.n_words, 0); /* too short */
    assert_false(q.empty);
    assert_int_equal(json_object_size(errors), 0);
    test_req_free(r);

    /* eight one-letter words: too short as well, no prefix scan */
    r = test_req("GET", "/search");
    test_req_query(r, "q=a%20b%20c%20d%20e%20f%20g%20h");
    search_read(r, errors, &q);
    assert_int_equal(q.n_words, 0);
    assert_false(q.empty);
    assert_int_equal(json_object_size(errors), 0);
    test_req_free(r);

    r = test_req("GET", "/search");
    test_req_query(r, "q=a%20accueil%20b");
    search_read(r, errors, &q);
    assert_int_equal(q.n_words, 1);
    assert_string_equal(q.words[0], "accueil");
    test_req_free(r);

    r = test_req("GET", "/search");
    char qs[400] = "q=";
    memset(qs + 2, 'a', 201);
    test_req_query(r, qs);
    search_read(r, errors, &q);
    assert_non_null(json_object_get(errors, "q"));
    json_object_clear(errors);
    test_req_free(r);

    r = test_req("GET", "/search");
    test_req_query(r, "q=%20&type=nothing");
    search_read(r, errors, &q);
    assert_true(q.empty);
    assert_non_null(json_object_get(errors, "type"));
    json_decref(errors);
    test_req_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tokens_french),
        cmocka_unit_test(test_tokens_arabic),
        cmocka_unit_test(test_tokens_markdown),
        cmocka_unit_test(test_tokens_invalid),
        cmocka_unit_test(test_query_words),
        cmocka_unit_test(test_query_texts),
        cmocka_unit_test(test_snippet_french),
        cmocka_unit_test(test_snippet_arabic),
        cmocka_unit_test(test_snippet_markdown),
        cmocka_unit_test(test_snippet_window),
        cmocka_unit_test(test_snippet_invalid),
        cmocka_unit_test(test_read_query),
        cmocka_unit_test_setup_teardown(index_cases, setup_sqlite, test_db_teardown),
        cmocka_unit_test_setup_teardown(index_cases, setup_pg, test_db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
