/*
 * test_examples: every example command of README.md and of the manual's
 * EXAMPLES section is run as a reader would paste it, against two child
 * processes forked here whose pages are known, and its output is checked
 * against what those children hold.
 *
 * The examples are read from the documents at every run, so that a new
 * or changed one is run as well:
 *  - README.md: in a ```sh block, every line that is not a comment is a
 *    command (a blank or comment line starts the next example); in any
 *    other fenced block, the lines that start with "$ " are commands, and
 *    the lines after one that are not commands are the output it shows;
 *  - man/pagemap-dump.1, section EXAMPLES: every .Bd display is an
 *    example, its "$ " lines the commands, indented lines after one its
 *    continuation, the other lines the output it shows; mdoc escapes
 *    (\e, \-, \(aq...) are undone first.
 * A command also goes on to the next line where sh would: after an open
 * quote, a trailing "|", "&&", "||" or backslash.
 *
 * Every command must match a recipe in the table below, which knows what
 * its output must be; a command that matches none fails its test, so
 * that no example goes unchecked. The make commands (build, install,
 * this very suite) are known but not run; the test says why, and skips
 * an example that holds nothing else. Before a command is run:
 *  - the placeholder pids 1234 and 5678 become the pids of the two
 *    children, and $$ the first one's;
 *  - the placeholder address 0x7f12a0001234 becomes an address in a page
 *    that the first child wrote, at the same offset in the page;
 *  - pagemap-dump and ./pagemap-dump become the tool under test
 *    (e2e_tool(): $PAGEMAP_DUMP or ./pagemap-dump);
 *  - a "sudo " that starts a command is dropped when the test runs as
 *    root; otherwise the example is skipped;
 *  - "make && " in front of a command is dropped: the build is the one
 *    that made the tool under test;
 *  - "sleep N" runs as "sleep 0", and the change the wait is there to
 *    show is made at once: the first child writes one more page.
 * It runs with /bin/sh -c and set -e, in a new directory (the examples
 * write files such as pages.csv), stdin from /dev/null. POSIX sh has no
 * pipefail, so every program that the command runs is wrapped in a
 * shell function that records a failure, and any recorded failure fails
 * the test: a pipeline that hides a failed pagemap-dump or awk behind a
 * sort that succeeds is caught. A program before a head in a pipeline
 * may end by SIGPIPE, as the README says. An example whose programs are
 * not installed (jq) is skipped, saying which.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "e2e_util.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define README "README.md"
#define MANPAGE "man/pagemap-dump.1"

/* The placeholders of the documents. */
#define PLACEHOLDER_ADDR "0x7f12a0001234"
#define PLACEHOLDER_PID1 "1234"
#define PLACEHOLDER_PID2 "5678"

#define DEFAULT_HEADER \
	"addr pfn soft-dirty file/shared swapped present library"

/* What each child builds. */
#define ANON_PAGES 32		/* private anonymous memory ... */
#define ANON_WRITTEN 24		/* ... whose first pages are written */
#define ADDR_PAGE 5		/* the page of anon the address is in */
#define FILE_PAGES 512		/* a file (2 MiB with 4 KiB pages), all read */
#define FILE_NAME "map data.bin"	/* a space, as a name may have */
#define HEAP_BYTES (64 << 10)	/* malloc'ed and written: in [heap] */
#define SWAP_PAGES 16		/* written, then MADV_PAGEOUT */
#define LATE_PAGES 8		/* one written at each SIGUSR1 */

#define MAX_EXAMPLES 64
#define MAX_CMDS 8
#define MAX_NAMES 16
#define TIMEOUT_SECONDS 300

/* ---- small helpers ---------------------------------------------------- */

/* A growable string. */
struct buf {
	char *s;
	size_t len, cap;
};

static void
buf_addn(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *grown;

		while (b->len + n + 1 > cap)
			cap *= 2;
		grown = realloc(b->s, cap);
		if (grown == NULL)
			abort();
		b->s = grown;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
buf_adds(struct buf *b, const char *s)
{
	buf_addn(b, s, strlen(s));
}

static void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (s = malloc((size_t)n + 1)) == NULL)
		abort();
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	buf_addn(b, s, (size_t)n);
	free(s);
}

/* The string built so far, never NULL. */
static const char *
buf_str(const struct buf *b)
{
	return b->s != NULL ? b->s : "";
}

static char *
xstrdup(const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		abort();
	return d;
}

/* Reads all of fd into a NUL-terminated string. */
static char *
read_fd(int fd)
{
	struct buf b = { 0 };
	char chunk[65536];
	ssize_t n;

	buf_adds(&b, "");
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		buf_addn(&b, chunk, (size_t)n);
	}
	return b.s;
}

/* A whole file as a string, or NULL when it cannot be opened. */
static char *
read_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *s;

	if (fd < 0)
		return NULL;
	s = read_fd(fd);
	close(fd);
	return s;
}

static bool
starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Lower-case hexadecimal digits, at least one. */
static bool
is_hex(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

static bool
is_decimal(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static bool
is_flag(const char *s)
{
	return strcmp(s, "0") == 0 || strcmp(s, "1") == 0;
}

/* The lines of a text, without their newlines. */
struct lines {
	char *buf;
	char **v;
	int n;
};

static void
lines_split(struct lines *ls, const char *text)
{
	size_t cap = 16;
	char *p;

	ls->buf = xstrdup(text);
	ls->v = malloc(cap * sizeof(*ls->v));
	ls->n = 0;
	if (ls->v == NULL)
		abort();
	for (p = ls->buf; *p != '\0';) {
		char *nl = strchr(p, '\n');

		if ((size_t)ls->n == cap) {
			char **grown = realloc(ls->v, (cap *= 2) * sizeof(*ls->v));

			if (grown == NULL)
				abort();
			ls->v = grown;
		}
		ls->v[ls->n++] = p;
		if (nl == NULL)
			break;
		*nl = '\0';
		p = nl + 1;
	}
}

static void
lines_free(struct lines *ls)
{
	free(ls->buf);
	free(ls->v);
	ls->buf = NULL;
	ls->v = NULL;
	ls->n = 0;
}

/*
 * Splits s in place at every sep into at most max fields, the last of
 * which keeps the rest of s; returns how many.
 */
static int
split(char *s, char sep, char **f, int max)
{
	int n = 0;

	f[n++] = s;
	while (n < max && (s = strchr(s, sep)) != NULL) {
		*s++ = '\0';
		f[n++] = s;
	}
	return n;
}

/* The index of name among the n fields, or -1. */
static int
field_index(char **f, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(f[i], name) == 0)
			return i;
	return -1;
}

static int
count_lines(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++)
		if (*s == '\n')
			n++;
	return n;
}

/* ---- the children ----------------------------------------------------- */

/* What a child tells the test about its address space. */
struct layout {
	uintptr_t anon;		/* ANON_PAGES, the first ANON_WRITTEN written */
	uintptr_t file;		/* FILE_PAGES of FILE_NAME, all read */
	uintptr_t heap;		/* HEAP_BYTES from malloc, written */
	uintptr_t thp;		/* two huge pages, MADV_HUGEPAGE, written */
	uintptr_t swap;		/* SWAP_PAGES, written and paged out */
	uintptr_t late;		/* LATE_PAGES, one written at each SIGUSR1 */
	int failed_step;	/* 0, or where building failed */
};

static struct {
	pid_t pid[2];
	char arg[2][16];	/* the pids, as arguments */
	struct layout l[2];
	int ack[2];		/* read end: a byte for each SIGUSR1 */
	char dir[64];		/* the temporary directory of the run */
	char file[96];		/* the file the children map */
	char tool[PATH_MAX];	/* the tool under test, absolute */
	char status[96];	/* where the shell functions write failures */
	long page;
	uint64_t hpage;
	bool root;
	uintptr_t addr;		/* what the placeholder address becomes */
	uintptr_t touched;	/* the page the last "sleep" wrote, or 0 */
	int workdirs;		/* how many examples have had a directory */
} fx;

/* What the SIGUSR1 handler of a child writes to. */
static char *child_late;
static int child_ack = -1;
static volatile sig_atomic_t child_next;

/* Writes the next late page and tells the test which it was. */
static void
on_usr1(int sig)
{
	unsigned char k = (unsigned char)child_next;

	(void)sig;
	if (k < LATE_PAGES) {
		child_late[(size_t)k * (size_t)fx.page] = 'l';
		child_next = k + 1;
	}
	if (write(child_ack, &k, 1) != 1)
		_exit(98);
}

static uint64_t
huge_page_size(void)
{
	FILE *fp = fopen("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size",
	    "r");
	unsigned long long v = 0;

	if (fp != NULL) {
		if (fscanf(fp, "%llu", &v) != 1)
			v = 0;
		fclose(fp);
	}
	return v > 0 ? v : 2 << 20;
}

/* Maps pages of private anonymous memory without huge pages, or NULL. */
static char *
map_small(size_t pages)
{
	size_t size = pages * (size_t)fx.page;
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	(void)madvise(p, size, MADV_NOHUGEPAGE);
	return p;
}

static void
touch(char *p, size_t pages)
{
	size_t i;

	for (i = 0; i < pages; i++)
		p[i * (size_t)fx.page] = (char)(1 + i % 100);
}

/* Builds a child's address space; returns 0, or the step that failed. */
static int
build(struct layout *l)
{
	const size_t hp = (size_t)fx.hpage;
	volatile char sink;
	char *p, *aligned;
	size_t i;
	int fd;

	if ((p = map_small(ANON_PAGES)) == NULL)
		return 1;
	touch(p, ANON_WRITTEN);
	l->anon = (uintptr_t)p;

	fd = open(fx.file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 2;
	p = mmap(NULL, FILE_PAGES * (size_t)fx.page, PROT_READ, MAP_PRIVATE,
	    fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return 3;
	for (i = 0; i < FILE_PAGES; i++)
		sink = p[i * (size_t)fx.page];
	(void)sink;
	l->file = (uintptr_t)p;

	if ((p = malloc(HEAP_BYTES)) == NULL)
		return 4;
	memset(p, 'h', HEAP_BYTES);
	l->heap = (uintptr_t)p;

	/* Two huge pages, their mapping trimmed to exactly them. */
	p = mmap(NULL, 3 * hp, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return 5;
	aligned = (char *)(((uintptr_t)p + hp - 1) / hp * hp);
	if (aligned > p && munmap(p, (size_t)(aligned - p)) != 0)
		return 6;
	if (munmap(aligned + 2 * hp, (size_t)(p + 3 * hp - aligned) - 2 * hp)
	    != 0 && p + 3 * hp > aligned + 2 * hp)
		return 7;
	(void)madvise(aligned, 2 * hp, MADV_HUGEPAGE);
	touch(aligned, 2 * hp / (size_t)fx.page);
	l->thp = (uintptr_t)aligned;

	if ((p = map_small(SWAP_PAGES)) == NULL)
		return 8;
	touch(p, SWAP_PAGES);
	(void)madvise(p, SWAP_PAGES * (size_t)fx.page, MADV_PAGEOUT);
	l->swap = (uintptr_t)p;

	if ((p = map_small(LATE_PAGES)) == NULL)
		return 9;
	l->late = (uintptr_t)p;
	return 0;
}

/* The child: builds, reports, then waits for signals until killed. */
static void
run_child(int info, int ack)
{
	struct sigaction sa;
	struct layout l;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	memset(&l, 0, sizeof(l));
	l.failed_step = build(&l);
	child_late = (char *)l.late;
	child_ack = ack;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) != 0 && l.failed_step == 0)
		l.failed_step = 10;
	if (write(info, &l, sizeof(l)) != (ssize_t)sizeof(l))
		_exit(99);
	close(info);
	for (;;)
		pause();
}

/*
 * Whether the HEAP_BYTES at addr lie in the [heap] of pid, which may be
 * more than one mapping (after a fork, the part the child added).
 */
static bool
in_heap(pid_t pid, uintptr_t addr)
{
	char path[64], *text, *line;
	unsigned long first = 0, last = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	if ((text = read_path(path)) == NULL)
		return false;
	for (line = text; line != NULL && *line != '\0';) {
		unsigned long start, end;
		char *nl = strchr(line, '\n');

		if (nl != NULL)
			*nl = '\0';
		if (sscanf(line, "%lx-%lx", &start, &end) == 2 &&
		    ends_with(line, " [heap]")) {
			if (first == 0)
				first = start;
			last = end;
		}
		line = nl != NULL ? nl + 1 : NULL;
	}
	free(text);
	return first != 0 && addr >= first && addr + HEAP_BYTES <= last;
}

static int
start_child(int i)
{
	int info[2], ack[2];
	ssize_t n;

	if (pipe2(info, O_CLOEXEC) != 0 || pipe2(ack, O_CLOEXEC) != 0)
		return -1;
	fflush(NULL);
	fx.pid[i] = fork();
	if (fx.pid[i] < 0)
		return -1;
	if (fx.pid[i] == 0) {
		close(info[0]);
		close(ack[0]);
		run_child(info[1], ack[1]);
	}
	close(info[1]);
	close(ack[1]);
	fx.ack[i] = ack[0];
	do
		n = read(info[0], &fx.l[i], sizeof(fx.l[i]));
	while (n < 0 && errno == EINTR);
	close(info[0]);
	if (n != (ssize_t)sizeof(fx.l[i]) || fx.l[i].failed_step != 0) {
		fprintf(stderr, "test_examples: child %d failed at step %d\n",
		    i + 1, n == (ssize_t)sizeof(fx.l[i]) ?
		    fx.l[i].failed_step : -1);
		return -1;
	}
	snprintf(fx.arg[i], sizeof(fx.arg[i]), "%d", (int)fx.pid[i]);
	if (!in_heap(fx.pid[i], fx.l[i].heap)) {
		fprintf(stderr, "test_examples: malloc did not put the child's "
		    "block in [heap] (a malloc without brk, as under valgrind "
		    "or ASan?)\n");
		return -1;
	}
	return 0;
}

static int
remove_entry(const char *path, const struct stat *st, int type,
    struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

/* Group setup: the temporary directory, its file, the two children. */
static int
start_children(void **state)
{
	char *buf;
	size_t size = FILE_PAGES * (size_t)fx.page;
	int fd, i;

	(void)state;
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/pmd-examples-XXXXXX");
	if (mkdtemp(fx.dir) == NULL)
		return -1;
	snprintf(fx.file, sizeof(fx.file), "%s/%s", fx.dir, FILE_NAME);
	snprintf(fx.status, sizeof(fx.status), "%s/failures", fx.dir);
	fd = open(fx.file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || (buf = malloc(size)) == NULL)
		return -1;
	memset(buf, 'f', size);
	if (write(fd, buf, size) != (ssize_t)size || close(fd) != 0)
		return -1;
	free(buf);
	for (i = 0; i < 2; i++)
		if (start_child(i) != 0)
			return -1;
	fx.addr = fx.l[0].anon + ADDR_PAGE * (uintptr_t)fx.page +
	    (uintptr_t)(strtoull(PLACEHOLDER_ADDR, NULL, 16) %
	    (unsigned long long)fx.page);
	return 0;
}

static int
stop_children(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		if (fx.pid[i] > 0) {
			kill(fx.pid[i], SIGKILL);
			waitpid(fx.pid[i], NULL, 0);
			close(fx.ack[i]);
		}
	}
	nftw(fx.dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* Makes the first child write its next late page; returns that page. */
static uintptr_t
touch_late_page(void)
{
	unsigned char k;
	ssize_t n;

	assert_int_equal(kill(fx.pid[0], SIGUSR1), 0);
	do
		n = read(fx.ack[0], &k, 1);
	while (n < 0 && errno == EINTR);
	assert_int_equal(n, 1);
	if (k >= LATE_PAGES)
		fail_msg("the first child has no late page left to write");
	return fx.l[0].late + k * (uintptr_t)fx.page;
}

/* ---- what the kernel says, read here ---------------------------------- */

#define PM_PFN(e) ((e) & ((UINT64_C(1) << 55) - 1))
#define PM_SWAP_OFFSET(e) (((e) >> 5) & ((UINT64_C(1) << 50) - 1))
#define PM_SWAPPED(e) (((e) >> 62) & 1)
#define PM_PRESENT(e) (((e) >> 63) & 1)

/* The pagemap entries of n pages of pid from addr. */
static void
pagemap_read(pid_t pid, uintptr_t addr, uint64_t *e, size_t n)
{
	char path[64];
	ssize_t got;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail_msg("%s: %s", path, strerror(errno));
	got = pread(fd, e, n * sizeof(*e),
	    (off_t)(addr / (uintptr_t)fx.page * sizeof(*e)));
	close(fd);
	if (got != (ssize_t)(n * sizeof(*e)))
		fail_msg("%s: short read", path);
}

static uint64_t
pagemap_entry(pid_t pid, uintptr_t addr)
{
	uint64_t e;

	pagemap_read(pid, addr, &e, 1);
	return e;
}

/* A mapping of /proc/PID/maps. */
struct vma {
	uintptr_t start, end;
	char name[PATH_MAX];
};

/* The mappings of pid; returns how many (*v to be freed). */
static int
read_maps(pid_t pid, struct vma **v)
{
	char path[64], *text;
	struct lines ls;
	int i, n = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	text = read_path(path);
	if (text == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	lines_split(&ls, text);
	free(text);
	*v = calloc((size_t)ls.n + 1, sizeof(**v));
	if (*v == NULL)
		abort();
	for (i = 0; i < ls.n; i++) {
		unsigned long start, end;
		int at = 0;
		const char *name;

		if (sscanf(ls.v[i], "%lx-%lx %*s %*s %*s %*s%n", &start, &end,
		    &at) != 2 || at == 0)
			continue;
		for (name = ls.v[i] + at; *name == ' '; name++)
			;
		(*v)[n].start = start;
		(*v)[n].end = end;
		snprintf((*v)[n].name, sizeof((*v)[n].name), "%s", name);
		n++;
	}
	lines_free(&ls);
	return n;
}

/* How many pages pid maps that have pagemap entries. */
static long
mapped_pages(pid_t pid)
{
	struct vma *v;
	long pages = 0;
	int i, n = read_maps(pid, &v);

	for (i = 0; i < n; i++)
		if (strcmp(v[i].name, "[vsyscall]") != 0)
			pages += (long)((v[i].end - v[i].start) /
			    (uintptr_t)fx.page);
	free(v);
	return pages;
}

/*
 * The [heap] of pid, from its first page to its last; returns how many
 * pages it has (it may be more than one mapping, as after a fork).
 */
static long
heap_of(pid_t pid, uintptr_t *start, uintptr_t *end)
{
	struct vma *v;
	long pages = 0;
	int i, n = read_maps(pid, &v);

	*start = *end = 0;
	for (i = 0; i < n; i++)
		if (strcmp(v[i].name, "[heap]") == 0) {
			if (*start == 0)
				*start = v[i].start;
			*end = v[i].end;
			pages += (long)((v[i].end - v[i].start) /
			    (uintptr_t)fx.page);
		}
	free(v);
	if (*start == 0)
		fail_msg("the child has no [heap] mapping");
	return pages;
}

/* The kB of a field of /proc/PID/smaps for the mapping at start, or -1. */
static long
smaps_kb(pid_t pid, uintptr_t start, const char *field)
{
	char path[64], head[32], *text;
	struct lines ls;
	long kb = -1;
	int i;
	bool in = false;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	snprintf(head, sizeof(head), "%lx-", (unsigned long)start);
	if ((text = read_path(path)) == NULL)
		return -1;
	lines_split(&ls, text);
	free(text);
	for (i = 0; i < ls.n; i++) {
		char c = ls.v[i][0];

		/* A mapping's line starts with its address, a field's with
		   a capital. */
		if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))
			in = starts_with(ls.v[i], head);
		else if (in && starts_with(ls.v[i], field))
			kb = strtol(ls.v[i] + strlen(field), NULL, 10);
	}
	lines_free(&ls);
	return kb;
}

/* The tool's stdout for args, which must succeed. */
static char *
tool_output(const char *const *args)
{
	struct e2e_run r;
	char *out;

	e2e_run(&r, NULL, args);
	if (e2e_exit_code(&r) != 0)
		fail_msg("%s %s ...: exit %d: %s", e2e_tool(), args[0],
		    e2e_exit_code(&r), r.err);
	out = r.out;
	r.out = NULL;
	e2e_run_free(&r);
	return out;
}

/* How many present pages the tool finds in child i. */
static int
present_pages(int i)
{
	const char *const args[] = { "-P", "-H", fx.arg[i], NULL };
	char *out = tool_output(args);
	int n = count_lines(out);

	free(out);
	return n;
}

/* ---- the documents ---------------------------------------------------- */

/* One command of an example. */
struct command {
	char *text;	/* as the document has it, unescaped, lines joined */
	char *shown;	/* the output the document shows after it, or NULL */
	int line;
};

struct example {
	const char *doc;
	char section[96];
	int line;
	struct command cmd[MAX_CMDS];
	int ncmd;
	char name[200];
};

static struct example examples[MAX_EXAMPLES];
static int nexamples;
static struct buf problems;	/* what the documents have that we cannot read */

static void problem(const char *doc, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
problem(const char *doc, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	buf_printf(&problems, "%s:%d: %s\n", doc, line, msg);
}

/*
 * Whether sh would read on past the end of s: an open quote, or a last
 * word that is "|", "&&", "||" or a backslash before the end.
 */
static bool
incomplete(const char *s)
{
	const char *p, *last = NULL;
	char q = 0;

	for (p = s; *p != '\0'; p++) {
		if (q == '\'') {
			if (*p == '\'')
				q = 0;
			continue;
		}
		if (q == '"') {
			if (*p == '\\' && p[1] != '\0')
				p++;
			else if (*p == '"')
				q = 0;
			continue;
		}
		if (*p == '\\') {
			if (p[1] == '\0')
				return true;
			last = ++p;
		} else if (*p == '\'' || *p == '"') {
			q = *p;
			last = p;
		} else if (*p == '#' && (p == s || p[-1] == ' ' ||
		    p[-1] == '\t' || p[-1] == '\n')) {
			while (p[1] != '\0' && p[1] != '\n')
				p++;
		} else if (*p != ' ' && *p != '\t' && *p != '\n') {
			last = p;
		}
	}
	if (q != 0)
		return true;
	return last != NULL && (*last == '|' ||
	    (*last == '&' && last > s && last[-1] == '&'));
}

static struct example *
new_example(const char *doc, const char *section, int line)
{
	struct example *ex;

	if (nexamples == MAX_EXAMPLES) {
		problem(doc, line, "more than %d examples", MAX_EXAMPLES);
		return NULL;
	}
	ex = &examples[nexamples++];
	ex->doc = doc;
	snprintf(ex->section, sizeof(ex->section), "%s", section);
	ex->line = line;
	return ex;
}

static struct command *
add_command(struct example *ex, const char *text, int line)
{
	struct command *c;

	if (ex == NULL)
		return NULL;
	if (ex->ncmd == MAX_CMDS) {
		problem(ex->doc, line, "more than %d commands in one example",
		    MAX_CMDS);
		return NULL;
	}
	c = &ex->cmd[ex->ncmd++];
	c->text = xstrdup(text);
	c->line = line;
	return c;
}

static void
append_line(char **s, const char *line)
{
	struct buf b = { 0 };

	if (*s != NULL) {
		buf_adds(&b, *s);
		buf_adds(&b, "\n");
		free(*s);
	}
	buf_adds(&b, line);
	*s = b.s;
}

/*
 * Reads one line of a display that holds "$ " commands and the output
 * they show (a fenced block of README.md other than sh, or a .Bd of the
 * manual): a "$ " line is a command, a line that continues it (indented,
 * or needed to end it) is added to it, and any other line is output.
 */
static void
display_line(struct example **ex, struct command **cmd, bool *open,
    const char *doc, const char *section, int lineno, const char *line)
{
	if (*cmd != NULL && (incomplete((*cmd)->text) ||
	    (*open && (line[0] == ' ' || line[0] == '\t')))) {
		append_line(&(*cmd)->text, line);
	} else if (starts_with(line, "$ ")) {
		if (*ex == NULL)
			*ex = new_example(doc, section, lineno);
		*cmd = add_command(*ex, line + 2, lineno);
		*open = true;
	} else if (*cmd != NULL) {
		append_line(&(*cmd)->shown, line);
		*open = false;
	}
}

/* Every example of README.md's fenced blocks. */
static void
parse_readme(const char *text)
{
	struct lines ls;
	struct example *ex = NULL;
	struct command *cmd = NULL;
	char section[96] = "";
	size_t indent = 0;
	bool fence = false, sh = false, open = false;
	int i;

	lines_split(&ls, text);
	for (i = 0; i < ls.n; i++) {
		const char *line = ls.v[i], *t = line;
		int lineno = i + 1;

		while (*t == ' ')
			t++;
		if (!fence) {
			if (line[0] == '#') {
				const char *h = line;

				while (*h == '#' || *h == ' ')
					h++;
				snprintf(section, sizeof(section), "%s", h);
			} else if (starts_with(t, "```")) {
				fence = true;
				indent = (size_t)(t - line);
				t += 3;
				sh = strcmp(t, "sh") == 0 ||
				    strcmp(t, "shell") == 0 ||
				    strcmp(t, "bash") == 0;
				ex = NULL;
				cmd = NULL;
			}
			continue;
		}
		if (strcmp(t, "```") == 0) {
			fence = false;
			continue;
		}
		line = strlen(line) >= indent ? line + indent : t;
		if (!sh) {
			display_line(&ex, &cmd, &open, README, section, lineno,
			    line);
		} else if (cmd != NULL && incomplete(cmd->text)) {
			append_line(&cmd->text, line);
		} else if (*t == '\0' || *t == '#') {
			ex = NULL;	/* the next command is another example */
			cmd = NULL;
		} else {
			if (ex == NULL)
				ex = new_example(README, section, lineno);
			cmd = add_command(ex, starts_with(line, "$ ") ?
			    line + 2 : line, lineno);
		}
	}
	if (fence)
		problem(README, ls.n, "a fenced block that does not end");
	lines_free(&ls);
}

/* A special character \(xx or \[xx] of mdoc, or NULL. */
static const char *
mdoc_char(const char *name, size_t n)
{
	static const char *const table[][2] = {
		{ "aq", "'" }, { "dq", "\"" }, { "ti", "~" }, { "ha", "^" },
		{ "ga", "`" }, { "rs", "\\" }, { "at", "@" }, { "sh", "#" },
		{ "Do", "$" }, { "lB", "[" }, { "rB", "]" }, { "ba", "|" },
	};
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strlen(table[i][0]) == n &&
		    strncmp(table[i][0], name, n) == 0)
			return table[i][1];
	return NULL;
}

/* The text of a line of the manual with its escapes undone, or NULL. */
static char *
mdoc_unescape(const char *s, int lineno)
{
	struct buf b = { 0 };
	const char *c;

	buf_adds(&b, "");
	for (; *s != '\0'; s++) {
		if (*s != '\\') {
			buf_addn(&b, s, 1);
			continue;
		}
		switch (*++s) {
		case 'e':
			buf_adds(&b, "\\");
			break;
		case '-':
			buf_adds(&b, "-");
			break;
		case ' ':
			buf_adds(&b, " ");
			break;
		case '&':
		case '|':
		case '^':
			break;
		case '(':
			if (s[1] == '\0' || s[2] == '\0' ||
			    (c = mdoc_char(s + 1, 2)) == NULL)
				goto unknown;
			buf_adds(&b, c);
			s += 2;
			break;
		case '[': {
			const char *end = strchr(s, ']');

			if (end == NULL ||
			    (c = mdoc_char(s + 1, (size_t)(end - s - 1))) == NULL)
				goto unknown;
			buf_adds(&b, c);
			s = end;
			break;
		}
		default:
			goto unknown;
		}
	}
	return b.s;
unknown:
	problem(MANPAGE, lineno, "an mdoc escape this test cannot undo: \\%.3s",
	    s);
	free(b.s);
	return NULL;
}

/* Every example of the manual's EXAMPLES section. */
static void
parse_man(const char *text)
{
	struct lines ls;
	struct example *ex = NULL;
	struct command *cmd = NULL;
	bool in = false, display = false, open = false, found = false;
	int i;

	lines_split(&ls, text);
	for (i = 0; i < ls.n; i++) {
		const char *line = ls.v[i];
		int lineno = i + 1;
		char *plain;

		if (starts_with(line, ".Sh ")) {
			in = strcmp(line, ".Sh EXAMPLES") == 0;
			found = found || in;
			continue;
		}
		if (!in)
			continue;
		if (starts_with(line, ".Bd")) {
			if (display)
				problem(MANPAGE, lineno, "a .Bd inside a .Bd");
			display = true;
			ex = new_example(MANPAGE, "EXAMPLES", lineno);
			cmd = NULL;
			continue;
		}
		if (starts_with(line, ".Ed")) {
			if (ex != NULL && ex->ncmd == 0)
				problem(MANPAGE, ex->line,
				    "a display without a \"$ \" command");
			display = false;
			continue;
		}
		if (!display) {
			if (starts_with(line, ".Dl") || starts_with(line, ".D1") ||
			    strstr(line, "pagemap-dump") != NULL)
				problem(MANPAGE, lineno, "a command outside a .Bd "
				    "display, which this test does not run: %s",
				    line);
			continue;
		}
		if (line[0] == '.' || line[0] == '\'') {
			problem(MANPAGE, lineno, "a request inside a display: %s",
			    line);
			continue;
		}
		if ((plain = mdoc_unescape(line, lineno)) == NULL)
			continue;
		display_line(&ex, &cmd, &open, MANPAGE, "EXAMPLES", lineno,
		    plain);
		free(plain);
	}
	if (!found)
		problem(MANPAGE, 1, "no .Sh EXAMPLES section");
	lines_free(&ls);
}

/* ---- running a command ------------------------------------------------ */

/* A command made ready for sh. */
struct prepared {
	char *text;			/* the command, substituted */
	bool sudo;			/* it had a "sudo " to drop */
	int nnames;
	char names[MAX_NAMES][64];	/* the programs it runs */
};

/* What a placeholder pid may not touch: it is part of a longer word. */
static bool
word_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || c == '_' || c == '$' || c == '.';
}

/* The name of the shell function that stands for the tool. */
#define TOOL_FUNCTION "pagemap_dump_"

/*
 * Substitutes the placeholders of raw (see the top of this file) and
 * notes the programs it runs: the first word of each simple command.
 */
static void
prepare(struct prepared *pc, const char *raw)
{
	struct buf b = { 0 };
	const char *p = raw;
	bool start = true;
	char q = 0;

	memset(pc, 0, sizeof(*pc));
	buf_adds(&b, "");
	while (*p != '\0') {
		if (q == 0 && start) {
			size_t n;

			if (*p == ' ' || *p == '\t' || *p == '\n') {
				buf_addn(&b, p++, 1);
				continue;
			}
			if (starts_with(p, "sudo ")) {
				pc->sudo = true;
				p += 5;
				continue;
			}
			if (starts_with(p, "make && ")) {
				p += 8;
				continue;
			}
			start = false;
			if (*p == '#')
				continue;	/* a comment: copied below */
			if (starts_with(p, "./pagemap-dump"))
				p += 2;
			if (starts_with(p, "pagemap-dump") &&
			    !word_char(p[12]) && p[12] != '-') {
				buf_adds(&b, TOOL_FUNCTION);
				p += 12;
				n = strlen(TOOL_FUNCTION);
			} else {
				for (n = 0; p[n] != '\0' &&
				    strchr(" \t\n|&;<>()", p[n]) == NULL; n++)
					;
				buf_addn(&b, p, n);
				p += n;
			}
			if (pc->nnames < MAX_NAMES && n < 64) {
				memcpy(pc->names[pc->nnames],
				    b.s + b.len - n, n);
				pc->names[pc->nnames++][n] = '\0';
			}
			continue;
		}
		if (q != '\'') {
			if (starts_with(p, PLACEHOLDER_ADDR) &&
			    !word_char(p[strlen(PLACEHOLDER_ADDR)])) {
				buf_printf(&b, "0x%lx", (unsigned long)fx.addr);
				p += strlen(PLACEHOLDER_ADDR);
				continue;
			}
			if (starts_with(p, "$$")) {
				buf_adds(&b, fx.arg[0]);
				p += 2;
				continue;
			}
			if ((p == raw || !word_char(p[-1])) &&
			    (starts_with(p, PLACEHOLDER_PID1) ||
			    starts_with(p, PLACEHOLDER_PID2)) &&
			    !word_char(p[4])) {
				buf_adds(&b, fx.arg[p[0] == '1' ? 0 : 1]);
				p += 4;
				continue;
			}
		}
		if (q == '\'') {
			if (*p == '\'')
				q = 0;
		} else if (q == '"') {
			if (*p == '\\' && p[1] != '\0')
				buf_addn(&b, p++, 1);
			else if (*p == '"')
				q = 0;
		} else if (*p == '\'' || *p == '"') {
			q = *p;
		} else if (*p == '\\' && p[1] != '\0') {
			buf_addn(&b, p++, 1);
		} else if (*p == '#' && (p == raw || p[-1] == ' ' ||
		    p[-1] == '\t')) {
			while (*p != '\0' && *p != '\n')
				buf_addn(&b, p++, 1);
			continue;
		} else if (*p == '|' || *p == ';' || *p == '(' ||
		    (*p == '&' && (p == raw || (p[-1] != '>' && p[-1] != '<')))) {
			start = true;
			if ((*p == '|' || *p == '&') && p[1] == *p)
				buf_addn(&b, p++, 1);
		} else if (*p == '\n') {
			start = true;
		}
		buf_addn(&b, p++, 1);
	}
	pc->text = b.s;
}

static const char *const builtins[] = {
	":", "cd", "echo", "printf", "read", "set", "test", "[", "true",
	"false", "export", "exit", "wait", "kill", "command", "eval", "exec",
	"unset", "shift", "trap", "umask", NULL,
};

/* The first line of a command, without a comment after it, for messages. */
static void
summary_of(char *out, size_t size, const char *text)
{
	const char *comment = strstr(text, "  #");
	size_t n = strcspn(text, "\n");

	if (comment != NULL && (size_t)(comment - text) < n)
		n = (size_t)(comment - text);
	while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\t'))
		n--;
	snprintf(out, size, "%.*s%s", (int)n, text,
	    text[strcspn(text, "\n")] != '\0' ? " ..." : "");
}

static bool
is_builtin(const char *name)
{
	int i;

	for (i = 0; builtins[i] != NULL; i++)
		if (strcmp(builtins[i], name) == 0)
			return true;
	return false;
}

/* Whether name is a program in $PATH. */
static bool
installed(const char *name)
{
	const char *path = getenv("PATH"), *p, *end;
	char full[PATH_MAX];

	if (strchr(name, '/') != NULL)
		return access(name, X_OK) == 0;
	if (path == NULL)
		path = "/usr/bin:/bin";
	for (p = path; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		end = strchr(p, ':');
		if (end == NULL)
			end = p + strlen(p);
		snprintf(full, sizeof(full), "%.*s/%s", (int)(end - p),
		    end == p ? "." : p, name);
		if (access(full, X_OK) == 0)
			return true;
	}
	return false;
}

/* Whether a name can be that of a shell function. */
static bool
identifier(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
	    *s == '_'))
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/*
 * The script sh runs for a prepared command: set -e, a function for the
 * tool, and one for every other program, each of which writes
 * "name status" to fx.status when it fails.
 */
static char *
script_of(const struct prepared *pc)
{
	struct buf b = { 0 };
	int i, j;

	buf_printf(&b, "set -e\n"
	    "__failed() { printf '%%s %%s\\n' \"$1\" \"$2\" >> '%s'; "
	    "return \"$2\"; }\n", fx.status);
	buf_printf(&b, "%s() { '%s' \"$@\" || __failed pagemap-dump $?; }\n",
	    TOOL_FUNCTION, fx.tool);
	for (i = 0; i < pc->nnames; i++) {
		const char *n = pc->names[i];

		if (strcmp(n, TOOL_FUNCTION) == 0 || is_builtin(n) ||
		    !identifier(n))
			continue;
		for (j = 0; j < i; j++)
			if (strcmp(pc->names[j], n) == 0)
				break;
		if (j == i)
			buf_printf(&b, "%s() { command %s \"$@\" || "
			    "__failed %s $?; }\n", n, n, n);
	}
	buf_adds(&b, pc->text);
	buf_adds(&b, "\n");
	return b.s;
}

struct run;

/*
 * What an example command is and how its output is checked. A command
 * matches the first recipe all of whose need strings it contains (as the
 * document writes it).
 */
struct recipe {
	const char *what;
	const char *need[4];
	const char *not_run;	/* why it is not run, or NULL */
	const char *run_as;	/* the command run instead, or NULL */
	int exit_status;	/* of the whole command */
	const char *may_fail;	/* "name status" that a function may record */
	void (*check)(const struct run *);
};

/* One command as run. */
struct run {
	const struct example *ex;
	const struct command *cmd;
	const struct prepared *pc;
	const struct recipe *rc;
	char *script;
	char dir[96];		/* where it ran */
	int status;		/* of sh, from waitpid */
	char *out, *err;
	char *failures;		/* "name status" lines of the functions */
	bool head;		/* a program of it is head */
};

/* The run whose output the checks look at, printed when they fail. */
static const struct run *cur;

static void
show_run(void)
{
	struct lines ls;
	int i;

	if (cur == NULL)
		return;
	print_error("%s:%d: %s\n", cur->ex->doc, cur->cmd->line,
	    cur->cmd->text);
	print_error("  checked as: %s\n", cur->rc->what);
	print_error("  ran in %s: %s", cur->dir, cur->pc->text);
	print_error("\n  exit status %d\n", WIFEXITED(cur->status) ?
	    WEXITSTATUS(cur->status) : 128 + WTERMSIG(cur->status));
	lines_split(&ls, cur->out);
	print_error("  stdout (%d lines):\n", ls.n);
	for (i = 0; i < ls.n && i < 30; i++)
		print_error("    %s\n", ls.v[i]);
	if (ls.n > 30)
		print_error("    ...\n");
	lines_free(&ls);
	if (cur->err[0] != '\0')
		print_error("  stderr:\n%s\n", cur->err);
}

/* Fails the test, after showing the command, unless cond holds. */
#define require(cond, ...)                                              \
	do {                                                            \
		if (!(cond)) {                                          \
			show_run();                                     \
			fail_msg(__VA_ARGS__);                          \
		}                                                       \
	} while (0)

/* Runs r->script with sh in r->dir. */
static void
sh_run(struct run *r)
{
	int out = memfd_create("out", MFD_CLOEXEC);
	int err = memfd_create("err", MFD_CLOEXEC);
	long waited;
	pid_t pid, done;

	assert_true(out >= 0 && err >= 0);
	unlink(fx.status);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		setpgid(0, 0);
		if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 ||
		    dup2(err, 2) < 0 || chdir(r->dir) != 0)
			_exit(126);
		execl("/bin/sh", "sh", "-c", r->script, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	for (waited = 0;; waited++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		done = waitpid(pid, &r->status, WNOHANG);
		if (done == pid || (done < 0 && errno != EINTR))
			break;
		if (waited == TIMEOUT_SECONDS * 100L) {
			kill(-pid, SIGKILL);
			waitpid(pid, &r->status, 0);
			fail_msg("%s:%d: still running after %d s: %s",
			    r->ex->doc, r->cmd->line, TIMEOUT_SECONDS,
			    r->cmd->text);
		}
		nanosleep(&ts, NULL);
	}
	lseek(out, 0, SEEK_SET);
	lseek(err, 0, SEEK_SET);
	r->out = read_fd(out);
	r->err = read_fd(err);
	close(out);
	close(err);
	r->failures = read_path(fx.status);
	if (r->failures == NULL)
		r->failures = xstrdup("");
}

/* ---- the recipes ------------------------------------------------------ */


/* Checks that line is a row of the default columns. */
static void
check_page_row(const char *line)
{
	char *copy = xstrdup(line), *f[7];
	int n = split(copy, ' ', f, 7), i;
	bool ok = n >= 6 && is_hex(f[0]) && is_hex(f[1]);

	for (i = 2; ok && i < 6; i++)
		ok = is_flag(f[i]);
	if (n == 7)
		ok = ok && f[6][0] != '\0';
	free(copy);
	require(ok, "not a row of the default columns: '%s'", line);
}

/* The row of ls (default columns) for addr, or -1. */
static int
row_of(const struct lines *ls, uintptr_t addr)
{
	char want[32];
	int i;

	snprintf(want, sizeof(want), "%lx ", (unsigned long)addr);
	for (i = 0; i < ls->n; i++)
		if (starts_with(ls->v[i], want))
			return i;
	return -1;
}

/*
 * Checks a dump of the whole first child in the default columns: its
 * header, every row, the anonymous pages it wrote and left, and the
 * file it read.
 */
static void
check_child_dump(const char *what, const char *text, bool cut)
{
	struct lines ls;
	char *copy, *f[7];
	int i, at;

	lines_split(&ls, text);
	require(ls.n >= 1 && strcmp(ls.v[0], DEFAULT_HEADER) == 0,
	    "%s: the first line is not the header '%s'", what,
	    DEFAULT_HEADER);
	for (i = 1; i < ls.n; i++)
		check_page_row(ls.v[i]);
	if (cut) {
		require(ls.n == 10, "%s: %d lines, not head's 10", what, ls.n);
		lines_free(&ls);
		return;
	}
	require(ls.n - 1 == mapped_pages(fx.pid[0]),
	    "%s: %d rows for the %ld pages that the child maps", what,
	    ls.n - 1, mapped_pages(fx.pid[0]));
	at = row_of(&ls, fx.l[0].anon);
	require(at > 0 && at + ANON_PAGES <= ls.n,
	    "%s: no rows for the anonymous pages at %lx", what,
	    (unsigned long)fx.l[0].anon);
	for (i = 0; i < ANON_PAGES; i++) {
		uintptr_t addr = fx.l[0].anon + (uintptr_t)i *
		    (uintptr_t)fx.page;
		uint64_t e = pagemap_entry(fx.pid[0], addr);
		char pfn[32];

		copy = xstrdup(ls.v[at + i]);
		require(split(copy, ' ', f, 7) == 6,
		    "%s: an anonymous page with a name: %s", what,
		    ls.v[at + i]);
		snprintf(pfn, sizeof(pfn), "%lx", (unsigned long)PM_PFN(e));
		require(strtoul(f[0], NULL, 16) == addr &&
		    strcmp(f[5], i < ANON_WRITTEN ? "1" : "0") == 0 &&
		    strcmp(f[1], i < ANON_WRITTEN ? pfn : "0") == 0,
		    "%s: page %d of the anonymous memory, %s written: '%s' "
		    "(pfn %s)", what, i, i < ANON_WRITTEN ? "" : "not",
		    ls.v[at + i], pfn);
		free(copy);
	}
	at = row_of(&ls, fx.l[0].file);
	require(at > 0, "%s: no row for the file at %lx", what,
	    (unsigned long)fx.l[0].file);
	copy = xstrdup(ls.v[at]);
	require(split(copy, ' ', f, 7) == 7 && strcmp(f[6], fx.file) == 0 &&
	    strcmp(f[3], "1") == 0 && strcmp(f[5], "1") == 0,
	    "%s: the file's first page is not a present file page named "
	    "'%s': '%s'", what, fx.file, ls.v[at]);
	free(copy);
	lines_free(&ls);
}

/* A dump of the whole process, maybe cut by head. */
static void
check_whole_dump(const struct run *r)
{
	check_child_dump("the dump", r->out, r->head);
}

/* pagemap-dump PID > FILE: the file holds the whole dump. */
static void
check_dump_to_file(const struct run *r)
{
	const char *gt = strstr(r->pc->text, "> ");
	char path[256], *text;

	require(gt != NULL && strcspn(gt + 2, " \n") < 64,
	    "no '> FILE' in the command");
	snprintf(path, sizeof(path), "%s/%.*s", r->dir,
	    (int)strcspn(gt + 2, " \n"), gt + 2);
	text = read_path(path);
	require(text != NULL, "%s was not written", path);
	require(r->out[0] == '\0', "output on stdout besides %s", path);
	check_child_dump(path, text, false);
	free(text);
}

/* sleep: the first child writes a late page, as if time had passed. */
static void
check_sleep(const struct run *r)
{
	require(r->out[0] == '\0', "sleep printed something");
	fx.touched = touch_late_page();
}

/* diff before after: the page written meanwhile is the change shown. */
static void
check_diff(const struct run *r)
{
	struct lines ls;
	char old[32], new[32], *copy, *f[7];
	int i, seen = 0;
	uint64_t e;

	require(fx.touched != 0, "the diff has nothing to show: no sleep "
	    "before it let the child change");
	e = pagemap_entry(fx.pid[0], fx.touched);
	snprintf(old, sizeof(old), "< %lx ", (unsigned long)fx.touched);
	snprintf(new, sizeof(new), "> %lx ", (unsigned long)fx.touched);
	lines_split(&ls, r->out);
	for (i = 0; i < ls.n; i++) {
		bool before = starts_with(ls.v[i], old);

		if (!before && !starts_with(ls.v[i], new))
			continue;
		copy = xstrdup(ls.v[i] + 2);
		require(split(copy, ' ', f, 7) == 6,
		    "a row of the diff that is not one of an anonymous page: "
		    "'%s'", ls.v[i]);
		require(before ? strcmp(f[1], "0") == 0 &&
		    strcmp(f[5], "0") == 0 :
		    strtoull(f[1], NULL, 16) == PM_PFN(e) &&
		    strcmp(f[5], "1") == 0,
		    "the page written between the dumps shows as '%s'",
		    ls.v[i]);
		seen |= before ? 1 : 2;
		free(copy);
	}
	require(seen == 3, "the diff does not show the page %lx, written "
	    "between the dumps, as absent then present",
	    (unsigned long)fx.touched);
	lines_free(&ls);
}

/* -a ADDR -o addr,pfn,paddr: the header and the page, from pagemap. */
static void
check_lookup(const struct run *r)
{
	struct lines ls;
	char want[96];
	uint64_t e = pagemap_entry(fx.pid[0], fx.addr);
	unsigned long pfn = (unsigned long)PM_PFN(e);
	uintptr_t pageof = fx.addr / (uintptr_t)fx.page * (uintptr_t)fx.page;

	require(PM_PRESENT(e), "the page of the address is not present");
	snprintf(want, sizeof(want), "%lx %lx %lx", (unsigned long)pageof,
	    pfn, pfn * (unsigned long)fx.page + (unsigned long)(fx.addr -
	    pageof));
	lines_split(&ls, r->out);
	require(ls.n == 2 && strcmp(ls.v[0], "addr pfn paddr") == 0 &&
	    strcmp(ls.v[1], want) == 0,
	    "want the header 'addr pfn paddr' and the row '%s'", want);
	require(!fx.root || pfn != 0, "the pfn is 0 as root");
	lines_free(&ls);
}

/* awk counting the present pages: what -P finds, at least the written. */
static void
check_count(const struct run *r)
{
	int present = present_pages(0);

	char *copy = xstrdup(r->out);

	copy[strcspn(copy, "\n")] = '\0';
	require(is_decimal(copy) && count_lines(r->out) == 1,
	    "not one number");
	free(copy);
	require(atoi(r->out) == present && present >= ANON_WRITTEN +
	    FILE_PAGES, "%d present pages counted, %d found by -P (the "
	    "child wrote or read %d)", atoi(r->out), present,
	    ANON_WRITTEN + FILE_PAGES);
}

/* grep [heap] | cut: address and pfn of every page of the heap. */
static void
check_heap_cut(const struct run *r)
{
	struct lines ls;
	uintptr_t start, end, a;
	char *copy, *f[3];
	long pages;
	int i;

	pages = heap_of(fx.pid[0], &start, &end);
	lines_split(&ls, r->out);
	require(ls.n == pages, "%d lines for the %ld pages of [heap]", ls.n,
	    pages);
	for (i = 0; i < ls.n; i++) {
		copy = xstrdup(ls.v[i]);
		a = strtoul(copy, NULL, 16);
		require(split(copy, ' ', f, 3) == 2 && is_hex(f[0]) &&
		    is_hex(f[1]) && a >= start && a < end &&
		    (i == 0 || a > strtoul(ls.v[i - 1], NULL, 16)),
		    "line %d is not 'addr pfn' of a page of the heap, in "
		    "order", i + 1);
		free(copy);
	}
	for (a = fx.l[0].heap / (uintptr_t)fx.page * (uintptr_t)fx.page;
	    a < fx.l[0].heap + HEAP_BYTES; a += (uintptr_t)fx.page) {
		uint64_t e = pagemap_entry(fx.pid[0], a);
		char want[64];

		snprintf(want, sizeof(want), "%lx %lx", (unsigned long)a,
		    (unsigned long)PM_PFN(e));
		for (i = 0; i < ls.n; i++)
			if (strcmp(ls.v[i], want) == 0)
				break;
		require(i < ls.n && (!fx.root || PM_PFN(e) != 0),
		    "the written heap page %lx: no line '%s'",
		    (unsigned long)a, want);
	}
	lines_free(&ls);
}

/* grep libc | awk '$6 == 1': the present pages of the C library. */
static void
check_libc(const struct run *r)
{
	struct lines ls;
	struct vma *v;
	char *copy, *f[7];
	int i, n = read_maps(fx.pid[0], &v), present = 0, maps = 0;

	for (i = 0; i < n; i++) {
		size_t pages = (v[i].end - v[i].start) / (uintptr_t)fx.page, j;
		uint64_t *e;

		if (!ends_with(v[i].name, "/libc.so.6"))
			continue;
		maps++;
		e = calloc(pages, sizeof(*e));
		assert_non_null(e);
		pagemap_read(fx.pid[0], v[i].start, e, pages);
		for (j = 0; j < pages; j++)
			present += (int)PM_PRESENT(e[j]);
		free(e);
	}
	free(v);
	if (maps == 0)
		e2e_skip("the child maps no libc.so.6 (not glibc?)");
	lines_split(&ls, r->out);
	require(ls.n == present && present > 0,
	    "%d lines for the %d present pages of libc.so.6", ls.n, present);
	for (i = 0; i < ls.n; i++) {
		check_page_row(ls.v[i]);
		copy = xstrdup(ls.v[i]);
		require(split(copy, ' ', f, 7) == 7 && strcmp(f[5], "1") == 0 &&
		    ends_with(f[6], "/libc.so.6"),
		    "not a present page of libc.so.6: '%s'", ls.v[i]);
		free(copy);
	}
	lines_free(&ls);
}

/* A sum per mapping name. */
struct sum {
	char *name;
	long kib;
	bool seen;
};

/*
 * The resident KiB per mapping name of the first child, from the
 * summary in TSV, whose columns are found by their header names.
 */
static int
library_sums(struct sum *sums, int max)
{
	const char *const args[] = { "-s", "-f", "tsv", fx.arg[0], NULL };
	char *out = tool_output(args), *f[64];
	struct lines ls;
	int i, j, n, nsums = 0, kib_at, name_at;

	lines_split(&ls, out);
	free(out);
	assert_true(ls.n > 1);
	n = split(ls.v[0], '\t', f, 64);
	kib_at = field_index(f, n, "rss-kib");
	name_at = field_index(f, n, "library");
	assert_true(kib_at >= 0 && name_at >= 0);
	for (i = 1; i < ls.n; i++) {
		int m = split(ls.v[i], '\t', f, 64);

		assert_int_equal(m, n);
		if (f[name_at][0] == '\0')
			continue;	/* anonymous, or the total */
		for (j = 0; j < nsums; j++)
			if (strcmp(sums[j].name, f[name_at]) == 0)
				break;
		if (j == nsums) {
			assert_true(nsums < max);
			sums[nsums].name = xstrdup(f[name_at]);
			sums[nsums].kib = 0;
			sums[nsums].seen = false;
			nsums++;
		}
		sums[j].kib += strtol(f[kib_at], NULL, 10);
	}
	lines_free(&ls);
	return nsums;
}

/* The summary through awk: the resident KiB of each library, sorted. */
static void
check_library_sums(const struct run *r)
{
	struct sum sums[256];
	struct lines ls;
	long last = -1;
	int i, j, nsums = library_sums(sums, 256);
	bool file = false, heap = false;

	lines_split(&ls, r->out);
	require(ls.n > 0, "no output");
	for (i = 0; i < ls.n; i++) {
		char *sp = strchr(ls.v[i], ' ');
		long kib;

		require(sp != NULL && sp > ls.v[i], "not 'KiB name': '%s'",
		    ls.v[i]);
		*sp = '\0';
		require(is_decimal(ls.v[i]), "not a number of KiB: '%s'",
		    ls.v[i]);
		kib = atol(ls.v[i]);
		for (j = 0; j < nsums; j++)
			if (strcmp(sums[j].name, sp + 1) == 0)
				break;
		require(j < nsums, "'%s' is not the name of a mapping of the "
		    "child", sp + 1);
		require(!sums[j].seen, "'%s' is listed twice", sp + 1);
		require(kib == sums[j].kib, "%ld KiB for '%s', whose mappings "
		    "hold %ld KiB", kib, sp + 1, sums[j].kib);
		sums[j].seen = true;
		require(strstr(r->cmd->text, "sort -rn") == NULL || last < 0 ||
		    kib <= last, "not sorted by size: %ld after %ld", kib,
		    last);
		last = kib;
		file = file || (strcmp(sp + 1, fx.file) == 0 &&
		    kib == FILE_PAGES * fx.page / 1024);
		heap = heap || (strcmp(sp + 1, "[heap]") == 0 && kib > 0);
	}
	require(r->head ? ls.n <= 10 : ls.n == nsums,
	    "%d lines for the %d names of the child's mappings", ls.n, nsums);
	require(file, "no line '%ld %s' for the file the child read",
	    FILE_PAGES * fx.page / 1024, fx.file);
	require(heap, "no line for the child's [heap]");
	for (i = 0; i < nsums; i++)
		free(sums[i].name);
	lines_free(&ls);
}

/* -S -f json | jq: the swapped pages, with their swap offsets. */
static void
check_swapped(const struct run *r)
{
	struct lines ls;
	uint64_t e[SWAP_PAGES];
	char *copy, *f[4];
	int i, j, swapped = 0;

	lines_split(&ls, r->out);
	for (i = 0; i < ls.n; i++) {
		copy = xstrdup(ls.v[i]);
		require(split(copy, '\t', f, 4) == 3 && starts_with(f[0], "0x")
		    && is_hex(f[0] + 2) && starts_with(f[1], "0x") &&
		    is_hex(f[1] + 2),
		    "not 'address<TAB>swap offset<TAB>name': '%s'", ls.v[i]);
		free(copy);
	}
	if (!e2e_swap_exists()) {
		require(ls.n == 0, "swapped pages listed without swap");
		lines_free(&ls);
		e2e_skip("no swap area: the example ran and rightly listed "
		    "nothing, so its output was not checked");
	}
	pagemap_read(fx.pid[0], fx.l[0].swap, e, SWAP_PAGES);
	for (i = 0; i < SWAP_PAGES; i++) {
		char want[96];

		if (!PM_SWAPPED(e[i]))
			continue;
		swapped++;
		snprintf(want, sizeof(want), "0x%lx\t0x%lx\t",
		    (unsigned long)(fx.l[0].swap + (uintptr_t)i *
		    (uintptr_t)fx.page), (unsigned long)PM_SWAP_OFFSET(e[i]));
		for (j = 0; j < ls.n; j++)
			if (strcmp(ls.v[j], want) == 0)
				break;
		require(j < ls.n, "no line '%s' for a paged-out page", want);
	}
	lines_free(&ls);
	if (swapped == 0)
		e2e_skip("MADV_PAGEOUT left no page of the child in swap");
}

/* -m '[heap]' -o addr,pfn,mapcount,kflags: the written heap pages. */
static void
check_heap_kflags(const struct run *r)
{
	struct lines ls;
	uintptr_t start, end, a;
	char *copy, *f[8];
	long pages = heap_of(fx.pid[0], &start, &end);
	int i, n, pfn_at, count_at, flags_at;

	lines_split(&ls, r->out);
	require(ls.n == 1 + pages, "%d lines: not the header and the %ld "
	    "pages of [heap]", ls.n, pages);
	copy = xstrdup(ls.v[0]);
	n = split(copy, ' ', f, 8);
	require(strcmp(f[0], "addr") == 0, "the header: '%s'", ls.v[0]);
	pfn_at = field_index(f, n, "pfn");
	count_at = field_index(f, n, "mapcount");
	flags_at = field_index(f, n, "kflags");
	require(pfn_at > 0 && count_at > 0 && flags_at > 0,
	    "no pfn, mapcount or kflags in the header '%s'", ls.v[0]);
	free(copy);
	for (a = fx.l[0].heap / (uintptr_t)fx.page * (uintptr_t)fx.page;
	    a < fx.l[0].heap + HEAP_BYTES; a += (uintptr_t)fx.page) {
		uint64_t e = pagemap_entry(fx.pid[0], a);
		char flags[512];

		i = row_of(&ls, a);
		require(i > 0, "no row for the written heap page %lx",
		    (unsigned long)a);
		copy = xstrdup(ls.v[i]);
		require(split(copy, ' ', f, 8) == n &&
		    strtoull(f[pfn_at], NULL, 16) == PM_PFN(e) &&
		    PM_PFN(e) != 0 && strcmp(f[count_at], "1") == 0,
		    "the heap page %lx, written by the child alone: '%s'",
		    (unsigned long)a, ls.v[i]);
		snprintf(flags, sizeof(flags), ",%s,", f[flags_at]);
		require(strstr(flags, ",anon,") != NULL,
		    "the heap page %lx is not anon: '%s'", (unsigned long)a,
		    ls.v[i]);
		free(copy);
	}
	lines_free(&ls);
}

/* The summary's header, as the tool prints it for the first child. */
static char *
summary_header(void)
{
	const char *const args[] = { "-s", fx.arg[0], NULL };
	char *out = tool_output(args);

	out[strcspn(out, "\n")] = '\0';
	return out;
}

/* -k thp -s: the summary of the pages in transparent huge pages. */
static void
check_thp_summary(const struct run *r)
{
	struct lines ls;
	char *header = summary_header(), *copy, *f[32], want[32];
	long thp_kb = smaps_kb(fx.pid[0], fx.l[0].thp, "AnonHugePages:");
	int i, n, pages_at, present_at;
	bool seen = false;

	lines_split(&ls, r->out);
	require(ls.n >= 2 && strcmp(ls.v[0], header) == 0 &&
	    starts_with(ls.v[ls.n - 1], "total "),
	    "not the summary's header '%s', rows and a total", header);
	copy = xstrdup(header);
	n = split(copy, ' ', f, 32);
	pages_at = field_index(f, n, "pages");
	present_at = field_index(f, n, "present");
	free(copy);
	require(pages_at > 0 && present_at > 0, "no pages or present column");
	snprintf(want, sizeof(want), "%lx ", (unsigned long)fx.l[0].thp);
	for (i = 1; i < ls.n; i++) {
		copy = xstrdup(ls.v[i]);
		require(split(copy, ' ', f, 32) >= present_at + 1 &&
		    strcmp(f[pages_at], f[present_at]) == 0 &&
		    is_decimal(f[pages_at]),
		    "a row whose pages are not all present: '%s'", ls.v[i]);
		if (starts_with(ls.v[i], want))
			seen = strtol(f[present_at], NULL, 10) * fx.page /
			    1024 >= thp_kb;
		free(copy);
	}
	require(thp_kb <= 0 || seen, "the child's %ld KiB of huge pages at "
	    "%lx are not in the summary", thp_kb,
	    (unsigned long)fx.l[0].thp);
	free(header);
	lines_free(&ls);
}

/* -P -f csv PID1 PID2 > pages.csv: both children's present pages. */
static void
check_csv(const struct run *r)
{
	struct lines ls;
	char path[128], *text, *f[32];
	int i, n, present_at, rows[2] = { 0, 0 }, last = 0;

	snprintf(path, sizeof(path), "%s/pages.csv", r->dir);
	text = read_path(path);
	require(text != NULL, "%s was not written", path);
	lines_split(&ls, text);
	free(text);
	require(ls.n > 1 && starts_with(ls.v[0], "pid,addr,pfn,"),
	    "pages.csv does not start with a header 'pid,addr,pfn,...'");
	n = split(ls.v[0], ',', f, 32);
	present_at = field_index(f, n, "present");
	require(present_at > 0, "no present column in pages.csv");
	for (i = 1; i < ls.n; i++) {
		char *line = xstrdup(ls.v[i]);
		int who;

		require(split(line, ',', f, n) == n, "pages.csv, line %d: '%s'",
		    i + 1, ls.v[i]);
		who = strcmp(f[0], fx.arg[0]) == 0 ? 0 :
		    strcmp(f[0], fx.arg[1]) == 0 ? 1 : -1;
		require(who >= last && strcmp(f[present_at], "1") == 0,
		    "pages.csv, line %d: not a present page of the children, "
		    "in order: '%s'", i + 1, ls.v[i]);
		last = who;
		rows[who]++;
		free(line);
	}
	for (i = 0; i < 2; i++)
		require(rows[i] == present_pages(i) && rows[i] > 0,
		    "pages.csv has %d rows for child %d, which has %d present "
		    "pages", rows[i], i + 1, present_pages(i));
	lines_free(&ls);
}

/*
 * The recipes, the first match wins: the more particular ones first, and
 * the catch-all "make" last.
 */
static const struct recipe recipes[] = {
	{ .what = "the test suite", .need = { "make deps check" },
	    .not_run = "it runs this suite, which runs this test again; "
	    ".ci/run runs it last" },
	{ .what = "installing", .need = { "make install" },
	    .not_run = "it installs into the system" },
	{ .what = "uninstalling", .need = { "make uninstall" },
	    .not_run = "it removes the installed files" },
	{ .what = "the virtual-to-physical lookup",
	    .need = { "-a " PLACEHOLDER_ADDR, "paddr" },
	    .check = check_lookup },
	{ .what = "resident KiB per library", .need = { "-s", "awk", "kib" },
	    .check = check_library_sums },
	{ .what = "swapped pages through jq", .need = { "-S", "jq" },
	    .check = check_swapped },
	{ .what = "page flags of the heap", .need = { "[heap]", "kflags" },
	    .check = check_heap_kflags },
	{ .what = "the summary of huge pages", .need = { "-k thp", "-s" },
	    .check = check_thp_summary },
	{ .what = "two processes as CSV", .need = { "-f csv",
	    PLACEHOLDER_PID1 " " PLACEHOLDER_PID2, "> pages.csv" },
	    .check = check_csv },
	{ .what = "the count of present pages",
	    .need = { "awk", "$6 == 1", "print n" }, .check = check_count },
	{ .what = "present pages of libc", .need = { "libc", "awk", "$6 == 1" },
	    .check = check_libc },
	{ .what = "address and pfn of the heap", .need = { "[heap", "cut" },
	    .check = check_heap_cut },
	{ .what = "a dump to a file",
	    .need = { "pagemap-dump " PLACEHOLDER_PID1 " > " },
	    .check = check_dump_to_file },
	{ .what = "the wait between two dumps", .need = { "sleep " },
	    .run_as = "sleep 0", .check = check_sleep },
	{ .what = "the difference of two dumps",
	    .need = { "diff before.txt after.txt" }, .exit_status = 1,
	    .may_fail = "diff 1", .check = check_diff },
	{ .what = "a dump of a whole process", .need = { "pagemap-dump $$" },
	    .check = check_whole_dump },
	{ .what = "building", .need = { "make" },
	    .not_run = "it builds the tool, which is built already" },
};

static const struct recipe *
recipe_for(const char *text)
{
	size_t i, j;

	for (i = 0; i < sizeof(recipes) / sizeof(recipes[0]); i++) {
		for (j = 0; j < 4 && recipes[i].need[j] != NULL; j++)
			if (strstr(text, recipes[i].need[j]) == NULL)
				break;
		if (j == 4 || recipes[i].need[j] == NULL)
			return &recipes[i];
	}
	return NULL;
}

/*
 * Whether a row of out has the form of a row that the document shows:
 * the same number of fields, hexadecimal where the shown one is and text
 * where it is not; a last field of text (a name) may hold spaces, so
 * there it takes the rest of the line.
 */
static bool
row_has_form(const char *shown, const char *row)
{
	char *s = xstrdup(shown), *o = xstrdup(row), *sf[64], *of[64];
	int ns = split(s, ' ', sf, 64), no, i;
	bool named = ns > 1 && !is_hex(sf[ns - 1]), ok;

	no = split(o, ' ', of, named ? ns : 64);
	ok = no == ns;
	for (i = 0; ok && i < ns; i++) {
		if (named && i == ns - 1)
			ok = of[i][0] != '\0';
		else
			ok = is_hex(sf[i]) == is_hex(of[i]) && of[i][0] != '\0';
	}
	free(s);
	free(o);
	return ok;
}

/*
 * Checks that the output has the shape of the one the document shows
 * after the command: the same header; every row of the form of a row
 * shown, and every row shown of the form of one printed; and when the
 * document does not cut it ("..."), as many rows.
 */
static void
check_shown_shape(const struct run *r)
{
	struct lines shown, out;
	int i, j, rows = 0;
	bool cut = false;

	lines_split(&shown, r->cmd->shown);
	lines_split(&out, r->out);
	require(out.n > 0 && strcmp(out.v[0], shown.v[0]) == 0,
	    "the first line is not '%s', as the document shows",
	    shown.v[0]);
	for (j = 1; j < shown.n; j++) {
		if (strcmp(shown.v[j], "...") == 0)
			cut = true;
		else if (shown.v[j][0] != '\0')
			rows++;
	}
	require(cut || out.n - 1 == rows, "%d rows where the document shows "
	    "%d", out.n - 1, rows);
	for (i = 1; i < out.n; i++) {
		bool ok = false;

		for (j = 1; !ok && j < shown.n; j++)
			ok = strcmp(shown.v[j], "...") != 0 &&
			    shown.v[j][0] != '\0' &&
			    row_has_form(shown.v[j], out.v[i]);
		require(ok, "line %d is of no form the document shows: '%s'",
		    i + 1, out.v[i]);
	}
	for (j = 1; j < shown.n; j++) {
		bool ok = strcmp(shown.v[j], "...") == 0 ||
		    shown.v[j][0] == '\0';

		for (i = 1; !ok && i < out.n; i++)
			ok = row_has_form(shown.v[j], out.v[i]);
		require(ok, "no line printed has the form of the line '%s' "
		    "that the document shows", shown.v[j]);
	}
	lines_free(&shown);
	lines_free(&out);
}

/* Checks the statuses of a run: of sh, and of each program in it. */
static void
check_statuses(const struct run *r, const struct recipe *rc)
{
	struct lines ls;
	int i, code = WIFEXITED(r->status) ? WEXITSTATUS(r->status) : -1;

	require(code == rc->exit_status, "exit status %d, not %d", code,
	    rc->exit_status);
	lines_split(&ls, r->failures);
	for (i = 0; i < ls.n; i++) {
		const char *sp = strrchr(ls.v[i], ' ');
		bool ok = rc->may_fail != NULL &&
		    strcmp(ls.v[i], rc->may_fail) == 0;

		/* SIGPIPE, when head has read what it wants. */
		ok = ok || (r->head && sp != NULL &&
		    strcmp(sp + 1, "141") == 0 && !starts_with(ls.v[i], "head "));
		require(ok, "a program of the pipeline failed: '%s' "
		    "(program, status)", ls.v[i]);
	}
	lines_free(&ls);
	require(!fx.root || r->err[0] == '\0', "stderr as root: %s", r->err);
}

/* ---- the tests -------------------------------------------------------- */

static void
should_find_the_examples_of_both_documents(void **state)
{
	int i, readme_quick = 0, readme_usage = 0, man = 0;

	(void)state;
	if (problems.len > 0)
		fail_msg("examples this test cannot read:\n%s",
		    buf_str(&problems));
	for (i = 0; i < nexamples; i++) {
		if (strcmp(examples[i].doc, MANPAGE) == 0)
			man++;
		else if (strcmp(examples[i].section, "Quick start") == 0)
			readme_quick++;
		else if (strcmp(examples[i].section, "Usage") == 0)
			readme_usage++;
	}
	if (readme_quick == 0 || readme_usage == 0 || man == 0)
		fail_msg("examples found: %d in README.md's Quick start, %d in "
		    "its Usage, %d in the manual's EXAMPLES: none in one of "
		    "them means this test no longer reads them", readme_quick,
		    readme_usage, man);
	print_message("%d examples: %d in README.md's Quick start, %d in its "
	    "Usage, %d in the manual\n", nexamples, readme_quick,
	    readme_usage, man);
}

static void
run_example(void **state)
{
	const struct example *ex = *state;
	const struct recipe *rc[MAX_CMDS];
	struct prepared pc[MAX_CMDS];
	struct buf why = { 0 };
	char dir[96];
	int i, j, to_run = 0;

	cur = NULL;
	fx.touched = 0;
	for (i = 0; i < ex->ncmd; i++) {
		rc[i] = recipe_for(ex->cmd[i].text);
		if (rc[i] == NULL)
			fail_msg("%s:%d: no recipe knows how to run and check "
			    "this example; add one to tests/test_examples.c:\n"
			    "%s", ex->doc, ex->cmd[i].line, ex->cmd[i].text);
	}
	for (i = 0; i < ex->ncmd; i++) {
		prepare(&pc[i], rc[i]->run_as != NULL ? rc[i]->run_as :
		    ex->cmd[i].text);
		if (rc[i]->not_run != NULL) {
			char what[128];

			summary_of(what, sizeof(what), ex->cmd[i].text);
			buf_printf(&why, "%snot run: '%s': %s",
			    why.len > 0 ? "; " : "", what, rc[i]->not_run);
			continue;
		}
		to_run++;
		if (pc[i].sudo && !fx.root)
			e2e_skip("needs root (sudo): run the tests as root");
		for (j = 0; j < pc[i].nnames; j++)
			if (strcmp(pc[i].names[j], TOOL_FUNCTION) != 0 &&
			    !is_builtin(pc[i].names[j]) &&
			    !installed(pc[i].names[j])) {
				char msg[128];

				snprintf(msg, sizeof(msg), "%s is not installed",
				    pc[i].names[j]);
				e2e_skip(msg);
			}
	}
	if (to_run == 0)
		e2e_skip(buf_str(&why));
	if (why.len > 0) {
		printf("[  NOTE    ] %s\n", buf_str(&why));
		fflush(stdout);
	}
	/* One directory for the commands of the example, new. */
	snprintf(dir, sizeof(dir), "%s/example-%d", fx.dir, ++fx.workdirs);
	if (mkdir(dir, 0755) != 0)
		fail_msg("mkdir %s: %s", dir, strerror(errno));
	for (i = 0; i < ex->ncmd; i++) {
		struct run r;

		if (rc[i]->not_run != NULL)
			continue;
		memset(&r, 0, sizeof(r));
		r.ex = ex;
		r.cmd = &ex->cmd[i];
		r.pc = &pc[i];
		r.rc = rc[i];
		for (j = 0; j < pc[i].nnames; j++)
			r.head = r.head || strcmp(pc[i].names[j], "head") == 0;
		snprintf(r.dir, sizeof(r.dir), "%s", dir);
		r.script = script_of(&pc[i]);
		sh_run(&r);
		cur = &r;
		check_statuses(&r, rc[i]);
		if (r.cmd->shown != NULL)
			check_shown_shape(&r);
		rc[i]->check(&r);
		cur = NULL;
		free(r.script);
		free(r.out);
		free(r.err);
		free(r.failures);
	}
	for (i = 0; i < ex->ncmd; i++)
		free(pc[i].text);
	free(why.s);
}

int
main(void)
{
	struct CMUnitTest *tests;
	char *readme = read_path(README), *man = read_path(MANPAGE);
	int i, n;

	if (readme == NULL || man == NULL) {
		fprintf(stderr, "test_examples: %s and %s not found (run from "
		    "the top of the repository)\n", README, MANPAGE);
		return 1;
	}
	if (realpath(e2e_tool(), fx.tool) == NULL ||
	    access(fx.tool, X_OK) != 0) {
		fprintf(stderr, "test_examples: %s not built (run make)\n",
		    e2e_tool());
		return 1;
	}
	if (strchr(fx.tool, '\'') != NULL) {
		fprintf(stderr, "test_examples: a quote in %s\n", fx.tool);
		return 1;
	}
	fx.page = sysconf(_SC_PAGESIZE);
	fx.hpage = huge_page_size();
	fx.root = geteuid() == 0;
	parse_readme(readme);
	parse_man(man);
	free(readme);
	free(man);

	tests = calloc((size_t)nexamples + 1, sizeof(*tests));
	if (tests == NULL)
		return 1;
	tests[0].name = "should_find_the_examples_of_both_documents";
	tests[0].test_func = should_find_the_examples_of_both_documents;
	for (i = n = 0; i < nexamples; i++) {
		struct example *ex = &examples[i];
		char first[160];

		if (ex->ncmd == 0)
			continue;	/* a problem the first test reports */
		summary_of(first, sizeof(first), ex->cmd[0].text);
		snprintf(ex->name, sizeof(ex->name), "%s:%d: %s%s", ex->doc,
		    ex->line, first, ex->ncmd > 1 &&
		    !ends_with(first, " ...") ? " ..." : "");
		n++;
		tests[n].name = ex->name;
		tests[n].test_func = run_example;
		tests[n].initial_state = ex;
	}
	i = _cmocka_run_group_tests("test_examples", tests, (size_t)n + 1,
	    start_children, stop_children);
	free(tests);
	return i;
}
