/* tpl.c - the set of parsed templates: loading a directory tree at start-up,
 * adding templates from memory, lookup by name. Parsing is in tpl_parse.c,
 * rendering in tpl_render.c. A set is read-only once loaded, so any number of
 * threads may render from it at once. */
#include "tpl_internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define TPL_MAX_DIR_DEPTH 16

tpl_set_t *tpl_set_new(void)
{
    return xcalloc(1, sizeof(tpl_set_t));
}

void tpl_free_one(tpl_t *t)
{
    free(t->name);
    free(t->nodes);
    free(t->pool);
}

void tpl_set_free(tpl_set_t *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++)
        tpl_free_one(&set->v[i]);
    free(set->v);
    free(set);
}

void tpl_set_strict(tpl_set_t *set, bool strict)
{
    set->strict = strict;
}

/* Index of name, or of where it would be inserted (with *found false). */
static size_t find_pos(const tpl_set_t *set, const char *name, bool *found)
{
    size_t lo = 0, hi = set->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(set->v[mid].name, name);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

const tpl_t *tpl_find(const tpl_set_t *set, const char *name)
{
    bool found;
    if (!set || !name)
        return NULL;
    size_t i = find_pos(set, name, &found);
    return found ? &set->v[i] : NULL;
}

bool tpl_exists(const tpl_set_t *set, const char *name)
{
    return tpl_find(set, name) != NULL;
}

int tpl_add(tpl_set_t *set, const char *name, const char *src, size_t len, char *err, size_t errlen)
{
    if (!set || !name || !*name || (!src && len)) {
        if (err && errlen)
            snprintf(err, errlen, "tpl_add: invalid arguments");
        return -1;
    }
    tpl_t t = {.name = xstrdup(name)};
    if (tpl_parse(&t, src ? src : "", len, err, errlen) != 0) {
        free(t.name);
        return -1;
    }
    bool found;
    size_t i = find_pos(set, name, &found);
    if (found) {
        tpl_free_one(&set->v[i]);
        set->v[i] = t;
        return 0;
    }
    if (set->n == set->cap) {
        set->cap = set->cap ? set->cap * 2 : 32;
        set->v = xrealloc(set->v, set->cap * sizeof *set->v);
    }
    memmove(&set->v[i + 1], &set->v[i], (set->n - i) * sizeof *set->v);
    set->v[i] = t;
    set->n++;
    return 0;
}

static int read_file(const char *path, char **data, size_t *len, char *err, size_t errlen)
{
    if (file_read_all(path, TPL_MAX_SRC, data, len) == 0)
        return 0;
    snprintf(err, errlen, "%s: %s", path, errno == EFBIG ? "template too large" : strerror(errno));
    return -1;
}

/* Walk dir/rel recursively; rel is "" at the top. */
static int load_tree(tpl_set_t *set, const char *root, const char *rel, int depth, char *err,
                     size_t errlen)
{
    if (depth > TPL_MAX_DIR_DEPTH) {
        snprintf(err, errlen, "%s/%s: directories nested too deeply", root, rel);
        return -1;
    }
    char *dirpath = *rel ? xasprintf("%s/%s", root, rel) : xstrdup(root);
    DIR *d = opendir(dirpath);
    if (!d) {
        snprintf(err, errlen, "%s: %s", dirpath, strerror(errno));
        free(dirpath);
        return -1;
    }
    int rc = 0;
    struct dirent *de;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue; /* ., .., hidden and editor files */
        char *path = xasprintf("%s/%s", dirpath, de->d_name);
        char *sub = *rel ? xasprintf("%s/%s", rel, de->d_name) : xstrdup(de->d_name);
        struct stat st;
        if (stat(path, &st) != 0) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            rc = -1;
        } else if (S_ISDIR(st.st_mode)) {
            rc = load_tree(set, root, sub, depth + 1, err, errlen);
        } else if (S_ISREG(st.st_mode)) {
            size_t nl = strlen(sub);
            if (nl > 5 && strcmp(sub + nl - 5, ".html") == 0) {
                char *data;
                size_t len;
                rc = read_file(path, &data, &len, err, errlen);
                if (rc == 0) {
                    sub[nl - 5] = '\0';
                    rc = tpl_add(set, sub, data, len, err, errlen);
                    free(data);
                }
            }
        }
        free(path);
        free(sub);
    }
    closedir(d);
    free(dirpath);
    return rc;
}

tpl_set_t *tpl_load_dir(const char *dir, char *err, size_t errlen)
{
    char dummy[8];
    if (!err || !errlen) {
        err = dummy;
        errlen = sizeof dummy;
    }
    tpl_set_t *set = tpl_set_new();
    if (load_tree(set, dir, "", 0, err, errlen) != 0) {
        tpl_set_free(set);
        return NULL;
    }
    return set;
}
