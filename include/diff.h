/*
 * diff: the pages that changed between two snapshots (--diff), or between
 * two readings of a live process (--watch).
 */
#ifndef PAGEMAP_DUMP_DIFF_H
#define PAGEMAP_DUMP_DIFF_H

#include <stdint.h>

#include "options.h"
#include "out.h"
#include "snapshot.h"

/* The kinds of change of a page, as the change column names them. */
enum diff_kind {
	DIFF_MAPPED,		/* none before: now present, swapped, ... */
	DIFF_UNMAPPED,		/* none now */
	DIFF_MOVED,		/* another frame (or swap slot) */
	DIFF_SWAPPED_OUT,	/* present, then swapped */
	DIFF_SWAPPED_IN,	/* swapped, then present */
	DIFF_CHANGED,		/* another state (guard, migration, ...) */
	DIFF_FLAGS,		/* the same page, other flags */
	DIFF_KINDS
};

/* What differs between two readings of one process. */
struct diff_counts {
	uint64_t n[DIFF_KINDS];
};

/*
 * The page flags compared (what a page is, not how it is used: the
 * referenced, active, lru and dirty bits change all the time).
 */
#define DIFF_KFLAGS_MASK ((UINT64_C(1) << 12) | (UINT64_C(1) << 13) | \
	(UINT64_C(1) << 14) | (UINT64_C(1) << 15) | (UINT64_C(1) << 16) | \
	(UINT64_C(1) << 17) | (UINT64_C(1) << 18) | (UINT64_C(1) << 19) | \
	(UINT64_C(1) << 21) | (UINT64_C(1) << 22) | (UINT64_C(1) << 24) | \
	(UINT64_C(1) << 33))

/* The entry bits compared besides the state and the frame. */
#define DIFF_ENTRY_MASK ((UINT64_C(1) << 55) | (UINT64_C(1) << 56) | \
	(UINT64_C(1) << 57) | (UINT64_C(1) << 58) | (UINT64_C(1) << 61))

/* The name of a kind: "mapped", "moved", "swapped-out", ... */
const char *diff_kind_name(enum diff_kind k);

/*
 * Writes to out a row for each page of process pa (of a) that differs in
 * pb (of b), each after stamp when one is given (NULL: none); adds them
 * up in *counts; and writes to per_mapping (NULL: not) a row of the
 * count of each kind for each mapping with changes. Returns 0, or -1
 * (out of memory, or a write failed: out->error).
 */
int diff_process(struct out *out, const struct snapshot *a,
    const struct snapshot_process *pa, const struct snapshot *b,
    const struct snapshot_process *pb, const char *stamp,
    struct out *per_mapping, struct diff_counts *counts);

/* The header of the rows, and of the per-mapping counts. */
#define DIFF_HEADER "pid addr change old-state old-frame new-state " \
	"new-frame old-kflags new-kflags name\n"
#define DIFF_MAPPINGS_HEADER "pid start end perms mapped unmapped moved " \
	"swapped-out swapped-in changed flags name\n"

/* --diff A B. Returns the exit status. */
int diff_run(struct options *opts);

/* --watch SECONDS [--count N] PID. Returns the exit status. */
int watch_run(struct options *opts);

#endif
