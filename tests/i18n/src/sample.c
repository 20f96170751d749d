/* sample.c - fixture for scripts/i18n-check: each way C code uses a msgid. */
#define N_(s) (s)
static const char *const roles[] = {N_("role.director"), NULL};
void handler(void *r, const char *lang, unsigned long n)
{
    T(r, "Save");
    respond_error(r, 404, "not_found", "This page does not exist.", NULL);
    page_redirect_flash(r, "/", "The changes were saved.");
    i18n_ngettext(lang, "%d unit", "%d units", n);
    log_info("not a UI string");
}
