/*
 * replay: a snapshot's processes put back in memory files, one memfd for
 * each file the live dump reads (maps, pagemap, the kpage files; sparse
 * where the pages are empty), and read through the fixture entry point,
 * so that every view renders as it did live.
 */
#include "replay.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "column.h"
#include "dump.h"
#include "kpage.h"
#include "walk.h"

#define REPLAY_RUN 4096		/* values written by one pwrite */

/* The memory files of a snapshot. */
struct replay_files {
	int kpage[KPAGE_FILES];
	struct dump_files *procs;
	size_t nprocs;
};

int
replay_load(const char *path, struct snapshot *s)
{
	unsigned char *data = NULL;
	char why[160];
	struct stat st;
	size_t done = 0;
	ssize_t got;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = -1;

	memset(s, 0, sizeof(*s));
	if (fd < 0 || fstat(fd, &st) != 0) {
		warn("%s", path);
		goto out;
	}
	data = malloc(st.st_size > 0 ? (size_t)st.st_size : 1);
	if (data == NULL) {
		warn("%s", path);
		goto out;
	}
	while (done < (size_t)st.st_size &&
	    (got = read(fd, data + done, (size_t)st.st_size - done)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			warn("%s", path);
			goto out;
		}
		done += (size_t)got;
	}
	if (snapshot_decode(s, data, done, why, sizeof(why)) != 0)
		warnx("%s: %s", path, why);
	else
		rc = 0;
out:
	free(data);
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Writes n values at index at on. Returns 0, or -1 with errno set. */
static int
write_run(int fd, const uint64_t *v, size_t n, uint64_t at)
{
	const char *p = (const char *)v;
	size_t len = n * sizeof(*v), done = 0;
	ssize_t put;

	while (done < len) {
		put = pwrite(fd, p + done, len - done,
		    (off_t)(at * sizeof(*v) + done));
		if (put < 0 && errno == EINTR)
			continue;
		if (put <= 0)
			return -1;
		done += (size_t)put;
	}
	return 0;
}

/* The value of frame f in kpage file `file`. */
static uint64_t
frame_value(const struct snapshot_frame *f, int file)
{
	return file == KPAGE_FLAGS ? f->flags : file == KPAGE_COUNT ?
	    f->count : f->cgroup;
}

/* A kpage file of the frames: each value at its PFN, 0 elsewhere. */
static int
kpage_file(const struct snapshot *s, int file)
{
	uint64_t buf[REPLAY_RUN], at = 0;
	size_t n = 0, i;
	int fd = memfd_create("pagemap-dump-replay", MFD_CLOEXEC);

	if (fd < 0 || (s->nframes > 0 && ftruncate(fd,
	    (off_t)((s->frames[s->nframes - 1].pfn + 1) * 8)) != 0))
		goto fail;
	for (i = 0; i < s->nframes; i++) {
		const struct snapshot_frame *f = &s->frames[i];
		if (n > 0 && (f->pfn != at + n || n == REPLAY_RUN)) {
			if (write_run(fd, buf, n, at) != 0)
				goto fail;
			n = 0;
		}
		if (n == 0)
			at = f->pfn;
		buf[n++] = frame_value(f, file);
	}
	if (n > 0 && write_run(fd, buf, n, at) != 0)
		goto fail;
	return fd;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

/* The pagemap of a process: its entries at their pages, 0 elsewhere. */
static int
pagemap_file(const struct snapshot_process *p)
{
	uint64_t buf[REPLAY_RUN], at = 0, end = p->task_end;
	size_t n = 0, i;
	int fd = memfd_create("pagemap-dump-replay", MFD_CLOEXEC);

	if (p->nentries > 0 && p->entries[p->nentries - 1].vpn >= end)
		end = p->entries[p->nentries - 1].vpn + 1;
	if (fd < 0 || ftruncate(fd, (off_t)(end * 8)) != 0)
		goto fail;
	for (i = 0; i < p->nentries; i++) {
		const struct snapshot_entry *e = &p->entries[i];
		if (n > 0 && (e->vpn != at + n || n == REPLAY_RUN)) {
			if (write_run(fd, buf, n, at) != 0)
				goto fail;
			n = 0;
		}
		if (n == 0)
			at = e->vpn;
		buf[n++] = e->raw;
	}
	if (n > 0 && write_run(fd, buf, n, at) != 0)
		goto fail;
	return fd;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

/* The maps file of a process. */
static int
maps_file(const struct snapshot_process *p)
{
	int fd = memfd_create("pagemap-dump-replay", MFD_CLOEXEC);
	size_t done = 0;
	ssize_t put;

	while (fd >= 0 && done < p->maps_len) {
		put = write(fd, p->maps + done, p->maps_len - done);
		if (put < 0 && errno == EINTR)
			continue;
		if (put <= 0) {
			close(fd);
			return -1;
		}
		done += (size_t)put;
	}
	if (fd >= 0 && lseek(fd, 0, SEEK_SET) != 0) {	/* read from the start */
		close(fd);
		return -1;
	}
	return fd;
}

static void
close_files(struct replay_files *rf)
{
	size_t i;
	int f;

	for (f = 0; f < KPAGE_FILES; f++)
		if (rf->kpage[f] >= 0)
			close(rf->kpage[f]);
	for (i = 0; i < rf->nprocs; i++) {
		if (rf->procs[i].maps_fd >= 0)
			close(rf->procs[i].maps_fd);
		if (rf->procs[i].pagemap_fd >= 0)
			close(rf->procs[i].pagemap_fd);
	}
	free(rf->procs);
}

/*
 * Adds the memory files of process p (of s), and with its regions has
 * walk_scan answer for its pagemap. Returns 0, or -1 with errno set.
 */
static int
add_process(struct replay_files *rf, const struct snapshot *s,
    const struct snapshot_process *p)
{
	struct dump_files *f = &rf->procs[rf->nprocs++];

	_Static_assert(sizeof(struct snapshot_region) ==
	    sizeof(struct walk_scan_region), "a region is a region");
	f->pid = p->pid;
	f->comm = p->comm;
	f->maps_fd = maps_file(p);
	f->pagemap_fd = f->maps_fd >= 0 ? pagemap_file(p) : -1;
	if (f->maps_fd < 0 || f->pagemap_fd < 0)
		return -1;
	return s->has_regions ? walk_scan_emulate(f->pagemap_fd,
	    (const struct walk_scan_region *)(const void *)p->regions,
	    p->nregions) : 0;
}

/*
 * The memory files of the processes of s that opts asks for (all when it
 * names none); those it names that s lacks are said, and *missing set.
 * Returns 0, or -1 (said).
 */
static int
make_files(struct replay_files *rf, const struct snapshot *s,
    const struct options *opts, bool *missing)
{
	size_t i, k;
	int f;

	memset(rf, 0, sizeof(*rf));
	for (f = 0; f < KPAGE_FILES; f++)
		rf->kpage[f] = -1;
	rf->procs = calloc(s->nprocs + 1, sizeof(*rf->procs));
	if (rf->procs == NULL)
		goto fail;
	for (f = 0; s->has_kpage && f < KPAGE_FILES; f++)
		if ((f != KPAGE_CGROUP || s->has_cgroup) &&
		    (rf->kpage[f] = kpage_file(s, f)) < 0)
			goto fail;
	for (i = 0; opts->npids == 0 && i < s->nprocs; i++)
		if (add_process(rf, s, &s->procs[i]) != 0)
			goto fail;
	for (k = 0; k < opts->npids; k++) {
		for (i = 0; i < s->nprocs && s->procs[i].pid != opts->pids[k];
		    i++)
			;
		if (i == s->nprocs) {
			warnx("pid %d: not in the snapshot", (int)opts->pids[k]);
			*missing = true;
		} else if (rf->nprocs < s->nprocs &&
		    add_process(rf, s, &s->procs[i]) != 0)
			goto fail;
	}
	return 0;
fail:
	warn("--replay: memory files");
	close_files(rf);
	memset(rf, 0, sizeof(*rf));
	return -1;
}

/*
 * A snapshot of physical memory: its frames, as --physical walked them,
 * by default with its columns. Returns 0, or -1 (said).
 */
static int
physical_snapshot(struct options *opts, const struct snapshot *s,
    struct app_captured *cap)
{
	if (opts->npids > 0) {
		warnx("--replay: %s holds physical memory: no pid with it",
		    opts->replay);
		return -1;
	}
	opts->physical = true;
	if (!opts->own_columns) {
		opts->cols[0] = (unsigned)column_find("pfn", 3);
		opts->cols[1] = (unsigned)column_find("kflags", 6);
		opts->ncols = 2;
	}
	cap->physical = true;
	if (s->nframes > 0) {
		cap->pfn_start = s->frames[0].pfn;
		cap->pfn_end = s->frames[s->nframes - 1].pfn + 1;
	}
	return 0;
}

int
replay_snapshot(struct options *opts, const struct snapshot *s)
{
	struct replay_files rf;
	struct app_captured cap;
	bool missing = false;
	int status;

	if (s->page_size != dump_page_size()) {
		warnx("--replay: the snapshot was taken with pages of %llu "
		    "bytes, and this machine's are of %llu: replay it on a "
		    "machine like the one it was taken on",
		    (unsigned long long)s->page_size,
		    (unsigned long long)dump_page_size());
		return 1;
	}
	if (make_files(&rf, s, opts, &missing) != 0)
		return 1;
	memset(&cap, 0, sizeof(cap));
	cap.kpage_dirfd = -1;
	cap.layout = s->layout;
	cap.procs = rf.procs;
	cap.nprocs = rf.nprocs;
	cap.kpage_fds = rf.kpage;
	cap.scan_emulated = s->has_regions;
	if (s->physical && physical_snapshot(opts, s, &cap) != 0) {
		close_files(&rf);
		return 1;
	}
	if (rf.nprocs > 1)
		options_pid_column(opts);
	status = rf.nprocs > 0 || !missing ? app_run_to(opts, &cap,
	    STDOUT_FILENO) : 1;
	close_files(&rf);
	walk_scan_emulate(-1, NULL, 0);
	return status != 0 || missing ? 1 : 0;
}

int
replay_run(struct options *opts)
{
	struct snapshot s;
	int status;

	if (replay_load(opts->replay, &s) != 0)
		return 1;
	status = replay_snapshot(opts, &s);
	snapshot_free(&s);
	return status;
}
