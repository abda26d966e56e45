/*
 * xml: a strict reader of XML for the tests of the pictures: it says
 * whether a document is well-formed (one root, tags that match, quoted
 * attributes, each once, references that exist, no control byte), and
 * if not, why. test_svg tests it.
 */
#include "xml.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"

static bool
name_start(int c)
{
	return isalpha(c) || c == '_' || c == ':';
}

static bool
name_char(int c)
{
	return name_start(c) || isdigit(c) || c == '-' || c == '.';
}

/* Skips a reference at p ('&'): one of the five, or numeric; or NULL. */
static const char *
reference(const char *p)
{
	static const char *const named[] = { "&lt;", "&gt;", "&amp;",
	    "&quot;", "&apos;" };
	size_t i;

	for (i = 0; i < 5; i++)
		if (tl_starts_with(p, named[i]))
			return p + strlen(named[i]);
	if (p[1] != '#')
		return NULL;
	p += 2;
	if (*p == 'x' ? !isxdigit((unsigned char)*++p) :
	    !isdigit((unsigned char)*p))
		return NULL;
	while (isxdigit((unsigned char)*p))
		p++;
	return *p == ';' ? p + 1 : NULL;
}

/* Character data up to '<' (or stop): no raw '&', no control byte. */
static const char *
chars(const char *p, char stop, const char **why)
{
	while (*p != '\0' && *p != '<' && *p != stop) {
		if ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t' &&
		    *p != '\r') {
			*why = "a control byte";
			return NULL;
		}
		if (*p != '&') {
			p++;
			continue;
		}
		if ((p = reference(p)) == NULL) {
			*why = "a bad reference";
			return NULL;
		}
	}
	return p;
}

/* A start tag at p (after '<'): name, attributes; sets *empty for '/>'. */
static const char *
start_tag(const char *p, char *name, size_t len, bool *empty,
    const char **why)
{
	char attrs[64][64];
	size_t n = 0, k, i;

	for (k = 0; name_char((unsigned char)p[k]) && k + 1 < len; k++)
		name[k] = p[k];
	name[k] = '\0';
	if (k == 0 || !name_start((unsigned char)p[0]))
		return (*why = "a bad element name", NULL);
	for (p += k;;) {
		const char *s = p;
		while (*p == ' ' || *p == '\n' || *p == '\t')
			p++;
		if (*p == '>' || (p[0] == '/' && p[1] == '>')) {
			*empty = *p == '/';
			return p + (*empty ? 2 : 1);
		}
		if (p == s || !name_start((unsigned char)*p) || n == 64)
			return (*why = "a bad attribute", NULL);
		for (k = 0; name_char((unsigned char)p[k]) && k < 63; k++)
			attrs[n][k] = p[k];
		attrs[n][k] = '\0';
		for (i = 0; i < n; i++)
			if (strcmp(attrs[i], attrs[n]) == 0)
				return (*why = "an attribute twice", NULL);
		n++;
		p += k;
		if (p[0] != '=' || (p[1] != '"' && p[1] != '\''))
			return (*why = "an attribute not quoted", NULL);
		char q = p[1];
		if ((p = chars(p + 2, q, why)) == NULL)
			return NULL;
		if (*p != q)
			return (*why = "'<' in an attribute", NULL);
		p++;
	}
}

const char *
xml_problem(const char *text)
{
	static char stack[256][64];
	const char *p = text, *why = NULL;
	char name[64];
	int depth = 0, roots = 0;
	bool empty;

	if (!tl_starts_with(p, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"))
		return "no XML declaration";
	p = strchr(p, '>') + 1;
	for (;;) {
		if ((p = chars(p, '\0', &why)) == NULL)
			return why;
		if (*p == '\0')
			break;
		if (depth == 0 && strspn(p, " \n") == 0 && *p != '<')
			return "text outside the root";
		p++;
		if (*p == '/') {
			size_t k = strlen(stack[depth > 0 ? depth - 1 : 0]);
			if (depth == 0 || strncmp(p + 1, stack[depth - 1], k) != 0
			    || p[1 + k] != '>')
				return "an end tag that does not match";
			p += k + 2;
			depth--;
			continue;
		}
		if ((p = start_tag(p, name, sizeof(name), &empty, &why)) ==
		    NULL)
			return why;
		if (depth == 0 && roots++ > 0)
			return "two root elements";
		if (!empty && depth < 256)
			snprintf(stack[depth++], 64, "%s", name);
	}
	return depth != 0 ? "an element not closed" : roots != 1 ?
	    "no root element" : NULL;
}


bool
xml_can_render(void)
{
	return system("command -v rsvg-convert >/dev/null 2>&1") == 0;
}

bool
xml_renders(const char *svg)
{
	char png[512], cmd[1100], magic[8] = { 0 };
	FILE *fp;
	bool ok;

	snprintf(png, sizeof(png), "%s.png", svg);
	snprintf(cmd, sizeof(cmd), "rsvg-convert -o '%s' '%s'", png, svg);
	if (system(cmd) != 0)
		return false;
	fp = fopen(png, "rb");
	ok = fp != NULL && fread(magic, 1, 8, fp) == 8 &&
	    memcmp(magic, "\x89PNG\r\n\x1a\n", 8) == 0;
	if (fp != NULL)
		fclose(fp);
	unlink(png);
	return ok;
}
