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

/* Which /proc/kpage* files the columns and -k need. */
static void
kpage_wanted(const struct options *o, bool *flags, bool *count,
    bool *cgroup)
{
	size_t i;

	*flags = o->filter.kflags;
	*count = *cgroup = false;
	for (i = 0; i < o->ncols && !o->summary; i++) {
		*flags |= o->cols[i] == COL_KFLAGS ||
		    o->cols[i] == COL_KFLAGS_HEX;
		*count |= o->cols[i] == COL_MAPCOUNT;
		*cgroup |= o->cols[i] == COL_CGROUP;
	}
}

/* Dumps the processes of the options; returns the exit status. */
static int
run(struct options *opts)
{
	struct format format;
	struct out out;
	struct dump dump;
	bool flags, count, cgroup;
	int status = 1;
	size_t i;

	/* Zeroed, so that everything can be freed from any point on. */
	memset(&format, 0, sizeof(format));
	memset(&out, 0, sizeof(out));
	memset(&dump, 0, sizeof(dump));
	if (format_init(&format, opts->kind, opts->cols, opts->ncols) != 0 ||
	    filter_prepare(&opts->filter, dump_page_size()) != 0 ||
	    out_init(&out, STDOUT_FILENO, OUT_BUFFER) != 0 ||
	    dump_init(&dump, &format, &out, &opts->filter, opts->summary,
	    opts->no_header || opts->kind == FORMAT_JSON) != 0) {
		warn("setting up");
		goto done;
	}
	format.summary_pid = opts->npids > 1;
	kpage_wanted(opts, &flags, &count, &cgroup);
	if (dump_open_kpage(&dump, flags, count, cgroup, opts->summary) != 0)
		goto done;
	format.summary_pss = dump.pss;
	format.summary_pss_class = dump.kflags_fd >= 0;
	format.summary_scan = dump.scan_works;
	status = 0;
	for (i = 0; i < opts->npids; i++) {
		enum dump_status s = dump_pid(&dump, opts->pids[i]);
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
done:
	dump_close_kpage(&dump);
	out_free(&out);
	format_free(&format);
	return status;
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
	status = run(&opts);
	options_free(&opts);
	return status;
}
