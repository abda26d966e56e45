/*
 * dump: one process, from its maps snapshot to what the sink makes of
 * its pages.
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
#include "out.h"
#include "page.h"
#include "sink.h"

struct dump_config {
	struct format *format;
	struct out *out;
	const struct filter *filter;	/* prepared */
	const struct sink_ops *sink;
	const unsigned *cols;		/* the rows' columns */
	size_t ncols;
	enum format_kind kind;		/* their format */
	bool no_header;
	bool several_pids;
	/*
	 * Captured files instead of /proc (the fixture entry point): the
	 * kpage files are in the directory kpage_dirfd, the PFNs taken as
	 * visible and PAGEMAP_SCAN as missing.
	 */
	bool captured;
	int kpage_dirfd;
	const unsigned *keys;		/* --by's columns */
	size_t nkeys;
	bool totals;			/* --totals */
	int sort;			/* --sort's summary column, or -1 */
	bool physical;			/* --physical: frames, not a process */
	const int *kpage_fds;	/* captured kpage files, open; or NULL */
	/* A snapshot answers for PAGEMAP_SCAN (walk_scan_emulate). */
	bool scan_emulated;
	struct sink_look look;	/* for the views that draw (--bars) */
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
	const char *comm;	/* the command name, or NULL (unknown) */
};

struct dump;

/*
 * Prepares to dump as c says. Reports on stderr what cannot be set up
 * (kpage files without root, say) and returns NULL.
 */
struct dump *dump_new(const struct dump_config *c);

/* The page size (sysconf), for filter_prepare. */
uint64_t dump_page_size(void);

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

/* Why the last dump_pid did not dump the process (or did with no rows). */
enum dump_why {
	DUMP_WHY_NONE,		/* it was dumped */
	DUMP_WHY_GONE,		/* it exited, or exec'd, while read */
	DUMP_WHY_DENIED,	/* permission denied */
	DUMP_WHY_KTHREAD,	/* a kernel thread: no memory (quiet only) */
	DUMP_WHY_ZOMBIE,	/* a zombie: no memory left */
	DUMP_WHY_OTHER,		/* anything else (always said) */
};

/*
 * Quiet (--all): what dump_why tells but DUMP_WHY_OTHER is not said on
 * stderr, and a kernel thread is skipped without its header; the caller
 * counts them.
 */
void dump_set_quiet(struct dump *d, bool quiet);

/* Why the last dump_pid went as it went. */
enum dump_why dump_why(const struct dump *d);

/*
 * Writes the header line now, if it was not (--all writes it before any
 * process, as a process's own output may be thrown away).
 */
enum dump_status dump_header(struct dump *d);

/*
 * The end of physical memory: one past the last frame that
 * /proc/kpageflags has. Returns 0 (reported) when it cannot be read.
 */
uint64_t dump_physical_end(void);

/*
 * Dumps frames start..end-1 themselves (--physical), as the pages of one
 * mapping, "[physical]", whose page at PFN is frame PFN: its address is
 * the physical address.
 */
enum dump_status dump_physical(struct dump *d, uint64_t start, uint64_t end);

/* After the last process: writes what the view kept (--sort's rows). */
enum dump_status dump_finish(struct dump *d);

/* Frees what dump_new set up (NULL is fine). */
void dump_free(struct dump *d);

/*
 * Tells whether the pagemap file fd shows a PFN for the page at addr,
 * which must be present: the kernel shows PFNs only to callers with
 * CAP_SYS_ADMIN in the initial user namespace.
 */
bool dump_pfns_visible(int pagemap_fd, uintptr_t addr, uint64_t page_size);

#endif
