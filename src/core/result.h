/* result.h - what a model function answers, whatever the caller (a page,
 * the API, the command line). Model functions never return HTTP statuses:
 * the application maps these codes to statuses in one place (app_fail). */
#ifndef JOUDA_RESULT_H
#define JOUDA_RESULT_H

typedef enum {
    RES_OK = 0,
    RES_NOT_FOUND,  /* absent, or outside the reader's scope */
    RES_FORBIDDEN,  /* in scope, but not allowed */
    RES_INVALID,    /* what was sent is not valid: field errors say why */
    RES_CONFLICT,   /* the current state forbids it (changed meanwhile, last admin...) */
    RES_LIMITED,    /* too many attempts: try again later */
    RES_ERROR,      /* the database or the system failed */
} res_t;

#endif
