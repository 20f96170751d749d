/* account_throttle.c - what every handler checking a password shares of the
 * throttling of failures (the rules are in auth.h): who is trying (the
 * account, the client's address, the browser's device cookie when it is valid
 * for that account), the answer to an attempt made too early (429 with
 * Retry-After, at once), the alert of the account's owner when failures pile
 * up, and the device cookie a successful sign-in leaves in the browser. */
#include "account_internal.h"

#include "../notify/notify.h"

#include <stdio.h>

void account_throttle_who(req_t *r, const char *key, int64_t uid, throttle_who_t *who,
                          char *device, size_t device_len)
{
    *who = (throttle_who_t){.account = key, .ip = req_ip(r), .exists = uid > 0};
    if (uid > 0 && device_cookie_check(http_cookie(r->http, DEVICE_COOKIE), uid, now_utc(), device,
                                       device_len))
        who->device = device;
}

const char *account_too_early(req_t *r, int64_t wait)
{
    if (wait < 1)
        wait = 1;
    char secs[24];
    snprintf(secs, sizeof secs, "%lld", (long long)wait);
    http_add_header(r->http, "Retry-After", secs);
    long long n = wait < 60 ? wait : users_minutes_ceil(wait);
    const char *text =
        wait < 60 ? i18n_ngettext(r->lang, "Too many attempts; try again in %d second.",
                                  "Too many attempts; try again in %d seconds.", (unsigned long)n)
                  : i18n_ngettext(r->lang, "Too many attempts; try again in %d minute.",
                                  "Too many attempts; try again in %d minutes.", (unsigned long)n);
    long long nums[1] = {n};
    const char *message = text_fill_numbers(r->arena, text, nums, 1);
    if (!r->is_api)
        return message;
    api_send(r, 429,
             json_pack("{s:{s:s, s:s, s:I}}", "error", "code", "too_many", "message", message,
                       "retry_after", (json_int_t)wait));
    return NULL;
}

void account_failed(req_t *r, const throttle_who_t *who, int64_t uid)
{
    if (!throttle_record_failure(r->db, who) || uid <= 0)
        return;
    /* once per burst: the owner hears of it, the log keeps it (never a
     * password, only where the latest attempt came from) */
    const char *ip = req_ip(r);
    bool mine = false;
    if (!app_tx_begin(r->db, &mine))
        return;
    notify_arg_t args[] = {NOTIFY_TEXT(ip ? ip : "-")};
    int rc = notify_user(r->db, uid, "login_throttled",
                         N_("Repeated failed sign-in attempts were made on your account within an "
                            "hour, the latest from the address %s. Your account stays open to "
                            "you; if these attempts were not yours, change your password."),
                         "/profile", args, 1);
    if (rc == DB_OK)
        rc = audit_write(r->db, 0, "login_throttled", "user", uid, users_home_of(r->db, uid), NULL,
                         ip);
    if (app_tx_end(r->db, mine, rc == DB_OK) != DB_OK || rc != DB_OK)
        log_error("account: cannot record the alert of user %lld", (long long)uid);
}

void account_signed_in(req_t *r, const throttle_who_t *who, int64_t uid)
{
    throttle_record_success(r->db, who);
    char value[DEVICE_COOKIE_MAX];
    if (device_cookie_make(uid, now_utc() + DEVICE_COOKIE_SECONDS, value, sizeof value) == 0)
        http_set_cookie(r->http, DEVICE_COOKIE, value, DEVICE_COOKIE_SECONDS, true);
}
