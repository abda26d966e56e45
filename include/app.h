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
};

/*
 * Dumps the processes of the options (with cap, the captured one in
 * place of each) to stdout. Returns the exit status.
 */
int app_run(struct options *opts, const struct app_captured *cap);

#endif
