/*
 * record: --record, and snapshots of live processes taken in memory for
 * --diff and --watch.
 */
#ifndef PAGEMAP_DUMP_RECORD_H
#define PAGEMAP_DUMP_RECORD_H

#include <sys/types.h>

#include "app.h"
#include "options.h"
#include "snapshot.h"

/*
 * --record FILE: a snapshot of the processes of opts (or of the captured
 * one, cap), written whole to a new file beside FILE and renamed over it
 * when complete (never a file cut short); "-" writes it to stdout.
 * Returns the exit status.
 */
int record_run(struct options *opts, const struct app_captured *cap);

/*
 * Takes a snapshot of pid as it is now into *s. Returns 0, or -1 when
 * the process could not be read (said on stderr; *s is empty).
 */
int record_take(pid_t pid, struct snapshot *s);

#endif
