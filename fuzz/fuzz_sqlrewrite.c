/* fuzz_sqlrewrite.c - libFuzzer driver for the SQL scanning of the db module:
 * '?' -> $n rewrite, dialect words, trailing-text check and LIKE escaping. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *sql = xstrndup((const char *)data, size); /* stops at the first NUL */
    int n = -1;
    char *out = db_sql_rewrite(sql, &n);
    if (n < 0)
        abort();
    /* without any '?' the rewrite is the identity */
    if (!strchr(sql, '?') && strcmp(out, sql) != 0)
        abort();
    /* every placeholder becomes "$k": the output loses n '?' */
    size_t qin = 0, qout = 0;
    for (const char *p = sql; *p; p++)
        qin += *p == '?';
    for (const char *p = out; *p; p++)
        qout += *p == '?';
    if (qin - qout != (size_t)n)
        abort();
    free(out);

    free(db_dialect(DB_SQLITE, sql));
    free(db_dialect(DB_PG, sql));
    (void)db_sql_rest_is_empty(sql);

    /* LIKE escaping round-trips */
    char *esc = db_like_escape(sql);
    size_t j = 0;
    for (size_t i = 0; esc[i]; i++) {
        if (esc[i] == '\\')
            i++;
        if (esc[i] != sql[j++])
            abort();
    }
    if (sql[j] != '\0')
        abort();
    free(esc);
    free(sql);
    return 0;
}
