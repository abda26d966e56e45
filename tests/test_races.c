/*
 * End-to-end tests of a target that changes while the tool reads it: a
 * process, or a vfork child, that execs between the tool's opens of its
 * maps and its pagemap (strace delays each open), one that execs all the
 * time, and threads that map, unmap and protect pages throughout.
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
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

static long page;

/* Skips unless strace is there, for its delay injection. */
static void
require_strace(void)
{
	if (system("strace -V >/dev/null 2>&1") != 0)
		tl_skip("strace is not installed: the exec race needs its "
		    "delay injection");
}

/*
 * Writes to argv the start of a command that runs the tool under strace,
 * with inject (an -e inject= argument) on each openat of a file in
 * procdir; returns where the tool's own arguments go.
 */
static size_t
strace_tool(const char **argv, const char *inject, const char *procdir)
{
	static const char *const head[] = { "strace", "-qq", "-o",
	    "/dev/null", "-e", "trace=openat", "-e" };
	size_t n;

	for (n = 0; n < sizeof(head) / sizeof(head[0]); n++)
		argv[n] = head[n];
	argv[n++] = inject;
	argv[n++] = "-P";
	argv[n++] = procdir;
	argv[n++] = tl_tool();
	return n;
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
	execl("/proc/self/exe", "test_races", "--exec-loop", (char *)NULL);
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
	execl("/proc/self/exe", "test_races", "--new-image", fd, (char *)NULL);
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

/* Waits for b; returns its exit code, with its output in *out, *err. */
static int
bg_wait(struct bg *b, char **out, char **err)
{
	int status;

	assert_int_equal(waitpid(b->pid, &status, 0), b->pid);
	*out = tl_read_memfd(b->out);
	*err = tl_read_memfd(b->err);
	close(b->out);
	close(b->err);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
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
	char procdir[32], maps[48], pidarg[16], *out, *err;
	struct tl_lines ls;
	char c;
	const char *argv[16];
	int ready[2], code, tries, news = 0;
	pid_t target, holder, tool;
	struct bg b;
	size_t n, i;

	require_strace();
	target = start_exec_target(shared_vm, ready, &holder);
	snprintf(procdir, sizeof(procdir), "/proc/%d", (int)target);
	snprintf(maps, sizeof(maps), "/proc/%d/maps", (int)target);
	snprintf(pidarg, sizeof(pidarg), "%d", (int)target);
	n = strace_tool(argv, "inject=openat:delay_exit=400000", procdir);
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
	tl_lines_split(&ls, out);
	n = (size_t)ls.n;
	for (i = 0; i < n; i++) {
		uint64_t addr, pfn;
		char name[64] = "";
		assert_true(sscanf(ls.v[i], "%" SCNx64 " %" SCNx64 " %63s",
		    &addr, &pfn, name) >= 2);
		if (strstr(ls.v[i], "/memfd:OLD") != NULL)
			fail_msg("a row of the old image: %s", ls.v[i]);
		if (strstr(ls.v[i], "/memfd:NEW") != NULL) {
			news++;
			assert_int_equal(pfn, tl_page_state(target, addr).pfn);
		}
	}
	assert_int_equal(news, 4);
	tl_lines_free(&ls);
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
	size_t n;
	int code;
	(void)state;

	require_strace();
	fflush(NULL);
	target = fork();
	assert_true(target >= 0);
	if (target == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		exec_loop();
	}
	snprintf(procdir, sizeof(procdir), "/proc/%d", (int)target);
	snprintf(pidarg, sizeof(pidarg), "%d", (int)target);
	n = strace_tool(argv, "inject=openat:delay_exit=50000", procdir);
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
	char pidarg[16];
	struct tl_lines ls;
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
		struct tl_run r;
		uint64_t prev = 0, addr;
		size_t n, k;
		tl_run(&r, NULL, args);
		if (tl_exit_code(&r) != 0)
			fail_msg("run %d: exit %d: %s", run, tl_exit_code(&r),
			    r.err);
		tl_lines_split(&ls, r.out);
		n = (size_t)ls.n;
		for (k = 0; k < n; k++) {
			assert_int_equal(sscanf(ls.v[k], "%" SCNx64, &addr),
			    1);
			if (k > 0 && addr <= prev)
				fail_msg("run %d, row %zu: %" PRIx64 " after %"
				    PRIx64, run, k + 1, addr, prev);
			prev = addr;
		}
		tl_lines_free(&ls);
		tl_run_free(&r);
	}
	close(hold[1]);
	waitpid(pid, NULL, 0);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    should_dump_the_new_image_when_the_target_execs_between_the_opens),
		cmocka_unit_test(
		    should_dump_the_new_image_when_a_vfork_child_execs_between_the_opens),
		cmocka_unit_test(
		    should_give_up_with_exit_1_on_a_target_that_keeps_execing),
		cmocka_unit_test(
		    should_print_each_page_once_in_order_while_threads_map_and_unmap),
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
