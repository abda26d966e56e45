/*
 * diff: two readings of a process compared page by page. The entries of
 * both (ascending, zero ones left out) are walked together; a page whose
 * state, frame, entry bits or page kind differ is a row, with its values
 * before and after; and each mapping gets a count of each kind.
 */
#include "diff.h"

#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"
#include "kpage.h"
#include "maps.h"
#include "pagemap.h"
#include "record.h"
#include "replay.h"

#define DIFF_ROW_MAX (3 * KPAGE_NAMES_MAX + 256)

static const char *const kind_names[DIFF_KINDS] = {
	"mapped", "unmapped", "moved", "swapped-out", "swapped-in",
	"changed", "flags",
};

const char *
diff_kind_name(enum diff_kind k)
{
	return k < DIFF_KINDS ? kind_names[k] : "changed";
}

/* One reading: its mappings parsed, the counts of each, a cursor. */
struct side {
	const struct snapshot *s;
	const struct snapshot_process *p;
	struct maps maps;
	struct diff_counts *per_map;	/* one for each mapping */
	size_t at;			/* the mapping of the last page */
};

static int
open_side(struct side *sd, const struct snapshot *s,
    const struct snapshot_process *p)
{
	char *text = malloc(p->maps_len + 1);
	const char *why;
	size_t bad;

	memset(sd, 0, sizeof(*sd));
	sd->s = s;
	sd->p = p;
	if (text == NULL)
		return -1;
	memcpy(text, p->maps, p->maps_len);
	if (maps_parse(&sd->maps, text, p->maps_len, &bad, &why) != 0) {
		free(text);
		warnx("pid %d: maps of the snapshot: line %zu: %s",
		    (int)p->pid, bad, why);
		return -1;
	}
	sd->per_map = calloc(sd->maps.count + 1, sizeof(*sd->per_map));
	return sd->per_map != NULL ? 0 : -1;
}

static void
close_side(struct side *sd)
{
	maps_free(&sd->maps);
	free(sd->per_map);
}

/* The mapping of side sd that holds page vpn, or -1 (pages ascend). */
static long
mapping_of(struct side *sd, uint64_t vpn)
{
	uint64_t addr = vpn * sd->s->page_size;
	const struct maps_entry *m = sd->maps.entries;

	while (sd->at < sd->maps.count && m[sd->at].end <= addr)
		sd->at++;
	return sd->at < sd->maps.count && m[sd->at].start <= addr ?
	    (long)sd->at : -1;
}

/* The kind flags of the frame of a present entry (0 unknown). */
static uint64_t
kind_flags(const struct snapshot *s, uint64_t raw)
{
	const struct snapshot_frame *f = (raw & PM_PRESENT) ?
	    snapshot_frame(s, raw & PM_PFN_MASK) : NULL;

	return f != NULL ? f->flags : 0;
}

/* How page old (of a) became new (of b); DIFF_KINDS: it did not. */
static enum diff_kind
classify(const struct snapshot *a, uint64_t old, const struct snapshot *b,
    uint64_t new)
{
	struct pagemap_entry x, y;

	pagemap_decode(old, &x);
	pagemap_decode(new, &y);
	if (x.state == PAGEMAP_NONE && y.state != PAGEMAP_NONE)
		return DIFF_MAPPED;
	if (x.state != PAGEMAP_NONE && y.state == PAGEMAP_NONE)
		return DIFF_UNMAPPED;
	if (x.state == PAGEMAP_PRESENT && y.state == PAGEMAP_SWAP)
		return DIFF_SWAPPED_OUT;
	if (x.state == PAGEMAP_SWAP && y.state == PAGEMAP_PRESENT)
		return DIFF_SWAPPED_IN;
	if (x.state != y.state)
		return DIFF_CHANGED;
	if ((x.state == PAGEMAP_PRESENT || x.state == PAGEMAP_SWAP) &&
	    (old & PM_PFN_MASK) != (new & PM_PFN_MASK))
		return DIFF_MOVED;
	if ((old ^ new) & DIFF_ENTRY_MASK)
		return DIFF_FLAGS;
	if (x.state != PAGEMAP_PRESENT && old != new)
		return DIFF_FLAGS;
	if (x.state == PAGEMAP_PRESENT && ((kind_flags(a, old) ^
	    kind_flags(b, new)) & DIFF_KFLAGS_MASK))
		return DIFF_FLAGS;
	return DIFF_KINDS;
}

/* "state frame" of an entry: the PFN, or swap type:offset, or "-". */
static int
put_value(char *dst, size_t len, uint64_t raw)
{
	struct pagemap_entry e;

	pagemap_decode(raw, &e);
	if (e.state == PAGEMAP_PRESENT)
		return snprintf(dst, len, "%s %" PRIx64,
		    pagemap_state_name(e.state), e.pfn);
	if (e.state == PAGEMAP_SWAP)
		return snprintf(dst, len, "%s %x:%" PRIx64,
		    pagemap_state_name(e.state), e.swap_type, e.swap_offset);
	return snprintf(dst, len, "%s -", pagemap_state_name(e.state));
}

/* The page flags of an entry's frame, by name, or "-". */
static void
put_flags(char *dst, const struct snapshot *s, uint64_t raw)
{
	const struct snapshot_frame *f = (raw & PM_PRESENT) && s->has_kpage ?
	    snapshot_frame(s, raw & PM_PFN_MASK) : NULL;

	size_t n = f != NULL ? kpage_flag_names(dst, f->flags) : 0;

	dst[n] = '\0';
	if (n == 0)
		strcpy(dst, "-");
}

/* The name of mapping m, escaped, into dst (room: escape.h). */
static const char *
name_of(char *dst, const struct maps_entry *m)
{
	size_t n = m != NULL ? escape_text(dst, m->name, m->name_len) : 0;

	dst[n] = '\0';
	return dst;
}

/* Writes the row of one changed page. */
static int
put_row(struct out *out, const struct side *a, const struct side *b,
    const char *stamp, uint64_t vpn, uint64_t old, uint64_t new,
    enum diff_kind k, const struct maps_entry *m)
{
	char was[64], is[64], fa[KPAGE_NAMES_MAX + 1], fb[KPAGE_NAMES_MAX + 1];
	char *name = malloc(m != NULL ? ESCAPE_TEXT_MAX(m->name_len) + 1 : 1);
	char *p;
	int n;

	if (name == NULL)
		return -1;
	put_value(was, sizeof(was), old);
	put_value(is, sizeof(is), new);
	put_flags(fa, a->s, old);
	put_flags(fb, b->s, new);
	name_of(name, m);
	p = out_reserve(out, DIFF_ROW_MAX + strlen(name));
	n = p == NULL ? -1 : sprintf(p, "%s%s%d %" PRIx64 " %s %s %s %s %s "
	    "%s\n", stamp != NULL ? stamp : "", stamp != NULL ? " " : "",
	    (int)b->p->pid, vpn * b->s->page_size, diff_kind_name(k), was, is,
	    fa, fb, name);
	if (n >= 0)
		out_commit(out, p + n);
	free(name);
	return n >= 0 ? 0 : -1;
}

/* Compares page vpn (old in a, new in b); a row if it changed. */
static int
compare_page(struct out *out, struct side *a, struct side *b,
    const char *stamp, uint64_t vpn, uint64_t old, uint64_t new,
    struct diff_counts *counts)
{
	enum diff_kind k = classify(a->s, old, b->s, new);
	long mb, ma;
	const struct maps_entry *m;

	if (k == DIFF_KINDS)
		return 0;
	mb = mapping_of(b, vpn);
	ma = mapping_of(a, vpn);
	m = mb >= 0 ? &b->maps.entries[mb] : ma >= 0 ?
	    &a->maps.entries[ma] : NULL;
	if (mb >= 0)
		b->per_map[mb].n[k]++;
	else if (ma >= 0)
		a->per_map[ma].n[k]++;
	counts->n[k]++;
	return put_row(out, a, b, stamp, vpn, old, new, k, m);
}

/* Writes the counts of each mapping of sd that changed. */
static int
put_mappings(struct out *out, const struct side *sd)
{
	size_t i;
	int k;

	for (i = 0; i < sd->maps.count; i++) {
		const struct maps_entry *m = &sd->maps.entries[i];
		uint64_t any = 0;
		char *name, *p;
		int n;

		for (k = 0; k < DIFF_KINDS; k++)
			any += sd->per_map[i].n[k];
		if (any == 0)
			continue;
		name = malloc(ESCAPE_TEXT_MAX(m->name_len) + 1);
		p = name != NULL ? out_reserve(out, 512 + ESCAPE_TEXT_MAX(
		    m->name_len)) : NULL;
		if (p == NULL) {
			free(name);
			return -1;
		}
		n = sprintf(p, "%d %" PRIx64 " %" PRIx64 " %s", (int)sd->p->pid,
		    m->start, m->end, m->perms);
		for (k = 0; k < DIFF_KINDS; k++)
			n += sprintf(p + n, " %" PRIu64, sd->per_map[i].n[k]);
		n += sprintf(p + n, " %s\n", name_of(name, m));
		out_commit(out, p + n);
		free(name);
	}
	return 0;
}

int
diff_process(struct out *out, const struct snapshot *a,
    const struct snapshot_process *pa, const struct snapshot *b,
    const struct snapshot_process *pb, const char *stamp,
    struct out *per_mapping, struct diff_counts *counts)
{
	struct side sa, sb;
	size_t i = 0, j = 0;
	int rc = -1;

	if (open_side(&sa, a, pa) != 0 || open_side(&sb, b, pb) != 0)
		goto out;
	while (i < pa->nentries || j < pb->nentries) {
		uint64_t va = i < pa->nentries ? pa->entries[i].vpn :
		    UINT64_MAX, vb = j < pb->nentries ? pb->entries[j].vpn :
		    UINT64_MAX, vpn = va < vb ? va : vb;
		uint64_t old = va == vpn ? pa->entries[i++].raw : 0;
		uint64_t new = vb == vpn ? pb->entries[j++].raw : 0;

		if (compare_page(out, &sa, &sb, stamp, vpn, old, new,
		    counts) != 0)
			goto out;
	}
	rc = per_mapping == NULL ? 0 : put_mappings(per_mapping, &sb) != 0 ||
	    put_mappings(per_mapping, &sa) != 0 ? -1 : 0;
out:
	close_side(&sa);
	close_side(&sb);
	return rc;
}

/* Whether text is a pid (digits), not a file name. */
static bool
is_pid(const char *text, pid_t *pid)
{
	pid_t v = options_parse_pid(text, OPTIONS_PID_LIMIT);

	if (v <= 0 || strchr(text, '/') != NULL)
		return false;
	*pid = v;
	return true;
}

/* B of --diff: a snapshot file, or a pid read now. Returns 0, or -1. */
static int
load_b(const char *text, struct snapshot *b, pid_t *live)
{
	*live = 0;
	if (access(text, F_OK) != 0 && is_pid(text, live))
		return record_take(*live, b);
	return replay_load(text, b);
}

/* The process of s with pid, or NULL. */
static const struct snapshot_process *
process_of(const struct snapshot *s, int32_t pid)
{
	size_t i;

	for (i = 0; i < s->nprocs; i++)
		if (s->procs[i].pid == pid)
			return &s->procs[i];
	return NULL;
}

/* Compares the processes a and b both hold; says which only one does. */
static int
diff_all(struct out *out, struct out *maps, const struct snapshot *a,
    const struct snapshot *b, pid_t live, const struct options *opts)
{
	struct diff_counts counts;
	size_t i;
	int status = 0;

	memset(&counts, 0, sizeof(counts));
	for (i = 0; i < a->nprocs; i++) {
		const struct snapshot_process *pb = process_of(b,
		    a->procs[i].pid);
		if (live != 0 && a->procs[i].pid != live)
			continue;
		if (pb == NULL) {
			warnx("pid %d: only in %s", (int)a->procs[i].pid,
			    opts->diff);
			continue;
		}
		if (diff_process(out, a, &a->procs[i], b, pb, NULL, maps,
		    &counts) != 0)
			return 1;
	}
	for (i = 0; i < b->nprocs; i++)
		if (process_of(a, b->procs[i].pid) == NULL) {
			warnx("pid %d: not in %s", (int)b->procs[i].pid,
			    opts->diff);
			status = live != 0;
		}
	return status;
}

int
diff_run(struct options *opts)
{
	struct snapshot a, b;
	struct out out, maps;
	pid_t live;
	int status = 1;

	if (replay_load(opts->diff, &a) != 0)
		return 1;
	if (load_b(opts->diff_b, &b, &live) != 0) {
		snapshot_free(&a);
		return 1;
	}
	if (a.page_size != b.page_size) {
		warnx("--diff: %s and %s were taken with pages of other sizes",
		    opts->diff, opts->diff_b);
		goto done;
	}
	if (out_init(&out, STDOUT_FILENO, 1 << 16) != 0 ||
	    out_init(&maps, -1, 1 << 12) != 0) {
		warn("--diff");
		goto done;
	}
	if (!opts->no_header)
		out_write(&out, DIFF_HEADER, strlen(DIFF_HEADER));
	status = diff_all(&out, &maps, &a, &b, live, opts);
	if (maps.len > 0) {
		out_write(&out, "\n", 1);
		if (!opts->no_header)
			out_write(&out, DIFF_MAPPINGS_HEADER,
			    strlen(DIFF_MAPPINGS_HEADER));
		out_write(&out, maps.buf, maps.len);
	}
	if (out_flush(&out) != 0 || maps.error != 0) {
		errno = out.error != 0 ? out.error : maps.error;
		warn("write to stdout");
		status = 1;
	}
	out_free(&out);
	out_free(&maps);
done:
	snapshot_free(&a);
	snapshot_free(&b);
	return status;
}
