/*
 * svg: what the pictures (--svg) write with: text formatted or escaped
 * for XML into a buffer, and the head of an SVG 1.1 document.
 */
#ifndef PAGEMAP_DUMP_SVG_H
#define PAGEMAP_DUMP_SVG_H

#include <stddef.h>

#include "out.h"

/* The most bytes one svg_put writes. */
#define SVG_PUT_MAX 512

/*
 * Appends text formatted to o (SVG_PUT_MAX bytes at most). Returns 0, or
 * -1 when o cannot take it or the text is longer.
 */
int svg_put(struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Appends n bytes of text, escaped as the tool escapes names (control
 * bytes as \ooo) and then for XML (&, <, >, quotes). Returns 0, or -1.
 */
int svg_put_text(struct out *o, const char *text, size_t n);

/*
 * Writes the document's head: the declaration, the root element of a
 * width by height picture, a title, the style (CSS, or "") and a white
 * ground. The caller ends the document with "</svg>\n". Returns 0, or -1.
 */
int svg_head(struct out *o, unsigned width, unsigned height,
    const char *style);

#endif
