/*
 * term: what the terminal on an output is like, for the views that draw
 * (--bars): how wide it is, and whether to colour.
 */
#ifndef PAGEMAP_DUMP_TERM_H
#define PAGEMAP_DUMP_TERM_H

#include <stdbool.h>

/* When --color colours: not asked, when a terminal shows it, always. */
enum term_color {
	TERM_COLOR_NEVER,
	TERM_COLOR_AUTO,
	TERM_COLOR_ALWAYS
};

#define TERM_WIDTH_DEFAULT 80
#define TERM_WIDTH_MAX 4096

/*
 * The width of the terminal on fd (TIOCGWINSZ), else $COLUMNS (a
 * positive number), else TERM_WIDTH_DEFAULT; at most TERM_WIDTH_MAX.
 */
unsigned term_width(int fd);

/*
 * The width columns gives ($COLUMNS), or 0 when it is unset or not a
 * positive decimal number.
 */
unsigned term_columns(const char *columns);

/*
 * Whether to colour output on fd: always with TERM_COLOR_ALWAYS; with
 * TERM_COLOR_AUTO when fd is a terminal and $NO_COLOR is unset or empty.
 */
bool term_color(int fd, enum term_color when);

#endif
