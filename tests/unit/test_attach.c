/* test_attach.c - the attachments service: type detection from the first
 * bytes (never from the name or the type the browser claims), file name
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

static void test_sniff_zip_office_needs_extension(void **state)
{
    (void)state;
    const char zip[] = "PK\x03\x04\x14\0\x06\0\x08\0";
    size_t n = sizeof zip - 1;
    assert_string_equal(attach_sniff(zip, n, "plan.docx"),
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    assert_string_equal(attach_sniff(zip, n, "Budget.XLSX"),
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert_string_equal(attach_sniff(zip, n, "slides.pptx"),
                        "application/vnd.openxmlformats-officedocument.presentationml.presentation");
    assert_string_equal(attach_sniff(zip, n, "projet.odt"), "application/vnd.oasis.opendocument.text");
    assert_string_equal(attach_sniff(zip, n, "indicateurs.ods"),
                        "application/vnd.oasis.opendocument.spreadsheet");
    /* any other archive is refused */
    assert_null(attach_sniff(zip, n, "archive.zip"));
    assert_null(attach_sniff(zip, n, "app.jar"));
    assert_null(attach_sniff(zip, n, "noextension"));
    /* an office extension without the zip signature is refused */
    assert_null(attach_sniff(S("<html>"), "fake.docx"));
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
