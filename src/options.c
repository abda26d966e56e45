/*
 * options: command-line parsing with getopt_long.
 */
#include "options.h"

#include "kpage.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char short_options[] = ":hVo:f:HPSsr:m:a:k:";

static const struct option long_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "output", required_argument, NULL, 'o' },
	{ "format", required_argument, NULL, 'f' },
	{ "no-header", no_argument, NULL, 'H' },
	{ "present", no_argument, NULL, 'P' },
	{ "swapped", no_argument, NULL, 'S' },
	{ "summary", no_argument, NULL, 's' },
	{ "range", required_argument, NULL, 'r' },
	{ "map", required_argument, NULL, 'm' },
	{ "address", required_argument, NULL, 'a' },
	{ "kflags", required_argument, NULL, 'k' },
	{ NULL, 0, NULL, 0 },
};

void
options_init(struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->pid_max = OPTIONS_PID_LIMIT;
	memcpy(o->cols, format_default_columns,
	    format_default_ncolumns * sizeof(o->cols[0]));
	o->ncols = format_default_ncolumns;
	o->kind = FORMAT_TEXT;
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
	for (i = 0; i < COL_COUNT && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
		    i > 0 ? "," : "", format_column_name(i));
}

int
options_parse_columns(const char *list, enum format_column *cols,
    size_t *ncols, char *why, size_t whylen)
{
	const char *p = list, *comma;
	size_t n = 0;
	int col;

	if (*p == '+') {
		memcpy(cols, format_default_columns,
		    format_default_ncolumns * sizeof(*cols));
		n = format_default_ncolumns;
		p++;
	}
	for (;;) {
		comma = strchr(p, ',');
		size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		col = format_column_by_name(p, len);
		if (col < 0) {
			char names[512];
			column_names(names, sizeof(names));
			snprintf(why, whylen, "unknown column '%.*s' (valid: %s)",
			    (int)(len > 64 ? 64 : len), p, names);
			return -1;
		}
		if (n == FORMAT_MAX_COLUMNS) {
			snprintf(why, whylen, "more than %d columns",
			    FORMAT_MAX_COLUMNS);
			return -1;
		}
		cols[n++] = (enum format_column)col;
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

	if (parse_hex(&p, '-', start) != 0 || *p != '-') {
		snprintf(why, whylen, "bad range '%.64s' (want START-END in "
		    "hex)", text);
		return -1;
	}
	p++;
	if (parse_hex(&p, '\0', end) != 0 || *p != '\0') {
		snprintf(why, whylen, "bad range '%.64s' (want START-END in "
		    "hex)", text);
		return -1;
	}
	if (*start >= *end) {
		snprintf(why, whylen, "bad range '%.64s': START must be below "
		    "END", text);
		return -1;
	}
	return 0;
}

void
options_usage(FILE *fp, bool full)
{
	char names[512];

	fputs("usage: pagemap-dump [-hHPSsV] [-a addr] [-f format] "
	    "[-k flags] [-m name]\n"
	    "                    [-o list] [-r start-end] pid|self ...\n", fp);
	if (!full)
		return;
	column_names(names, sizeof(names));
	fprintf(fp, "\n"
	    "Print one row per virtual page of a process: its address, the\n"
	    "physical frame behind it and its pagemap flags.\n"
	    "\n"
	    "  -o, --output LIST     columns to print, comma-separated; +LIST\n"
	    "                        adds to the default columns\n"
	    "  -f, --format FORMAT   text (default), tsv, csv or json\n"
	    "  -H, --no-header       no header line\n"
	    "  -r, --range START-END only pages in [START, END) (hex)\n"
	    "  -m, --map NAME        only mappings whose name contains NAME\n"
	    "  -a, --address ADDR    only the page holding ADDR (virt-to-phys)\n"
	    "  -P, --present         only present pages\n"
	    "  -S, --swapped         only pages in swap (not markers)\n"
	    "  -k, --kflags LIST     only present pages with all these page\n"
	    "                        flags (~flag: without it); needs root\n"
	    "  -s, --summary         one row per mapping, and a total\n"
	    "  -h, --help            show this help and exit\n"
	    "  -V, --version         show the version and exit\n"
	    "\n"
	    "Columns: %s\n"
	    "Default: addr,pfn,soft-dirty,file,swapped,present,name\n"
	    "kflags, kflags-hex, mapcount and cgroup read /proc/kpage*.\n"
	    "PFNs need root (CAP_SYS_ADMIN); see pagemap-dump(1).\n", names);
}

enum options_result
options_parse(struct options *o, int argc, char **argv, char *why,
    size_t whylen)
{
	uint64_t a, b;
	bool own_columns = false;
	int c, i;
	size_t k;

	optind = 0;	/* a full reset, so the parser can run again */
	opterr = 0;
	while ((c = getopt_long(argc, argv, short_options, long_options,
	    NULL)) != -1) {
		switch (c) {
		case 'h':
			o->help = true;
			break;
		case 'V':
			o->version = true;
			break;
		case 'o':
			if (options_parse_columns(optarg, o->cols, &o->ncols,
			    why, whylen) != 0)
				return OPTIONS_USAGE;
			own_columns = true;
			break;
		case 'f':
			if (format_kind_by_name(optarg, &o->kind) != 0) {
				snprintf(why, whylen, "unknown format '%.32s' "
				    "(valid: text,tsv,csv,json)", optarg);
				return OPTIONS_USAGE;
			}
			break;
		case 'H':
			o->no_header = true;
			break;
		case 'P':
			o->filter.present = true;
			break;
		case 'S':
			o->filter.swapped = true;
			break;
		case 's':
			o->summary = true;
			break;
		case 'r':
			if (options_parse_range(optarg, &a, &b, why,
			    whylen) != 0)
				return OPTIONS_USAGE;
			if (filter_add_range(&o->filter, a, b) != 0)
				return OPTIONS_NOMEM;
			break;
		case 'm':
			if (filter_add_name(&o->filter, optarg) != 0)
				return OPTIONS_NOMEM;
			break;
		case 'a':
			if (options_parse_address(optarg, &a) != 0) {
				snprintf(why, whylen, "bad address '%.64s' "
				    "(want hex)", optarg);
				return OPTIONS_USAGE;
			}
			if (filter_add_address(&o->filter, a) != 0)
				return OPTIONS_NOMEM;
			break;
		case 'k':
			if (kpage_parse_flags(optarg, &o->filter.kflags_want,
			    &o->filter.kflags_refuse, why, whylen) != 0)
				return OPTIONS_USAGE;
			o->filter.kflags = true;
			break;
		case ':':
			snprintf(why, whylen, "option '%s' needs a value",
			    argv[optind - 1]);
			return OPTIONS_USAGE;
		default:
			if (optopt != 0 &&
			    strncmp(argv[optind - 1], "--", 2) == 0)
				/* A known long option given a value. */
				snprintf(why, whylen, "option '%.64s' takes no "
				    "value", argv[optind - 1]);
			else if (optopt != 0)
				snprintf(why, whylen, "unknown option '-%c'",
				    optopt);
			else
				snprintf(why, whylen, "unknown option '%.64s'",
				    argv[optind - 1]);
			return OPTIONS_USAGE;
		}
	}
	if (o->help || o->version)
		return OPTIONS_EXIT;
	if (optind >= argc) {
		snprintf(why, whylen, "no pid given");
		return OPTIONS_USAGE;
	}
	if (o->summary && own_columns) {
		snprintf(why, whylen, "--summary has its own columns: no "
		    "--output with it");
		return OPTIONS_USAGE;
	}
	o->pids = calloc((size_t)(argc - optind), sizeof(*o->pids));
	if (o->pids == NULL)
		return OPTIONS_NOMEM;
	for (i = optind; i < argc; i++) {
		pid_t pid = options_parse_pid(argv[i], o->pid_max);
		if (pid < 0) {
			snprintf(why, whylen,
			    "'%.64s' is not a pid (a number from 1 to %ld "
			    "without leading zeros, or 'self')", argv[i],
			    o->pid_max);
			return OPTIONS_USAGE;
		}
		o->pids[o->npids++] = pid;
	}
	/* Rows of several processes say whose they are. */
	if (o->npids > 1) {
		for (k = 0; k < o->ncols && o->cols[k] != COL_PID; k++)
			;
		if (k == o->ncols && o->ncols < FORMAT_MAX_COLUMNS) {
			memmove(o->cols + 1, o->cols,
			    o->ncols * sizeof(o->cols[0]));
			o->cols[0] = COL_PID;
			o->ncols++;
		}
	}
	return OPTIONS_RUN;
}

void
options_free(struct options *o)
{
	free(o->pids);
	o->pids = NULL;
	o->npids = 0;
	filter_free(&o->filter);
}
