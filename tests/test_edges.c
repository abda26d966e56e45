/*
 * End-to-end tests of the edges: a target that changes while it is read
 * (exec, threads that map and unmap), `self` in a pid namespace, entries
 * that are not what their bits suggest, and options whose combinations
 * used to print rows that were not asked for.
 *
 * What the machine cannot show is skipped with the reason printed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "e2e_util.h"

static long page;

/* The lines of s, split in place; returns how many. */
static size_t
split_lines(char *s, char ***lines)
{
	size_t n = 0, cap = 64;
	char *p = s, *nl;

	*lines = malloc(cap * sizeof(**lines));
	assert_non_null(*lines);
	while (*p != '\0') {
		nl = strchr(p, '\n');
		if (nl != NULL)
			*nl = '\0';
		if (n == cap) {
			*lines = realloc(*lines, (cap *= 2) * sizeof(**lines));
			assert_non_null(*lines);
		}
		(*lines)[n++] = p;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return n;
}

static bool
ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);

	return a >= b && strcmp(s + a - b, tail) == 0;
}

/*
 * `self` is this process even when /proc belongs to an outer pid
 * namespace, where getpid()'s number (1 here) names another process.
 */
static void
should_dump_itself_for_self_inside_a_pid_namespace(void **state)
{
	int out = memfd_create("out", 0), status;
	char *text, **lines;
	size_t n, i;
	pid_t pid;
	(void)state;

	assert_true(out >= 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		const char *const args[] = { "-H", "-o", "pid,name", "-m",
		    "pagemap-dump", "self", NULL };
		struct e2e_run r;
		if (unshare(CLONE_NEWPID) != 0)
			_exit(77);
		/* The tool runs as pid 1 of the new namespace. */
		e2e_run(&r, NULL, args);
		if (write(out, r.out, strlen(r.out)) < 0)
			_exit(99);
		_exit(e2e_exit_code(&r) < 0 ? 98 : e2e_exit_code(&r));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77) {
		close(out);
		e2e_skip("cannot make a pid namespace here (needs "
		    "CAP_SYS_ADMIN)");
	}
	assert_int_equal(WEXITSTATUS(status), 0);
	lseek(out, 0, SEEK_SET);
	text = calloc(1, 1 << 20);
	assert_non_null(text);
	assert_true(read(out, text, (1 << 20) - 1) >= 0);
	close(out);
	n = split_lines(text, &lines);
	/* The tool's own binary is mapped, so some rows name it. */
	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		char *sp = strchr(lines[i], ' ');
		assert_non_null(sp);
		*sp = '\0';
		/* Our pid as this /proc names us: not the 1 of our namespace. */
		assert_string_not_equal(lines[i], "1");
		assert_true(ends_with(sp + 1, "pagemap-dump"));
	}
	free(lines);
	free(text);
}

/* The first line of a maps file that ends with tail; its start in *start. */
static bool
find_mapping(pid_t pid, const char *tail, uint64_t *start)
{
	char path[64], line[4096];
	bool found = false;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	fp = fopen(path, "r");
	assert_non_null(fp);
	while (!found && fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		found = ends_with(line, tail) &&
		    sscanf(line, "%" SCNx64, start) == 1;
	}
	fclose(fp);
	return found;
}

/* Two -r ranges inside one page print that page once. */
static void
should_print_a_page_once_for_two_ranges_inside_it(void **state)
{
	static char buf[3 * 4096] __attribute__((aligned(4096)));
	char r1[64], r2[64];
	uintptr_t a = (uintptr_t)buf + 4096;
	struct e2e_run r;
	char me[16];
	(void)state;

	snprintf(me, sizeof(me), "%d", (int)getpid());
	buf[4096] = 1;
	snprintf(r1, sizeof(r1), "%" PRIxPTR "-%" PRIxPTR, a + 0x10, a + 0x20);
	snprintf(r2, sizeof(r2), "%" PRIxPTR "-%" PRIxPTR, a + 0x800,
	    a + 0x900);
	{
		const char *const args[] = { "-H", "-o", "addr", "-r", r1,
		    "-r", r2, me, NULL };
		char want[32];
		snprintf(want, sizeof(want), "%" PRIxPTR "\n", a);
		e2e_run(&r, NULL, args);
		assert_int_equal(e2e_exit_code(&r), 0);
		assert_string_equal(r.out, want);
		e2e_run_free(&r);
	}
	{
		/* --summary counts it once too. */
		const char *const args[] = { "-s", "-H", "-f", "csv", "-r", r1,
		    "-r", r2, me, NULL };
		char **lines;
		e2e_run(&r, NULL, args);
		assert_int_equal(e2e_exit_code(&r), 0);
		assert_int_equal(split_lines(r.out, &lines), 2);
		/* start,end,perms,pages,...: one page. */
		assert_non_null(strstr(lines[1], "total,,,1,"));
		free(lines);
		e2e_run_free(&r);
	}
}

/* -a with -r: an address outside every range prints nothing. */
static void
should_not_print_an_address_outside_every_range(void **state)
{
	static char buf[3 * 4096] __attribute__((aligned(4096)));
	char range[64], addr[32], inside[32];
	uintptr_t a = (uintptr_t)buf + 4096;
	struct e2e_run r;
	char me[16];
	(void)state;

	snprintf(me, sizeof(me), "%d", (int)getpid());
	buf[4096] = 1;
	/* The range and the address share a page, nothing else. */
	snprintf(range, sizeof(range), "%" PRIxPTR "-%" PRIxPTR, a, a + 0x100);
	snprintf(addr, sizeof(addr), "%" PRIxPTR, a + 0x800);
	snprintf(inside, sizeof(inside), "%" PRIxPTR, a + 0x80);
	{
		const char *const args[] = { "-H", "-o", "addr", "-r", range,
		    "-a", addr, me, NULL };
		e2e_run(&r, NULL, args);
		assert_int_equal(e2e_exit_code(&r), 0);
		assert_string_equal(r.out, "");
		e2e_run_free(&r);
	}
	{
		const char *const args[] = { "-H", "-o", "addr,paddr", "-r",
		    range, "-a", addr, "-a", inside, me, NULL };
		char want[32], **lines;
		snprintf(want, sizeof(want), "%" PRIxPTR " ", a);
		e2e_run(&r, NULL, args);
		assert_int_equal(e2e_exit_code(&r), 0);
		assert_memory_equal(r.out, want, strlen(want));
		/* One row, of the page, with the offset of inside. */
		assert_non_null(strstr(r.out, "080\n"));
		assert_int_equal(split_lines(r.out, &lines), 1);
		free(lines);
		e2e_run_free(&r);
	}
}

/* -a on a kernel thread: no user memory, so a message and exit 1. */
static void
should_exit_1_for_an_address_in_a_kernel_thread(void **state)
{
	const char *const args[] = { "-a", "0x400000", "2", NULL };
	char comm[64] = "";
	struct e2e_run r;
	FILE *fp = fopen("/proc/2/comm", "r");
	(void)state;

	if (fp == NULL || fgets(comm, sizeof(comm), fp) == NULL ||
	    strcmp(comm, "kthreadd\n") != 0) {
		if (fp != NULL)
			fclose(fp);
		e2e_skip("pid 2 is not kthreadd here (a pid namespace?)");
	}
	fclose(fp);
	e2e_run(&r, NULL, args);
	assert_int_equal(e2e_exit_code(&r), 1);
	assert_non_null(strstr(r.err, "pid 2: address 0x400000"));
	assert_non_null(strstr(r.err, "kernel thread"));
	e2e_run_free(&r);
}

/* -a in [vsyscall]: a mapping without pagemap entries, so exit 1. */
static void
should_exit_1_for_an_address_without_a_pagemap_entry(void **state)
{
	uint64_t start;
	char addr[32], me[16];
	struct e2e_run r;
	(void)state;

	snprintf(me, sizeof(me), "%d", (int)getpid());
	if (!find_mapping(getpid(), "[vsyscall]", &start))
		e2e_skip("no [vsyscall] mapping on this machine");
	snprintf(addr, sizeof(addr), "%" PRIx64, start);
	{
		const char *const args[] = { "-a", addr, me, NULL };
		e2e_run(&r, NULL, args);
		assert_int_equal(e2e_exit_code(&r), 1);
		assert_non_null(strstr(r.err, addr));
		assert_non_null(strstr(r.err, "no pagemap entry"));
		e2e_run_free(&r);
	}
}

/* ---- a target that changes while it is read ---- */

/* Whether strace is there, for its delay injection. */
static bool
have_strace(void)
{
	return system("strace -V >/dev/null 2>&1") == 0;
}

/* Maps a memfd named name, pages long, every page written. */
static char *
map_memfd(const char *name, int pages)
{
	int fd = memfd_create(name, 0), i;
	char *p;

	if (fd < 0 || ftruncate(fd, (off_t)pages * page) != 0)
		_exit(90);
	p = mmap(NULL, (size_t)pages * (size_t)page, PROT_READ | PROT_WRITE,
	    MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		_exit(91);
	for (i = 0; i < pages; i++)
		p[(size_t)i * (size_t)page] = (char)(i + 1);
	close(fd);
	return p;
}

/*
 * The image a target execs into (this program, run with --new-image FD):
 * it maps "NEW", says so with a byte on FD, and waits to be killed.
 */
static void
new_image(int ready)
{
	char c = 'n';

	map_memfd("NEW", 4);
	if (write(ready, &c, 1) != 1)
		_exit(92);
	for (;;)
		pause();
}

/* An image that execs itself again at once, for ever. */
static void
exec_loop(void)
{
	execl("/proc/self/exe", "test_edges", "--exec-loop", (char *)NULL);
	_exit(93);
}

/*
 * The old image's part, in the process that will exec: says its pid on
 * ready, waits for SIGUSR1, then execs the new image.
 */
static void __attribute__((noinline, noreturn))
wait_then_exec(int ready)
{
	sigset_t set;
	pid_t me = getpid();
	char fd[16];
	int sig;

	if (write(ready, &me, sizeof(me)) != sizeof(me))
		_exit(94);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigwait(&set, &sig);
	snprintf(fd, sizeof(fd), "%d", ready);
	execl("/proc/self/exe", "test_edges", "--new-image", fd, (char *)NULL);
	_exit(95);
}

/*
 * Forks a target that maps "OLD" and execs the new image on SIGUSR1;
 * with shared_vm, the process that execs is a vfork child, whose memory
 * until the exec is its parent's (as posix_spawn does). Returns the pid
 * that execs; *holder is the process to kill at the end.
 */
static pid_t
start_exec_target(bool shared_vm, int ready[2], pid_t *holder)
{
	sigset_t set;
	pid_t pid, target;

	assert_int_equal(pipe(ready), 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* Gone with the test, even one that failed half way. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(ready[0]);
		sigprocmask(SIG_BLOCK, &set, NULL);
		map_memfd("OLD", 4);
		if (!shared_vm)
			wait_then_exec(ready[1]);
		if (vfork() == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			wait_then_exec(ready[1]);
		}
		for (;;)
			pause();
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &target, sizeof(target)),
	    sizeof(target));
	*holder = pid;
	return target;
}

/* The pid of the first child of process pid, or 0 for none. */
static pid_t
first_child(pid_t pid)
{
	char path[64];
	long child = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid,
	    (int)pid);
	fp = fopen(path, "r");
	if (fp == NULL)
		return 0;
	if (fscanf(fp, "%ld", &child) != 1)
		child = 0;
	fclose(fp);
	return (pid_t)child;
}

/* Whether process pid has a file open whose path is want. */
static bool
has_open(pid_t pid, const char *want)
{
	char dir[64], path[320], link[256];
	struct dirent *de;
	bool found = false;
	ssize_t n;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	d = opendir(dir);
	if (d == NULL)
		return false;
	while (!found && (de = readdir(d)) != NULL) {
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n > 0) {
			link[n] = '\0';
			found = strcmp(link, want) == 0;
		}
	}
	closedir(d);
	return found;
}

/* A command run in the background with stdout and stderr in memfds. */
struct bg {
	pid_t pid;
	int out, err;
};

static void
bg_start(struct bg *b, const char *const *argv)
{
	b->out = memfd_create("out", 0);
	b->err = memfd_create("err", 0);
	assert_true(b->out >= 0 && b->err >= 0);
	fflush(NULL);
	b->pid = fork();
	assert_true(b->pid >= 0);
	if (b->pid == 0) {
		/* LeakSanitizer cannot run under ptrace: the rest of ASan can. */
		const char *asan = getenv("ASAN_OPTIONS");
		char opts[512];
		snprintf(opts, sizeof(opts), "%s%sdetect_leaks=0",
		    asan != NULL ? asan : "", asan != NULL ? ":" : "");
		setenv("ASAN_OPTIONS", opts, 1);
		dup2(b->out, 1);
		dup2(b->err, 2);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
}

static char *
slurp_fd(int fd)
{
	off_t len = lseek(fd, 0, SEEK_END);
	char *s = calloc(1, (size_t)len + 1);

	assert_non_null(s);
	assert_int_equal(pread(fd, s, (size_t)len, 0), len);
	close(fd);
	return s;
}

/* Waits for b; returns its exit code, with its output in *out, *err. */
static int
bg_wait(struct bg *b, char **out, char **err)
{
	int status;

	assert_int_equal(waitpid(b->pid, &status, 0), b->pid);
	*out = slurp_fd(b->out);
	*err = slurp_fd(b->err);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The PFN of the page at addr of pid, as pagemap says it now. */
static uint64_t
pfn_now(pid_t pid, uint64_t addr)
{
	char path[64];
	uint64_t e = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &e, 8, (off_t)(addr / (uint64_t)page * 8)),
	    8);
	close(fd);
	return e >> 63 ? e & ((UINT64_C(1) << 55) - 1) : 0;
}

/*
 * The target execs after the tool opened its maps and before it opens
 * its pagemap (strace delays the tool's return from each open of a
 * /proc/PID file by a while; the test waits until the maps is open,
 * then has the target exec and waits for the new image). The dump must
 * be the new image's, whole: its memfd "NEW" with its own PFNs, nothing
 * of "OLD".
 */
static void
exec_between_the_opens(bool shared_vm)
{
	char delay[64], procdir[32], maps[48], pidarg[16], *out, *err;
	char **lines, c;
	const char *argv[16];
	int ready[2], code, tries, news = 0;
	pid_t target, holder, tool;
	struct bg b;
	size_t n, i;

	if (!have_strace())
		e2e_skip("strace is not installed: the exec race needs its "
		    "delay injection");
	target = start_exec_target(shared_vm, ready, &holder);
	snprintf(procdir, sizeof(procdir), "/proc/%d", (int)target);
	snprintf(maps, sizeof(maps), "/proc/%d/maps", (int)target);
	snprintf(pidarg, sizeof(pidarg), "%d", (int)target);
	snprintf(delay, sizeof(delay), "inject=openat:delay_exit=400000");
	n = 0;
	argv[n++] = "strace";
	argv[n++] = "-qq";
	argv[n++] = "-o";
	argv[n++] = "/dev/null";
	argv[n++] = "-e";
	argv[n++] = "trace=openat";
	argv[n++] = "-e";
	argv[n++] = delay;
	argv[n++] = "-P";
	argv[n++] = procdir;
	argv[n++] = e2e_tool();
	argv[n++] = "-H";
	argv[n++] = "-o";
	argv[n++] = "addr,pfn,name";
	argv[n++] = pidarg;
	argv[n] = NULL;
	bg_start(&b, argv);
	/* Until the tool holds the old image's maps open. */
	for (tries = 0; tries < 20000; tries++) {
		/* Asked each time: strace first forks a short-lived probe. */
		tool = first_child(b.pid);
		if (tool != 0 && has_open(tool, maps))
			break;
		usleep(500);
	}
	if (tries == 20000) {
		code = bg_wait(&b, &out, &err);
		fail_msg("the tool never opened %s (exit %d): %s", maps, code,
		    err);
	}
	assert_int_equal(kill(target, SIGUSR1), 0);
	assert_int_equal(read(ready[0], &c, 1), 1);	/* the new image */
	code = bg_wait(&b, &out, &err);
	if (code != 0)
		fail_msg("exit %d: %s", code, err);
	n = split_lines(out, &lines);
	for (i = 0; i < n; i++) {
		uint64_t addr, pfn;
		char name[64] = "";
		assert_true(sscanf(lines[i], "%" SCNx64 " %" SCNx64 " %63s",
		    &addr, &pfn, name) >= 2);
		if (strstr(lines[i], "/memfd:OLD") != NULL)
			fail_msg("a row of the old image: %s", lines[i]);
		if (strstr(lines[i], "/memfd:NEW") != NULL) {
			news++;
			assert_int_equal(pfn, pfn_now(target, addr));
		}
	}
	assert_int_equal(news, 4);
	free(lines);
	free(out);
	free(err);
	kill(target, SIGKILL);
	if (holder != target)
		kill(holder, SIGKILL);
	waitpid(holder, NULL, 0);
	close(ready[0]);
}

static void
should_dump_the_new_image_when_the_target_execs_between_the_opens(
    void **state)
{
	(void)state;
	exec_between_the_opens(false);
}

static void
should_dump_the_new_image_when_a_vfork_child_execs_between_the_opens(
    void **state)
{
	(void)state;
	exec_between_the_opens(true);
}

/* A target that execs all the time: a bounded number of tries, exit 1. */
static void
should_give_up_with_exit_1_on_a_target_that_keeps_execing(void **state)
{
	char procdir[32], pidarg[16], *out, *err, want[64];
	const char *argv[16];
	struct bg b;
	pid_t target;
	size_t n = 0;
	int code;
	(void)state;

	if (!have_strace())
		e2e_skip("strace is not installed: the exec race needs its "
		    "delay injection");
	fflush(NULL);
	target = fork();
	assert_true(target >= 0);
	if (target == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		exec_loop();
	}
	snprintf(procdir, sizeof(procdir), "/proc/%d", (int)target);
	snprintf(pidarg, sizeof(pidarg), "%d", (int)target);
	argv[n++] = "strace";
	argv[n++] = "-qq";
	argv[n++] = "-o";
	argv[n++] = "/dev/null";
	argv[n++] = "-e";
	argv[n++] = "trace=openat";
	argv[n++] = "-e";
	argv[n++] = "inject=openat:delay_exit=50000";
	argv[n++] = "-P";
	argv[n++] = procdir;
	argv[n++] = e2e_tool();
	argv[n++] = pidarg;
	argv[n] = NULL;
	bg_start(&b, argv);
	code = bg_wait(&b, &out, &err);
	kill(target, SIGKILL);
	waitpid(target, NULL, 0);
	assert_int_equal(code, 1);
	snprintf(want, sizeof(want), "pid %d: the process exec'd each of",
	    (int)target);
	if (strstr(err, want) == NULL)
		fail_msg("stderr: %s", err);
	assert_string_equal(out, "");
	free(out);
	free(err);
}

/* Threads that map, unmap and protect pages of area, until told. */
struct churn {
	char *area;
	int slots;
	volatile int stop;
};

static void *
churn(void *arg)
{
	struct churn *c = arg;
	unsigned int seed = (unsigned int)(uintptr_t)&seed;
	size_t ps = (size_t)page;

	while (!c->stop) {
		char *p = c->area + (size_t)(rand_r(&seed) %
		    (unsigned int)c->slots) * ps;
		switch (rand_r(&seed) % 3) {
		case 0:
			munmap(p, ps);
			break;
		case 1:
			mmap(p, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE |
			    MAP_ANONYMOUS | MAP_FIXED, -1, 0);
			break;
		default:
			mprotect(p, ps, rand_r(&seed) % 2 ? PROT_READ :
			    PROT_READ | PROT_WRITE);
			break;
		}
	}
	return NULL;
}

/*
 * While threads map, unmap and protect pages, a chunked read of maps
 * can give overlapping or repeated lines (Linux 6.18); the rows must
 * still be strictly ascending, each page once, and the exit 0.
 */
static void
should_print_each_page_once_in_order_while_threads_map_and_unmap(
    void **state)
{
	enum { SLOTS = 8000, RUNS = 60 };
	char range[64], pidarg[16], **lines;
	int hold[2], run, i;
	pid_t pid;
	char c;
	(void)state;

	assert_int_equal(pipe(hold), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		static struct churn ch;
		pthread_t t[3];
		char *a = mmap(NULL, (size_t)SLOTS * (size_t)page, PROT_READ,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(hold[1]);
		if (a == MAP_FAILED)
			_exit(90);
		/* Every other page its own mapping: thousands of lines. */
		for (i = 0; i < SLOTS; i += 2)
			mprotect(a + (size_t)i * (size_t)page, (size_t)page,
			    PROT_READ | PROT_WRITE);
		ch.area = a;
		ch.slots = SLOTS;
		for (i = 0; i < 3; i++)
			pthread_create(&t[i], NULL, churn, &ch);
		if (read(hold[0], &c, 1) < 0)
			_exit(91);
		_exit(0);
	}
	close(hold[0]);
	snprintf(pidarg, sizeof(pidarg), "%d", (int)pid);
	usleep(100000);
	for (run = 0; run < RUNS; run++) {
		const char *const args[] = { "-H", "-o", "addr", pidarg, NULL };
		struct e2e_run r;
		uint64_t prev = 0, addr;
		size_t n, k;
		e2e_run(&r, NULL, args);
		if (e2e_exit_code(&r) != 0)
			fail_msg("run %d: exit %d: %s", run, e2e_exit_code(&r),
			    r.err);
		n = split_lines(r.out, &lines);
		for (k = 0; k < n; k++) {
			assert_int_equal(sscanf(lines[k], "%" SCNx64, &addr),
			    1);
			if (k > 0 && addr <= prev)
				fail_msg("run %d, row %zu: %" PRIx64 " after %"
				    PRIx64, run, k + 1, addr, prev);
			prev = addr;
		}
		free(lines);
		e2e_run_free(&r);
	}
	(void)range;
	close(hold[1]);
	waitpid(pid, NULL, 0);
}

/* ---- entries that are not what their bits suggest ---- */

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif
#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED (1 << 13)
#endif
#ifndef UFFD_FEATURE_POISON
#define UFFD_FEATURE_POISON (1 << 14)
#endif
#ifndef UFFDIO_POISON
struct uffdio_poison {
	struct uffdio_range range;
	uint64_t mode;
	int64_t updated;
};
#define UFFDIO_POISON _IOWR(UFFDIO, 0x08, struct uffdio_poison)
#endif

/* Where a marker child put its pages; 0 for what it could not make. */
struct markers {
	uintptr_t guard;	/* 4 pages: 0 written, 1 and 2 guards */
	uintptr_t wp;		/* 4 unpopulated pages, uffd-wp'd */
	uintptr_t poison;	/* 4 pages: 0 poisoned by uffd */
};

static uintptr_t
anon(int pages)
{
	void *p = mmap(NULL, (size_t)pages * (size_t)page,
	    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		_exit(90);
	return (uintptr_t)p;
}

/* In the child: makes the marked pages of m. */
static void
make_markers(struct markers *m)
{
	struct uffdio_api api = { .api = UFFD_API,
	    .features = UFFD_FEATURE_WP_UNPOPULATED | UFFD_FEATURE_POISON };
	size_t ps = (size_t)page;
	int uffd;

	m->guard = anon(4);
	*(volatile char *)m->guard = 1;
	if (madvise((void *)(m->guard + ps), 2 * ps, MADV_GUARD_INSTALL) != 0)
		m->guard = 0;
	uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api) != 0)
		return;
	{
		struct uffdio_register reg = { .range = { anon(4), 4 * ps },
		    .mode = UFFDIO_REGISTER_MODE_WP };
		struct uffdio_writeprotect wp = { .range = reg.range,
		    .mode = UFFDIO_WRITEPROTECT_MODE_WP };
		if (ioctl(uffd, UFFDIO_REGISTER, &reg) == 0 &&
		    ioctl(uffd, UFFDIO_WRITEPROTECT, &wp) == 0)
			m->wp = (uintptr_t)reg.range.start;
	}
	{
		struct uffdio_register reg = { .range = { anon(4), 4 * ps },
		    .mode = UFFDIO_REGISTER_MODE_MISSING };
		struct uffdio_poison po = { .range = { reg.range.start, ps } };
		if (ioctl(uffd, UFFDIO_REGISTER, &reg) == 0 &&
		    ioctl(uffd, UFFDIO_POISON, &po) == 0)
			m->poison = (uintptr_t)reg.range.start;
	}
	/* uffd stays open: the markers live while it is registered. */
}

/* Forks a child holding markers; it lives until *hold is closed. */
static pid_t
start_marker_child(struct markers *m, int *hold)
{
	int info[2], h[2];
	pid_t pid;

	assert_int_equal(pipe(info), 0);
	assert_int_equal(pipe(h), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char c;
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(info[0]);
		close(h[1]);
		memset(m, 0, sizeof(*m));
		make_markers(m);
		if (write(info[1], m, sizeof(*m)) != sizeof(*m))
			_exit(91);
		if (read(h[0], &c, 1) < 0)
			_exit(92);
		_exit(0);
	}
	close(info[1]);
	close(h[0]);
	assert_int_equal(read(info[0], m, sizeof(*m)), sizeof(*m));
	close(info[0]);
	*hold = h[1];
	return pid;
}

/* The rows of the tool for the 4 pages at addr of pid. */
static char *
rows_of(pid_t pid, uintptr_t addr, const char *opt, const char *cols)
{
	char range[64], pidarg[16], *out;
	struct e2e_run r;

	snprintf(range, sizeof(range), "%" PRIxPTR "-%" PRIxPTR, addr,
	    addr + 4 * (uintptr_t)page);
	snprintf(pidarg, sizeof(pidarg), "%d", (int)pid);
	{
		const char *const with[] = { "-H", opt, "-o", cols, "-r",
		    range, pidarg, NULL };
		const char *const plain[] = { "-H", "-o", cols, "-r", range,
		    pidarg, NULL };
		const char *const sum[] = { "-H", "-s", "-f", "csv", "-r",
		    range, pidarg, NULL };
		e2e_run(&r, NULL, cols == NULL ? sum : opt != NULL ? with :
		    plain);
	}
	if (e2e_exit_code(&r) != 0)
		fail_msg("exit %d: %s", e2e_exit_code(&r), r.err);
	out = r.out;
	free(r.err);
	return out;
}

/*
 * Checks the four pages at addr of pid: their states (states[k] for page
 * k) with bit 62 as the kernel sets it for any swap-format entry, the
 * swap type and offset 0 (none is in swap), and that -S lists none.
 */
static void
assert_states(pid_t pid, uintptr_t addr, const char *const states[4])
{
	const char *cols = "addr,state,swapped,swap-type,swap-offset";
	char want[512], *out;
	size_t k, used = 0;

	for (k = 0; k < 4; k++) {
		bool bit62 = strcmp(states[k], "present") != 0 &&
		    strcmp(states[k], "none") != 0;
		used += (size_t)snprintf(want + used, sizeof(want) - used,
		    "%" PRIxPTR " %s %d 0 0\n", addr + k * (uintptr_t)page,
		    states[k], bit62);
	}
	out = rows_of(pid, addr, NULL, cols);
	assert_string_equal(out, want);
	free(out);
	out = rows_of(pid, addr, "-S", cols);
	assert_string_equal(out, "");
	free(out);
}

/* Ends a marker child. */
static void
stop_marker_child(pid_t pid, int hold)
{
	close(hold);
	waitpid(pid, NULL, 0);
}

/*
 * Guard-region markers have bit 62 set, as pages in swap do: the state
 * column names them, and -S, swap-type, swap-offset and the summary's
 * swap leave them out.
 */
static void
should_tell_guard_markers_from_pages_in_swap(void **state)
{
	static const char *const states[4] = {
		"present", "guard", "guard", "none",
	};
	struct markers m;
	char *out;
	int hold;
	pid_t pid;
	(void)state;

	pid = start_marker_child(&m, &hold);
	if (m.guard == 0) {
		stop_marker_child(pid, hold);
		e2e_skip("no MADV_GUARD_INSTALL (Linux 6.13+)");
	}
	assert_states(pid, m.guard, states);
	/* The summary: 4 pages, 1 present, 0 in swap, 0 KiB of swap. */
	out = rows_of(pid, m.guard, NULL, NULL);
	assert_non_null(strstr(out, "total,,,4,1,0,"));
	assert_true(ends_with(out, ",0,\n"));	/* swap-kib, no name */
	free(out);
	stop_marker_child(pid, hold);
}

/*
 * So do uffd-wp markers on unpopulated pages and UFFDIO_POISON's
 * markers; they are told apart by the swap fields, which root sees.
 */
static void
should_tell_uffd_wp_and_poison_markers_from_pages_in_swap(void **state)
{
	static const char *const wp[4] = {
		"uffd-wp", "uffd-wp", "uffd-wp", "uffd-wp",
	};
	static const char *const poison[4] = {
		"hwpoison", "none", "none", "none",
	};
	struct markers m;
	char *out;
	int hold;
	pid_t pid;
	(void)state;

	if (geteuid() != 0)
		e2e_skip("not root: without the swap fields a uffd-wp or "
		    "poison marker cannot be told from swap");
	pid = start_marker_child(&m, &hold);
	if (m.wp == 0 || m.poison == 0) {
		stop_marker_child(pid, hold);
		e2e_skip("no userfaultfd with WP_UNPOPULATED and POISON here "
		    "(Linux 6.6+)");
	}
	assert_states(pid, m.wp, wp);
	assert_states(pid, m.poison, poison);
	out = rows_of(pid, m.wp, NULL, NULL);
	assert_non_null(strstr(out, "total,,,4,0,0,"));
	free(out);
	stop_marker_child(pid, hold);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    should_dump_itself_for_self_inside_a_pid_namespace),
		cmocka_unit_test(
		    should_print_a_page_once_for_two_ranges_inside_it),
		cmocka_unit_test(
		    should_not_print_an_address_outside_every_range),
		cmocka_unit_test(
		    should_exit_1_for_an_address_in_a_kernel_thread),
		cmocka_unit_test(
		    should_exit_1_for_an_address_without_a_pagemap_entry),
		cmocka_unit_test(
		    should_dump_the_new_image_when_the_target_execs_between_the_opens),
		cmocka_unit_test(
		    should_dump_the_new_image_when_a_vfork_child_execs_between_the_opens),
		cmocka_unit_test(
		    should_give_up_with_exit_1_on_a_target_that_keeps_execing),
		cmocka_unit_test(
		    should_print_each_page_once_in_order_while_threads_map_and_unmap),
		cmocka_unit_test(should_tell_guard_markers_from_pages_in_swap),
		cmocka_unit_test(
		    should_tell_uffd_wp_and_poison_markers_from_pages_in_swap),
	};

	page = sysconf(_SC_PAGESIZE);
	/* The images the exec tests run this program as. */
	if (argc == 3 && strcmp(argv[1], "--new-image") == 0)
		new_image(atoi(argv[2]));
	if (argc == 2 && strcmp(argv[1], "--exec-loop") == 0)
		exec_loop();
	if (getenv("TEST_FILTER") != NULL)
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
