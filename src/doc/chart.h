/* chart.h - one drawing model for charts, two outputs: SVG text for pages
 * and cairo paths (text through pango) for PDFs. Coordinates in user units,
 * origin top-left, y down; the chart's width and height set the viewBox.
 * Text is plain text (escaped in SVG, never pango markup); its direction
 * follows its content (Arabic labels right to left). */
#ifndef JOUDA_CHART_H
#define JOUDA_CHART_H

#include "../core/core.h"

typedef struct chart chart_t;
typedef struct _cairo cairo_t;

typedef enum { CHART_START = 0, CHART_MIDDLE, CHART_END } chart_anchor_t;

/* Colours are 0xRRGGBB; CHART_NONE: no fill / no stroke. */
#define CHART_NONE 0xFFFFFFFFu

chart_t *chart_new(double width, double height);
void chart_free(chart_t *c);
double chart_width(const chart_t *c);
double chart_height(const chart_t *c);

void chart_line(chart_t *c, double x1, double y1, double x2, double y2, uint32_t stroke,
                double stroke_width, bool dashed);
/* A closed polygon of n points (xy: x0,y0,x1,y1...). opacity of the fill 0..1. */
void chart_polygon(chart_t *c, const double *xy, int n, uint32_t stroke, double stroke_width,
                   uint32_t fill, double fill_opacity);
void chart_rect(chart_t *c, double x, double y, double w, double h, uint32_t stroke,
                double stroke_width, uint32_t fill, double fill_opacity);
/* An unfilled line through n points, closed back to the first or not. */
void chart_polyline(chart_t *c, const double *xy, int n, bool closed, uint32_t stroke, double stroke_width,
                    bool dashed);
void chart_circle(chart_t *c, double cx, double cy, double r, uint32_t stroke,
                  double stroke_width, uint32_t fill);
/* Text whose baseline starts, is centred or ends at (x, y), in the visual
 * sense (CHART_START is the left end whatever the text's direction).
 * size in user units. */
void chart_text(chart_t *c, double x, double y, const char *text, double size, uint32_t colour,
                chart_anchor_t anchor, bool bold);

/* The chart as an <svg> element (role="img", aria-labelledby its <title>
 * made from title, viewBox from the size, width 100%), appended to out.
 * rtl: the page's direction, that of texts without a letter (numbers);
 * text anchors stay visual. */
void chart_svg(const chart_t *c, const char *title, bool rtl, buf_t *out);
/* Draw onto cr with the chart's (0,0) at (x, y) and every unit scaled by
 * scale; text through pango with the document's fonts. */
void chart_cairo(const chart_t *c, cairo_t *cr, double x, double y, double scale);

#endif
