/*
 * svg: text for the pictures, formatted or escaped for XML, and the
 * head of their documents.
 */
#include "svg.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

int
svg_put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	char *p = out_reserve(o, SVG_PUT_MAX);
	int n;

	if (p == NULL)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(p, SVG_PUT_MAX, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= SVG_PUT_MAX)
		return -1;
	out_commit(o, p + n);
	return 0;
}

/* What XML wants in place of c, or NULL for c itself. */
static const char *
entity(char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&apos;";
	}
	return NULL;
}

int
svg_put_text(struct out *o, const char *text, size_t n)
{
	char *esc = malloc(ESCAPE_TEXT_MAX(n) + 1), *p;
	size_t len, i;

	if (esc == NULL)
		return -1;
	len = escape_text(esc, text, n);
	/* An entity is 6 bytes at most. */
	if ((p = out_reserve(o, len * 6 + 1)) == NULL) {
		free(esc);
		return -1;
	}
	for (i = 0; i < len; i++) {
		const char *r = entity(esc[i]);
		if (r == NULL) {
			*p++ = esc[i];
			continue;
		}
		memcpy(p, r, strlen(r));
		p += strlen(r);
	}
	out_commit(o, p);
	free(esc);
	return 0;
}

int
svg_head(struct out *o, unsigned width, unsigned height, const char *style)
{
	return svg_put(o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "
	    "xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%u\" "
	    "height=\"%u\" viewBox=\"0 0 %u %u\">\n<title>pagemap-dump</title>"
	    "\n", width, height, width, height) != 0 ||
	    svg_put(o, "<style type=\"text/css\">%s</style>\n", style) != 0 ||
	    svg_put(o, "<rect x=\"0\" y=\"0\" width=\"100%%\" height=\"100%%\" "
	    "fill=\"#ffffff\"/>\n") != 0 ? -1 : 0;
}
