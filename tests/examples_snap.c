/*
 * examples_snap: the checks of the snapshot examples (--record, --replay,
 * --diff, --watch) and of the bars (--bars) of README.md and the manual,
 * and their recipes.
 */
#include "testlib.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "diff.h"
#include "examples.h"

/* --record FILE PID: nothing on stdout, and FILE written. */
static void
check_record(const struct run *r)
{
	const char *p = strstr(r->pc->text, "--record ");
	char path[256];
	struct stat st;

	require(p != NULL, "no --record in the command");
	p += strlen("--record ");
	snprintf(path, sizeof(path), "%s/%.*s", r->dir, (int)strcspn(p, " "),
	    p);
	require(r->out[0] == '\0', "--record printed on stdout");
	require(stat(path, &st) == 0 && st.st_size > 69, "%s was not "
	    "written", path);
}

/* --replay FILE -s: the summary's header, rows, and the total last. */
static void
check_replay_summary(const struct run *r)
{
	struct tl_lines ls;

	tl_lines_split(&ls, r->out);
	require(ls.n > 2 && tl_starts_with(ls.v[0], "start end perms pages "),
	    "not the summary's header");
	require(tl_starts_with(ls.v[ls.n - 1], "total "), "no total row last");
	tl_lines_free(&ls);
}

/*
 * Reads rows of a diff or a watch (after a time column with stamps):
 * each of the header's fields, a known change; returns how many were
 * "mapped" at the page addr (0: any).
 */
static int
diff_rows(const struct tl_lines *ls, bool stamps, uintptr_t addr)
{
	char *f[12], want[32];
	int i, n, mapped = 0;

	snprintf(want, sizeof(want), "%" PRIxPTR, addr);
	for (i = 1; i < ls->n && ls->v[i][0] != '\0'; i++) {
		char *line = strdup(ls->v[i]);
		n = tl_split(line, ' ', f, 12);
		require(n >= 10 + stamps && tl_is_decimal(f[stamps]) &&
		    tl_is_hex(f[stamps + 1]), "not a row of a change: '%s'",
		    ls->v[i]);
		if (strcmp(f[stamps + 2], "mapped") == 0 &&
		    (addr == 0 || strcmp(f[stamps + 1], want) == 0))
			mapped++;
		free(line);
	}
	return mapped;
}

/* --diff FILE PID: the late page is a "mapped" row; counts follow. */
static void
check_snapshot_diff(const struct run *r)
{
	struct tl_lines ls;
	uintptr_t late = example_touched();

	require(late != 0, "no sleep before the diff let the child change");
	tl_lines_split(&ls, r->out);
	require(ls.n > 1 && strcmp(ls.v[0], "pid addr change old-state "
	    "old-frame new-state new-frame old-kflags new-kflags name") == 0,
	    "not the diff's header: '%s'", ls.n > 0 ? ls.v[0] : "");
	require(diff_rows(&ls, false, late) == 1, "the page written during "
	    "the sleep (%" PRIxPTR ") is not a mapped row", late);
	require(strstr(r->out, "\npid start end perms mapped unmapped ") !=
	    NULL, "no counts of each mapping");
	tl_lines_free(&ls);
}

/* --watch N --count K PID: its header, and rows of changes if any. */
static void
check_watch(const struct run *r)
{
	struct tl_lines ls;

	tl_lines_split(&ls, r->out);
	require(ls.n >= 1 && tl_starts_with(ls.v[0], "time pid addr change "),
	    "not the watch's header");
	diff_rows(&ls, true, 0);
	tl_lines_free(&ls);
}

/*
 * --bars -m libc: the legend, the header, then a line per mapping of the
 * C library, each with a bar of cells that are all of the legend.
 */
static void
check_bars(const struct run *r)
{
	struct tl_lines ls;
	const char *a, *b;
	int i;

	tl_lines_split(&ls, r->out);
	require(ls.n > 2 && tl_starts_with(ls.v[0], "legend: # present") &&
	    strcmp(ls.v[1], "start        size   rss  bar name") == 0,
	    "not the legend and header of --bars");
	for (i = 2; i < ls.n; i++) {
		a = strchr(ls.v[i], '[');
		b = a != NULL ? strchr(a, ']') : NULL;
		require(b != NULL && b - a > 1 &&
		    strspn(a + 1, "#oHsg.") == (size_t)(b - a - 1) &&
		    strstr(b, "/libc") != NULL, "not a bar of the C library: "
		    "'%s'", ls.v[i]);
	}
	tl_lines_free(&ls);
}

/*
 * --svg FILE --physical [-A]: nothing on stdout, and FILE a whole picture
 * of the frames, by kind or by owner as the command asks.
 */
static void
check_frames_picture(const struct run *r)
{
	const char *p = strstr(r->pc->text, "--svg ");
	bool owners = strstr(r->pc->text, " -A") != NULL;
	char path[256], *svg;
	size_t len;

	require(p != NULL, "no --svg in the command");
	p += strlen("--svg ");
	snprintf(path, sizeof(path), "%s/%.*s", r->dir, (int)strcspn(p, " "),
	    p);
	require(r->out[0] == '\0', "--svg FILE printed on stdout");
	svg = tl_read_file(path);
	require(svg != NULL, "%s was not written", path);
	len = strlen(svg);
	require(tl_starts_with(svg, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	    "\n<svg ") && len > 7 && strcmp(svg + len - 7, "</svg>\n") == 0,
	    "%s is not a whole SVG document", path);
	require(strstr(svg, owners ? ", by the process that maps them<" :
	    ", by kind<") != NULL && strstr(svg, "<g id=\"frames\">") != NULL,
	    "%s is not the picture of frames %s", path, owners ? "by owner" :
	    "by kind");
	free(svg);
}

const struct recipe snapshot_recipes[] = {
	{ .what = "a picture of physical memory",
	    .need = { "--svg ", "--physical" },
	    .may_say = "pagemap-dump: --all: ", .check = check_frames_picture },
	{ .what = "bars of the C library", .need = { "--bars", "libc" },
	    .check = check_bars },
	{ .what = "a snapshot", .need = { "--record " },
	    .check = check_record },
	{ .what = "the summary of a snapshot", .need = { "--replay ", "-s" },
	    .check = check_replay_summary },
	{ .what = "what changed since a snapshot", .need = { "--diff " },
	    .check = check_snapshot_diff },
	{ .what = "the changes of a process", .need = { "--watch " },
	    .check = check_watch },
};
const size_t nsnapshot_recipes = sizeof(snapshot_recipes) /
    sizeof(snapshot_recipes[0]);
