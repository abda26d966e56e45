/*
 * watch: --watch SECONDS. Reads a live process again and again (each
 * reading a snapshot in memory, as --record takes it) and prints what
 * changed since the reading before, each row after the time of its
 * reading. SIGINT or SIGTERM ends it after the round at hand, with every
 * row written whole, and exit status 0; so does the end of the process.
 */
#include "diff.h"

#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "record.h"

static volatile sig_atomic_t stopped;

static void
on_signal(int sig)
{
	(void)sig;
	stopped = 1;
}

/* Ends the watch on SIGINT and SIGTERM (a sleep they cut short ends). */
static void
catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* Sleeps seconds, or less when a signal ends the watch. */
static void
pause_for(double seconds)
{
	struct timespec t;

	t.tv_sec = (time_t)seconds;
	t.tv_nsec = (long)((seconds - (double)t.tv_sec) * 1e9);
	while (!stopped && nanosleep(&t, &t) != 0 && errno == EINTR)
		;
}

/* Whether the process is still there (not a zombie either). */
static bool
alive(pid_t pid)
{
	char path[64], state = 'X', buf[512], *p;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fp = fopen(path, "re");
	if (fp == NULL)
		return false;
	if (fgets(buf, sizeof(buf), fp) != NULL &&
	    (p = strrchr(buf, ')')) != NULL && p[1] == ' ')
		state = p[2];
	fclose(fp);
	return state != 'Z' && state != 'X';
}

/* One round: reads the process again, prints what changed. */
static int
round_of(struct out *out, struct snapshot *prev, pid_t pid, bool *gone)
{
	struct snapshot now;
	struct diff_counts counts;
	char stamp[32];
	int rc;

	*gone = false;
	if (record_take(pid, &now) != 0) {
		*gone = !alive(pid);
		return *gone ? 0 : -1;
	}
	snprintf(stamp, sizeof(stamp), "%" PRId64 ".%03d",
	    now.time_ns / 1000000000, (int)(now.time_ns / 1000000 % 1000));
	memset(&counts, 0, sizeof(counts));
	rc = now.nprocs == 1 && prev->nprocs == 1 ? diff_process(out, prev,
	    &prev->procs[0], &now, &now.procs[0], stamp, NULL, &counts) : -1;
	snapshot_free(prev);
	*prev = now;
	if (rc == 0 && out_flush(out) != 0)
		rc = -1;
	return rc;
}

int
watch_run(struct options *opts)
{
	struct snapshot prev;
	struct out out;
	long readings = 1;
	pid_t pid = opts->pids[0];
	bool gone = false;
	int status = 0;

	catch_signals();
	if (record_take(pid, &prev) != 0)
		return 1;
	if (out_init(&out, STDOUT_FILENO, 1 << 16) != 0) {
		warn("--watch");
		snapshot_free(&prev);
		return 1;
	}
	if (!opts->no_header && (out_write(&out, "time ", 5) != 0 ||
	    out_write(&out, DIFF_HEADER, strlen(DIFF_HEADER)) != 0 ||
	    out_flush(&out) != 0))
		status = 1;
	while (status == 0 && !stopped &&
	    (opts->count == 0 || readings < opts->count)) {
		pause_for(opts->watch);
		if (stopped)
			break;
		if (round_of(&out, &prev, pid, &gone) != 0)
			status = 1;
		readings++;
		if (gone) {
			warnx("--watch: pid %d is gone", (int)pid);
			break;
		}
	}
	if (out.error != 0) {
		errno = out.error;
		warn("write to stdout");
		status = 1;
	}
	out_free(&out);
	snapshot_free(&prev);
	return status;
}
