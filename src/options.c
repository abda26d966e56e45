/*
 * options: command-line parsing with getopt_long.
 */
#include "options.h"

#include "column.h"
#include "escape.h"
#include "kpage.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* An argument, quoted in a reason: its first 64 bytes, escaped. */
#define QUOTE(buf, s) \
	escape_quote((buf), sizeof(buf), (s), strnlen((s), ESCAPE_QUOTE_MAX))

/* The long options without a short one, past every char. */
enum { OPT_PFN = 256, OPT_PADDR, OPT_SORT, OPT_PHYSICAL, OPT_RECORD,
	OPT_DIFF, OPT_WATCH, OPT_COUNT, OPT_UNICODE, OPT_COLOR,
	OPT_SVG };

static const char base_short_options[] = ":hVo:f:HPSr:m:a:k:Avti:";

static const struct option base_long_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "output", required_argument, NULL, 'o' },
	{ "format", required_argument, NULL, 'f' },
	{ "no-header", no_argument, NULL, 'H' },
	{ "present", no_argument, NULL, 'P' },
	{ "swapped", no_argument, NULL, 'S' },
	{ "range", required_argument, NULL, 'r' },
	{ "map", required_argument, NULL, 'm' },
	{ "address", required_argument, NULL, 'a' },
	{ "kflags", required_argument, NULL, 'k' },
	{ "by", required_argument, NULL, 'b' },	/* no short option */
	{ "all", no_argument, NULL, 'A' },
	{ "pfn", required_argument, NULL, OPT_PFN },
	{ "totals", no_argument, NULL, 't' },
	{ "sort", required_argument, NULL, OPT_SORT },
	{ "physical", no_argument, NULL, OPT_PHYSICAL },
	{ "paddr", required_argument, NULL, OPT_PADDR },
	{ "verbose", no_argument, NULL, 'v' },
	{ "record", required_argument, NULL, OPT_RECORD },
	{ "replay", required_argument, NULL, 'i' },
	{ "diff", required_argument, NULL, OPT_DIFF },
	{ "watch", required_argument, NULL, OPT_WATCH },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "unicode", no_argument, NULL, OPT_UNICODE },
	{ "color", optional_argument, NULL, OPT_COLOR },
	{ "svg", required_argument, NULL, OPT_SVG },
};

#define NBASE (sizeof(base_long_options) / sizeof(base_long_options[0]))
#define MAX_SINKS 16

/* The options: the base ones, and one for each view but the default. */
static void
make_options(char *shorts, size_t len, struct option *longs)
{
	size_t n = strlen(base_short_options), k = NBASE, i;

	memcpy(shorts, base_short_options, n + 1);
	memcpy(longs, base_long_options, sizeof(base_long_options));
	for (i = 1; sink_registry[i] != NULL && i < MAX_SINKS; i++) {
		if (n + 1 < len) {
			shorts[n++] = sink_registry[i]->letter;
			shorts[n] = '\0';
		}
		longs[k++] = (struct option){ sink_registry[i]->option,
		    no_argument, NULL, sink_registry[i]->letter };
	}
	longs[k] = (struct option){ NULL, 0, NULL, 0 };
}

/* The view chosen by option letter c, or NULL. */
static const struct sink_ops *
sink_by_letter(int c)
{
	size_t i;

	for (i = 1; sink_registry[i] != NULL; i++)
		if (sink_registry[i]->letter == c)
			return sink_registry[i];
	return NULL;
}

void
options_init(struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->pid_max = OPTIONS_PID_LIMIT;
	memcpy(o->cols, column_defaults,
	    column_ndefaults * sizeof(o->cols[0]));
	o->ncols = column_ndefaults;
	o->kind = FORMAT_TEXT;
	o->sink = sink_registry[0];
	o->sort = -1;
}

pid_t
options_parse_pid(const char *text, long pid_max)
{
	long v = 0;
	const char *p;

	if (strcmp(text, "self") == 0)
		return OPTIONS_PID_SELF;
	if (pid_max > OPTIONS_PID_LIMIT)
		pid_max = OPTIONS_PID_LIMIT;
	if (*text == '\0' || *text == '0')
		return -1;
	for (p = text; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
		if (v > pid_max)
			return -1;
	}
	return (pid_t)v;
}

/* Writes the valid column names, comma-separated, to buf. */
static void
column_names(char *buf, size_t len)
{
	size_t used = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < (int)column_count && used < len; i++)
		if (column_table[i].run != RUN_OWN)
			used += (size_t)snprintf(buf + used, len - used,
			    "%s%s", used > 0 ? "," : "", column_table[i].name);
}

int
options_parse_columns(const char *list, unsigned *cols,
    size_t *ncols, char *why, size_t whylen)
{
	const char *p = list, *comma;
	size_t n = 0;
	int col;

	if (*p == '+') {
		memcpy(cols, column_defaults,
		    column_ndefaults * sizeof(*cols));
		n = column_ndefaults;
		p++;
	}
	for (;;) {
		comma = strchr(p, ',');
		size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		col = column_find(p, len);
		if (col < 0) {
			char names[512], q[ESCAPE_QUOTE_SIZE];
			column_names(names, sizeof(names));
			snprintf(why, whylen, "unknown column '%s' (valid: %s)",
			    escape_quote(q, sizeof(q), p, len), names);
			return -1;
		}
		if (n == FORMAT_MAX_COLUMNS) {
			snprintf(why, whylen, "more than %d columns",
			    FORMAT_MAX_COLUMNS);
			return -1;
		}
		cols[n++] = (unsigned)col;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	*ncols = n;
	return 0;
}

/* Parses hex digits (0x optional) from *p up to a stop character. */
static int
parse_hex(const char **p, char stop, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;
	int digits = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; *s != '\0' && *s != stop; s++, digits++) {
		int d;
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return -1;
		if (x >> 60)
			return -1;
		x = x << 4 | (uint64_t)d;
	}
	if (digits == 0)
		return -1;
	*p = s;
	*v = x;
	return 0;
}

int
options_parse_address(const char *text, uint64_t *addr)
{
	const char *p = text;

	return parse_hex(&p, '\0', addr) == 0 && *p == '\0' ? 0 : -1;
}

int
options_parse_range(const char *text, uint64_t *start, uint64_t *end,
    char *why, size_t whylen)
{
	const char *p = text;
	char q[ESCAPE_QUOTE_SIZE];

	if (parse_hex(&p, '-', start) != 0 || *p != '-') {
		snprintf(why, whylen, "bad range '%s' (want START-END in "
		    "hex)", QUOTE(q, text));
		return -1;
	}
	p++;
	if (parse_hex(&p, '\0', end) != 0 || *p != '\0') {
		snprintf(why, whylen, "bad range '%s' (want START-END in "
		    "hex)", QUOTE(q, text));
		return -1;
	}
	if (*start >= *end) {
		snprintf(why, whylen, "bad range '%s': START must be below "
		    "END", QUOTE(q, text));
		return -1;
	}
	return 0;
}

/* The formats as --help lists them: "text (default), tsv, csv or json". */
static const char *
format_list(char *buf, size_t len)
{
	const char *names = format_names(), *p;
	size_t n = 0, k = 0;

	for (p = names; *p != '\0'; p += strcspn(p, ","), p += *p == ',')
		k++;
	buf[0] = '\0';
	for (p = names; *p != '\0' && n < len; k--) {
		size_t w = strcspn(p, ",");
		n += (size_t)snprintf(buf + n, len - n, "%s%.*s%s",
		    p == names ? "" : k == 1 ? " or " : ", ", (int)w, p,
		    p == names ? " (default)" : "");
		p += w + (p[w] == ',');
	}
	return buf;
}

/* The options of --help for the summary's split and the whole machine. */
static void
usage_machine(FILE *fp)
{
	fprintf(fp, "      --by LIST         with -s: a row per mapping for each "
	    "value of these\n"
	    "                        page columns (folio, folio-map, node, "
	    "file, ...)\n"
	    "  -A, --all             every process (but this one), each whole "
	    "or not at all\n"
	    "  -v, --verbose         with -A: say what it skipped\n"
	    "      --physical        frames, not a process: [pfn[-end]], "
	    "all by default\n"
	    "                        (with --svg and -A: who maps them)\n"
	    "  -t, --totals          with -s: only a total row per process\n"
	    "      --sort COLUMN     with -t: rows by a summary column, "
	    "largest first\n"
	    "      --unicode         with -B: block characters, not ASCII\n"
	    "      --color[=WHEN]    with -B: ANSI colours: auto (on a "
	    "terminal,\n"
	    "                        without NO_COLOR; the default), always, "
	    "never\n"
	    "      --svg FILE        the mappings as a picture (SVG) in FILE; "
	    "- stdout;\n"
	    "                        with --physical, the frames\n");
	fprintf(fp, "      --pfn PFN[-END]   only pages in frames PFN (to END, "
	    "excluded; hex);\n"
	    "                        needs root\n"
	    "      --paddr ADDR      only the page in the frame of physical "
	    "address ADDR\n");
	fprintf(fp, "      --record FILE     write a snapshot of the processes "
	    "to FILE\n"
	    "  -i, --replay FILE     every view from a snapshot, as it was "
	    "taken\n"
	    "      --diff A B        the pages that changed from snapshot A "
	    "to B\n"
	    "                        (a snapshot, or a pid read now)\n"
	    "      --watch SECONDS   print what changes in a pid, every "
	    "SECONDS\n"
	    "      --count N         with --watch: stop after N readings\n");
}

void
options_usage(FILE *fp, bool full)
{
	char names[512], letters[MAX_SINKS + 1], list[128];
	size_t i, n = 0;

	for (i = 1; sink_registry[i] != NULL && n < MAX_SINKS; i++)
		letters[n++] = sink_registry[i]->letter;
	letters[n] = '\0';
	fprintf(fp, "usage: pagemap-dump [-hHPS%sVv] [-a addr] [-f format] "
	    "[-k flags] [-m name]\n"
	    "                    [-o list] [-r start-end] [--by list] "
	    "[--pfn pfn[-end]]\n"
	    "                    [--paddr addr] [-t [--sort column]] "
	    "pid|self ...\n"
	    "       pagemap-dump -A [option ...]\n"
	    "       pagemap-dump --physical [option ...] [pfn[-end]]\n"
	    "       pagemap-dump --svg file --physical [-A] [option ...] "
	    "[pfn[-end]]\n"
	    "       pagemap-dump --record file [-A | pid ... | --physical]\n"
	    "       pagemap-dump --replay file [option ...] [pid ...]\n"
	    "       pagemap-dump --diff a b | --watch seconds [--count n] "
	    "pid\n",
	    letters);
	if (!full)
		return;
	column_names(names, sizeof(names));
	fprintf(fp, "\n"
	    "Print one row per virtual page of a process: its address, the\n"
	    "physical frame behind it and its pagemap flags.\n"
	    "\n"
	    "  -o, --output LIST     columns to print, comma-separated; +LIST\n"
	    "                        adds to the default columns; -o help\n"
	    "                        describes every column\n"
	    "  -f, --format FORMAT   %s\n"
	    "  -H, --no-header       no header line\n"
	    "  -r, --range START-END only pages in [START, END) (hex)\n"
	    "  -m, --map NAME        only mappings whose name contains NAME\n"
	    "  -a, --address ADDR    only the page holding ADDR (virt-to-phys)\n"
	    "  -P, --present         only present pages\n"
	    "  -S, --swapped         only pages in swap (not markers)\n"
	    "  -k, --kflags LIST     only present pages with all these page\n"
	    "                        flags (~flag: without it); needs root\n",
	    format_list(list, sizeof(list)));
	for (i = 1; sink_registry[i] != NULL; i++)
		fprintf(fp, "  -%c, --%-16s%s\n", sink_registry[i]->letter,
		    sink_registry[i]->option, sink_registry[i]->help);
	usage_machine(fp);
	fprintf(fp, "  -h, --help            show this help and exit\n"
	    "  -V, --version         show the version and exit\n"
	    "\n"
	    "Columns: %s\n"
	    "Default: addr,pfn,soft-dirty,file,swapped,present,name\n"
	    "kflags, kflags-hex, mapcount, cgroup and folio* read /proc/kpage*.\n"
	    "PFNs need root (CAP_SYS_ADMIN); see pagemap-dump(1).\n", names);
}

/* Sets why for an option getopt_long refused (c is ':' or '?'). */
static void
refused(int c, char **argv, char *why, size_t whylen)
{
	char q[ESCAPE_QUOTE_SIZE], opt = (char)optopt;
	const char *arg = QUOTE(q, argv[optind - 1]);

	if (c == ':')
		snprintf(why, whylen, "option '%s' needs a value", arg);
	else if (optopt != 0 && strncmp(argv[optind - 1], "--", 2) == 0)
		/* A known long option given a value. */
		snprintf(why, whylen, "option '%s' takes no value", arg);
	else if (optopt != 0)
		snprintf(why, whylen, "unknown option '-%s'",
		    escape_quote(q, sizeof(q), &opt, 1));
	else
		snprintf(why, whylen, "unknown option '%s'", arg);
}

/* Takes -P, -S, and the value of -r, -a, -k, --pfn or --paddr. */
static enum options_result
filter_option(struct options *o, int c, const char *arg, char *why,
    size_t whylen)
{
	char q[ESCAPE_QUOTE_SIZE];
	uint64_t a, b;

	switch (c) {
	case 'P':
		o->filter.present = true;
		return OPTIONS_RUN;
	case 'S':
		o->filter.swapped = true;
		return OPTIONS_RUN;
	case 'r':
		if (options_parse_range(arg, &a, &b, why, whylen) != 0)
			return OPTIONS_USAGE;
		return filter_add_range(&o->filter, a, b) != 0 ?
		    OPTIONS_NOMEM : OPTIONS_RUN;
	case 'a':
		if (options_parse_address(arg, &a) != 0) {
			snprintf(why, whylen, "bad address '%s' (want hex)",
			    QUOTE(q, arg));
			return OPTIONS_USAGE;
		}
		return filter_add_address(&o->filter, a) != 0 ?
		    OPTIONS_NOMEM : OPTIONS_RUN;
	case OPT_PFN:
		if (strchr(arg, '-') != NULL) {
			if (options_parse_range(arg, &a, &b, why, whylen) != 0)
				return OPTIONS_USAGE;
		} else if (options_parse_address(arg, &a) == 0 &&
		    a < UINT64_MAX)
			b = a + 1;
		else {
			snprintf(why, whylen, "bad frame number '%s' (want "
			    "hex PFN or START-END)", QUOTE(q, arg));
			return OPTIONS_USAGE;
		}
		return filter_add_pfns(&o->filter, a, b) != 0 ?
		    OPTIONS_NOMEM : OPTIONS_RUN;
	case OPT_PADDR:
		if (options_parse_address(arg, &a) != 0) {
			snprintf(why, whylen, "bad physical address '%s' (want "
			    "hex)", QUOTE(q, arg));
			return OPTIONS_USAGE;
		}
		return filter_add_paddr(&o->filter, a) != 0 ?
		    OPTIONS_NOMEM : OPTIONS_RUN;
	default:	/* 'k' */
		if (kpage_parse_flags(arg, &o->filter.kflags_want,
		    &o->filter.kflags_refuse, why, whylen) != 0)
			return OPTIONS_USAGE;
		o->filter.kflags = true;
		return OPTIONS_RUN;
	}
}

/* Takes -o's value: a column list, or "help". */
static enum options_result
output_option(struct options *o, const char *arg, char *why, size_t whylen)
{
	if (strcmp(arg, "help") == 0) {
		o->column_help = true;
		return OPTIONS_RUN;
	}
	if (options_parse_columns(arg, o->cols, &o->ncols, why, whylen) != 0)
		return OPTIONS_USAGE;
	o->own_columns = true;
	return OPTIONS_RUN;
}

/*
 * Takes --by's value: page columns whose value a run of pages shares
 * (the registry's RUN_EQUAL), at most OPTIONS_MAX_KEYS.
 */
static enum options_result
by_option(struct options *o, const char *arg, char *why, size_t whylen)
{
	unsigned cols[FORMAT_MAX_COLUMNS];
	size_t n, i;

	if (arg[0] == '+') {
		snprintf(why, whylen, "--by takes a list of columns, without "
		    "'+'");
		return OPTIONS_USAGE;
	}
	if (options_parse_columns(arg, cols, &n, why, whylen) != 0)
		return OPTIONS_USAGE;
	for (i = 0; i < n; i++)
		if (column_table[cols[i]].run != RUN_EQUAL) {
			snprintf(why, whylen, "--by takes columns a page has "
			    "a value of its own in (such as folio, node, "
			    "file): not %s", column_table[cols[i]].name);
			return OPTIONS_USAGE;
		}
	if (n > OPTIONS_MAX_KEYS) {
		snprintf(why, whylen, "--by takes at most %d columns",
		    OPTIONS_MAX_KEYS);
		return OPTIONS_USAGE;
	}
	memcpy(o->keys, cols, n * sizeof(cols[0]));
	o->nkeys = n;
	return OPTIONS_RUN;
}

/* Takes -A, -v, -t or --sort. */
static enum options_result
machine_option(struct options *o, int c, const char *arg, char *why,
    size_t whylen)
{
	char q[ESCAPE_QUOTE_SIZE];

	if (c == 'A')
		o->all = true;
	else if (c == OPT_PHYSICAL)
		o->physical = true;
	else if (c == 'v')
		o->verbose = true;
	else if (c == 't')
		o->totals = true;
	else {
		o->sort = summary_column_find(arg);
		if (o->sort < 0 || summary_column_table[o->sort].value == NULL) {
			snprintf(why, whylen, "--sort takes a number column of "
			    "the summary (pid, pss-kib, rss-kib, ...): not "
			    "'%s'", escape_quote(q, sizeof(q), arg,
			    strnlen(arg, 32)));
			return OPTIONS_USAGE;
		}
	}
	return OPTIONS_RUN;
}

/*
 * --record, --replay, --diff, --watch and --count: what they name, and
 * for --watch and --count a number (seconds, a decimal fraction; count,
 * at least 1).
 */
static enum options_result
time_option(struct options *o, int c, const char *arg, char *why,
    size_t whylen)
{
	char q[ESCAPE_QUOTE_SIZE], *end;
	double v;

	if (c == OPT_RECORD || c == 'i' || c == OPT_DIFF) {
		if (*arg == '\0') {
			snprintf(why, whylen, "--%s needs a file name",
			    c == OPT_RECORD ? "record" : c == 'i' ? "replay" :
			    "diff");
			return OPTIONS_USAGE;
		}
		*(c == OPT_RECORD ? &o->record : c == 'i' ? &o->replay :
		    &o->diff) = arg;
		return OPTIONS_RUN;
	}
	errno = 0;
	v = strtod(arg, &end);
	if (errno != 0 || end == arg || *end != '\0' || !(v > 0) ||
	    v > (c == OPT_WATCH ? 86400 : 1e9) ||
	    (c == OPT_COUNT && v != (double)(long)v)) {
		snprintf(why, whylen, c == OPT_WATCH ? "--watch takes "
		    "seconds between readings, above 0 and at most 86400: not "
		    "'%s'" : "--count takes a whole number of readings, 1 or "
		    "more: not '%s'", escape_quote(q, sizeof(q), arg,
		    strnlen(arg, 32)));
		return OPTIONS_USAGE;
	}
	if (c == OPT_WATCH)
		o->watch = v;
	else
		o->count = (long)v;
	return OPTIONS_RUN;
}

static enum options_result view_option(struct options *o, int c,
    char **argv, char *why, size_t whylen);

/* --unicode and --color[=WHEN]: how --bars draws; --svg FILE. */
static enum options_result
look_option(struct options *o, int c, const char *arg, char *why,
    size_t whylen)
{
	char q[ESCAPE_QUOTE_SIZE];

	if (c == OPT_UNICODE) {
		o->unicode = true;
		return OPTIONS_RUN;
	}
	if (c == OPT_SVG) {
		if (*arg == '\0') {
			snprintf(why, whylen, "--svg needs a file name");
			return OPTIONS_USAGE;
		}
		o->svg = arg;
		return view_option(o, c, NULL, why, whylen);
	}
	if (arg == NULL || strcmp(arg, "auto") == 0)
		o->color = TERM_COLOR_AUTO;
	else if (strcmp(arg, "always") == 0)
		o->color = TERM_COLOR_ALWAYS;
	else if (strcmp(arg, "never") == 0)
		o->color = TERM_COLOR_NEVER;
	else {
		snprintf(why, whylen, "--color takes auto, always or never: "
		    "not '%s'", escape_quote(q, sizeof(q), arg,
		    strnlen(arg, 32)));
		return OPTIONS_USAGE;
	}
	return OPTIONS_RUN;
}

/* The options of drawing go with a view that draws, in text. */
static enum options_result
look_check(const struct options *o, char *why, size_t whylen)
{
	if ((o->unicode || o->color != TERM_COLOR_NEVER) &&
	    !o->sink->draws) {
		snprintf(why, whylen, "--unicode and --color are for --bars: "
		    "give them with it");
		return OPTIONS_USAGE;
	}
	if (o->svg != NULL && (o->unicode || o->color != TERM_COLOR_NEVER)) {
		snprintf(why, whylen, "--unicode and --color are for --bars, "
		    "not --svg");
		return OPTIONS_USAGE;
	}
	if (o->sink->draws && o->kind != FORMAT_TEXT) {
		snprintf(why, whylen, "--%s draws text: no --format with it",
		    o->sink->option);
		return OPTIONS_USAGE;
	}
	if (o->sink->draws && o->physical && o->svg == NULL) {
		snprintf(why, whylen, "--%s draws the mappings of processes: "
		    "not --physical", o->sink->option);
		return OPTIONS_USAGE;
	}
	return OPTIONS_RUN;
}

/* Takes one option; OPTIONS_RUN when parsing goes on. */
static enum options_result
take_option(struct options *o, int c, char **argv, char *why,
    size_t whylen)
{
	char q[ESCAPE_QUOTE_SIZE];

	switch (c) {
	case 'h':
	case 'V':
		*(c == 'h' ? &o->help : &o->version) = true;
		return OPTIONS_RUN;
	case 'o':
		return output_option(o, optarg, why, whylen);
	case 'b':
		return by_option(o, optarg, why, whylen);
	case 'f':
		if (format_kind_by_name(optarg, &o->kind) == 0)
			return OPTIONS_RUN;
		snprintf(why, whylen, "unknown format '%s' (valid: %s)",
		    escape_quote(q, sizeof(q), optarg, strnlen(optarg, 32)),
		    format_names());
		return OPTIONS_USAGE;
	case 'H':
		o->no_header = true;
		return OPTIONS_RUN;
	case 'A':
	case 'v':
	case 't':
	case OPT_SORT:
	case OPT_PHYSICAL:
		return machine_option(o, c, optarg, why, whylen);
	case OPT_RECORD:
	case 'i':
	case OPT_DIFF:
	case OPT_WATCH:
	case OPT_COUNT:
		return time_option(o, c, optarg, why, whylen);
	case OPT_UNICODE:
	case OPT_COLOR:
	case OPT_SVG:
		return look_option(o, c, optarg, why, whylen);
	case 'P':
	case 'S':
	case 'r':
	case 'a':
	case 'k':
	case OPT_PFN:
	case OPT_PADDR:
		return filter_option(o, c, optarg, why, whylen);
	case 'm':
		return filter_add_name(&o->filter, optarg) != 0 ?
		    OPTIONS_NOMEM : OPTIONS_RUN;
	}
	return view_option(o, c, argv, why, whylen);
}

/* A view's option (the registry's, or --svg), or one refused. */
static enum options_result
view_option(struct options *o, int c, char **argv, char *why, size_t whylen)
{
	if (c == OPT_SVG || (c != ':' && c != '?' &&
	    sink_by_letter(c) != NULL)) {
		const struct sink_ops *v = c == OPT_SVG ? &sink_svg :
		    sink_by_letter(c);
		if (o->sink != sink_registry[0] && o->sink != v) {
			snprintf(why, whylen, "--%s and --%s are two views: "
			    "give one", o->sink->option, v->option);
			return OPTIONS_USAGE;
		}
		o->sink = v;
		return OPTIONS_RUN;
	}
	refused(c, argv, why, whylen);
	return OPTIONS_USAGE;
}

void
options_pid_column(struct options *o)
{
	unsigned pid_col = (unsigned)column_find("pid", 3);
	size_t k;

	for (k = 0; k < o->ncols && o->cols[k] != pid_col; k++)
		;
	if (k == o->ncols && o->ncols < FORMAT_MAX_COLUMNS) {
		memmove(o->cols + 1, o->cols, o->ncols * sizeof(o->cols[0]));
		o->cols[0] = pid_col;
		o->ncols++;
	}
}

/* Whether a view, a filter or a format other than the default is asked. */
static bool
views_given(const struct options *o)
{
	const struct filter *f = &o->filter;

	return o->sink != sink_registry[0] || o->own_columns ||
	    o->kind != FORMAT_TEXT || o->nkeys > 0 || o->totals ||
	    o->sort >= 0 || f->nranges > 0 || f->naddrs > 0 ||
	    f->nnames > 0 || f->present || f->swapped || f->kflags ||
	    f->npfns > 0 || f->npaddrs > 0;
}

/* Says why in why; returns OPTIONS_USAGE. */
static enum options_result usage(char *why, size_t whylen, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

static enum options_result
usage(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return OPTIONS_USAGE;
}

/*
 * --record, --replay, --diff and --watch: one at a time, each with what
 * it takes. Sets *done when the pids are taken (--diff's B).
 */
static enum options_result
time_check(struct options *o, int argc, char **argv, char *why,
    size_t whylen, bool *done)
{
	int modes = (o->record != NULL) + (o->replay != NULL) +
	    (o->diff != NULL) + (o->watch > 0);
	const char *name = o->record ? "--record" : o->replay ? "--replay" :
	    o->diff ? "--diff" : "--watch";

	*done = false;
	if ((o->count > 0 && o->watch == 0) || modes > 1)
		return usage(why, whylen, "%s", modes > 1 ? "give one of "
		    "--record, --replay, --diff and --watch" : "--count ends "
		    "--watch: give it with --watch");
	if (modes == 0)
		return OPTIONS_RUN;
	if (o->physical && o->record == NULL)
		return usage(why, whylen, "%s: not with --physical", name);
	if (o->all && o->record == NULL)
		return usage(why, whylen, "%s: not with --all", name);
	if (o->replay == NULL && views_given(o))
		return usage(why, whylen, "%s takes no view, filter or format: "
		    "give them to --replay", name);
	if ((o->diff != NULL || o->watch > 0) && argc - optind != 1)
		return usage(why, whylen, "%s", o->diff != NULL ? "--diff A B: "
		    "give one B after A (a snapshot, or a pid)" : "--watch "
		    "reads one pid: give one");
	if (o->diff != NULL) {
		o->diff_b = argv[optind];
		*done = true;
	}
	return OPTIONS_RUN;
}

/* Takes the pids; rows of several processes say whose they are. */
static enum options_result
take_pids(struct options *o, int argc, char **argv, char *why,
    size_t whylen)
{
	unsigned pid_col = (unsigned)column_find("pid", 3);
	char q[ESCAPE_QUOTE_SIZE];
	size_t k;
	int i;

	o->pids = calloc((size_t)(argc - optind), sizeof(*o->pids));
	if (o->pids == NULL)
		return OPTIONS_NOMEM;
	for (i = optind; i < argc; i++) {
		pid_t pid = options_parse_pid(argv[i], o->pid_max);
		if (pid < 0) {
			snprintf(why, whylen,
			    "'%s' is not a pid (a number from 1 to %ld "
			    "without leading zeros, or 'self')",
			    QUOTE(q, argv[i]), o->pid_max);
			return OPTIONS_USAGE;
		}
		o->pids[o->npids++] = pid;
	}
	if (o->npids > 1) {
		for (k = 0; k < o->ncols && o->cols[k] != pid_col; k++)
			;
		if (k == o->ncols && o->ncols < FORMAT_MAX_COLUMNS) {
			memmove(o->cols + 1, o->cols,
			    o->ncols * sizeof(o->cols[0]));
			o->cols[0] = pid_col;
			o->ncols++;
		}
	}
	return OPTIONS_RUN;
}

/*
 * -A: every process, so no pid; and not -a, whose addresses belong to
 * one process. The pid column comes first, as with several pids.
 */
static enum options_result
all_option(struct options *o, int argc, char *why, size_t whylen)
{
	unsigned pid_col = (unsigned)column_find("pid", 3);
	size_t k;

	if (optind < argc) {
		snprintf(why, whylen, "--all reads every process: give no pid "
		    "with it");
		return OPTIONS_USAGE;
	}
	if (o->filter.naddrs > 0) {
		snprintf(why, whylen, "--address names a page of one process: "
		    "not with --all");
		return OPTIONS_USAGE;
	}
	for (k = 0; k < o->ncols && o->cols[k] != pid_col; k++)
		;
	if (k == o->ncols && o->ncols < FORMAT_MAX_COLUMNS) {
		memmove(o->cols + 1, o->cols, o->ncols * sizeof(o->cols[0]));
		o->cols[0] = pid_col;
		o->ncols++;
	}
	return OPTIONS_RUN;
}

/*
 * --physical [PFN[-END]]: frames, not processes: no pid, -A or -a, at
 * most one range of frames (hex, END excluded), and by default the
 * columns pfn and kflags. The picture (--svg) takes -A: the frames of
 * every process.
 */
static enum options_result
physical_option(struct options *o, int argc, char **argv, char *why,
    size_t whylen)
{
	char q[ESCAPE_QUOTE_SIZE];
	const char *arg = optind < argc ? argv[optind] : NULL;

	if ((o->all && o->svg == NULL) || o->filter.naddrs > 0 ||
	    optind + 1 < argc) {
		snprintf(why, whylen, "--physical reads frames: no pid, -A or "
		    "-a with it (but -A with --svg), and one range of frames "
		    "at most");
		return OPTIONS_USAGE;
	}
	if (arg != NULL && (strchr(arg, '-') != NULL ?
	    options_parse_range(arg, &o->pfn_start, &o->pfn_end, why,
	    whylen) != 0 : options_parse_address(arg, &o->pfn_start) != 0 ||
	    (o->pfn_end = o->pfn_start + 1) == 0)) {
		if (strchr(arg, '-') == NULL)
			snprintf(why, whylen, "bad frame number '%s' (want hex "
			    "PFN or START-END)", QUOTE(q, arg));
		return OPTIONS_USAGE;
	}
	if (!o->own_columns) {
		o->cols[0] = (unsigned)column_find("pfn", 3);
		o->cols[1] = (unsigned)column_find("kflags", 6);
		o->ncols = 2;
	}
	return OPTIONS_RUN;
}

enum options_result
options_parse(struct options *o, int argc, char **argv, char *why,
    size_t whylen)
{
	char shorts[sizeof(base_short_options) + MAX_SINKS];
	struct option longs[NBASE + MAX_SINKS + 1];
	enum options_result r;
	bool done;
	int c;

	make_options(shorts, sizeof(shorts), longs);
	optind = 0;	/* a full reset, so the parser can run again */
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		r = take_option(o, c, argv, why, whylen);
		if (r != OPTIONS_RUN)
			return r;
	}
	if (o->help || o->version || o->column_help)
		return OPTIONS_EXIT;
	r = time_check(o, argc, argv, why, whylen, &done);
	if (r != OPTIONS_RUN || done)
		return r;
	if (!o->all && !o->physical && o->replay == NULL && optind >= argc) {
		snprintf(why, whylen, "no pid given");
		return OPTIONS_USAGE;
	}
	if (o->nkeys > 0 && !o->sink->takes_keys) {
		snprintf(why, whylen, "--by splits the rows of --summary: "
		    "give it with --summary");
		return OPTIONS_USAGE;
	}
	if ((o->totals || o->sort >= 0) && !o->sink->takes_keys) {
		snprintf(why, whylen, "--totals and --sort are of --summary: "
		    "give them with --summary");
		return OPTIONS_USAGE;
	}
	if (o->sort >= 0 && !o->totals) {
		snprintf(why, whylen, "--sort orders the rows of --totals: "
		    "give it with --totals");
		return OPTIONS_USAGE;
	}
	if (o->sink->own_columns && o->own_columns) {
		snprintf(why, whylen, "--%s has its own columns: no "
		    "--output with it", o->sink->option);
		return OPTIONS_USAGE;
	}
	if (look_check(o, why, whylen) != OPTIONS_RUN)
		return OPTIONS_USAGE;
	if (o->physical)
		return physical_option(o, argc, argv, why, whylen);
	if (o->all)
		return all_option(o, argc, why, whylen);
	return take_pids(o, argc, argv, why, whylen);
}

void
options_free(struct options *o)
{
	free(o->pids);
	o->pids = NULL;
	o->npids = 0;
	filter_free(&o->filter);
}
