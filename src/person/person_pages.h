/* person_pages.h - what the pages of the persons module share (private to
 * person_pages*.c and person_views.c): the person of the route, days as
 * pages show them, code options of the forms, the head of a person's pages
 * and the file's page with one of its tabs. */
#ifndef JOUDA_PERSON_PAGES_H
#define JOUDA_PERSON_PAGES_H

#include "person_internal.h"

/* The person of the route's {id} (pers_check ran), in the arena; NULL
 * after answering 404. */
person_t *pp_person(req_t *r);
/* The same, answering 403 unless the reader may change the person. */
person_t *pp_person_writable(req_t *r);
/* The end of a form's post on the file page: 422 shows tab again with the
 * errors (stolen), another refusal its error, success 303 to location with
 * the flash message. */
void pp_done(req_t *r, const person_t *p, res_t rc, json_t *errors, const char *tab,
             const char *location, const char *flash);
/* May the reader record on this person's file (write access, not
 * anonymised)? */
bool pp_can_write(req_t *r, const person_t *p);
/* "YYYY-MM-DD" -> "31/12/2026" ("" for NULL). */
const char *pp_day(req_t *r, const char *iso);
/* Today in Morocco, "YYYY-MM-DD" (arena). */
/* The translated label of a code of a list ("origin", "legal", "exit",
 * "plan", "agreement", "sign", "sex"); NULL for no code. */
const char *pp_code_label(req_t *r, const char *list, const char *code);
/* Options of a select: [{code, label, selected}], with a first empty one
 * (label msgid empty_msgid) when empty_msgid is not NULL. */
json_t *pp_code_options(req_t *r, const char *list, const char *const *codes,
                        const char *selected, const char *empty_msgid);
/* The name of an account ("" when unknown). */
const char *pp_user_name(req_t *r, int64_t id);
/* "/persons/<id>" */
const char *pp_href(req_t *r, const person_t *p);
/* The breadcrumbs of a person's pages: the list, then the person when p. */
json_t *pp_crumbs(req_t *r, const person_t *p);
/* What the head of a person's pages shows: name, other script, code, age,
 * place, whether they left ("person" object). */
json_t *pp_head(req_t *r, const person_t *p);
/* A day field of a form: the value typed, kept as is. */
const char *pp_form(req_t *r, const char *key);
/* Does the reader hold a live staff or director role anywhere? */
bool pp_is_worker(req_t *r);
/* "3 months" in the reader's language. */
const char *pp_months(req_t *r, int n);
/* The level of need 1-4 in words (msgid); 0: not assessed. */
const char *pp_level_msgid(int level);

/* Checks goals as the API gives them (person_care.c; errors["goals"]). */
bool pers_goals_valid(req_t *r, const json_t *goals, json_t *errors);

/* The file's page with one tab (identity, needs, plan, reviews, access),
 * errors (stolen, may be NULL) shown at the tab's form
 * (person_pages_show.c). */
void pp_show(req_t *r, const person_t *p, const char *tab, int status, json_t *errors);
/* The plan tab's and the plan page's description of a plan (goals by
 * domain, signatures, next review...) (person_pages_plan.c). */
json_t *pp_plan_model(req_t *r, const person_t *p, const pers_plan_t *pl);

#endif
