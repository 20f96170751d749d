/* auth_migrations.c - tables of the auth module (versions 20..29): settings
 * (the server key lives there), sessions, API tokens, failed logins. They come
 * after the org migrations (10..19), so they may reference users.
 * 24: API tokens expire. A token stored before has 90 days from the migration
 * (API_TOKEN_DAYS_DEFAULT); a row written without an expiry is expired at
 * once (the default 0), never valid for ever. */
#include "auth.h"

const db_migration_t auth_migrations[] = {
    {20, "auth_settings",
     "CREATE TABLE settings (\n"
     "  key TEXT PRIMARY KEY,\n"
     "  value TEXT NOT NULL\n"
     ")",
     NULL},
    {21, "auth_sessions",
     "CREATE TABLE sessions (\n"
     "  id_hash TEXT PRIMARY KEY,\n"
     "  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,\n"
     "  csrf_secret TEXT NOT NULL,\n"
     "  created_at BIGINT NOT NULL,\n"
     "  last_seen_at BIGINT NOT NULL,\n"
     "  ip TEXT\n"
     ");\n"
     "CREATE INDEX sessions_user ON sessions (user_id);\n"
     "CREATE INDEX sessions_last_seen ON sessions (last_seen_at)",
     NULL},
    {22, "auth_api_tokens",
     "CREATE TABLE api_tokens (\n"
     "  id ID_PK,\n"
     "  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,\n"
     "  token_hash TEXT NOT NULL UNIQUE,\n"
     "  label TEXT NOT NULL DEFAULT '',\n"
     "  created_at BIGINT NOT NULL,\n"
     "  last_used_at BIGINT,\n"
     "  revoked INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1))\n"
     ");\n"
     "CREATE INDEX api_tokens_user ON api_tokens (user_id)",
     NULL},
    {23, "auth_login_failures",
     "CREATE TABLE login_failures (\n"
     "  id ID_PK,\n"
     "  kind TEXT NOT NULL CHECK (kind IN ('acct', 'ip')),\n"
     "  key TEXT NOT NULL,\n"
     "  at BIGINT NOT NULL\n"
     ");\n"
     "CREATE INDEX login_failures_kind_key_at ON login_failures (kind, key, at);\n"
     "CREATE INDEX login_failures_at ON login_failures (at)",
     NULL},
    {24, "auth_api_tokens_expiry",
     "ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT NOT NULL DEFAULT 0;\n"
     "UPDATE api_tokens SET expires_at = NOW_EPOCH + 90 * 86400 WHERE expires_at = 0",
     NULL},
    /* 25: delays instead of lockouts (auth.h). The kinds of keys change and
     * the failures counted under the old rule mean nothing under the new
     * one: the table is made anew (SQLite cannot change a CHECK in place). */
    {25, "auth_login_delays",
     "DROP TABLE login_failures;\n"
     "CREATE TABLE login_failures (\n"
     "  id ID_PK,\n"
     "  kind TEXT NOT NULL CHECK (kind IN ('pair', 'device', 'address', 'account')),\n"
     "  key TEXT NOT NULL,\n"
     "  at BIGINT NOT NULL\n"
     ");\n"
     "CREATE INDEX login_failures_kind_key_at ON login_failures (kind, key, at);\n"
     "CREATE INDEX login_failures_at ON login_failures (at);\n"
     "CREATE TABLE login_alerts (\n"
     "  key TEXT PRIMARY KEY,\n"
     "  last_at BIGINT NOT NULL\n"
     ");\n"
     "CREATE INDEX login_alerts_last_at ON login_alerts (last_at)",
     NULL},
};
const size_t auth_migrations_count = sizeof auth_migrations / sizeof auth_migrations[0];
