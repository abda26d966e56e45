/*
 * test_svg_frames: --svg with --physical, the picture of physical
 * memory. On snapshots of synthetic frames (every kind, a range that
 * does not start at 0, cells of several frames, ties, a filter), the
 * legend's counts and every cell's colour are checked exactly; on this
 * machine, the counts of frames that hold still against /proc/kpageflags
 * read here, and, by owner, a child of a known size (and a hostile
 * name) against its own pagemap and the map counts of its frames. Every
 * picture is read by the strict XML reader, and one of each kind is
 * rendered by rsvg-convert when it is installed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "snapshot.h"
#include "testlib.h"
#include "xml.h"

#define F(bit) (UINT64_C(1) << (bit))
#define ANON (F(5) | F(11) | F(12))
#define FILE_PAGE (F(5) | F(11))
#define SLAB F(7)
#define BUDDY F(10)
#define THP (F(12) | F(22))
#define RESERVED F(32)
#define NOPAGE F(20)

/* The fills of the kinds and owners, as the legend gives them. */
#define FILL_ANON "#2e7d32"
#define FILL_FILE "#1565c0"
#define FILL_LEFT_OUT "#ffffff"

/* The grid's geometry, as the picture draws it. */
#define COLS 256
#define CELL 3
#define TOP 40
#define GRID_X 100

static char snap[] = "/tmp/pagemap-dump-frames.XXXXXX";

/* A picture, read: its frames, the frames of a cell, the text. */
struct picture {
	char *svg;
	uint64_t start, end, per_cell;
};

/* Runs the tool with args, writing the picture to stdout; reads it. */
static void
draw(struct picture *p, const char *const *args)
{
	struct tl_run r;
	const char *why, *t;

	tl_run(&r, NULL, args);
	tl_assert_not_killed(r.status, args[0], r.err);
	if (tl_exit_code(&r) != 0)
		fail_msg("exit %d: %s", tl_exit_code(&r), r.err);
	why = xml_problem(r.out);
	if (why != NULL)
		fail_msg("not well-formed XML: %s", why);
	t = strstr(r.out, "physical memory, frames ");
	assert_non_null(t);
	assert_int_equal(sscanf(t, "physical memory, frames %" SCNx64 "-%"
	    SCNx64, &p->start, &p->end), 2);
	t = strstr(r.out, ">a cell: ");
	assert_non_null(t);
	assert_int_equal(sscanf(t, ">a cell: %" SCNu64, &p->per_cell), 1);
	p->svg = r.out;
	r.out = NULL;
	tl_run_free(&r);
}

/* The frames the legend gives label, or -1 when it has no such line. */
static long long
legend_count(const struct picture *p, const char *label)
{
	char want[128];
	const char *t;

	snprintf(want, sizeof(want), "class=\"legend\">%s: ", label);
	t = strstr(p->svg, want);
	return t != NULL ? strtoll(t + strlen(want), NULL, 10) : -1;
}

/* The fill of the legend's swatch for label, into fill (8 bytes). */
static void
legend_fill(const struct picture *p, const char *label, char *fill)
{
	char want[128];
	const char *t, *line;

	snprintf(want, sizeof(want), "class=\"legend\">%s: ", label);
	t = strstr(p->svg, want);
	if (t == NULL)
		fail_msg("no legend line for %s", label);
	for (line = t; line > p->svg && line[-1] != '\n'; line--)
		;
	line = strstr(line, "fill=\"");
	assert_true(line != NULL && line < t);
	memcpy(fill, line + 6, 7);
	fill[7] = '\0';
}

/* The sum of the legend's counts. */
static uint64_t
legend_sum(const struct picture *p)
{
	const char *t = p->svg;
	uint64_t sum = 0;

	while ((t = strstr(t, "class=\"legend\">")) != NULL) {
		t = strstr(t, ": ");
		sum += strtoull(t + 2, NULL, 10);
	}
	return sum;
}

/*
 * Calls each(cell, arg) for every cell of the grid drawn in fill; returns
 * how many there are.
 */
static uint64_t
cells_of(const struct picture *p, const char *fill,
    void (*each)(uint64_t cell, void *arg), void *arg)
{
	const char *t = strstr(p->svg, "<g id=\"frames\">"), *end;
	char want[32];
	uint64_t n = 0;

	assert_non_null(t);
	end = strstr(t, "</g>");
	snprintf(want, sizeof(want), "fill=\"%s\"/>", fill);
	while ((t = strstr(t, "<rect ")) != NULL && t < end) {
		unsigned x, y, w, h;
		const char *close = strchr(t, '>');
		assert_int_equal(sscanf(t, "<rect x=\"%u\" y=\"%u\" width=\"%u\" "
		    "height=\"%u\"", &x, &y, &w, &h), 4);
		assert_true(x >= GRID_X && y >= TOP && w % CELL == 0 &&
		    h == CELL && (x - GRID_X) % CELL == 0 &&
		    (y - TOP) % CELL == 0);
		if (strncmp(close - strlen(want) + 1, want, strlen(want)) == 0)
			for (unsigned k = 0; k < w / CELL; k++) {
				uint64_t c = (uint64_t)(y - TOP) / CELL * COLS +
				    (x - GRID_X) / CELL + k;
				if (each != NULL)
					each(c, arg);
				n++;
			}
		t = close;
	}
	return n;
}

/* ---- synthetic frames ---- */

/* Writes a snapshot of physical memory: frames start.., flags of each. */
static void
write_frames(uint64_t start, size_t n, uint64_t (*flags)(uint64_t pfn))
{
	struct snapshot s;
	unsigned char *data;
	size_t len, i;
	int fd;

	memset(&s, 0, sizeof(s));
	s.page_size = (uint64_t)tl_page();
	snprintf(s.release, sizeof(s.release), "test");
	s.has_kpage = true;
	s.physical = true;
	s.frames = calloc(n, sizeof(*s.frames));
	assert_non_null(s.frames);
	for (i = 0; i < n; i++) {
		s.frames[i].pfn = start + i;
		s.frames[i].flags = flags(start + i);
	}
	s.nframes = n;
	assert_int_equal(snapshot_encode(&s, &data, &len), 0);
	fd = open(snap, O_WRONLY | O_TRUNC | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	free(data);
	free(s.frames);
}

/* Frames 1000-125f: a kind each in turn, then a run of a THP. */
static uint64_t
mixed(uint64_t pfn)
{
	static const uint64_t turn[] = { ANON, FILE_PAGE, SLAB, BUDDY,
	    RESERVED, 0, NOPAGE };

	return pfn >= 0x1200 ? THP : turn[(pfn - 0x1000) % 7];
}

/* Whether cell c, a frame each from 0x1000, is of mixed's kind want. */
struct kind_check {
	uint64_t flags;
	uint64_t start;
};

static void
check_kind(uint64_t cell, void *arg)
{
	const struct kind_check *k = arg;

	if (mixed(k->start + cell) != k->flags)
		fail_msg("cell %" PRIu64 " (frame %" PRIx64 ") drawn as "
		    "flags %#" PRIx64, cell, k->start + cell, k->flags);
}

static void
should_draw_every_frame_of_synthetic_memory_by_kind(void **state)
{
	static const struct {
		const char *label;
		uint64_t flags;
		const char *fill;
	} kinds[] = {
		{ "anon", ANON, FILL_ANON }, { "file", FILE_PAGE, FILL_FILE },
		{ "slab", SLAB, "#ef6c00" }, { "free", BUDDY, "#e0e0e0" },
		{ "reserved", RESERVED, "#424242" }, { "other", 0, "#9e9e9e" },
		{ "nopage", NOPAGE, "#fff8e1" }, { "thp", THP, "#6a1b9a" },
	};
	struct picture p;
	size_t i;

	(void)state;
	write_frames(0x1000, 0x260, mixed);
	draw(&p, (const char *const[]){ "--replay", snap, "--svg", "-",
	    NULL });
	assert_int_equal(p.start, 0x1000);
	assert_int_equal(p.end, 0x1260);
	assert_int_equal(p.per_cell, 1);
	/* 512 frames of 7 kinds in turn (74 of the first, 73 of others). */
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct kind_check k = { kinds[i].flags, 0x1000 };
		long long want = i == 7 ? 0x60 : i < 1 ? 74 : 73;
		char fill[8];
		assert_int_equal(legend_count(&p, kinds[i].label), want);
		legend_fill(&p, kinds[i].label, fill);
		assert_string_equal(fill, kinds[i].fill);
		assert_int_equal(cells_of(&p, fill, check_kind, &k), want);
	}
	assert_int_equal(legend_count(&p, "left out"), -1);
	assert_int_equal(legend_sum(&p), 0x260);
	/* The first row starts at the first frame's physical address. */
	assert_non_null(strstr(p.svg, "class=\"addr\">1000000</text>"));
	free(p.svg);
}

/* Cells of four: even ones 3 anon and a file, odd 2 file and 2 slab. */
static uint64_t
quads(uint64_t pfn)
{
	uint64_t k = pfn % 4;

	if ((pfn / 4) % 2 == 0)
		return k < 3 ? ANON : FILE_PAGE;
	return k < 2 ? FILE_PAGE : SLAB;
}

static void
parity(uint64_t cell, void *arg)
{
	uint64_t want = *(const uint64_t *)arg;

	if (cell % 2 != want)
		fail_msg("cell %" PRIu64 " has the colour of the other cells",
		    cell);
}

static void
should_colour_a_cell_of_many_frames_as_most_of_them(void **state)
{
	uint64_t even = 0, odd = 1;
	struct picture p;

	(void)state;
	/* 2^18 frames: 4 a cell, so that there are 65,536 cells. */
	write_frames(0, 1u << 18, quads);
	draw(&p, (const char *const[]){ "--replay", snap, "--svg", "-",
	    NULL });
	assert_int_equal(p.per_cell, 4);
	assert_int_equal(legend_count(&p, "anon"), 3 << 15);
	assert_int_equal(legend_count(&p, "file"), 3 << 15);
	assert_int_equal(legend_count(&p, "slab"), 1 << 16);
	/* Even cells anon; odd ones tie file and slab: file goes first. */
	assert_int_equal(cells_of(&p, FILL_ANON, parity, &even), 1 << 15);
	assert_int_equal(cells_of(&p, FILL_FILE, parity, &odd), 1 << 15);
	assert_int_equal(cells_of(&p, "#ef6c00", NULL, NULL), 0);
	/* 256 rows, an address every 16: row 16 at frame 16 * 1024. */
	assert_non_null(strstr(p.svg, "y=\"96\" class=\"addr\">4000000<"));
	assert_non_null(strstr(p.svg, "y=\"768\" class=\"addr\">3c000000<"));
	assert_null(strstr(p.svg, "class=\"addr\">40000000<"));
	free(p.svg);
	/* One frame more: 8 frames a cell. */
	write_frames(0, (1u << 18) + 1, quads);
	draw(&p, (const char *const[]){ "--replay", snap, "--svg", "-",
	    NULL });
	assert_int_equal(p.per_cell, 8);
	assert_int_equal(cells_of(&p, FILL_ANON, NULL, NULL), 32769);
	free(p.svg);
}

static void
should_leave_out_the_frames_a_filter_does_not_select(void **state)
{
	struct kind_check k = { ANON, 0x1000 };
	struct picture p;

	(void)state;
	write_frames(0x1000, 0x260, mixed);
	draw(&p, (const char *const[]){ "--replay", snap, "--svg", "-",
	    "-k", "anon", NULL });
	/* Anon frames, and the THP's, which are anon too. */
	assert_int_equal(legend_count(&p, "anon"), 74);
	assert_int_equal(legend_count(&p, "thp"), 0x60);
	assert_int_equal(legend_count(&p, "file"), -1);
	assert_int_equal(legend_count(&p, "left out"), 0x200 - 74);
	assert_int_equal(cells_of(&p, FILL_ANON, check_kind, &k), 74);
	assert_int_equal(cells_of(&p, FILL_LEFT_OUT, NULL, NULL), 0x200 - 74);
	free(p.svg);
}

/* A filter that leaves no frame of the range: every cell left out. */
static void
should_draw_every_frame_left_out_when_none_is_selected(void **state)
{
	struct picture p;

	(void)state;
	write_frames(0x1000, 0x260, mixed);
	draw(&p, (const char *const[]){ "--replay", snap, "--svg", "-",
	    "-m", "nothing of the kind", NULL });
	assert_int_equal(legend_count(&p, "left out"), 0x260);
	assert_int_equal(legend_sum(&p), 0x260);
	assert_int_equal(cells_of(&p, FILL_LEFT_OUT, NULL, NULL), 0x260);
	free(p.svg);
}

/* ---- this machine ---- */

/* The frames of /proc/kpageflags from start to end with any of flags. */
static uint64_t
count_flags(uint64_t start, uint64_t end, uint64_t any, uint64_t none)
{
	static uint64_t buf[65536];
	uint64_t n = 0, pfn = start;
	int fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	while (pfn < end) {
		size_t want = end - pfn < 65536 ? (size_t)(end - pfn) : 65536;
		ssize_t got = pread(fd, buf, want * 8, (off_t)(pfn * 8));
		assert_true(got > 0);
		for (size_t i = 0; i < (size_t)got / 8; i++)
			n += (buf[i] & any) && !(buf[i] & none);
		pfn += (uint64_t)got / 8;
	}
	close(fd);
	return n;
}

static void
should_count_this_machines_frames_by_kind(void **state)
{
	struct picture p;
	uint64_t want;

	(void)state;
	if (!tl_is_root())
		tl_skip("--physical reads /proc/kpageflags: root only");
	draw(&p, (const char *const[]){ "--svg", "-", "--physical", NULL });
	assert_int_equal(p.start, 0);
	assert_true(p.end > 0);
	assert_int_equal(legend_sum(&p), p.end - p.start);
	assert_true(p.per_cell >= 1 &&
	    (p.end - p.start + p.per_cell - 1) / p.per_cell <= 65536);
	/* Reserved frames and holes hold still: the counts are exact. */
	want = count_flags(p.start, p.end, RESERVED, NOPAGE);
	assert_int_equal(legend_count(&p, "reserved"), want > 0 ? (long long)
	    want : -1);
	want = count_flags(p.start, p.end, NOPAGE, 0);
	assert_int_equal(legend_count(&p, "nopage"), want > 0 ? (long long)
	    want : -1);
	assert_true(legend_count(&p, "free") > 0);
	assert_true(legend_count(&p, "file") > 0);
	free(p.svg);
}

/* The child of the owners' picture: its pages, and where they are. */
#define CHILD_PAGES 32768
#define CHILD_NAME "pd <&\"'\x01 own"
#define CHILD_LEGEND "pd &lt;&amp;&quot;&apos;\\001 own"

struct owned {
	pid_t pid;
	int hold;
	uintptr_t addr;
	uint64_t *pfns;		/* of its pages, sorted */
	size_t n;
	uint64_t per_cell, start;
};

static void
start_owner(struct owned *o)
{
	int info;
	size_t page = (size_t)tl_page();

	o->pid = tl_fork_held(&info, &o->hold);
	assert_true(o->pid >= 0);
	if (o->pid == 0) {
		char *m = mmap(NULL, CHILD_PAGES * page, PROT_READ |
		    PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		uintptr_t a = (uintptr_t)m;
		if (m == MAP_FAILED)
			_exit(1);
		madvise(m, CHILD_PAGES * page, MADV_NOHUGEPAGE);
		for (size_t i = 0; i < CHILD_PAGES; i++)
			m[i * page] = (char)(i + 1);
		prctl(PR_SET_NAME, CHILD_NAME);
		if (write(info, &a, sizeof(a)) != (ssize_t)sizeof(a))
			_exit(1);
		tl_wait_for_close(o->hold);
		_exit(0);
	}
	assert_int_equal(read(info, &o->addr, sizeof(o->addr)),
	    sizeof(o->addr));
	close(info);
}

static int
by_pfn(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The frames of every present page of the child, sorted, into o; returns
 * how many of its region's map once (the kernel's count).
 */
static uint64_t
read_owner(struct owned *o)
{
	uint64_t page = (uint64_t)tl_page(), once = 0, c, *e;
	int fd = open("/proc/kpagecount", O_RDONLY | O_CLOEXEC);
	struct tl_vma *v;
	size_t nv = tl_maps(o->pid, &v), i, k, cap = CHILD_PAGES;

	assert_true(fd >= 0);
	o->pfns = malloc(cap * sizeof(*o->pfns));
	assert_non_null(o->pfns);
	for (i = 0; i < nv; i++) {
		size_t n = (size_t)((v[i].end - v[i].start) / page);
		if (v[i].name != NULL && strcmp(v[i].name, "[vsyscall]") == 0)
			continue;
		e = calloc(n, sizeof(*e));
		assert_non_null(e);
		tl_pagemap(o->pid, v[i].start, e, n);
		for (k = 0; k < n; k++) {
			uint64_t pfn = e[k] & ((UINT64_C(1) << 55) - 1);
			if (!(e[k] >> 63) || pfn == 0)
				continue;
			if (o->n == cap) {
				cap *= 2;
				o->pfns = realloc(o->pfns, cap * sizeof(*e));
				assert_non_null(o->pfns);
			}
			o->pfns[o->n++] = pfn;
			if (v[i].start + k * page < o->addr || v[i].start +
			    k * page >= o->addr + CHILD_PAGES * page)
				continue;
			assert_int_equal(pread(fd, &c, 8, (off_t)(pfn * 8)), 8);
			once += c == 1;
		}
		free(e);
	}
	tl_vmas_free(v, nv);
	close(fd);
	qsort(o->pfns, o->n, sizeof(*o->pfns), by_pfn);
	return once;
}

/* Cell c of the child's colour must hold one of its frames. */
static void
check_owned(uint64_t cell, void *arg)
{
	const struct owned *o = arg;
	uint64_t lo = o->start + cell * o->per_cell, hi = lo + o->per_cell;
	size_t a = 0, b = o->n;

	while (a < b) {		/* the first frame of the child's >= lo */
		size_t m = a + (b - a) / 2;
		if (o->pfns[m] < lo)
			a = m + 1;
		else
			b = m;
	}
	if (a == o->n || o->pfns[a] >= hi)
		fail_msg("cell %" PRIu64 " (frames %" PRIx64 "-%" PRIx64 ") is "
		    "the child's colour, but holds none of its frames", cell,
		    lo, hi);
}

static void
should_draw_the_frames_of_a_child_in_its_colour(void **state)
{
	struct owned o = { 0 };
	struct picture p;
	char label[96], fill[8];
	long long got;
	uint64_t once, cells;

	(void)state;
	if (!tl_is_root())
		tl_skip("--physical reads /proc/kpageflags: root only");
	start_owner(&o);
	once = read_owner(&o);
	draw(&p, (const char *const[]){ "--svg", "-", "--physical", "-A",
	    NULL });
	snprintf(label, sizeof(label), "pid %d " CHILD_LEGEND, (int)o.pid);
	got = legend_count(&p, label);
	/*
	 * Its frames that map once are its alone; the others too, unless
	 * another process maps them.
	 */
	if (got < (long long)once || got > (long long)o.n)
		fail_msg("the legend gives the child %lld frames; %" PRIu64
		    " of its %d pages map once, and it maps %zu", got, once,
		    CHILD_PAGES, o.n);
	assert_true(once >= CHILD_PAGES - 16);
	legend_fill(&p, label, fill);
	o.per_cell = p.per_cell;
	o.start = p.start;
	cells = cells_of(&p, fill, check_owned, &o);
	/* Every cell of its colour holds one of its frames: there are some. */
	assert_true(cells >= 1);
	assert_true(legend_count(&p, "no process") > 0);
	assert_int_equal(legend_sum(&p), p.end - p.start);
	free(p.svg);
	free(o.pfns);
	close(o.hold);
	tl_wait(o.pid);
}

/* Frames no process maps (the first ones, reserved): no owner at all. */
static void
should_draw_frames_no_process_maps(void **state)
{
	struct picture p;

	(void)state;
	if (!tl_is_root())
		tl_skip("--physical reads /proc/kpageflags: root only");
	draw(&p, (const char *const[]){ "--svg", "-", "--physical", "-A",
	    "1-101", NULL });
	assert_int_equal(p.start, 1);
	assert_int_equal(p.end, 0x101);
	assert_int_equal(legend_count(&p, "no process"), 0x100);
	assert_int_equal(legend_count(&p, "several processes"), 0);
	assert_int_equal(legend_sum(&p), 0x100);
	assert_int_equal(cells_of(&p, "#eeeeee", NULL, NULL), 0x100);
	free(p.svg);
}

/* A range that cannot be drawn leaves the file as it was. */
static void
should_leave_the_file_alone_when_the_range_is_refused(void **state)
{
	char path[] = "/tmp/pagemap-dump-frames-file.XXXXXX", *text;
	struct tl_run r;
	int fd = mkstemp(path);

	(void)state;
	if (!tl_is_root())
		tl_skip("--physical reads /proc/kpageflags: root only");
	assert_true(fd >= 0);
	close(fd);
	assert_true(tl_write_file(path, "kept\n"));
	tl_runl(&r, "--svg", path, "--physical", "fffffffff0-fffffffff1");
	assert_int_equal(tl_exit_code(&r), 1);
	assert_non_null(strstr(r.err, "no frame from fffffffff0"));
	text = tl_read_file(path);
	assert_string_equal(text, "kept\n");
	free(text);
	tl_run_free(&r);
	unlink(path);
}

static void
should_refuse_what_the_picture_cannot_draw(void **state)
{
	static const char *const bad[][6] = {
		{ "--physical", "-A", NULL },
		{ "--svg", "-", "--physical", "-a", "1000", NULL },
		{ "--bars", "--physical", NULL },
		{ "--svg", "-", "--physical", "1-2", "3-4", NULL },
	};
	struct tl_run r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tl_run(&r, NULL, bad[i]);
		assert_int_equal(tl_exit_code(&r), 2);
		assert_string_equal(r.out, "");
		assert_true(strlen(r.err) > 0);
		tl_run_free(&r);
	}
}

static void
should_render_both_pictures_with_an_image_converter(void **state)
{
	const char *const kinds[][6] = {
		{ "--svg", NULL, "--physical", NULL },
		{ "--svg", NULL, "--physical", "-A", NULL },
	};
	char dir[] = "/tmp/pagemap-dump-frames-svg.XXXXXX", svg[96];
	size_t i;

	(void)state;
	if (!tl_is_root())
		tl_skip("--physical reads /proc/kpageflags: root only");
	if (!xml_can_render())
		tl_skip("no rsvg-convert (Debian's librsvg2-bin): the pictures "
		    "are not rendered");
	assert_non_null(mkdtemp(dir));
	snprintf(svg, sizeof(svg), "%s/p.svg", dir);
	for (i = 0; i < 2; i++) {
		const char *args[6];
		struct tl_run r;
		memcpy(args, kinds[i], sizeof(args));
		args[1] = svg;
		tl_run(&r, NULL, args);
		assert_int_equal(tl_exit_code(&r), 0);
		assert_string_equal(r.out, "");
		tl_run_free(&r);
		if (!xml_renders(svg))
			fail_msg("rsvg-convert made no PNG of picture %zu", i);
		unlink(svg);
	}
	rmdir(dir);
}

static int
make_snap(void **state)
{
	int fd = mkstemp(snap);

	(void)state;
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int
remove_snap(void **state)
{
	(void)state;
	unlink(snap);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    should_draw_every_frame_of_synthetic_memory_by_kind),
		cmocka_unit_test(
		    should_colour_a_cell_of_many_frames_as_most_of_them),
		cmocka_unit_test(
		    should_leave_out_the_frames_a_filter_does_not_select),
		cmocka_unit_test(
		    should_draw_every_frame_left_out_when_none_is_selected),
		cmocka_unit_test(should_count_this_machines_frames_by_kind),
		cmocka_unit_test(should_draw_frames_no_process_maps),
		cmocka_unit_test(
		    should_leave_the_file_alone_when_the_range_is_refused),
		cmocka_unit_test(
		    should_draw_the_frames_of_a_child_in_its_colour),
		cmocka_unit_test(should_refuse_what_the_picture_cannot_draw),
		cmocka_unit_test(
		    should_render_both_pictures_with_an_image_converter),
	};

	if (tl_check_tool("test_svg_frames") != 0)
		return 1;
	if (getenv("TEST_FILTER") != NULL)
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	return cmocka_run_group_tests(tests, make_snap, remove_snap);
}
