/*
 * views: the child of the test_views_* programs and the expectations
 * they share; see views.h.
 */
#include "views.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The long name: this many directories of 250 bytes 0xff each. */
#define LONG_LEVELS 14

const char *const all_columns[ALL_NCOLUMNS] = {
	"pid", "addr", "pfn", "soft-dirty", "file", "swapped", "present",
	"exclusive", "uffd-wp", "guard", "swap-type", "swap-offset", "paddr",
	"perms", "offset", "dev", "inode", "name",
};

long page;

/* The child's mappings, in the order of its table. */
enum { ANON, FILE_MAP, HOSTILE, SHARED, SWAPPED, LONG_NAME, NMAPS };

/* Builds the long path, LONG_LEVELS directories of 0xff bytes deep. */
static void
make_long_path(char *path, size_t size)
{
	size_t len;
	int i;

	snprintf(path, size, "/tmp/pmd-views-%d-long", (int)getpid());
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		fail_msg("mkdir %s: %s", path, strerror(errno));
	for (i = 0; i < LONG_LEVELS; i++) {
		len = strlen(path);
		path[len++] = '/';
		memset(path + len, 0xff, 250);
		path[len + 250] = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST)
			fail_msg("mkdir: %s", strerror(errno));
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
			fail_msg("rmdir: %s", strerror(errno));
	}
}

/* Whether page addr of the child lies in one of its mappings or guards. */
static bool
is_the_childs(const struct child *c, uint64_t addr, size_t n)
{
	const uint64_t p = (uint64_t)page;
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t lo = c->tl.map[i].addr, hi = lo + c->tl.map[i].size;

		/* The isolated ones: a guard, then a hole, on either side. */
		if ((addr >= lo && addr < hi) || addr == lo - 2 * p ||
		    addr == hi + p)
			return true;
	}
	return false;
}

/*
 * Fails unless every page mapped in the child's layout range is one of
 * its own. A page of a library there would be shared with the tool, and
 * what the tool itself maps changes its exclusive bit from run to run.
 */
static void
assert_the_range_is_the_childs(const struct child *c)
{
	char range[64];
	uint64_t lo, hi, a;
	struct tl_vma *v;
	size_t n = tl_maps(c->pid, &v), i;

	layout_range(range, sizeof(range), &c->layout);
	if (sscanf(range, "%" SCNx64 "-%" SCNx64, &lo, &hi) != 2)
		fail_msg("layout range %s", range);
	for (i = 0; i < n; i++)
		for (a = v[i].start > lo ? v[i].start : lo;
		    a < v[i].end && a < hi; a += (uint64_t)page)
			if (!is_the_childs(c, a, c->tl.n))
				fail_msg("the layout range %s holds %" PRIx64
				    " of %s, not the child's", range, a,
				    v[i].name);
	tl_vmas_free(v, n);
}

/*
 * Starts a child with the test layout. It runs this program afresh
 * (TL_FRESH): a forked copy of the test would share copy-on-write pages
 * with it, and their exclusive bits would change whenever the test writes
 * to its memory, between two dumps. Its anonymous mappings are isolated:
 * the kernel can neither merge them with a neighbour nor put another
 * mapping next to them, and they are all in one reservation, so that no
 * mapping of anyone else's (a library, whose pages the tool shares) lies
 * between them.
 */
static void
child_start(struct child *c, bool pageout, bool long_name)
{
	char plain[64], hostile[64], longp[4096];
	const struct tl_map table[NMAPS] = {
		[ANON] = { .kind = TL_ANON, .pages = 8,
		    .flags = TL_ISOLATED | TL_CONFINED, .touch = "0,2,5" },
		[FILE_MAP] = { .kind = TL_FILE, .pages = 4,
		    .flags = TL_DELETED | TL_CONFINED, .touch = "0",
		    .path = plain },
		[HOSTILE] = { .kind = TL_FILE, .pages = 2,
		    .flags = TL_DELETED | TL_CONFINED, .touch = "0",
		    .path = hostile },
		[SHARED] = { .kind = TL_SHARED, .pages = 4,
		    .flags = TL_ISOLATED | TL_CONFINED, .touch = "0,1" },
		[SWAPPED] = { .kind = TL_ANON, .pages = 4,
		    .flags = TL_ISOLATED | TL_CONFINED, .touch = "all",
		    .pageout = pageout ? "all" : NULL },
		[LONG_NAME] = { .kind = TL_FILE, .pages = 4,
		    .flags = TL_DELETED | TL_CONFINED, .touch = "0",
		    .path = longp },
	};
	struct layout *l = &c->layout;

	snprintf(plain, sizeof(plain), "/tmp/pmd-views-%d-plain",
	    (int)getpid());
	snprintf(hostile, sizeof(hostile), "/tmp/pmd-views-%d-h\t,\"\033\xff-x",
	    (int)getpid());
	if (long_name)
		make_long_path(longp, sizeof(longp));
	tl_child_start(&c->tl, table, long_name ? NMAPS : NMAPS - 1,
	    TL_FRESH);
	if (long_name)
		remove_long_path(longp);
	c->pid = c->tl.pid;
	snprintf(c->arg, sizeof(c->arg), "%s", c->tl.arg);
	l->anon = c->tl.map[ANON].addr;
	l->file = c->tl.map[FILE_MAP].addr;
	l->hostile = c->tl.map[HOSTILE].addr;
	l->shared = c->tl.map[SHARED].addr;
	l->swapped = c->tl.map[SWAPPED].addr;
	l->swapped_ok = c->tl.map[SWAPPED].pageout_ok;
	l->name = c->tl.map[FILE_MAP].name;
	l->hostile_name = c->tl.map[HOSTILE].name;
	l->longname = long_name ? c->tl.map[LONG_NAME].addr : 0;
	l->long_name = long_name ? c->tl.map[LONG_NAME].name : "";
	assert_the_range_is_the_childs(c);
}

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

int
setup_child(void **state)
{
	return setup_children(state, 1, false, false);
}

int
setup_two_children(void **state)
{
	return setup_children(state, 2, false, false);
}

int
setup_paged_out_child(void **state)
{
	return setup_children(state, 1, true, false);
}

int
setup_long_named_child(void **state)
{
	return setup_children(state, 1, false, true);
}

int
teardown_children(void **state)
{
	struct children *k = *state;

	if (k != NULL) {
		tl_child_stop(&k->b.tl);
		tl_child_stop(&k->a.tl);
		free(k);
	}
	return 0;
}

int
views_main(int argc, char **argv, const char *program,
    const struct CMUnitTest *tests, size_t n)
{
	tl_child_main(argc, argv);
	page = tl_page();
	if (tl_check_tool(program) != 0)
		return 1;
	return _cmocka_run_group_tests(program, tests, n, NULL, NULL);
}

void
run_text_and(struct tl_run *rt, struct tl_run *rx, const char *fmt,
    const char *range, const char *arg)
{
	struct tl_run again;
	int tries;

	for (tries = 0;; tries++) {
		run(rt, "-o", ALL_COLUMNS, "-r", range, arg);
		run(rx, "-f", fmt, "-o", ALL_COLUMNS, "-r", range, arg);
		run(&again, "-o", ALL_COLUMNS, "-r", range, arg);
		if (strcmp(rt->out, again.out) == 0 || tries == 4) {
			tl_run_free(&again);
			return;
		}
		tl_run_free(&again);
		tl_run_free(rt);
		tl_run_free(rx);
	}
}

/*
 * Appends the default text row of the page at addr as the kernel sees it
 * now: addr pfn soft-dirty file swapped present [name], then tail. An
 * empty name ends the row; one followed by more columns (tail) is "-",
 * and its blanks are written as \040, so it stays one field.
 */
void
add_default_row(struct tl_buf *b, pid_t pid, uint64_t addr, const char *name,
    const char *tail)
{
	struct tl_page s = tl_page_state(pid, addr);

	tl_buf_printf(b, "%" PRIx64 " %" PRIx64 " %d %d %d %d", addr, s.pfn,
	    s.soft_dirty, s.file, s.swapped, s.present);
	if (*tail == '\0') {
		tl_buf_printf(b, "%s%s\n", *name != '\0' ? " " : "", name);
		return;
	}
	tl_buf_add(b, " ", 1);
	if (*name == '\0')
		tl_buf_add(b, "-", 1);
	for (; *name != '\0'; name++) {
		if (*name == ' ')
			tl_buf_add(b, "\\040", 4);
		else
			tl_buf_add(b, name, 1);
	}
	tl_buf_printf(b, "%s\n", tail);
}

void
add_default_rows(struct tl_buf *b, pid_t pid, uint64_t start, size_t n,
    const char *name, const char *tail)
{
	size_t i;

	for (i = 0; i < n; i++)
		add_default_row(b, pid, start + i * (uint64_t)page, name, tail);
}

void
assert_prints(const char *want, const char *const *args)
{
	struct tl_run r;

	tl_run(&r, NULL, args);
	tl_assert_ran_ok(&r);
	assert_string_equal(r.out, want);
	tl_run_free(&r);
}

/* The hostile file name as the text format must show it. */
void
hostile_text(const struct child *c, char *buf, size_t size)
{
	(void)c;	/* the names carry the test's pid, not the child's */
	snprintf(buf, size,
	    "/tmp/pmd-views-%d-h\\011,\"\\033\\377-x (deleted)", (int)getpid());
}

/*
 * The text form of a name, written here independently of the tool for the
 * names the child maps (ASCII, but for bytes that are not UTF-8):
 * printable ASCII as it is, every other byte as a backslash and three
 * octal digits.
 */
void
text_escape(struct tl_buf *b, const char *s, size_t n)
{
	size_t i;

	tl_buf_add(b, "", 0);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f)
			tl_buf_add(b, (const char *)&c, 1);
		else
			tl_buf_printf(b, "\\%03o", c);
	}
}

/* Tells whether s is "0x" and lower-case hex without leading zeros. */
bool
is_json_hex(const char *s)
{
	if (strncmp(s, "0x", 2) != 0 || s[2] == '\0')
		return false;
	if (s[2] == '0' && s[3] != '\0')
		return false;
	return strspn(s + 2, "0123456789abcdef") == strlen(s + 2);
}

bool
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
void
json_row_as_text(const struct tl_jobject *o, struct tl_rec *r)
{
	struct tl_buf b = { NULL, 0, 0 };
	size_t i;

	if (o->n != ALL_NCOLUMNS)
		fail_msg("JSON row with %zu keys, not %d", o->n, ALL_NCOLUMNS);
	for (i = 0; i < o->n; i++) {
		const struct tl_jmember *m = &o->m[i];
		if (strcmp(m->key, all_columns[i]) != 0)
			fail_msg("JSON key %zu is '%s', not '%s'", i, m->key,
			    all_columns[i]);
		b.len = 0;
		if (is_in(m->key, hex_keys)) {
			if (m->type != TL_JSTRING || !is_json_hex(m->s))
				fail_msg("JSON %s is not a \"0x...\" string: "
				    "%s", m->key, m->s);
			tl_buf_add(&b, m->s + 2, m->len - 2);
		} else if (is_in(m->key, flag_keys)) {
			if (m->type != TL_JBOOL)
				fail_msg("JSON %s is not true/false", m->key);
			tl_buf_add(&b, m->b ? "1" : "0", 1);
		} else if (is_in(m->key, number_keys)) {
			if (m->type != TL_JNUMBER || !is_decimal(m->s))
				fail_msg("JSON %s is not a whole number: %s",
				    m->key, m->s);
			tl_buf_add(&b, m->s, m->len);
		} else if (strcmp(m->key, "name") == 0) {
			if (m->type != TL_JSTRING)
				fail_msg("JSON name is not a string");
			text_escape(&b, m->s, m->len);
		} else {
			if (m->type != TL_JSTRING)
				fail_msg("JSON %s is not a string", m->key);
			tl_buf_add(&b, m->s, m->len);
		}
		tl_rec_add(r, tl_buf_str(&b), b.len);
	}
	tl_buf_free(&b);
}

/* Writes "START-END" (hex, without 0x) for the -r option. */
const char *
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
const char *
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

/* Returns s after its first line. */
const char *
after_first_line(const char *s)
{
	const char *nl = strchr(s, '\n');

	return nl != NULL ? nl + 1 : s + strlen(s);
}

/* Appends every line of s to b with prefix before it. */
void
add_prefixed(struct tl_buf *b, const char *prefix, const char *s)
{
	const char *nl;

	tl_buf_add(b, "", 0);
	for (; *s != '\0'; s = nl + 1) {
		nl = strchr(s, '\n');
		if (nl == NULL)
			fail_msg("no newline at the end of: %s", s);
		tl_buf_printf(b, "%s%.*s\n", prefix, (int)(nl - s), s);
	}
}


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

const char *const *
summary_keys(size_t *n)
{
	const char *const *keys = tl_have_sys_admin() ? summary_keys_pss :
	    summary_keys_plain;

	for (*n = 0; keys[*n] != NULL; (*n)++)
		;
	return keys;
}

/* The number of summary columns (without pid). */
size_t
summary_ncols(void)
{
	size_t n;

	summary_keys(&n);
	return n;
}

/* Appends the summary header line, with a pid column first if asked. */
void
add_summary_header(struct tl_buf *b, bool pid)
{
	size_t i, n;
	const char *const *keys = summary_keys(&n);

	tl_buf_printf(b, "%s", pid ? "pid " : "");
	for (i = 0; i < n; i++)
		tl_buf_printf(b, "%s%s", strcmp(keys[i], "file") == 0 ?
		    "file/shared" : strcmp(keys[i], "name") == 0 ? "library" :
		    keys[i], i + 1 < n ? " " : "\n");
}
