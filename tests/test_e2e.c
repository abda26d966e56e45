/*
 * End-to-end tests: fork a child with a known address space, run the
 * pagemap-dump binary on it, and check its rows for exactly those pages,
 * and every exit status the man page lists.
 *
 * What the machine cannot show (no swap, no soft-dirty, not root) is
 * skipped with the reason printed.
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

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define FILE_PAGES 1024

static const char *tool = "./pagemap-dump";
static long page;

/* What a child tells its parent about its address space. */
struct layout {
	uintptr_t anon;		/* 8 private pages, 0, 2 and 5 written */
	uintptr_t file;		/* FILE_PAGES pages of a file, page 0 read */
	uintptr_t shared;	/* 4 shared anonymous pages, 0 and 1 written */
	uintptr_t swapped;	/* 4 written pages, paged out (if asked) */
	int swapped_ok;		/* MADV_PAGEOUT returned 0 */
	char path[256];		/* the mapped file */
};

struct child {
	pid_t pid;
	int hold;		/* write end: the child lives until closed */
	struct layout layout;
};

/* One parsed row of the default output. */
struct row {
	uint64_t addr, pfn;
	int soft_dirty, file, swapped, present;
	const char *name;
};

struct result {
	int status;		/* as from waitpid */
	char *out;
	char *err;
	struct row *rows;
	size_t nrows;
};

static void
die(const char *what)
{
	perror(what);
	_exit(99);
}

static void
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("write");
		}
		p += n;
		len -= (size_t)n;
	}
}

static void
read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	while (len > 0) {
		ssize_t n = read(fd, p, len);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			fail_msg("short read from child");
		}
		p += n;
		len -= (size_t)n;
	}
}

static char *
map_anon(size_t pages, int flags)
{
	char *p = mmap(NULL, pages * (size_t)page, PROT_READ | PROT_WRITE,
	    flags | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

/* In the child: builds the address space that the tests check. */
static void
build_layout(struct layout *l, bool pageout, const char *file_name)
{
	char *anon, *file, *shared, *sw, *buf;
	volatile char sink;
	int fd, i;

	anon = map_anon(8, MAP_PRIVATE);
	madvise(anon, 8 * (size_t)page, MADV_NOHUGEPAGE);
	anon[0] = 1;
	anon[2 * page] = 1;
	anon[5 * page] = 1;
	l->anon = (uintptr_t)anon;

	if (file_name != NULL)
		snprintf(l->path, sizeof(l->path), "%s", file_name);
	else
		snprintf(l->path, sizeof(l->path), "/tmp/pmd-e2e-%d",
		    (int)getpid());
	fd = open(l->path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		die("open file");
	buf = calloc(FILE_PAGES, (size_t)page);
	if (buf == NULL || write(fd, buf, FILE_PAGES * (size_t)page) < 0)
		die("write file");
	free(buf);
	/* Out of the page cache, so only what page 0 brings in is there. */
	fdatasync(fd);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	file = mmap(NULL, FILE_PAGES * (size_t)page, PROT_READ, MAP_PRIVATE,
	    fd, 0);
	if (file == MAP_FAILED)
		die("mmap file");
	close(fd);
	sink = file[0];
	(void)sink;
	l->file = (uintptr_t)file;

	shared = map_anon(4, MAP_SHARED);
	shared[0] = 1;
	shared[page] = 1;
	l->shared = (uintptr_t)shared;

	sw = map_anon(4, MAP_PRIVATE);
	madvise(sw, 4 * (size_t)page, MADV_NOHUGEPAGE);
	for (i = 0; i < 4; i++)
		sw[i * page] = (char)(i + 1);
	l->swapped = (uintptr_t)sw;
	if (pageout)
		l->swapped_ok = madvise(sw, 4 * (size_t)page,
		    MADV_PAGEOUT) == 0;
}

/* Forks a child with the test layout; it lives until child_end. */
static void
child_start(struct child *c, bool pageout, const char *file_name)
{
	int info[2], hold[2];
	char byte;

	if (pipe(info) != 0 || pipe(hold) != 0)
		fail_msg("pipe: %s", strerror(errno));
	c->pid = fork();
	if (c->pid < 0)
		fail_msg("fork: %s", strerror(errno));
	if (c->pid == 0) {
		struct layout l;
		memset(&l, 0, sizeof(l));
		close(info[0]);
		close(hold[1]);
		build_layout(&l, pageout, file_name);
		write_all(info[1], &l, sizeof(l));
		while (read(hold[0], &byte, 1) != 0)
			;
		unlink(l.path);
		_exit(0);
	}
	close(info[1]);
	close(hold[0]);
	c->hold = hold[1];
	read_all(info[0], &c->layout, sizeof(c->layout));
	close(info[0]);
}

static void
child_end(struct child *c)
{
	close(c->hold);
	waitpid(c->pid, NULL, 0);
	unlink(c->layout.path);
}

/* Reads all of fd (a memfd, rewound) into a NUL-terminated string. */
static char *
slurp(int fd)
{
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap);
	ssize_t n;

	lseek(fd, 0, SEEK_SET);
	for (;;) {
		if (cap - len < 2)
			buf = realloc(buf, cap *= 2);
		n = read(fd, buf + len, cap - len - 1);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return buf;
}

/* Parses the default output's rows (after the header line). */
static void
parse_rows(struct result *r)
{
	char *line = r->out, *nl;
	size_t cap = 1024;

	r->rows = calloc(cap, sizeof(*r->rows));
	r->nrows = 0;
	nl = strchr(line, '\n');
	if (nl == NULL)
		return;
	for (line = nl + 1; *line != '\0'; line = nl + 1) {
		struct row *w;
		int used = 0;
		nl = strchr(line, '\n');
		assert_non_null(nl);
		*nl = '\0';
		if (r->nrows == cap)
			r->rows = realloc(r->rows, (cap *= 2) * sizeof(*r->rows));
		w = &r->rows[r->nrows++];
		if (sscanf(line, "%" SCNx64 " %" SCNx64 " %d %d %d %d%n",
		    &w->addr, &w->pfn, &w->soft_dirty, &w->file, &w->swapped,
		    &w->present, &used) != 6)
			fail_msg("unparsable row: %s", line);
		w->name = line[used] == ' ' ? line + used + 1 : line + used;
	}
}

/*
 * Runs the tool with args (NULL-terminated), stdout and stderr captured.
 * With drop_admin, the tool runs without CAP_SYS_ADMIN; with as_nobody, as
 * user and group 65534.
 */
static void
run_as(struct result *r, bool drop_admin, bool as_nobody, const char *arg, ...)
{
	const char *argv[16];
	va_list ap;
	int out = memfd_create("out", 0), err = memfd_create("err", 0), n = 0;
	pid_t pid;

	argv[n++] = tool;
	va_start(ap, arg);
	for (; arg != NULL && n < 15; arg = va_arg(ap, const char *))
		argv[n++] = arg;
	va_end(ap);
	argv[n] = NULL;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		/* Opened while root: nobody may not reach it by its path. */
		int self = open(tool, O_RDONLY);
		dup2(out, 1);
		dup2(err, 2);
		if (drop_admin && prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN) != 0)
			die("PR_CAPBSET_DROP");
		if (as_nobody && (setgroups(0, NULL) != 0 ||
		    setgid(65534) != 0 || setuid(65534) != 0))
			die("setuid");
		execv(tool, (char *const *)argv);
		if (errno == EACCES && self >= 0)
			fexecve(self, (char *const *)argv, environ);
		die("execv");
	}
	waitpid(pid, &r->status, 0);
	r->out = slurp(out);
	r->err = slurp(err);
	close(out);
	close(err);
	r->rows = NULL;
	r->nrows = 0;
}

#define run(r, ...) run_as(r, false, false, __VA_ARGS__, (const char *)NULL)

static int
exit_code(const struct result *r)
{
	return WIFEXITED(r->status) ? WEXITSTATUS(r->status) : -1;
}

static void
result_free(struct result *r)
{
	free(r->out);
	free(r->err);
	free(r->rows);
}

static const struct row *
find(const struct result *r, uint64_t addr)
{
	size_t i;

	for (i = 0; i < r->nrows; i++)
		if (r->rows[i].addr == addr)
			return &r->rows[i];
	return NULL;
}

static void
dump_child(struct result *r, const struct child *c)
{
	char pid[16];

	snprintf(pid, sizeof(pid), "%d", (int)c->pid);
	run(r, pid);
	if (exit_code(r) != 0)
		fail_msg("exit %d, stderr: %s", exit_code(r), r->err);
	parse_rows(r);
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

static void
skip_because(const char *why)
{
	printf("[  SKIP    ] %s\n", why);
	fflush(stdout);
	skip();
}

static void
should_print_the_classic_header(void **state)
{
	struct result r;
	(void)state;

	run(&r, "self");
	assert_int_equal(exit_code(&r), 0);
	assert_memory_equal(r.out,
	    "addr pfn soft-dirty file/shared swapped present library\n", 56);
	result_free(&r);
}

static void
should_show_written_anonymous_pages_present_and_untouched_absent(void **s)
{
	static const int written[8] = { 1, 0, 1, 0, 0, 1, 0, 0 };
	struct child c;
	struct result r;
	const struct row *w;
	uint64_t seen[8];
	int i, j;
	(void)s;

	child_start(&c, false, NULL);
	dump_child(&r, &c);
	for (i = 0; i < 8; i++) {
		w = find(&r, c.layout.anon + (uint64_t)i * page);
		assert_non_null(w);
		assert_int_equal(w->present, written[i]);
		assert_int_equal(w->swapped, 0);
		assert_int_equal(w->file, 0);
		assert_string_equal(w->name, "");
		if (!written[i])
			assert_int_equal(w->pfn, 0);
		else if (have_sys_admin())
			assert_int_not_equal(w->pfn, 0);
		seen[i] = w->pfn;
	}
	/* Three written pages: three different frames. */
	if (have_sys_admin())
		for (i = 0; i < 8; i++)
			for (j = i + 1; j < 8; j++)
				if (written[i] && written[j])
					assert_int_not_equal(seen[i], seen[j]);
	result_free(&r);
	child_end(&c);
}

static void
should_list_every_page_in_address_order_once(void **state)
{
	struct child c;
	struct result r;
	size_t i;
	(void)state;

	child_start(&c, false, NULL);
	dump_child(&r, &c);
	assert_true(r.nrows > 8 + FILE_PAGES + 4 + 4);
	for (i = 1; i < r.nrows; i++)
		assert_true(r.rows[i - 1].addr < r.rows[i].addr);
	for (i = 0; i < r.nrows; i++)
		assert_int_equal(r.rows[i].addr % (uint64_t)page, 0);
	/* [vsyscall] has no pagemap entries: it is skipped, not an error. */
	assert_null(find(&r, UINT64_C(0xffffffffff600000)));
	result_free(&r);
	child_end(&c);
}

static void
should_show_a_read_file_page_as_present_file_page_with_its_path(void **s)
{
	struct child c;
	struct result r;
	const struct row *w;
	int i;
	(void)s;

	child_start(&c, false, NULL);
	dump_child(&r, &c);
	for (i = 0; i < FILE_PAGES; i++) {
		w = find(&r, c.layout.file + (uint64_t)i * page);
		assert_non_null(w);
		assert_string_equal(w->name, c.layout.path);
		assert_int_equal(w->swapped, 0);
	}
	w = find(&r, c.layout.file);
	assert_int_equal(w->present, 1);
	assert_int_equal(w->file, 1);
	if (have_sys_admin())
		assert_int_not_equal(w->pfn, 0);
	/*
	 * Read-around and large folios can map in a few hundred KiB around
	 * page 0, but not the last page of 4 MiB dropped from the cache.
	 */
	w = find(&r, c.layout.file + (FILE_PAGES - 1) * (uint64_t)page);
	assert_int_equal(w->present, 0);
	assert_int_equal(w->pfn, 0);
	result_free(&r);
	child_end(&c);
}

static void
should_show_shared_anonymous_pages_as_file_shared(void **state)
{
	struct child c;
	struct result r;
	const struct row *w;
	int i;
	(void)state;

	child_start(&c, false, NULL);
	dump_child(&r, &c);
	for (i = 0; i < 4; i++) {
		w = find(&r, c.layout.shared + (uint64_t)i * page);
		assert_non_null(w);
		assert_int_equal(w->present, i < 2);
		assert_int_equal(w->file, i < 2);
		assert_string_equal(w->name, "/dev/zero (deleted)");
	}
	result_free(&r);
	child_end(&c);
}

static bool
swap_exists(void)
{
	FILE *fp = fopen("/proc/swaps", "r");
	char line[512];
	int lines = 0;

	if (fp == NULL)
		return false;
	while (fgets(line, sizeof(line), fp) != NULL)
		lines++;
	fclose(fp);
	return lines > 1;
}

static void
should_show_paged_out_pages_as_swapped_with_pfn_zero(void **state)
{
	struct child c;
	struct result r;
	const struct row *w;
	int i;
	(void)state;

	if (!swap_exists())
		skip_because("no swap on this machine: paged-out pages "
		    "not checked (swapon a swap file to run it)");
	child_start(&c, true, NULL);
	if (!c.layout.swapped_ok) {
		child_end(&c);
		skip_because("MADV_PAGEOUT is not supported by this kernel");
	}
	dump_child(&r, &c);
	for (i = 0; i < 4; i++) {
		w = find(&r, c.layout.swapped + (uint64_t)i * page);
		assert_non_null(w);
		assert_int_equal(w->swapped, 1);
		assert_int_equal(w->present, 0);
		/* The swap entry is not a PFN. */
		assert_int_equal(w->pfn, 0);
	}
	result_free(&r);
	child_end(&c);
}

/* Reads the raw entry of addr in our own pagemap. */
static uint64_t
own_entry(const void *addr)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd >= 0) {
		if (pread(fd, &e, 8, (off_t)((uintptr_t)addr / page * 8)) != 8)
			e = 0;
		close(fd);
	}
	return e;
}

static bool
clear_soft_dirty(pid_t pid)
{
	char path[64];
	int fd;
	bool ok;

	snprintf(path, sizeof(path), "/proc/%d/clear_refs", (int)pid);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return false;
	ok = write(fd, "4", 1) == 1;
	close(fd);
	return ok;
}

static void
should_show_soft_dirty_pages_written_after_clear_refs(void **state)
{
	volatile char *probe;
	struct child c;
	struct result r;
	const struct row *w;
	int i;
	bool supported;
	(void)state;

	/* Does this kernel track soft-dirty at all? Ask it directly. */
	probe = (volatile char *)map_anon(1, MAP_PRIVATE);
	probe[0] = 1;
	supported = clear_soft_dirty(getpid());
	probe[0] = 2;
	supported = supported && (own_entry((const void *)probe) >> 55 & 1);
	munmap((void *)probe, (size_t)page);
	if (!supported)
		skip_because("this kernel does not track soft-dirty "
		    "(CONFIG_MEM_SOFT_DIRTY off): soft-dirty not checked");

	child_start(&c, false, NULL);
	assert_true(clear_soft_dirty(c.pid));
	dump_child(&r, &c);
	for (i = 0; i < 8; i++) {
		w = find(&r, c.layout.anon + (uint64_t)i * page);
		assert_non_null(w);
		assert_int_equal(w->soft_dirty, 0);
	}
	result_free(&r);
	child_end(&c);
}

static void
should_escape_control_bytes_in_mapping_names(void **state)
{
	char path[128], want[160];
	struct child c;
	struct result r;
	const struct row *w;
	(void)state;

	snprintf(path, sizeof(path), "/tmp/pmd-e2e-%d-\033[31m-\t-x",
	    (int)getpid());
	snprintf(want, sizeof(want), "/tmp/pmd-e2e-%d-\\033[31m-\\011-x",
	    (int)getpid());
	child_start(&c, false, path);
	dump_child(&r, &c);
	w = find(&r, c.layout.file);
	assert_non_null(w);
	assert_string_equal(w->name, want);
	assert_null(strchr(r.out, '\033'));
	assert_null(strchr(r.out, '\t'));
	result_free(&r);
	child_end(&c);
}

static void
should_exit_2_with_usage_on_bad_arguments(void **state)
{
	static const char *bad[] = {
		"", "0", "-1", "+5", "12abc", "abc", "99999999999999999999",
		"--bogus", "-x",
	};
	struct result r;
	size_t i;
	(void)state;

	run(&r, NULL);
	assert_int_equal(exit_code(&r), 2);
	assert_non_null(strstr(r.err, "no pid"));
	assert_non_null(strstr(r.err, "usage: pagemap-dump"));
	assert_string_equal(r.out, "");
	result_free(&r);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		run(&r, bad[i]);
		if (exit_code(&r) != 2)
			fail_msg("'%s': exit %d", bad[i], exit_code(&r));
		assert_non_null(strstr(r.err, "usage: pagemap-dump"));
		assert_string_equal(r.out, "");
		result_free(&r);
	}
}

static void
should_print_help_and_version_and_exit_0(void **state)
{
	struct result r;
	(void)state;

	run(&r, "--help");
	assert_int_equal(exit_code(&r), 0);
	assert_non_null(strstr(r.out, "usage: pagemap-dump"));
	assert_non_null(strstr(r.out, "--version"));
	result_free(&r);
	run(&r, "-V");
	assert_int_equal(exit_code(&r), 0);
	assert_memory_equal(r.out, "pagemap-dump ", 13);
	result_free(&r);
}

static void
should_exit_1_for_a_process_that_does_not_exist(void **state)
{
	struct result r;
	char arg[16];
	pid_t pid;
	(void)state;

	/* A pid that just died and was reaped is free for a while. */
	pid = fork();
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	snprintf(arg, sizeof(arg), "%d", (int)pid);
	run(&r, arg);
	assert_int_equal(exit_code(&r), 1);
	assert_non_null(strstr(r.err, "no such process"));
	assert_non_null(strstr(r.err, arg));
	assert_string_equal(r.out, "");
	result_free(&r);
}

static void
should_exit_1_when_permission_is_denied(void **state)
{
	struct result r;
	(void)state;

	if (geteuid() != 0)
		skip_because("not root: cannot switch to another user");
	run_as(&r, false, true, "1", (const char *)NULL);
	/* 99: our exec failed; 127: a wrapper script's exec (valgrind). */
	if (exit_code(&r) == 99 || exit_code(&r) == 127)
		skip_because("user nobody cannot run the tool here (a script "
		    "in a directory closed to nobody)");
	assert_int_equal(exit_code(&r), 1);
	assert_non_null(strstr(r.err, "permission denied"));
	assert_non_null(strstr(r.err, "/proc/1/"));
	assert_non_null(strstr(r.err, "root"));
	assert_string_equal(r.out, "");
	result_free(&r);
}

static void
should_warn_once_when_pfns_are_hidden(void **state)
{
	struct result r;
	size_t i, present = 0;
	const char *p;
	int warnings = 0;
	(void)state;

	if (!have_sys_admin())
		skip_because("no CAP_SYS_ADMIN to drop: hidden-PFN warning "
		    "checked only as root");
	run_as(&r, true, false, "self", (const char *)NULL);
	assert_int_equal(exit_code(&r), 0);
	for (p = r.err; (p = strstr(p, "CAP_SYS_ADMIN")) != NULL; p++)
		warnings++;
	assert_int_equal(warnings, 1);
	parse_rows(&r);
	for (i = 0; i < r.nrows; i++) {
		present += r.rows[i].present;
		assert_int_equal(r.rows[i].pfn, 0);
	}
	assert_true(present > 0);
	result_free(&r);

	/* With the capability there is no warning and PFNs are real. */
	run(&r, "self");
	assert_int_equal(exit_code(&r), 0);
	assert_null(strstr(r.err, "CAP_SYS_ADMIN"));
	result_free(&r);
}

static void
should_report_a_failed_write_on_stderr(void **state)
{
	int err = memfd_create("err", 0), full = open("/dev/full", O_WRONLY);
	char *text;
	int status;
	pid_t pid;
	(void)state;

	if (full < 0)
		skip_because("no /dev/full");
	pid = fork();
	if (pid == 0) {
		dup2(full, 1);
		dup2(err, 2);
		execl(tool, tool, "self", (char *)NULL);
		_exit(99);
	}
	waitpid(pid, &status, 0);
	text = slurp(err);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 1);
	assert_non_null(strstr(text, "write to stdout"));
	assert_non_null(strstr(text, "No space left on device"));
	free(text);
	close(err);
	close(full);
}

static void
should_end_quietly_when_the_reader_goes_away(void **state)
{
	int p[2], err = memfd_create("err", 0), status;
	char *text;
	pid_t pid;
	(void)state;

	assert_int_equal(pipe(p), 0);
	close(p[0]);	/* nobody reads */
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(err, 2);
		signal(SIGPIPE, SIG_IGN);	/* the tool must not care */
		execl(tool, tool, "self", (char *)NULL);
		_exit(99);
	}
	close(p[1]);
	waitpid(pid, &status, 0);
	text = slurp(err);
	assert_string_equal(text, "");
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGPIPE);
	free(text);
	close(err);
}

static void
should_exit_1_keeping_whole_rows_when_the_process_exits_mid_dump(void **s)
{
	int out[2], err = memfd_create("err", 0), status, k;
	char arg[16], *text, *buf;
	size_t cap = 1 << 20, len = 0;
	ssize_t n;
	pid_t child, pid;
	(void)s;

	/*
	 * A child with 64 x 64 MiB of untouched memory: 1Mi rows, far more
	 * than the tool reads ahead of what it has written.
	 */
	child = fork();
	if (child == 0) {
		for (k = 0; k < 64; k++) {
			void *m = mmap(NULL, 64 << 20, k % 2 ? PROT_READ :
			    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
			    MAP_NORESERVE, -1, 0);
			if (m == MAP_FAILED)
				die("mmap");
		}
		pause();
		_exit(0);
	}
	usleep(100 * 1000);
	snprintf(arg, sizeof(arg), "%d", (int)child);
	assert_int_equal(pipe(out), 0);
	pid = fork();
	if (pid == 0) {
		close(out[0]);
		dup2(out[1], 1);
		dup2(err, 2);
		execl(tool, tool, arg, (char *)NULL);
		_exit(99);
	}
	close(out[1]);
	buf = malloc(cap);
	/* Read a little: the tool now blocks on a full pipe mid-dump. */
	n = read(out[0], buf, 4096);
	assert_true(n > 0);
	len = (size_t)n;
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	while ((n = read(out[0], buf + len, cap - len)) > 0) {
		len += (size_t)n;
		if (cap - len < 65536)
			buf = realloc(buf, cap *= 2);
	}
	close(out[0]);
	waitpid(pid, &status, 0);
	text = slurp(err);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 1);
	assert_non_null(strstr(text, "exited during the dump"));
	assert_non_null(strstr(text, arg));
	/* Whole lines only, and fewer than the whole dump. */
	assert_true(len > 0);
	assert_int_equal(buf[len - 1], '\n');
	assert_true(len < (size_t)64 * 16384 * 20);
	free(buf);
	free(text);
	close(err);
}

static void
should_fail_with_a_clear_message_on_a_zombie(void **s)
{
	struct result r;
	char arg[16];
	pid_t zombie;
	(void)s;

	zombie = fork();
	if (zombie == 0)
		_exit(0);
	usleep(100 * 1000);	/* exited, not yet reaped */
	snprintf(arg, sizeof(arg), "%d", (int)zombie);
	run(&r, arg);
	assert_int_equal(exit_code(&r), 1);
	assert_non_null(strstr(r.err, "zombie"));
	result_free(&r);
	waitpid(zombie, NULL, 0);

}

/* Finds a kernel thread (PF_KTHREAD in its stat flags), or returns 0. */
static pid_t
find_kernel_thread(void)
{
	char path[64], buf[1024], *p;
	unsigned long flags;
	FILE *fp;
	pid_t pid;

	for (pid = 2; pid < 200; pid++) {
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		fp = fopen(path, "r");
		if (fp == NULL)
			continue;
		p = fgets(buf, sizeof(buf), fp);
		fclose(fp);
		if (p == NULL || (p = strrchr(buf, ')')) == NULL)
			continue;
		/* After ") S": ppid pgrp session tty tpgid flags. */
		if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %lu", &flags) == 1 &&
		    (flags & 0x00200000))
			return pid;
	}
	return 0;
}

static void
should_print_only_the_header_for_a_kernel_thread(void **state)
{
	struct result r;
	char arg[16];
	pid_t pid = find_kernel_thread();
	(void)state;

	if (pid == 0)
		skip_because("no kernel thread visible in this pid namespace");
	snprintf(arg, sizeof(arg), "%d", (int)pid);
	run(&r, arg);
	assert_int_equal(exit_code(&r), 0);
	assert_string_equal(r.out,
	    "addr pfn soft-dirty file/shared swapped present library\n");
	result_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(should_print_the_classic_header),
		cmocka_unit_test(
		    should_show_written_anonymous_pages_present_and_untouched_absent),
		cmocka_unit_test(should_list_every_page_in_address_order_once),
		cmocka_unit_test(
		    should_show_a_read_file_page_as_present_file_page_with_its_path),
		cmocka_unit_test(should_show_shared_anonymous_pages_as_file_shared),
		cmocka_unit_test(should_show_paged_out_pages_as_swapped_with_pfn_zero),
		cmocka_unit_test(should_show_soft_dirty_pages_written_after_clear_refs),
		cmocka_unit_test(should_escape_control_bytes_in_mapping_names),
		cmocka_unit_test(should_exit_2_with_usage_on_bad_arguments),
		cmocka_unit_test(should_print_help_and_version_and_exit_0),
		cmocka_unit_test(should_exit_1_for_a_process_that_does_not_exist),
		cmocka_unit_test(should_exit_1_when_permission_is_denied),
		cmocka_unit_test(should_warn_once_when_pfns_are_hidden),
		cmocka_unit_test(should_report_a_failed_write_on_stderr),
		cmocka_unit_test(should_end_quietly_when_the_reader_goes_away),
		cmocka_unit_test(
		    should_exit_1_keeping_whole_rows_when_the_process_exits_mid_dump),
		cmocka_unit_test(should_fail_with_a_clear_message_on_a_zombie),
		cmocka_unit_test(should_print_only_the_header_for_a_kernel_thread),
	};

	page = sysconf(_SC_PAGESIZE);
	if (getenv("PAGEMAP_DUMP") != NULL)
		tool = getenv("PAGEMAP_DUMP");
	if (access(tool, X_OK) != 0) {
		fprintf(stderr, "test_e2e: %s not built (run make)\n", tool);
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
