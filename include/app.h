/*
 * app: runs what the options ask for, from /proc or from captured files.
 */
#ifndef PAGEMAP_DUMP_APP_H
#define PAGEMAP_DUMP_APP_H

#include "dump.h"
#include "options.h"
#include "pagemap.h"

/*
 * A process's memory captured in files (the fixture entry point): its
 * maps and pagemap, the kpage files in a directory, and the swap layout
 * of the kernel it was captured on.
 */
struct app_captured {
	struct dump_files files;
	int kpage_dirfd;
	struct pagemap_swap_layout layout;
	/*
	 * A snapshot's (--replay): its processes, in place of files, and
	 * its kpage files, open (-1: not there), in place of kpage_dirfd;
	 * else NULL.
	 */
	const struct dump_files *procs;
	size_t nprocs;
	const int *kpage_fds;
	bool scan_emulated;	/* walk_scan_emulate answers for them */
	/* A snapshot of physical memory: its frames, start to end. */
	bool physical;
	uint64_t pfn_start, pfn_end;
};

/*
 * Dumps the processes of the options (with cap, the captured one in
 * place of each) to stdout; or records, replays, diffs or watches them
 * as the options say. Returns the exit status.
 */
int app_run(struct options *opts, const struct app_captured *cap);

/* Dumps as app_run does, but to fd, and nothing but dumps. */
int app_run_to(struct options *opts, const struct app_captured *cap,
    int fd);

#endif
