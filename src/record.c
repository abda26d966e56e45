/*
 * record: snapshots written by the page path itself: the snapshot sink
 * (sink_snapshot.c) takes every page as a view would, and the file is
 * written only when every process asked for is whole in it.
 */
#include "record.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "filter.h"
#include "replay.h"
#include "sink.h"

/* Reads fd whole from its start into a malloc'd buffer. */
static unsigned char *
read_whole(int fd, size_t *len)
{
	struct stat st;
	unsigned char *data;
	size_t done = 0;
	ssize_t got;

	if (fstat(fd, &st) != 0)
		return NULL;
	data = malloc(st.st_size > 0 ? (size_t)st.st_size : 1);
	while (data != NULL && done < (size_t)st.st_size) {
		got = pread(fd, data + done, (size_t)st.st_size - done,
		    (off_t)done);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			free(data);
			return NULL;
		}
		done += (size_t)got;
	}
	*len = done;
	return data;
}

/* Says what the file holds (-v): processes, entries, frames, bytes. */
static void
say_recorded(const char *path)
{
	struct snapshot s;
	size_t entries = 0, i;
	struct stat st;

	if (replay_load(path, &s) != 0 || stat(path, &st) != 0)
		return;
	if (s.physical) {
		warnx("--record: %s: %zu frames of physical memory, %lld bytes "
		    "(%.1f a frame)", path, s.nframes, (long long)st.st_size,
		    s.nframes > 0 ? (double)st.st_size / (double)s.nframes :
		    0.0);
		snapshot_free(&s);
		return;
	}
	for (i = 0; i < s.nprocs; i++)
		entries += s.procs[i].nentries;
	warnx("--record: %s: %zu process%s, %zu pages, %zu frames, %lld "
	    "bytes (%.1f a page)", path, s.nprocs, s.nprocs == 1 ? "" :
	    "es", entries, s.nframes, (long long)st.st_size,
	    entries > 0 ? (double)st.st_size / (double)entries : 0.0);
	snapshot_free(&s);
}

/* Writes the snapshot to stdout, which must not be a terminal. */
static int
record_stdout(struct options *opts, const struct app_captured *cap)
{
	if (isatty(STDOUT_FILENO)) {
		warnx("--record -: a snapshot is binary: not to a terminal");
		return 1;
	}
	opts->sink = &sink_snapshot;
	return app_run_to(opts, cap, STDOUT_FILENO);
}

int
record_run(struct options *opts, const struct app_captured *cap)
{
	size_t len = strlen(opts->record);
	char *tmp = malloc(len + 8);
	int fd, status;

	if (strcmp(opts->record, "-") == 0) {
		free(tmp);
		return record_stdout(opts, cap);
	}
	if (tmp == NULL) {
		warn("--record");
		return 1;
	}
	snprintf(tmp, len + 8, "%s.XXXXXX", opts->record);
	fd = mkostemp(tmp, O_CLOEXEC);	/* mode 0600: it holds PFNs */
	if (fd < 0) {
		warn("--record: %s", opts->record);
		free(tmp);
		return 1;
	}
	opts->sink = &sink_snapshot;
	status = app_run_to(opts, cap, fd);
	if (close(fd) != 0 && status == 0) {
		warn("--record: %s", opts->record);
		status = 1;
	}
	if (status == 0 && rename(tmp, opts->record) != 0) {
		warn("--record: %s", opts->record);
		status = 1;
	}
	if (status != 0) {
		unlink(tmp);
		warnx("--record: %s was not written", opts->record);
	} else if (opts->verbose)
		say_recorded(opts->record);
	free(tmp);
	return status;
}

int
record_take(pid_t pid, struct snapshot *s)
{
	struct options o;
	unsigned char *data = NULL;
	char why[160];
	size_t len = 0;
	int fd = memfd_create("pagemap-dump-take", MFD_CLOEXEC), status = 1;

	memset(s, 0, sizeof(*s));
	if (fd < 0) {
		warn("memfd_create");
		return -1;
	}
	options_init(&o);
	o.sink = &sink_snapshot;
	o.pids = &pid;
	o.npids = 1;
	if (app_run_to(&o, NULL, fd) == 0 &&
	    (data = read_whole(fd, &len)) != NULL) {
		if (snapshot_decode(s, data, len, why, sizeof(why)) == 0)
			status = 0;
		else
			warnx("pid %d: the snapshot taken: %s", (int)pid, why);
	}
	filter_free(&o.filter);
	free(data);
	close(fd);
	return status == 0 ? 0 : -1;
}
