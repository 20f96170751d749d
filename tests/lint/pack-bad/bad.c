/* A call a value short, one a value too many, one with s# and n right. */
static void f(const char *k, int n)
{
    json_pack("{s:s, s:s}", "name", "unit_rows", arena_printf(a, "%d", n));
    json_pack("{s:i}", "n", n, k);
    json_pack("{s:s#, s:n, s:[i, b]}", "k", k, 3, "none", "list", 1, true);
}
