/*
 * app: the options, run: the modules set up as they ask, and every
 * process dumped.
 */
#include "app.h"

#include <ctype.h>
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "diff.h"
#include "dump.h"
#include "filter.h"
#include "format.h"
#include "out.h"
#include "record.h"
#include "replay.h"
#include "term.h"

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

/*
 * Dumps each pid of the options (or the captured process in place of each,
 * or a snapshot's processes); the status.
 */
static int
dump_all(struct dump *d, const struct options *opts,
    const struct app_captured *cap)
{
	size_t n = cap != NULL && cap->procs != NULL ? cap->nprocs :
	    opts->npids, i;
	int status = 0;

	for (i = 0; i < n; i++) {
		enum dump_status s = cap == NULL ? dump_pid(d, opts->pids[i]) :
		    dump_files(d, cap->procs != NULL ? &cap->procs[i] :
		    &cap->files);
		if (s == DUMP_OUTPUT_ERROR)
			break;
		if (s == DUMP_FAILED)
			status = 1;
	}
	return status;
}

/* Orders pids ascending. */
static int
by_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The processes of /proc (its numbered entries: thread-group leaders),
 * ascending, but this one. Returns them (to be freed), or NULL with *n
 * 0 when /proc cannot be read (reported).
 */
static pid_t *
proc_pids(size_t *n)
{
	char self[32] = "";
	ssize_t len = readlink("/proc/self", self, sizeof(self) - 1);
	pid_t *v = NULL, *grown, me;
	size_t cap = 0;
	DIR *dir = opendir("/proc");
	struct dirent *e;

	self[len > 0 ? len : 0] = '\0';
	me = (pid_t)atoi(self);	/* in the namespace of /proc */
	*n = 0;
	if (dir == NULL) {
		warn("/proc");
		return NULL;
	}
	while ((e = readdir(dir)) != NULL) {
		pid_t pid = isdigit((unsigned char)e->d_name[0]) ?
		    (pid_t)atoi(e->d_name) : 0;
		if (pid <= 0 || pid == me)
			continue;
		if (*n == cap) {
			cap = cap * 2 + 256;
			grown = realloc(v, cap * sizeof(*v));
			if (grown == NULL) {
				warn("/proc");
				free(v);
				closedir(dir);
				*n = 0;
				return NULL;
			}
			v = grown;
		}
		v[(*n)++] = pid;
	}
	closedir(dir);
	qsort(v, *n, sizeof(*v), by_pid);
	return v;
}

/* What --all met, by dump_why. */
struct all_counts {
	size_t n[DUMP_WHY_OTHER + 1];
};

/*
 * Says what --all could not read: permission denied once, for them all;
 * with verbose, what it skipped. Returns the exit status: 1 only for a
 * failure of another kind (said when it happened), as --all reads the
 * processes it may read.
 */
static int
all_report(const struct all_counts *c, bool verbose)
{
	if (c->n[DUMP_WHY_DENIED] > 0)
		warnx("--all: %zu process%s could not be read: permission "
		    "denied (%s)", c->n[DUMP_WHY_DENIED],
		    c->n[DUMP_WHY_DENIED] == 1 ? "" : "es", geteuid() == 0 ?
		    "even to root: they may hold capabilities this one lacks, "
		    "or a security module refuses ptrace access" :
		    "run as root: it needs ptrace access to them");
	if (verbose)
		warnx("--all: %zu processes read; skipped %zu kernel threads, "
		    "%zu zombies and %zu that exited or exec'd while read",
		    c->n[DUMP_WHY_NONE], c->n[DUMP_WHY_KTHREAD],
		    c->n[DUMP_WHY_ZOMBIE], c->n[DUMP_WHY_GONE]);
	return c->n[DUMP_WHY_OTHER] > 0;
}

/*
 * --all: every process but this one, each staged in a memfd and sent on
 * only when read whole, so that one that exits or exec'd leaves no row.
 */
static int
dump_every(struct dump *d, struct out *out, bool verbose)
{
	struct all_counts c;
	enum dump_status s = DUMP_OK;
	int stage = memfd_create("pagemap-dump", MFD_CLOEXEC);
	size_t n, i;
	pid_t *pids = stage >= 0 ? proc_pids(&n) : NULL;

	memset(&c, 0, sizeof(c));
	if (stage < 0)
		warn("--all: memfd_create");
	if (pids == NULL) {
		if (stage >= 0)
			close(stage);
		return 1;
	}
	dump_set_quiet(d, true);
	s = dump_header(d);
	for (i = 0; i < n && s != DUMP_OUTPUT_ERROR; i++) {
		if (out_stage(out, stage) != 0)
			break;
		s = dump_pid(d, pids[i]);
		c.n[dump_why(d)]++;
		if (out_unstage(out, s == DUMP_OK) != 0)
			s = DUMP_OUTPUT_ERROR;
	}
	free(pids);
	close(stage);
	return all_report(&c, verbose) || s == DUMP_OUTPUT_ERROR;
}

/*
 * --physical: the frames asked for, or all of them, into *start and
 * *end. Returns 0, or -1 (said).
 */
static int
frame_range(const struct options *opts, uint64_t *start, uint64_t *end)
{
	uint64_t last = dump_physical_end();

	if (last == 0)
		return -1;
	*start = opts->pfn_start;
	*end = opts->pfn_end == 0 || opts->pfn_end > last ? last :
	    opts->pfn_end;
	if (*start >= *end) {
		warnx("--physical: no frame from %llx on (the last is %llx)",
		    (unsigned long long)*start,
		    (unsigned long long)(last - 1));
		return -1;
	}
	return 0;
}

/*
 * The frames --physical walks or draws, into *start and *end: those of
 * the capture, or of the options (0 and 0 without --physical). Returns
 * 0, or -1 (said).
 */
static int
frames_of(const struct options *opts, const struct app_captured *cap,
    uint64_t *start, uint64_t *end)
{
	*start = *end = 0;
	if (cap != NULL && cap->physical) {
		*start = cap->pfn_start;
		*end = cap->pfn_end;
		return 0;
	}
	return opts->physical && cap == NULL ? frame_range(opts, start, end) :
	    0;
}

/*
 * The view: the one the options chose, but for a picture of physical
 * memory (--svg with --physical), which draws frames: by kind, or with
 * --all by the processes that map them.
 */
static const struct sink_ops *
view_of(const struct options *opts)
{
	if (opts->svg == NULL || !opts->physical)
		return opts->sink;
	return opts->all ? &sink_frames_owners : &sink_frames;
}

/* The dump's configuration, from the options (and a capture, or NULL). */
static struct dump_config
dump_config_of(const struct options *opts, const struct app_captured *cap,
    struct format *format, struct out *out, int fd)
{
	/* Owners of frames are read from processes, not from frames. */
	bool frames = opts->physical && !opts->all;

	return (struct dump_config){ format, out, &opts->filter, view_of(opts),
	    opts->cols, opts->ncols, opts->kind, opts->no_header ||
	    !format_has_header(format), opts->npids > 1 || opts->all ||
	    (cap != NULL && cap->nprocs > 1), cap != NULL,
	    cap != NULL ? cap->kpage_dirfd : -1, opts->keys, opts->nkeys,
	    opts->totals, opts->sort, frames,
	    cap != NULL ? cap->kpage_fds : NULL,
	    cap != NULL && cap->scan_emulated, { term_width(fd),
	    opts->unicode, term_color(fd, opts->color), 0, 0 } };
}

/* --svg FILE: the file open in *fd (-1 for "-", stdout). */
static int
open_picture(const struct options *opts, int *fd)
{
	*fd = -1;
	if (opts->svg == NULL || strcmp(opts->svg, "-") == 0)
		return 0;
	*fd = open(opts->svg, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (*fd < 0) {
		warn("%s", opts->svg);
		return -1;
	}
	return 0;
}

/*
 * What the options ask to walk: frames (--physical), every process (-A)
 * or those given, or those captured. Returns the exit status.
 */
static int
walk_all(struct dump *d, const struct options *opts,
    const struct app_captured *cap, const struct dump_config *c)
{
	if (opts->physical && !opts->all)
		return dump_physical(d, c->look.pfn_start, c->look.pfn_end) ==
		    DUMP_OK ? 0 : 1;
	return opts->all && cap == NULL ? dump_every(d, c->out,
	    opts->verbose) : dump_all(d, opts, cap);
}

int
app_run_to(struct options *opts, const struct app_captured *cap, int fd)
{
	struct pagemap_swap_layout layout;
	struct format *format;
	struct dump_config c;
	struct out out;
	struct dump *d = NULL;
	int status = 1, svg_fd = -1;
	uint64_t pfn_start = 0, pfn_end = 0;

	memset(&out, 0, sizeof(out));
	/* The frames first: a range refused leaves the picture's file be. */
	if (frames_of(opts, cap, &pfn_start, &pfn_end) != 0 ||
	    open_picture(opts, &svg_fd) != 0)
		return 1;
	fd = svg_fd >= 0 ? svg_fd : fd;
	format = live.format = format_new(opts->kind, opts->cols, opts->ncols);
	if (format == NULL ||
	    filter_prepare(&opts->filter, dump_page_size()) != 0 ||
	    out_init(&out, fd, OUT_BUFFER) != 0) {
		warn("setting up");
		goto done;
	}
	if (cap != NULL)
		layout = cap->layout;
	else
		pagemap_swap_layout_detect(&layout);
	pagemap_set_swap_layout(&layout);
	c = dump_config_of(opts, cap, format, &out, fd);
	c.look.pfn_start = pfn_start;
	c.look.pfn_end = pfn_end;
	d = live.dump = dump_new(&c);
	if (d == NULL)
		goto done;
	status = walk_all(d, opts, cap, &c);
	if (out.error == 0 && dump_finish(d) != DUMP_OK)
		status = 1;
	if (out.error == 0)
		out_flush(&out);
	if (out.error != 0) {
		errno = out.error;
		if (fd == STDOUT_FILENO)
			warn("write to stdout");
		else
			warn("write");
		status = 1;
	}
done:
	if (svg_fd >= 0 && close(svg_fd) != 0 && status == 0)
		status = (warn("%s", opts->svg), 1);
	dump_free(d);
	out_free(&out);
	format_free(format);
	live.dump = NULL;
	live.format = NULL;
	return status;
}

int
app_run(struct options *opts, const struct app_captured *cap)
{
	/* A snapshot's processes in place of captured ones (tests). */
	if (opts->replay != NULL)
		return replay_run(opts);
	if (opts->record != NULL)
		return record_run(opts, cap);
	if (cap == NULL && opts->diff != NULL)
		return diff_run(opts);
	if (cap == NULL && opts->watch > 0)
		return watch_run(opts);
	return app_run_to(opts, cap, STDOUT_FILENO);
}
