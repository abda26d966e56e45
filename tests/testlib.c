/*
 * testlib: what the end-to-end tests share; see testlib.h. The child
 * processes are in testlib_child.c, the output readers in
 * testlib_read.c (and, for what needs no cmocka, readers.c); this file
 * has the runs of the tool, what the kernel says and the skips.
 */
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PFN_MASK ((UINT64_C(1) << 55) - 1)

long
tl_page(void)
{
	static long page;

	if (page == 0)
		page = sysconf(_SC_PAGESIZE);
	return page;
}

/* ---- reading into a buffer (the rest of it is in readers.c) ---- */

ssize_t
tl_buf_read_some(struct tl_buf *b, int fd, size_t max)
{
	ssize_t n;

	tl_buf_reserve(b, max);
	do
		n = read(fd, b->s + b->len, max);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		fail_msg("read: %s", strerror(errno));
	b->len += (size_t)n;
	b->s[b->len] = '\0';
	return n;
}

void
tl_buf_read_fd(struct tl_buf *b, int fd)
{
	while (tl_buf_read_some(b, fd, 65536) > 0)
		;
}

/* ---- small text helpers ---- */

char *
tl_read_file(const char *path)
{
	struct tl_buf b = { NULL, 0, 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	tl_buf_read_fd(&b, fd);
	close(fd);
	return b.s;
}

char *
tl_read_memfd(int fd)
{
	struct tl_buf b = { NULL, 0, 0 };

	lseek(fd, 0, SEEK_SET);
	tl_buf_read_fd(&b, fd);
	return b.s;
}

bool
tl_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text);
}

size_t
tl_count_lines(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

bool
tl_starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool
tl_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Whether c may be part of a word: a flag or column name. */
static bool
word_char(char c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool
tl_has_word(const char *text, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = strstr(text, word); p != NULL; p = strstr(p + 1, word))
		if ((p == text || !word_char(p[-1])) && !word_char(p[n]))
			return true;
	return false;
}

bool
tl_is_hex(const char *s)
{
	return *s != '\0' && strspn(s, "0123456789abcdef") == strlen(s);
}

bool
tl_is_decimal(const char *s)
{
	return *s != '\0' && strspn(s, "0123456789") == strlen(s);
}

int
tl_split(char *s, char sep, char **f, int max)
{
	int n = 0;

	f[n++] = s;
	while (n < max && (s = strchr(s, sep)) != NULL) {
		*s++ = '\0';
		f[n++] = s;
	}
	return n;
}

void
tl_lines_split(struct tl_lines *ls, const char *text)
{
	size_t cap = 16;
	char *p;

	ls->buf = strdup(text);
	ls->v = malloc(cap * sizeof(*ls->v));
	ls->n = 0;
	if (ls->buf == NULL || ls->v == NULL)
		fail_msg("out of memory");
	for (p = ls->buf; *p != '\0';) {
		char *nl = strchr(p, '\n');

		if ((size_t)ls->n == cap) {
			ls->v = realloc(ls->v, (cap *= 2) * sizeof(*ls->v));
			if (ls->v == NULL)
				fail_msg("out of memory");
		}
		ls->v[ls->n++] = p;
		if (nl == NULL)
			break;
		*nl = '\0';
		p = nl + 1;
	}
}

void
tl_lines_free(struct tl_lines *ls)
{
	free(ls->buf);
	free(ls->v);
	ls->buf = NULL;
	ls->v = NULL;
	ls->n = 0;
}

/* ---- running the tool ---- */

const char *
tl_tool(void)
{
	const char *t = getenv("PAGEMAP_DUMP");

	return t != NULL && *t != '\0' ? t : "./pagemap-dump";
}

int
tl_check_tool(const char *program)
{
	if (access(tl_tool(), X_OK) == 0)
		return 0;
	fprintf(stderr, "%s: %s not built (run make)\n", program, tl_tool());
	return 1;
}

/* In the forked child of tl_spawn: everything but the exec itself. */
static void
prepare_tool(const struct tl_how *how, int out, int err)
{
	const char *const *env;

	if (dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(TL_SETUP_FAILED);
	signal(SIGPIPE, SIG_DFL);
	for (env = how->env; env != NULL && *env != NULL; env++)
		if (putenv((char *)*env) != 0)
			_exit(TL_SETUP_FAILED);
	if (how->drop_admin &&
	    prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0) != 0)
		_exit(TL_SETUP_FAILED);
	if (how->as_nobody && (setgroups(0, NULL) != 0 ||
	    setgid(65534) != 0 || setuid(65534) != 0))
		_exit(TL_SETUP_FAILED);
	if (how->timeout > 0)
		alarm(how->timeout);	/* kept across execve */
}

pid_t
tl_spawn(const struct tl_how *how, int out, int err, const char *const *args)
{
	static const struct tl_how plain;
	const char *argv[64];
	int n = 0;
	pid_t pid;

	if (how == NULL)
		how = &plain;
	argv[n++] = tl_tool();
	while (args != NULL && *args != NULL && n < 63)
		argv[n++] = *args++;
	argv[n] = NULL;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		fail_msg("fork: %s", strerror(errno));
	if (pid == 0) {
		/* Opened while root: nobody may not reach it by its path. */
		int self = open(argv[0], O_RDONLY | O_CLOEXEC);

		prepare_tool(how, out, err);
		execv(argv[0], (char *const *)argv);
		if (errno == EACCES && self >= 0)
			fexecve(self, (char *const *)argv, environ);
		_exit(TL_SETUP_FAILED);
	}
	return pid;
}

int
tl_wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			fail_msg("waitpid: %s", strerror(errno));
	return status;
}

static int
new_memfd(const char *name)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	if (fd < 0)
		fail_msg("memfd_create: %s", strerror(errno));
	return fd;
}

void
tl_run_how(struct tl_run *r, const struct tl_how *how,
    const char *const *args)
{
	bool away = how != NULL && how->out_fd > 0;
	int out = away ? how->out_fd : new_memfd("out");
	int err = new_memfd("err");

	r->status = tl_wait(tl_spawn(how, out, err, args));
	r->out = away ? strdup("") : tl_read_memfd(out);
	r->err = tl_read_memfd(err);
	if (!away)
		close(out);
	close(err);
}

void
tl_run(struct tl_run *r, const char *const *env, const char *const *args)
{
	struct tl_how how;

	memset(&how, 0, sizeof(how));
	how.env = env;
	tl_run_how(r, &how, args);
}

int
tl_exit_code(const struct tl_run *r)
{
	return WIFEXITED(r->status) ? WEXITSTATUS(r->status) : -1;
}

void
tl_assert_not_killed(int status, const char *what, const char *err)
{
	int sig;

	if (!WIFSIGNALED(status))
		return;
	sig = WTERMSIG(status);
	if (sig == SIGALRM)
		fail_msg("%s: still running at its timeout, so killed: a loop?",
		    what);
	fail_msg("%s: killed by signal %d (%s); stderr: %s", what, sig,
	    strsignal(sig), err);
}

void
tl_assert_ran_ok(const struct tl_run *r)
{
	tl_assert_not_killed(r->status, "the tool", r->err);
	if (tl_exit_code(r) != 0)
		fail_msg("exit %d, stderr: %s", tl_exit_code(r), r->err);
	if (tl_have_sys_admin() && r->err[0] != '\0')
		fail_msg("unexpected stderr: %s", r->err);
}

void
tl_run_free(struct tl_run *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

/* ---- what the kernel says ---- */

void
tl_pagemap(pid_t pid, uint64_t addr, uint64_t *e, size_t n)
{
	char path[64];
	ssize_t got;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail_msg("open %s: %s", path, strerror(errno));
	got = pread(fd, e, n * sizeof(*e),
	    (off_t)(addr / (uint64_t)tl_page() * sizeof(*e)));
	close(fd);
	if (got != (ssize_t)(n * sizeof(*e)))
		fail_msg("pread %s: short read", path);
}

struct tl_page
tl_page_state(pid_t pid, uint64_t addr)
{
	struct tl_page s;
	uint64_t e;

	tl_pagemap(pid, addr, &e, 1);
	memset(&s, 0, sizeof(s));
	s.raw = e;
	s.present = (int)(e >> 63 & 1);
	s.swapped = (int)(e >> 62 & 1);
	s.file = (int)(e >> 61 & 1);
	s.exclusive = (int)(e >> 56 & 1);
	s.soft_dirty = (int)(e >> 55 & 1);
	s.pfn = s.present ? e & PFN_MASK : 0;
	if (s.swapped && !s.present) {
		s.swap_type = (unsigned)(e & 31);
		s.swap_offset = (e & PFN_MASK) >> 5;
	}
	return s;
}

/* Reads one maps line into v; returns false when it is not one. */
static bool
maps_line(const char *line, struct tl_vma *v)
{
	int at = 0;
	const char *name;

	memset(v, 0, sizeof(*v));
	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %15s %lu%n",
	    &v->start, &v->end, v->perms, &v->offset, v->dev, &v->inode,
	    &at) != 6 || at == 0)
		return false;
	for (name = line + at; *name == ' '; name++)
		;
	v->name = strdup(name);
	return v->name != NULL;
}

size_t
tl_maps(pid_t pid, struct tl_vma **v)
{
	char path[64], *text;
	struct tl_lines ls;
	size_t n = 0;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	text = tl_read_file(path);
	if (text == NULL)
		fail_msg("open %s: %s", path, strerror(errno));
	tl_lines_split(&ls, text);
	free(text);
	*v = calloc((size_t)ls.n + 1, sizeof(**v));
	if (*v == NULL)
		fail_msg("out of memory");
	for (i = 0; i < ls.n; i++)
		n += maps_line(ls.v[i], &(*v)[n]);
	tl_lines_free(&ls);
	return n;
}

void
tl_vmas_free(struct tl_vma *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

struct tl_vma
tl_vma_at(pid_t pid, uint64_t start)
{
	struct tl_vma *v, found;
	size_t i, n = tl_maps(pid, &v);

	for (i = 0; i < n && v[i].start != start; i++)
		;
	if (i == n)
		fail_msg("no mapping at %" PRIx64 " in /proc/%d/maps", start,
		    (int)pid);
	found = v[i];
	found.name = NULL;	/* freed with the others */
	tl_vmas_free(v, n);
	return found;
}

long
tl_proc_number(pid_t pid, const char *file, const char *key)
{
	char path[64], line[256];
	size_t n = strlen(key);
	long v = -1;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fp = fopen(path, "r");
	if (fp == NULL)
		return -1;
	while (v < 0 && fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, key, n) == 0)
			v = strtol(line + n, NULL, 10);
	fclose(fp);
	return v;
}

long
tl_smaps_kb(pid_t pid, uint64_t start, const char *field)
{
	char path[64], head[32], *text;
	struct tl_lines ls;
	long kb = -1;
	bool in = false;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	snprintf(head, sizeof(head), "%" PRIx64 "-", start);
	if ((text = tl_read_file(path)) == NULL)
		return -1;
	tl_lines_split(&ls, text);
	free(text);
	for (i = 0; i < ls.n; i++) {
		char c = ls.v[i][0];

		/* A mapping's line starts with its address, a field's with
		 * a capital. */
		if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))
			in = tl_starts_with(ls.v[i], head);
		else if (in && tl_starts_with(ls.v[i], field))
			kb = strtol(ls.v[i] + strlen(field), NULL, 10);
	}
	tl_lines_free(&ls);
	return kb;
}

/* ---- what the machine can do ---- */

bool
tl_is_root(void)
{
	return geteuid() == 0;
}

bool
tl_have_sys_admin(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) != 0)
		return false;
	return (d[0].effective >> CAP_SYS_ADMIN) & 1;
}

bool
tl_swap_exists(void)
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

uint64_t
tl_thp_size(void)
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

bool
tl_thp_enabled(void)
{
	char *s = tl_read_file("/sys/kernel/mm/transparent_hugepage/enabled");
	bool on = s != NULL && strstr(s, "[never]") == NULL;

	free(s);
	return on;
}

/*
 * The frames of the kernel's code, from /proc/iomem: flags that do not
 * change while a test runs (they are reserved). Returns false when it
 * lists none.
 */
bool
tl_kernel_code_frames(uint64_t *start, uint64_t *end)
{
	char *iomem = tl_read_file("/proc/iomem");
	unsigned long long a = 0, b = 0;
	struct tl_lines ls;
	bool found = false;
	int i;

	tl_lines_split(&ls, iomem != NULL ? iomem : "");
	for (i = 0; i < ls.n && !found; i++)
		found = tl_ends_with(ls.v[i], " : Kernel code") &&
		    sscanf(ls.v[i], " %llx-%llx", &a, &b) == 2 && b > a;
	tl_lines_free(&ls);
	free(iomem);
	if (found) {
		*start = a / (uint64_t)tl_page();
		*end = (b + 1) / (uint64_t)tl_page();
	}
	return found && *end > *start;
}

bool
tl_have_pagemap_scan(void)
{
	uint64_t arg[12] = { sizeof(arg) };	/* a bad range: EINVAL */
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return false;
	rc = ioctl(fd, _IOWR('f', 16, uint64_t[12]), arg);
	close(fd);
	return !(rc < 0 && errno == ENOTTY);
}

/* A count of /proc/meminfo ("HugePages_Free:"), or -1. */
static long
meminfo(const char *field)
{
	char line[256];
	long v = -1;
	FILE *fp = fopen("/proc/meminfo", "r");

	if (fp == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (tl_starts_with(line, field))
			v = strtol(line + strlen(field), NULL, 10);
	fclose(fp);
	return v;
}

/* ---- skips ---- */

void
tl_skip(const char *why)
{
	printf("[  SKIP    ] %s\n", why);
	fflush(stdout);
	skip();
}

void
tl_skipf(const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	tl_skip(why);
}

void
tl_require_root(void)
{
	if (!tl_is_root())
		tl_skip("not root: run the tests as root to check this");
}

void
tl_require_sys_admin(void)
{
	if (!tl_have_sys_admin())
		tl_skip("no CAP_SYS_ADMIN: PFNs are hidden, so this is "
		    "checked only as root");
}

void
tl_require_swap(void)
{
	if (!tl_swap_exists())
		tl_skip("no swap on this machine: paged-out pages not "
		    "checked (swapon a swap file to run it)");
}

void
tl_require_thp(void)
{
	if (access("/sys/kernel/mm/transparent_hugepage", F_OK) != 0)
		tl_skip("no /sys/kernel/mm/transparent_hugepage: a kernel "
		    "without THP");
	if (!tl_thp_enabled())
		tl_skip("transparent huge pages are disabled ([never])");
}

void
tl_require_hugetlb(long pages)
{
	long free_pages = meminfo("HugePages_Free:");

	if (free_pages < pages)
		tl_skipf("%ld free hugetlb pages, %ld needed (set "
		    "/proc/sys/vm/nr_hugepages)", free_pages < 0 ? 0 :
		    free_pages, pages);
}
