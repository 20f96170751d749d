/* fuzz_kit.c - libFuzzer driver for the transfer kit's reader
 * (src/kit/kit_read.c). Any bytes are read as a kit from memory; a refusal
 * carries a code and a message; an accepted kit has its producer, items of
 * the layout's shapes with a JSON object each, files with data, a
 * signature flag consistent with its key. An accepted kit is written again
 * by kit_write (unsigned) from its items and read back: the same items,
 * documents and files. Any mismatch aborts. The seed corpus
 * (fuzz/corpus/kit) holds kits written by the writer. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "kit/kit_internal.h"

static void check_item(const kit_ritem_t *it)
{
    if (!kit_type_ok(it->type) || !kit_code_ok(it->code) || it->version < 1 || !it->title ||
        !it->lang || !json_is_object(it->doc) || !it->path)
        abort();
    for (size_t k = 0; k < it->n_files; k++)
        if (!kit_fname_ok(it->files[k].name) || (!it->files[k].data && it->files[k].len))
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena_t *a = arena_new();
    kit_read_t k;
    kit_error_t e;
    bool ok = kit_read(a, data, size, &k, &e);
    if (!ok) {
        if (!e.code || !e.msgid)
            abort();
        arena_free(a);
        return 0;
    }
    if (!k.producer || (k.signed_ok && (!k.has_sig || !k.has_key)) || !k.manifest)
        abort();
    app_kit_item_t *items = arena_alloc(a, (k.n_items + 1) * sizeof *items);
    for (size_t i = 0; i < k.n_items; i++) {
        check_item(&k.items[i]);
        app_kit_file_t *files = arena_alloc(a, (k.items[i].n_files + 1) * sizeof *files);
        for (size_t f = 0; f < k.items[i].n_files; f++)
            files[f] = (app_kit_file_t){k.items[i].files[f].name, k.items[i].files[f].data,
                                        k.items[i].files[f].len};
        items[i] = (app_kit_item_t){k.items[i].type, k.items[i].code, k.items[i].version,
                                    k.items[i].title, k.items[i].lang, k.items[i].doc, files,
                                    k.items[i].n_files};
    }
    void *zip = NULL;
    size_t len = 0;
    kit_error_t we;
    if (!kit_write(items, k.n_items, k.producer, 0, NULL, &zip, &len, &we))
        abort();
    kit_read_t k2;
    kit_error_t e2;
    if (!kit_read(a, zip, len, &k2, &e2) || k2.n_items != k.n_items)
        abort();
    for (size_t i = 0; i < k.n_items; i++) {
        if (!str_eq(k2.items[i].code, k.items[i].code) || k2.items[i].version != k.items[i].version ||
            !json_equal(k2.items[i].doc, k.items[i].doc) || k2.items[i].n_files != k.items[i].n_files)
            abort();
        for (size_t f = 0; f < k.items[i].n_files; f++)
            if (k2.items[i].files[f].len != k.items[i].files[f].len ||
                (k.items[i].files[f].len &&
                 memcmp(k2.items[i].files[f].data, k.items[i].files[f].data, k.items[i].files[f].len)))
                abort();
    }
    free(zip);
    arena_free(a);
    return 0;
}
