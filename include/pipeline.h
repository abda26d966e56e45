/*
 * pipeline: the page path of a run, from the pagemap reader through the
 * stages and the filter to the sink.
 *
 * Which stages run follows, here and nowhere else, from what the
 * columns, the filter and the sink need: the kpage files (flags, counts,
 * cgroups) when a column or -k needs them or the sink wants them, the
 * zero-page and huge regions when the sink wants them and PAGEMAP_SCAN is
 * there.
 */
#ifndef PAGEMAP_DUMP_PIPELINE_H
#define PAGEMAP_DUMP_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "filter.h"
#include "format.h"
#include "maps.h"
#include "out.h"
#include "page.h"
#include "sink.h"
#include "walk.h"

struct pipeline_config {
	struct format *format;
	struct out *out;
	const struct filter *filter;	/* prepared */
	const struct sink_ops *sink;
	const unsigned *cols;		/* the rows' columns */
	size_t ncols;
	enum format_kind kind;		/* their format */
	uint64_t page_size;
	bool may_see_pfns;	/* the kernel shows us PFNs */
	bool scan_works;	/* PAGEMAP_SCAN is there */
	bool several_pids;
	int kpage_dirfd;	/* the kpage files are there; -1: /proc */
	bool stats;		/* PAGEMAP_DUMP_STATS: say what was read */
	const unsigned *keys;		/* --by's columns */
	size_t nkeys;
	bool totals;			/* --totals */
	int sort;			/* --sort's summary column, or -1 */
	bool physical;			/* frames, not a process's pages */
	/*
	 * The kpage files, open, by kpage_file (-1: not there), in place of
	 * kpage_dirfd's; or NULL.
	 */
	const int *kpage_fds;
	struct sink_look look;		/* for the views that draw */
};

/* How a walk that did not reach its end ended. */
struct pipeline_end {
	enum walk_status status;
	int error;
	const char *failed;	/* the file that failed */
};

struct pipeline;

/*
 * Sets up the page path: opens the kpage files and the sink. Reports
 * what fails (a column that needs the PFNs without root, a file that
 * cannot be opened) and returns NULL.
 */
struct pipeline *pipeline_open(const struct pipeline_config *c);

/* Writes the sink's header. Returns 0, or -1 with out->error set. */
int pipeline_header(struct pipeline *p);

/*
 * Says once that the kernel hides PFNs from us, where a column shows
 * them (pfn, paddr: they read 0).
 */
void pipeline_warn_hidden_pfns(struct pipeline *p, int pid);

/*
 * Hands the selected pages of the process (its maps read, its pagemap
 * open as pagemap_fd) to the sink. Returns DUMP_OK; DUMP_OUTPUT_ERROR;
 * or DUMP_FAILED, reported, or (*end set, status not WALK_END) for the
 * caller to report how the walk ended.
 */
enum dump_status pipeline_process(struct pipeline *p,
    const struct sink_process *proc, int pagemap_fd,
    struct pipeline_end *end);

/* After the last process: what the sink has left to write. */
enum dump_status pipeline_finish(struct pipeline *p);

/* Closes the files and the sink (NULL is fine). */
void pipeline_close(struct pipeline *p);

#endif
