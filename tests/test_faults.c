/*
 * End-to-end tests of the tool when things go wrong around it: mappings
 * that change while it reads them, signals, a slow reader, a reader that
 * goes away, a full disk, missing privileges, and bad arguments. (Losing
 * CAP_SYS_ADMIN is in test_e2e, whose runs may dump the tool whole.)
 *
 * Every run of the tool is bounded: it is started with alarm() set, so a
 * run that loops ends by SIGALRM and the test says so instead of hanging.
 * What the machine cannot show (not root) is skipped with the reason
 * printed.
 */
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#endif
#ifndef PR_SET_VMA_ANON_NAME
#define PR_SET_VMA_ANON_NAME 0
#endif

/* Seconds any one run of the tool may take, under valgrind included. */
#define TOOL_TIMEOUT 120

/* The large child: this much anonymous memory, every page written. */
#define BIG_SIZE ((size_t)1 << 30)

/* How many times the changing child is dumped. */
#define CHURN_RUNS 24

static long page;

/* The large child, shared by the tests that need many rows. */
static struct tl_child big;	/* pid 0 when there was too little memory */

/* Runs the tool to its end with args, stdout sent to out_fd if above 0. */
static void
run_tool(struct tl_run *r, const struct tl_how *how, int out_fd,
    const char *const *args)
{
	struct tl_how h;

	memset(&h, 0, sizeof(h));
	if (how != NULL)
		h = *how;
	h.out_fd = out_fd;
	h.timeout = TOOL_TIMEOUT;
	tl_run_how(r, &h, args);
}

/* Fails unless every line of err starts with prefix. */
static void
assert_every_line_starts_with(const char *err, const char *prefix)
{
	const char *line, *nl;

	for (line = err; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		if (nl == NULL)
			fail_msg("stderr does not end with a whole line: %s",
			    err);
		if (strncmp(line, prefix, strlen(prefix)) != 0)
			fail_msg("a message that does not start with '%s': "
			    "%.*s", prefix, (int)(nl - line), line);
	}
}

/* The addresses of the rows of text output (after the header). */
struct column {
	uint64_t *v;
	size_t n;
};

/*
 * Reads the first column of every row of the default text output, and
 * checks that every row is whole and has the six leading columns.
 */
static void
addr_column(const char *out, size_t len, struct column *c)
{
	struct tl_rows rows;
	size_t i;

	tl_default_rows(out, len, &rows);
	c->n = rows.n;
	c->v = malloc((rows.n + 1) * sizeof(*c->v));
	assert_non_null(c->v);
	for (i = 0; i < rows.n; i++)
		c->v[i] = rows.v[i].addr;
	tl_rows_free(&rows);
}

/* Fails unless two runs printed the same rows, address by address. */
static void
assert_same_addresses(const struct column *want, const struct column *got,
    const char *what)
{
	size_t i;

	if (got->n != want->n)
		fail_msg("%s: %zu rows, %zu without it", what, got->n, want->n);
	for (i = 0; i < want->n; i++)
		if (got->v[i] != want->v[i])
			fail_msg("%s: row %zu is %" PRIx64 ", %" PRIx64
			    " without it", what, i + 1, got->v[i], want->v[i]);
}

/* How many of the addresses lie in the large child's memory. */
static size_t
rows_in_big(const struct column *c)
{
	size_t i, n = 0;

	for (i = 0; i < c->n; i++)
		n += c->v[i] >= big.map[0].addr && c->v[i] < big.map[0].addr + BIG_SIZE;
	return n;
}

/* A run of the tool on the large child with nothing in the way. */
static void
reference_dump(struct tl_run *r, struct column *c)
{
	const char *const args[] = { big.arg, NULL };

	run_tool(r, NULL, -1, args);
	tl_assert_not_killed(r->status, "reference dump", r->err);
	if (tl_exit_code(r) != 0)
		fail_msg("reference dump: exit %d: %s", tl_exit_code(r),
		    r->err);
	addr_column(r->out, strlen(r->out), c);
	assert_int_equal(rows_in_big(c), BIG_SIZE / (size_t)page);
}

/* The memory the kernel says it can give without swapping, in bytes. */
static uint64_t
mem_available(void)
{
	char line[256];
	unsigned long long kib = 0;
	FILE *fp = fopen("/proc/meminfo", "r");

	if (fp == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1)
			break;
	fclose(fp);
	return (uint64_t)kib * 1024;
}

/* Skips the test when there is no large child (too little memory). */
static void
need_big_child(void)
{
	if (big.pid == 0)
		tl_skip("less than 1.5 GiB of memory available: no 1 GiB "
		    "child to dump");
}

static int
start_big_child(void **state)
{
	const struct tl_map table[] = {
		{ .kind = TL_ANON, .bytes = BIG_SIZE, .touch = "all" },
	};
	(void)state;

	page = tl_page();
	if (mem_available() < BIG_SIZE + BIG_SIZE / 2)
		return 0;
	tl_child_start(&big, table, 1, 0);
	return 0;
}

static int
stop_big_child(void **state)
{
	(void)state;
	tl_child_stop(&big);
	return 0;
}

/*
 * In the changing child: maps, unmaps, splits and protects memory in a
 * tight loop, forever. Writes a byte to ready once it is under way.
 */
static void
churn(int ready)
{
	char *slot[64] = { NULL };
	size_t len[64] = { 0 }, ps = (size_t)page, k, n;
	uint64_t x = UINT64_C(0x9e3779b97f4a7c15) ^ (uint64_t)getpid();
	unsigned long iteration = 0;
	char name[32];
	int i;

	for (;;) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		i = (int)(x % 64);
		if (slot[i] == NULL) {
			n = 1 + (size_t)(x >> 8) % 64;
			slot[i] = mmap(NULL, n * ps, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (slot[i] == MAP_FAILED) {
				slot[i] = NULL;
				continue;
			}
			len[i] = n;
			for (k = 0; k < n; k += 2)
				slot[i][k * ps] = 1;
			/* Names that come and go, of varying length. */
			snprintf(name, sizeof(name), "churn-%.*s", (int)(x >> 40
			    & 15), "0123456789abcdef");
			prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME,
			    (unsigned long)slot[i], n * ps, (unsigned long)name);
			continue;
		}
		k = (size_t)(x >> 16) % len[i];
		switch ((x >> 24) % 4) {
		case 0:		/* the whole mapping goes */
			munmap(slot[i], len[i] * ps);
			slot[i] = NULL;
			break;
		case 1:		/* one page changes protection: a split */
			mprotect(slot[i] + k * ps, ps, (x >> 32) % 3 == 0 ?
			    PROT_NONE : (x >> 32) % 3 == 1 ? PROT_READ :
			    PROT_READ | PROT_WRITE);
			break;
		case 2:		/* a hole is punched in it */
			munmap(slot[i] + k * ps, ps);
			break;
		case 3:		/* a new page replaces one */
			if (mmap(slot[i] + k * ps, ps, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
			    0) != MAP_FAILED)
				slot[i][k * ps] = 2;
			break;
		}
		if (++iteration == 10000 && write(ready, "x", 1) != 1)
			_exit(TL_SETUP_FAILED);
	}
}

/*
 * The changing child of the test below: a fixture, so that it is ended
 * even when the test fails.
 */
static pid_t churning;

static int
start_churning_child(void **state)
{
	int ready[2];
	char byte;
	(void)state;

	if (pipe2(ready, O_CLOEXEC) != 0)
		return -1;
	fflush(NULL);
	churning = fork();
	if (churning < 0)
		return -1;
	if (churning == 0) {
		close(ready[0]);
		if (big.pid != 0)
			close(big.hold);	/* or it outlives us */
		churn(ready[1]);
	}
	close(ready[1]);
	if (read(ready[0], &byte, 1) != 1)
		return -1;
	close(ready[0]);
	return 0;
}

static int
stop_churning_child(void **state)
{
	(void)state;
	kill(churning, SIGKILL);
	waitpid(churning, NULL, 0);
	return 0;
}

static void
should_neither_crash_nor_loop_while_the_mappings_change(void **state)
{
	static const char *const no_scan_env[] = { "PAGEMAP_DUMP_NO_SCAN=1",
		NULL };
	static const struct tl_how no_scan = { .env = no_scan_env };
	const char *const sets[][6] = {
		{ NULL }, { "-P", NULL }, { "-P", NULL }, { "-s", NULL },
		{ "-f", "json", NULL }, { "-S", "-P", NULL },
	};
	char arg[16], prefix[48], what[64], *last[6] = { NULL };
	const char *args[8], *line;
	struct tl_run r;
	struct column c;
	pid_t pid = churning;
	int run, n, ok = 0, changed = 0;
	(void)state;

	snprintf(arg, sizeof(arg), "%d", (int)pid);
	snprintf(prefix, sizeof(prefix), "pagemap-dump: pid %d: ", (int)pid);
	for (run = 0; run < CHURN_RUNS; run++) {
		const char *const *set = sets[run % 6];
		for (n = 0; set[n] != NULL; n++)
			args[n] = set[n];
		args[n++] = arg;
		args[n] = NULL;
		snprintf(what, sizeof(what), "run %d (%s%s)", run + 1,
		    set[0] != NULL ? set[0] : "no options",
		    run % 6 == 2 ? ", no PAGEMAP_SCAN" : "");
		run_tool(&r, run % 6 == 2 ? &no_scan : NULL, -1, args);
		tl_assert_not_killed(r.status, what, r.err);
		if (tl_exit_code(&r) != 0 && tl_exit_code(&r) != 1)
			fail_msg("%s: exit %d: %s", what, tl_exit_code(&r),
			    r.err);
		if (tl_exit_code(&r) == 1 && r.err[0] == '\0')
			fail_msg("%s: exit 1 without a message", what);
		/* Every message names the process. */
		assert_every_line_starts_with(r.err, prefix);
		if (r.out[0] != '\0' && r.out[strlen(r.out) - 1] != '\n')
			fail_msg("%s: stdout does not end with a whole line",
			    what);
		/* The rows are whole rows. */
		if ((set[0] == NULL || strcmp(set[0], "-P") == 0) &&
		    (tl_exit_code(&r) == 0 || r.out[0] != '\0')) {
			addr_column(r.out, strlen(r.out), &c);
			free(c.v);
		}
		for (line = r.out; set[0] != NULL && strcmp(set[0], "-f") == 0 &&
		    *line != '\0'; line = strchr(line, '\n') + 1)
			if (line[0] != '{' || strchr(line, '\n')[-1] != '}')
				fail_msg("%s: not a JSON object: %.80s", what,
				    line);
		ok += tl_exit_code(&r) == 0;
		/* The premise: the child did change between the dumps. */
		if (last[run % 6] != NULL)
			changed += strcmp(last[run % 6], r.out) != 0;
		free(last[run % 6]);
		last[run % 6] = r.out;
		r.out = NULL;
		tl_run_free(&r);
	}
	for (n = 0; n < 6; n++)
		free(last[n]);
	if (changed == 0)
		fail_msg("the child's memory never changed between two dumps");
	print_message("[          ] %d of %d dumps of a changing child exited "
	    "0, the others 1 with a message\n", ok, CHURN_RUNS);
}

/*
 * A dump of the big child with its stdout on a pipe, for the test to read
 * as it likes, its stderr in a memfd, and a reference dump to compare.
 */
struct piped_dump {
	struct tl_run ref;
	struct column want;
	int out, err;
	pid_t pid;
};

static void
piped_dump_start(struct piped_dump *d)
{
	const char *const args[] = { big.arg, NULL };
	int p[2];

	need_big_child();
	reference_dump(&d->ref, &d->want);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	d->err = memfd_create("err", MFD_CLOEXEC);
	d->pid = tl_spawn(NULL, p[1], d->err, args);
	close(p[1]);
	d->out = p[0];
}

/*
 * Ends the dump, whose stdout the test read into out: it must have exited
 * 0 by itself, with the reference's stderr and its rows (what: how out
 * was read).
 */
static void
piped_dump_end(struct piped_dump *d, const struct tl_buf *out,
    const char *what)
{
	struct column got;
	char *err_text;
	int status;

	close(d->out);
	status = tl_wait(d->pid);
	err_text = tl_read_memfd(d->err);
	close(d->err);
	tl_assert_not_killed(status, what, err_text);
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_string_equal(err_text, d->ref.err);
	addr_column(out->s, out->len, &got);
	assert_same_addresses(&d->want, &got, what);
	free(got.v);
	free(d->want.v);
	free(err_text);
	tl_run_free(&d->ref);
}

static void
should_print_the_same_rows_when_signalled_during_the_dump(void **state)
{
	struct tl_buf out = { NULL, 0, 0 };
	struct piped_dump d;
	unsigned long sent = 0;
	ssize_t n;
	(void)state;

	piped_dump_start(&d);
	assert_int_equal(fcntl(d.out, F_SETFL, O_NONBLOCK), 0);
	for (;;) {
		/* Both are ignored by default: the dump must not notice. */
		kill(d.pid, SIGWINCH);
		kill(d.pid, SIGCHLD);
		sent++;
		tl_buf_reserve(&out, 65536);
		n = read(d.out, out.s + out.len, out.cap - out.len - 1);
		if (n > 0)
			out.len += (size_t)n;
		else if (n == 0)
			break;
		else if (errno == EAGAIN || errno == EINTR)
			usleep(100);
		else
			fail_msg("read: %s", strerror(errno));
	}
	out.s[out.len] = '\0';
	piped_dump_end(&d, &out, "signalled dump");
	/* Signals went in all along: at least one per pipeful read. */
	assert_true(sent >= out.len / 65536);
	tl_buf_free(&out);
}

static void
should_lose_no_row_to_a_slow_reader(void **state)
{
	static const size_t sizes[] = { 1, 7, 512, 4093, 100, 2048, 64 };
	struct tl_buf out = { NULL, 0, 0 };
	struct piped_dump d;
	size_t reads = 0;
	(void)state;

	piped_dump_start(&d);
	while (tl_buf_read_some(&out, d.out, sizes[reads++ % 7]) > 0)
		usleep(20);
	piped_dump_end(&d, &out, "slowly read dump");
	tl_buf_free(&out);
}

static void
should_end_quietly_by_sigpipe_when_head_exits_after_one_line(void **state)
{
	const char *const args[] = { big.arg, NULL };
	int p[2], err, head_out, tool_status, head_status;
	char *err_text, *head_text;
	pid_t tool, head;
	(void)state;

	need_big_child();
	err = memfd_create("err", MFD_CLOEXEC);
	head_out = memfd_create("head", MFD_CLOEXEC);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	tool = tl_spawn(NULL, p[1], err, args);
	fflush(NULL);
	head = fork();
	assert_true(head >= 0);
	if (head == 0) {
		if (dup2(p[0], 0) < 0 || dup2(head_out, 1) < 0)
			_exit(TL_SETUP_FAILED);
		execlp("head", "head", "-n", "1", (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	close(p[1]);
	head_status = tl_wait(head);
	tool_status = tl_wait(tool);
	err_text = tl_read_memfd(err);
	head_text = tl_read_memfd(head_out);
	close(err);
	close(head_out);
	if (WIFEXITED(head_status) && WEXITSTATUS(head_status) == 127)
		tl_skip("no head(1) to read the output");
	assert_string_equal(head_text, TL_DEFAULT_HEADER);
	if (!WIFSIGNALED(tool_status))
		fail_msg("the tool exited %d instead of ending by SIGPIPE; "
		    "stderr: %s", WEXITSTATUS(tool_status), err_text);
	assert_int_equal(WTERMSIG(tool_status), SIGPIPE);
	assert_string_equal(err_text, "");
	free(err_text);
	free(head_text);
}

/*
 * Every output fails alike on a full disk: a dump, in JSON, a summary, a
 * dump of one row (which fails only at the last flush), the version and
 * the help. Those of the large child are left out when there is none.
 */
static void
should_exit_1_naming_stdout_when_writing_to_dev_full(void **state)
{
	char addr[32];
	const char *const sets[][6] = {
		{ "-V", NULL },
		{ "--help", NULL },
		{ "self", NULL },
		{ big.arg, NULL },
		{ "-f", "json", big.arg, NULL },
		{ "-s", big.arg, NULL },
		{ "-H", "-a", addr, big.arg, NULL },
	};
	const char *enospc = strerror(ENOSPC);
	struct tl_run r;
	size_t i, n = sizeof(sets) / sizeof(sets[0]);
	int full = open("/dev/full", O_WRONLY | O_CLOEXEC);
	(void)state;

	if (full < 0)
		tl_skip("no /dev/full on this machine");
	if (big.pid == 0)
		n = 3;
	else
		snprintf(addr, sizeof(addr), "%" PRIxPTR,
		    big.map[0].addr + 5);
	for (i = 0; i < n; i++) {
		run_tool(&r, NULL, full, sets[i]);
		tl_assert_not_killed(r.status, sets[i][0], r.err);
		if (tl_exit_code(&r) != 1)
			fail_msg("%s ... > /dev/full: exit %d, not 1: %s",
			    sets[i][0], tl_exit_code(&r), r.err);
		/* One line, naming what failed and why. */
		if (tl_count_lines(r.err) != 1 ||
		    strncmp(r.err, "pagemap-dump: ", 14) != 0 ||
		    strstr(r.err, "write to stdout") == NULL ||
		    strstr(r.err, enospc) == NULL)
			fail_msg("%s ... > /dev/full: not one line naming "
			    "stdout and '%s': %s", sets[i][0], enospc, r.err);
		tl_run_free(&r);
	}
	close(full);
	if (n == 3)
		tl_skip("less than 1.5 GiB of memory available: the dumps of "
		    "the 1 GiB child were not sent to /dev/full");
}

/* The uid that owns a process, or -1. */
static long
owner_of(pid_t pid)
{
	return tl_proc_number(pid, "status", "Uid:");
}

static void
should_refuse_pid_1_to_user_nobody_with_one_clear_message(void **state)
{
	static const struct tl_how nobody = { .as_nobody = true };
	const char *const args[] = { "1", NULL };
	const char *const self[] = { "-P", "-m", "[stack]", "self", NULL };
	struct tl_run r;
	(void)state;

	if (geteuid() != 0)
		tl_skip("not root: cannot switch to user nobody");
	if (owner_of(1) == 65534 || owner_of(1) < 0)
		tl_skip("pid 1 is not another user's process here");
	run_tool(&r, &nobody, -1, args);
	/* TL_SETUP_FAILED: no exec; 127: a wrapper script's (valgrind). */
	if (tl_exit_code(&r) == TL_SETUP_FAILED || tl_exit_code(&r) == 127)
		tl_skip("user nobody cannot run the tool here");
	tl_assert_not_killed(r.status, "as nobody", r.err);
	assert_int_equal(tl_exit_code(&r), 1);
	assert_string_equal(r.out, "");
	if (tl_count_lines(r.err) != 1 ||
	    strncmp(r.err, "pagemap-dump: pid 1: /proc/1/", 29) != 0 ||
	    strstr(r.err, "permission denied") == NULL ||
	    strstr(r.err, "root") == NULL)
		fail_msg("not one line saying that /proc/1 is denied, and "
		    "that root may read it: %s", r.err);
	tl_run_free(&r);

	/* Its own process is still open to it. */
	run_tool(&r, &nobody, -1, self);
	tl_assert_not_killed(r.status, "nobody dumping itself", r.err);
	assert_int_equal(tl_exit_code(&r), 0);
	tl_assert_one_pfn_warning(r.err);
	tl_assert_own_rows(r.out, true, true);
	tl_run_free(&r);
}

/* The usage text: what --help prints before its first blank line. */
static char *
usage_text(void)
{
	const char *const args[] = { "--help", NULL };
	struct tl_run r;
	char *blank, *usage;

	run_tool(&r, NULL, -1, args);
	assert_int_equal(tl_exit_code(&r), 0);
	blank = strstr(r.out, "\n\n");
	assert_non_null(blank);
	usage = strndup(r.out, (size_t)(blank - r.out) + 1);
	assert_memory_equal(usage, "usage: pagemap-dump ", 20);
	tl_run_free(&r);
	return usage;
}

static void
should_exit_2_with_one_reason_and_the_usage_on_bad_arguments(void **state)
{
	char beyond[32], says_beyond[40];
	const struct {
		const char *args[5];
		const char *says;	/* the reason names the culprit */
	} bad[] = {
		{ { "", NULL }, "''" },
		{ { "-1", NULL }, "'-1'" },
		{ { "0", NULL }, "'0'" },
		{ { "+5", NULL }, "'+5'" },
		{ { "12abc", NULL }, "'12abc'" },
		{ { "01", NULL }, "'01'" },
		{ { beyond, NULL }, says_beyond },
		{ { "99999999999999999999", NULL }, "'99999999999999999999'" },
		{ { "-r", "2000-1000", "self", NULL }, "'2000-1000'" },
		{ { "-r", "1000-1000", "self", NULL }, "'1000-1000'" },
		{ { "-r", "zz-1000", "self", NULL }, "'zz-1000'" },
		{ { "-r", "1000-", "self", NULL }, "'1000-'" },
		{ { "-r", "-1000", "self", NULL }, "'-1000'" },
		{ { "-r", "0x-0x10", "self", NULL }, "'0x-0x10'" },
		{ { "-a", "g00", "self", NULL }, "'g00'" },
		{ { "-a", "", "self", NULL }, "''" },
		{ { "-o", "bogus", "self", NULL }, "'bogus'" },
		{ { "-o", "", "self", NULL }, "''" },
		{ { "-f", "bogus", "self", NULL }, "'bogus'" },
		{ { "self", "-r", NULL }, "'-r'" },
		{ { "self", "-o", NULL }, "'-o'" },
		{ { "self", "--format", NULL }, "'--format'" },
		{ { "-m", NULL }, "'-m'" },
		{ { "abc", NULL }, "'abc'" },
		{ { "--bogus", NULL }, "'--bogus'" },
		{ { "-x", NULL }, "'-x'" },
		{ { NULL }, "no pid" },
	};
	char *usage = usage_text(), *nl, what[128];
	struct tl_run r;
	long pid_max = 0;
	FILE *fp;
	size_t i, k;
	(void)state;

	fp = fopen("/proc/sys/kernel/pid_max", "r");
	assert_non_null(fp);
	assert_int_equal(fscanf(fp, "%ld", &pid_max), 1);
	fclose(fp);
	snprintf(beyond, sizeof(beyond), "%ld", pid_max + 1);
	snprintf(says_beyond, sizeof(says_beyond), "'%s'", beyond);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		what[0] = '\0';
		for (k = 0; bad[i].args[k] != NULL; k++)
			snprintf(what + strlen(what), sizeof(what) -
			    strlen(what), "'%s' ", bad[i].args[k]);
		if (k == 0)
			snprintf(what, sizeof(what), "no arguments");
		run_tool(&r, NULL, -1, bad[i].args);
		tl_assert_not_killed(r.status, what, r.err);
		if (tl_exit_code(&r) != 2)
			fail_msg("%s: exit %d, not 2: %s", what,
			    tl_exit_code(&r), r.err);
		if (r.out[0] != '\0')
			fail_msg("%s: something on stdout: %s", what, r.out);
		/* "pagemap-dump: reason\n", then the usage text, exactly. */
		nl = strchr(r.err, '\n');
		if (nl == NULL || strncmp(r.err, "pagemap-dump: ", 14) != 0 ||
		    strcmp(nl + 1, usage) != 0)
			fail_msg("%s: not one reason and the usage: %s", what,
			    r.err);
		*nl = '\0';
		if (strstr(r.err, bad[i].says) == NULL)
			fail_msg("%s: the reason does not name %s: %s", what,
			    bad[i].says, r.err);
		tl_run_free(&r);
	}
	free(usage);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    should_neither_crash_nor_loop_while_the_mappings_change,
		    start_churning_child, stop_churning_child),
		cmocka_unit_test(
		    should_print_the_same_rows_when_signalled_during_the_dump),
		cmocka_unit_test(should_lose_no_row_to_a_slow_reader),
		cmocka_unit_test(
		    should_end_quietly_by_sigpipe_when_head_exits_after_one_line),
		cmocka_unit_test(
		    should_exit_1_naming_stdout_when_writing_to_dev_full),
		cmocka_unit_test(
		    should_refuse_pid_1_to_user_nobody_with_one_clear_message),
		cmocka_unit_test(
		    should_exit_2_with_one_reason_and_the_usage_on_bad_arguments),
	};

	if (tl_check_tool("test_faults") != 0)
		return 1;
	return cmocka_run_group_tests(tests, start_big_child, stop_big_child);
}
