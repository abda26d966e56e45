/*
 * dump: wires the maps snapshot, the pagemap reader and the formatter
 * together for one process.
 */
#include "dump.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "maps.h"
#include "pagemap.h"
#include "summary.h"
#include "walk.h"

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

int
dump_init(struct dump *d, struct format *format, struct out *out,
    const struct filter *filter, bool summary, bool no_header)
{
	struct pagemap_swap_layout layout;

	memset(d, 0, sizeof(*d));
	d->kflags_fd = -1;
	d->kpage_dirfd = -1;
	d->format = format;
	d->out = out;
	d->filter = filter;
	d->summary = summary;
	d->header_done = no_header;
	d->page_size = dump_page_size();
	d->may_see_pfns = caller_sees_pfns(d->page_size);
	d->stats = getenv("PAGEMAP_DUMP_STATS") != NULL;
	pagemap_swap_layout_detect(&layout);
	pagemap_set_swap_layout(&layout);
	d->scan_works = scan_works(d->page_size);
	return summary_init(&d->counts, d->page_size, -1);
}


void
dump_use_captured(struct dump *d, int kpage_dirfd)
{
	d->kpage_dirfd = kpage_dirfd;
	d->may_see_pfns = true;
	d->scan_works = false;
}

/* Opens one /proc/kpage* file (or its captured copy); reports a failure. */
static int
open_kpage_file(const struct dump *d, enum kpage_file file, bool quiet)
{
	const char *path = kpage_path(file);
	int fd = d->kpage_dirfd < 0 ? open(path, O_RDONLY | O_CLOEXEC) :
	    openat(d->kpage_dirfd, strrchr(path, '/') + 1, O_RDONLY | O_CLOEXEC);

	if (fd < 0 && !quiet) {
		if (errno == EACCES || errno == EPERM)
			warnx("%s: permission denied (run as root)",
			    kpage_path(file));
		else if (errno == ENOENT && file == KPAGE_CGROUP)
			warnx("%s: not there (a kernel without "
			    "CONFIG_MEMCG)", kpage_path(file));
		else
			warn("%s", kpage_path(file));
	}
	return fd;
}

/*
 * Which map counts need no read of /proc/kpagecount (see kpage.h). With
 * the flags at hand, a page that is exclusive and not part of a larger
 * folio has a count of 1 on every kernel. For PSS alone, the exclusive
 * bit is trusted as it is (exact where the kernel counts each page's
 * mappings; see the man page for the others); the mapcount column without
 * the flags reads them all.
 */
static enum kpage_count_rule
count_rule(bool flags, bool count_column)
{
	const char *v = getenv("PAGEMAP_DUMP_READ_COUNTS");

	if (v != NULL && *v != '\0')
		return KPAGE_COUNT_READ;
	if (flags)
		return KPAGE_COUNT_SMALL;
	return count_column ? KPAGE_COUNT_READ : KPAGE_COUNT_EXCLUSIVE;
}

int
dump_open_kpage(struct dump *d, bool flags, bool count, bool cgroup,
    bool pss)
{
	int fd[KPAGE_FILES] = { -1, -1, -1 };
	bool want[KPAGE_FILES] = { flags, count, cgroup };
	int f;

	if ((flags || count || cgroup) && !d->may_see_pfns) {
		warnx("kflags, kflags-hex, mapcount, cgroup and -k need the "
		    "PFNs, which the kernel shows only to root "
		    "(CAP_SYS_ADMIN)");
		return -1;
	}
	for (f = 0; f < KPAGE_FILES; f++) {
		if (!want[f])
			continue;
		fd[f] = open_kpage_file(d, (enum kpage_file)f, false);
		if (fd[f] < 0)
			goto fail;
	}
	if (pss && d->may_see_pfns && fd[KPAGE_COUNT] < 0)
		fd[KPAGE_COUNT] = open_kpage_file(d, KPAGE_COUNT, true);
	if (pss && fd[KPAGE_COUNT] < 0)
		warnx("pss-kib and uss-kib left out of the summary: they need "
		    "/proc/kpagecount and the PFNs (run as root)");
	d->pss = pss && fd[KPAGE_COUNT] >= 0;
	/*
	 * PSS of shmem and file pages, and hugetlb mappings, are told by a
	 * page's flags: read for one page per mapping.
	 */
	if (d->pss) {
		d->kflags_fd = fd[KPAGE_FLAGS] >= 0 ? fd[KPAGE_FLAGS] :
		    open_kpage_file(d, KPAGE_FLAGS, true);
		d->own_kflags_fd = fd[KPAGE_FLAGS] < 0 && d->kflags_fd >= 0;
		d->counts.kflags_fd = d->kflags_fd;
	}
	if (fd[0] < 0 && fd[1] < 0 && fd[2] < 0)
		return 0;
	if (kpage_init(&d->kpage, fd[0], fd[1], fd[2], WALK_ENTRIES) != 0) {
		warn("setting up");
		return -1;
	}
	d->kpage.count_rule = count_rule(flags, count);
	d->use_kpage = true;
	return 0;
fail:
	for (f = 0; f < KPAGE_FILES; f++)
		if (fd[f] >= 0)
			close(fd[f]);
	return -1;
}

void
dump_close_kpage(struct dump *d)
{
	if (d->own_kflags_fd)
		close(d->kflags_fd);
	d->own_kflags_fd = false;
	d->kflags_fd = -1;
	if (d->use_kpage)
		kpage_free(&d->kpage);
	d->use_kpage = false;
	if (d->use_ksm_kpage)
		kpage_free(&d->ksm_kpage);
	d->use_ksm_kpage = false;
	summary_free(&d->counts);
}

/* Reports a failed open or read of /proc/PID/file; returns DUMP_FAILED. */
static enum dump_status
fail_errno(pid_t pid, const char *file, int error)
{
	if (error == ENOENT || error == ESRCH)
		warnx("pid %d: /proc/%d%s%s: no such process", (int)pid,
		    (int)pid, *file ? "/" : "", file);
	else if (error == EACCES || error == EPERM)
		warnx("pid %d: /proc/%d/%s: permission denied (run as root: "
		    "it needs ptrace access to the process, and CAP_SYS_ADMIN "
		    "for PFNs)", (int)pid, (int)pid, file);
	else
		warnx("pid %d: /proc/%d%s%s: %s", (int)pid, (int)pid,
		    *file ? "/" : "", file, strerror(error));
	return DUMP_FAILED;
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
fail_zombie(pid_t pid)
{
	warnx("pid %d: the process is a zombie: it has no memory left to "
	    "dump", (int)pid);
	return DUMP_FAILED;
}

static void
warn_hidden_pfns(struct dump *d, pid_t pid)
{
	if (d->pfn_warned)
		return;
	d->pfn_warned = true;
	warnx("pid %d: the kernel hides PFNs from callers without "
	    "CAP_SYS_ADMIN: the pfn column reads 0 (run as root to see them)",
	    (int)pid);
}

/* Ends a mapping of the summary: its row, and its share of the total. */
static enum dump_status
end_summary(struct dump *d, struct format_summary *sum,
    struct format_summary *total)
{
	if (sum->map == NULL || sum->pages == 0)
		return DUMP_OK;
	summary_add(total, sum);
	if (format_summary_row(d->format, d->out, sum) != 0)
		return DUMP_OUTPUT_ERROR;
	return DUMP_OK;
}

/*
 * The spans of pages to read: for every mapping that -m lets through, its
 * pages inside the intervals of -r and -a. Returns the array (NULL with
 * *n 0 when there is none), or NULL with *n 1 when out of memory.
 */
static struct walk_span *
make_spans(const struct dump *d, const struct maps *maps, size_t *n)
{
	const struct filter_interval *iv;
	struct walk_span *v = NULL, *grown;
	size_t cap = 0, i;
	uint64_t ps = d->page_size, s, e;

	*n = 0;
	for (i = 0; i < maps->count; i++) {
		const struct maps_entry *map = &maps->entries[i];
		if (!filter_map(d->filter, map))
			continue;
		for (iv = filter_next(d->filter, map->start);
		    iv != NULL && iv->start < map->end;
		    iv = iv->end == UINT64_MAX ? NULL :
		    filter_next(d->filter, iv->end)) {
			s = iv->start > map->start ? iv->start : map->start;
			e = iv->end < map->end ? iv->end : map->end;
			if (*n == cap) {
				cap = cap ? cap * 2 : 64;
				grown = realloc(v, cap * sizeof(*v));
				if (grown == NULL) {
					free(v);
					*n = 1;
					return NULL;
				}
				v = grown;
			}
			v[*n].vpn = s / ps;
			v[*n].end = e / ps + (e % ps != 0);
			v[*n].map = i;
			(*n)++;
		}
	}
	return v;
}

/*
 * Which pages need reading: all of them for rows of every page; with
 * -P/-S or --summary only present or swapped ones (and soft-dirty ones,
 * which the kernel marks on holes too), found with PAGEMAP_SCAN.
 */
static uint64_t
scan_categories(const struct dump *d)
{
	uint64_t c = 0;

	if (d->filter->kflags)
		return WALK_PAGE_IS_PRESENT;	/* flags: present pages only */
	if (d->filter->present)
		c |= WALK_PAGE_IS_PRESENT;
	if (d->filter->swapped)
		c |= WALK_PAGE_IS_SWAPPED;
	if (c == 0 && d->summary)
		c = WALK_PAGE_IS_PRESENT | WALK_PAGE_IS_SWAPPED |
		    WALK_PAGE_IS_SOFT_DIRTY;
	return c;
}

/* What dump_pages carries from one segment to the next. */
struct pages {
	struct pagemap_entry entry;	/* the page at hand */
	struct format_row row;		/* its row */
	struct format_summary sum;	/* the mapping's counts so far */
	struct format_summary *total;	/* the process's */
};

/*
 * Moves on to mapping m: ends the summary row of the one before and
 * escapes the new name. Returns DUMP_OK, DUMP_FAILED or
 * DUMP_OUTPUT_ERROR.
 */
static enum dump_status
begin_mapping(struct dump *d, pid_t pid, struct pages *p,
    const struct maps_entry *m)
{
	if (d->summary && end_summary(d, &p->sum, p->total) != DUMP_OK)
		return DUMP_OUTPUT_ERROR;
	p->row.map = m;
	p->sum = (struct format_summary){
		.map = m, .pid = (int)pid, .page_size = d->page_size,
	};
	summary_begin_mapping(&d->counts, m);
	if (format_set_mapping(d->format, m) != 0) {
		warn("pid %d", (int)pid);
		return DUMP_FAILED;
	}
	return DUMP_OK;
}

/*
 * Prints the rows of the pages of one segment that the filters let
 * through, or counts them into the summary. Returns DUMP_OK, or
 * DUMP_OUTPUT_ERROR.
 */
static enum dump_status
dump_segment(struct dump *d, pid_t pid, struct pages *p,
    const struct walk_segment *seg)
{
	const struct filter *filter = d->filter;
	struct pagemap_entry *e = &p->entry;
	struct format_row *row = &p->row;
	uint64_t k;

	if (seg->entries == NULL) {
		/* A run the scan skipped: all zero entries, counted at once. */
		pagemap_decode(0, e);
		if (!filter_entry(filter, e) || !filter_kflags(filter, e, 0))
			return DUMP_OK;
		if (d->summary) {
			summary_count(&d->counts, &p->sum, seg->vpn, NULL, NULL,
			    NULL, seg->n, 0);
			return DUMP_OK;
		}
	}
	if (d->summary && !filter->kflags) {
		if (summary_count(&d->counts, &p->sum, seg->vpn, seg->entries,
		    d->pss ? seg->kpage[KPAGE_COUNT] : NULL,
		    seg->kpage[KPAGE_FLAGS], seg->n,
		    (filter->present ? PM_PRESENT : 0) |
		    (filter->swapped ? PM_SWAPPED : 0)))
			warn_hidden_pfns(d, pid);
		return DUMP_OK;
	}
	for (k = 0; k < seg->n; k++) {
		if (seg->entries != NULL)
			pagemap_decode(seg->entries[k], e);
		if (e->present && e->pfn == 0 && !d->pfn_warned)
			warn_hidden_pfns(d, pid);
		if (!filter_entry(filter, e))
			continue;
		row->kflags = seg->kpage[KPAGE_FLAGS] != NULL ?
		    seg->kpage[KPAGE_FLAGS][k] : 0;
		row->mapcount = seg->kpage[KPAGE_COUNT] != NULL ?
		    seg->kpage[KPAGE_COUNT][k] : 0;
		row->cgroup = seg->kpage[KPAGE_CGROUP] != NULL ?
		    seg->kpage[KPAGE_CGROUP][k] : 0;
		if (!filter_kflags(filter, e, row->kflags))
			continue;
		if (d->summary) {
			summary_count(&d->counts, &p->sum, seg->vpn + k,
			    &e->raw, d->pss ? &row->mapcount : NULL,
			    seg->kpage[KPAGE_FLAGS] != NULL ? &row->kflags : NULL,
			    1, 0);
			continue;
		}
		row->addr = (seg->vpn + k) * d->page_size;
		if (filter->naddrs > 0)
			row->paddr_offset = filter_page_offset(filter,
			    row->addr, d->page_size);
		if (format_row(d->format, d->out, row) != 0)
			return DUMP_OUTPUT_ERROR;
	}
	return DUMP_OK;
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
read_maps(pid_t pid, struct target *t)
{
	const char *why;
	char *text;
	size_t len, bad_line;

	for (t->maps_reads = 1;; t->maps_reads++) {
		if (t->maps_reads > 1 && lseek(t->maps_fd, 0, SEEK_SET) != 0)
			return fail_errno(pid, "maps", errno);
		if (maps_slurp(t->maps_fd, &text, &len) != 0)
			return fail_errno(pid, "maps", errno);
		if (maps_parse(&t->maps, text, len, &bad_line, &why) != 0) {
			if (bad_line == 0)
				warnx("pid %d: /proc/%d/maps: %s", (int)pid,
				    (int)pid, why);
			else
				warnx("pid %d: /proc/%d/maps: line %zu: %s",
				    (int)pid, (int)pid, bad_line, why);
			return DUMP_FAILED;
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
open_target(pid_t pid, int dirfd, struct target *t)
{
	struct proc_stat before, after;
	enum dump_status status;
	int alive, error;

	memset(t, 0, sizeof(*t));
	t->maps_fd = t->pagemap_fd = -1;
	while (t->opens < DUMP_TRIES) {
		if (read_stat(dirfd, &before) != 0)
			return fail_errno(pid, "stat", errno);
		if (before.flags & PF_KTHREAD) {
			t->no_memory = true;
			return DUMP_OK;
		}
		t->opens++;
		t->maps_fd = openat(dirfd, "maps", O_RDONLY | O_CLOEXEC);
		if (t->maps_fd < 0)
			return fail_errno(pid, "maps", errno);
		t->pagemap_fd = openat(dirfd, "pagemap", O_RDONLY | O_CLOEXEC);
		if (t->pagemap_fd < 0) {
			/* No address space: a zombie. */
			error = errno;
			if (error == ESRCH && read_stat(dirfd, &after) == 0 &&
			    after.state == 'Z')
				return fail_zombie(pid);
			return fail_errno(pid, "pagemap", error);
		}
		status = read_maps(pid, t);
		if (status != DUMP_OK)
			return status;
		if (read_stat(dirfd, &after) != 0)
			return fail_errno(pid, "stat", errno);
		alive = pagemap_alive(t->pagemap_fd);
		if (alive < 0)
			return fail_errno(pid, "pagemap", errno);
		if (after.state == 'Z')
			return fail_zombie(pid);
		if (alive == 1 && !exec_between(&before, &after)) {
			t->st = after;
			return DUMP_OK;
		}
		if (!running(&after)) {
			warnx("pid %d: the process exited while its maps were "
			    "read", (int)pid);
			return DUMP_FAILED;
		}
		close_target(t);	/* it exec'd: open the new image */
	}
	warnx("pid %d: the process exec'd each of the %d times its maps and "
	    "pagemap were opened: no consistent view of its memory",
	    (int)pid, DUMP_TRIES);
	return DUMP_FAILED;
}

/*
 * Asks where the zero-page and huge pages of a buffer's pages are, for
 * the summary: one PAGEMAP_SCAN sweep over segments of neighbouring
 * mappings (the kernel skips the gaps between mappings; a mapping left
 * out by -m, pages by -r, or a run that the walk's own scan found empty
 * ends a sweep). Done as each buffer comes, so
 * that the reader thread reads on meanwhile. Returns 0, or -1 with errno
 * set.
 */
static int
scan_buffer(struct dump *d, int fd, const struct walk_span *spans,
    const struct walk_buffer *b)
{
	const struct walk_segment *s = b->segments, *first;
	size_t i = 0, j;

	while (i < b->nsegments) {
		first = &s[i];
		if (first->entries == NULL) {
			i++;	/* a run of empty entries: nothing there */
			continue;
		}
		for (j = i + 1; j < b->nsegments && s[j].entries != NULL &&
		    (s[j].span == s[j - 1].span ||
		    (spans[s[j].span].map == spans[s[j - 1].span].map + 1 &&
		    s[j].vpn == spans[s[j].span].vpn &&
		    s[j - 1].vpn + s[j - 1].n == spans[s[j - 1].span].end)); j++)
			;
		if (summary_scan(&d->counts, fd, first->vpn,
		    s[j - 1].vpn + s[j - 1].n) != 0)
			return -1;
		i = j;
	}
	return 0;
}

/*
 * The kpage lookups a process's walk needs: those of the columns and -k,
 * or for the summary of a process that may map KSM pages, the flags of
 * every page too (KSM pages are told by them alone). Returns NULL for
 * none; sets *failed (reported) when they cannot be set up.
 */
static struct kpage *
summary_kpage(struct dump *d, int dirfd, bool *failed)
{
	struct kpage *k = d->use_kpage ? &d->kpage : NULL;
	int flags_fd, count_fd;

	if (!d->summary || !d->pss || d->kflags_fd < 0 ||
	    (k != NULL && k->fd[KPAGE_FLAGS] >= 0) ||
	    (dirfd >= 0 && !summary_may_have_ksm(dirfd)))
		return k;
	if (!d->use_ksm_kpage) {
		flags_fd = dup(d->kflags_fd);
		count_fd = dup(d->kpage.fd[KPAGE_COUNT]);
		if (flags_fd < 0 || count_fd < 0) {
			warn("counting KSM pages");
			if (flags_fd >= 0)
				close(flags_fd);
			if (count_fd >= 0)
				close(count_fd);
			*failed = true;
			return NULL;
		}
		/* It takes the descriptors, and closes them if it fails. */
		if (kpage_init(&d->ksm_kpage, flags_fd, count_fd, -1,
		    WALK_ENTRIES) != 0) {
			warn("counting KSM pages");
			*failed = true;
			return NULL;
		}
		d->ksm_kpage.count_rule = count_rule(true, false);
		d->use_ksm_kpage = true;
	}
	return &d->ksm_kpage;
}

/* Reports how a walk ended, when not at its end. */
static enum dump_status
walk_failure(struct dump *d, pid_t pid, int dirfd, const struct target *t,
    enum walk_status ws, int error, const char *failed)
{
	struct proc_stat now;

	if (ws == WALK_EXITED) {
		if (out_flush(d->out) != 0)
			return DUMP_OUTPUT_ERROR;
		/* Its memory is gone: it exited, or exec'd (and runs on). */
		if (read_stat(dirfd, &now) == 0 && running(&now) &&
		    exec_between(&t->st, &now))
			warnx("pid %d: /proc/%d/pagemap: the process exec'd "
			    "during the dump: the rows before are of the "
			    "image it left", (int)pid, (int)pid);
		else
			warnx("pid %d: /proc/%d/pagemap: the process exited "
			    "during the dump", (int)pid, (int)pid);
		return DUMP_FAILED;
	}
	if (failed != NULL && failed[0] == '/') {	/* a /proc/kpage* file */
		errno = error;
		warn("pid %d: %s", (int)pid, failed);
		return DUMP_FAILED;
	}
	return fail_errno(pid, "pagemap", error);
}

/*
 * Prints the rows (or the summary) of the selected pages of every mapping.
 * Returns DUMP_OK, DUMP_FAILED (the process went away or pagemap failed:
 * reported), or DUMP_OUTPUT_ERROR.
 */
static enum dump_status
dump_pages(struct dump *d, pid_t pid, int dirfd, const struct target *t,
    struct format_summary *total)
{
	const struct maps *maps = &t->maps;
	int pagemap_fd = t->pagemap_fd;
	const struct walk_buffer *b;
	const struct maps_entry *map = NULL, *m;
	struct walk walk;
	struct walk_span *spans;
	struct kpage *kp;
	bool kp_failed = false;
	struct pages p = {
		.row = { .entry = &p.entry, .page_size = d->page_size,
		    .pid = (int)pid },
		.total = total,
	};
	enum dump_status status = DUMP_OK;
	enum walk_status ws = WALK_MORE;
	const char *failed = NULL;
	size_t nspans, i;
	int error = 0;

	spans = make_spans(d, maps, &nspans);
	if (spans == NULL && nspans > 0) {
		warnx("pid %d: out of memory", (int)pid);
		return DUMP_FAILED;
	}
	kp = summary_kpage(d, dirfd, &kp_failed);
	if (kp_failed) {
		free(spans);
		return DUMP_FAILED;
	}
	if (walk_start(&walk, pagemap_fd, d->page_size, spans, nspans,
	    scan_categories(d), kp) != 0) {
		free(spans);
		warn("pid %d", (int)pid);
		return DUMP_FAILED;
	}
	summary_begin_process(&d->counts);
	while (ws == WALK_MORE && status == DUMP_OK) {
		b = walk_next(&walk);
		if (d->summary && d->scan_works &&
		    scan_buffer(d, pagemap_fd, spans, b) != 0) {
			status = fail_errno(pid, "pagemap", errno);
			walk_release(&walk, b);
			break;
		}
		for (i = 0; i < b->nsegments && status == DUMP_OK; i++) {
			m = &maps->entries[spans[b->segments[i].span].map];
			if (m != map) {
				map = m;
				status = begin_mapping(d, pid, &p, m);
			}
			if (status == DUMP_OK)
				status = dump_segment(d, pid, &p,
				    &b->segments[i]);
		}
		ws = b->status;
		error = b->error;
		failed = b->failed;
		walk_release(&walk, b);
	}
	walk_stop(&walk);	/* the reader is done: its counts are final */
	if (d->stats)
		fprintf(stderr, "pagemap-dump: pid %d: %" PRIu64 " entries read "
		    "with %" PRIu64 " preads, %" PRIu64 " PAGEMAP_SCAN calls\n",
		    (int)pid, walk.stat_entries, walk.stat_preads,
		    walk.stat_scans);
	if (d->stats && d->use_kpage)
		fprintf(stderr, "pagemap-dump: pid %d: %" PRIu64 " kpageflags, "
		    "%" PRIu64 " kpagecount, %" PRIu64 " kpagecgroup reads\n",
		    (int)pid, d->kpage.preads[KPAGE_FLAGS],
		    d->kpage.preads[KPAGE_COUNT],
		    d->kpage.preads[KPAGE_CGROUP]);
	free(spans);
	if (status == DUMP_OK && d->summary)
		status = end_summary(d, &p.sum, total);
	if (status == DUMP_OK && ws != WALK_END)
		status = walk_failure(d, pid, dirfd, t, ws, error, failed);
	return status;
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
	if ((d->summary ? format_summary_header(d->format, d->out) :
	    format_header(d->format, d->out)) != 0)
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
	struct format_summary total = {
		.pid = (int)pid, .page_size = d->page_size,
	};
	enum dump_status status;
	size_t missing;

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
		warn_hidden_pfns(d, pid);
	missing = check_addresses(d, pid, &t->maps, t->pagemap_fd);
	status = write_header(d);
	if (status == DUMP_OK)
		status = dump_pages(d, pid, dirfd, t, &total);
	if (status == DUMP_OK && d->summary &&
	    format_summary_row(d->format, d->out, &total) != 0)
		status = DUMP_OUTPUT_ERROR;
	if (status == DUMP_OK && missing > 0)
		status = DUMP_FAILED;
	return status;
}

/* Opens the /proc directory of pid (0: this process); sets *pid. */
static int
open_proc_dir(pid_t *pid)
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
		fail_errno(*pid, "", errno);
	return dirfd;
}

enum dump_status
dump_pid(struct dump *d, pid_t pid)
{
	struct target t;
	enum dump_status status;
	int dirfd = open_proc_dir(&pid);

	if (dirfd < 0)
		return DUMP_FAILED;
	status = open_target(pid, dirfd, &t);
	if (status == DUMP_OK)
		status = dump_target(d, pid, dirfd, &t);
	close_target(&t);
	close(dirfd);
	return status;
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
	status = read_maps(f->pid, &t);
	if (status == DUMP_OK)
		status = dump_target(d, f->pid, -1, &t);
	close_target(&t);
	return status;
}
