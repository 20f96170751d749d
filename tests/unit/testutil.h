/* testutil.h - what every unit test includes: cmocka and the test helpers. */
#ifndef JOUDA_TESTUTIL_H
#define JOUDA_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

/* PostgreSQL URL for tests that run on both engines; NULL skips them. */
static inline const char *test_pg_url(void)
{
    const char *u = getenv("JOUDA_TEST_PG_URL");
    return u && *u ? u : NULL;
}

#endif
