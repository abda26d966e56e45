/*
 * End-to-end tests of the tool when things go wrong around it: mappings
 * that change while it reads them, signals, a slow reader, a reader that
 * goes away, a full disk, missing privileges, and bad arguments.
 *
 * Every run of the tool is bounded: it is started with alarm() set, so a
 * run that loops ends by SIGALRM and the test says so instead of hanging.
 * What the machine cannot show (not root) is skipped with the reason
 * printed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "e2e_util.h"

#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#endif
#ifndef PR_SET_VMA_ANON_NAME
#define PR_SET_VMA_ANON_NAME 0
#endif

/* Seconds any one run of the tool may take, under valgrind included. */
#define TOOL_TIMEOUT 120

/* The exit status of a forked child whose setup before exec failed. */
#define SETUP_FAILED 99

/* The large child: this much anonymous memory, every page written. */
#define BIG_SIZE ((size_t)1 << 30)

/* How many times the changing child is dumped. */
#define CHURN_RUNS 24

#define DEFAULT_HEADER \
	"addr pfn soft-dirty file/shared swapped present library\n"

static long page;

/* The large child, shared by the tests that need many rows. */
static struct {
	pid_t pid;
	int hold;		/* write end: the child lives until closed */
	uintptr_t mem;		/* BIG_SIZE bytes, every page written */
	char arg[16];		/* its pid, as an argument */
} big;

/* How to start the tool. */
struct how {
	bool drop_admin;	/* without CAP_SYS_ADMIN in the bounding set */
	bool as_nobody;		/* as user and group 65534 */
	const char *env;	/* NAME=value to add to the environment */
};

/* A growable buffer of bytes, NUL-terminated. */
struct buf {
	char *s;
	size_t len, cap;
};

static void
buf_reserve(struct buf *b, size_t more)
{
	char *grown;

	if (b->cap - b->len > more)
		return;
	while (b->cap - b->len <= more)
		b->cap = b->cap ? b->cap * 2 : 65536;
	grown = realloc(b->s, b->cap);
	if (grown == NULL)
		fail_msg("out of memory");
	b->s = grown;
}

/* Reads fd to its end into b. */
static void
buf_read_all(struct buf *b, int fd)
{
	ssize_t n;

	for (;;) {
		buf_reserve(b, 65536);
		n = read(fd, b->s + b->len, b->cap - b->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fail_msg("read: %s", strerror(errno));
		if (n == 0)
			break;
		b->len += (size_t)n;
	}
	b->s[b->len] = '\0';
}

/* Reads a memfd from its start into a new NUL-terminated string. */
static char *
slurp(int fd)
{
	struct buf b = { NULL, 0, 0 };

	lseek(fd, 0, SEEK_SET);
	buf_read_all(&b, fd);
	return b.s;
}

static int
new_memfd(const char *name)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	if (fd < 0)
		fail_msg("memfd_create: %s", strerror(errno));
	return fd;
}

/*
 * Starts the tool with args (NULL-terminated) as how says, stdout on out
 * and stderr on err, with alarm(TOOL_TIMEOUT) set across the exec. The
 * caller's other descriptors must be close-on-exec. Returns its pid.
 */
static pid_t
spawn(const struct how *how, int out, int err, const char *const *args)
{
	static const struct how plain;
	const char *argv[40];
	int n = 0;
	pid_t pid;

	if (how == NULL)
		how = &plain;
	argv[n++] = e2e_tool();
	while (*args != NULL && n < 39)
		argv[n++] = *args++;
	argv[n] = NULL;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		fail_msg("fork: %s", strerror(errno));
	if (pid == 0) {
		/* Opened while root: nobody may not reach it by its path. */
		int self = open(argv[0], O_RDONLY);
		if (dup2(out, 1) < 0 || dup2(err, 2) < 0)
			_exit(SETUP_FAILED);
		signal(SIGPIPE, SIG_DFL);
		if (how->env != NULL && putenv((char *)how->env) != 0)
			_exit(SETUP_FAILED);
		if (how->drop_admin &&
		    prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0) != 0)
			_exit(SETUP_FAILED);
		if (how->as_nobody && (setgroups(0, NULL) != 0 ||
		    setgid(65534) != 0 || setuid(65534) != 0))
			_exit(SETUP_FAILED);
		alarm(TOOL_TIMEOUT);	/* kept across execve */
		execv(argv[0], (char *const *)argv);
		if (errno == EACCES && self >= 0)
			fexecve(self, (char *const *)argv, environ);
		_exit(SETUP_FAILED);
	}
	return pid;
}

static int
wait_for(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			fail_msg("waitpid: %s", strerror(errno));
	return status;
}

/*
 * Runs the tool to its end, stdout captured (or sent to out_fd when it is
 * not -1, then r->out is empty) and stderr captured.
 */
static void
run_tool(struct e2e_run *r, const struct how *how, int out_fd,
    const char *const *args)
{
	int out = out_fd >= 0 ? out_fd : new_memfd("out");
	int err = new_memfd("err");
	pid_t pid = spawn(how, out, err, args);

	r->status = wait_for(pid);
	r->out = out_fd >= 0 ? strdup("") : slurp(out);
	r->err = slurp(err);
	if (out_fd < 0)
		close(out);
	close(err);
}

/* Fails unless the run ended by itself: no signal, no timeout. */
static void
assert_not_killed(int status, const char *what, const char *err)
{
	int sig;

	if (!WIFSIGNALED(status))
		return;
	sig = WTERMSIG(status);
	if (sig == SIGALRM)
		fail_msg("%s: still running after %d s, so killed: a loop?",
		    what, TOOL_TIMEOUT);
	fail_msg("%s: killed by signal %d (%s); stderr: %s", what, sig,
	    strsignal(sig), err);
}

/* The number of lines in s, each ended by '\n'. */
static size_t
count_lines(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
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

/* Reads lower-case hex digits at *p; returns -1 when there is none. */
static int
take_hex(const char **p, const char *end, uint64_t *v)
{
	const char *s = *p;
	int digits = 0;

	*v = 0;
	for (; s < end && ((*s >= '0' && *s <= '9') || (*s >= 'a' &&
	    *s <= 'f')) && digits < 16; s++, digits++)
		*v = *v << 4 | (uint64_t)(*s <= '9' ? *s - '0' : *s - 'a' + 10);
	*p = s;
	return digits > 0 ? 0 : -1;
}

/*
 * Parses the six leading columns of a default text row that ends at nl:
 * "addr pfn sd file swapped present", then a space and the name, or the
 * end of the line. Returns 0, or -1 when the row is not of that form.
 * (sscanf would measure the whole rest of the output on every call.)
 */
static int
parse_row(const char *line, const char *nl, uint64_t *addr, uint64_t *pfn,
    int *present)
{
	const char *p = line;
	int i;

	if (take_hex(&p, nl, addr) != 0 || p == nl || *p++ != ' ' ||
	    take_hex(&p, nl, pfn) != 0)
		return -1;
	for (i = 0; i < 4; i++) {
		if (nl - p < 2 || p[0] != ' ' || (p[1] != '0' && p[1] != '1'))
			return -1;
		*present = p[1] - '0';
		p += 2;
	}
	return p == nl || *p == ' ' ? 0 : -1;
}

/* The addresses of the rows of text output (after the header). */
struct column {
	uint64_t *v;
	size_t n;
};

/*
 * Parses the first column of every row of the default text output, and
 * checks that every row is whole and has the six leading columns.
 */
static void
addr_column(const char *out, size_t len, struct column *c)
{
	const char *line, *nl, *end = out + len;
	size_t cap = 1024;

	c->v = malloc(cap * sizeof(*c->v));
	c->n = 0;
	if (len == 0)
		fail_msg("no output at all");
	if (out[len - 1] != '\n')
		fail_msg("output does not end with a whole line");
	if (strncmp(out, DEFAULT_HEADER, strlen(DEFAULT_HEADER)) != 0)
		fail_msg("no header line first: %.80s", out);
	for (line = out + strlen(DEFAULT_HEADER); line < end; line = nl + 1) {
		uint64_t addr, pfn;
		int present;

		nl = memchr(line, '\n', (size_t)(end - line));
		if (parse_row(line, nl, &addr, &pfn, &present) != 0)
			fail_msg("not a row: %.*s", (int)(nl - line), line);
		if (c->n == cap)
			c->v = realloc(c->v, (cap *= 2) * sizeof(*c->v));
		c->v[c->n++] = addr;
	}
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
		n += c->v[i] >= big.mem && c->v[i] < big.mem + BIG_SIZE;
	return n;
}

/* A run of the tool on the large child with nothing in the way. */
static void
reference_dump(struct e2e_run *r, struct column *c)
{
	const char *const args[] = { big.arg, NULL };

	run_tool(r, NULL, -1, args);
	assert_not_killed(r->status, "reference dump", r->err);
	if (e2e_exit_code(r) != 0)
		fail_msg("reference dump: exit %d: %s", e2e_exit_code(r),
		    r->err);
	addr_column(r->out, strlen(r->out), c);
	assert_int_equal(rows_in_big(c), BIG_SIZE / (size_t)page);
}

static bool
have_sys_admin(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) != 0)
		return false;
	return (d[0].effective >> CAP_SYS_ADMIN) & 1;
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
		e2e_skip("less than 1.5 GiB of memory available: no 1 GiB "
		    "child to dump");
}

static int
start_big_child(void **state)
{
	int info[2], hold[2];
	char byte;
	(void)state;

	page = sysconf(_SC_PAGESIZE);
	if (mem_available() < BIG_SIZE + BIG_SIZE / 2) {
		big.pid = 0;
		return 0;
	}
	if (pipe2(info, O_CLOEXEC) != 0 || pipe2(hold, O_CLOEXEC) != 0)
		return -1;
	fflush(NULL);
	big.pid = fork();
	if (big.pid < 0)
		return -1;
	if (big.pid == 0) {
		char *p = mmap(NULL, BIG_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		uintptr_t addr = (uintptr_t)p;
		close(info[0]);
		close(hold[1]);
		if (p == MAP_FAILED)
			_exit(SETUP_FAILED);
		memset(p, 1, BIG_SIZE);
		if (write(info[1], &addr, sizeof(addr)) != sizeof(addr))
			_exit(SETUP_FAILED);
		while (read(hold[0], &byte, 1) != 0)
			;
		_exit(0);
	}
	close(info[1]);
	close(hold[0]);
	big.hold = hold[1];
	if (read(info[0], &big.mem, sizeof(big.mem)) != sizeof(big.mem)) {
		fprintf(stderr, "test_faults: the large child failed\n");
		return -1;
	}
	close(info[0]);
	snprintf(big.arg, sizeof(big.arg), "%d", (int)big.pid);
	return 0;
}

static int
stop_big_child(void **state)
{
	(void)state;
	if (big.pid == 0)
		return 0;
	close(big.hold);
	wait_for(big.pid);
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
			_exit(SETUP_FAILED);
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
	static const struct how no_scan = { .env = "PAGEMAP_DUMP_NO_SCAN=1" };
	const char *const sets[][6] = {
		{ NULL }, { "-P", NULL }, { "-P", NULL }, { "-s", NULL },
		{ "-f", "json", NULL }, { "-S", "-P", NULL },
	};
	char arg[16], prefix[48], what[64], *last[6] = { NULL };
	const char *args[8], *line;
	struct e2e_run r;
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
		assert_not_killed(r.status, what, r.err);
		if (e2e_exit_code(&r) != 0 && e2e_exit_code(&r) != 1)
			fail_msg("%s: exit %d: %s", what, e2e_exit_code(&r),
			    r.err);
		if (e2e_exit_code(&r) == 1 && r.err[0] == '\0')
			fail_msg("%s: exit 1 without a message", what);
		/* Every message names the process. */
		assert_every_line_starts_with(r.err, prefix);
		if (r.out[0] != '\0' && r.out[strlen(r.out) - 1] != '\n')
			fail_msg("%s: stdout does not end with a whole line",
			    what);
		/* The rows are whole rows. */
		if ((set[0] == NULL || strcmp(set[0], "-P") == 0) &&
		    (e2e_exit_code(&r) == 0 || r.out[0] != '\0')) {
			addr_column(r.out, strlen(r.out), &c);
			free(c.v);
		}
		for (line = r.out; set[0] != NULL && strcmp(set[0], "-f") == 0 &&
		    *line != '\0'; line = strchr(line, '\n') + 1)
			if (line[0] != '{' || strchr(line, '\n')[-1] != '}')
				fail_msg("%s: not a JSON object: %.80s", what,
				    line);
		ok += e2e_exit_code(&r) == 0;
		/* The premise: the child did change between the dumps. */
		if (last[run % 6] != NULL)
			changed += strcmp(last[run % 6], r.out) != 0;
		free(last[run % 6]);
		last[run % 6] = r.out;
		r.out = NULL;
		e2e_run_free(&r);
	}
	for (n = 0; n < 6; n++)
		free(last[n]);
	if (changed == 0)
		fail_msg("the child's memory never changed between two dumps");
	print_message("[          ] %d of %d dumps of a changing child exited "
	    "0, the others 1 with a message\n", ok, CHURN_RUNS);
}

static void
should_print_the_same_rows_when_signalled_during_the_dump(void **state)
{
	const char *const args[] = { big.arg, NULL };
	struct e2e_run ref;
	struct column want, got;
	struct buf out = { NULL, 0, 0 };
	int p[2], err, status;
	unsigned long sent = 0;
	char *err_text;
	ssize_t n;
	pid_t pid;
	(void)state;

	need_big_child();
	reference_dump(&ref, &want);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	err = new_memfd("err");
	pid = spawn(NULL, p[1], err, args);
	close(p[1]);
	assert_int_equal(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
	for (;;) {
		/* Both are ignored by default: the dump must not notice. */
		kill(pid, SIGWINCH);
		kill(pid, SIGCHLD);
		sent++;
		buf_reserve(&out, 65536);
		n = read(p[0], out.s + out.len, out.cap - out.len - 1);
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
	close(p[0]);
	status = wait_for(pid);
	err_text = slurp(err);
	close(err);
	assert_not_killed(status, "signalled dump", err_text);
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_string_equal(err_text, ref.err);
	/* Signals went in all along: at least one per pipeful read. */
	assert_true(sent >= out.len / 65536);
	addr_column(out.s, out.len, &got);
	assert_same_addresses(&want, &got, "with SIGWINCH and SIGCHLD");
	free(got.v);
	free(want.v);
	free(out.s);
	free(err_text);
	e2e_run_free(&ref);
}

static void
should_lose_no_row_to_a_slow_reader(void **state)
{
	static const size_t sizes[] = { 1, 7, 512, 4093, 100, 2048, 64 };
	const char *const args[] = { big.arg, NULL };
	struct e2e_run ref;
	struct column want, got;
	struct buf out = { NULL, 0, 0 };
	int p[2], err, status;
	size_t reads = 0;
	char *err_text;
	ssize_t n;
	pid_t pid;
	(void)state;

	need_big_child();
	reference_dump(&ref, &want);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	err = new_memfd("err");
	pid = spawn(NULL, p[1], err, args);
	close(p[1]);
	for (;;) {
		size_t want_bytes = sizes[reads++ % 7];
		buf_reserve(&out, want_bytes);
		n = read(p[0], out.s + out.len, want_bytes);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fail_msg("read: %s", strerror(errno));
		if (n == 0)
			break;
		out.len += (size_t)n;
		usleep(20);
	}
	out.s[out.len] = '\0';
	close(p[0]);
	status = wait_for(pid);
	err_text = slurp(err);
	close(err);
	assert_not_killed(status, "slowly read dump", err_text);
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_string_equal(err_text, ref.err);
	addr_column(out.s, out.len, &got);
	assert_same_addresses(&want, &got, "read slowly");
	free(got.v);
	free(want.v);
	free(out.s);
	free(err_text);
	e2e_run_free(&ref);
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
	err = new_memfd("err");
	head_out = new_memfd("head");
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	tool = spawn(NULL, p[1], err, args);
	fflush(NULL);
	head = fork();
	assert_true(head >= 0);
	if (head == 0) {
		if (dup2(p[0], 0) < 0 || dup2(head_out, 1) < 0)
			_exit(SETUP_FAILED);
		execlp("head", "head", "-n", "1", (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	close(p[1]);
	head_status = wait_for(head);
	tool_status = wait_for(tool);
	err_text = slurp(err);
	head_text = slurp(head_out);
	close(err);
	close(head_out);
	if (WIFEXITED(head_status) && WEXITSTATUS(head_status) == 127)
		e2e_skip("no head(1) to read the output");
	assert_string_equal(head_text, DEFAULT_HEADER);
	if (!WIFSIGNALED(tool_status))
		fail_msg("the tool exited %d instead of ending by SIGPIPE; "
		    "stderr: %s", WEXITSTATUS(tool_status), err_text);
	assert_int_equal(WTERMSIG(tool_status), SIGPIPE);
	assert_string_equal(err_text, "");
	free(err_text);
	free(head_text);
}

static void
should_exit_1_naming_stdout_when_writing_to_dev_full(void **state)
{
	char addr[32];
	const char *const sets[][6] = {
		{ big.arg, NULL },
		{ "-f", "json", big.arg, NULL },
		{ "-s", big.arg, NULL },
		/* One row: it fails only at the last flush. */
		{ "-H", "-a", addr, big.arg, NULL },
		{ "-V", NULL },
		{ "--help", NULL },
	};
	const char *enospc = strerror(ENOSPC);
	struct e2e_run r;
	size_t i;
	int full = open("/dev/full", O_WRONLY | O_CLOEXEC);
	(void)state;

	if (full < 0)
		e2e_skip("no /dev/full on this machine");
	need_big_child();
	snprintf(addr, sizeof(addr), "%" PRIxPTR, big.mem + 5);
	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		run_tool(&r, NULL, full, sets[i]);
		assert_not_killed(r.status, sets[i][0], r.err);
		if (e2e_exit_code(&r) != 1)
			fail_msg("%s ... > /dev/full: exit %d, not 1: %s",
			    sets[i][0], e2e_exit_code(&r), r.err);
		/* One line, naming what failed and why. */
		if (count_lines(r.err) != 1 ||
		    strncmp(r.err, "pagemap-dump: ", 14) != 0 ||
		    strstr(r.err, "stdout") == NULL ||
		    strstr(r.err, enospc) == NULL)
			fail_msg("%s ... > /dev/full: not one line naming "
			    "stdout and '%s': %s", sets[i][0], enospc, r.err);
		e2e_run_free(&r);
	}
	close(full);
}

/* Checks a -P dump of the tool itself: rows, and PFNs hidden or not. */
static void
check_present_rows(const char *out, bool hidden)
{
	const char *line, *nl;
	size_t rows = 0, real_pfns = 0;

	if (strncmp(out, DEFAULT_HEADER, strlen(DEFAULT_HEADER)) != 0)
		fail_msg("no header line first: %.80s", out);
	for (line = out + strlen(DEFAULT_HEADER); *line != '\0';
	    line = nl + 1) {
		uint64_t addr, pfn;
		int present;
		nl = strchr(line, '\n');
		assert_non_null(nl);
		if (parse_row(line, nl, &addr, &pfn, &present) != 0)
			fail_msg("not a row: %.*s", (int)(nl - line), line);
		assert_int_equal(present, 1);
		if (hidden && pfn != 0)
			fail_msg("a PFN (%" PRIx64 ") without CAP_SYS_ADMIN",
			    pfn);
		real_pfns += pfn != 0;
		rows++;
	}
	assert_true(rows > 0);
	if (!hidden)
		assert_true(real_pfns > 0);
}

/* Fails unless err is exactly one line: the hidden-PFN warning. */
static void
assert_one_pfn_warning(const char *err)
{
	if (count_lines(err) != 1 || strstr(err, "CAP_SYS_ADMIN") == NULL ||
	    strstr(err, "pfn") == NULL || strncmp(err, "pagemap-dump: ",
	    14) != 0)
		fail_msg("not one line warning that PFNs are hidden: %s", err);
}

static void
should_dump_itself_without_cap_sys_admin_warning_once(void **state)
{
	static const struct how drop = { .drop_admin = true };
	/*
	 * Its present stack pages: a whole dump of an ASan build would print
	 * the terabytes of its shadow memory row by row.
	 */
	const char *const args[] = { "-P", "-m", "[stack]", "self", NULL };
	struct e2e_run r;
	(void)state;

	if (!have_sys_admin())
		e2e_skip("no CAP_SYS_ADMIN to drop: checked only as root");
	run_tool(&r, &drop, -1, args);
	assert_not_killed(r.status, "without CAP_SYS_ADMIN", r.err);
	if (e2e_exit_code(&r) == SETUP_FAILED)
		fail_msg("could not drop CAP_SYS_ADMIN and run the tool");
	assert_int_equal(e2e_exit_code(&r), 0);
	assert_one_pfn_warning(r.err);
	check_present_rows(r.out, true);
	e2e_run_free(&r);

	/* The same run with the capability: no warning, real PFNs. */
	run_tool(&r, NULL, -1, args);
	assert_int_equal(e2e_exit_code(&r), 0);
	assert_string_equal(r.err, "");
	check_present_rows(r.out, false);
	e2e_run_free(&r);
}

/* The uid that owns a process, or -1. */
static long
owner_of(pid_t pid)
{
	char path[64], line[256];
	long uid = -1;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	fp = fopen(path, "r");
	if (fp == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (sscanf(line, "Uid: %ld", &uid) == 1)
			break;
	fclose(fp);
	return uid;
}

static void
should_refuse_pid_1_to_user_nobody_with_one_clear_message(void **state)
{
	static const struct how nobody = { .as_nobody = true };
	const char *const args[] = { "1", NULL };
	const char *const self[] = { "-P", "-m", "[stack]", "self", NULL };
	struct e2e_run r;
	(void)state;

	if (geteuid() != 0)
		e2e_skip("not root: cannot switch to user nobody");
	if (owner_of(1) == 65534 || owner_of(1) < 0)
		e2e_skip("pid 1 is not another user's process here");
	run_tool(&r, &nobody, -1, args);
	/* SETUP_FAILED: no exec; 127: a wrapper script's (valgrind). */
	if (e2e_exit_code(&r) == SETUP_FAILED || e2e_exit_code(&r) == 127)
		e2e_skip("user nobody cannot run the tool here");
	assert_not_killed(r.status, "as nobody", r.err);
	assert_int_equal(e2e_exit_code(&r), 1);
	assert_string_equal(r.out, "");
	if (count_lines(r.err) != 1 ||
	    strncmp(r.err, "pagemap-dump: pid 1: /proc/1/", 29) != 0 ||
	    strstr(r.err, "permission denied") == NULL)
		fail_msg("not one line saying that /proc/1 is denied: %s",
		    r.err);
	e2e_run_free(&r);

	/* Its own process is still open to it. */
	run_tool(&r, &nobody, -1, self);
	assert_not_killed(r.status, "nobody dumping itself", r.err);
	assert_int_equal(e2e_exit_code(&r), 0);
	assert_one_pfn_warning(r.err);
	check_present_rows(r.out, true);
	e2e_run_free(&r);
}

/* The usage text: what --help prints before its first blank line. */
static char *
usage_text(void)
{
	const char *const args[] = { "--help", NULL };
	struct e2e_run r;
	char *blank, *usage;

	run_tool(&r, NULL, -1, args);
	assert_int_equal(e2e_exit_code(&r), 0);
	blank = strstr(r.out, "\n\n");
	assert_non_null(blank);
	usage = strndup(r.out, (size_t)(blank - r.out) + 1);
	assert_memory_equal(usage, "usage: pagemap-dump ", 20);
	e2e_run_free(&r);
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
	};
	char *usage = usage_text(), *nl, what[128];
	struct e2e_run r;
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
		run_tool(&r, NULL, -1, bad[i].args);
		assert_not_killed(r.status, what, r.err);
		if (e2e_exit_code(&r) != 2)
			fail_msg("%s: exit %d, not 2: %s", what,
			    e2e_exit_code(&r), r.err);
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
		e2e_run_free(&r);
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
		    should_dump_itself_without_cap_sys_admin_warning_once),
		cmocka_unit_test(
		    should_refuse_pid_1_to_user_nobody_with_one_clear_message),
		cmocka_unit_test(
		    should_exit_2_with_one_reason_and_the_usage_on_bad_arguments),
	};

	if (access(e2e_tool(), X_OK) != 0) {
		fprintf(stderr, "test_faults: %s not built (run make)\n",
		    e2e_tool());
		return 1;
	}
	return cmocka_run_group_tests(tests, start_big_child, stop_big_child);
}
