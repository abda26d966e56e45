/*
 * xml: a strict reader of XML, for the tests of the pictures (--svg).
 */
#ifndef PAGEMAP_DUMP_TEST_XML_H
#define PAGEMAP_DUMP_TEST_XML_H

#include <stdbool.h>

/* NULL when text is a well-formed XML document; else why not. */
const char *xml_problem(const char *text);

/* Whether rsvg-convert (Debian's librsvg2-bin) is installed. */
bool xml_can_render(void);

/*
 * Renders the picture in the file svg with rsvg-convert, beside it;
 * returns whether that made a PNG (which it then removes).
 */
bool xml_renders(const char *svg);

#endif
