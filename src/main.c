/*
 * pagemap-dump: one row per virtual page of a process.
 *
 * main only wires the options to the modules: see options, dump, format.
 */
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dump.h"
#include "filter.h"
#include "format.h"
#include "options.h"
#include "out.h"

#define OUT_BUFFER (256 * 1024)

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
	struct format format;
	struct out out;
	struct dump dump;
	char why[1024];
	int status = 0;
	size_t i;

	options_init(&opts);
	opts.pid_max = read_pid_max();
	switch (options_parse(&opts, argc, argv, why, sizeof(why))) {
	case OPTIONS_USAGE:
		fprintf(stderr, "pagemap-dump: %s\n", why);
		options_usage(stderr, false);
		return 2;
	case OPTIONS_NOMEM:
		errx(1, "out of memory");
	case OPTIONS_EXIT:
		if (opts.help)
			options_usage(stdout, true);
		else
			printf("pagemap-dump %s\n", PAGEMAP_DUMP_VERSION);
		if (fflush(stdout) != 0 || ferror(stdout))
			err(1, "write to stdout");
		return 0;
	case OPTIONS_RUN:
		break;
	}
	/* A reader that goes away (| head) ends us quietly, as it does cat. */
	signal(SIGPIPE, SIG_DFL);
	if (format_init(&format, opts.kind, opts.cols, opts.ncols) != 0 ||
	    filter_prepare(&opts.filter, dump_page_size()) != 0 ||
	    out_init(&out, STDOUT_FILENO, OUT_BUFFER) != 0 ||
	    dump_init(&dump, &format, &out, &opts.filter, opts.summary,
	    opts.no_header || opts.kind == FORMAT_JSON) != 0)
		err(1, "setting up");
	format.summary_pid = opts.npids > 1;
	{
		bool flags = opts.filter.kflags, count = false, cgroup = false;
		for (i = 0; i < opts.ncols && !opts.summary; i++) {
			flags |= opts.cols[i] == COL_KFLAGS ||
			    opts.cols[i] == COL_KFLAGS_HEX;
			count |= opts.cols[i] == COL_MAPCOUNT;
			cgroup |= opts.cols[i] == COL_CGROUP;
		}
		if (dump_open_kpage(&dump, flags, count, cgroup,
		    opts.summary) != 0)
			return 1;
		format.summary_pss = dump.pss;
	}
	for (i = 0; i < opts.npids; i++) {
		enum dump_status s = dump_pid(&dump, opts.pids[i]);
		if (s == DUMP_OUTPUT_ERROR)
			break;
		if (s == DUMP_FAILED)
			status = 1;
	}
	if (out.error == 0)
		out_flush(&out);
	if (out.error != 0) {
		errno = out.error;
		warn("write to stdout");
		status = 1;
	}
	dump_close_kpage(&dump);
	out_free(&out);
	format_free(&format);
	options_free(&opts);
	return status;
}
