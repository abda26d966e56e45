/*
 * options: command-line parsing with getopt_long.
 */
#include "options.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct option long_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

void
options_init(struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->pid_max = OPTIONS_PID_LIMIT;
}

pid_t
options_parse_pid(const char *text, long pid_max)
{
	long v = 0;
	const char *p;

	if (strcmp(text, "self") == 0)
		return getpid();
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

void
options_usage(FILE *fp, bool full)
{
	fputs("usage: pagemap-dump [-hV] pid|self\n", fp);
	if (!full)
		return;
	fputs("\n"
	    "Print one row per virtual page of a process: its address, the\n"
	    "physical frame behind it and its pagemap flags.\n"
	    "\n"
	    "  -h, --help     show this help and exit\n"
	    "  -V, --version  show the version and exit\n"
	    "\n"
	    "Columns: addr pfn soft-dirty file/shared swapped present library\n"
	    "PFNs need root (CAP_SYS_ADMIN); see pagemap-dump(1).\n", fp);
}

enum options_result
options_parse(struct options *o, int argc, char **argv, char *why,
    size_t whylen)
{
	int c, i;

	optind = 0;	/* a full reset, so the parser can run again */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+hV", long_options, NULL)) != -1) {
		switch (c) {
		case 'h':
			o->help = true;
			break;
		case 'V':
			o->version = true;
			break;
		default:
			if (optopt != 0)
				snprintf(why, whylen, "unknown option '-%c'",
				    optopt);
			else
				snprintf(why, whylen, "unknown option '%s'",
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
	if (argc - optind > 1) {
		snprintf(why, whylen, "one pid only, got %d", argc - optind);
		return OPTIONS_USAGE;
	}
	o->pids = calloc((size_t)(argc - optind), sizeof(*o->pids));
	if (o->pids == NULL)
		return OPTIONS_NOMEM;
	for (i = optind; i < argc; i++) {
		pid_t pid = options_parse_pid(argv[i], o->pid_max);
		if (pid < 0) {
			snprintf(why, whylen,
			    "'%.64s' is not a pid (a number from 1 to %ld, or "
			    "'self')", argv[i], o->pid_max);
			return OPTIONS_USAGE;
		}
		o->pids[o->npids++] = pid;
	}
	return OPTIONS_RUN;
}

void
options_free(struct options *o)
{
	free(o->pids);
	o->pids = NULL;
	o->npids = 0;
}
