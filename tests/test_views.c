/*
 * End-to-end tests of the views: which columns (-o), in which format (-f,
 * -H), of which pages (-r, -m, -a, -P, -S), page by page or summed per
 * mapping (-s), of one process or several.
 *
 * A forked child holds a known address space and tells us its addresses
 * through a pipe; the pagemap-dump binary runs on it with stdout and
 * stderr captured in memfds. What it prints is parsed back (CSV and JSON
 * Lines with the small parsers below, never grepped) and checked against
 * what the kernel tells us directly: the child's maps and pagemap.
 *
 * What the machine cannot show (no swap, not root) is skipped with the
 * reason printed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define PFN_MASK ((UINT64_C(1) << 55) - 1)

/* Every column, in the order the usage text lists them. */
#define ALL_COLUMNS "pid,addr,pfn,soft-dirty,file,swapped,present," \
	"exclusive,uffd-wp,guard,swap-type,swap-offset,paddr,perms,offset," \
	"dev,inode,name"
#define ALL_NCOLUMNS 18
#define DEFAULT_HEADER \
	"addr pfn soft-dirty file/shared swapped present library\n"

/* The long name: this many directories of 250 bytes 0xff each. */
#define LONG_LEVELS 14

static const char *tool = "./pagemap-dump";
static long page;

static const char *const all_columns[ALL_NCOLUMNS] = {
	"pid", "addr", "pfn", "soft-dirty", "file", "swapped", "present",
	"exclusive", "uffd-wp", "guard", "swap-type", "swap-offset", "paddr",
	"perms", "offset", "dev", "inode", "name",
};

/* What a child tells its parent about its address space. */
struct layout {
	uintptr_t anon;		/* 8 private pages, 0, 2 and 5 written */
	uintptr_t file;		/* 4 pages of a plain file, 0 read */
	uintptr_t hostile;	/* 2 pages of the hostile file, page 0 read */
	uintptr_t shared;	/* 4 shared anonymous pages, 0 and 1 written */
	uintptr_t swapped;	/* 4 written pages, paged out when asked */
	uintptr_t longname;	/* 4 pages of the long-named file, or 0 */
	int swapped_ok;		/* MADV_PAGEOUT returned 0 */
	/*
	 * The names of the file mappings as maps shows them. The child
	 * removes each file as soon as it has mapped it, so that nothing is
	 * left behind however it ends; the kernel then adds " (deleted)".
	 */
	char name[280];		/* /tmp/pmd-views-PID-plain (deleted) */
	char hostile_name[280];	/* tab, comma, quote, ESC and 0xff */
	char long_name[4200];	/* LONG_LEVELS directories deep, or "" */
};

struct child {
	pid_t pid;
	char arg[16];		/* the pid as an argument */
	int hold;		/* write end: the child lives until closed */
	struct layout layout;
};

struct result {
	int status;		/* as from waitpid */
	char *out;
	char *err;
};

/* A growing string. */
struct sb {
	char *s;
	size_t len, cap;
};

/* Fields of one parsed line; each is NUL-terminated, with its length. */
#define FIELDS_MAX 80
struct rec {
	size_t n;
	char *f[FIELDS_MAX];
	size_t len[FIELDS_MAX];
};

struct table {
	size_t n, cap;
	struct rec *r;
};

/* A flat JSON object. */
enum jtype { J_STRING, J_NUMBER, J_BOOL, J_NULL };

struct jmember {
	char *key;
	enum jtype type;
	char *s;		/* decoded string, or a number's text */
	size_t len;
	bool b;
};

struct jobject {
	size_t n;
	struct jmember m[FIELDS_MAX];
};

/* What the kernel says about one page. */
struct page_state {
	uint64_t raw, pfn, swap_offset;
	unsigned int swap_type;
	int soft_dirty, exclusive, file, swapped, present;
};

/* What the kernel says about one mapping. */
struct map_state {
	uint64_t start, end;
	char perms[8];
	char dev[16];
	unsigned long inode;
};

static void
die(const char *what)
{
	perror(what);
	_exit(99);
}

static void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (p == NULL)
		fail_msg("out of memory");
	return p;
}

static __attribute__((format(printf, 2, 3))) void
sb_printf(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = b->cap - b->len;
		va_start(ap, fmt);
		n = vsnprintf(b->s == NULL ? NULL : b->s + b->len, room, fmt,
		    ap);
		va_end(ap);
		if (n < 0)
			fail_msg("vsnprintf failed");
		if ((size_t)n < room)
			break;
		b->cap = (b->cap + (size_t)n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	b->len += (size_t)n;
}

static void
sb_add(struct sb *b, const char *s, size_t n)
{
	if (b->cap - b->len <= n) {
		b->cap = (b->cap + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/* The string so far ("" when nothing was added). */
static const char *
sb_str(struct sb *b)
{
	if (b->s == NULL)
		sb_add(b, "", 0);
	return b->s;
}

static void
sb_free(struct sb *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
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

/*
 * Maps pages of anonymous memory between two holes of one page, each held
 * in place by a PROT_NONE guard page beyond it: the kernel can neither
 * merge the pages with a neighbour nor put another mapping in the holes.
 */
static char *
map_isolated(size_t pages, int flags)
{
	size_t ps = (size_t)page;
	char *p = mmap(NULL, (pages + 4) * ps, PROT_NONE,
	    flags | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	if (munmap(p + ps, ps) != 0 || munmap(p + (pages + 2) * ps, ps) != 0)
		die("munmap");
	if (mprotect(p + 2 * ps, pages * ps, PROT_READ | PROT_WRITE) != 0)
		die("mprotect");
	return p + 2 * ps;
}

/*
 * Creates a file of pages zero pages, maps it, reads its first page and
 * removes it. Writes the name that maps shows for it to name.
 */
static uintptr_t
map_file(const char *path, size_t pages, char *name, size_t size)
{
	volatile char sink;
	char *buf, *m;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

	if (fd < 0)
		die("open file");
	buf = calloc(pages, (size_t)page);
	if (buf == NULL)
		die("calloc");
	write_all(fd, buf, pages * (size_t)page);
	free(buf);
	m = mmap(NULL, pages * (size_t)page, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		die("mmap file");
	close(fd);
	if (unlink(path) != 0)
		die("unlink");
	snprintf(name, size, "%s (deleted)", path);
	sink = m[0];
	(void)sink;
	return (uintptr_t)m;
}

/* Builds the long path, LONG_LEVELS directories of 0xff bytes deep. */
static void
make_long_path(char *path, size_t size)
{
	size_t len;
	int i;

	snprintf(path, size, "/tmp/pmd-views-%d-long", (int)getpid());
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		die("mkdir");
	for (i = 0; i < LONG_LEVELS; i++) {
		len = strlen(path);
		path[len++] = '/';
		memset(path + len, 0xff, 250);
		path[len + 250] = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST)
			die("mkdir");
	}
	strcat(path, "/f");
}

/* Removes the directories of the long path (its file is gone already). */
static void
remove_long_path(const char *long_path)
{
	char path[4096];
	char *slash;
	int i;

	snprintf(path, sizeof(path), "%s", long_path);
	for (i = 0; i <= LONG_LEVELS; i++) {
		slash = strrchr(path, '/');
		if (slash == NULL)
			break;
		*slash = '\0';
		if (rmdir(path) != 0)
			die("rmdir");
	}
}

/* In the child: builds the address space that the tests check. */
static void
build_layout(struct layout *l, bool pageout, bool long_name)
{
	char *anon, *shared, *sw;
	char path[4096];
	int i;

	anon = map_isolated(8, MAP_PRIVATE);
	madvise(anon, 8 * (size_t)page, MADV_NOHUGEPAGE);
	anon[0] = 1;
	anon[2 * page] = 1;
	anon[5 * page] = 1;
	l->anon = (uintptr_t)anon;

	snprintf(path, sizeof(path), "/tmp/pmd-views-%d-plain",
	    (int)getpid());
	l->file = map_file(path, 4, l->name, sizeof(l->name));
	snprintf(path, sizeof(path), "/tmp/pmd-views-%d-h\t,\"\033\xff-x",
	    (int)getpid());
	l->hostile = map_file(path, 2, l->hostile_name,
	    sizeof(l->hostile_name));
	if (long_name) {
		make_long_path(path, sizeof(path));
		l->longname = map_file(path, 4, l->long_name,
		    sizeof(l->long_name));
		remove_long_path(path);
	}

	shared = map_isolated(4, MAP_SHARED);
	shared[0] = 1;
	shared[page] = 1;
	l->shared = (uintptr_t)shared;

	sw = map_isolated(4, MAP_PRIVATE);
	madvise(sw, 4 * (size_t)page, MADV_NOHUGEPAGE);
	for (i = 0; i < 4; i++)
		sw[i * page] = (char)(i + 1);
	l->swapped = (uintptr_t)sw;
	if (pageout)
		l->swapped_ok = madvise(sw, 4 * (size_t)page,
		    MADV_PAGEOUT) == 0;
}

/*
 * The child's side: builds the layout, sends it, and lives until the hold
 * pipe closes. argv: --child INFO_FD HOLD_FD FLAGS (1 page out, 2 long).
 */
static int
child_main(char **argv)
{
	static struct layout l;
	int info = atoi(argv[2]), hold = atoi(argv[3]), flags = atoi(argv[4]);
	char byte;

	page = sysconf(_SC_PAGESIZE);
	build_layout(&l, flags & 1, flags & 2);
	write_all(info, &l, sizeof(l));
	close(info);
	while (read(hold, &byte, 1) > 0)
		;
	return 0;
}

/*
 * Forks a child with the test layout; it lives until child_end. The child
 * runs this program afresh (child_main): a forked copy of the test would
 * share copy-on-write pages with it, and their exclusive bits would
 * change whenever the test writes to its memory, between two dumps.
 */
static void
child_start(struct child *c, bool pageout, bool long_name)
{
	int info[2], hold[2];
	char a_info[16], a_hold[16], a_flags[16];

	memset(c, 0, sizeof(*c));
	/*
	 * Close-on-exec, so that no other process (another child, the tool)
	 * keeps a hold pipe open and a child alive past its child_end.
	 */
	if (pipe2(info, O_CLOEXEC) != 0 || pipe2(hold, O_CLOEXEC) != 0)
		fail_msg("pipe: %s", strerror(errno));
	fflush(NULL);
	c->pid = fork();
	if (c->pid < 0)
		fail_msg("fork: %s", strerror(errno));
	if (c->pid == 0) {
		if (fcntl(info[1], F_SETFD, 0) != 0 ||
		    fcntl(hold[0], F_SETFD, 0) != 0)
			die("fcntl");
		snprintf(a_info, sizeof(a_info), "%d", info[1]);
		snprintf(a_hold, sizeof(a_hold), "%d", hold[0]);
		snprintf(a_flags, sizeof(a_flags), "%d",
		    (pageout ? 1 : 0) | (long_name ? 2 : 0));
		execl("/proc/self/exe", "test_views", "--child", a_info,
		    a_hold, a_flags, (char *)NULL);
		die("exec /proc/self/exe");
	}
	close(info[1]);
	close(hold[0]);
	c->hold = hold[1];
	snprintf(c->arg, sizeof(c->arg), "%d", (int)c->pid);
	read_all(info[0], &c->layout, sizeof(c->layout));
	close(info[0]);
}

static void
child_end(struct child *c)
{
	if (c->pid <= 0)
		return;
	close(c->hold);
	waitpid(c->pid, NULL, 0);
	c->pid = 0;
}

/*
 * The children of a test, started by its setup and ended by its teardown,
 * which cmocka runs even when the test fails. A test of one child takes
 * *state as that child (the first member).
 */
struct children {
	struct child a;
	struct child b;		/* pid 0 when not started */
};

static int
setup_children(void **state, int n, bool pageout, bool long_name)
{
	struct children *k = calloc(1, sizeof(*k));

	if (k == NULL)
		return -1;
	*state = k;
	child_start(&k->a, pageout, long_name);
	if (n > 1)
		child_start(&k->b, false, false);
	return 0;
}

static int
setup_child(void **state)
{
	return setup_children(state, 1, false, false);
}

static int
setup_two_children(void **state)
{
	return setup_children(state, 2, false, false);
}

static int
setup_paged_out_child(void **state)
{
	return setup_children(state, 1, true, false);
}

static int
setup_long_named_child(void **state)
{
	return setup_children(state, 1, false, true);
}

static int
teardown_children(void **state)
{
	struct children *k = *state;

	if (k != NULL) {
		child_end(&k->b);
		child_end(&k->a);
		free(k);
	}
	return 0;
}

/* Reads all of fd (a memfd, rewound) into a NUL-terminated string. */
static char *
slurp(int fd)
{
	size_t cap = 65536, len = 0;
	char *buf = xrealloc(NULL, cap);
	ssize_t n;

	lseek(fd, 0, SEEK_SET);
	for (;;) {
		if (cap - len < 2)
			buf = xrealloc(buf, cap *= 2);
		n = read(fd, buf + len, cap - len - 1);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return buf;
}

/* Runs the tool with args (NULL-terminated), stdout and stderr captured. */
static void
run_args(struct result *r, const char *arg, ...)
{
	const char *argv[64];
	va_list ap;
	int out = memfd_create("out", MFD_CLOEXEC);
	int err = memfd_create("err", MFD_CLOEXEC), n = 0;
	pid_t pid;

	if (out < 0 || err < 0)
		fail_msg("memfd_create: %s", strerror(errno));
	argv[n++] = tool;
	va_start(ap, arg);
	for (; arg != NULL && n < 63; arg = va_arg(ap, const char *))
		argv[n++] = arg;
	va_end(ap);
	argv[n] = NULL;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		dup2(out, 1);
		dup2(err, 2);
		execv(tool, (char *const *)argv);
		die("execv");
	}
	waitpid(pid, &r->status, 0);
	r->out = slurp(out);
	r->err = slurp(err);
	close(out);
	close(err);
}

#define run(r, ...) run_args(r, __VA_ARGS__, (const char *)NULL)

/*
 * Runs the text dump of all columns over range, then the dump in format
 * fmt, then the text dump again, until the two text dumps agree: the
 * child's pages can change between two dumps (the exclusive bit of a
 * large folio, a PFN after compaction), and the formats are to be
 * compared on one state. Gives up after 5 tries (then they are compared
 * as they are, and differ).
 */
static void result_free(struct result *r);
static void table_free(struct table *t);

/*
 * Drops a pair of dumps that did not agree, to take them again: a page
 * can change state and back while the middle dump runs.
 */
#define RETRY(t1, t2, r1, r2)                                           \
	do {                                                            \
		table_free(t1);                                         \
		table_free(t2);                                         \
		result_free(r1);                                        \
		result_free(r2);                                        \
		*(t1) = (struct table){ 0, 0, NULL };                   \
		*(t2) = (struct table){ 0, 0, NULL };                   \
	} while (0)

static void
run_text_and(struct result *rt, struct result *rx, const char *fmt,
    const char *range, const char *arg)
{
	struct result again;
	int tries;

	for (tries = 0;; tries++) {
		run(rt, "-o", ALL_COLUMNS, "-r", range, arg);
		run(rx, "-f", fmt, "-o", ALL_COLUMNS, "-r", range, arg);
		run(&again, "-o", ALL_COLUMNS, "-r", range, arg);
		if (strcmp(rt->out, again.out) == 0 || tries == 4) {
			result_free(&again);
			return;
		}
		result_free(&again);
		result_free(rt);
		result_free(rx);
	}
}

/* The exit status, or minus the signal that killed the tool. */
static int
exit_code(const struct result *r)
{
	return WIFEXITED(r->status) ? WEXITSTATUS(r->status) :
	    -WTERMSIG(r->status);
}

static void
result_free(struct result *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
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

/* Fails unless the run exited 0, without a warning when PFNs show. */
static void
assert_ran_ok(const struct result *r)
{
	if (WIFSIGNALED(r->status))
		fail_msg("killed by signal %d (%s), stderr: %s",
		    WTERMSIG(r->status), strsignal(WTERMSIG(r->status)),
		    r->err);
	if (exit_code(r) != 0)
		fail_msg("exit %d, stderr: %s", exit_code(r), r->err);
	if (have_sys_admin() && r->err[0] != '\0')
		fail_msg("unexpected stderr: %s", r->err);
}

static void
skip_because(const char *why)
{
	printf("[  SKIP    ] %s\n", why);
	fflush(stdout);
	skip();
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

/* The kernel's pagemap entry of addr in process pid, decoded. */
static struct page_state
page_state(pid_t pid, uint64_t addr)
{
	struct page_state s;
	char path[64];
	uint64_t e = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		fail_msg("open %s: %s", path, strerror(errno));
	if (pread(fd, &e, 8, (off_t)(addr / (uint64_t)page * 8)) != 8)
		fail_msg("pread %s: %s", path, strerror(errno));
	close(fd);
	memset(&s, 0, sizeof(s));
	s.raw = e;
	s.present = (int)(e >> 63 & 1);
	s.swapped = (int)(e >> 62 & 1);
	s.file = (int)(e >> 61 & 1);
	s.exclusive = (int)(e >> 56 & 1);
	s.soft_dirty = (int)(e >> 55 & 1);
	s.pfn = s.present ? e & PFN_MASK : 0;
	if (s.swapped && !s.present) {
		s.swap_type = (unsigned int)(e & 31);
		s.swap_offset = (e & PFN_MASK) >> 5;
	}
	return s;
}

/* The kernel's maps line of the mapping that starts at start. */
static struct map_state
map_state(pid_t pid, uint64_t start)
{
	struct map_state m;
	char path[64], *line = NULL;
	size_t cap = 0;
	FILE *fp;
	bool found = false;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	fp = fopen(path, "r");
	if (fp == NULL)
		fail_msg("open %s: %s", path, strerror(errno));
	memset(&m, 0, sizeof(m));
	while (!found && getline(&line, &cap, fp) > 0)
		found = sscanf(line, "%" SCNx64 "-%" SCNx64 " %4s %*x %15s %lu",
		    &m.start, &m.end, m.perms, m.dev, &m.inode) == 5 &&
		    m.start == start;
	free(line);
	fclose(fp);
	if (!found)
		fail_msg("no mapping at %" PRIx64 " in %s", start, path);
	return m;
}

/*
 * Appends the default text row of the page at addr as the kernel sees it
 * now: addr pfn soft-dirty file swapped present [name], then tail. An
 * empty name ends the row; one followed by more columns (tail) is "-",
 * and its blanks are written as \040, so it stays one field.
 */
static void
add_default_row(struct sb *b, pid_t pid, uint64_t addr, const char *name,
    const char *tail)
{
	struct page_state s = page_state(pid, addr);

	sb_printf(b, "%" PRIx64 " %" PRIx64 " %d %d %d %d", addr, s.pfn,
	    s.soft_dirty, s.file, s.swapped, s.present);
	if (*tail == '\0') {
		sb_printf(b, "%s%s\n", *name != '\0' ? " " : "", name);
		return;
	}
	sb_add(b, " ", 1);
	if (*name == '\0')
		sb_add(b, "-", 1);
	for (; *name != '\0'; name++) {
		if (*name == ' ')
			sb_add(b, "\\040", 4);
		else
			sb_add(b, name, 1);
	}
	sb_printf(b, "%s\n", tail);
}

/* The hostile file name as the text format must show it. */
static void
hostile_text(const struct child *c, char *buf, size_t size)
{
	snprintf(buf, size,
	    "/tmp/pmd-views-%d-h\\011,\"\\033\\377-x (deleted)", (int)c->pid);
}

/*
 * The text form of a name, written here independently of the tool for the
 * names the child maps (ASCII, but for bytes that are not UTF-8):
 * printable ASCII as it is, every other byte as a backslash and three
 * octal digits.
 */
static void
text_escape(struct sb *b, const char *s, size_t n)
{
	size_t i;

	sb_add(b, "", 0);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f)
			sb_add(b, (const char *)&c, 1);
		else
			sb_printf(b, "\\%03o", c);
	}
}

static void
rec_add(struct rec *r, const char *s, size_t n)
{
	if (r->n == FIELDS_MAX)
		fail_msg("more than %d fields", FIELDS_MAX);
	r->f[r->n] = xrealloc(NULL, n + 1);
	memcpy(r->f[r->n], s, n);
	r->f[r->n][n] = '\0';
	r->len[r->n++] = n;
}

static struct rec *
table_new_rec(struct table *t)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->r = xrealloc(t->r, t->cap * sizeof(*t->r));
	}
	memset(&t->r[t->n], 0, sizeof(t->r[0]));
	return &t->r[t->n++];
}

static void
table_free(struct table *t)
{
	size_t i, j;

	for (i = 0; i < t->n; i++)
		for (j = 0; j < t->r[i].n; j++)
			free(t->r[i].f[j]);
	free(t->r);
	memset(t, 0, sizeof(*t));
}

/* Fails unless s is empty or ends with a newline. */
static void
assert_whole_lines(const char *s)
{
	size_t n = strlen(s);

	if (n > 0 && s[n - 1] != '\n')
		fail_msg("output does not end with a newline: ...%s",
		    n > 60 ? s + n - 60 : s);
}

/*
 * Parses text output: every line is ncols - 1 fields separated by single
 * spaces, then the name, which runs to the end of the line (and is empty
 * when the line ends after the last field).
 */
static void
parse_text(const char *s, size_t ncols, struct table *t)
{
	const char *nl, *sp;

	assert_whole_lines(s);
	for (; *s != '\0'; s = nl + 1) {
		struct rec *r = table_new_rec(t);
		nl = strchr(s, '\n');
		while (r->n < ncols - 1) {
			sp = memchr(s, ' ', (size_t)(nl - s));
			if (sp == NULL) {
				if (r->n != ncols - 2)
					fail_msg("text line with %zu fields: "
					    "%.*s", r->n + 1, (int)(nl - s),
					    s);
				rec_add(r, s, (size_t)(nl - s));
				s = nl;
				break;
			}
			rec_add(r, s, (size_t)(sp - s));
			s = sp + 1;
		}
		rec_add(r, s, (size_t)(nl - s));
	}
}

/* Parses TSV output: every line split on tabs gives exactly ncols fields. */
static void
parse_tsv(const char *s, size_t ncols, struct table *t)
{
	const char *nl, *tab;

	assert_whole_lines(s);
	for (; *s != '\0'; s = nl + 1) {
		struct rec *r = table_new_rec(t);
		nl = strchr(s, '\n');
		while ((tab = memchr(s, '\t', (size_t)(nl - s))) != NULL) {
			rec_add(r, s, (size_t)(tab - s));
			s = tab + 1;
		}
		rec_add(r, s, (size_t)(nl - s));
		if (r->n != ncols)
			fail_msg("TSV line with %zu fields, not %zu", r->n,
			    ncols);
	}
}

/*
 * Parses CSV as RFC 4180 has it: fields separated by commas, records by
 * line ends (CRLF or LF); a field in double quotes may hold commas, line
 * ends and quotes, a quote written twice. A quote anywhere else, or
 * anything but a separator after a closing quote, fails the test.
 */
static void
parse_csv(const char *s, struct table *t)
{
	struct sb field = { NULL, 0, 0 };
	struct rec *r = NULL;
	bool end_of_record = false;

	assert_whole_lines(s);
	while (*s != '\0') {
		if (r == NULL)
			r = table_new_rec(t);
		field.len = 0;
		sb_add(&field, "", 0);
		if (*s == '"') {
			for (s++;; s++) {
				if (*s == '\0')
					fail_msg("CSV: unterminated quote");
				if (*s == '"' && s[1] == '"')
					sb_add(&field, s++, 1);
				else if (*s == '"')
					break;
				else
					sb_add(&field, s, 1);
			}
			s++;
		} else {
			for (; *s != ',' && *s != '\n' && *s != '\r'; s++) {
				if (*s == '"' || *s == '\0')
					fail_msg("CSV: stray quote or end "
					    "in an unquoted field");
				sb_add(&field, s, 1);
			}
		}
		rec_add(r, field.s, field.len);
		if (*s == ',') {
			s++;
			end_of_record = false;
		} else if (*s == '\n') {
			s++;
			end_of_record = true;
		} else if (s[0] == '\r' && s[1] == '\n') {
			s += 2;
			end_of_record = true;
		} else
			fail_msg("CSV: '%c' after a closing quote", *s);
		if (end_of_record)
			r = NULL;
		else if (*s == '\0')
			fail_msg("CSV: a comma ends the text");
	}
	sb_free(&field);
}

/* Tells whether s (n bytes) is well-formed UTF-8. */
static bool
valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0, len, k;

	while (i < n) {
		unsigned char c = s[i];
		unsigned char lo = 0x80, hi = 0xbf;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			len = 2;
		else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			lo = c == 0xe0 ? 0xa0 : 0x80;
			hi = c == 0xed ? 0x9f : 0xbf;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			lo = c == 0xf0 ? 0x90 : 0x80;
			hi = c == 0xf4 ? 0x8f : 0xbf;
		} else
			return false;
		if (n - i < len || s[i + 1] < lo || s[i + 1] > hi)
			return false;
		for (k = 2; k < len; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xbf)
				return false;
		i += len;
	}
	return true;
}

static const char *
json_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return p;
}

static int
hex4(const char *p, unsigned int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < 4; i++) {
		char c = p[i];
		unsigned int d;
		if (c >= '0' && c <= '9')
			d = (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned int)(c - 'A' + 10);
		else
			return -1;
		*v = *v << 4 | d;
	}
	return 0;
}

static void
put_utf8(struct sb *b, unsigned int cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	sb_add(b, u, n);
}

/*
 * Decodes the JSON string at p (at its opening quote) into b. Returns the
 * character after the closing quote, or NULL when it is not valid JSON.
 */
static const char *
json_string(const char *p, struct sb *b)
{
	unsigned int cp, lo;

	b->len = 0;
	sb_add(b, "", 0);
	if (*p++ != '"')
		return NULL;
	for (;;) {
		unsigned char c = (unsigned char)*p;
		if (c == '"')
			return p + 1;
		if (c < 0x20)	/* the end, or a raw control byte */
			return NULL;
		if (c != '\\') {
			sb_add(b, p++, 1);
			continue;
		}
		p++;
		switch (*p) {
		case '"': case '\\': case '/':
			sb_add(b, p, 1);
			break;
		case 'b': sb_add(b, "\b", 1); break;
		case 'f': sb_add(b, "\f", 1); break;
		case 'n': sb_add(b, "\n", 1); break;
		case 'r': sb_add(b, "\r", 1); break;
		case 't': sb_add(b, "\t", 1); break;
		case 'u':
			if (hex4(p + 1, &cp) != 0)
				return NULL;
			p += 4;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return NULL;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (p[1] != '\\' || p[2] != 'u' ||
				    hex4(p + 3, &lo) != 0 || lo < 0xdc00 ||
				    lo > 0xdfff)
					return NULL;
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
				p += 6;
			}
			put_utf8(b, cp);
			break;
		default:
			return NULL;
		}
		p++;
	}
}

/* Reads a JSON number at p into b (its text). Returns the end, or NULL. */
static const char *
json_number(const char *p, struct sb *b)
{
	const char *s = p;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return NULL;
	if (*p == '.') {
		if (*++p < '0' || *p > '9')
			return NULL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (*p < '0' || *p > '9')
			return NULL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	b->len = 0;
	sb_add(b, s, (size_t)(p - s));
	return p;
}

/*
 * Parses one line (without its newline) as a flat JSON object: string
 * keys, values that are strings, numbers, true, false or null. Fails the
 * test when it is not valid JSON.
 */
static void
parse_json_object(const char *line, struct jobject *o)
{
	struct sb key = { NULL, 0, 0 }, val = { NULL, 0, 0 };
	const char *p = json_ws(line);
	struct jmember *m;

	memset(o, 0, sizeof(*o));
	if (!valid_utf8((const unsigned char *)line, strlen(line)))
		fail_msg("JSON line is not UTF-8: %s", line);
	if (*p++ != '{')
		fail_msg("JSON line is not an object: %s", line);
	p = json_ws(p);
	if (*p == '}')
		p++;
	else
		for (;;) {
			if (o->n == FIELDS_MAX)
				fail_msg("JSON: too many members");
			m = &o->m[o->n];
			p = json_string(json_ws(p), &key);
			if (p == NULL)
				fail_msg("JSON: bad key in %s", line);
			p = json_ws(p);
			if (*p++ != ':')
				fail_msg("JSON: no ':' in %s", line);
			p = json_ws(p);
			if (*p == '"') {
				p = json_string(p, &val);
				m->type = J_STRING;
			} else if (strncmp(p, "true", 4) == 0) {
				p += 4;
				m->type = J_BOOL;
				m->b = true;
				val.len = 0;
				sb_add(&val, "", 0);
			} else if (strncmp(p, "false", 5) == 0) {
				p += 5;
				m->type = J_BOOL;
				val.len = 0;
				sb_add(&val, "", 0);
			} else if (strncmp(p, "null", 4) == 0) {
				p += 4;
				m->type = J_NULL;
				val.len = 0;
				sb_add(&val, "", 0);
			} else {
				p = json_number(p, &val);
				m->type = J_NUMBER;
			}
			if (p == NULL)
				fail_msg("JSON: bad value in %s", line);
			m->key = strdup(key.s);
			m->s = xrealloc(NULL, val.len + 1);
			memcpy(m->s, val.s, val.len + 1);
			m->len = val.len;
			o->n++;
			p = json_ws(p);
			if (*p == '}') {
				p++;
				break;
			}
			if (*p++ != ',')
				fail_msg("JSON: no ',' or '}' in %s", line);
		}
	if (*json_ws(p) != '\0')
		fail_msg("JSON: text after the object: %s", line);
	sb_free(&key);
	sb_free(&val);
}

static void
jobject_free(struct jobject *o)
{
	size_t i;

	for (i = 0; i < o->n; i++) {
		free(o->m[i].key);
		free(o->m[i].s);
	}
	o->n = 0;
}

static const struct jmember *
jget(const struct jobject *o, const char *key)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (strcmp(o->m[i].key, key) == 0)
			return &o->m[i];
	return NULL;
}

/* Parses every line of JSON Lines output; returns how many. */
static size_t
parse_json_lines(const char *s, struct jobject **objs)
{
	size_t n = 0, cap = 0;
	const char *nl;
	char *line;

	assert_whole_lines(s);
	*objs = NULL;
	for (; *s != '\0'; s = nl + 1) {
		nl = strchr(s, '\n');
		if (n == cap)
			*objs = xrealloc(*objs, (cap = cap ? cap * 2 : 64) *
			    sizeof(**objs));
		line = strndup(s, (size_t)(nl - s));
		parse_json_object(line, &(*objs)[n++]);
		free(line);
	}
	return n;
}

static void
jobjects_free(struct jobject *objs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		jobject_free(&objs[i]);
	free(objs);
}

/* Tells whether s is "0x" and lower-case hex without leading zeros. */
static bool
is_json_hex(const char *s)
{
	if (strncmp(s, "0x", 2) != 0 || s[2] == '\0')
		return false;
	if (s[2] == '0' && s[3] != '\0')
		return false;
	return strspn(s + 2, "0123456789abcdef") == strlen(s + 2);
}

static bool
is_decimal(const char *s)
{
	return *s != '\0' && strspn(s, "0123456789") == strlen(s) &&
	    (s[0] != '0' || s[1] == '\0');
}

static bool
is_in(const char *key, const char *const *set)
{
	for (; *set != NULL; set++)
		if (strcmp(key, *set) == 0)
			return true;
	return false;
}

static const char *const hex_keys[] = {
	"addr", "pfn", "swap-offset", "paddr", "offset", "start", "end", NULL,
};
static const char *const flag_keys[] = {
	"soft-dirty", "file", "swapped", "present", "exclusive", "uffd-wp",
	"guard", NULL,
};
static const char *const number_keys[] = {
	"pid", "inode", "swap-type", NULL,
};

/*
 * Checks that a JSON row of page columns has exactly the keys of all
 * columns in order, each of the right type, and appends its values as the
 * text format writes them to r.
 */
static void
json_row_as_text(const struct jobject *o, struct rec *r)
{
	struct sb b = { NULL, 0, 0 };
	size_t i;

	if (o->n != ALL_NCOLUMNS)
		fail_msg("JSON row with %zu keys, not %d", o->n, ALL_NCOLUMNS);
	for (i = 0; i < o->n; i++) {
		const struct jmember *m = &o->m[i];
		if (strcmp(m->key, all_columns[i]) != 0)
			fail_msg("JSON key %zu is '%s', not '%s'", i, m->key,
			    all_columns[i]);
		b.len = 0;
		if (is_in(m->key, hex_keys)) {
			if (m->type != J_STRING || !is_json_hex(m->s))
				fail_msg("JSON %s is not a \"0x...\" string: "
				    "%s", m->key, m->s);
			sb_add(&b, m->s + 2, m->len - 2);
		} else if (is_in(m->key, flag_keys)) {
			if (m->type != J_BOOL)
				fail_msg("JSON %s is not true/false", m->key);
			sb_add(&b, m->b ? "1" : "0", 1);
		} else if (is_in(m->key, number_keys)) {
			if (m->type != J_NUMBER || !is_decimal(m->s))
				fail_msg("JSON %s is not a whole number: %s",
				    m->key, m->s);
			sb_add(&b, m->s, m->len);
		} else if (strcmp(m->key, "name") == 0) {
			if (m->type != J_STRING)
				fail_msg("JSON name is not a string");
			text_escape(&b, m->s, m->len);
		} else {
			if (m->type != J_STRING)
				fail_msg("JSON %s is not a string", m->key);
			sb_add(&b, m->s, m->len);
		}
		rec_add(r, sb_str(&b), b.len);
	}
	sb_free(&b);
}

/*
 * Tells whether two tables hold the same fields; if not, why says where
 * they differ first.
 */
static bool
tables_equal(const struct table *want, size_t want_from,
    const struct table *got, size_t got_from, const char *what, char *why,
    size_t whylen)
{
	size_t i, j;

	if (want->n - want_from != got->n - got_from) {
		snprintf(why, whylen, "%s: %zu rows, text has %zu", what,
		    got->n - got_from, want->n - want_from);
		return false;
	}
	for (i = 0; i < want->n - want_from; i++) {
		const struct rec *a = &want->r[want_from + i];
		const struct rec *b = &got->r[got_from + i];
		if (a->n != b->n) {
			snprintf(why, whylen, "%s: row %zu has %zu fields, "
			    "text %zu", what, i, b->n, a->n);
			return false;
		}
		for (j = 0; j < a->n; j++)
			if (a->len[j] != b->len[j] ||
			    memcmp(a->f[j], b->f[j], a->len[j]) != 0) {
				snprintf(why, whylen, "%s: row %zu (%s) field "
				    "%zu is '%s', text has '%s'", what, i,
				    a->n > 1 ? a->f[1] : "", j, b->f[j],
				    a->f[j]);
				return false;
			}
	}
	return true;
}

/* Fails unless two tables hold the same fields. */
static void
assert_tables_equal(const struct table *want, size_t want_from,
    const struct table *got, size_t got_from, const char *what)
{
	char why[512];

	if (!tables_equal(want, want_from, got, got_from, what, why,
	    sizeof(why)))
		fail_msg("%s", why);
}

/* The row of a table whose field i is s, or NULL. */
static const struct rec *
find_rec(const struct table *t, size_t i, const char *s)
{
	size_t k;

	for (k = 0; k < t->n; k++)
		if (t->r[k].n > i && strcmp(t->r[k].f[i], s) == 0)
			return &t->r[k];
	return NULL;
}

/* Writes "START-END" (hex, without 0x) for the -r option. */
static const char *
range_arg(char *buf, size_t size, uint64_t start, uint64_t end)
{
	snprintf(buf, size, "%" PRIx64 "-%" PRIx64, start, end);
	return buf;
}

/*
 * Writes a -r range that holds every mapping of the child's layout (and
 * their guard pages), and, in practice, nothing else: its pages are the
 * child's alone, so two dumps of them do not differ when other processes
 * come and go (which changes the exclusive bit and PSS of shared pages).
 */
static const char *
layout_range(char *buf, size_t size, const struct layout *l)
{
	const uint64_t p = (uint64_t)page;
	uint64_t lo = l->anon, hi = l->anon + 8 * p;

	if (l->file < lo)
		lo = l->file;
	if (l->hostile < lo)
		lo = l->hostile;
	if (l->shared < lo)
		lo = l->shared;
	if (l->swapped < lo)
		lo = l->swapped;
	if (l->file + 4 * p > hi)
		hi = l->file + 4 * p;
	if (l->hostile + 2 * p > hi)
		hi = l->hostile + 2 * p;
	if (l->shared + 4 * p > hi)
		hi = l->shared + 4 * p;
	if (l->swapped + 4 * p > hi)
		hi = l->swapped + 4 * p;
	return range_arg(buf, size, lo - 2 * p, hi + 2 * p);
}

/* Counts the lines of s. */
static size_t
count_lines(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/* Returns s after its first line. */
static const char *
after_first_line(const char *s)
{
	const char *nl = strchr(s, '\n');

	return nl != NULL ? nl + 1 : s + strlen(s);
}

/* Appends every line of s to b with prefix before it. */
static void
add_prefixed(struct sb *b, const char *prefix, const char *s)
{
	const char *nl;

	sb_add(b, "", 0);
	for (; *s != '\0'; s = nl + 1) {
		nl = strchr(s, '\n');
		if (nl == NULL)
			fail_msg("no newline at the end of: %s", s);
		sb_printf(b, "%s%.*s\n", prefix, (int)(nl - s), s);
	}
}

/* ---- -o: columns ---- */

static void
should_print_exactly_the_listed_columns_in_order(void **state)
{
	const struct child *c = *state;
	const struct layout *l = &c->layout;
	struct map_state m = map_state(c->pid, l->file);
	struct sb want = { NULL, 0, 0 };
	struct result r;
	char range[64];
	int i;

	sb_printf(&want, "inode addr perms offset dev library\n");
	for (i = 0; i < 4; i++)
		sb_printf(&want, "%lu %" PRIx64 " r--p %x %s %s\n", m.inode,
		    (uint64_t)l->file + (uint64_t)(i * page),
		    (unsigned int)(i * page), m.dev, l->name);
	run(&r, "-o", "inode,addr,perms,offset,dev,name", "-r",
	    range_arg(range, sizeof(range), l->file, l->file + 4 * page),
	    c->arg);
	assert_ran_ok(&r);
	assert_string_equal(r.out, sb_str(&want));
	result_free(&r);
	sb_free(&want);
}

static void
should_append_a_plus_list_to_the_default_columns(void **state)
{
	const struct child *c = *state;
	const struct layout *l = &c->layout;
	struct map_state m = map_state(c->pid, l->file);
	struct sb want = { NULL, 0, 0 };
	struct result r;
	char range[64], tail[64];
	int i;

	snprintf(tail, sizeof(tail), " r--p %lu", m.inode);
	sb_printf(&want, "addr pfn soft-dirty file/shared swapped present "
	    "library perms inode\n");
	for (i = 0; i < 4; i++)
		add_default_row(&want, c->pid, l->file + (uint64_t)(i * page),
		    l->name, tail);
	run(&r, "-o", "+perms,inode", "-r",
	    range_arg(range, sizeof(range), l->file, l->file + 4 * page),
	    c->arg);
	assert_ran_ok(&r);
	assert_string_equal(r.out, sb_str(&want));
	result_free(&r);
	sb_free(&want);
}

static void
should_head_the_file_and_name_columns_file_shared_and_library(void **st)
{
	const struct child *c = *st;
	const struct layout *l = &c->layout;
	struct sb want = { NULL, 0, 0 };
	struct result r;
	char range[64];

	range_arg(range, sizeof(range), l->file, l->file + page);
	sb_printf(&want, "file/shared library\n1 %s\n", l->name);
	run(&r, "-o", "file,name", "-r", range, c->arg);
	assert_ran_ok(&r);
	assert_string_equal(r.out, sb_str(&want));
	result_free(&r);

	/* Every other column is headed by its own name. */
	run(&r, "-H", "-o", ALL_COLUMNS, "-r", range, c->arg);
	assert_ran_ok(&r);
	assert_int_equal(count_lines(r.out), 1);
	result_free(&r);
	run(&r, "-o", ALL_COLUMNS, "-r", range, c->arg);
	assert_ran_ok(&r);
	assert_int_equal(count_lines(r.out), 2);
	assert_memory_equal(r.out, "pid addr pfn soft-dirty file/shared "
	    "swapped present exclusive uffd-wp guard swap-type swap-offset "
	    "paddr perms offset dev inode library\n", 121);
	result_free(&r);
	sb_free(&want);
}

static void
should_exit_2_listing_every_valid_column_for_an_unknown_one(void **state)
{
	static const char *const lists[] = { "addr,bogus,pfn", "+bogus" };
	struct result r;
	const char *valid;
	size_t i, k;
	(void)state;

	for (k = 0; k < sizeof(lists) / sizeof(lists[0]); k++) {
		run(&r, "-o", lists[k], "self");
		assert_int_equal(exit_code(&r), 2);
		assert_string_equal(r.out, "");
		assert_non_null(strstr(r.err, "'bogus'"));
		valid = strstr(r.err, "valid:");
		if (valid == NULL)
			fail_msg("no list of valid columns: %s", r.err);
		for (i = 0; i < ALL_NCOLUMNS; i++) {
			/* Each name as a whole item of the list. */
			const char *p = valid;
			size_t n = strlen(all_columns[i]);
			bool found = false;
			while (!found && (p = strstr(p + 1, all_columns[i])) !=
			    NULL)
				found = strchr(" ,", p[-1]) != NULL &&
				    strchr(",)\n", p[n]) != NULL;
			if (!found)
				fail_msg("'%s' not listed: %s", all_columns[i],
				    r.err);
		}
		result_free(&r);
	}
}

/*
 * A column named twice is printed twice, however long the name: 64 name
 * columns of a 14 KiB escaped name make rows of almost 1 MiB.
 */
static void
should_print_a_column_listed_many_times_that_many_times_for_a_long_name(
    void **state)
{
	const struct child *c = *state;
	struct sb list = { NULL, 0, 0 }, name = { NULL, 0, 0 };
	struct sb want = { NULL, 0, 0 }, mid = { NULL, 0, 0 };
	struct result r;
	char match[64];
	int i, k;

	text_escape(&name, c->layout.long_name, strlen(c->layout.long_name));
	/* Every copy but the last has columns after it: blanks as \040. */
	for (k = 0; k < (int)name.len; k++)
		if (sb_str(&name)[k] == ' ')
			sb_add(&mid, "\\040", 4);
		else
			sb_add(&mid, sb_str(&name) + k, 1);
	for (k = 0; k < 64; k++)
		sb_printf(&list, "%sname", k > 0 ? "," : "");
	for (i = 0; i < 4; i++)
		for (k = 0; k < 64; k++)
			sb_printf(&want, "%s%s", k < 63 ? sb_str(&mid) :
			    sb_str(&name), k < 63 ? " " : "\n");
	snprintf(match, sizeof(match), "pmd-views-%d-long", (int)c->pid);
	run(&r, "-H", "-o", sb_str(&list), "-m", match, c->arg);
	assert_ran_ok(&r);
	assert_int_equal(strlen(r.out), want.len);
	assert_string_equal(r.out, sb_str(&want));
	result_free(&r);
	sb_free(&list);
	sb_free(&name);
	sb_free(&mid);
	sb_free(&want);
}

/* ---- -f and -H: formats ---- */

static void
should_split_tsv_rows_on_tabs_into_the_text_fields(void **state)
{
	const struct child *c = *state;
	struct table text = { 0, 0, NULL }, tsv = { 0, 0, NULL };
	struct result rt, rv;
	const struct rec *h;
	char addr[32], want[320], range[64], why[512];
	int tries;

	layout_range(range, sizeof(range), &c->layout);
	for (tries = 0;; tries++) {
		run_text_and(&rt, &rv, "tsv", range, c->arg);
		assert_ran_ok(&rt);
		assert_ran_ok(&rv);
		parse_text(rt.out, ALL_NCOLUMNS, &text);
		/* One row per line, exactly 18 fields: no raw tab in names. */
		parse_tsv(rv.out, ALL_NCOLUMNS, &tsv);
		if (tries == 4 || tables_equal(&text, 0, &tsv, 0, "tsv", why,
		    sizeof(why)))
			break;
		RETRY(&text, &tsv, &rt, &rv);
	}
	assert_true(tsv.n > 8 + 4 + 2 + 4 + 4);
	assert_string_equal(tsv.r[0].f[4], "file/shared");
	assert_string_equal(tsv.r[0].f[17], "library");
	assert_tables_equal(&text, 0, &tsv, 0, "tsv");
	snprintf(addr, sizeof(addr), "%" PRIx64, (uint64_t)c->layout.hostile);
	h = find_rec(&tsv, 1, addr);
	assert_non_null(h);
	hostile_text(c, want, sizeof(want));
	assert_string_equal(h->f[17], want);
	assert_null(strchr(rv.out, '\033'));
	table_free(&text);
	table_free(&tsv);
	result_free(&rt);
	result_free(&rv);
}

static void
should_parse_csv_back_to_the_text_fields(void **state)
{
	const struct child *c = *state;
	struct table text = { 0, 0, NULL }, csv = { 0, 0, NULL };
	struct result rt, rc;
	const struct rec *h;
	char addr[32], want[320], range[64], why[512];
	size_t i;
	int tries;

	layout_range(range, sizeof(range), &c->layout);
	for (tries = 0;; tries++) {
		run_text_and(&rt, &rc, "csv", range, c->arg);
		assert_ran_ok(&rt);
		assert_ran_ok(&rc);
		parse_text(rt.out, ALL_NCOLUMNS, &text);
		parse_csv(rc.out, &csv);
		if (tries == 4 || tables_equal(&text, 0, &csv, 0, "csv", why,
		    sizeof(why)))
			break;
		RETRY(&text, &csv, &rt, &rc);
	}
	assert_true(csv.n > 8 + 4 + 2 + 4 + 4);
	for (i = 0; i < csv.n; i++)
		assert_int_equal(csv.r[i].n, ALL_NCOLUMNS);
	assert_string_equal(csv.r[0].f[4], "file/shared");
	assert_string_equal(csv.r[0].f[17], "library");
	assert_tables_equal(&text, 0, &csv, 0, "csv");
	/* The hostile name: escaped as in text, then quoted. */
	snprintf(addr, sizeof(addr), "%" PRIx64, (uint64_t)c->layout.hostile);
	h = find_rec(&csv, 1, addr);
	assert_non_null(h);
	hostile_text(c, want, sizeof(want));
	assert_string_equal(h->f[17], want);
	assert_null(strchr(rc.out, '\033'));
	assert_null(strchr(rc.out, '\t'));
	table_free(&text);
	table_free(&csv);
	result_free(&rt);
	result_free(&rc);
}

static void
should_write_json_lines_keyed_by_column_name_with_typed_values(void **st)
{
	const struct child *c = *st;
	struct table text = { 0, 0, NULL }, json = { 0, 0, NULL };
	struct jobject *objs;
	struct result rt, rj;
	char range[64], why[512];
	size_t i, n;
	bool saw_anon = false;
	int tries = 0;

	layout_range(range, sizeof(range), &c->layout);
retry:
	run_text_and(&rt, &rj, "json", range, c->arg);
	assert_ran_ok(&rt);
	assert_ran_ok(&rj);
	parse_text(rt.out, ALL_NCOLUMNS, &text);
	/* No header: every line is an object. */
	n = parse_json_lines(rj.out, &objs);
	assert_true(n > 8 + 4 + 2 + 4 + 4);
	for (i = 0; i < n; i++) {
		const struct jmember *pid = jget(&objs[i], "pid");
		const struct jmember *addr = jget(&objs[i], "addr");
		json_row_as_text(&objs[i], table_new_rec(&json));
		assert_string_equal(pid->s, c->arg);
		if (strtoull(addr->s, NULL, 16) == c->layout.anon + 2 *
		    (uint64_t)page) {
			saw_anon = true;
			assert_true(jget(&objs[i], "present")->b);
			assert_false(jget(&objs[i], "file")->b);
			assert_string_equal(jget(&objs[i], "perms")->s, "rw-p");
			assert_string_equal(jget(&objs[i], "name")->s, "");
		}
	}
	assert_true(saw_anon);
	/* The same values as the text rows (after the header). */
	if (tries++ < 4 && !tables_equal(&text, 1, &json, 0, "json", why,
	    sizeof(why))) {
		jobjects_free(objs, n);
		RETRY(&text, &json, &rt, &rj);
		goto retry;
	}
	assert_tables_equal(&text, 1, &json, 0, "json");
	jobjects_free(objs, n);
	table_free(&text);
	table_free(&json);
	result_free(&rt);
	result_free(&rj);
}

static void
should_decode_a_hostile_json_name_to_its_bytes_with_bad_utf8_in_octal(
    void **state)
{
	const struct child *c = *state;
	struct jobject *objs;
	struct result r;
	char match[64], want[320], addr[32];
	size_t i, n;

	snprintf(match, sizeof(match), "pmd-views-%d-h", (int)c->pid);
	/* The raw name, but its byte 0xff as the four characters \377. */
	snprintf(want, sizeof(want),
	    "/tmp/pmd-views-%d-h\t,\"\033\\377-x (deleted)", (int)c->pid);
	run(&r, "-f", "json", "-o", "addr,name", "-m", match, c->arg);
	assert_ran_ok(&r);
	n = parse_json_lines(r.out, &objs);
	assert_int_equal(n, 2);
	for (i = 0; i < n; i++) {
		const struct jmember *name = jget(&objs[i], "name");
		assert_int_equal(objs[i].n, 2);
		snprintf(addr, sizeof(addr), "0x%" PRIx64,
		    (uint64_t)c->layout.hostile + i * (uint64_t)page);
		assert_string_equal(jget(&objs[i], "addr")->s, addr);
		assert_non_null(name);
		assert_int_equal(name->len, strlen(want));
		assert_memory_equal(name->s, want, name->len);
		assert_non_null(memchr(name->s, 0x1b, name->len));
		assert_non_null(memchr(name->s, '\t', name->len));
	}
	assert_null(strchr(r.out, '\033'));
	assert_null(strchr(r.out, '\t'));
	jobjects_free(objs, n);
	result_free(&r);
}

static void
should_leave_out_the_header_with_H_or_no_header_in_every_format(void **st)
{
	static const char *const formats[] = { "text", "tsv", "csv" };
	static const char *const headers[] = {
		DEFAULT_HEADER,
		("addr\tpfn\tsoft-dirty\tfile/shared\tswapped\tpresent\t"
		"library\n"),
		"addr,pfn,soft-dirty,file/shared,swapped,present,library\n",
	};
	const struct child *c = *st;
	const struct layout *l = &c->layout;
	struct result with, without, longer;
	char range[64];
	size_t i;

	range_arg(range, sizeof(range), l->anon, l->anon + 8 * page);
	for (i = 0; i < 3; i++) {
		run(&with, "-f", formats[i], "-r", range, c->arg);
		run(&without, "-H", "-f", formats[i], "-r", range, c->arg);
		run(&longer, "--no-header", "--format", formats[i], "-r",
		    range, c->arg);
		assert_ran_ok(&with);
		assert_ran_ok(&without);
		assert_ran_ok(&longer);
		assert_int_equal(count_lines(with.out), 9);
		assert_memory_equal(with.out, headers[i], strlen(headers[i]));
		assert_string_equal(without.out, with.out + strlen(headers[i]));
		assert_string_equal(longer.out, without.out);
		result_free(&with);
		result_free(&without);
		result_free(&longer);
	}
	/* JSON Lines has no header either way. */
	run(&with, "-f", "json", "-r", range, c->arg);
	run(&without, "-f", "json", "-H", "-r", range, c->arg);
	assert_ran_ok(&with);
	assert_ran_ok(&without);
	assert_int_equal(count_lines(with.out), 8);
	assert_int_equal(with.out[0], '{');
	assert_string_equal(without.out, with.out);
	result_free(&with);
	result_free(&without);
}

/* Appends the lines of s, each without its first field and sep. */
static void
add_without_first_field(struct sb *b, const char *s, char sep)
{
	const char *nl, *cut;

	sb_add(b, "", 0);
	for (; *s != '\0'; s = nl + 1) {
		nl = strchr(s, '\n');
		cut = memchr(s, sep, (size_t)(nl - s));
		if (nl == NULL || cut == NULL)
			fail_msg("a line without '%c': %s", sep, s);
		sb_add(b, cut + 1, (size_t)(nl - cut));
	}
}

/*
 * The default columns have a row writer of their own; the same columns
 * after a pid column go through the general one. Both must agree.
 */
static void
should_write_the_default_columns_as_the_general_writer_does(void **state)
{
	static const char *const formats[] = { "text", "tsv", "csv" };
	static const char seps[] = { ' ', '\t', ',' };
	const struct child *c = *state;
	struct sb want = { NULL, 0, 0 };
	struct result def, gen;
	struct jobject *objs;
	char range[64];
	size_t i, k, n;

	layout_range(range, sizeof(range), &c->layout);
	for (i = 0; i < 3; i++) {
		run(&def, "-f", formats[i], "-r", range, c->arg);
		run(&gen, "-f", formats[i], "-o",
		    "pid,addr,pfn,soft-dirty,file,swapped,present,name", "-r",
		    range, c->arg);
		assert_ran_ok(&def);
		assert_ran_ok(&gen);
		want.len = 0;
		add_without_first_field(&want, gen.out, seps[i]);
		assert_true(count_lines(def.out) > 8 + 4 + 2 + 4 + 4);
		assert_string_equal(def.out, sb_str(&want));
		result_free(&def);
		result_free(&gen);
	}
	/* JSON: the default keys, in order. */
	run(&def, "-f", "json", "-r", range, c->arg);
	assert_ran_ok(&def);
	n = parse_json_lines(def.out, &objs);
	assert_true(n > 8 + 4 + 2 + 4 + 4);
	for (i = 0; i < n; i++) {
		static const char *const keys[] = { "addr", "pfn",
		    "soft-dirty", "file", "swapped", "present", "name" };
		assert_int_equal(objs[i].n, 7);
		for (k = 0; k < 7; k++)
			assert_string_equal(objs[i].m[k].key, keys[k]);
	}
	jobjects_free(objs, n);
	result_free(&def);
	sb_free(&want);
}

/* ---- -r, -m, -P, -S, -a: filters ---- */

static void
should_print_exactly_the_pages_inside_a_range(void **state)
{
	const struct child *c = *state;
	const struct layout *l = &c->layout;
	struct sb want = { NULL, 0, 0 };
	struct result r;
	char range[64];
	int i;

	sb_printf(&want, DEFAULT_HEADER);
	for (i = 1; i < 4; i++)
		add_default_row(&want, c->pid, l->anon + (uint64_t)(i * page),
		    "", "");
	/* Without 0x, end exclusive. */
	run(&r, "-r", range_arg(range, sizeof(range), l->anon + page,
	    l->anon + 4 * page), c->arg);
	assert_ran_ok(&r);
	assert_string_equal(r.out, sb_str(&want));
	result_free(&r);
	/* With 0x and capitals. */
	snprintf(range, sizeof(range), "0x%" PRIX64 "-0X%" PRIx64,
	    (uint64_t)l->anon + page, (uint64_t)l->anon + 4 * page);
	run(&r, "--range", range, c->arg);
	assert_ran_ok(&r);
	assert_string_equal(r.out, sb_str(&want));
	result_free(&r);
	sb_free(&want);
}

static void
should_print_the_pages_of_repeated_ranges_once_each_in_order(void **st)
{
	static const int disjoint[] = { 0, 5, 6 };
	const struct child *c = *st;
	const struct layout *l = &c->layout;
	struct sb want = { NULL, 0, 0 };
	struct result r;
	char r1[64], r2[64];
	uint64_t a = l->anon, p = (uint64_t)page;
	int i;

	sb_printf(&want, DEFAULT_HEADER);
	for (i = 0; i < 3; i++)
		add_default_row(&want, c->pid, a + (uint64_t)disjoint[i] * p,
		    "", "");
	run(&r, "-r", range_arg(r2, sizeof(r2), a + 5 * p, a + 7 * p), "-r",
	    range_arg(r1, sizeof(r1), a, a + p), c->arg);
	assert_ran_ok(&r);
	assert_string_equal(r.out, sb_str(&want));
	result_free(&r);

	/* Overlapping, given out of order: pages 0 to 3, each once. */
	want.len = 0;
	sb_printf(&want, DEFAULT_HEADER);
	for (i = 0; i < 4; i++)
		add_default_row(&want, c->pid, a + (uint64_t)i * p, "", "");
	run(&r, "-r", range_arg(r1, sizeof(r1), a + 2 * p, a + 4 * p), "-r",
	    range_arg(r2, sizeof(r2), a, a + 3 * p), c->arg);
	assert_ran_ok(&r);
	assert_string_equal(r.out, sb_str(&want));
	result_free(&r);
	sb_free(&want);
}

static void
should_print_nothing_for_the_unmapped_part_of_a_range(void **state)
{
	const struct child *c = *state;
	const struct layout *l = &c->layout;
	struct sb want = { NULL, 0, 0 };
	struct result r;
	char range[64];

	/* The page below the anonymous pages is a hole. */
	sb_printf(&want, DEFAULT_HEADER);
	add_default_row(&want, c->pid, l->anon, "", "");
	add_default_row(&want, c->pid, l->anon + page, "", "");
	run(&r, "-r", range_arg(range, sizeof(range), l->anon - page,
	    l->anon + 2 * page), c->arg);
	assert_ran_ok(&r);
	assert_string_equal(r.out, sb_str(&want));
	result_free(&r);
	sb_free(&want);
}

static void
should_print_only_the_mappings_whose_name_contains_m(void **state)
{
	const struct child *c = *state;
	const struct layout *l = &c->layout;
	struct sb want = { NULL, 0, 0 }, both = { NULL, 0, 0 };
	struct result r;
	char plain[64], middle[64], hostile[64], name[320];
	int i;

	snprintf(plain, sizeof(plain), "pmd-views-%d-plain", (int)c->pid);
	snprintf(middle, sizeof(middle), "views-%d-pla", (int)c->pid);
	snprintf(hostile, sizeof(hostile), "pmd-views-%d-h\t,", (int)c->pid);
	sb_printf(&want, DEFAULT_HEADER);
	for (i = 0; i < 4; i++)
		add_default_row(&want, c->pid, l->file + (uint64_t)(i * page),
		    l->name, "");
	run(&r, "-m", plain, c->arg);
	assert_ran_ok(&r);
	assert_string_equal(r.out, sb_str(&want));
	result_free(&r);
	run(&r, "--map", middle, c->arg);
	assert_ran_ok(&r);
	assert_string_equal(r.out, sb_str(&want));
	result_free(&r);

	/* Two names: both mappings, in address order. */
	hostile_text(c, name, sizeof(name));
	sb_printf(&both, DEFAULT_HEADER);
	if (l->hostile < l->file)
		for (i = 0; i < 2; i++)
			add_default_row(&both, c->pid, l->hostile +
			    (uint64_t)(i * page), name, "");
	sb_add(&both, after_first_line(sb_str(&want)),
	    strlen(after_first_line(sb_str(&want))));
	if (l->hostile > l->file)
		for (i = 0; i < 2; i++)
			add_default_row(&both, c->pid, l->hostile +
			    (uint64_t)(i * page), name, "");
	run(&r, "-m", plain, "-m", hostile, c->arg);
	assert_ran_ok(&r);
	assert_string_equal(r.out, sb_str(&both));
	result_free(&r);
	sb_free(&want);
	sb_free(&both);
}

/* Keeps the lines of a default-format dump whose column col is "1". */
static void
keep_rows_with_flag(struct sb *b, const char *s, int col)
{
	const char *nl, *p;
	int k;

	sb_add(b, "", 0);
	for (; *s != '\0'; s = nl + 1) {
		nl = strchr(s, '\n');
		for (p = s, k = 0; k < col && p != NULL; k++) {
			p = memchr(p, ' ', (size_t)(nl - p));
			if (p != NULL)
				p++;
		}
		if (p == NULL)
			fail_msg("a row with fewer than %d fields", col + 1);
		if (p[0] == '1' && (p[1] == ' ' || p[1] == '\n'))
			sb_add(b, s, (size_t)(nl - s + 1));
	}
}

static void
should_print_only_present_pages_with_P(void **state)
{
	static const int written[] = { 0, 2, 5 };
	const struct child *c = *state;
	const struct layout *l = &c->layout;
	struct sb want = { NULL, 0, 0 };
	struct result all, r;
	char range[64];
	int i;

	sb_printf(&want, DEFAULT_HEADER);
	for (i = 0; i < 3; i++)
		add_default_row(&want, c->pid, l->anon +
		    (uint64_t)(written[i] * page), "", "");
	range_arg(range, sizeof(range), l->anon, l->anon + 8 * page);
	run(&r, "-P", "-r", range, c->arg);
	assert_ran_ok(&r);
	assert_string_equal(r.out, sb_str(&want));
	result_free(&r);

	/* The whole dump with -P: the present rows of the whole dump. */
	run(&all, "-H", c->arg);
	run(&r, "-H", "--present", c->arg);
	assert_ran_ok(&all);
	assert_ran_ok(&r);
	want.len = 0;
	keep_rows_with_flag(&want, all.out, 5);
	assert_true(count_lines(sb_str(&want)) > 3);
	assert_string_equal(r.out, sb_str(&want));
	result_free(&all);
	result_free(&r);
	sb_free(&want);
}

static void
should_select_swapped_pages_with_S_and_either_with_P_and_S(void **state)
{
	static const int written[] = { 0, 2, 5 };
	const struct child *c = *state;
	struct sb want = { NULL, 0, 0 }, rows = { NULL, 0, 0 };
	struct result r;
	struct page_state s;
	char anon[64], sw[64], tail[64];
	uint64_t p = (uint64_t)page;
	int i;

	if (!swap_exists())
		skip_because("no swap on this machine: -S not checked "
		    "(swapon a swap file to run it)");
	if (!c->layout.swapped_ok)
		skip_because("MADV_PAGEOUT is not supported by this kernel: "
		    "-S not checked");
	for (i = 0; i < 4; i++)
		if (!page_state(c->pid, c->layout.swapped + i * p).swapped)
			skip_because("MADV_PAGEOUT left the pages in memory: "
			    "-S not checked");
	range_arg(anon, sizeof(anon), c->layout.anon, c->layout.anon + 8 * p);
	range_arg(sw, sizeof(sw), c->layout.swapped, c->layout.swapped + 4 * p);

	/* -S: the four paged-out pages, with their swap entries. */
	sb_printf(&want, "addr pfn soft-dirty file/shared swapped present "
	    "library swap-type swap-offset\n");
	for (i = 0; i < 4; i++) {
		s = page_state(c->pid, c->layout.swapped + i * p);
		assert_int_equal(s.present, 0);
		snprintf(tail, sizeof(tail), " %u %" PRIx64, s.swap_type,
		    s.swap_offset);
		add_default_row(&want, c->pid, c->layout.swapped + i * p, "",
		    tail);
		add_default_row(&rows, c->pid, c->layout.swapped + i * p, "",
		    "");
	}
	run(&r, "-S", "-o", "+swap-type,swap-offset", "-r", anon, "-r", sw,
	    c->arg);
	assert_ran_ok(&r);
	assert_string_equal(r.out, sb_str(&want));
	result_free(&r);

	/* -P -S: present or swapped, in address order. */
	want.len = 0;
	sb_printf(&want, DEFAULT_HEADER);
	if (c->layout.swapped < c->layout.anon)
		sb_add(&want, rows.s, rows.len);
	for (i = 0; i < 3; i++)
		add_default_row(&want, c->pid, c->layout.anon + written[i] * p,
		    "", "");
	if (c->layout.swapped > c->layout.anon)
		sb_add(&want, rows.s, rows.len);
	run(&r, "-P", "-S", "-r", anon, "-r", sw, c->arg);
	assert_ran_ok(&r);
	assert_string_equal(r.out, sb_str(&want));
	result_free(&r);

	/* -P alone: none of the swapped pages. */
	run(&r, "-P", "-r", sw, c->arg);
	assert_ran_ok(&r);
	assert_string_equal(r.out, DEFAULT_HEADER);
	result_free(&r);
	sb_free(&want);
	sb_free(&rows);
}

static void
should_translate_an_address_to_its_page_and_physical_address_with_a(
    void **state)
{
	const struct child *c = *state;
	const struct layout *l = &c->layout;
	struct sb want = { NULL, 0, 0 };
	struct page_state s;
	struct jobject *objs;
	struct result r;
	char addr[32], tail[64], paddr[40];
	uint64_t page_addr = l->anon + 2 * (uint64_t)page;
	uint64_t a = page_addr + 0x123;
	size_t n;

	if (!have_sys_admin())
		skip_because("no CAP_SYS_ADMIN: PFNs read 0, so -a cannot "
		    "give a physical address (run as root)");
	s = page_state(c->pid, page_addr);
	assert_int_equal(s.present, 1);
	assert_int_not_equal(s.pfn, 0);
	snprintf(paddr, sizeof(paddr), "%" PRIx64, s.pfn * (uint64_t)page +
	    0x123);
	snprintf(tail, sizeof(tail), " %s", paddr);
	sb_printf(&want, "addr pfn soft-dirty file/shared swapped present "
	    "library paddr\n");
	add_default_row(&want, c->pid, page_addr, "", tail);
	snprintf(addr, sizeof(addr), "%" PRIx64, a);
	run(&r, "-a", addr, "-o", "+paddr", c->arg);
	assert_ran_ok(&r);
	assert_string_equal(r.out, sb_str(&want));
	result_free(&r);

	want.len = 0;
	sb_printf(&want, "addr pfn paddr\n%" PRIx64 " %" PRIx64 " %s\n",
	    page_addr, s.pfn, paddr);
	snprintf(addr, sizeof(addr), "0x%" PRIx64, a);
	run(&r, "--address", addr, "-o", "addr,pfn,paddr", c->arg);
	assert_ran_ok(&r);
	assert_string_equal(r.out, sb_str(&want));
	result_free(&r);

	run(&r, "-a", addr, "-f", "json", "-o", "paddr", c->arg);
	assert_ran_ok(&r);
	n = parse_json_lines(r.out, &objs);
	assert_int_equal(n, 1);
	assert_int_equal(objs[0].n, 1);
	snprintf(tail, sizeof(tail), "0x%s", paddr);
	assert_string_equal(jget(&objs[0], "paddr")->s, tail);
	jobjects_free(objs, n);
	result_free(&r);
	sb_free(&want);
}

static void
should_exit_1_naming_an_unmapped_address_given_to_a(void **state)
{
	const struct child *c = *state;
	const struct layout *l = &c->layout;
	struct sb want = { NULL, 0, 0 };
	struct result r;
	char hole[32], named[40], anon[32];

	/* The page below the anonymous pages is a hole. */
	snprintf(hole, sizeof(hole), "%" PRIx64,
	    (uint64_t)l->anon - (uint64_t)page + 0x10);
	snprintf(named, sizeof(named), "0x%s", hole);
	run(&r, "-a", hole, c->arg);
	assert_int_equal(exit_code(&r), 1);
	assert_non_null(strstr(r.err, named));
	assert_non_null(strstr(r.err, c->arg));
	assert_string_equal(r.out, DEFAULT_HEADER);
	result_free(&r);

	/* Given with a mapped one: that one is still printed. */
	snprintf(anon, sizeof(anon), "%" PRIx64, (uint64_t)l->anon);
	sb_printf(&want, DEFAULT_HEADER);
	add_default_row(&want, c->pid, l->anon, "", "");
	run(&r, "-a", hole, "-a", anon, c->arg);
	assert_int_equal(exit_code(&r), 1);
	assert_non_null(strstr(r.err, named));
	assert_string_equal(r.out, sb_str(&want));
	result_free(&r);
	sb_free(&want);
}

/* ---- -s: summary ---- */

/*
 * The summary's columns, as JSON names them (without pid). As root with
 * CAP_SYS_ADMIN, the PSS and USS ones are there too: they need the PFNs,
 * /proc/kpagecount and /proc/kpageflags. The zero-page, PMD and hugetlb
 * ones need PAGEMAP_SCAN, which this kernel has.
 */
static const char *const summary_keys_pss[] = {
	"start", "end", "perms", "pages", "present", "swapped", "file",
	"soft-dirty", "exclusive", "rss-kib", "pss-kib", "uss-kib",
	"pss-anon-kib", "pss-file-kib", "pss-shmem-kib", "ksm-kib",
	"shared-kib",
	"private-kib", "zero-kib", "anon-pmd-kib", "shmem-pmd-kib",
	"file-pmd-kib", "shared-hugetlb-kib", "private-hugetlb-kib",
	"swap-kib", "name", NULL,
};
static const char *const summary_keys_plain[] = {
	"start", "end", "perms", "pages", "present", "swapped", "file",
	"soft-dirty", "exclusive", "rss-kib", "shared-kib", "private-kib",
	"zero-kib", "anon-pmd-kib", "shmem-pmd-kib", "file-pmd-kib",
	"shared-hugetlb-kib", "private-hugetlb-kib", "swap-kib", "name",
	NULL,
};

static const char *const *
summary_keys(size_t *n)
{
	const char *const *keys = have_sys_admin() ? summary_keys_pss :
	    summary_keys_plain;

	for (*n = 0; keys[*n] != NULL; (*n)++)
		;
	return keys;
}

/* The number of summary columns (without pid). */
static size_t
summary_ncols(void)
{
	size_t n;

	summary_keys(&n);
	return n;
}

/* Appends the summary header line, with a pid column first if asked. */
static void
add_summary_header(struct sb *b, bool pid)
{
	size_t i, n;
	const char *const *keys = summary_keys(&n);

	sb_printf(b, "%s", pid ? "pid " : "");
	for (i = 0; i < n; i++)
		sb_printf(b, "%s%s", strcmp(keys[i], "file") == 0 ?
		    "file/shared" : strcmp(keys[i], "name") == 0 ? "library" :
		    keys[i], i + 1 < n ? " " : "\n");
}

/* How many times the kernel says the frame pfn is mapped. */
static uint64_t
kpagecount(uint64_t pfn)
{
	uint64_t v = 0;
	int fd = open("/proc/kpagecount", O_RDONLY);

	if (fd < 0)
		fail_msg("open /proc/kpagecount: %s", strerror(errno));
	if (pread(fd, &v, 8, (off_t)(pfn * 8)) != 8)
		fail_msg("pread /proc/kpagecount: %s", strerror(errno));
	close(fd);
	return v;
}

/* The counts of a summary row, from the kernel's pagemap (and kpagecount). */
struct counts {
	unsigned long pages, present, swapped, file, soft_dirty, exclusive;
	unsigned long uss;	/* present pages mapped once */
	unsigned long zero;	/* present pages that are the zero page */
	unsigned long ksm;	/* present pages that are KSM pages */
	/* PSS as the kernel sums it: (page << 12) / mapcount, summed. */
	uint64_t pss, pss_anon, pss_file, pss_shmem;
};

/* The kernel's flags of the frame pfn. */
static uint64_t
kpageflags(uint64_t pfn)
{
	uint64_t v = 0;
	int fd = open("/proc/kpageflags", O_RDONLY);

	if (fd < 0)
		fail_msg("open /proc/kpageflags: %s", strerror(errno));
	if (pread(fd, &v, 8, (off_t)(pfn * 8)) != 8)
		fail_msg("pread /proc/kpageflags: %s", strerror(errno));
	close(fd);
	return v;
}

static struct counts
count_pages(pid_t pid, uint64_t start, size_t pages, bool present_only)
{
	struct counts n;
	uint64_t mapcount;
	size_t i;

	memset(&n, 0, sizeof(n));
	for (i = 0; i < pages; i++) {
		struct page_state s = page_state(pid, start + i *
		    (uint64_t)page);
		if (present_only && !s.present)
			continue;
		n.pages++;
		n.present += (unsigned long)s.present;
		n.swapped += (unsigned long)s.swapped;
		n.file += (unsigned long)s.file;
		n.soft_dirty += (unsigned long)s.soft_dirty;
		n.exclusive += (unsigned long)s.exclusive;
		if (s.present && have_sys_admin()) {
			uint64_t flags = kpageflags(s.pfn), pss;
			/* bit 24: the zero page, which smaps leaves out. */
			if (flags >> 24 & 1) {
				n.zero++;
				continue;
			}
			n.ksm += flags >> 21 & 1;
			mapcount = kpagecount(s.pfn);
			n.uss += mapcount == 1;
			pss = ((uint64_t)page << 12) /
			    (mapcount >= 2 ? mapcount : 1);
			n.pss += pss;
			/* anon (bit 12), or shmem: swapbacked (bit 14) */
			if (flags >> 12 & 1)
				n.pss_anon += pss;
			else if (flags >> 14 & 1)
				n.pss_shmem += pss;
			else
				n.pss_file += pss;
		}
	}
	return n;
}

/*
 * Appends "pages present swapped file soft-dirty exclusive rss-kib
 * [pss-kib uss-kib] swap-kib".
 */
static void
add_counts(struct sb *b, const struct counts *n)
{
	unsigned long kib = (unsigned long)page / 1024;
	unsigned long rss = n->present - n->zero;

	sb_printf(b, "%lu %lu %lu %lu %lu %lu %lu", n->pages, n->present,
	    n->swapped, n->file, n->soft_dirty, n->exclusive, rss * kib);
	if (have_sys_admin())
		sb_printf(b, " %lu %lu %lu %lu %lu %lu",
		    (unsigned long)(n->pss >> 22), n->uss * kib,
		    (unsigned long)(n->pss_anon >> 22),
		    (unsigned long)(n->pss_file >> 22),
		    (unsigned long)(n->pss_shmem >> 22), n->ksm * kib);
	/* Shared and private by bit 56; no PMD or hugetlb pages here. */
	sb_printf(b, " %lu %lu %lu 0 0 0 0 0", (rss - n->exclusive) * kib,
	    n->exclusive * kib, n->zero * kib);
	sb_printf(b, " %lu", n->swapped * (unsigned long)page / 1024);
}

/* Appends the summary row of the mapping of pages pages at start. */
static void
add_summary_row(struct sb *b, uint64_t start, size_t pages,
    const char *perms, const struct counts *n, const char *name)
{
	sb_printf(b, "%" PRIx64 " %" PRIx64 " %s ", start,
	    start + pages * (uint64_t)page, perms);
	add_counts(b, n);
	sb_printf(b, "%s%s\n", *name ? " " : "", name);
}

/* Finds the line of s that starts with prefix; returns a copy. */
static char *
line_starting(const char *s, const char *prefix)
{
	const char *nl;
	size_t n = strlen(prefix);

	for (; *s != '\0'; s = nl + 1) {
		nl = strchr(s, '\n');
		if (strncmp(s, prefix, n) == 0)
			return strndup(s, (size_t)(nl - s + 1));
	}
	return NULL;
}

/*
 * Checks a text summary (after its header): every row a mapping but the
 * last, the total, whose counts are the sums of the rows'. Returns how
 * many mapping rows there are.
 */
static size_t
assert_total_is_the_sum(const char *body, size_t first)
{
	struct table t = { 0, 0, NULL };
	unsigned long long sum[32] = { 0 }, v;
	size_t i, k, rows, ncols;
	const char *const *keys = summary_keys(&ncols);
	const size_t ncounts = ncols - 4;	/* not start end perms name */
	const struct rec *total;

	parse_text(body, ncols + first, &t);
	assert_true(t.n >= 1);
	rows = t.n - 1;
	for (i = 0; i < rows; i++) {
		assert_string_not_equal(t.r[i].f[first], "total");
		for (k = 0; k < ncounts; k++)
			sum[k] += strtoull(t.r[i].f[first + 3 + k], NULL, 10);
	}
	total = &t.r[rows];
	assert_string_equal(total->f[first], "total");
	assert_string_equal(total->f[first + 1], "-");
	assert_string_equal(total->f[first + 2], "-");
	assert_string_equal(total->f[first + 3 + ncounts], "");
	for (k = 0; k < ncounts; k++) {
		/* PSS adds up fractions of pages: rows are truncated apart. */
		if (strncmp(keys[3 + k], "pss-", 4) == 0)
			continue;
		v = strtoull(total->f[first + 3 + k], NULL, 10);
		if (v != sum[k])
			fail_msg("total %s is %llu, the rows add up to %llu",
			    keys[3 + k], v, sum[k]);
	}
	table_free(&t);
	return rows;
}

static void
should_summarise_each_mapping_with_its_counts_and_a_total(void **state)
{
	const struct child *c = *state;
	const struct layout *l = &c->layout;
	struct sb want = { NULL, 0, 0 }, header = { NULL, 0, 0 };
	struct table t = { 0, 0, NULL };
	struct result r;
	struct counts n;
	char prefix[40], *line;
	size_t i, rows;

	add_summary_header(&header, false);
	run(&r, "-s", c->arg);
	assert_ran_ok(&r);
	assert_memory_equal(r.out, header.s, header.len);

	/* The anonymous pages: 8, of which 3 present, 3 * page_size bytes. */
	n = count_pages(c->pid, l->anon, 8, false);
	assert_int_equal(n.pages, 8);
	assert_int_equal(n.present, 3);
	add_summary_row(&want, l->anon, 8, "rw-p", &n, "");
	snprintf(prefix, sizeof(prefix), "%" PRIx64 " ", (uint64_t)l->anon);
	line = line_starting(r.out, prefix);
	assert_non_null(line);
	assert_string_equal(line, sb_str(&want));
	parse_text(line, summary_ncols(), &t);
	assert_string_equal(t.r[0].f[3], "8");
	assert_string_equal(t.r[0].f[4], "3");
	assert_int_equal(strtoul(t.r[0].f[9], NULL, 10), 3 * page / 1024);
	free(line);
	table_free(&t);

	/* The shared pages: 4, 2 present and shared. */
	want.len = 0;
	n = count_pages(c->pid, l->shared, 4, false);
	assert_int_equal(n.present, 2);
	assert_int_equal(n.file, 2);
	add_summary_row(&want, l->shared, 4, "rw-s", &n,
	    "/dev/zero (deleted)");
	snprintf(prefix, sizeof(prefix), "%" PRIx64 " ", (uint64_t)l->shared);
	line = line_starting(r.out, prefix);
	assert_non_null(line);
	assert_string_equal(line, sb_str(&want));
	free(line);

	/* Every mapping row counts all its pages; the total adds them up. */
	rows = assert_total_is_the_sum(after_first_line(r.out), 0);
	assert_true(rows >= 5);
	parse_text(after_first_line(r.out), summary_ncols(), &t);
	for (i = 0; i < rows; i++)
		assert_int_equal(strtoull(t.r[i].f[3], NULL, 10),
		    (strtoull(t.r[i].f[1], NULL, 16) -
		    strtoull(t.r[i].f[0], NULL, 16)) / (uint64_t)page);
	table_free(&t);
	result_free(&r);
	sb_free(&want);
	sb_free(&header);
}

static void
should_write_the_json_summary_as_an_object_per_mapping_then_a_total(
    void **state)
{
	const struct child *c = *state;
	struct result rt, rj;
	struct jobject *objs;
	const struct jobject *o;
	const struct jmember *m;
	unsigned long long sum[32] = { 0 };
	char start[32];
	size_t i, k, n, nkeys;
	const char *const *keys = summary_keys(&nkeys);
	bool saw_anon = false;

	run(&rt, "-s", c->arg);
	run(&rj, "-s", "-f", "json", c->arg);
	assert_ran_ok(&rt);
	assert_ran_ok(&rj);
	n = parse_json_lines(rj.out, &objs);
	/* As many objects as text rows (without the header). */
	assert_int_equal(n, count_lines(rt.out) - 1);
	snprintf(start, sizeof(start), "0x%" PRIx64, (uint64_t)c->layout.anon);
	for (i = 0; i + 1 < n; i++) {
		o = &objs[i];
		m = jget(o, "total");
		assert_true(m == NULL || (m->type == J_BOOL && !m->b));
		if (o->n != nkeys && o->n != nkeys + 1)
			fail_msg("summary object %zu has %zu keys, not %zu", i,
			    o->n, nkeys);
		for (k = 0; k < nkeys; k++) {
			m = jget(o, keys[k]);
			if (m == NULL)
				fail_msg("summary object %zu has no '%s'", i,
				    keys[k]);
			if (k < 2)
				assert_true(m->type == J_STRING &&
				    is_json_hex(m->s));
			else if (k == 2 || k == nkeys - 1)
				assert_int_equal(m->type, J_STRING);
			else {
				assert_true(m->type == J_NUMBER &&
				    is_decimal(m->s));
				sum[k - 3] += strtoull(m->s, NULL, 10);
			}
		}
		if (strcmp(jget(o, "start")->s, start) == 0) {
			saw_anon = true;
			assert_string_equal(jget(o, "pages")->s, "8");
			assert_string_equal(jget(o, "present")->s, "3");
			assert_int_equal(strtoul(jget(o, "rss-kib")->s, NULL,
			    10), 3 * page / 1024);
			assert_string_equal(jget(o, "name")->s, "");
		}
	}
	assert_true(saw_anon);
	o = &objs[n - 1];
	m = jget(o, "total");
	assert_non_null(m);
	assert_int_equal(m->type, J_BOOL);
	assert_true(m->b);
	assert_null(jget(o, "start"));
	assert_null(jget(o, "end"));
	assert_null(jget(o, "perms"));
	assert_null(jget(o, "name"));
	assert_int_equal(o->n, nkeys - 4 + 1);
	for (k = 3; k < nkeys - 1; k++) {
		m = jget(o, keys[k]);
		if (m == NULL)
			fail_msg("the total has no '%s'", keys[k]);
		assert_int_equal(m->type, J_NUMBER);
		/* PSS adds up fractions of pages: rows are truncated apart. */
		if (strncmp(keys[k], "pss-", 4) != 0 &&
		    strtoull(m->s, NULL, 10) != sum[k - 3])
			fail_msg("total %s is %s, the objects add up to %llu",
			    keys[k], m->s, sum[k - 3]);
	}
	jobjects_free(objs, n);
	result_free(&rt);
	result_free(&rj);
}

static void
should_summarise_only_the_mappings_and_pages_that_m_and_P_select(void **st)
{
	const struct child *c = *st;
	const struct layout *l = &c->layout;
	struct sb want = { NULL, 0, 0 }, header = { NULL, 0, 0 };
	struct table t = { 0, 0, NULL };
	struct result r;
	struct counts n;
	char match[64], prefix[40], *line;
	size_t i, rows;

	/* -m: the one mapping, and a total of just it. */
	snprintf(match, sizeof(match), "pmd-views-%d-plain", (int)c->pid);
	n = count_pages(c->pid, l->file, 4, false);
	add_summary_header(&want, false);
	add_summary_row(&want, l->file, 4, "r--p", &n, l->name);
	sb_printf(&want, "total - - ");
	add_counts(&want, &n);
	sb_printf(&want, "\n");
	run(&r, "-s", "-m", match, c->arg);
	assert_ran_ok(&r);
	assert_string_equal(r.out, sb_str(&want));
	result_free(&r);

	/* -P: only present pages are counted, pages equals present. */
	add_summary_header(&header, false);
	want.len = 0;
	n = count_pages(c->pid, l->anon, 8, true);
	assert_int_equal(n.pages, 3);
	add_summary_row(&want, l->anon, 8, "rw-p", &n, "");
	run(&r, "-s", "-P", c->arg);
	assert_ran_ok(&r);
	assert_memory_equal(r.out, header.s, header.len);
	snprintf(prefix, sizeof(prefix), "%" PRIx64 " ", (uint64_t)l->anon);
	line = line_starting(r.out, prefix);
	assert_non_null(line);
	/* Its end is still the mapping's end: 8 pages, 3 counted. */
	assert_string_equal(line, sb_str(&want));
	parse_text(line, summary_ncols(), &t);
	assert_string_equal(t.r[0].f[3], "3");
	assert_string_equal(t.r[0].f[4], "3");
	free(line);
	table_free(&t);
	rows = assert_total_is_the_sum(after_first_line(r.out), 0);
	parse_text(after_first_line(r.out), summary_ncols(), &t);
	for (i = 0; i <= rows; i++)
		assert_string_equal(t.r[i].f[3], t.r[i].f[4]);
	table_free(&t);
	result_free(&r);
	sb_free(&want);
	sb_free(&header);
}

/* ---- several pids ---- */

static void
should_dump_several_pids_in_turn_with_a_pid_column_first(void **state)
{
	const struct child *a = *state;
	const struct child *b = &((const struct children *)*state)->b;
	struct sb want = { NULL, 0, 0 };
	struct result ra, rb, r;
	struct jobject *objs;
	char pa[20], pb[20];
	size_t i, n, na;

	snprintf(pa, sizeof(pa), "%s ", a->arg);
	snprintf(pb, sizeof(pb), "%s ", b->arg);

	/* Rows: those of each pid alone, with the pid in front. */
	run(&ra, "-H", "-m", "pmd-views-", a->arg);
	run(&rb, "-H", "-m", "pmd-views-", b->arg);
	assert_ran_ok(&ra);
	assert_ran_ok(&rb);
	assert_int_equal(count_lines(ra.out), 6);
	assert_int_equal(count_lines(rb.out), 6);
	sb_printf(&want, "pid " DEFAULT_HEADER);
	add_prefixed(&want, pa, ra.out);
	add_prefixed(&want, pb, rb.out);
	run(&r, "-m", "pmd-views-", a->arg, b->arg);
	assert_ran_ok(&r);
	assert_string_equal(r.out, sb_str(&want));
	result_free(&r);
	result_free(&ra);
	result_free(&rb);

	/* The summary too: a total per pid. */
	run(&ra, "-s", "-H", "-m", "pmd-views-", a->arg);
	run(&rb, "-s", "-H", "-m", "pmd-views-", b->arg);
	assert_ran_ok(&ra);
	assert_ran_ok(&rb);
	want.len = 0;
	add_summary_header(&want, true);
	add_prefixed(&want, pa, ra.out);
	add_prefixed(&want, pb, rb.out);
	assert_int_equal(count_lines(ra.out), 3);
	run(&r, "-s", "-m", "pmd-views-", a->arg, b->arg);
	assert_ran_ok(&r);
	assert_string_equal(r.out, sb_str(&want));
	result_free(&r);
	result_free(&ra);
	result_free(&rb);

	/* JSON: "pid" first, a's rows then b's. */
	run(&r, "-f", "json", "-m", "pmd-views-", a->arg, b->arg);
	assert_ran_ok(&r);
	n = parse_json_lines(r.out, &objs);
	assert_int_equal(n, 12);
	for (i = 0, na = 0; i < n; i++) {
		assert_string_equal(objs[i].m[0].key, "pid");
		assert_int_equal(objs[i].m[0].type, J_NUMBER);
		assert_string_equal(objs[i].m[0].s, i < 6 ? a->arg : b->arg);
		na += strcmp(objs[i].m[0].s, a->arg) == 0;
	}
	assert_int_equal(na, 6);
	jobjects_free(objs, n);
	result_free(&r);
	sb_free(&want);
}

static void
should_report_a_dead_pid_and_still_dump_the_others_exiting_1(void **st)
{
	const struct child *a = *st;
	const struct child *b = &((const struct children *)*st)->b;
	struct sb want = { NULL, 0, 0 };
	struct result ra, rb, r;
	char pa[20], pb[20], dead[16];
	pid_t pid;

	/* A pid that just died and was reaped is free for a while. */
	pid = fork();
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	snprintf(dead, sizeof(dead), "%d", (int)pid);
	snprintf(pa, sizeof(pa), "%s ", a->arg);
	snprintf(pb, sizeof(pb), "%s ", b->arg);

	run(&ra, "-H", "-m", "pmd-views-", a->arg);
	run(&rb, "-H", "-m", "pmd-views-", b->arg);
	assert_ran_ok(&ra);
	assert_ran_ok(&rb);
	sb_printf(&want, "pid " DEFAULT_HEADER);
	add_prefixed(&want, pa, ra.out);
	add_prefixed(&want, pb, rb.out);
	run(&r, "-m", "pmd-views-", a->arg, dead, b->arg);
	assert_int_equal(exit_code(&r), 1);
	assert_non_null(strstr(r.err, dead));
	assert_non_null(strstr(r.err, "no such process"));
	/* Nothing about the others (but the hidden-PFN warning). */
	if (have_sys_admin()) {
		assert_null(strstr(r.err, a->arg));
		assert_null(strstr(r.err, b->arg));
	}
	assert_string_equal(r.out, sb_str(&want));
	result_free(&r);

	/* The dead one first: the header still comes first. */
	run(&r, "-m", "pmd-views-", dead, a->arg, b->arg);
	assert_int_equal(exit_code(&r), 1);
	assert_non_null(strstr(r.err, dead));
	assert_string_equal(r.out, sb_str(&want));
	result_free(&r);
	result_free(&ra);
	result_free(&rb);
	sb_free(&want);
}

/* ---- bad arguments ---- */

static void
should_exit_2_with_usage_on_bad_view_arguments(void **state)
{
	/* Option, value, and what the message must quote. */
	static const char *const bad[][3] = {
		{ "-r", "10-10", "'10-10'" }, { "-r", "20-10", "'20-10'" },
		{ "-r", "0x1000-0x1000", "'0x1000-0x1000'" },
		{ "-r", "zz-100", "'zz-100'" }, { "-r", "10", "'10'" },
		{ "-r", "10-", "'10-'" }, { "-r", "-10", "'-10'" },
		{ "-r", "0x-0x10", "'0x-0x10'" }, { "-r", "10-0x", "'10-0x'" },
		{ "-r", "10-20-30", "'10-20-30'" },
		{ "-r", "1g-20", "'1g-20'" },
		{ "-r", " 10-20", "' 10-20'" },
		{ "-r", "10000000000000000-10000000000000001",
		    "'10000000000000000-10000000000000001'" },
		{ "--range", "2000-1000", "'2000-1000'" },
		{ "-a", "xyz", "'xyz'" }, { "-a", "", "''" },
		{ "-a", "0x", "'0x'" }, { "-a", "12-34", "'12-34'" },
		{ "-f", "bogus", "'bogus'" }, { "-f", "", "''" },
		{ "--format", "xml", "'xml'" },
		{ "-o", "", "column ''" }, { "-o", "addr,", "column ''" },
		{ "-o", ",addr", "column ''" },
		{ "-o", "addr,,pfn", "column ''" },
		{ "-o", "+", "column ''" }, { "-o", "+addr,", "column ''" },
		{ "--output", "addr, pfn", "column ' pfn'" },
	};
	struct sb many = { NULL, 0, 0 };
	struct result r;
	size_t i;
	int k;
	(void)state;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		run(&r, bad[i][0], bad[i][1], "self");
		if (exit_code(&r) != 2)
			fail_msg("%s '%s': exit %d, not 2", bad[i][0],
			    bad[i][1], exit_code(&r));
		assert_string_equal(r.out, "");
		assert_non_null(strstr(r.err, "usage: pagemap-dump"));
		if (strstr(r.err, bad[i][2]) == NULL)
			fail_msg("%s '%s': the message does not say %s: %s",
			    bad[i][0], bad[i][1], bad[i][2], r.err);
		result_free(&r);
	}
	/* --summary has its own columns. */
	run(&r, "-s", "-o", "addr", "self");
	assert_int_equal(exit_code(&r), 2);
	assert_string_equal(r.out, "");
	result_free(&r);
	/* At most 64 columns. */
	for (k = 0; k < 65; k++)
		sb_printf(&many, "%saddr", k > 0 ? "," : "");
	run(&r, "-o", sb_str(&many), "self");
	assert_int_equal(exit_code(&r), 2);
	assert_string_equal(r.out, "");
	result_free(&r);
	sb_free(&many);
}

int
main(int argc, char **argv)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup_child, teardown_children)
#define T2(f, setup) cmocka_unit_test_setup_teardown(f, setup, \
	teardown_children)
	const struct CMUnitTest tests[] = {
		T(should_print_exactly_the_listed_columns_in_order),
		T(should_append_a_plus_list_to_the_default_columns),
		T(should_head_the_file_and_name_columns_file_shared_and_library),
		cmocka_unit_test(
		    should_exit_2_listing_every_valid_column_for_an_unknown_one),
		T2(should_print_a_column_listed_many_times_that_many_times_for_a_long_name,
		    setup_long_named_child),
		T(should_split_tsv_rows_on_tabs_into_the_text_fields),
		T(should_parse_csv_back_to_the_text_fields),
		T(should_write_json_lines_keyed_by_column_name_with_typed_values),
		T(should_decode_a_hostile_json_name_to_its_bytes_with_bad_utf8_in_octal),
		T(should_leave_out_the_header_with_H_or_no_header_in_every_format),
		T(should_write_the_default_columns_as_the_general_writer_does),
		T(should_print_exactly_the_pages_inside_a_range),
		T(should_print_the_pages_of_repeated_ranges_once_each_in_order),
		T(should_print_nothing_for_the_unmapped_part_of_a_range),
		T(should_print_only_the_mappings_whose_name_contains_m),
		T(should_print_only_present_pages_with_P),
		T2(should_select_swapped_pages_with_S_and_either_with_P_and_S,
		    setup_paged_out_child),
		T(should_translate_an_address_to_its_page_and_physical_address_with_a),
		T(should_exit_1_naming_an_unmapped_address_given_to_a),
		T(should_summarise_each_mapping_with_its_counts_and_a_total),
		T(should_write_the_json_summary_as_an_object_per_mapping_then_a_total),
		T(should_summarise_only_the_mappings_and_pages_that_m_and_P_select),
		T2(should_dump_several_pids_in_turn_with_a_pid_column_first,
		    setup_two_children),
		T2(should_report_a_dead_pid_and_still_dump_the_others_exiting_1,
		    setup_two_children),
		cmocka_unit_test(should_exit_2_with_usage_on_bad_view_arguments),
	};
#undef T
#undef T2

	if (argc == 5 && strcmp(argv[1], "--child") == 0)
		return child_main(argv);
	page = sysconf(_SC_PAGESIZE);
	if (getenv("PAGEMAP_DUMP") != NULL)
		tool = getenv("PAGEMAP_DUMP");
	if (access(tool, X_OK) != 0) {
		fprintf(stderr, "test_views: %s not built (run make)\n", tool);
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
