/* test_authz.c - the authorization matrix, scope decisions, who may grant
 * what where, and the codes. The expected values are written out here by hand
 * so that a mistake in authz.c cannot agree with itself. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "auth/authz.h"

#define NOW 1800000000LL
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Columns, in perm_t order:
 *   PUB AUTH ORD OMG URD UMG URP AUD ARD AWR QRD QWR PRD PWR */
typedef struct {
    role_t role;
    node_kind_t kind;
    int expect[PERM__COUNT];
} matrix_row_t;

static const matrix_row_t matrix[] = {
    /*                                    PUB AUTH ORD OMG URD UMG URP AUD ARD AWR QRD QWR PRD PWR */
    {ROLE_NONE, NODE_ROOT,               {1,  1,   0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0}},
    {ROLE_NONE, NODE_ASSOCIATION,        {1,  1,   0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0}},
    {ROLE_NONE, NODE_EPS,                {1,  1,   0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0}},
    {ROLE_NONE, NODE_UNIT,               {1,  1,   0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0}},

    {ROLE_ADMIN, NODE_ROOT,              {1,  1,   1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  0,  0}},
    {ROLE_ADMIN, NODE_ASSOCIATION,       {1,  1,   1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  0,  0}},
    {ROLE_ADMIN, NODE_EPS,               {1,  1,   0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0}},
    {ROLE_ADMIN, NODE_UNIT,              {1,  1,   0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0}},

    {ROLE_QUALITY_ADVISOR, NODE_ROOT,    {1,  1,   1,  0,  1,  0,  0,  0,  1,  0,  1,  1,  0,  0}},
    {ROLE_QUALITY_ADVISOR, NODE_ASSOCIATION, {1, 1, 1, 0,  1,  0,  0,  0,  1,  0,  1,  1,  0,  0}},
    {ROLE_QUALITY_ADVISOR, NODE_EPS,     {1,  1,   0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0}},
    {ROLE_QUALITY_ADVISOR, NODE_UNIT,    {1,  1,   0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0}},

    {ROLE_OBSERVER, NODE_ROOT,           {1,  1,   1,  0,  0,  0,  0,  0,  0,  0,  1,  0,  0,  0}},
    {ROLE_OBSERVER, NODE_ASSOCIATION,    {1,  1,   1,  0,  0,  0,  0,  0,  0,  0,  1,  0,  0,  0}},
    {ROLE_OBSERVER, NODE_EPS,            {1,  1,   0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0}},
    {ROLE_OBSERVER, NODE_UNIT,           {1,  1,   0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0}},

    {ROLE_DIRECTOR, NODE_ROOT,           {1,  1,   0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0}},
    {ROLE_DIRECTOR, NODE_ASSOCIATION,    {1,  1,   0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0}},
    {ROLE_DIRECTOR, NODE_EPS,            {1,  1,   1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  1}},
    {ROLE_DIRECTOR, NODE_UNIT,           {1,  1,   0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0}},

    {ROLE_QUALITY_REFERENT, NODE_ROOT,   {1,  1,   0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0}},
    {ROLE_QUALITY_REFERENT, NODE_ASSOCIATION, {1, 1, 0, 0, 0,  0,  0,  0,  0,  0,  0,  0,  0,  0}},
    {ROLE_QUALITY_REFERENT, NODE_EPS,    {1,  1,   1,  0,  1,  0,  0,  0,  1,  1,  1,  1,  0,  0}},
    {ROLE_QUALITY_REFERENT, NODE_UNIT,   {1,  1,   0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0}},

    {ROLE_STAFF, NODE_ROOT,              {1,  1,   0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0}},
    {ROLE_STAFF, NODE_ASSOCIATION,       {1,  1,   0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0}},
    {ROLE_STAFF, NODE_EPS,               {1,  1,   1,  0,  0,  0,  0,  0,  1,  1,  1,  1,  1,  1}},
    {ROLE_STAFF, NODE_UNIT,              {1,  1,   1,  0,  0,  0,  0,  0,  1,  1,  1,  1,  1,  1}},

    {ROLE_INSPECTOR, NODE_ROOT,          {1,  1,   1,  0,  0,  0,  0,  0,  0,  0,  1,  0,  0,  0}},
    {ROLE_INSPECTOR, NODE_ASSOCIATION,   {1,  1,   1,  0,  0,  0,  0,  0,  0,  0,  1,  0,  0,  0}},
    {ROLE_INSPECTOR, NODE_EPS,           {1,  1,   1,  0,  0,  0,  0,  0,  0,  0,  1,  0,  0,  0}},
    {ROLE_INSPECTOR, NODE_UNIT,          {1,  1,   1,  0,  0,  0,  0,  0,  0,  0,  1,  0,  0,  0}},
};

/* Where each role may be held at all:     ROOT ASSOC EPS UNIT */
static const struct {
    role_t role;
    int fits[4];
} fit_table[] = {
    {ROLE_NONE,             {0, 0, 0, 0}},
    {ROLE_ADMIN,            {1, 1, 0, 0}},
    {ROLE_QUALITY_ADVISOR,  {1, 1, 0, 0}},
    {ROLE_OBSERVER,         {1, 1, 0, 0}},
    {ROLE_DIRECTOR,         {0, 0, 1, 0}},
    {ROLE_QUALITY_REFERENT, {0, 0, 1, 0}},
    {ROLE_STAFF,            {0, 0, 1, 1}},
    {ROLE_INSPECTOR,        {1, 1, 1, 1}},
};

/* The test tree:
 *   root 1
 *     association A 10: EPS 11 (units 111, 112), EPS 12 (unit 121)
 *     association B 20: EPS 21 (unit 211) */
static const int64_t P_ROOT[] = {1};
static const int64_t P_A[] = {1, 10};
static const int64_t P_E11[] = {1, 10, 11};
static const int64_t P_U111[] = {1, 10, 11, 111};
static const int64_t P_U112[] = {1, 10, 11, 112};
static const int64_t P_E12[] = {1, 10, 12};
static const int64_t P_U121[] = {1, 10, 12, 121};
static const int64_t P_B[] = {1, 20};
static const int64_t P_E21[] = {1, 20, 21};
static const int64_t P_U211[] = {1, 20, 21, 211};

#define PATH(p) (p), (int)(sizeof(p) / sizeof((p)[0]))

static role_assignment_t ra(role_t r, int64_t node, node_kind_t k, int64_t exp)
{
    role_assignment_t a = {.role = r, .node_id = node, .node_kind = k, .expires_at = exp};
    return a;
}

/* ---------- matrix */

static void test_matrix_covers_every_pair(void **state)
{
    (void)state;
    /* every (role, kind) appears exactly once in the table */
    assert_int_equal(ARRAY_SIZE(matrix), ROLE__COUNT * 4);
    for (int r = 0; r < ROLE__COUNT; r++)
        for (int k = 0; k < 4; k++) {
            int seen = 0;
            for (size_t i = 0; i < ARRAY_SIZE(matrix); i++)
                if ((int)matrix[i].role == r && (int)matrix[i].kind == k)
                    seen++;
            assert_int_equal(seen, 1);
        }
}

static void test_matrix_exhaustive(void **state)
{
    (void)state;
    int checked = 0;
    for (size_t i = 0; i < ARRAY_SIZE(matrix); i++)
        for (int p = 0; p < PERM__COUNT; p++) {
            bool got = authz_role_grants(matrix[i].role, matrix[i].kind, (perm_t)p);
            if (got != (matrix[i].expect[p] != 0))
                fail_msg("role %s at %s, perm %s: got %d, expected %d",
                         role_code(matrix[i].role), node_kind_code(matrix[i].kind),
                         perm_code((perm_t)p), got, matrix[i].expect[p]);
            checked++;
        }
    assert_int_equal(checked, ROLE__COUNT * 4 * PERM__COUNT);
}

/* The decision agrees with the table for one assignment at the target node:
 * ALLOW where granted, 403 elsewhere (the node is in scope). */
static void test_decide_matches_matrix(void **state)
{
    (void)state;
    static const int64_t node_of_kind[4] = {1, 10, 11, 111};
    const int64_t *paths[4] = {P_ROOT, P_A, P_E11, P_U111};
    const int npaths[4] = {1, 2, 3, 4};
    for (size_t i = 0; i < ARRAY_SIZE(matrix); i++) {
        if (matrix[i].role == ROLE_NONE)
            continue;
        int k = (int)matrix[i].kind;
        role_assignment_t a = ra(matrix[i].role, node_of_kind[k], matrix[i].kind, 0);
        for (int p = 0; p < PERM__COUNT; p++) {
            authz_result_t want = matrix[i].expect[p] ? AUTHZ_ALLOW : AUTHZ_FORBIDDEN;
            authz_result_t got = authz_decide(&a, 1, (perm_t)p, paths[k], npaths[k], NOW);
            if (got != want)
                fail_msg("decide %s at %s, %s: got %d want %d", role_code(matrix[i].role),
                         node_kind_code(matrix[i].kind), perm_code((perm_t)p), got, want);
        }
    }
}

static void test_grants_rejects_out_of_range(void **state)
{
    (void)state;
    assert_false(authz_role_grants(ROLE_ADMIN, NODE_ROOT, PERM__COUNT));
    assert_false(authz_role_grants(ROLE_ADMIN, NODE_ROOT, (perm_t)-1));
    assert_false(authz_role_grants(ROLE__COUNT, NODE_ROOT, PERM_ORG_READ));
    assert_false(authz_role_grants((role_t)-3, NODE_ROOT, PERM_ORG_READ));
    assert_false(authz_role_grants(ROLE_ADMIN, (node_kind_t)4, PERM_ORG_READ));
    assert_false(authz_role_grants(ROLE_ADMIN, (node_kind_t)-1, PERM_ORG_READ));
}

/* ---------- scope */

static void test_scope_director(void **state)
{
    (void)state;
    role_assignment_t d = ra(ROLE_DIRECTOR, 11, NODE_EPS, 0);
    assert_int_equal(authz_decide(&d, 1, PERM_ORG_READ, PATH(P_E11), NOW), AUTHZ_ALLOW);
    assert_int_equal(authz_decide(&d, 1, PERM_PERSONAL_WRITE, PATH(P_U111), NOW), AUTHZ_ALLOW);
    assert_int_equal(authz_decide(&d, 1, PERM_USER_MANAGE, PATH(P_U112), NOW), AUTHZ_ALLOW);
    /* sibling EPS, its unit, the parent association, the root, another association */
    assert_int_equal(authz_decide(&d, 1, PERM_ORG_READ, PATH(P_E12), NOW), AUTHZ_NOT_FOUND);
    assert_int_equal(authz_decide(&d, 1, PERM_ORG_READ, PATH(P_U121), NOW), AUTHZ_NOT_FOUND);
    assert_int_equal(authz_decide(&d, 1, PERM_ORG_READ, PATH(P_A), NOW), AUTHZ_NOT_FOUND);
    assert_int_equal(authz_decide(&d, 1, PERM_ORG_READ, PATH(P_ROOT), NOW), AUTHZ_NOT_FOUND);
    assert_int_equal(authz_decide(&d, 1, PERM_ORG_READ, PATH(P_B), NOW), AUTHZ_NOT_FOUND);
    assert_int_equal(authz_decide(&d, 1, PERM_ORG_READ, PATH(P_E21), NOW), AUTHZ_NOT_FOUND);
    /* 404 comes before 403: out of scope even for a permission never given */
    assert_int_equal(authz_decide(&d, 1, PERM_ORG_MANAGE, PATH(P_U211), NOW), AUTHZ_NOT_FOUND);
}

static void test_scope_staff_at_unit(void **state)
{
    (void)state;
    role_assignment_t s = ra(ROLE_STAFF, 111, NODE_UNIT, 0);
    assert_int_equal(authz_decide(&s, 1, PERM_PERSONAL_READ, PATH(P_U111), NOW), AUTHZ_ALLOW);
    assert_int_equal(authz_decide(&s, 1, PERM_ORG_MANAGE, PATH(P_U111), NOW), AUTHZ_FORBIDDEN);
    /* its EPS is above it: not in scope */
    assert_int_equal(authz_decide(&s, 1, PERM_ORG_READ, PATH(P_E11), NOW), AUTHZ_NOT_FOUND);
    /* the sibling unit */
    assert_int_equal(authz_decide(&s, 1, PERM_ORG_READ, PATH(P_U112), NOW), AUTHZ_NOT_FOUND);
}

static void test_scope_association_admin(void **state)
{
    (void)state;
    role_assignment_t a = ra(ROLE_ADMIN, 10, NODE_ASSOCIATION, 0);
    for (int p = PERM_ORG_READ; p < PERM__COUNT; p++) {
        /* everything in its subtree but the persons' files (need to know) */
        authz_result_t in = p == PERM_PERSONAL_READ || p == PERM_PERSONAL_WRITE ? AUTHZ_FORBIDDEN
                                                                                : AUTHZ_ALLOW;
        assert_int_equal(authz_decide(&a, 1, (perm_t)p, PATH(P_A), NOW), in);
        assert_int_equal(authz_decide(&a, 1, (perm_t)p, PATH(P_E12), NOW), in);
        assert_int_equal(authz_decide(&a, 1, (perm_t)p, PATH(P_U121), NOW), in);
        assert_int_equal(authz_decide(&a, 1, (perm_t)p, PATH(P_B), NOW), AUTHZ_NOT_FOUND);
        assert_int_equal(authz_decide(&a, 1, (perm_t)p, PATH(P_E21), NOW), AUTHZ_NOT_FOUND);
        assert_int_equal(authz_decide(&a, 1, (perm_t)p, PATH(P_U211), NOW), AUTHZ_NOT_FOUND);
        assert_int_equal(authz_decide(&a, 1, (perm_t)p, PATH(P_ROOT), NOW), AUTHZ_NOT_FOUND);
    }
}

static void test_scope_root_admin(void **state)
{
    (void)state;
    role_assignment_t a = ra(ROLE_ADMIN, 1, NODE_ROOT, 0);
    const int64_t *paths[] = {P_ROOT, P_A, P_E11, P_U111, P_E12, P_U121, P_B, P_E21, P_U211};
    const int n[] = {1, 2, 3, 4, 3, 4, 2, 3, 4};
    for (size_t i = 0; i < ARRAY_SIZE(paths); i++)
        for (int p = 0; p < PERM__COUNT; p++)
            assert_int_equal(authz_decide(&a, 1, (perm_t)p, paths[i], n[i], NOW),
                             p == PERM_PERSONAL_READ || p == PERM_PERSONAL_WRITE ? AUTHZ_FORBIDDEN
                                                                                 : AUTHZ_ALLOW);
}

static void test_scope_advisor_never_personal(void **state)
{
    (void)state;
    role_assignment_t q = ra(ROLE_QUALITY_ADVISOR, 1, NODE_ROOT, 0);
    assert_int_equal(authz_decide(&q, 1, PERM_QUALITY_WRITE, PATH(P_U211), NOW), AUTHZ_ALLOW);
    assert_int_equal(authz_decide(&q, 1, PERM_PERSONAL_READ, PATH(P_U211), NOW), AUTHZ_FORBIDDEN);
    assert_int_equal(authz_decide(&q, 1, PERM_USER_MANAGE, PATH(P_E11), NOW), AUTHZ_FORBIDDEN);
    assert_int_equal(authz_decide(&q, 1, PERM_AUDIT_READ, PATH(P_E11), NOW), AUTHZ_FORBIDDEN);
    role_assignment_t o = ra(ROLE_OBSERVER, 20, NODE_ASSOCIATION, 0);
    assert_int_equal(authz_decide(&o, 1, PERM_QUALITY_READ, PATH(P_U211), NOW), AUTHZ_ALLOW);
    assert_int_equal(authz_decide(&o, 1, PERM_ATTACH_READ, PATH(P_U211), NOW), AUTHZ_FORBIDDEN);
    assert_int_equal(authz_decide(&o, 1, PERM_QUALITY_READ, PATH(P_E11), NOW), AUTHZ_NOT_FOUND);
}

static void test_scope_inspector_expiry(void **state)
{
    (void)state;
    role_assignment_t live = ra(ROLE_INSPECTOR, 11, NODE_EPS, NOW + 100);
    assert_int_equal(authz_decide(&live, 1, PERM_QUALITY_READ, PATH(P_U111), NOW), AUTHZ_ALLOW);
    assert_int_equal(authz_decide(&live, 1, PERM_QUALITY_WRITE, PATH(P_U111), NOW), AUTHZ_FORBIDDEN);
    assert_int_equal(authz_decide(&live, 1, PERM_PERSONAL_READ, PATH(P_U111), NOW), AUTHZ_FORBIDDEN);
    role_assignment_t expired = ra(ROLE_INSPECTOR, 11, NODE_EPS, NOW - 1);
    assert_int_equal(authz_decide(&expired, 1, PERM_QUALITY_READ, PATH(P_E11), NOW), AUTHZ_NOT_FOUND);
    assert_int_equal(authz_decide(&expired, 1, PERM_ORG_READ, PATH(P_U111), NOW), AUTHZ_NOT_FOUND);
    /* expires_at is the first second it no longer counts */
    role_assignment_t edge = ra(ROLE_INSPECTOR, 11, NODE_EPS, NOW);
    assert_int_equal(authz_decide(&edge, 1, PERM_QUALITY_READ, PATH(P_E11), NOW), AUTHZ_NOT_FOUND);
    assert_int_equal(authz_decide(&edge, 1, PERM_QUALITY_READ, PATH(P_E11), NOW - 1), AUTHZ_ALLOW);
    /* an expired admin role is nothing either */
    role_assignment_t old_admin = ra(ROLE_ADMIN, 1, NODE_ROOT, NOW - 3600);
    assert_int_equal(authz_decide(&old_admin, 1, PERM_ORG_READ, PATH(P_E11), NOW), AUTHZ_NOT_FOUND);
}

static void test_scope_two_roles(void **state)
{
    (void)state;
    /* staff at unit 111 and quality referent of EPS 12 */
    role_assignment_t two[2] = {ra(ROLE_STAFF, 111, NODE_UNIT, 0),
                                ra(ROLE_QUALITY_REFERENT, 12, NODE_EPS, 0)};
    /* in scope through the staff role, which does not give user.read: 403 */
    assert_int_equal(authz_decide(two, 2, PERM_USER_READ, PATH(P_U111), NOW), AUTHZ_FORBIDDEN);
    /* the referent role gives it in its own EPS */
    assert_int_equal(authz_decide(two, 2, PERM_USER_READ, PATH(P_U121), NOW), AUTHZ_ALLOW);
    /* attach.write: each role at its own place (staff keep their unit's documents) */
    assert_int_equal(authz_decide(two, 2, PERM_ATTACH_WRITE, PATH(P_U111), NOW), AUTHZ_ALLOW);
    assert_int_equal(authz_decide(two, 2, PERM_ATTACH_WRITE, PATH(P_U121), NOW), AUTHZ_ALLOW);
    /* staff role gives personal data at its unit; referent never */
    assert_int_equal(authz_decide(two, 2, PERM_PERSONAL_READ, PATH(P_U111), NOW), AUTHZ_ALLOW);
    assert_int_equal(authz_decide(two, 2, PERM_PERSONAL_READ, PATH(P_U121), NOW), AUTHZ_FORBIDDEN);
    /* the rest of the tree stays out of scope */
    assert_int_equal(authz_decide(two, 2, PERM_ORG_READ, PATH(P_E11), NOW), AUTHZ_NOT_FOUND);
    assert_int_equal(authz_decide(two, 2, PERM_ORG_READ, PATH(P_A), NOW), AUTHZ_NOT_FOUND);
    /* the order of assignments does not matter */
    role_assignment_t rev[2] = {two[1], two[0]};
    assert_int_equal(authz_decide(rev, 2, PERM_USER_READ, PATH(P_U111), NOW), AUTHZ_FORBIDDEN);
    assert_int_equal(authz_decide(rev, 2, PERM_USER_READ, PATH(P_U121), NOW), AUTHZ_ALLOW);
    /* an expired director role in EPS 11 next to live staff in EPS 12 */
    role_assignment_t mix[2] = {ra(ROLE_DIRECTOR, 11, NODE_EPS, NOW - 5),
                                ra(ROLE_STAFF, 12, NODE_EPS, 0)};
    assert_int_equal(authz_decide(mix, 2, PERM_ORG_READ, PATH(P_E11), NOW), AUTHZ_NOT_FOUND);
    assert_int_equal(authz_decide(mix, 2, PERM_ORG_READ, PATH(P_U121), NOW), AUTHZ_ALLOW);
    /* a director of EPS 11 who is also staff of unit 111: the director role decides */
    role_assignment_t both[2] = {ra(ROLE_STAFF, 111, NODE_UNIT, 0), ra(ROLE_DIRECTOR, 11, NODE_EPS, 0)};
    assert_int_equal(authz_decide(both, 2, PERM_USER_MANAGE, PATH(P_U111), NOW), AUTHZ_ALLOW);
}

static void test_scope_misfit_assignment(void **state)
{
    (void)state;
    /* a director role held at a unit should not exist; it gives nothing */
    role_assignment_t d = ra(ROLE_DIRECTOR, 111, NODE_UNIT, 0);
    assert_int_equal(authz_decide(&d, 1, PERM_ORG_READ, PATH(P_U111), NOW), AUTHZ_FORBIDDEN);
    /* an admin role held at an EPS gives nothing either */
    role_assignment_t a = ra(ROLE_ADMIN, 11, NODE_EPS, 0);
    assert_int_equal(authz_decide(&a, 1, PERM_ORG_MANAGE, PATH(P_U111), NOW), AUTHZ_FORBIDDEN);
}

static void test_decide_inputs(void **state)
{
    (void)state;
    role_assignment_t a = ra(ROLE_ADMIN, 1, NODE_ROOT, 0);
    assert_int_equal(authz_decide(&a, 1, PERM_ORG_READ, P_ROOT, 0, NOW), AUTHZ_NOT_FOUND);
    assert_int_equal(authz_decide(&a, 1, PERM_ORG_READ, P_ROOT, -1, NOW), AUTHZ_NOT_FOUND);
    assert_int_equal(authz_decide(&a, 1, PERM_ORG_READ, NULL, 3, NOW), AUTHZ_NOT_FOUND);
    assert_int_equal(authz_decide(NULL, 1, PERM_ORG_READ, PATH(P_ROOT), NOW), AUTHZ_NOT_FOUND);
    assert_int_equal(authz_decide(&a, 0, PERM_ORG_READ, PATH(P_ROOT), NOW), AUTHZ_NOT_FOUND);
    assert_int_equal(authz_decide(&a, -2, PERM_ORG_READ, PATH(P_ROOT), NOW), AUTHZ_NOT_FOUND);
    /* a permission out of range is never granted, even to the root admin */
    assert_int_equal(authz_decide(&a, 1, PERM__COUNT, PATH(P_E11), NOW), AUTHZ_FORBIDDEN);
    assert_int_equal(authz_decide(&a, 1, (perm_t)99, PATH(P_E11), NOW), AUTHZ_FORBIDDEN);
    /* an assignment with no valid role does not put a node in scope */
    role_assignment_t none = ra(ROLE_NONE, 11, NODE_EPS, 0);
    assert_int_equal(authz_decide(&none, 1, PERM_ORG_READ, PATH(P_E11), NOW), AUTHZ_NOT_FOUND);
    role_assignment_t bogus = ra((role_t)42, 11, NODE_EPS, 0);
    assert_int_equal(authz_decide(&bogus, 1, PERM_ORG_READ, PATH(P_E11), NOW), AUTHZ_NOT_FOUND);
}

static void test_everyone_perms(void **state)
{
    (void)state;
    /* a signed-in user without any role */
    assert_int_equal(authz_decide(NULL, 0, PERM_AUTHENTICATED, NULL, 0, NOW), AUTHZ_ALLOW);
    assert_int_equal(authz_decide(NULL, 0, PERM_PUBLIC, NULL, 0, NOW), AUTHZ_ALLOW);
    role_assignment_t expired = ra(ROLE_STAFF, 11, NODE_EPS, NOW - 10);
    assert_int_equal(authz_decide(&expired, 1, PERM_AUTHENTICATED, PATH(P_E21), NOW), AUTHZ_ALLOW);
    assert_int_equal(authz_decide(NULL, 0, PERM_ORG_READ, PATH(P_ROOT), NOW), AUTHZ_NOT_FOUND);
}

/* ---------- granting */

static void test_fits_table(void **state)
{
    (void)state;
    assert_int_equal(ARRAY_SIZE(fit_table), ROLE__COUNT);
    for (size_t i = 0; i < ARRAY_SIZE(fit_table); i++)
        for (int k = 0; k < 4; k++)
            if (authz_role_fits_node(fit_table[i].role, (node_kind_t)k) != (fit_table[i].fits[k] != 0))
                fail_msg("fit %s at %s", role_code(fit_table[i].role), node_kind_code((node_kind_t)k));
    assert_false(authz_role_fits_node(ROLE__COUNT, NODE_EPS));
    assert_false(authz_role_fits_node(ROLE_STAFF, (node_kind_t)7));
}

static void test_grant_director(void **state)
{
    (void)state;
    role_assignment_t d = ra(ROLE_DIRECTOR, 11, NODE_EPS, 0);
    assert_true(authz_can_grant(&d, 1, ROLE_STAFF, NODE_UNIT, PATH(P_U111), NOW));
    assert_true(authz_can_grant(&d, 1, ROLE_STAFF, NODE_EPS, PATH(P_E11), NOW));
    assert_true(authz_can_grant(&d, 1, ROLE_QUALITY_REFERENT, NODE_EPS, PATH(P_E11), NOW));
    /* a referent belongs at an EPS, not a unit */
    assert_false(authz_can_grant(&d, 1, ROLE_QUALITY_REFERENT, NODE_UNIT, PATH(P_U111), NOW));
    /* another EPS, its units, another association */
    assert_false(authz_can_grant(&d, 1, ROLE_STAFF, NODE_EPS, PATH(P_E12), NOW));
    assert_false(authz_can_grant(&d, 1, ROLE_STAFF, NODE_UNIT, PATH(P_U121), NOW));
    assert_false(authz_can_grant(&d, 1, ROLE_STAFF, NODE_UNIT, PATH(P_U211), NOW));
    /* no director, admin, advisor, observer or inspector from a director */
    assert_false(authz_can_grant(&d, 1, ROLE_DIRECTOR, NODE_EPS, PATH(P_E11), NOW));
    assert_false(authz_can_grant(&d, 1, ROLE_ADMIN, NODE_EPS, PATH(P_E11), NOW));
    assert_false(authz_can_grant(&d, 1, ROLE_QUALITY_ADVISOR, NODE_EPS, PATH(P_E11), NOW));
    assert_false(authz_can_grant(&d, 1, ROLE_OBSERVER, NODE_EPS, PATH(P_E11), NOW));
    assert_false(authz_can_grant(&d, 1, ROLE_INSPECTOR, NODE_EPS, PATH(P_E11), NOW));
    /* an expired director grants nothing */
    role_assignment_t old = ra(ROLE_DIRECTOR, 11, NODE_EPS, NOW - 1);
    assert_false(authz_can_grant(&old, 1, ROLE_STAFF, NODE_UNIT, PATH(P_U111), NOW));
}

static void test_grant_association_admin(void **state)
{
    (void)state;
    role_assignment_t a = ra(ROLE_ADMIN, 10, NODE_ASSOCIATION, 0);
    /* nothing at the root, nothing in the other association */
    assert_false(authz_can_grant(&a, 1, ROLE_ADMIN, NODE_ROOT, PATH(P_ROOT), NOW));
    assert_false(authz_can_grant(&a, 1, ROLE_OBSERVER, NODE_ROOT, PATH(P_ROOT), NOW));
    assert_false(authz_can_grant(&a, 1, ROLE_ADMIN, NODE_ASSOCIATION, PATH(P_B), NOW));
    assert_false(authz_can_grant(&a, 1, ROLE_DIRECTOR, NODE_EPS, PATH(P_E21), NOW));
    assert_false(authz_can_grant(&a, 1, ROLE_STAFF, NODE_UNIT, PATH(P_U211), NOW));
    /* its own association and below */
    assert_true(authz_can_grant(&a, 1, ROLE_ADMIN, NODE_ASSOCIATION, PATH(P_A), NOW));
    assert_true(authz_can_grant(&a, 1, ROLE_QUALITY_ADVISOR, NODE_ASSOCIATION, PATH(P_A), NOW));
    assert_true(authz_can_grant(&a, 1, ROLE_OBSERVER, NODE_ASSOCIATION, PATH(P_A), NOW));
    assert_true(authz_can_grant(&a, 1, ROLE_DIRECTOR, NODE_EPS, PATH(P_E12), NOW));
    assert_true(authz_can_grant(&a, 1, ROLE_QUALITY_REFERENT, NODE_EPS, PATH(P_E11), NOW));
    assert_true(authz_can_grant(&a, 1, ROLE_STAFF, NODE_UNIT, PATH(P_U121), NOW));
    assert_true(authz_can_grant(&a, 1, ROLE_INSPECTOR, NODE_UNIT, PATH(P_U111), NOW));
    /* still only where the role fits */
    assert_false(authz_can_grant(&a, 1, ROLE_ADMIN, NODE_EPS, PATH(P_E11), NOW));
    assert_false(authz_can_grant(&a, 1, ROLE_DIRECTOR, NODE_UNIT, PATH(P_U111), NOW));
    assert_false(authz_can_grant(&a, 1, ROLE_NONE, NODE_EPS, PATH(P_E11), NOW));
}

static void test_grant_root_admin(void **state)
{
    (void)state;
    role_assignment_t a = ra(ROLE_ADMIN, 1, NODE_ROOT, 0);
    const int64_t *paths[4] = {P_ROOT, P_B, P_E21, P_U211};
    const int n[4] = {1, 2, 3, 4};
    for (size_t i = 0; i < ARRAY_SIZE(fit_table); i++)
        for (int k = 0; k < 4; k++) {
            bool want = fit_table[i].fits[k] != 0;
            if (authz_can_grant(&a, 1, fit_table[i].role, (node_kind_t)k, paths[k], n[k], NOW) != want)
                fail_msg("root admin granting %s at %s", role_code(fit_table[i].role),
                         node_kind_code((node_kind_t)k));
        }
    /* an expired root admin grants nothing */
    role_assignment_t old = ra(ROLE_ADMIN, 1, NODE_ROOT, NOW - 1);
    assert_false(authz_can_grant(&old, 1, ROLE_STAFF, NODE_UNIT, PATH(P_U111), NOW));
}

static void test_grant_nobody_else(void **state)
{
    (void)state;
    role_assignment_t others[] = {
        ra(ROLE_QUALITY_REFERENT, 11, NODE_EPS, 0), ra(ROLE_STAFF, 11, NODE_EPS, 0),
        ra(ROLE_QUALITY_ADVISOR, 1, NODE_ROOT, 0),  ra(ROLE_OBSERVER, 1, NODE_ROOT, 0),
        ra(ROLE_INSPECTOR, 1, NODE_ROOT, 0),
        /* a misfit admin role at an EPS must not grant */
        ra(ROLE_ADMIN, 11, NODE_EPS, 0),
    };
    const int64_t *paths[4] = {P_ROOT, P_A, P_E11, P_U111};
    const int n[4] = {1, 2, 3, 4};
    for (size_t g = 0; g < ARRAY_SIZE(others); g++)
        for (int r = 0; r <= ROLE__COUNT; r++)
            for (int k = 0; k < 4; k++)
                if (authz_can_grant(&others[g], 1, (role_t)r, (node_kind_t)k, paths[k], n[k], NOW))
                    fail_msg("%s granted %s at %s", role_code(others[g].role), role_code((role_t)r),
                             node_kind_code((node_kind_t)k));
    /* all of them together still grant nothing */
    for (int r = 0; r <= ROLE__COUNT; r++)
        assert_false(authz_can_grant(others, (int)ARRAY_SIZE(others), (role_t)r, NODE_UNIT,
                                     PATH(P_U111), NOW));
    /* a user with a director role elsewhere and staff here cannot grant here */
    role_assignment_t mix[2] = {ra(ROLE_STAFF, 11, NODE_EPS, 0), ra(ROLE_DIRECTOR, 12, NODE_EPS, 0)};
    assert_false(authz_can_grant(mix, 2, ROLE_STAFF, NODE_UNIT, PATH(P_U111), NOW));
    assert_true(authz_can_grant(mix, 2, ROLE_STAFF, NODE_UNIT, PATH(P_U121), NOW));
    /* bad inputs */
    role_assignment_t a = ra(ROLE_ADMIN, 1, NODE_ROOT, 0);
    assert_false(authz_can_grant(&a, 1, ROLE_STAFF, NODE_EPS, P_E11, 0, NOW));
    assert_false(authz_can_grant(&a, 1, ROLE_STAFF, NODE_EPS, NULL, 3, NOW));
    assert_false(authz_can_grant(NULL, 1, ROLE_STAFF, NODE_EPS, PATH(P_E11), NOW));
    assert_false(authz_can_grant(&a, 0, ROLE_STAFF, NODE_EPS, PATH(P_E11), NOW));
}

/* ---------- codes */

static void test_codes(void **state)
{
    (void)state;
    static const char *const roles[ROLE__COUNT] = {"", "admin", "quality_advisor", "observer",
                                                   "director", "quality_referent", "staff",
                                                   "inspector"};
    for (int r = 0; r < ROLE__COUNT; r++) {
        assert_string_equal(role_code((role_t)r), roles[r]);
        if (r != ROLE_NONE)
            assert_int_equal(role_from_code(roles[r]), r);
    }
    assert_int_equal(role_from_code(""), ROLE_NONE);
    assert_int_equal(role_from_code(NULL), ROLE_NONE);
    assert_int_equal(role_from_code("Admin"), ROLE_NONE);
    assert_int_equal(role_from_code("admin "), ROLE_NONE);
    assert_int_equal(role_from_code("none"), ROLE_NONE);
    assert_string_equal(role_code(ROLE__COUNT), "");
    assert_string_equal(role_code((role_t)-1), "");

    static const char *const kinds[4] = {"root", "association", "eps", "unit"};
    for (int k = 0; k < 4; k++) {
        assert_string_equal(node_kind_code((node_kind_t)k), kinds[k]);
        assert_int_equal(node_kind_from_code(kinds[k]), k);
    }
    assert_int_equal(node_kind_from_code("EPS"), -1);
    assert_int_equal(node_kind_from_code(""), -1);
    assert_int_equal(node_kind_from_code(NULL), -1);
    assert_string_equal(node_kind_code((node_kind_t)4), "");

    static const char *const perms[PERM__COUNT] = {
        "public", "authenticated", "org.read", "org.manage", "user.read", "user.manage",
        "user.reset_password", "audit.read", "attach.read", "attach.write", "quality.read",
        "quality.write", "personal.read", "personal.write"};
    for (int p = 0; p < PERM__COUNT; p++)
        assert_string_equal(perm_code((perm_t)p), perms[p]);
    assert_string_equal(perm_code(PERM__COUNT), "");
}

/* Who may give a role at all, wherever: a refusal (403) rather than a
 * place that does not fit (422) when the answer is no. */
static void test_may_grant_role(void **state)
{
    (void)state;
    role_assignment_t dir = ra(ROLE_DIRECTOR, 11, NODE_EPS, 0);
    assert_true(authz_may_grant_role(&dir, 1, ROLE_STAFF, NOW));
    assert_true(authz_may_grant_role(&dir, 1, ROLE_QUALITY_REFERENT, NOW));
    for (int r = ROLE_NONE; r < ROLE__COUNT; r++)
        if (r != ROLE_STAFF && r != ROLE_QUALITY_REFERENT)
            assert_false(authz_may_grant_role(&dir, 1, (role_t)r, NOW));
    role_assignment_t admin = ra(ROLE_ADMIN, 2, NODE_ASSOCIATION, 0);
    for (int r = ROLE_NONE + 1; r < ROLE__COUNT; r++)
        assert_true(authz_may_grant_role(&admin, 1, (role_t)r, NOW));
    assert_false(authz_may_grant_role(&admin, 1, ROLE_NONE, NOW));
    role_assignment_t expired = ra(ROLE_ADMIN, 1, NODE_ROOT, NOW - 1);
    assert_false(authz_may_grant_role(&expired, 1, ROLE_STAFF, NOW));
    role_assignment_t misplaced = ra(ROLE_DIRECTOR, 111, NODE_UNIT, 0);
    assert_false(authz_may_grant_role(&misplaced, 1, ROLE_STAFF, NOW));
    role_assignment_t staff = ra(ROLE_STAFF, 11, NODE_EPS, 0);
    assert_false(authz_may_grant_role(&staff, 1, ROLE_STAFF, NOW));
    assert_false(authz_may_grant_role(NULL, 0, ROLE_STAFF, NOW));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matrix_covers_every_pair),
        cmocka_unit_test(test_may_grant_role),
        cmocka_unit_test(test_matrix_exhaustive),
        cmocka_unit_test(test_decide_matches_matrix),
        cmocka_unit_test(test_grants_rejects_out_of_range),
        cmocka_unit_test(test_scope_director),
        cmocka_unit_test(test_scope_staff_at_unit),
        cmocka_unit_test(test_scope_association_admin),
        cmocka_unit_test(test_scope_root_admin),
        cmocka_unit_test(test_scope_advisor_never_personal),
        cmocka_unit_test(test_scope_inspector_expiry),
        cmocka_unit_test(test_scope_two_roles),
        cmocka_unit_test(test_scope_misfit_assignment),
        cmocka_unit_test(test_decide_inputs),
        cmocka_unit_test(test_everyone_perms),
        cmocka_unit_test(test_fits_table),
        cmocka_unit_test(test_grant_director),
        cmocka_unit_test(test_grant_association_admin),
        cmocka_unit_test(test_grant_root_admin),
        cmocka_unit_test(test_grant_nobody_else),
        cmocka_unit_test(test_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
