/*
 * xml: a strict reader of XML, for the tests of the pictures (--svg).
 */
#ifndef PAGEMAP_DUMP_TEST_XML_H
#define PAGEMAP_DUMP_TEST_XML_H

/* NULL when text is a well-formed XML document; else why not. */
const char *xml_problem(const char *text);

#endif
