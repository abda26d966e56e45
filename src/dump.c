/*
 * dump: one process's address space, opened so that maps and pagemap
 * describe the same one, and handed to the page path (pipeline.c).
 */
#include "dump.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "maps.h"
#include "pagemap.h"
#include "pipeline.h"
#include "walk.h"

struct dump {
	struct out *out;
	const struct filter *filter;	/* prepared */
	struct pipeline *pipeline;
	uint64_t page_size;
	bool header_done;
	bool may_see_pfns;	/* the kernel shows us PFNs */
	bool stats;		/* PAGEMAP_DUMP_STATS: say what was read */
	bool quiet;		/* --all: say nothing of what dump_why tells */
	enum dump_why why;	/* of the last process */
};

bool
dump_pfns_visible(int pagemap_fd, uintptr_t addr, uint64_t page_size)
{
	uint64_t entry;

	if (pagemap_read(pagemap_fd, addr / page_size, &entry, 1) != 1)
		return false;
	return (entry & PM_PRESENT) && (entry & PM_PFN_MASK) != 0;
}

/*
 * Whether the kernel shows this process PFNs: it does only with
 * CAP_SYS_ADMIN in the initial user namespace, which the capability sets
 * of /proc/self/status cannot tell (they are relative to our own user
 * namespace). So look: write a page of ours and read its entry.
 */
static bool
caller_sees_pfns(uint64_t page_size)
{
	static volatile char probe = 1;
	bool yes;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	probe = 2;
	yes = dump_pfns_visible(fd, (uintptr_t)&probe, page_size);
	close(fd);
	return yes;
}

/*
 * Whether PAGEMAP_SCAN works here (Linux 6.7+): one call on a page of
 * ours. The summary needs it for the zero page and huge mappings.
 */
static bool
scan_works(uint64_t page_size)
{
	static volatile char probe = 1;
	struct walk_scan_region r;
	uint64_t reached, vpn = (uintptr_t)&probe / page_size;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC), n;

	if (fd < 0)
		return false;
	probe = 2;
	n = walk_scan(fd, page_size, vpn, vpn + 1, WALK_PAGE_IS_PRESENT,
	    WALK_PAGE_IS_PRESENT, &r, 1, &reached);
	close(fd);
	return n >= 0;
}

uint64_t
dump_page_size(void)
{
	long ps = sysconf(_SC_PAGESIZE);

	return ps > 0 ? (uint64_t)ps : 4096;
}

struct dump *
dump_new(const struct dump_config *c)
{
	struct pipeline_config pc;
	struct dump *d = calloc(1, sizeof(*d));

	if (d == NULL) {
		warn("setting up");
		return NULL;
	}
	d->out = c->out;
	d->filter = c->filter;
	d->header_done = c->no_header;
	d->page_size = dump_page_size();
	d->may_see_pfns = c->captured || caller_sees_pfns(d->page_size);
	d->stats = getenv("PAGEMAP_DUMP_STATS") != NULL;
	pc = (struct pipeline_config){ c->format, c->out, c->filter, c->sink,
	    c->cols, c->ncols, c->kind, d->page_size, d->may_see_pfns,
	    c->scan_emulated ||
	    (!c->captured && !c->physical && scan_works(d->page_size)),
	    c->several_pids, c->kpage_dirfd, d->stats, c->keys, c->nkeys,
	    c->totals, c->sort, c->physical, c->kpage_fds, c->look };
	d->pipeline = pipeline_open(&pc);
	if (d->pipeline == NULL) {
		free(d);
		return NULL;
	}
	return d;
}

void
dump_free(struct dump *d)
{
	if (d == NULL)
		return;
	pipeline_close(d->pipeline);
	free(d);
}

static enum dump_status say(struct dump *d, enum dump_why why,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Says why the process failed (unless quiet, for what --all counts
 * instead: see dump_why), and notes why. Returns DUMP_FAILED.
 */
static enum dump_status
say(struct dump *d, enum dump_why why, const char *fmt, ...)
{
	va_list ap;

	d->why = why;
	if (d->quiet && why != DUMP_WHY_OTHER)
		return DUMP_FAILED;
	va_start(ap, fmt);
	vwarnx(fmt, ap);
	va_end(ap);
	return DUMP_FAILED;
}

/* Reports a failed open or read of /proc/PID/file; returns DUMP_FAILED. */
static enum dump_status
fail_errno(struct dump *d, pid_t pid, const char *file, int error)
{
	if (error == ENOENT || error == ESRCH)
		return say(d, DUMP_WHY_GONE, "pid %d: /proc/%d%s%s: no such "
		    "process", (int)pid, (int)pid, *file ? "/" : "", file);
	if ((error == EACCES || error == EPERM) && geteuid() == 0)
		return say(d, DUMP_WHY_DENIED, "pid %d: /proc/%d/%s: "
		    "permission denied even to root (the process may hold "
		    "capabilities this one lacks, or a security module refuses "
		    "ptrace access)", (int)pid, (int)pid, file);
	if (error == EACCES || error == EPERM)
		return say(d, DUMP_WHY_DENIED, "pid %d: /proc/%d/%s: "
		    "permission denied (run as root: it needs ptrace access to "
		    "the process, and CAP_SYS_ADMIN for PFNs)", (int)pid,
		    (int)pid, file);
	return say(d, DUMP_WHY_OTHER, "pid %d: /proc/%d%s%s: %s", (int)pid,
	    (int)pid, *file ? "/" : "", file, strerror(error));
}

#define PF_KTHREAD 0x00200000

/*
 * What /proc/PID/stat says of the process: its state, its flags, and the
 * fields that describe its address space (start and end of code and
 * data, start of the stack and the heap, where its arguments and
 * environment lie), which exec sets anew and little else changes. They
 * are read from the memory the process has now, not from one captured
 * at open: the same before and after opening maps and pagemap, no exec
 * came in between (see exec_between).
 */
struct proc_stat {
	char state;
	unsigned long flags;
	unsigned long long mm[10];
};

/* The stat fields (1-based, as proc(5) numbers them) of proc_stat.mm. */
static const int mm_fields[10] = { 26, 27, 28, 45, 46, 47, 48, 49, 50, 51 };

/*
 * Reads the stat line of the process whose /proc directory is dirfd.
 * Returns 0, or -1 with errno set when it cannot.
 */
static int
read_stat(int dirfd, struct proc_stat *st)
{
	char buf[2048], *p, *end;
	ssize_t n;
	int fd = openat(dirfd, "stat", O_RDONLY | O_CLOEXEC), field, k = 0;
	unsigned long long v;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		if (n == 0)
			errno = ESRCH;
		return -1;
	}
	buf[n] = '\0';
	memset(st, 0, sizeof(*st));
	/* The command name may hold ')': the state follows the last one. */
	p = strrchr(buf, ')');
	if (p == NULL || p[1] != ' ' || p[2] == '\0') {
		errno = EINVAL;
		return -1;
	}
	st->state = p[2];
	p += 3;
	for (field = 4; field <= mm_fields[9] && *p == ' '; field++) {
		v = strtoull(p + 1, &end, 10);
		if (end == p + 1)
			break;
		p = end;
		if (field == 9)
			st->flags = (unsigned long)v;
		else if (k < 10 && field == mm_fields[k])
			st->mm[k++] = v;
	}
	/* Kernels before 3.3 end at field 44: the rest stays 0. */
	if (field <= 26) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* Whether the process is still there and running, not dead or dying. */
static bool
running(const struct proc_stat *st)
{
	return st->state != 'Z' && st->state != 'X' && st->state != 'x';
}

/*
 * Whether the process exec'd between two readings of its stat line: its
 * address-space fields differ. An exec that leaves every one of them as
 * it was (the same program with the same arguments and environment, with
 * address-space randomization off) cannot be told from here.
 */
static bool
exec_between(const struct proc_stat *a, const struct proc_stat *b)
{
	return memcmp(a->mm, b->mm, sizeof(a->mm)) != 0;
}

static enum dump_status
fail_zombie(struct dump *d, pid_t pid)
{
	return say(d, DUMP_WHY_ZOMBIE, "pid %d: the process is a zombie: it "
	    "has no memory left to dump", (int)pid);
}

/* Opens of maps and pagemap before giving up on a process that execs. */
#define DUMP_TRIES 8

/* Reads of a maps file that overlaps itself before its overlaps go. */
#define MAPS_READS 4

/* One address space of a process: its maps and pagemap, open. */
struct target {
	int maps_fd, pagemap_fd;
	struct maps maps;
	bool no_memory;		/* a kernel thread */
	struct proc_stat st;	/* as it was when both were open */
	unsigned int opens;	/* times both were opened */
	unsigned int maps_reads;	/* times maps was read, the last time */
	size_t dropped;		/* overlapping lines dropped */
	const char *comm;	/* captured: the command name; else NULL */
};

static void
close_target(struct target *t)
{
	if (t->maps_fd >= 0)
		close(t->maps_fd);
	if (t->pagemap_fd >= 0)
		close(t->pagemap_fd);
	t->maps_fd = t->pagemap_fd = -1;
	maps_free(&t->maps);
}

/*
 * Reads and parses the maps file whole. While other threads map and
 * unmap, a read in several chunks can give lines that overlap or repeat
 * earlier ones: then it is read again, up to MAPS_READS times, and after
 * that the lines that overlap one before them are dropped. Returns
 * DUMP_OK, or DUMP_FAILED (reported).
 */
static enum dump_status
read_maps(struct dump *d, pid_t pid, struct target *t)
{
	const char *why;
	char *text;
	size_t len, bad_line;

	for (t->maps_reads = 1;; t->maps_reads++) {
		if (t->maps_reads > 1 && lseek(t->maps_fd, 0, SEEK_SET) != 0)
			return fail_errno(d, pid, "maps", errno);
		if (maps_slurp(t->maps_fd, &text, &len) != 0)
			return fail_errno(d, pid, "maps", errno);
		if (maps_parse(&t->maps, text, len, &bad_line, &why) != 0) {
			if (bad_line == 0)
				return say(d, DUMP_WHY_OTHER, "pid %d: "
				    "/proc/%d/maps: %s", (int)pid, (int)pid,
				    why);
			return say(d, DUMP_WHY_OTHER, "pid %d: /proc/%d/maps: "
			    "line %zu: %s", (int)pid, (int)pid, bad_line, why);
		}
		if (maps_ordered(&t->maps))
			return DUMP_OK;
		if (t->maps_reads == MAPS_READS) {
			t->dropped = maps_drop_overlaps(&t->maps);
			return DUMP_OK;
		}
		maps_free(&t->maps);
	}
}

/*
 * Opens maps and pagemap of the process at dirfd, and reads maps, so that
 * both describe one address space. Each file captures the process's
 * memory when it is opened: an exec between the two opens pairs the old
 * image's mappings with the new one's pages, and one after them leaves
 * files whose memory is gone (they read as empty). So the stat line is
 * read before and after, and pagemap is checked to be alive once maps has
 * been read; when the process exec'd, everything is opened again, up to
 * DUMP_TRIES times. A kernel thread has no memory: t->no_memory. Returns
 * DUMP_OK, or DUMP_FAILED (reported).
 */
static enum dump_status
open_target(struct dump *d, pid_t pid, int dirfd, struct target *t)
{
	struct proc_stat before, after;
	enum dump_status status;
	int alive, error;

	memset(t, 0, sizeof(*t));
	t->maps_fd = t->pagemap_fd = -1;
	while (t->opens < DUMP_TRIES) {
		if (read_stat(dirfd, &before) != 0)
			return fail_errno(d, pid, "stat", errno);
		if (before.flags & PF_KTHREAD) {
			t->no_memory = true;
			return DUMP_OK;
		}
		t->opens++;
		t->maps_fd = openat(dirfd, "maps", O_RDONLY | O_CLOEXEC);
		if (t->maps_fd < 0)
			return fail_errno(d, pid, "maps", errno);
		t->pagemap_fd = openat(dirfd, "pagemap", O_RDONLY | O_CLOEXEC);
		if (t->pagemap_fd < 0) {
			/* No address space: a zombie. */
			error = errno;
			if (error == ESRCH && read_stat(dirfd, &after) == 0 &&
			    after.state == 'Z')
				return fail_zombie(d, pid);
			return fail_errno(d, pid, "pagemap", error);
		}
		status = read_maps(d, pid, t);
		if (status != DUMP_OK)
			return status;
		if (read_stat(dirfd, &after) != 0)
			return fail_errno(d, pid, "stat", errno);
		alive = pagemap_alive(t->pagemap_fd);
		if (alive < 0)
			return fail_errno(d, pid, "pagemap", errno);
		if (after.state == 'Z')
			return fail_zombie(d, pid);
		if (alive == 1 && !exec_between(&before, &after)) {
			t->st = after;
			return DUMP_OK;
		}
		if (!running(&after))
			return say(d, DUMP_WHY_GONE, "pid %d: the process "
			    "exited while its maps were read", (int)pid);
		close_target(t);	/* it exec'd: open the new image */
	}
	return say(d, DUMP_WHY_GONE, "pid %d: the process exec'd each of the "
	    "%d times its maps and pagemap were opened: no consistent view of "
	    "its memory", (int)pid, DUMP_TRIES);
}

/* Reports how a walk ended, when not at its end. */
static enum dump_status
walk_failure(struct dump *d, pid_t pid, int dirfd, const struct target *t,
    const struct pipeline_end *end)
{
	struct proc_stat now;

	if (end->status == WALK_EXITED) {
		if (out_flush(d->out) != 0)
			return DUMP_OUTPUT_ERROR;
		/* Its memory is gone: it exited, or exec'd (and runs on). */
		if (read_stat(dirfd, &now) == 0 && running(&now) &&
		    exec_between(&t->st, &now))
			return say(d, DUMP_WHY_GONE, "pid %d: /proc/%d/pagemap: "
			    "the process exec'd during the dump: the rows "
			    "before are of the image it left", (int)pid,
			    (int)pid);
		return say(d, DUMP_WHY_GONE, "pid %d: /proc/%d/pagemap: the "
		    "process exited during the dump", (int)pid, (int)pid);
	}
	if (end->failed != NULL && end->failed[0] == '/') {	/* kpage* */
		errno = end->error;
		warn("pid %d: %s", (int)pid, end->failed);
		return DUMP_FAILED;
	}
	return fail_errno(d, pid, "pagemap", end->error);
}

/*
 * Hands the selected pages of every mapping to the sink. Returns DUMP_OK,
 * DUMP_FAILED (the process went away or pagemap failed: reported), or
 * DUMP_OUTPUT_ERROR.
 */
static enum dump_status
dump_pages(struct dump *d, pid_t pid, int dirfd, const struct target *t)
{
	const struct sink_process proc = { (int)pid, dirfd, t->comm,
	    &t->maps };
	struct pipeline_end end;
	enum dump_status st;

	st = pipeline_process(d->pipeline, &proc, t->pagemap_fd, &end);
	if (st == DUMP_OK && end.status != WALK_END)
		st = walk_failure(d, pid, dirfd, t, &end);
	return st;
}

/*
 * Reports the -a addresses that no mapping holds, or whose mapping has no
 * pagemap entry for them (above the task's address space: [vsyscall]);
 * returns how many. maps is NULL for a process without user memory.
 */
static size_t
check_addresses(const struct dump *d, pid_t pid, const struct maps *maps,
    int pagemap_fd)
{
	size_t i, j, missing = 0;
	uint64_t entry;

	for (i = 0; i < d->filter->naddrs; i++) {
		uint64_t a = d->filter->addrs[i];
		if (maps == NULL) {
			warnx("pid %d: address 0x%llx is not in any mapping: "
			    "a kernel thread has no user memory", (int)pid,
			    (unsigned long long)a);
			missing++;
			continue;
		}
		for (j = 0; j < maps->count; j++)
			if (a >= maps->entries[j].start &&
			    a < maps->entries[j].end)
				break;
		if (j == maps->count) {
			warnx("pid %d: address 0x%llx is not in any mapping",
			    (int)pid, (unsigned long long)a);
			missing++;
		} else if (pagemap_read(pagemap_fd, a / d->page_size, &entry,
		    1) == 0 && pagemap_alive(pagemap_fd) == 1) {
			/* Not the name: it is the target's, unescaped. */
			warnx("pid %d: address 0x%llx has no pagemap entry: "
			    "its mapping lies above the task's address space "
			    "(as [vsyscall] does)", (int)pid,
			    (unsigned long long)a);
			missing++;
		}
	}
	return missing;
}

/* Writes the header line before the first rows of the first process. */
static enum dump_status
write_header(struct dump *d)
{
	if (d->header_done)
		return DUMP_OK;
	if (pipeline_header(d->pipeline) != 0)
		return DUMP_OUTPUT_ERROR;
	d->header_done = true;
	return DUMP_OK;
}

/*
 * Our pid in the pid namespace of /proc: the target of /proc/self, or
 * getpid() when it cannot be read.
 */
static pid_t
self_pid(void)
{
	char link[32];
	ssize_t n = readlink("/proc/self", link, sizeof(link) - 1);
	long v;
	char *end;

	if (n <= 0)
		return getpid();
	link[n] = '\0';
	v = strtol(link, &end, 10);
	return *end == '\0' && v > 0 ? (pid_t)v : getpid();
}

/*
 * Dumps the address space t of process pid (whose /proc directory is
 * dirfd, or -1 for captured files): the header, the rows or the summary,
 * and the -a addresses no mapping holds.
 */
static enum dump_status
dump_target(struct dump *d, pid_t pid, int dirfd, struct target *t)
{
	enum dump_status status;
	size_t missing;

	if (t->no_memory && d->quiet) {
		d->why = DUMP_WHY_KTHREAD;	/* --all: nothing of it */
		return DUMP_OK;
	}
	if (t->no_memory) {
		/* A kernel thread: the header, and no address. */
		status = write_header(d);
		if (status == DUMP_OK && check_addresses(d, pid, NULL, -1) > 0)
			status = DUMP_FAILED;
		return status;
	}
	if (d->stats && (t->opens > 1 || t->maps_reads > 1 || t->dropped > 0))
		fprintf(stderr, "pagemap-dump: pid %d: opened %u times, maps "
		    "read %u times, %zu overlapping lines dropped\n", (int)pid,
		    t->opens, t->maps_reads, t->dropped);
	if (!d->may_see_pfns)
		pipeline_warn_hidden_pfns(d->pipeline, (int)pid);
	missing = check_addresses(d, pid, &t->maps, t->pagemap_fd);
	status = write_header(d);
	if (status == DUMP_OK)
		status = dump_pages(d, pid, dirfd, t);
	if (status == DUMP_OK && missing > 0)
		status = DUMP_FAILED;
	return status;
}

/* Opens the /proc directory of pid (0: this process); sets *pid. */
static int
open_proc_dir(struct dump *d, pid_t *pid)
{
	char path[32];
	int dirfd;

	if (*pid == 0) {
		/*
		 * This process: /proc/self, which is us in whatever pid
		 * namespace /proc belongs to; its link names our pid there.
		 */
		dirfd = open("/proc/self", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dirfd < 0)
			warn("self: /proc/self");
		else
			*pid = self_pid();
		return dirfd;
	}
	snprintf(path, sizeof(path), "/proc/%d", (int)*pid);
	dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		fail_errno(d, *pid, "", errno);
	return dirfd;
}

enum dump_status
dump_pid(struct dump *d, pid_t pid)
{
	struct target t;
	enum dump_status status;
	int dirfd;

	d->why = DUMP_WHY_NONE;
	dirfd = open_proc_dir(d, &pid);
	if (dirfd < 0)
		return DUMP_FAILED;
	status = open_target(d, pid, dirfd, &t);
	if (status == DUMP_OK)
		status = dump_target(d, pid, dirfd, &t);
	close_target(&t);
	close(dirfd);
	if (status == DUMP_FAILED && d->why == DUMP_WHY_NONE)
		d->why = DUMP_WHY_OTHER;
	return status;
}

void
dump_set_quiet(struct dump *d, bool quiet)
{
	d->quiet = quiet;
}

enum dump_why
dump_why(const struct dump *d)
{
	return d->why;
}

enum dump_status
dump_header(struct dump *d)
{
	return write_header(d);
}

uint64_t
dump_physical_end(void)
{
	uint64_t v, lo = 0, hi = UINT64_C(1) << 40;	/* 4 PiB of 4K */
	int fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		if (errno == EACCES || errno == EPERM)
			warnx("/proc/kpageflags: permission denied (--physical "
			    "reads it: run as root)");
		else
			warn("/proc/kpageflags");
		return 0;
	}
	/* The file ends after the last frame: find where, by halves. */
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (pread(fd, &v, sizeof(v), (off_t)(mid * 8)) ==
		    (ssize_t)sizeof(v))
			lo = mid + 1;
		else
			hi = mid;
	}
	close(fd);
	if (lo == 0)
		warnx("/proc/kpageflags: empty");
	return lo;
}

enum dump_status
dump_physical(struct dump *d, uint64_t start, uint64_t end)
{
	char *line = malloc(128);	/* maps_parse takes it */
	struct target t;
	enum dump_status st;
	const char *why = "out of memory";
	size_t bad;

	memset(&t, 0, sizeof(t));
	t.maps_fd = -1;
	t.pagemap_fd = WALK_PHYSICAL;
	if (line != NULL)
		snprintf(line, 128, "%llx-%llx r--p 00000000 00:00 0 "
		    "[physical]\n", (unsigned long long)(start * d->page_size),
		    (unsigned long long)(end * d->page_size));
	if (line == NULL || maps_parse(&t.maps, line, strlen(line), &bad,
	    &why) != 0) {
		warnx("--physical: %s", why);
		return DUMP_FAILED;
	}
	t.opens = 1;
	st = dump_target(d, 0, -1, &t);
	t.pagemap_fd = -1;
	close_target(&t);
	return st;
}

enum dump_status
dump_finish(struct dump *d)
{
	return pipeline_finish(d->pipeline);
}

enum dump_status
dump_files(struct dump *d, const struct dump_files *f)
{
	struct target t;
	enum dump_status status;

	memset(&t, 0, sizeof(t));
	/* Copies, so that closing the target leaves the caller's open. */
	t.maps_fd = fcntl(f->maps_fd, F_DUPFD_CLOEXEC, 0);
	t.pagemap_fd = fcntl(f->pagemap_fd, F_DUPFD_CLOEXEC, 0);
	if (t.maps_fd < 0 || t.pagemap_fd < 0) {
		warn("pid %d", f->pid);
		close_target(&t);
		return DUMP_FAILED;
	}
	t.opens = 1;
	t.comm = f->comm;
	status = read_maps(d, f->pid, &t);
	if (status == DUMP_OK)
		status = dump_target(d, f->pid, -1, &t);
	close_target(&t);
	return status;
}
