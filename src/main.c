/*
 * pagemap-dump: one row per virtual page of a process.
 *
 * main parses the options and hands them to app, which runs the dump.
 */
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "column.h"
#include "options.h"

/* The running kernel's pid_max, or the hard limit when it cannot be read. */
static long
read_pid_max(void)
{
	FILE *fp = fopen("/proc/sys/kernel/pid_max", "re");
	long v = OPTIONS_PID_LIMIT;

	if (fp != NULL) {
		if (fscanf(fp, "%ld", &v) != 1 || v <= 0)
			v = OPTIONS_PID_LIMIT;
		fclose(fp);
	}
	return v;
}

int
main(int argc, char **argv)
{
	struct options opts;
	char why[1024];
	int status;

	options_init(&opts);
	opts.pid_max = read_pid_max();
	switch (options_parse(&opts, argc, argv, why, sizeof(why))) {
	case OPTIONS_USAGE:
		fprintf(stderr, "pagemap-dump: %s\n", why);
		options_usage(stderr, false);
		options_free(&opts);
		return 2;
	case OPTIONS_NOMEM:
		options_free(&opts);
		errx(1, "out of memory");
	case OPTIONS_EXIT:
		if (opts.help)
			options_usage(stdout, true);
		else if (opts.column_help)
			column_help(stdout);
		else
			printf("pagemap-dump %s\n", PAGEMAP_DUMP_VERSION);
		options_free(&opts);
		if (fflush(stdout) != 0 || ferror(stdout))
			err(1, "write to stdout");
		return 0;
	case OPTIONS_RUN:
		break;
	}
	/* A reader that goes away (| head) ends us quietly, as it does cat. */
	signal(SIGPIPE, SIG_DFL);
	status = app_run(&opts, NULL);
	options_free(&opts);
	return status;
}
