/*
 * End-to-end tests of the node column and --by: on a child with a known
 * address space, the node of each page must be that of the memory block
 * its frame lies in, in a synthetic sysfs layout of several nodes
 * (PAGEMAP_DUMP_SYSFS) built by this test from the child's own PFNs; the
 * summary split by node must count as /proc/PID/numa_maps counts on the
 * real machine, and as this test counts the frames in the synthetic one;
 * without root the nodes come from move_pages(2), for a process of the
 * same user only; and the errors of a malformed layout and of --by.
 *
 * What the machine cannot show (not root: no PFNs, no other user) is
 * skipped with the reason printed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

#define PM_PRESENT_BIT (1ULL << 63)
#define PM_PFN_BITS ((1ULL << 55) - 1)
#define NONE UINT64_MAX
#define BLOCK_BYTES 0x200000ULL	/* the synthetic block: 2 MiB */
#define FINE_PAGES 4		/* a fine block, for --ranges: 4 pages */
#define NSLOTS 65		/* nodes 0-63, and slot 64 for none */
#define NOBODY 65534
#define USER_PAGES 16
#define ZERO_PAGES 4
#define TRIES 5

static long page;

/* ---- the child ---- */

enum { ANON, ZERO, FILE_MAP, HEAP, NMAPS };

/*
 * Anonymous pages written (and some not), anonymous pages only read (the
 * zero page), a file read, the heap.
 */
static const struct tl_map layout[NMAPS] = {
	[ANON] = { .kind = TL_ANON, .pages = 64, .touch = "0-23,40-63" },
	[ZERO] = { .kind = TL_ANON, .pages = 8, .prot = PROT_READ,
	    .touch = "all" },
	[FILE_MAP] = { .kind = TL_FILE, .pages = 32, .touch = "all" },
	[HEAP] = { .kind = TL_HEAP, .pages = 8 },
};

static struct tl_child child;
static pid_t user_child = -1;	/* the child of user nobody */
static int user_hold = -1;

/* ---- the child's frames, read from its pagemap ---- */

struct vm {
	uint64_t start, end;
	uint64_t *pfn;		/* per page; 0 when not present */
	size_t n;
};

struct frames {
	struct vm *v;
	size_t n;
	uint64_t max_pfn;
};

/* Reads the PFN of every page of pid, mapping by mapping. */
static void
frames_read(pid_t pid, struct frames *f)
{
	struct tl_vma *vmas;
	size_t n = tl_maps(pid, &vmas), i, k;

	memset(f, 0, sizeof(*f));
	f->v = calloc(n, sizeof(*f->v));
	assert_non_null(f->v);
	for (i = 0; i < n; i++) {
		struct vm *v = &f->v[f->n];
		if (vmas[i].start >= (1ULL << 47))
			continue;	/* [vsyscall]: no pagemap entries */
		v->start = vmas[i].start;
		v->end = vmas[i].end;
		v->n = (size_t)((v->end - v->start) / (uint64_t)page);
		v->pfn = malloc(v->n * sizeof(*v->pfn));
		assert_non_null(v->pfn);
		tl_pagemap(pid, v->start, v->pfn, v->n);
		for (k = 0; k < v->n; k++) {
			v->pfn[k] = v->pfn[k] & PM_PRESENT_BIT ?
			    v->pfn[k] & PM_PFN_BITS : 0;
			if (v->pfn[k] > f->max_pfn)
				f->max_pfn = v->pfn[k];
		}
		f->n++;
	}
	tl_vmas_free(vmas, n);
}

static bool
frames_same(const struct frames *a, const struct frames *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (a->v[i].start != b->v[i].start || a->v[i].n != b->v[i].n ||
		    memcmp(a->v[i].pfn, b->v[i].pfn,
		    a->v[i].n * sizeof(uint64_t)) != 0)
			return false;
	return true;
}

static void
frames_free(struct frames *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		free(f->v[i].pfn);
	free(f->v);
	memset(f, 0, sizeof(*f));
}

/* ---- the synthetic layout ---- */

/* A sysfs tree in a temporary directory, and the blocks it lists. */
struct tree {
	char dir[64];		/* "" when there is none */
	char env[96];		/* PAGEMAP_DUMP_SYSFS=dir */
	uint64_t block_pages;
	uint64_t *blocks;	/* ascending */
	size_t n;
};

static struct tree coarse, fine;

/* Block M goes to node 3 when M % 3 is 2, else to node M % 2. */
static unsigned
node_of_block(uint64_t m)
{
	return m % 3 == 2 ? 3 : (unsigned)(m % 2);
}

static int
compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Whether frame pfn is the zero page or part of the huge one, as
 * /proc/kpageflags says (zero_page, bit 24): such frames have no node.
 */
static bool
zero_frame(uint64_t pfn)
{
	uint64_t flags = 0;
	int fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		fail_msg("/proc/kpageflags: %s", strerror(errno));
	if (pread(fd, &flags, sizeof(flags), (off_t)(pfn * 8)) !=
	    (ssize_t)sizeof(flags))
		flags = 0;
	close(fd);
	return (flags >> 24 & 1) != 0;
}

/*
 * The node the tree gives frame pfn: NONE for 0, outside its blocks and
 * for the zero pages.
 */
static uint64_t
tree_node(const struct tree *t, uint64_t pfn)
{
	uint64_t b = pfn / t->block_pages;

	if (pfn == 0 || zero_frame(pfn) || bsearch(&b, t->blocks, t->n, sizeof(b),
	    compare_u64) == NULL)
		return NONE;
	return node_of_block(b);
}

/* Makes dir/rel (a directory), failing the test when it cannot. */
static void
make_dir(const char *dir, const char *rel)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if (mkdir(path, 0755) != 0)
		fail_msg("mkdir %s: %s", path, strerror(errno));
}

/* Writes text to dir/rel, a new file. */
static void
put_file(const char *dir, const char *rel, const char *text)
{
	char path[192];
	size_t len = strlen(text);
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		fail_msg("write %s: %s", path, strerror(errno));
	close(fd);
}

/*
 * Makes the tree of t (its blocks set) with block_size_bytes as given:
 * nodes 0, 1 and 3, each block an empty file memoryM in its node.
 */
static void
tree_make(struct tree *t, const char *block_size)
{
	static const char *const dirs[] = { "devices", "devices/system",
	    "devices/system/memory", "devices/system/node",
	    "devices/system/node/node0", "devices/system/node/node1",
	    "devices/system/node/node3" };
	char rel[96];
	size_t i;

	snprintf(t->dir, sizeof(t->dir), "/tmp/pmd-nodes-XXXXXX");
	if (mkdtemp(t->dir) == NULL)
		fail_msg("mkdtemp: %s", strerror(errno));
	snprintf(t->env, sizeof(t->env), "PAGEMAP_DUMP_SYSFS=%s", t->dir);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		make_dir(t->dir, dirs[i]);
	put_file(t->dir, "devices/system/memory/block_size_bytes",
	    block_size);
	for (i = 0; i < t->n; i++) {
		snprintf(rel, sizeof(rel), "devices/system/node/node%u/memory%"
		    PRIu64, node_of_block(t->blocks[i]), t->blocks[i]);
		put_file(t->dir, rel, "");
	}
}

static int
remove_entry(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Removes the tree and forgets its blocks; harmless when there is none. */
static void
tree_remove(struct tree *t)
{
	if (t->dir[0] != '\0' &&
	    nftw(t->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		printf("[  NOTE    ] could not remove %s\n", t->dir);
	free(t->blocks);
	memset(t, 0, sizeof(*t));
}

/* The block of 2 MiB that the child's first anonymous page lies in. */
static uint64_t
hole_block(void)
{
	struct tl_page p = tl_page_state(child.pid, child.map[ANON].addr);

	if (!p.present || p.pfn == 0)
		fail_msg("the child's first anonymous page is not present");
	return p.pfn / coarse.block_pages;
}

/*
 * The coarse tree: blocks of 2 MiB from 0 to above the highest PFN of
 * the child, but for the hole: the block of its first anonymous page.
 */
static void
make_coarse(const struct frames *f)
{
	char size[32];
	uint64_t last, b, hole;

	coarse.block_pages = BLOCK_BYTES / (uint64_t)page;
	hole = hole_block();
	last = f->max_pfn / coarse.block_pages + 1;
	coarse.blocks = calloc((size_t)last + 1, sizeof(uint64_t));
	assert_non_null(coarse.blocks);
	for (b = 0; b <= last; b++)
		if (b != hole)
			coarse.blocks[coarse.n++] = b;
	snprintf(size, sizeof(size), "%llx\n", BLOCK_BYTES);
	tree_make(&coarse, size);
}

/* The fine tree: blocks of 4 pages, those with a frame of the child. */
static void
make_fine(const struct frames *f)
{
	char size[32];
	size_t i, k, n = 0;

	fine.block_pages = FINE_PAGES;
	for (i = 0; i < f->n; i++)
		n += f->v[i].n;
	fine.blocks = malloc((n + 1) * sizeof(uint64_t));
	assert_non_null(fine.blocks);
	for (i = 0; i < f->n; i++)
		for (k = 0; k < f->v[i].n; k++)
			if (f->v[i].pfn[k] != 0)
				fine.blocks[fine.n++] = f->v[i].pfn[k] /
				    FINE_PAGES;
	qsort(fine.blocks, fine.n, sizeof(uint64_t), compare_u64);
	for (i = k = 0; i < fine.n; i++)
		if (k == 0 || fine.blocks[i] != fine.blocks[k - 1])
			fine.blocks[k++] = fine.blocks[i];
	fine.n = k;
	snprintf(size, sizeof(size), "%llx\n",
	    (unsigned long long)(FINE_PAGES * page));
	tree_make(&fine, size);
}

/* Starts the child and, where the PFNs show, the trees of its frames. */
static void
start_synthetic(void)
{
	struct frames f;

	tl_require_sys_admin();
	tl_child_start(&child, layout, NMAPS, 0);
	frames_read(child.pid, &f);
	make_coarse(&f);
	make_fine(&f);
	frames_free(&f);
}

/* Ends whatever a test started, whether it passed or not. */
static int
stop_all(void **state)
{
	(void)state;
	tl_child_stop(&child);
	memset(&child, 0, sizeof(child));
	tree_remove(&coarse);
	tree_remove(&fine);
	if (user_child > 0) {
		close(user_hold);
		kill(user_child, SIGKILL);
		waitpid(user_child, NULL, 0);
		user_child = -1;
	}
	return 0;
}

/* ---- running the tool ---- */

/* Runs the tool with the tree's layout (NULL: the machine's). */
static void
run_in(struct tl_run *r, const struct tree *t, const char *const *args)
{
	const char *const env[] = { t != NULL ? t->env : NULL, NULL };

	tl_run(r, t != NULL ? env : NULL, args);
	tl_assert_ran_ok(r);
}

/* The node a field says: NONE for "-", else its decimal. */
static uint64_t
node_field(const char *s)
{
	if (strcmp(s, "-") == 0)
		return NONE;
	if (!tl_is_decimal(s))
		fail_msg("node '%s' is neither '-' nor decimal", s);
	return strtoull(s, NULL, 10);
}

static size_t
slot(uint64_t node)
{
	if (node != NONE && node >= NSLOTS - 1)
		fail_msg("node %" PRIu64 ": more than this test counts", node);
	return node == NONE ? NSLOTS - 1 : (size_t)node;
}

/* A headed TSV summary: its table, and where its columns are. */
struct summary {
	struct tl_table t;
	int start, node, pages, present, rss, zero;
};

static void
summary_read(struct summary *s, const struct tree *t, const char *const *args)
{
	struct tl_run r;

	run_in(&r, t, args);
	memset(s, 0, sizeof(*s));
	tl_read_headed_tsv(r.out, &s->t);
	tl_run_free(&r);
	s->start = tl_column(&s->t, "start");
	s->node = tl_column(&s->t, "node");
	s->pages = tl_column(&s->t, "pages");
	s->present = tl_column(&s->t, "present");
	s->rss = tl_column(&s->t, "rss-kib");
	s->zero = tl_column(&s->t, "zero-kib");
	assert_true(s->start >= 0 && s->pages >= 0 && s->present >= 0 &&
	    s->rss >= 0);
}

static long long
cell(const struct summary *s, size_t row, int col)
{
	return col < 0 ? 0 : strtoll(s->t.r[row].f[col], NULL, 10);
}

static bool
is_total(const struct summary *s, size_t row)
{
	return strcmp(s->t.r[row].f[s->start], "total") == 0;
}

static uint64_t
row_start(const struct summary *s, size_t row)
{
	return strtoull(s->t.r[row].f[s->start], NULL, 16);
}

/* ---- 1. the node column in a synthetic layout ---- */

static void
should_give_each_page_the_node_of_the_block_its_frame_lies_in(void **state)
{
	const char *const args[] = { "-o", "addr,pfn,node", child.arg, NULL };
	size_t seen[NSLOTS] = { 0 }, hole = 0, i;
	struct tl_table t = { 0, 0, NULL };
	struct tl_run r;
	(void)state;

	start_synthetic();
	run_in(&r, &coarse, args);
	tl_read_text(r.out, 3, &t);
	assert_true(t.n > 1);
	assert_string_equal(t.r[0].f[2], "node");
	for (i = 1; i < t.n; i++) {
		uint64_t pfn = strtoull(t.r[i].f[1], NULL, 16);
		uint64_t want = tree_node(&coarse, pfn), got;
		got = node_field(t.r[i].f[2]);
		if (got != want)
			fail_msg("page %s, pfn %s: node %s, want %" PRId64,
			    t.r[i].f[0], t.r[i].f[1], t.r[i].f[2],
			    (int64_t)want);
		seen[slot(got)]++;
		hole += pfn != 0 && want == NONE;
	}
	/* Every node of the layout was met, and the hole. */
	assert_true(seen[0] > 0 && seen[1] > 0 && seen[3] > 0);
	assert_int_equal(seen[2], 0);
	assert_true(hole > 0);
	tl_table_free(&t);
	tl_run_free(&r);
}

static void
should_write_the_node_in_json_as_a_number_or_null(void **state)
{
	const char *const args[] = { "-f", "json", "-o", "addr,pfn,node",
	    child.arg, NULL };
	struct tl_jobject *o;
	struct tl_run r;
	size_t n, i, nulls = 0;
	(void)state;

	start_synthetic();
	run_in(&r, &coarse, args);
	n = tl_read_json_lines(r.out, &o);
	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		const struct tl_jmember *pfn = tl_jget(&o[i], "pfn");
		const struct tl_jmember *node = tl_jget(&o[i], "node");
		uint64_t want;
		assert_true(pfn != NULL && pfn->type == TL_JSTRING);
		assert_non_null(node);
		want = tree_node(&coarse, strtoull(pfn->s, NULL, 16));
		if (want == NONE) {
			assert_int_equal(node->type, TL_JNULL);
			nulls++;
			continue;
		}
		assert_int_equal(node->type, TL_JNUMBER);
		assert_int_equal(strtoull(node->s, NULL, 10), want);
	}
	assert_true(nulls > 0 && nulls < n);
	tl_jobjects_free(o, n);
	tl_run_free(&r);
}

/* Fails unless every page of each range of --ranges has its node. */
static size_t
assert_ranges_keep_to_one_node(const struct tree *t)
{
	const char *const args[] = { "-R", "-o", "pfn,node", child.arg, NULL };
	struct tl_table tab = { 0, 0, NULL };
	struct tl_run r;
	size_t i, present = 0;
	uint64_t k;

	run_in(&r, t, args);
	tl_read_text(r.out, 5, &tab);
	assert_string_equal(tab.r[0].f[2], "pages");
	for (i = 1; i < tab.n; i++) {
		uint64_t pages = strtoull(tab.r[i].f[2], NULL, 10);
		uint64_t pfn = strtoull(tab.r[i].f[3], NULL, 16);
		uint64_t node = node_field(tab.r[i].f[4]);
		for (k = 0; k < pages; k++)
			if (tree_node(t, pfn == 0 ? 0 : pfn + k) != node)
				fail_msg("range %s-%s (pfn %s, node %s) holds "
				    "pfn %" PRIx64 " of another node",
				    tab.r[i].f[0], tab.r[i].f[1], tab.r[i].f[3],
				    tab.r[i].f[4], pfn + k);
		present += pfn != 0;
	}
	tl_table_free(&tab);
	tl_run_free(&r);
	return present;
}

/*
 * In the fine layout, blocks of 4 pages, next blocks are never of one
 * node: a run of frames is cut at every block it enters.
 */
static void
should_never_let_a_range_span_two_nodes(void **state)
{
	const char *const args[] = { "-R", "-H", "-o", "pfn", child.arg,
	    NULL };
	struct tl_run r;
	size_t runs = 0, ranges;
	char *p;
	(void)state;

	start_synthetic();
	assert_true(assert_ranges_keep_to_one_node(&coarse) > 0);
	ranges = assert_ranges_keep_to_one_node(&fine);
	/* The runs of present frames with no node to split them. */
	run_in(&r, NULL, args);
	for (p = r.out; (p = strchr(p, '\n')) != NULL; p++)
		runs += p[-1] != '0' || p[-2] != ' ';
	if (ranges <= runs)
		printf("[  NOTE    ] no run of frames crossed a block of 4 "
		    "pages: no range had to be cut at a node\n");
	tl_run_free(&r);
}

/* ---- 2. --by node against numa_maps, and against the frames ---- */

/* A line of numa_maps: its start and the pages on each node. */
struct nm {
	uint64_t start;
	long long n[NSLOTS];
};

/* Reads /proc/pid/numa_maps; returns how many lines (*v to free). */
static size_t
numa_maps_read(pid_t pid, struct nm **v)
{
	char path[64], *text, *line, *tok, *save = NULL, *in;
	size_t n = 0;
	unsigned node;
	long long count;

	snprintf(path, sizeof(path), "/proc/%d/numa_maps", (int)pid);
	if ((text = tl_read_file(path)) == NULL)
		fail_msg("cannot read %s", path);
	*v = calloc(tl_count_lines(text) + 1, sizeof(**v));
	assert_non_null(*v);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		struct nm *e = &(*v)[n++];
		e->start = strtoull(line, NULL, 16);
		for (tok = strtok_r(line, " ", &in); tok != NULL;
		    tok = strtok_r(NULL, " ", &in))
			if (sscanf(tok, "N%u=%lld", &node, &count) == 2)
				e->n[slot(node)] = count;
	}
	free(text);
	return n;
}

/*
 * Kernel pages mapped into every process: numa_maps leaves them out
 * (PageReserved, or no struct page), pagemap shows them present.
 */
static bool
special_mapping(const char *name)
{
	return strncmp(name, "[vdso]", 6) == 0 ||
	    strncmp(name, "[vvar", 5) == 0;
}

/*
 * Compares the rows of the mapping of e with it: the present pages of
 * each node but the zero page (numa_maps counts no zero page); a row of
 * no node has none present. Appends what differs to why.
 */
static void
compare_mapping(const struct summary *s, const struct nm *e,
    struct tl_buf *why)
{
	long long got[NSLOTS] = { 0 };
	int name = (int)s->t.r[0].n - 1;
	size_t i, rows = 0;

	for (i = 1; i < s->t.n; i++) {
		if (is_total(s, i) || row_start(s, i) != e->start)
			continue;
		if (special_mapping(s->t.r[i].f[name]))
			return;
		rows++;
		got[slot(node_field(s->t.r[i].f[s->node]))] +=
		    cell(s, i, s->present) - cell(s, i, s->zero) * 1024 / page;
	}
	if (rows == 0)
		tl_buf_printf(why, "mapping %" PRIx64 " is not in the "
		    "summary; ", e->start);
	for (i = 0; rows > 0 && i < NSLOTS; i++)
		if (got[i] != (i == NSLOTS - 1 ? 0 : e->n[i]))
			tl_buf_printf(why, "mapping %" PRIx64 " node %zu: "
			    "summary %lld, numa_maps %lld; ", e->start, i,
			    got[i], i == NSLOTS - 1 ? 0 : e->n[i]);
}

/* Fails unless every mapping row of s has a line in numa_maps. */
static void
assert_every_row_in_numa_maps(const struct summary *s, const struct nm *v,
    size_t n)
{
	size_t i, k;

	for (i = 1; i < s->t.n; i++) {
		for (k = 0; k < n && (is_total(s, i) ||
		    v[k].start != row_start(s, i)); k++)
			;
		if (k == n && !is_total(s, i))
			fail_msg("mapping %s is not in numa_maps",
			    s->t.r[i].f[s->start]);
	}
}

static bool
numa_maps_same(const struct nm *a, size_t na, const struct nm *b,
    size_t nb)
{
	return na == nb && memcmp(a, b, na * sizeof(*a)) == 0;
}

/* The summary by node, with numa_maps unchanged around it. */
static size_t
by_node_and_numa_maps(struct summary *s, struct nm **v)
{
	const char *const args[] = { "-s", "--by", "node", "-f", "tsv",
	    child.arg, NULL };
	struct nm *after;
	size_t n, na;
	int tries;

	for (tries = 0; tries < TRIES; tries++) {
		n = numa_maps_read(child.pid, v);
		summary_read(s, NULL, args);
		na = numa_maps_read(child.pid, &after);
		if (numa_maps_same(*v, n, after, na)) {
			free(after);
			return n;
		}
		free(after);
		free(*v);
		tl_table_free(&s->t);
	}
	fail_msg("numa_maps of the child changed every time");
	return 0;
}

static void
should_count_the_present_pages_of_each_node_as_numa_maps_does(void **state)
{
	struct tl_buf why = { NULL, 0, 0 };
	struct summary s;
	struct nm *v;
	size_t n, i;
	(void)state;

	if (access("/proc/self/numa_maps", R_OK) != 0)
		tl_skip("no /proc/PID/numa_maps: a kernel without CONFIG_NUMA");
	tl_child_start(&child, layout, NMAPS, 0);
	n = by_node_and_numa_maps(&s, &v);
	assert_true(s.node >= 0);
	if (s.zero < 0)
		tl_skip("no zero-kib (PAGEMAP_SCAN, Linux 6.7+): the zero "
		    "pages, present but not in numa_maps, cannot be told");
	/* The key comes right after perms. */
	assert_int_equal(s.node, tl_column(&s.t, "perms") + 1);
	assert_every_row_in_numa_maps(&s, v, n);
	for (i = 0; i < n; i++)
		compare_mapping(&s, &v[i], &why);
	if (why.len > 0)
		fail_msg("the summary by node is not numa_maps: %s", why.s);
	tl_buf_free(&why);
	free(v);
	tl_table_free(&s.t);
}

/* The sum of column col over the rows of the mapping at start (0: total). */
static long long
sum_rows(const struct summary *s, uint64_t start, int col)
{
	long long sum = 0;
	size_t i;

	for (i = 1; i < s->t.n; i++)
		if (start == 0 ? is_total(s, i) : !is_total(s, i) &&
		    row_start(s, i) == start)
			sum += cell(s, i, col);
	return sum;
}

/* Fails unless the rows by node of each mapping add up to its row. */
static void
assert_rows_add_up(const struct summary *plain, const struct summary *by)
{
	size_t i;

	for (i = 1; i < plain->t.n; i++) {
		uint64_t start = is_total(plain, i) ? 0 : row_start(plain, i);
		if (sum_rows(by, start, by->present) !=
		    cell(plain, i, plain->present))
			fail_msg("%s: present by node %lld, plain %lld",
			    plain->t.r[i].f[plain->start],
			    sum_rows(by, start, by->present),
			    cell(plain, i, plain->present));
	}
}

static void
should_add_the_totals_of_each_node_up_to_the_plain_total(void **state)
{
	const char *const plain_args[] = { "-s", "-f", "tsv", child.arg,
	    NULL };
	const char *const by_args[] = { "-s", "--by", "node", "-f", "tsv",
	    child.arg, NULL };
	struct summary plain, by;
	size_t last;
	(void)state;

	tl_child_start(&child, layout, NMAPS, 0);
	summary_read(&plain, NULL, plain_args);
	summary_read(&by, NULL, by_args);
	last = plain.t.n - 1;
	assert_true(is_total(&plain, last));
	assert_int_equal(sum_rows(&by, 0, by.pages),
	    cell(&plain, last, plain.pages));
	assert_int_equal(sum_rows(&by, 0, by.present),
	    cell(&plain, last, plain.present));
	assert_int_equal(sum_rows(&by, 0, by.rss),
	    cell(&plain, last, plain.rss));
	assert_rows_add_up(&plain, &by);
	tl_table_free(&plain.t);
	tl_table_free(&by.t);
}

/* Fails unless the rows of vm v are its present pages on each node. */
static void
assert_rows_are_the_frames(const struct summary *s, const struct vm *v)
{
	long long want[NSLOTS] = { 0 }, got[NSLOTS] = { 0 };
	size_t i;

	for (i = 0; i < v->n; i++)
		if (v->pfn[i] != 0)
			want[slot(tree_node(&coarse, v->pfn[i]))]++;
	for (i = 1; i < s->t.n; i++)
		if (!is_total(s, i) && row_start(s, i) == v->start)
			got[slot(node_field(s->t.r[i].f[s->node]))] +=
			    cell(s, i, s->present);
	for (i = 0; i < NSLOTS; i++)
		if (got[i] != want[i])
			fail_msg("mapping %" PRIx64 ", node %zu: %lld present "
			    "in the summary, %lld frames", v->start, i, got[i],
			    want[i]);
}

/* Fails unless the rows of each mapping, and the totals, go up by node. */
static void
assert_nodes_ascend(const struct summary *s)
{
	size_t i;

	for (i = 2; i < s->t.n; i++)
		if (strcmp(s->t.r[i].f[s->start],
		    s->t.r[i - 1].f[s->start]) == 0 &&
		    node_field(s->t.r[i].f[s->node]) <=
		    node_field(s->t.r[i - 1].f[s->node]))
			fail_msg("%s: node %s after node %s",
			    s->t.r[i].f[s->start], s->t.r[i].f[s->node],
			    s->t.r[i - 1].f[s->node]);
}

/* The summary by node in the coarse layout, with the frames unchanged. */
static void
by_node_and_frames(struct summary *s, struct frames *f)
{
	const char *const args[] = { "-s", "--by", "node", "-f", "tsv",
	    child.arg, NULL };
	struct frames after;
	int tries;

	for (tries = 0; tries < TRIES; tries++) {
		frames_read(child.pid, f);
		summary_read(s, &coarse, args);
		frames_read(child.pid, &after);
		if (frames_same(f, &after)) {
			frames_free(&after);
			return;
		}
		frames_free(&after);
		frames_free(f);
		tl_table_free(&s->t);
	}
	fail_msg("the child's frames changed every time");
}

static void
should_split_each_mapping_by_the_nodes_its_frames_lie_on(void **state)
{
	const char *const plain_args[] = { "-s", "-f", "tsv", child.arg,
	    NULL };
	struct summary plain, by;
	struct frames f;
	size_t i, nodes = 0;
	(void)state;

	start_synthetic();
	by_node_and_frames(&by, &f);
	summary_read(&plain, &coarse, plain_args);
	assert_rows_add_up(&plain, &by);
	assert_nodes_ascend(&by);
	for (i = 0; i < f.n; i++)
		assert_rows_are_the_frames(&by, &f.v[i]);
	/* A total for each node that holds a page, and for the hole. */
	for (i = 1; i < by.t.n; i++)
		nodes += is_total(&by, i);
	assert_true(nodes >= 4);
	frames_free(&f);
	tl_table_free(&plain.t);
	tl_table_free(&by.t);
}

/* ---- 3. move_pages, without root ---- */

/*
 * In the child: becomes nobody, writes USER_PAGES pages and, with zero,
 * reads ZERO_PAGES more (the zero page), says where, holds.
 */
static void
user_child_main(int info, int hold, bool zero)
{
	size_t i, n = USER_PAGES + ZERO_PAGES;
	volatile char *p, sink = 0;

	if (setgroups(0, NULL) != 0 || setgid(NOBODY) != 0 ||
	    setuid(NOBODY) != 0)
		_exit(90);
	/* setuid made it undumpable: nobody could not read it at all. */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0)
		_exit(91);
	p = mmap(NULL, n * (size_t)page, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		_exit(92);
	for (i = 0; i < USER_PAGES; i++)
		p[i * (size_t)page] = 1;
	for (i = USER_PAGES; zero && i < n; i++)
		sink += p[i * (size_t)page];
	(void)sink;
	if (write(info, &p, sizeof(p)) != (ssize_t)sizeof(p))
		_exit(93);
	tl_wait_for_close(hold);
	_exit(0);
}

/* Starts the child of user nobody; returns where its pages are. */
static uintptr_t
start_user_child(bool zero)
{
	char *p = NULL;
	int info;

	user_child = tl_fork_held(&info, &user_hold);
	if (user_child < 0)
		fail_msg("fork: %s", strerror(errno));
	if (user_child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		user_child_main(info, user_hold, zero);
	}
	if (read(info, &p, sizeof(p)) != (ssize_t)sizeof(p))
		fail_msg("the child of user nobody did not start");
	close(info);
	return (uintptr_t)p;
}

/* Whether the machine has node 0 alone online. */
static bool
one_node(void)
{
	char *online = tl_read_file("/sys/devices/system/node/online");
	bool one = online != NULL && strcmp(online, "0\n") == 0;

	free(online);
	return one;
}

static void
should_ask_move_pages_for_the_nodes_of_a_process_of_the_same_user(
    void **state)
{
	const struct tl_how how = { .as_nobody = true };
	char pid[16];
	const char *const args[] = { "-o", "addr,node", "-P", pid, NULL };
	struct tl_table t = { 0, 0, NULL };
	struct tl_run r;
	uintptr_t base;
	size_t i, mine = 0;
	(void)state;

	tl_require_root();
	base = start_user_child(false);
	snprintf(pid, sizeof(pid), "%d", (int)user_child);
	tl_run_how(&r, &how, args);
	tl_assert_not_killed(r.status, "the tool", r.err);
	if (tl_exit_code(&r) != 0)
		fail_msg("as nobody, of nobody's process: exit %d: %s",
		    tl_exit_code(&r), r.err);
	tl_read_text(r.out, 2, &t);
	assert_string_equal(t.r[0].f[1], "node");
	for (i = 1; i < t.n; i++) {
		uint64_t addr = strtoull(t.r[i].f[0], NULL, 16);
		if (one_node())
			assert_string_equal(t.r[i].f[1], "0");
		else
			assert_true(tl_is_decimal(t.r[i].f[1]));
		mine += addr >= base && addr < base + USER_PAGES *
		    (uint64_t)page;
	}
	assert_int_equal(mine, USER_PAGES);
	tl_table_free(&t);
	tl_run_free(&r);
}

/* The node of every page of the user child, as root or as nobody. */
static void
user_nodes(struct tl_table *t, bool as_nobody)
{
	const struct tl_how how = { .as_nobody = as_nobody };
	char pid[16];
	const char *const args[] = { "-o", "addr,node", pid, NULL };
	struct tl_run r;

	snprintf(pid, sizeof(pid), "%d", (int)user_child);
	tl_run_how(&r, &how, args);
	tl_assert_not_killed(r.status, "the tool", r.err);
	if (tl_exit_code(&r) != 0)
		fail_msg("%s: exit %d: %s", as_nobody ? "as nobody" :
		    "as root", tl_exit_code(&r), r.err);
	memset(t, 0, sizeof(*t));
	tl_read_text(r.out, 2, t);
	tl_run_free(&r);
}

/*
 * A page only read is the zero page: present, and with no node (no
 * process placed it; numa_maps leaves it out). As root the nodes come
 * from sysfs; without root, from move_pages(2), which answers -EFAULT
 * for the zero page. The column must not depend on where it came from.
 */
static void
should_give_zero_pages_the_same_node_without_root_as_with_it(void **state)
{
	struct tl_buf why = { NULL, 0, 0 };
	struct tl_table root, nobody;
	uintptr_t zero;
	size_t i;
	(void)state;

	tl_require_root();
	zero = start_user_child(true) + USER_PAGES * (uintptr_t)page;
	if (!tl_page_state(user_child, zero).present)
		tl_skip("a page only read is not mapped to the zero page here");
	user_nodes(&root, false);
	user_nodes(&nobody, true);
	assert_int_equal(root.n, nobody.n);
	for (i = 1; i < root.n; i++) {
		assert_string_equal(root.r[i].f[0], nobody.r[i].f[0]);
		if (strcmp(root.r[i].f[1], nobody.r[i].f[1]) != 0)
			tl_buf_printf(&why, "%s: %s as root, %s as nobody; ",
			    root.r[i].f[0], root.r[i].f[1], nobody.r[i].f[1]);
	}
	tl_table_free(&root);
	tl_table_free(&nobody);
	if (why.len > 0)
		fail_msg("the nodes differ (zero pages from %" PRIxPTR "): %s",
		    zero, why.s);
}

/* As nobody: exit 1 saying it needs ptrace access, and no row. */
static void
assert_refused_to_nobody(pid_t target)
{
	const struct tl_how how = { .as_nobody = true };
	char pid[16];
	const char *const args[] = { "-o", "addr,node", "-P", pid, NULL };
	struct tl_run r;

	snprintf(pid, sizeof(pid), "%d", (int)target);
	tl_run_how(&r, &how, args);
	tl_assert_not_killed(r.status, "the tool", r.err);
	if (tl_exit_code(&r) != 1)
		fail_msg("pid %s as nobody: exit %d, want 1", pid,
		    tl_exit_code(&r));
	if (strstr(r.err, "ptrace") == NULL || strstr(r.err, pid) == NULL)
		fail_msg("pid %s: the message does not say that it needs "
		    "ptrace access: %s", pid, r.err);
	if (strcmp(r.out, "") != 0 && strcmp(r.out, "addr node\n") != 0)
		fail_msg("pid %s: rows printed: %.200s", pid, r.out);
	tl_run_free(&r);
}

static void
should_refuse_the_nodes_of_a_root_process_to_nobody(void **state)
{
	(void)state;
	tl_require_root();
	assert_refused_to_nobody(getpid());
	assert_refused_to_nobody(1);
}

/* ---- 4. errors ---- */

static void
should_fail_naming_node_when_block_size_bytes_is_malformed(void **state)
{
	static const char *const sizes[] = { "zz\n", "", "\n", "0\n",
	    "0x\n", "800\n", "200000 \n", "200000\n\n" };
	const char *const args[] = { "-o", "addr,node", "self", NULL };
	struct tl_run r;
	size_t i;
	(void)state;

	tl_require_sys_admin();
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		const char *env[] = { coarse.env, NULL };
		coarse.block_pages = 1;
		coarse.blocks = calloc(1, sizeof(uint64_t));
		coarse.n = 1;
		tree_make(&coarse, sizes[i]);
		tl_run(&r, env, args);
		tl_assert_not_killed(r.status, "the tool", r.err);
		if (tl_exit_code(&r) != 1 || !tl_has_word(r.err, "node") ||
		    r.out[0] != '\0')
			fail_msg("block_size_bytes '%s': exit %d, want 1 "
			    "naming node, no rows: %s%.200s", sizes[i],
			    tl_exit_code(&r), r.err, r.out);
		tl_run_free(&r);
		tree_remove(&coarse);
	}
}

/* Fails unless the arguments are refused as usage, naming --by. */
static void
assert_usage(const char *const *args)
{
	struct tl_run r;

	tl_run(&r, NULL, args);
	tl_assert_not_killed(r.status, "the tool", r.err);
	if (tl_exit_code(&r) != 2 || strstr(r.err, "--by") == NULL ||
	    strstr(r.err, "usage:") == NULL || r.out[0] != '\0')
		fail_msg("%s %s %s: exit %d, want 2 with a usage naming --by: "
		    "%s", args[0], args[1], args[2], tl_exit_code(&r), r.err);
	tl_run_free(&r);
}

static void
should_refuse_by_without_the_summary(void **state)
{
	(void)state;
	assert_usage((const char *const[]){ "--by", "node", "self", NULL });
	assert_usage((const char *const[]){ "--by", "node", "-R", "self",
	    NULL });
}

static void
should_refuse_by_of_an_address_a_frame_number_or_perms(void **state)
{
	(void)state;
	assert_usage((const char *const[]){ "--by", "addr", "-s", "self",
	    NULL });
	assert_usage((const char *const[]){ "--by", "node,pfn", "-s", "self",
	    NULL });
	assert_usage((const char *const[]){ "--by", "perms", "-s", "self",
	    NULL });
}

static void
should_refuse_by_with_a_plus(void **state)
{
	(void)state;
	assert_usage((const char *const[]){ "--by", "+node", "-s", "self",
	    NULL });
}

/* ---- 5. JSON of the summary by node and file ---- */

/* Checks one object; returns whether it is a total. */
static bool
check_keyed_object(const struct tl_jobject *o)
{
	const struct tl_jmember *node = tl_jget(o, "node");
	const struct tl_jmember *by = tl_jget(o, "by-file");
	const struct tl_jmember *file = tl_jget(o, "file");
	const struct tl_jmember *total = tl_jget(o, "total");
	bool is_total = total != NULL && total->type == TL_JBOOL && total->b;

	assert_non_null(node);
	assert_true(node->type == TL_JNUMBER || node->type == TL_JNULL);
	assert_true(by != NULL && by->type == TL_JBOOL);
	/* The summary's own file column, a count, is still there. */
	assert_true(file != NULL && file->type == TL_JNUMBER);
	assert_true(is_total == (tl_jget(o, "start") == NULL));
	return is_total;
}

/* tl_read_json_lines refuses an object with a key twice. */
static void
check_keyed_json(const struct tree *t)
{
	const char *const args[] = { "-s", "--by", "node,file", "-f", "json",
	    child.arg, NULL };
	struct tl_jobject *o;
	struct tl_run r;
	size_t n, i, totals = 0;

	run_in(&r, t, args);
	n = tl_read_json_lines(r.out, &o);
	assert_true(n > 1);
	for (i = 0; i < n; i++)
		totals += check_keyed_object(&o[i]);
	/* Totals last: of nodes with and without files, and of no node. */
	assert_true(totals >= (t != NULL ? 4 : 2));
	for (i = n - totals; i < n; i++)
		assert_non_null(tl_jget(&o[i], "total"));
	tl_jobjects_free(o, n);
	tl_run_free(&r);
}

static void
should_key_every_json_object_by_node_and_by_file_once(void **state)
{
	(void)state;
	tl_child_start(&child, layout, NMAPS, 0);
	check_keyed_json(NULL);
	tl_child_stop(&child);
	start_synthetic();
	check_keyed_json(&coarse);
}

int
main(void)
{
#define T(f) cmocka_unit_test_teardown(f, stop_all)
	const struct CMUnitTest tests[] = {
		T(should_give_each_page_the_node_of_the_block_its_frame_lies_in),
		T(should_write_the_node_in_json_as_a_number_or_null),
		T(should_never_let_a_range_span_two_nodes),
		T(should_count_the_present_pages_of_each_node_as_numa_maps_does),
		T(should_add_the_totals_of_each_node_up_to_the_plain_total),
		T(should_split_each_mapping_by_the_nodes_its_frames_lie_on),
		T(should_ask_move_pages_for_the_nodes_of_a_process_of_the_same_user),
		T(should_give_zero_pages_the_same_node_without_root_as_with_it),
		T(should_refuse_the_nodes_of_a_root_process_to_nobody),
		T(should_fail_naming_node_when_block_size_bytes_is_malformed),
		T(should_refuse_by_without_the_summary),
		T(should_refuse_by_of_an_address_a_frame_number_or_perms),
		T(should_refuse_by_with_a_plus),
		T(should_key_every_json_object_by_node_and_by_file_once),
	};
#undef T

	page = tl_page();
	if (tl_check_tool("test_nodes") != 0)
		return 1;
	if (getenv("TEST_FILTER") != NULL)
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
