/*
 * testlib_child: the child processes of the end-to-end tests, whose
 * address space is built from a table of mappings (see testlib.h).
 *
 * The child runs in two parts. Building: it maps every entry, touches and
 * pages out what the table says, and reports each mapping's address and
 * name on the info pipe. Serving: it reads requests to touch one more
 * page from the hold pipe, acknowledging each with a byte on the info
 * pipe, until the hold pipe closes; then it removes the files it kept
 * and exits. A child that cannot build exits TL_SETUP_FAILED after
 * saying why, and the test fails.
 */
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define FRESH_ARG "--tl-child"

/* The hold pipes of the live children: a new child must not keep them. */
#define MAX_LIVE 32
static int live[MAX_LIVE];
static size_t nlive;

/* What a child knows of one mapping while it serves. */
struct built {
	char *base;
	size_t size;
	bool writable;
};

/* In a child: says why it failed, and ends it. */
static void
child_die(const char *what, size_t i)
{
	fprintf(stderr, "testlib child: mapping %zu: %s: %s\n", i, what,
	    strerror(errno));
	_exit(TL_SETUP_FAILED);
}

static void
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			child_die("write", 0);
		p += n;
		len -= (size_t)n;
	}
}

/* Reads len bytes; returns false at the end of the pipe. */
static bool
read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* ---- page lists: "all", "0,2,5-7", "/3", "~1000" ---- */

/* Calls fn for each run of pages of a list over a mapping of n pages. */
static void
each_run(const char *list, size_t n, void (*fn)(void *, size_t, size_t),
    void *ctx)
{
	const char *p = list;
	size_t i, k;

	if (list == NULL || *list == '\0' || n == 0)
		return;
	if (strcmp(list, "all") == 0) {
		fn(ctx, 0, n);
		return;
	}
	if (*list == '/' || *list == '~') {
		k = strtoul(list + 1, NULL, 10);
		if (k == 0)
			k = 1;
		for (i = 0; i * (*list == '/' ? k : n / k) < n &&
		    (*list == '/' || i < k); i++)
			fn(ctx, i * (*list == '/' ? k : n / k), 1);
		return;
	}
	while (*p != '\0') {
		char *end;
		size_t first = strtoul(p, &end, 10), last = first;

		if (*end == '-')
			last = strtoul(end + 1, &end, 10);
		if (last >= n)
			last = n - 1;
		if (first <= last)
			fn(ctx, first, last - first + 1);
		p = *end == ',' ? end + 1 : end + strlen(end);
	}
}

static void
touch_run(void *ctx, size_t first, size_t count)
{
	const struct built *b = ctx;
	volatile char sink;
	size_t i, ps = (size_t)tl_page();

	for (i = first; i < first + count; i++) {
		if (b->writable)
			b->base[i * ps] = (char)(1 + i % 100);
		else
			sink = b->base[i * ps];
	}
	(void)sink;
}

struct pageout {
	const struct built *b;
	bool ok;
};

static void
pageout_run(void *ctx, size_t first, size_t count)
{
	struct pageout *po = ctx;
	size_t ps = (size_t)tl_page();

	po->ok = madvise(po->b->base + first * ps, count * ps,
	    MADV_PAGEOUT) == 0 && po->ok;
}

/* ---- building, in the child ---- */

static size_t
size_of(const struct tl_map *m)
{
	size_t ps = (size_t)tl_page();
	size_t size = m->bytes ? m->bytes : m->pages * ps;

	if (m->flags & TL_THP)
		size = (size + tl_thp_size() - 1) / tl_thp_size() *
		    tl_thp_size();
	return m->kind == TL_HEAP ? size : (size + ps - 1) / ps * ps;
}

/* The reservation of the TL_CONFINED mappings: the part not yet taken. */
static char *confined, *confined_end;

/*
 * Room for size bytes where nothing else will go: PROT_NONE, reserved;
 * for a TL_CONFINED mapping, the next size bytes of their reservation.
 */
static char *
reserve(size_t size, size_t i, unsigned flags)
{
	char *p;

	if (flags & TL_CONFINED) {
		if (size > (size_t)(confined_end - confined))
			child_die("place a confined mapping", i);
		p = confined;
		confined += size;
		return p;
	}
	p = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
	    MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		child_die("mmap a reservation", i);
	return p;
}

/* Reserves room for every TL_CONFINED mapping of the table, at once. */
static void
reserve_confined(const struct tl_map *t, size_t n)
{
	size_t ps = (size_t)tl_page(), total = 0, i;

	for (i = 0; i < n; i++) {
		if (!(t[i].flags & TL_CONFINED))
			continue;
		if ((t[i].flags & (TL_THP | TL_JOINED)) ||
		    t[i].kind == TL_HEAP)
			child_die("confine this kind of mapping", i);
		total += size_of(&t[i]) +
		    (t[i].flags & TL_ISOLATED ? 4 * ps : 0);
	}
	if (total == 0)
		return;
	confined = reserve(total, 0, 0);
	confined_end = confined + total;
}

/*
 * Where mapping i goes: anywhere (NULL); for TL_ISOLATED between two
 * holes each held by a guard page; for TL_THP aligned to a huge page;
 * for TL_JOINED after the previous one, in a reservation made for the
 * whole group by its first mapping; for TL_CONFINED (with TL_ISOLATED or
 * not) in the reservation of the confined mappings.
 */
static char *
place(const struct tl_map *t, size_t n, size_t i, char **next)
{
	size_t ps = (size_t)tl_page(), size = size_of(&t[i]), group, k;
	uint64_t hp = tl_thp_size();
	char *p;

	if (t[i].flags & TL_JOINED)
		return *next;
	for (group = size, k = i + 1; k < n && (t[k].flags & TL_JOINED); k++)
		group += size_of(&t[k]);
	if (k > i + 1)
		return *next = reserve(group, i, 0);
	if (t[i].flags & TL_ISOLATED) {
		p = reserve(size + 4 * ps, i, t[i].flags);
		if (munmap(p + ps, ps) != 0 ||
		    munmap(p + size + 2 * ps, ps) != 0)
			child_die("munmap the holes", i);
		return p + 2 * ps;
	}
	if (t[i].flags & TL_THP) {
		char *aligned;

		p = reserve(size + hp, i, 0);
		aligned = (char *)(((uintptr_t)p + hp - 1) / hp * hp);
		/* Trimmed to exactly the huge pages: no neighbour of ours. */
		if ((aligned > p && munmap(p, (size_t)(aligned - p)) != 0) ||
		    (p + size + hp > aligned + size && munmap(aligned + size,
		    (size_t)(p + size + hp - aligned - size)) != 0))
			child_die("munmap around the huge pages", i);
		return aligned;
	}
	return t[i].flags & TL_CONFINED ? reserve(size, i, t[i].flags) : NULL;
}

/* Makes mapping i's file: pages of zero bytes, out of the cache if cold. */
static int
make_file(const struct tl_map *m, const char *path, size_t size, size_t i)
{
	int fd;
	char *zero;

	if (m->flags & TL_EXISTING) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			child_die("open", i);
		return fd;
	}
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	zero = calloc(1, size);
	if (fd < 0 || zero == NULL)
		child_die("create the file", i);
	write_all(fd, zero, size);
	free(zero);
	if (m->flags & TL_COLD) {
		/* So that only what the touches bring in is there. */
		fdatasync(fd);
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	}
	return fd;
}

/* Maps entry i at where (or anywhere); sets its name. */
static char *
map_one(const struct tl_map *m, char *where, size_t i, const char *path,
    struct tl_buf *name)
{
	size_t size = size_of(m);
	int prot = m->prot ? m->prot : m->kind == TL_FILE ? PROT_READ :
	    PROT_READ | PROT_WRITE;
	int flags = (where != NULL ? MAP_FIXED : 0) |
	    (m->flags & TL_NORESERVE ? MAP_NORESERVE : 0);
	int fd = -1;
	char memfd_name[32];
	char *p;

	switch (m->kind) {
	case TL_HEAP:
		if ((p = malloc(size)) == NULL)
			child_die("malloc", i);
		memset(p, 'h', size);
		tl_buf_adds(name, "[heap]");
		return p;
	case TL_ANON:
		flags |= MAP_PRIVATE | MAP_ANONYMOUS;
		break;
	case TL_SHARED:
		flags |= MAP_SHARED | MAP_ANONYMOUS;
		tl_buf_adds(name, "/dev/zero (deleted)");
		break;
	case TL_MEMFD:
		snprintf(memfd_name, sizeof(memfd_name), "tl-%zu", i);
		fd = memfd_create(memfd_name, MFD_CLOEXEC);
		if (fd < 0 || ftruncate(fd, (off_t)size) != 0)
			child_die("memfd", i);
		flags |= MAP_SHARED;
		tl_buf_printf(name, "/memfd:%s (deleted)", memfd_name);
		break;
	case TL_FILE:
		fd = make_file(m, path, size, i);
		flags |= MAP_PRIVATE;
		tl_buf_printf(name, "%s%s", path, m->flags & TL_DELETED ?
		    " (deleted)" : "");
		break;
	}
	p = mmap(where, size, prot, flags, fd, 0);
	if (p == MAP_FAILED)
		child_die("mmap", i);
	if (fd >= 0)
		close(fd);
	if ((m->flags & TL_DELETED) && unlink(path) != 0)
		child_die("unlink", i);
	return p;
}

/* The path of entry i's file, as the table gives it or under /tmp. */
static void
path_of(const struct tl_map *m, size_t i, struct tl_buf *path)
{
	if (m->kind != TL_FILE)
		tl_buf_adds(path, "");
	else if (m->path != NULL)
		tl_buf_adds(path, m->path);
	else
		tl_buf_printf(path, "/tmp/pmd-tl-%d-%zu", (int)getpid(), i);
}

/* Builds entry i, and appends its report to out. */
static void
build_one(const struct tl_map *t, size_t n, size_t i, char **next,
    struct built *b, struct tl_buf *out)
{
	struct tl_buf path = { NULL, 0, 0 }, name = { NULL, 0, 0 };
	struct pageout po = { b, true };
	uint64_t rec[4];
	bool thp_ok = false;

	path_of(&t[i], i, &path);
	tl_buf_adds(&name, "");
	b->size = size_of(&t[i]);
	b->base = map_one(&t[i], place(t, n, i, next), i, path.s, &name);
	b->writable = t[i].kind != TL_FILE && (t[i].prot == 0 ||
	    (t[i].prot & PROT_WRITE));
	*next = b->base + b->size;
	if (t[i].kind == TL_ANON && !(t[i].flags & TL_THP))
		madvise(b->base, b->size, MADV_NOHUGEPAGE);
	if (t[i].flags & TL_THP)
		thp_ok = madvise(b->base, b->size, MADV_HUGEPAGE) == 0;
	each_run(t[i].touch, b->size / (size_t)tl_page(), touch_run, b);
	each_run(t[i].pageout, b->size / (size_t)tl_page(), pageout_run, &po);
	rec[0] = (uintptr_t)b->base;
	rec[1] = b->size;
	rec[2] = (uint64_t)po.ok | (uint64_t)thp_ok << 1;
	rec[3] = ((uint64_t)path.len << 32) | name.len;
	tl_buf_add(out, (const char *)rec, sizeof(rec));
	tl_buf_add(out, path.s, path.len);
	tl_buf_add(out, name.s, name.len);
	tl_buf_free(&path);
	tl_buf_free(&name);
}

/* Touches pages on request until the hold pipe closes. */
static void
serve(const struct built *b, size_t n, int info, int hold)
{
	uint64_t req[2];

	while (read_all(hold, req, sizeof(req))) {
		if (req[0] < n && req[1] < b[req[0]].size / (size_t)tl_page())
			touch_run((void *)&b[req[0]], req[1], 1);
		write_all(info, "x", 1);
	}
}

/* The child: builds the table, reports, serves, cleans up and exits. */
static void
child_run(const struct tl_map *t, size_t n, int info, int hold)
{
	struct tl_buf out = { NULL, 0, 0 };
	struct built *b = calloc(n + 1, sizeof(*b));
	char *next = NULL;
	size_t i;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (b == NULL)
		child_die("calloc", 0);
	reserve_confined(t, n);
	for (i = 0; i < n; i++)
		build_one(t, n, i, &next, &b[i], &out);
	write_all(info, out.s, out.len);
	serve(b, n, info, hold);
	for (i = 0; i < n; i++) {
		struct tl_buf path = { NULL, 0, 0 };

		path_of(&t[i], i, &path);
		if (t[i].kind == TL_FILE &&
		    !(t[i].flags & (TL_DELETED | TL_EXISTING)))
			unlink(path.s);
		tl_buf_free(&path);
	}
	_exit(0);
}

/* ---- the table through a pipe, for a TL_FRESH child ---- */

static void
put_str(struct tl_buf *b, const char *s)
{
	uint64_t len = s == NULL ? UINT64_MAX : strlen(s);

	tl_buf_add(b, (const char *)&len, sizeof(len));
	if (s != NULL)
		tl_buf_add(b, s, strlen(s));
}

static const char *
get_str(int fd)
{
	uint64_t len;
	char *s;

	if (!read_all(fd, &len, sizeof(len)))
		child_die("read the table", 0);
	if (len == UINT64_MAX)
		return NULL;
	if ((s = calloc(1, len + 1)) == NULL || !read_all(fd, s, len))
		child_die("read the table", 0);
	return s;
}

static void
send_table(int fd, const struct tl_map *t, size_t n)
{
	struct tl_buf b = { NULL, 0, 0 };
	uint64_t v[5];
	size_t i;

	tl_buf_add(&b, (const char *)&(uint64_t){ n }, sizeof(uint64_t));
	for (i = 0; i < n; i++) {
		v[0] = t[i].kind;
		v[1] = t[i].pages;
		v[2] = t[i].bytes;
		v[3] = t[i].flags;
		v[4] = (uint64_t)(unsigned)t[i].prot;
		tl_buf_add(&b, (const char *)v, sizeof(v));
		put_str(&b, t[i].touch);
		put_str(&b, t[i].pageout);
		put_str(&b, t[i].path);
	}
	if (write(fd, b.s, b.len) != (ssize_t)b.len)
		fail_msg("sending the table to the child: %s",
		    strerror(errno));
	tl_buf_free(&b);
}

void
tl_child_main(int argc, char **argv)
{
	struct tl_map *t;
	uint64_t n, v[5];
	size_t i;
	int info, hold;

	if (argc != 4 || strcmp(argv[1], FRESH_ARG) != 0)
		return;
	info = atoi(argv[2]);
	hold = atoi(argv[3]);
	if (!read_all(hold, &n, sizeof(n)) ||
	    (t = calloc(n + 1, sizeof(*t))) == NULL)
		child_die("read the table", 0);
	for (i = 0; i < n; i++) {
		if (!read_all(hold, v, sizeof(v)))
			child_die("read the table", i);
		t[i].kind = (enum tl_kind)v[0];
		t[i].pages = v[1];
		t[i].bytes = v[2];
		t[i].flags = (unsigned)v[3];
		t[i].prot = (int)v[4];
		t[i].touch = get_str(hold);
		t[i].pageout = get_str(hold);
		t[i].path = get_str(hold);
	}
	child_run(t, n, info, hold);
}

/* ---- the test's side ---- */

/* In a new child: closes the hold pipes of the others, or they live on. */
static void
close_others(void)
{
	size_t i;

	for (i = 0; i < nlive; i++)
		close(live[i]);
}

/* Reads the child's report of its n mappings. */
static void
read_report(struct tl_child *c, int info)
{
	uint64_t rec[4];
	size_t i, plen, nlen;

	c->map = calloc(c->n + 1, sizeof(*c->map));
	if (c->map == NULL)
		fail_msg("out of memory");
	for (i = 0; i < c->n; i++) {
		struct tl_mapped *m = &c->map[i];

		if (!read_all(info, rec, sizeof(rec)))
			fail_msg("child %d could not build its mappings (its "
			    "stderr says why)", (int)c->pid);
		m->addr = (uintptr_t)rec[0];
		m->size = rec[1];
		m->pageout_ok = rec[2] & 1;
		m->thp_ok = rec[2] >> 1 & 1;
		plen = rec[3] >> 32;
		nlen = rec[3] & 0xffffffff;
		m->path = calloc(1, plen + 1);
		m->name = calloc(1, nlen + 1);
		if (m->path == NULL || m->name == NULL ||
		    !read_all(info, m->path, plen) ||
		    !read_all(info, m->name, nlen))
			fail_msg("child %d: a short report", (int)c->pid);
	}
}

/* In the new child: runs the table here, or this program afresh. */
static void
child_begin(const struct tl_map *table, size_t n, unsigned flags,
    int info, int hold)
{
	char a_info[16], a_hold[16];

	close_others();
	if (!(flags & TL_FRESH))
		child_run(table, n, info, hold);
	if (fcntl(info, F_SETFD, 0) != 0 || fcntl(hold, F_SETFD, 0) != 0)
		child_die("fcntl", 0);
	snprintf(a_info, sizeof(a_info), "%d", info);
	snprintf(a_hold, sizeof(a_hold), "%d", hold);
	execl("/proc/self/exe", "testlib-child", FRESH_ARG, a_info, a_hold,
	    (char *)NULL);
	child_die("exec /proc/self/exe", 0);
}

/* Closes both ends of a pipe, keeping errno for the caller. */
static void
close_pair(const int p[2])
{
	int saved = errno;

	close(p[0]);
	close(p[1]);
	errno = saved;
}

pid_t
tl_fork_held(int *info, int *hold)
{
	int in[2], ho[2];
	pid_t pid;

	/* Close-on-exec: no other process may keep a child alive. */
	if (pipe2(in, O_CLOEXEC) != 0)
		return -1;
	if (pipe2(ho, O_CLOEXEC) != 0) {
		close_pair(in);
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close_pair(in);
		close_pair(ho);
		return -1;
	}
	close(pid == 0 ? in[0] : in[1]);
	close(pid == 0 ? ho[1] : ho[0]);
	*info = pid == 0 ? in[1] : in[0];
	*hold = pid == 0 ? ho[0] : ho[1];
	return pid;
}

void
tl_wait_for_close(int hold)
{
	char byte;

	while (read(hold, &byte, 1) > 0)
		;
}

void
tl_child_start(struct tl_child *c, const struct tl_map *table, size_t n,
    unsigned flags)
{
	int info, hold;

	memset(c, 0, sizeof(*c));
	c->n = n;
	c->ack = c->hold = -1;
	c->pid = tl_fork_held(&info, &hold);
	if (c->pid < 0)
		fail_msg("pipe or fork: %s", strerror(errno));
	if (c->pid == 0)
		child_begin(table, n, flags, info, hold);
	c->hold = hold;
	c->ack = info;
	if (nlive < MAX_LIVE)
		live[nlive++] = c->hold;
	snprintf(c->arg, sizeof(c->arg), "%d", (int)c->pid);
	if (flags & TL_FRESH)
		send_table(c->hold, table, n);
	read_report(c, info);
}

void
tl_child_touch(struct tl_child *c, size_t i, size_t page)
{
	uint64_t req[2] = { i, page };
	char byte;

	if (write(c->hold, req, sizeof(req)) != (ssize_t)sizeof(req) ||
	    !read_all(c->ack, &byte, 1))
		fail_msg("child %d did not touch page %zu of mapping %zu",
		    (int)c->pid, page, i);
}

void
tl_child_stop(struct tl_child *c)
{
	size_t i;

	if (c->pid <= 0)
		return;
	for (i = 0; i < nlive; i++)
		if (live[i] == c->hold)
			live[i] = live[--nlive];
	close(c->hold);
	close(c->ack);
	tl_wait(c->pid);
	for (i = 0; i < c->n && c->map != NULL; i++) {
		free(c->map[i].path);
		free(c->map[i].name);
	}
	free(c->map);
	memset(c, 0, sizeof(*c));
}
