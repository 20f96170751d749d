/* search_module.c - the search module in one place: its table (the index
 * other modules feed through search.h), routes (the page /search and the
 * API /api/v1/search), menu entry. Who reads which row is described in
 * search_internal.h; every signed-in user may search, and finds only what
 * they may read. */
#include "search_internal.h"

static const route_t search_routes[] = {
    {"GET", "/search", PERM_AUTHENTICATED, NULL, search_page, 0},
    {"GET", "/api/v1/search", PERM_AUTHENTICATED, NULL, search_api, 0},
};

static const app_menu_t search_menu[] = {
    {N_("Search"), "/search", PERM_AUTHENTICATED, 58},
};

/* Versions 620-629. One row per (type, item, language): the stored text
 * (title, body: shown and cut into snippets), where it belongs and who
 * reads it (node_path with perm, everyone, below), its page, and its folded
 * words (words.h) - which SQLite's FTS5 table indexes (external content,
 * kept by triggers; the "ascii" tokenizer splits at the spaces only, the
 * words being folded and split already) and PostgreSQL's tsvector column
 * holds (built by search_put from the same words, no text-search parser:
 * the same on every locale). */
static const char search_v620_sql[] =
    "CREATE TABLE search_items ("
    " id ID_PK,"
    " type TEXT NOT NULL,"
    " item_id BIGINT NOT NULL,"
    " lang TEXT NOT NULL DEFAULT '',"
    " node_path TEXT NOT NULL,"
    " perm TEXT NOT NULL,"
    " everyone INTEGER NOT NULL DEFAULT 0,"
    " below INTEGER NOT NULL DEFAULT 0,"
    " title TEXT NOT NULL,"
    " body TEXT NOT NULL DEFAULT '',"
    " href TEXT NOT NULL,"
    " context TEXT NOT NULL DEFAULT '',"
    " title_words TEXT NOT NULL DEFAULT '',"
    " body_words TEXT NOT NULL DEFAULT '',"
    " updated_at BIGINT NOT NULL,"
    " UNIQUE (type, item_id, lang)"
    ");"
    "CREATE INDEX search_items_path ON search_items(node_path);"
    "CREATE VIRTUAL TABLE search_fts USING fts5(title_words, body_words,"
    " content='search_items', content_rowid='id', tokenize='ascii');"
    "CREATE TRIGGER search_items_ai AFTER INSERT ON search_items BEGIN"
    " INSERT INTO search_fts(rowid, title_words, body_words)"
    " VALUES (new.id, new.title_words, new.body_words); END;"
    "CREATE TRIGGER search_items_ad AFTER DELETE ON search_items BEGIN"
    " INSERT INTO search_fts(search_fts, rowid, title_words, body_words)"
    " VALUES ('delete', old.id, old.title_words, old.body_words); END;"
    "CREATE TRIGGER search_items_au AFTER UPDATE ON search_items BEGIN"
    " INSERT INTO search_fts(search_fts, rowid, title_words, body_words)"
    " VALUES ('delete', old.id, old.title_words, old.body_words);"
    " INSERT INTO search_fts(rowid, title_words, body_words)"
    " VALUES (new.id, new.title_words, new.body_words); END;";

static const char search_v620_pg[] =
    "CREATE TABLE search_items ("
    " id ID_PK,"
    " type TEXT NOT NULL,"
    " item_id BIGINT NOT NULL,"
    " lang TEXT NOT NULL DEFAULT '',"
    " node_path TEXT COLLATE \"C\" NOT NULL,"
    " perm TEXT NOT NULL,"
    " everyone INTEGER NOT NULL DEFAULT 0,"
    " below INTEGER NOT NULL DEFAULT 0,"
    " title TEXT NOT NULL,"
    " body TEXT NOT NULL DEFAULT '',"
    " href TEXT NOT NULL,"
    " context TEXT NOT NULL DEFAULT '',"
    " title_words TEXT NOT NULL DEFAULT '',"
    " body_words TEXT NOT NULL DEFAULT '',"
    " updated_at BIGINT NOT NULL,"
    " tsv tsvector NOT NULL,"
    " UNIQUE (type, item_id, lang)"
    ");"
    "CREATE INDEX search_items_path ON search_items(node_path);"
    "CREATE INDEX search_items_tsv ON search_items USING GIN (tsv);";

static const db_migration_t search_migrations[] = {
    {620, "search: the index of sheets, documents, criteria and sections", search_v620_sql,
     search_v620_pg},
};

const module_t search_module = {
    .name = "search",
    .migrations = search_migrations,
    .n_migrations = ARRAY_LEN(search_migrations),
    .routes = search_routes,
    .n_routes = ARRAY_LEN(search_routes),
    .menu = search_menu,
    .n_menu = ARRAY_LEN(search_menu),
};
