/*
 * state: a process's memory captured in one text file (its maps, the
 * non-zero pagemap entries, the kpage values of its PFNs), and opened
 * again as the files the tool's fixture entry point reads.
 *
 * The file, line by line:
 *   pagemap-dump-state 1
 *   pid N
 *   swap-layout MAX_SWAPFILES NHWPOISON NMIGRATION NDEVICE
 *   task-end VPN          (hex: pagemap has entries below this page)
 *   maps BYTES            (then that many bytes of maps text)
 *   entries N             (then N lines "VPN ENTRY", hex)
 *   kpage N               (then N lines "PFN FLAGS COUNT CGROUP")
 *   cgroup 0|1            (whether /proc/kpagecgroup was there)
 */
#ifndef PAGEMAP_DUMP_TESTS_STATE_H
#define PAGEMAP_DUMP_TESTS_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "app.h"
#include "maps.h"

struct state_entry {
	uint64_t vpn, raw;
};

struct state_kpage {
	uint64_t pfn, flags, count, cgroup;
};

struct state {
	int pid;
	struct pagemap_swap_layout layout;
	uint64_t task_end;
	char *maps_text;
	size_t maps_len;
	struct state_entry *entries;
	size_t nentries, entries_cap;
	struct state_kpage *kpage;
	size_t nkpage;
	bool has_cgroup;
};

/*
 * Captures process pid (which should hold still) into s, with the swap
 * layout of this kernel. Returns 0, or -1 with a message on stderr.
 */
int state_capture(struct state *s, pid_t pid);

/* Adds an entry (kept sorted by state_write). Returns 0, or -1. */
int state_add_entry(struct state *s, uint64_t vpn, uint64_t raw);

/* Writes s to fp. Returns 0, or -1. */
int state_write(const struct state *s, FILE *fp);

/* Reads a state file. Returns 0, or -1 with a message on stderr. */
int state_read(struct state *s, const char *path);

/*
 * Writes the state's files into a new directory under /tmp (its path in
 * dir, of dirlen bytes) and opens them as cap. Returns 0, or -1.
 */
int state_open(const struct state *s, struct app_captured *cap, char *dir,
    size_t dirlen);

/* Closes what state_open opened and removes its directory. */
void state_close(struct app_captured *cap, const char *dir);

void state_free(struct state *s);

/*
 * Runs the tool's options (argv[0] is the program name, and no pid: the
 * state's is added) on the state in the file path, to stdout, as
 * pagemap-dump would on the live process. An argument may name an
 * address of the state's maps: @start:N, @end:N or @mid:N for the N-th
 * mapping (from 0), @mid being 0x123 bytes past the middle page's start.
 * Returns the exit status.
 */
int state_render(const char *path, int argc, char **argv);

/* What one render printed, and how it ended (as from waitpid). */
struct state_output {
	char *out, *err;
	size_t out_len, err_len;
	int status;
};

/*
 * Renders the options in line (split at blanks; "-" is none) on the
 * state file path in a child process, its output captured in o. Returns
 * 0, or -1 when the child could not be run.
 */
int state_run(const char *path, const char *line, struct state_output *o);

void state_output_free(struct state_output *o);

#endif
