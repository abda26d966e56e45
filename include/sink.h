/*
 * sink: what consumes the selected pages: the per-page rows, the
 * per-mapping summary, and whatever view comes next.
 *
 * A sink sees only pages the filter selected, in address order, a run at
 * a time, between begin_mapping calls. It is registered in sink.c with
 * the option that chooses it; nothing else in the tree names it.
 */
#ifndef PAGEMAP_DUMP_SINK_H
#define PAGEMAP_DUMP_SINK_H

#include <stdbool.h>
#include <stdint.h>

#include "filter.h"
#include "format.h"
#include "out.h"
#include "page.h"

/*
 * How the views that draw draw: what the terminal takes (--bars); the
 * frames a picture of owners covers (--svg --physical --all).
 */
struct sink_look {
	unsigned width;		/* columns of a line */
	bool unicode;		/* block characters, not ASCII */
	bool color;		/* ANSI colours */
	uint64_t pfn_start, pfn_end;
};

/* What every sink is given when it is opened. */
struct sink_context {
	struct format *format;		/* of the columns of -o */
	enum format_kind kind;		/* its format, for a sink's own */
	const unsigned *cols;		/* the columns of -o */
	size_t ncols;
	struct out *out;
	const struct filter *filter;
	uint64_t page_size;
	unsigned have;		/* the PAGE_FACT_* the page path provides */
	int kflags_fd;		/* /proc/kpageflags for lookups of its own,
				   or -1 */
	bool several_pids;	/* rows must say whose they are */
	const unsigned *keys;	/* --by: the columns rows are split by */
	size_t nkeys;
	bool totals;		/* --totals: a total row per process only */
	int sort;		/* --sort: the summary column, or -1 */
	bool physical;		/* frames themselves: no map counts wanted */
	struct sink_look look;
};

/* The process a sink is told of, before its pages. */
struct sink_process {
	int pid;
	int dirfd;		/* its /proc directory, or -1 (captured) */
	const char *comm;	/* captured: its command name; else NULL */
	const struct maps *maps;	/* its mappings, as they were read */
};

struct sink_ops {
	const char *name;
	/* How it is chosen: -letter, --option; help for --help. */
	char letter;
	const char *option;
	const char *help;
	bool own_columns;	/* -o does not apply to it */
	/*
	 * Facts of every page it uses when they can be had (it is told
	 * which in sink_context.have); without them it does with less.
	 */
	unsigned wants;
	/* It looks flags up itself, in sink_context.kflags_fd. */
	bool wants_kflags_file;
	/* Takes runs of empty pages whole (entries NULL), unread. */
	bool takes_empty_runs;
	/* Splits its rows by --by's columns. */
	bool takes_keys;
	/* Wants the map counts of frames too (--physical), not only PSS. */
	bool counts_frames;
	/* Draws (--bars): text only, with sink_context.look. */
	bool draws;
	void *(*open)(const struct sink_context *c);
	int (*header)(void *s);
	/*
	 * A new process. Sets *per_page to the kpage facts it wants of
	 * every page of this one, beyond those of the columns (0 for none).
	 */
	enum dump_status (*begin_process)(void *s,
	    const struct sink_process *p, unsigned *per_page);
	enum dump_status (*begin_mapping)(void *s, const struct maps_entry *m);
	enum dump_status (*pages)(void *s, const struct page_batch *b);
	/*
	 * The process's pages are done: complete when every one was read
	 * (else the process went away during the walk, and a message says
	 * so after what the sink writes here).
	 */
	enum dump_status (*end_process)(void *s, bool complete);
	/* After the last process: what is left to write (NULL: nothing). */
	enum dump_status (*finish)(void *s);
	void (*close)(void *s);
};

/*
 * The command name of p (len bytes at most, with its NUL) into dst: the
 * captured one, or /proc/PID/comm's; "" when it cannot be read.
 */
void sink_comm(const struct sink_process *p, char *dst, size_t len);

/* A size in bytes as 4K, 132K, 2.0M, 16G (of 1024) into dst. */
void sink_size(char *dst, size_t len, uint64_t bytes);

/* The sinks, NULL-terminated; the first is the default (rows). */
extern const struct sink_ops *const sink_registry[];

extern const struct sink_ops sink_rows;
extern const struct sink_ops sink_summary;
extern const struct sink_ops sink_ranges;
extern const struct sink_ops sink_bars;

/*
 * --record: no view but a snapshot of every page (snapshot.h), written
 * to the output when the last process is done. Chosen by --record, not
 * from the registry.
 */
extern const struct sink_ops sink_snapshot;

/* --svg FILE: the mappings as a picture. Chosen by --svg. */
extern const struct sink_ops sink_svg;

/*
 * --svg FILE with --physical: physical memory as a picture, by kind of
 * frame (sink_frames, which --physical walks) or, with --all, by the
 * process that maps each (sink_frames_owners, which every process's
 * pages are walked into, with sink_look's frames).
 */
extern const struct sink_ops sink_frames;
extern const struct sink_ops sink_frames_owners;

#endif
