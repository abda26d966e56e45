/*
 * End-to-end tests of the whole machine. --all: every process (but the
 * tool itself), the header once, each process's rows whole and in order,
 * the kernel threads and the processes that exit or exec while read
 * skipped quietly (exit 0), processes denied counted in one line, and
 * the options that do not go with it. --pfn and --paddr: who maps a
 * frame, shared by fork or private.
 *
 * What the machine cannot show (not root: no other user) is skipped with
 * the reason printed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"
#include "walk.h"

/* The lines --all may say on stderr: one each, and nothing per pid. */
#define DENIED_LINE "pagemap-dump: --all: "
#define SKIPS_LINE "pagemap-dump: --all: "

/* Runs of --all while processes come and go (each reads every process). */
#define STORM_RUNS 8

static struct tl_child child;

/* A child with pages of its own: what --all must find. */
static const struct tl_map table[] = {
	{ .kind = TL_ANON, .pages = 64, .touch = "all" },
	{ .kind = TL_FILE, .pages = 16, .touch = "all" },
	{ .kind = TL_HEAP, .bytes = 20000, .touch = "all" },
};

/*
 * Fails unless every line of err is one of --all's own (a count of the
 * processes denied, or with -v of those skipped): no per-pid message.
 */
static void
assert_only_all_lines(const char *err)
{
	struct tl_lines ls;
	int i;

	tl_lines_split(&ls, err);
	for (i = 0; i < ls.n; i++)
		if (!tl_starts_with(ls.v[i], DENIED_LINE))
			fail_msg("a message that is not --all's own: '%s'",
			    ls.v[i]);
	tl_lines_free(&ls);
}

/* Whether err says that some processes were denied. */
static bool
some_denied(const char *err)
{
	return strstr(err, "could not be read: permission denied") != NULL;
}

/* Fails unless --all exited 0 (even with processes denied). */
static void
assert_exit_of_all(const struct tl_run *r)
{
	tl_assert_not_killed(r->status, "--all", r->err);
	if (tl_exit_code(r) != 0)
		fail_msg("--all: exit %d: %s", tl_exit_code(r), r->err);
}

/*
 * The summary of --all, text: one header first, then for each pid its
 * mapping rows and its total last, pids ascending, each once. Counts
 * the pids into *npids; sets *seen when want's rows are there (and their
 * total shows its pages).
 */
static void
check_summary_blocks(const char *out, pid_t want, size_t *npids, bool *seen)
{
	struct tl_lines ls;
	long last = 0, pid;
	bool open = false;
	int i;

	tl_lines_split(&ls, out);
	assert_true(ls.n > 1);
	assert_true(tl_starts_with(ls.v[0], "pid start end perms pages "));
	*npids = 0;
	*seen = false;
	for (i = 1; i < ls.n; i++) {
		char *end;
		pid = strtol(ls.v[i], &end, 10);
		if (pid <= 0 || *end != ' ')
			fail_msg("line %d is no row of a pid: '%s'", i + 1,
			    ls.v[i]);
		if (!open && pid <= last)
			fail_msg("pid %ld after %ld: not ascending", pid, last);
		if (open && pid != last)
			fail_msg("pid %ld's rows end without a total", last);
		open = strncmp(end, " total ", 7) != 0;
		if (!open) {
			(*npids)++;
			*seen |= pid == (long)want;
		}
		last = pid;
	}
	if (open)
		fail_msg("the last pid, %ld, has no total", last);
	tl_lines_free(&ls);
}

static void
should_summarise_every_process_but_itself_each_whole(void **state)
{
	struct tl_run r;
	size_t npids;
	bool seen;
	char *comm = tl_read_file("/proc/2/comm");
	(void)state;

	tl_child_start(&child, table, sizeof(table) / sizeof(table[0]), 0);
	tl_runl(&r, "-A", "-s");
	assert_exit_of_all(&r);
	assert_only_all_lines(r.err);
	check_summary_blocks(r.out, child.pid, &npids, &seen);
	assert_true(seen);
	/* This test and its child are two processes at least. */
	assert_true(npids >= 2);
	/* kthreadd (pid 2 outside a pid namespace) has no rows. */
	if (comm != NULL && strcmp(comm, "kthreadd\n") == 0)
		assert_null(strstr(r.out, "\n2 "));
	free(comm);
	tl_run_free(&r);
	tl_child_stop(&child);
}

/*
 * The rows of --all: each pid's pages in ascending address order, one
 * header, and the child's 64 written pages there as present.
 */
static void
should_dump_the_pages_of_every_process_in_order(void **state)
{
	struct tl_table t = { 0, 0, NULL };
	struct tl_run r;
	uint64_t last_addr = 0;
	long last_pid = 0;
	size_t i, mine = 0;
	(void)state;

	tl_child_start(&child, table, sizeof(table) / sizeof(table[0]), 0);
	tl_runl(&r, "-A", "-P", "-o", "pid,addr,present");
	assert_exit_of_all(&r);
	assert_only_all_lines(r.err);
	assert_true(tl_starts_with(r.out, "pid addr present\n"));
	assert_null(strstr(r.out + 1, "\npid addr"));
	tl_read_text(r.out, 3, &t);
	for (i = 1; i < t.n; i++) {	/* the header first */
		long pid = strtol(t.r[i].f[0], NULL, 10);
		uint64_t a = strtoull(t.r[i].f[1], NULL, 16);
		if (pid < last_pid || (pid == last_pid && a <= last_addr))
			fail_msg("row %zu (%ld %" PRIx64 ") out of order", i,
			    pid, a);
		mine += pid == (long)child.pid &&
		    a >= child.map[0].addr &&
		    a < child.map[0].addr + child.map[0].size;
		last_pid = pid;
		last_addr = a;
	}
	assert_int_equal(mine, 64);
	tl_table_free(&t);
	tl_run_free(&r);
	tl_child_stop(&child);
}

/* A process that execs itself (through sh) for as long as it runs. */
static pid_t
start_execer(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", "while :; do /bin/true; done",
		    (char *)NULL);
		_exit(127);
	}
	return pid;
}

/*
 * In a child: maps n mappings of MANY_PAGES pages (protections
 * alternating, so that they do not merge) and writes the first page of
 * the writable ones, so that reading it takes a while and writes many
 * rows. The written pages lie further apart than the walk reads through
 * (WALK_SCAN_GAP): each takes a pread of its own.
 */
#define MANY_PAGES (2 * WALK_SCAN_GAP)

static void
map_many(int n)
{
	size_t size = MANY_PAGES * (size_t)tl_page();
	int k;

	for (k = 0; k < n; k++) {
		char *m = mmap(NULL, size, k % 2 ? PROT_READ :
		    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
		    MAP_NORESERVE, -1, 0);
		if (m != MAP_FAILED && k % 2 == 0)
			m[0] = 1;
	}
}

/*
 * A process that forks children, one after the other, for as long as it
 * runs: each maps 2000 pages apart and exits a few milliseconds later,
 * so that --all meets some of them half read.
 */
static pid_t
start_forker(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		for (;;) {
			pid_t c = fork();
			if (c == 0) {
				map_many(2000);
				usleep(3000);
				_exit(0);
			}
			if (c > 0)
				waitpid(c, NULL, 0);
		}
	}
	return pid;
}

/*
 * While processes exit and exec all the time, --all -s -v exits 0 (or 1
 * with only processes denied), says nothing per pid, and each pid's rows
 * are whole; the count of those that went away is said with -v.
 */
static void
should_survive_processes_that_exit_and_exec_while_it_runs(void **state)
{
	pid_t storm[4];
	size_t i, npids, gone_runs = 0;
	bool seen;
	(void)state;

	storm[0] = start_execer();
	storm[1] = start_execer();
	storm[2] = start_forker();
	storm[3] = start_forker();
	for (i = 0; i < STORM_RUNS; i++) {
		struct tl_run r;
		tl_runl(&r, "-A", "-s", "-v");
		assert_exit_of_all(&r);
		assert_only_all_lines(r.err);
		assert_non_null(strstr(r.err, " processes read; skipped "));
		check_summary_blocks(r.out, getpid(), &npids, &seen);
		assert_true(seen);
		gone_runs += strstr(r.err, " and 0 that exited") == NULL;
		tl_run_free(&r);
	}
	for (i = 0; i < 4; i++) {
		kill(storm[i], SIGKILL);
		waitpid(storm[i], NULL, 0);
	}
	printf("[  NOTE    ] %zu of %d runs met processes that exited or "
	    "exec'd while read\n", gone_runs, STORM_RUNS);
}

/* A child of map_many(n) that holds until killed; returns its pid. */
static pid_t
start_many(int n)
{
	int info, hold;
	char c = 'r';
	pid_t pid = tl_fork_held(&info, &hold);

	assert_true(pid >= 0);
	if (pid == 0) {
		map_many(n);
		if (write(info, &c, 1) != 1)
			_exit(1);
		tl_wait_for_close(hold);
		_exit(0);
	}
	assert_int_equal(read(info, &c, 1), 1);
	close(info);
	return pid;	/* hold stays open: the child lives until killed */
}

/*
 * Runs the tool with args under strace, each pread of the victim's
 * pagemap from the when-th on held back a second; its stdout and stderr
 * go to memfds out and err. Returns its pid.
 */
static pid_t
spawn_delayed(pid_t victim, const char *when, int out, int err,
    const char *const *args)
{
	char path[64], inject[96];
	const char *argv[24];
	size_t n = 0, i;
	pid_t pid;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)victim);
	snprintf(inject, sizeof(inject), "inject=pread64:delay_enter=1000000:"
	    "when=%s", when);
	argv[n++] = "strace";
	argv[n++] = "-f";
	argv[n++] = "-qq";
	argv[n++] = "-o";
	argv[n++] = "/dev/null";
	argv[n++] = "-e";
	argv[n++] = "trace=pread64";
	argv[n++] = "-e";
	argv[n++] = inject;
	argv[n++] = "-P";
	argv[n++] = path;
	argv[n++] = tl_tool();
	for (i = 0; args[i] != NULL && n < 23; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* LeakSanitizer cannot run under ptrace (check-sanitize). */
		const char *asan = getenv("ASAN_OPTIONS");
		char opts[512];
		snprintf(opts, sizeof(opts), "%s%sdetect_leaks=0",
		    asan != NULL ? asan : "", asan != NULL ? ":" : "");
		setenv("ASAN_OPTIONS", opts, 1);
		if (dup2(out, 1) < 0 || dup2(err, 2) < 0)
			_exit(98);
		execvp("strace", (char *const *)argv);
		_exit(97);
	}
	return pid;
}

/*
 * A process that exits half read leaves no row: the victim has 20000
 * mappings, half of them touched, which the reader reads in some 10000
 * preads over several buffers (each holds 4096 segments), so
 * the summary has written the rows of the first buffers' mappings when
 * the reads from the 4500th on are held back and the victim is killed. None of its rows
 * may come out, and -v counts it.
 */
static void
should_leave_no_row_of_a_process_that_exits_half_read(void **state)
{
	const char *const args[] = { "-A", "-s", "-v", NULL };
	int out = memfd_create("out", MFD_CLOEXEC);
	int err = memfd_create("err", MFD_CLOEXEC);
	char *text, *errs, mark[32];
	pid_t victim, tool;
	int status;
	size_t npids;
	bool seen;
	(void)state;

	if (system("strace -V >/dev/null 2>&1") != 0)
		tl_skip("strace is not installed: its delay injection holds "
		    "the reads of a process back while it is killed");
	assert_true(out >= 0 && err >= 0);
	victim = start_many(20000);
	tool = spawn_delayed(victim, "4500+", out, err, args);
	sleep(3);
	kill(victim, SIGKILL);
	waitpid(victim, NULL, 0);
	status = tl_wait(tool);
	text = tl_read_memfd(out);
	errs = tl_read_memfd(err);
	close(out);
	close(err);
	tl_assert_not_killed(status, "--all under strace", errs);
	if (WEXITSTATUS(status) != 0)
		fail_msg("--all: exit %d: %s", WEXITSTATUS(status), errs);
	snprintf(mark, sizeof(mark), "\n%d ", (int)victim);
	if (strstr(text, mark) != NULL)
		fail_msg("rows of pid %d, which exited half read, came out",
		    (int)victim);
	check_summary_blocks(text, getpid(), &npids, &seen);
	assert_true(seen);
	assert_null(strstr(errs, " and 0 that exited"));
	free(text);
	free(errs);
}

/*
 * As user nobody, --all reads nobody's processes and says once how many
 * it could not read (this test's own among them), and nothing per pid
 * (but the summary's note that PSS needs root): exit 0, as it read what
 * it may.
 */
static void
should_say_once_how_many_processes_it_could_not_read(void **state)
{
	const struct tl_how how = { .as_nobody = true };
	const char *const args[] = { "-A", "-s", NULL };
	struct tl_lines ls;
	struct tl_run r;
	int i, denied = 0;
	(void)state;

	tl_require_root();
	tl_run_how(&r, &how, args);
	tl_assert_not_killed(r.status, "--all as nobody", r.err);
	assert_int_equal(tl_exit_code(&r), 0);
	tl_lines_split(&ls, r.err);
	for (i = 0; i < ls.n; i++) {
		denied += some_denied(ls.v[i]);
		if (tl_starts_with(ls.v[i], "pagemap-dump: pid "))
			fail_msg("a message of one pid: '%s'", ls.v[i]);
	}
	if (denied != 1)
		fail_msg("not one line saying how many were denied: %s",
		    r.err);
	tl_lines_free(&ls);
	assert_true(tl_starts_with(r.out, "pid start end perms "));
	tl_run_free(&r);
}

/* ---- a total row per process: --totals and --sort ---- */

/* The fields of line i of a text output, split at blanks (to be freed). */
static int
fields(const struct tl_lines *ls, int i, char **f, int max, char **copy)
{
	*copy = strdup(ls->v[i]);
	return tl_split(*copy, ' ', f, max);
}

/*
 * -s -t: one row, pid and command name first, the numbers of the plain
 * summary's total after them (the columns that hold still while this
 * test runs); no mapping's columns.
 */
static void
should_give_one_total_row_per_process_with_its_command_name(void **state)
{
	struct tl_lines plain, tot;
	struct tl_run a, b;
	char *fa, *fb, *x[40], *y[40];
	int na, nb, i;
	(void)state;

	tl_child_start(&child, table, sizeof(table) / sizeof(table[0]), 0);
	tl_runl(&a, "-s", child.arg);
	tl_runl(&b, "-s", "-t", child.arg);
	tl_assert_ran_ok(&a);
	tl_assert_ran_ok(&b);
	tl_lines_split(&plain, a.out);
	tl_lines_split(&tot, b.out);
	assert_int_equal(tot.n, 2);
	assert_true(tl_starts_with(tot.v[0], "pid comm pages present "));
	assert_null(strstr(tot.v[0], "library"));
	na = fields(&plain, plain.n - 1, x, 40, &fa);	/* total - - ... */
	nb = fields(&tot, 1, y, 40, &fb);		/* pid comm ... */
	assert_int_equal(nb, na - 1);	/* pid comm for total - - */
	assert_string_equal(y[0], child.arg);
	assert_string_equal(y[1], "test_all");
	/* pages, present, swapped: PSS moves as the test itself runs. */
	for (i = 3; i < 6; i++)
		assert_string_equal(y[i - 1], x[i]);
	free(fa);
	free(fb);
	tl_lines_free(&plain);
	tl_lines_free(&tot);
	tl_run_free(&a);
	tl_run_free(&b);
	tl_child_stop(&child);
}

/* -A -s -t --sort COL: each pid once, COL's values in order. */
static void
assert_sorted(const char *col, bool up)
{
	struct tl_lines ls;
	struct tl_run r;
	char *f[40], *copy;
	int i, n, at = -1;
	long long last = -1, v;

	tl_runl(&r, "-A", "-s", "-t", "--sort", col);
	assert_exit_of_all(&r);
	tl_lines_split(&ls, r.out);
	n = fields(&ls, 0, f, 40, &copy);
	for (i = 0; i < n; i++)
		if (strcmp(f[i], col) == 0)
			at = i;
	free(copy);
	assert_true(at >= 0 && ls.n > 2);
	for (i = 1; i < ls.n; i++) {
		assert_true(fields(&ls, i, f, 40, &copy) == n);
		v = strtoll(f[at], NULL, 10);
		if (last >= 0 && (up ? v <= last : v > last))
			fail_msg("--sort %s: %lld after %lld", col, v, last);
		last = v;
		free(copy);
	}
	tl_lines_free(&ls);
	tl_run_free(&r);
}

static void
should_sort_the_total_rows_by_a_column(void **state)
{
	(void)state;
	assert_sorted("rss-kib", false);
	assert_sorted("pages", false);
	assert_sorted("pid", true);
	if (tl_have_sys_admin())
		assert_sorted("pss-kib", false);
}

static void
should_refuse_totals_and_sort_out_of_place(void **state)
{
	static const char *const bad[][5] = {
		{ "-t", "self", NULL, NULL, NULL },
		{ "-s", "--sort", "pss-kib", "self", NULL },
		{ "-s", "-t", "--sort", "name", "self" },
		{ "-R", "-t", "self", NULL, NULL },
	};
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tl_run r;
		tl_run(&r, NULL, bad[i]);
		if (tl_exit_code(&r) != 2 || strstr(r.err, "--") == NULL)
			fail_msg("%s %s: exit %d: %s", bad[i][0], bad[i][1],
			    tl_exit_code(&r), r.err);
		tl_run_free(&r);
	}
}

/* ---- who maps a frame: --pfn and --paddr ---- */

/* A parent and its forked child: page 0 shared, page 1 of each its own. */
struct pair {
	pid_t a, b;
	uintptr_t addr;		/* of page 0 (page 1 follows) */
	int hold;
	char arg_a[16], arg_b[16];
};

/*
 * In the child of tl_fork_held: writes two pages, forks, and writes page
 * 1 again, so that it gets a frame of its own and the fork keeps the old
 * one; page 0 stays shared. Says (its pid, the fork's, the address).
 */
static void
pair_main(int info, int hold)
{
	char *m = mmap(NULL, 2 * (size_t)tl_page(), PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t said[3];
	pid_t b;

	if (m == MAP_FAILED)
		_exit(1);
	m[0] = 1;
	m[tl_page()] = 1;
	b = fork();
	if (b == 0) {
		tl_wait_for_close(hold);
		_exit(0);
	}
	m[tl_page()] = 2;	/* copy on write: a frame of its own */
	said[0] = (uint64_t)getpid();
	said[1] = (uint64_t)b;
	said[2] = (uint64_t)(uintptr_t)m;
	if (write(info, said, sizeof(said)) != (ssize_t)sizeof(said))
		_exit(1);
	tl_wait_for_close(hold);
	waitpid(b, NULL, 0);
	_exit(0);
}

static void
pair_start(struct pair *p)
{
	uint64_t said[3];
	int info;
	pid_t pid = tl_fork_held(&info, &p->hold);

	assert_true(pid >= 0);
	if (pid == 0)
		pair_main(info, p->hold);
	assert_int_equal(read(info, said, sizeof(said)), sizeof(said));
	close(info);
	p->a = (pid_t)said[0];
	p->b = (pid_t)said[1];
	p->addr = (uintptr_t)said[2];
	snprintf(p->arg_a, sizeof(p->arg_a), "%d", (int)p->a);
	snprintf(p->arg_b, sizeof(p->arg_b), "%d", (int)p->b);
}

static void
pair_stop(struct pair *p)
{
	close(p->hold);
	waitpid(p->a, NULL, 0);
}

/* The frame of page k of the pair in pid, as hex text. */
static void
frame_text(pid_t pid, uintptr_t addr, char *out, size_t len)
{
	struct tl_page s = tl_page_state(pid, addr);

	assert_true(s.present && s.pfn != 0);
	snprintf(out, len, "%" PRIx64, s.pfn);
}

/* Runs the tool with args and wants exactly the rows want, in order. */
static void
assert_rows(const char *const *args, const char *want)
{
	struct tl_run r;

	tl_run(&r, NULL, args);
	tl_assert_not_killed(r.status, args[0], r.err);
	if (tl_exit_code(&r) != 0 || strcmp(r.out, want) != 0)
		fail_msg("%s %s %s: exit %d, rows:\n%swant:\n%s%s", args[0],
		    args[1], args[2], tl_exit_code(&r), r.out, want, r.err);
	tl_run_free(&r);
}

/*
 * A frame shared by fork is found in both processes, a private one in
 * its own only; over --all too; --paddr finds the frame of an address.
 */
static void
should_find_every_process_that_maps_a_frame(void **state)
{
	char shared[32], mine[32], theirs[32], paddr[32], want[256];
	struct pair p;
	(void)state;

	tl_require_root();
	pair_start(&p);
	frame_text(p.a, p.addr, shared, sizeof(shared));
	frame_text(p.a, p.addr + (uintptr_t)tl_page(), mine, sizeof(mine));
	frame_text(p.b, p.addr + (uintptr_t)tl_page(), theirs,
	    sizeof(theirs));
	assert_string_not_equal(mine, theirs);
	snprintf(want, sizeof(want), "pid addr\n%d %lx\n%d %lx\n",
	    (int)p.a, (unsigned long)p.addr, (int)p.b, (unsigned long)p.addr);
	assert_rows((const char *const[]){ "--pfn", shared, "-o", "pid,addr",
	    p.arg_a, p.arg_b, NULL }, want);
	snprintf(paddr, sizeof(paddr), "0x%" PRIx64,
	    (uint64_t)strtoull(shared, NULL, 16) * (uint64_t)tl_page() + 123);
	assert_rows((const char *const[]){ "--paddr", paddr, "-o", "pid,addr",
	    p.arg_a, p.arg_b, NULL }, want);
	snprintf(want, sizeof(want), "pid addr\n%d %lx\n", (int)p.a,
	    (unsigned long)(p.addr + (uintptr_t)tl_page()));
	assert_rows((const char *const[]){ "--pfn", mine, "-o", "pid,addr",
	    p.arg_a, p.arg_b, NULL }, want);
	snprintf(want, sizeof(want), "pid addr\n%d %lx\n", (int)p.b,
	    (unsigned long)(p.addr + (uintptr_t)tl_page()));
	assert_rows((const char *const[]){ "-A", "--pfn", theirs, "-o",
	    "pid,addr", NULL }, want);
	pair_stop(&p);
}

/* Without visible PFNs --pfn is refused, saying so; bad values too. */
static void
should_refuse_pfn_without_pfns_and_bad_frames(void **state)
{
	static const struct tl_how drop = { .drop_admin = true };
	static const char *const bad[][3] = {
		{ "--pfn", "zz", "bad frame number" },
		{ "--pfn", "5-3", "" },
		{ "--paddr", "0xq", "bad physical address" },
	};
	const char *const args[] = { "--pfn", "1000", "self", NULL };
	struct tl_run r;
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tl_run(&r, NULL, (const char *const[]){ bad[i][0], bad[i][1],
		    "self", NULL });
		if (tl_exit_code(&r) != 2 || strstr(r.err, bad[i][2]) == NULL)
			fail_msg("%s %s: exit %d: %s", bad[i][0], bad[i][1],
			    tl_exit_code(&r), r.err);
		tl_run_free(&r);
	}
	if (!tl_have_sys_admin())
		tl_run(&r, NULL, args);
	else
		tl_run_how(&r, &drop, args);
	assert_int_equal(tl_exit_code(&r), 1);
	assert_string_equal(r.out, "");
	assert_non_null(strstr(r.err, "--pfn and --paddr need the PFNs"));
	tl_run_free(&r);
}

/* ---- physical memory: --physical ---- */

/* The flags of frame pfn, read from /proc/kpageflags. */
static uint64_t
kflags_of(uint64_t pfn)
{
	uint64_t v = 0;
	int fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &v, 8, (off_t)(pfn * 8)), 8);
	close(fd);
	return v;
}

/* A page of this test's own, written: its frame. */
static uint64_t
own_frame(void)
{
	static char *m;

	if (m == NULL) {
		m = mmap(NULL, (size_t)tl_page(), PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		assert_true(m != MAP_FAILED);
		m[0] = 1;
	}
	return tl_page_state(getpid(), (uintptr_t)m).pfn;
}

/*
 * --physical PFN: one row, the frame and its flags as kpageflags gives
 * them (read again when they changed meanwhile).
 */
static void
should_show_the_flags_of_a_frame_it_is_asked_for(void **state)
{
	char arg[32], want[96];
	uint64_t pfn;
	int tries;
	(void)state;

	tl_require_root();
	pfn = own_frame();
	snprintf(arg, sizeof(arg), "%" PRIx64, pfn);
	for (tries = 0; tries < 5; tries++) {
		struct tl_run r;
		uint64_t before = kflags_of(pfn), after;
		tl_runl(&r, "--physical", "-o", "pfn,kflags-hex", arg);
		after = kflags_of(pfn);
		tl_assert_ran_ok(&r);
		snprintf(want, sizeof(want), "pfn kflags-hex\n%s %" PRIx64
		    "\n", arg, before);
		if (strcmp(r.out, want) == 0) {
			tl_run_free(&r);
			return;
		}
		if (before == after)
			fail_msg("--physical %s: %s, want %s", arg, r.out, want);
		tl_run_free(&r);
	}
	fail_msg("the flags of frame %s changed every time", arg);
}

/* The frames of each combination of flags in -s -t --by kflags-hex. */
static void
histogram(const char *range, struct tl_table *t, int *pages, int *kf)
{
	struct tl_run r;

	tl_runl(&r, "--physical", "-s", "-t", "--by", "kflags-hex", "-f",
	    "tsv", range);
	tl_assert_ran_ok(&r);
	tl_read_headed_tsv(r.out, t);
	*pages = tl_column(t, "pages");
	*kf = tl_column(t, "kflags-hex");
	assert_true(*pages >= 0 && *kf >= 0);
	tl_run_free(&r);
}

/*
 * The histogram of a range of frames adds up to its frames, and its
 * ranges cover it, in order (around this test's own page, where frames
 * come and go); over the kernel's code, whose flags hold still, each
 * combination has exactly the frames this test counts in kpageflags.
 */
static void
should_count_every_frame_of_a_range_in_its_histogram(void **state)
{
	char arg[64];
	struct tl_table t = { 0, 0, NULL };
	struct tl_run r;
	uint64_t start, end, sum = 0, next, i, k;
	int pages, kf;
	(void)state;

	tl_require_root();
	start = own_frame() & ~UINT64_C(4095);
	end = start + 4096;
	snprintf(arg, sizeof(arg), "%" PRIx64 "-%" PRIx64, start, end);
	histogram(arg, &t, &pages, &kf);
	for (i = 1; i < t.n; i++)
		sum += strtoull(t.r[i].f[pages], NULL, 10);
	assert_int_equal(sum, 4096);
	tl_table_free(&t);
	tl_runl(&r, "--physical", "-R", "-H", "-o", "pfn", arg);
	tl_assert_ran_ok(&r);
	tl_read_text(r.out, 4, &t);
	for (i = 0, next = start; i < t.n; i++) {
		assert_int_equal(strtoull(t.r[i].f[3], NULL, 16), next);
		next += strtoull(t.r[i].f[2], NULL, 10);
	}
	assert_int_equal(next, end);
	tl_table_free(&t);
	tl_run_free(&r);
	if (!tl_kernel_code_frames(&start, &end))
		tl_skip("/proc/iomem lists no Kernel code: the exact counts "
		    "are not checked");
	snprintf(arg, sizeof(arg), "%" PRIx64 "-%" PRIx64, start, end);
	histogram(arg, &t, &pages, &kf);
	for (i = 1, sum = 0; i < t.n; i++) {
		uint64_t flags = strtoull(t.r[i].f[kf], NULL, 16), own = 0;
		for (k = start; k < end; k++)
			own += kflags_of(k) == flags;
		assert_int_equal(strtoull(t.r[i].f[pages], NULL, 10), own);
		sum += own;
	}
	assert_int_equal(sum, end - start);
	tl_table_free(&t);
}

/*
 * Frame 0 is a frame like the others (reserved, on x86): its flags are
 * read, not taken for those of a page whose PFN is hidden.
 */
static void
should_give_frame_0_its_flags(void **state)
{
	struct tl_run r;
	struct tl_table t = { 0 };
	size_t i;
	(void)state;

	if (!tl_is_root())
		tl_skip("--physical reads /proc/kpageflags: root only");
	tl_runl(&r, "--physical", "-H", "-o", "pfn,kflags-hex", "0-4");
	tl_assert_ran_ok(&r);
	tl_read_text(r.out, 2, &t);
	assert_int_equal(t.n, 4);
	for (i = 0; i < t.n; i++) {
		assert_int_equal(strtoull(t.r[i].f[0], NULL, 16), i);
		if (strtoull(t.r[i].f[1], NULL, 16) != kflags_of(i))
			fail_msg("frame %zu: kflags %s, but the kernel says "
			    "%#llx", i, t.r[i].f[1],
			    (unsigned long long)kflags_of(i));
	}
	tl_table_free(&t);
	tl_run_free(&r);
}

static void
should_refuse_physical_with_processes(void **state)
{
	static const char *const bad[][4] = {
		{ "--physical", "1000", "self", NULL },
		{ "--physical", "-A", NULL, NULL },
		{ "--physical", "zz", NULL, NULL },
		{ "--physical", "-a", "0x1000", NULL },
	};
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tl_run r;
		tl_run(&r, NULL, bad[i]);
		if (tl_exit_code(&r) != 2)
			fail_msg("%s %s: exit %d: %s", bad[i][0], bad[i][1],
			    tl_exit_code(&r), r.err);
		tl_run_free(&r);
	}
}

static void
should_refuse_pids_and_addresses_with_all(void **state)
{
	static const char *const bad[][4] = {
		{ "-A", "1", NULL, NULL },
		{ "-A", "self", NULL, NULL },
		{ "-A", "-a", "0x1000", NULL },
	};
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tl_run r;
		tl_run(&r, NULL, bad[i]);
		if (tl_exit_code(&r) != 2 || strstr(r.err, "--a") == NULL)
			fail_msg("%s %s: exit %d: %s", bad[i][0], bad[i][1],
			    tl_exit_code(&r), r.err);
		assert_string_equal(r.out, "");
		tl_run_free(&r);
	}
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    should_summarise_every_process_but_itself_each_whole),
		cmocka_unit_test(
		    should_dump_the_pages_of_every_process_in_order),
		cmocka_unit_test(
		    should_survive_processes_that_exit_and_exec_while_it_runs),
		cmocka_unit_test(
		    should_leave_no_row_of_a_process_that_exits_half_read),
		cmocka_unit_test(
		    should_say_once_how_many_processes_it_could_not_read),
		cmocka_unit_test(should_refuse_pids_and_addresses_with_all),
		cmocka_unit_test(should_find_every_process_that_maps_a_frame),
		cmocka_unit_test(
		    should_give_one_total_row_per_process_with_its_command_name),
		cmocka_unit_test(should_sort_the_total_rows_by_a_column),
		cmocka_unit_test(should_refuse_totals_and_sort_out_of_place),
		cmocka_unit_test(
		    should_show_the_flags_of_a_frame_it_is_asked_for),
		cmocka_unit_test(
		    should_count_every_frame_of_a_range_in_its_histogram),
		cmocka_unit_test(should_give_frame_0_its_flags),
		cmocka_unit_test(should_refuse_physical_with_processes),
		cmocka_unit_test(
		    should_refuse_pfn_without_pfns_and_bad_frames),
	};

	tl_child_main(argc, argv);
	if (tl_check_tool("test_all") != 0)
		return 1;
	if (getenv("TEST_FILTER") != NULL)
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
