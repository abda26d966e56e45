/*
 * app: the options, run: the modules set up as they ask, and every
 * process dumped.
 */
#include "app.h"

#include <err.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "dump.h"
#include "filter.h"
#include "format.h"
#include "out.h"

#define OUT_BUFFER (256 * 1024)

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

int
app_run(struct options *opts, const struct app_captured *cap)
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
	if (cap != NULL) {
		dump_use_captured(&dump, cap->kpage_dirfd);
		pagemap_set_swap_layout(&cap->layout);
	}
	kpage_wanted(opts, &flags, &count, &cgroup);
	if (dump_open_kpage(&dump, flags, count, cgroup, opts->summary) != 0)
		goto done;
	format.summary_pss = dump.pss;
	format.summary_pss_class = dump.kflags_fd >= 0;
	format.summary_scan = dump.scan_works;
	status = 0;
	for (i = 0; i < opts->npids; i++) {
		enum dump_status s = cap != NULL ?
		    dump_files(&dump, &cap->files) :
		    dump_pid(&dump, opts->pids[i]);
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

