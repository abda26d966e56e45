/*
 * dump: one process, from its maps snapshot to its rows.
 *
 * Opens /proc/PID once as a directory and both maps and pagemap from it,
 * so a pid reused during the dump can never pair one process's maps with
 * another's pagemap. Errors are reported on stderr, naming the pid and the
 * file.
 */
#ifndef PAGEMAP_DUMP_DUMP_H
#define PAGEMAP_DUMP_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "filter.h"
#include "format.h"
#include "kpage.h"
#include "out.h"
#include "summary.h"

struct dump {
	struct format *format;
	struct out *out;
	const struct filter *filter;	/* prepared */
	bool summary;		/* one row per mapping instead of per page */
	uint64_t page_size;
	bool header_done;
	bool pfn_warned;	/* the hidden-PFN warning was given */
	bool may_see_pfns;	/* the kernel shows us PFNs */
	bool stats;		/* PAGEMAP_DUMP_STATS: say what was read */
	struct kpage kpage;	/* the /proc/kpage* files open, if any */
	bool use_kpage;
	bool pss;		/* the summary has PSS and USS */
	bool scan_works;	/* PAGEMAP_SCAN is there */
	int kflags_fd;		/* /proc/kpageflags for the summary, or -1 */
	bool own_kflags_fd;	/* opened for it (else kpage's) */
	struct summary counts;	/* --summary's counting */
	struct kpage ksm_kpage;	/* flags and counts, for a process with KSM */
	bool use_ksm_kpage;
	int kpage_dirfd;	/* where the kpage files are: -1 for /proc */
};

/*
 * A process's memory as files: what /proc/PID gives, or captured copies
 * of it (the fixture entry point). maps_fd holds maps text, pagemap_fd
 * the entries by page number, as /proc/PID/pagemap does.
 */
struct dump_files {
	int pid;		/* for the pid column and messages */
	int maps_fd;
	int pagemap_fd;
};

enum dump_status {
	DUMP_OK,
	DUMP_FAILED,		/* this pid failed; a message was printed */
	DUMP_OUTPUT_ERROR,	/* writing failed: out->error says why */
};

/*
 * Prepares to dump with the given formatter into out, printing the pages
 * that filter (already prepared with filter_prepare) selects; with summary,
 * one row per mapping instead. With no_header, no header line is written.
 * Returns 0, or -1 with errno set.
 */
int dump_init(struct dump *d, struct format *format, struct out *out,
    const struct filter *filter, bool summary, bool no_header);

/* The page size dump_init found (sysconf), for filter_prepare. */
uint64_t dump_page_size(void);

/*
 * Opens the /proc/kpage* files that the columns and filters need: flags
 * for kflags, kflags-hex and -k, count for mapcount, cgroup for cgroup.
 * They need the PFNs, so root with CAP_SYS_ADMIN: without, or when a file
 * cannot be opened, says so on stderr and returns -1. With pss (the
 * summary), also tries kpagecount for PSS and USS, and only warns when it
 * cannot. Returns 0 otherwise.
 */
int dump_open_kpage(struct dump *d, bool flags, bool count, bool cgroup,
    bool pss);

/*
 * Makes the dump read captured files instead of /proc: the kpage files
 * (kpageflags, kpagecount, kpagecgroup) from the directory dirfd, which
 * it does not close, with the PFNs taken as visible and PAGEMAP_SCAN as
 * missing. Call after dump_init and before dump_open_kpage.
 */
void dump_use_captured(struct dump *d, int kpage_dirfd);

/* Closes what dump_open_kpage opened, and frees what dump_init set up. */
void dump_close_kpage(struct dump *d);

/*
 * Dumps every page of every mapping of pid; pid 0 is this process, read
 * through /proc/self (and named by the pid that /proc gives it).
 */
enum dump_status dump_pid(struct dump *d, pid_t pid);

/*
 * Dumps the process whose memory the files hold (the fixture entry
 * point: tests and snapshots read through it). The files stay open.
 */
enum dump_status dump_files(struct dump *d, const struct dump_files *f);

/*
 * Tells whether the pagemap file fd shows a PFN for the page at addr,
 * which must be present: the kernel shows PFNs only to callers with
 * CAP_SYS_ADMIN in the initial user namespace.
 */
bool dump_pfns_visible(int pagemap_fd, uintptr_t addr, uint64_t page_size);

#endif
