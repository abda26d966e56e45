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

/*
 * The run's objects, held from here too: a run that SIGPIPE ends (| head)
 * dies with them allocated, and memcheck found the dump lost when its
 * only pointer was in a register (CI's valgrind run of a README example).
 */
static struct {
	struct format *volatile format;	/* volatile: stores kept */
	struct dump *volatile dump;
} live;

/* Dumps each pid of the options (or the captured process); the status. */
static int
dump_all(struct dump *d, const struct options *opts,
    const struct app_captured *cap)
{
	int status = 0;
	size_t i;

	for (i = 0; i < opts->npids; i++) {
		enum dump_status s = cap != NULL ? dump_files(d, &cap->files) :
		    dump_pid(d, opts->pids[i]);
		if (s == DUMP_OUTPUT_ERROR)
			break;
		if (s == DUMP_FAILED)
			status = 1;
	}
	return status;
}

int
app_run(struct options *opts, const struct app_captured *cap)
{
	struct pagemap_swap_layout layout;
	struct format *format;
	struct dump_config c;
	struct out out;
	struct dump *d = NULL;
	int status = 1;

	memset(&out, 0, sizeof(out));
	format = live.format = format_new(opts->kind, opts->cols, opts->ncols);
	if (format == NULL ||
	    filter_prepare(&opts->filter, dump_page_size()) != 0 ||
	    out_init(&out, STDOUT_FILENO, OUT_BUFFER) != 0) {
		warn("setting up");
		goto done;
	}
	if (cap != NULL)
		layout = cap->layout;
	else
		pagemap_swap_layout_detect(&layout);
	pagemap_set_swap_layout(&layout);
	c = (struct dump_config){ format, &out, &opts->filter, opts->sink,
	    opts->cols, opts->ncols, opts->kind, opts->no_header ||
	    !format_has_header(format), opts->npids > 1, cap != NULL,
	    cap != NULL ? cap->kpage_dirfd : -1, opts->keys, opts->nkeys };
	d = live.dump = dump_new(&c);
	if (d == NULL)
		goto done;
	status = dump_all(d, opts, cap);
	if (out.error == 0)
		out_flush(&out);
	if (out.error != 0) {
		errno = out.error;
		warn("write to stdout");
		status = 1;
	}
done:
	dump_free(d);
	out_free(&out);
	format_free(format);
	live.dump = NULL;
	live.format = NULL;
	return status;
}
