/*
 * replay: views rendered from a snapshot (--replay), and snapshots read
 * from files for them and for --diff.
 */
#ifndef PAGEMAP_DUMP_REPLAY_H
#define PAGEMAP_DUMP_REPLAY_H

#include "options.h"
#include "snapshot.h"

/*
 * Reads the snapshot file path whole into *s. Returns 0, or -1 after
 * saying on stderr what is wrong with it (*s is then empty).
 */
int replay_load(const char *path, struct snapshot *s);

/*
 * Renders the views of opts from the snapshot s: its processes, or those
 * of opts->pids, as the live dump rendered them when it was taken.
 * Returns the exit status.
 */
int replay_snapshot(struct options *opts, const struct snapshot *s);

/* --replay: loads opts->replay and renders it. Returns the exit status. */
int replay_run(struct options *opts);

#endif
