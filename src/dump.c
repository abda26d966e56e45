/*
 * dump: wires the maps snapshot, the pagemap reader and the formatter
 * together for one process.
 */
#include "dump.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "maps.h"
#include "pagemap.h"

#define CAP_SYS_ADMIN_BIT 21

bool
dump_has_sys_admin(const char *status)
{
	const char *line = strstr(status, "\nCapEff:");
	unsigned long long caps;

	if (line == NULL || sscanf(line + 8, "%llx", &caps) != 1)
		return false;
	return (caps >> CAP_SYS_ADMIN_BIT) & 1;
}

/* Reads /proc/self/status to learn whether PFNs will be visible. */
static bool
caller_has_sys_admin(void)
{
	char *text;
	size_t len;
	bool yes;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (maps_slurp(fd, &text, &len) != 0) {
		close(fd);
		return false;
	}
	close(fd);
	text[len] = '\0';
	yes = dump_has_sys_admin(text);
	free(text);
	return yes;
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
	memset(d, 0, sizeof(*d));
	d->format = format;
	d->out = out;
	d->filter = filter;
	d->summary = summary;
	d->header_done = no_header;
	d->page_size = dump_page_size();
	d->batch = malloc(DUMP_BATCH * sizeof(*d->batch));
	if (d->batch == NULL)
		return -1;
	d->may_see_pfns = caller_has_sys_admin();
	return 0;
}

void
dump_free(struct dump *d)
{
	free(d->batch);
	d->batch = NULL;
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
 * Reads the state letter and the flags of the process whose /proc
 * directory is dirfd from its stat line. Returns 0, or -1 when it cannot.
 */
static int
read_stat(int dirfd, char *state, unsigned long *flags)
{
	char buf[1024];
	const char *paren;
	ssize_t n;
	int fd = openat(dirfd, "stat", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* The command name may hold ')': the state follows the last one. */
	paren = strrchr(buf, ')');
	if (paren == NULL || sscanf(paren + 1, " %c %*d %*d %*d %*d %*d %lu",
	    state, flags) != 2)
		return -1;
	return 0;
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

/*
 * Prints the rows of the pages from vpn up to end of one mapping (or, for
 * the summary, counts them into sum). Returns DUMP_OK, DUMP_FAILED (the
 * process went away or pagemap failed: reported), or DUMP_OUTPUT_ERROR.
 */
static enum dump_status
dump_span(struct dump *d, pid_t pid, int pagemap_fd,
    const struct maps_entry *map, uint64_t vpn, uint64_t end,
    struct format_summary *sum)
{
	const struct filter *filter = d->filter;
	struct pagemap_entry entry;
	struct format_row row = {
		.entry = &entry, .map = map, .page_size = d->page_size,
		.pid = (int)pid,
	};
	long got, i;
	size_t want;

	while (vpn < end) {
		want = end - vpn < DUMP_BATCH ? (size_t)(end - vpn) : DUMP_BATCH;
		got = pagemap_read(pagemap_fd, vpn, d->batch, want);
		if (got < 0) {
			if (errno == ESRCH)
				goto exited;
			return fail_errno(pid, "pagemap", errno);
		}
		for (i = 0; i < got; i++) {
			pagemap_decode(d->batch[i], &entry);
			if (entry.present && entry.pfn == 0 && !d->pfn_warned)
				warn_hidden_pfns(d, pid);
			if (!filter_entry(filter, &entry))
				continue;
			if (sum != NULL) {
				sum->pages++;
				sum->present += entry.present;
				sum->swapped += entry.swapped;
				sum->file_shared += entry.file_shared;
				sum->soft_dirty += entry.soft_dirty;
				sum->exclusive += entry.exclusive;
				continue;
			}
			row.addr = (vpn + (uint64_t)i) * d->page_size;
			if (filter->naddrs > 0)
				row.paddr_offset = filter_page_offset(filter,
				    row.addr, d->page_size);
			if (format_row(d->format, d->out, &row) != 0)
				return DUMP_OUTPUT_ERROR;
		}
		if ((size_t)got < want) {
			/*
			 * No more entries: either the mapping lies above the
			 * task's address space ([vsyscall]), which has none,
			 * or the process has gone.
			 */
			switch (pagemap_alive(pagemap_fd)) {
			case 1:
				return DUMP_OK;
			case 0:
				goto exited;
			default:
				return fail_errno(pid, "pagemap", errno);
			}
		}
		vpn += (uint64_t)got;
	}
	return DUMP_OK;
exited:
	if (out_flush(d->out) != 0)
		return DUMP_OUTPUT_ERROR;
	warnx("pid %d: /proc/%d/pagemap: the process exited during the dump",
	    (int)pid, (int)pid);
	return DUMP_FAILED;
}

/*
 * Dumps the pages of one mapping that the filter's intervals select, or
 * adds them up into total and prints the mapping's summary row.
 */
static enum dump_status
dump_mapping(struct dump *d, pid_t pid, int pagemap_fd,
    const struct maps_entry *map, struct format_summary *total)
{
	const struct filter_interval *iv;
	struct format_summary sum = {
		.map = map, .pid = (int)pid, .page_size = d->page_size,
	};
	enum dump_status status = DUMP_OK;
	uint64_t ps = d->page_size, s, e;

	if (!filter_map(d->filter, map))
		return DUMP_OK;
	if (format_set_mapping(d->format, map) != 0) {
		warn("pid %d: formatting", (int)pid);
		return DUMP_FAILED;
	}
	for (iv = filter_next(d->filter, map->start);
	    iv != NULL && iv->start < map->end && status == DUMP_OK;
	    iv = filter_next(d->filter, iv->end)) {
		s = iv->start > map->start ? iv->start : map->start;
		e = iv->end < map->end ? iv->end : map->end;
		status = dump_span(d, pid, pagemap_fd, map, s / ps,
		    e / ps + (e % ps != 0), d->summary ? &sum : NULL);
		if (iv->end == UINT64_MAX)
			break;
	}
	if (status != DUMP_OK || !d->summary || sum.pages == 0)
		return status;
	total->pages += sum.pages;
	total->present += sum.present;
	total->swapped += sum.swapped;
	total->file_shared += sum.file_shared;
	total->soft_dirty += sum.soft_dirty;
	total->exclusive += sum.exclusive;
	if (format_summary_row(d->format, d->out, &sum) != 0)
		return DUMP_OUTPUT_ERROR;
	return DUMP_OK;
}

/* Reports the -a addresses that no mapping holds; returns how many. */
static size_t
check_addresses(const struct dump *d, pid_t pid, const struct maps *maps)
{
	size_t i, j, missing = 0;

	for (i = 0; i < d->filter->naddrs; i++) {
		uint64_t a = d->filter->addrs[i];
		for (j = 0; j < maps->count; j++)
			if (a >= maps->entries[j].start &&
			    a < maps->entries[j].end)
				break;
		if (j == maps->count) {
			warnx("pid %d: address 0x%llx is not in any mapping",
			    (int)pid, (unsigned long long)a);
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

enum dump_status
dump_pid(struct dump *d, pid_t pid)
{
	char path[32];
	struct maps maps;
	enum dump_status status = DUMP_OK;
	struct format_summary total = {
		.pid = (int)pid, .page_size = d->page_size,
	};
	const char *why;
	char *text;
	size_t len, bad_line, i, missing;
	int dirfd, maps_fd, pagemap_fd;

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return fail_errno(pid, "", errno);
	maps_fd = openat(dirfd, "maps", O_RDONLY | O_CLOEXEC);
	if (maps_fd < 0) {
		status = fail_errno(pid, "maps", errno);
		close(dirfd);
		return status;
	}
	pagemap_fd = openat(dirfd, "pagemap", O_RDONLY | O_CLOEXEC);
	if (pagemap_fd < 0) {
		/* No address space: a kernel thread, or a zombie. */
		int error = errno;
		char state;
		unsigned long flags;
		if (error == ESRCH && read_stat(dirfd, &state, &flags) == 0) {
			if (flags & PF_KTHREAD)
				status = write_header(d);
			else if (state == 'Z')
				status = fail_zombie(pid);
			else
				status = fail_errno(pid, "pagemap", error);
		} else
			status = fail_errno(pid, "pagemap", error);
		goto out_maps;
	}
	if (maps_slurp(maps_fd, &text, &len) != 0) {
		status = fail_errno(pid, "maps", errno);
		goto out_pagemap;
	}
	if (maps_parse(&maps, text, len, &bad_line, &why) != 0) {
		if (bad_line == 0)
			warnx("pid %d: /proc/%d/maps: %s", (int)pid, (int)pid,
			    why);
		else
			warnx("pid %d: /proc/%d/maps: line %zu: %s", (int)pid,
			    (int)pid, bad_line, why);
		status = DUMP_FAILED;
		goto out_pagemap;
	}
	if (!d->may_see_pfns)
		warn_hidden_pfns(d, pid);
	missing = check_addresses(d, pid, &maps);
	status = write_header(d);
	for (i = 0; i < maps.count && status == DUMP_OK; i++)
		status = dump_mapping(d, pid, pagemap_fd, &maps.entries[i],
		    &total);
	if (status == DUMP_OK && d->summary &&
	    format_summary_row(d->format, d->out, &total) != 0)
		status = DUMP_OUTPUT_ERROR;
	if (status == DUMP_OK && missing > 0)
		status = DUMP_FAILED;
	maps_free(&maps);
out_pagemap:
	close(pagemap_fd);
out_maps:
	close(maps_fd);
	close(dirfd);
	return status;
}
