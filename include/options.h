/*
 * options: the command line, parsed into one struct.
 *
 * options_parse never exits or prints; it returns what main should do, so
 * the tests can drive it.
 */
#ifndef PAGEMAP_DUMP_OPTIONS_H
#define PAGEMAP_DUMP_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "filter.h"
#include "format.h"
#include "sink.h"
#include "term.h"

#define PAGEMAP_DUMP_VERSION "0.2.0"

/*
 * The pid that "self" stands for: dump_pid reads it as /proc/self, this
 * process in the /proc it sees, which getpid() does not name when /proc
 * belongs to another pid namespace.
 */
#define OPTIONS_PID_SELF 0

/* The kernel's hard limit on pid numbers (PID_MAX_LIMIT on 64-bit). */
#define OPTIONS_PID_LIMIT 4194304

/* Columns --by takes at most. */
#define OPTIONS_MAX_KEYS 8

struct options {
	pid_t *pids;		/* the processes to dump, in order */
	size_t npids;
	unsigned cols[FORMAT_MAX_COLUMNS];	/* column registry indexes */
	size_t ncols;
	enum format_kind kind;
	bool no_header;
	const struct sink_ops *sink;	/* the view: rows, --summary, ... */
	struct filter filter;
	bool all;		/* -A: every process */
	bool totals;		/* -t: a total row per process (-s) */
	bool physical;		/* --physical: frames, not processes */
	uint64_t pfn_start, pfn_end;	/* its frames; end 0: to the last */
	int sort;		/* --sort: a summary column, or -1 */
	bool verbose;		/* -v: say what --all skipped */
	bool help;
	bool version;
	bool column_help;	/* -o help */
	bool own_columns;	/* -o was given */
	/* --by: the columns a view's rows are split by (--summary). */
	unsigned keys[OPTIONS_MAX_KEYS];
	size_t nkeys;
	long pid_max;		/* PIDs above this are usage errors */
	const char *record;	/* --record: the snapshot file to write */
	const char *replay;	/* --replay: the snapshot file to read */
	const char *diff;	/* --diff A B: A, a snapshot file */
	const char *diff_b;	/* and B: a snapshot file or a pid */
	double watch;		/* --watch: seconds between readings; 0 */
	long count;		/* --count: readings at most; 0: no end */
	bool unicode;		/* --unicode: --bars in block characters */
	enum term_color color;	/* --color[=WHEN] */
	const char *svg;	/* --svg: the picture's file ("-": stdout) */
};

enum options_result {
	OPTIONS_RUN,		/* dump the pids */
	OPTIONS_EXIT,		/* --help, -o help or --version: print, exit 0 */
	OPTIONS_USAGE,		/* bad command line: exit 2 */
	OPTIONS_NOMEM,		/* out of memory: exit 1 */
};

/* Sets every option to its default. */
void options_init(struct options *o);

/*
 * Parses argv. On OPTIONS_USAGE, why holds a one-line reason (without a
 * trailing newline). "self" is OPTIONS_PID_SELF. When more
 * than one pid is given, the pid column is put first (unless listed).
 */
enum options_result options_parse(struct options *o, int argc, char **argv,
    char *why, size_t whylen);

/*
 * Parses a PID argument: a positive decimal number no larger than pid_max,
 * or "self" (OPTIONS_PID_SELF). Returns the pid, or -1 when the text is
 * not one.
 */
pid_t options_parse_pid(const char *text, long pid_max);

/*
 * Parses a column list for -o: names separated by commas; a list starting
 * with '+' appends to the default columns. Returns 0 with cols and *ncols
 * set, or -1 with why set.
 */
int options_parse_columns(const char *list, unsigned *cols,
    size_t *ncols, char *why, size_t whylen);

/*
 * Parses a hex address (0x optional). Returns 0, or -1 when the text is
 * not a hex number that fits in 64 bits.
 */
int options_parse_address(const char *text, uint64_t *addr);

/*
 * Parses START-END (hex, 0x optional, END exclusive). Returns 0, or -1
 * with why set when malformed or START >= END.
 */
int options_parse_range(const char *text, uint64_t *start, uint64_t *end,
    char *why, size_t whylen);

/*
 * Puts the pid column first, unless it is there (rows of several
 * processes say whose they are).
 */
void options_pid_column(struct options *o);

/* Writes the usage text (the synopsis, and with full the options). */
void options_usage(FILE *fp, bool full);

/* Frees what options_parse allocated. */
void options_free(struct options *o);

#endif
