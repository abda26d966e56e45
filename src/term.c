/*
 * term: the width of the terminal and whether to colour, for --bars.
 */
#include "term.h"

#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

unsigned
term_columns(const char *columns)
{
	unsigned long v = 0;
	const char *p;

	if (columns == NULL || *columns == '\0')
		return 0;
	for (p = columns; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > TERM_WIDTH_MAX)
			v = TERM_WIDTH_MAX;
	}
	return (unsigned)v;
}

unsigned
term_width(int fd)
{
	struct winsize ws;
	unsigned w;

	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col < TERM_WIDTH_MAX ? ws.ws_col : TERM_WIDTH_MAX;
	w = term_columns(getenv("COLUMNS"));
	return w > 0 ? w : TERM_WIDTH_DEFAULT;
}

bool
term_color(int fd, enum term_color when)
{
	const char *no = getenv("NO_COLOR");

	if (when == TERM_COLOR_ALWAYS)
		return true;
	return when == TERM_COLOR_AUTO && isatty(fd) &&
	    (no == NULL || *no == '\0');
}
