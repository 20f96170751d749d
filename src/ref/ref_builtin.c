/* ref_builtin.c - the référentiels shipped with the program, present right
 * after `jouda init`: Jouda EPS-Enfance (child-protection establishments),
 * Jouda Mère-Enfant (mother-and-child programmes) and the Quality4Children
 * standards the first one is mapped to. Their documents live in
 * data/referentiels/ and are built into the binary; the start hook adds each
 * one, published and owned by the platform, when no référentiel of its code
 * exists yet (so an administrator's later versions are never touched). */
#include "ref_internal.h"

#include <string.h>

#include "../nodes/nodes.h"

/* Where the documents are, relative to the build's directory (the Makefile
 * may point elsewhere for tests of the loader). */
#ifndef REF_DATA_DIR
#define REF_DATA_DIR "data/referentiels"
#endif

#define BUILTIN(sym, file)                                                                         \
    __asm__(".section .rodata\n"                                                                   \
            ".global " #sym "\n"                                                                   \
            ".global " #sym "_end\n" #sym ":\n"                                                    \
            ".incbin \"" file "\"\n" #sym "_end:\n"                                                \
            ".byte 0\n"                                                                            \
            ".previous\n");                                                                        \
    extern const char sym[], sym##_end[];

BUILTIN(jouda_ref_q4c, REF_DATA_DIR "/q4c.json")
BUILTIN(jouda_ref_enfance, REF_DATA_DIR "/jouda-eps-enfance.json")
BUILTIN(jouda_ref_mere, REF_DATA_DIR "/jouda-mere-enfant.json")

typedef struct {
    const char *code;
    const char *data, *end;
} builtin_t;

/* Q4C first: the others' crosswalk points to it. */
static const builtin_t builtins[] = {
    {"Q4C", jouda_ref_q4c, jouda_ref_q4c_end},
    {"JOUDA-EPS-ENFANCE", jouda_ref_enfance, jouda_ref_enfance_end},
    {"JOUDA-MERE-ENFANT", jouda_ref_mere, jouda_ref_mere_end},
};

size_t ref_builtin_count(void)
{
    return ARRAY_LEN(builtins);
}

const char *ref_builtin_data(size_t i, size_t *len)
{
    *len = (size_t)(builtins[i].end - builtins[i].data);
    return builtins[i].data;
}

int ref_start(db_t *db)
{
    int64_t present = db_query_int(
        db, "SELECT COUNT(DISTINCT code) FROM referentiels WHERE code IN (?, ?, ?)",
        PARAMS(P_TEXT(builtins[0].code), P_TEXT(builtins[1].code), P_TEXT(builtins[2].code)), -1);
    if (present < 0)
        return DB_ERR;
    if (present == (int64_t)ARRAY_LEN(builtins))
        return DB_OK;
    int64_t root = nodes_root_id(db);
    char *root_path = root > 0 ? app_node_path(db, root) : NULL;
    if (!root_path)
        return DB_ERR;
    int rc = DB_OK;
    for (size_t i = 0; i < ARRAY_LEN(builtins) && rc == DB_OK; i++) {
        if (db_query_int(db, "SELECT COUNT(*) FROM referentiels WHERE code = ?",
                         PARAMS(P_TEXT(builtins[i].code)), -1) != 0)
            continue;
        arena_t *a = arena_new();
        json_error_t jerr;
        size_t len = (size_t)(builtins[i].end - builtins[i].data);
        json_t *j = json_loadb(builtins[i].data, len, JSON_REJECT_DUPLICATES, &jerr);
        ref_doc_t doc;
        ref_problems_t problems = {0};
        if (!j || !ref_doc_from_json(a, j, &doc, &problems)) {
            log_error("built-in référentiel %s is not valid (%s)", builtins[i].code,
                      j ? (problems.n ? problems.v[0].msgid : "?") : jerr.text);
            rc = DB_ERR;
        } else {
            int64_t id = 0;
            res_t res = ref_store_doc(db, a, root, root_path, 0, NULL, &doc, REF_PUBLISHED, &id);
            if (res != RES_OK && res != RES_CONFLICT)
                rc = DB_ERR;
        }
        json_decref(j);
        arena_free(a);
    }
    free(root_path);
    return rc;
}
