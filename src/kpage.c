/*
 * kpage: batched lookups in /proc/kpageflags, kpagecount and kpagecgroup.
 */
#include "kpage.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"
#include "pagemap.h"

/* linux/kernel-page-flags.h; bits 32 and up are kernel-internal. */
static const char *const flag_names[64] = {
	[0] = "locked", [1] = "error", [2] = "referenced", [3] = "uptodate",
	[4] = "dirty", [5] = "lru", [6] = "active", [7] = "slab",
	[8] = "writeback", [9] = "reclaim", [10] = "buddy", [11] = "mmap",
	[12] = "anon", [13] = "swapcache", [14] = "swapbacked",
	[15] = "compound_head", [16] = "compound_tail", [17] = "huge",
	[18] = "unevictable", [19] = "hwpoison", [20] = "nopage",
	[21] = "ksm", [22] = "thp", [23] = "offline", [24] = "zero_page",
	[25] = "idle", [26] = "pgtable",
	[32] = "reserved", [33] = "mlocked", [34] = "owner_2",
	[35] = "private", [36] = "private_2", [37] = "owner_private",
	[38] = "arch", [39] = "uncached", [40] = "softdirty", [41] = "arch_2",
};

static const char *const paths[KPAGE_FILES] = {
	[KPAGE_FLAGS] = "/proc/kpageflags",
	[KPAGE_COUNT] = "/proc/kpagecount",
	[KPAGE_CGROUP] = "/proc/kpagecgroup",
};

const char *
kpage_path(enum kpage_file file)
{
	return paths[file];
}

/*
 * Sets k up on the files fd; own says whether they are k's to close,
 * which holds on failure too (then the files of another are left open).
 * Returns 0, or -1 when out of memory.
 */
static int
setup(struct kpage *k, const int fd[KPAGE_FILES], bool own, size_t batch)
{
	memcpy(k->fd, fd, sizeof(k->fd));
	k->own_fds = own;
	k->count_rule = KPAGE_COUNT_READ;
	k->frames = false;
	memset(k->preads, 0, sizeof(k->preads));
	if (batch == 0)
		batch = 1;
	k->run = malloc(KPAGE_RUN * sizeof(*k->run));
	k->runs = batch <= SIZE_MAX / sizeof(*k->runs) ?
	    malloc(batch * sizeof(*k->runs)) : NULL;
	k->spare = k->runs != NULL ? malloc(batch * sizeof(*k->spare)) : NULL;
	if (k->run == NULL || k->runs == NULL || k->spare == NULL) {
		kpage_free(k);
		return -1;
	}
	return 0;
}

int
kpage_init(struct kpage *k, int flags_fd, int count_fd, int cgroup_fd,
    size_t batch)
{
	const int fd[KPAGE_FILES] = { flags_fd, count_fd, cgroup_fd };

	return setup(k, fd, true, batch);
}

int
kpage_share(struct kpage *k, const struct kpage *from, size_t batch)
{
	if (setup(k, from->fd, false, batch) != 0)
		return -1;
	k->count_rule = from->count_rule;
	k->frames = from->frames;
	return 0;
}

void
kpage_free(struct kpage *k)
{
	int i;

	for (i = 0; i < KPAGE_FILES; i++) {
		if (k->fd[i] >= 0 && k->own_fds)
			close(k->fd[i]);
		k->fd[i] = -1;
	}
	free(k->run);
	free(k->runs);
	free(k->spare);
	k->run = NULL;
	k->runs = NULL;
	k->spare = NULL;
}

/*
 * Reads the values of PFNs lo..hi (inclusive) of one file into k->run.
 * Past the end of the file they read as 0. Returns 0, or -1 with errno.
 */
static int
read_run(struct kpage *k, int f, uint64_t lo, uint64_t hi)
{
	/* The same layout as pagemap: one u64 per index, at index * 8. */
	long got = pagemap_read(k->fd[f], lo, k->run, (size_t)(hi - lo + 1));

	k->preads[f]++;
	if (got < 0)
		return -1;
	memset(k->run + got, 0, (size_t)(hi - lo + 1 - (uint64_t)got) * 8);
	return 0;
}

/*
 * Sorts the n runs of k by lo: a byte of it at a time, least significant
 * first, as many bytes as the largest PFN has (three for 64 GiB of 4 KiB
 * pages). A batch has thousands of runs; comparing them cost more.
 */
static void
sort_runs(struct kpage *k, size_t n)
{
	struct kpage_run *from = k->runs, *to = k->spare, *swap;
	size_t count[256], i, at, c;
	uint64_t all = 0;
	unsigned int shift;

	for (i = 0; i < n; i++)
		all |= from[i].lo;
	for (shift = 0; shift < 64 && all >> shift != 0; shift += 8) {
		memset(count, 0, sizeof(count));
		for (i = 0; i < n; i++)
			count[from[i].lo >> shift & 0xff]++;
		for (i = 0, at = 0; i < 256; i++) {
			c = count[i];
			count[i] = at;
			at += c;
		}
		for (i = 0; i < n; i++)
			to[count[from[i].lo >> shift & 0xff]++] = from[i];
		swap = from;
		from = to;
		to = swap;
	}
	/* Both arrays hold a batch: the sorted one becomes runs. */
	k->spare = to;
	k->runs = from;
}

/* The flags of a page that belongs to a larger folio, or of no page. */
#define NOT_SMALL (UINT64_C(1) << 15 | UINT64_C(1) << 16 | \
	UINT64_C(1) << 17 | UINT64_C(1) << 20 | UINT64_C(1) << 22)

/* One pass over a batch: the files it reads and the entries it skips. */
struct pass {
	const uint64_t *entries;
	uint64_t *const *out;	/* NULL for the files this pass leaves */
	/*
	 * For the counts after the rest: 1 where the count is known, so
	 * not read. It is out[KPAGE_COUNT] itself: an entry is asked about
	 * (when its run is built, then in its one window) before its value
	 * is written there.
	 */
	const uint64_t *known;
	bool frames;		/* kpage.frames */
};

/* Not a PFN: PM_PFN_MASK holds 55 bits. */
#define NO_PFN UINT64_MAX

/*
 * The PFN that entry i is looked up at in this pass, or NO_PFN: none for
 * a page not present, or whose count is known, or of PFN 0 (hidden) in
 * a process; frame 0 is looked up.
 */
static uint64_t
pass_pfn(const struct pass *p, size_t i)
{
	uint64_t pfn = p->entries[i] & PM_PFN_MASK;

	if (!(p->entries[i] & PM_PRESENT) ||
	    (p->known != NULL && p->known[i] == 1) ||
	    (pfn == 0 && !p->frames))
		return NO_PFN;
	return pfn;
}

/*
 * Reads the window of PFNs lo..hi of every file of the pass and hands the
 * values to the entries of runs[0..nruns-1], which lie in it.
 */
static int
read_window(struct kpage *k, const struct pass *p,
    const struct kpage_run *runs, size_t nruns, uint64_t lo, uint64_t hi,
    enum kpage_file *failed)
{
	uint64_t pfn;
	size_t r, i;
	int f;

	for (f = 0; f < KPAGE_FILES; f++) {
		if (p->out[f] == NULL)
			continue;
		if (read_run(k, f, lo, hi) != 0) {
			*failed = (enum kpage_file)f;
			return -1;
		}
		for (r = 0; r < nruns; r++)
			for (i = runs[r].first; i < runs[r].last; i++)
				if ((pfn = pass_pfn(p, i)) != NO_PFN)
					p->out[f][i] = k->run[pfn - lo];
	}
	return 0;
}

/* Looks up the n entries of a batch in the files of a pass. */
static int
look_up(struct kpage *k, const struct pass *p, size_t n,
    enum kpage_file *failed)
{
	struct kpage_run *run = NULL;
	size_t i, nruns = 0, w;
	uint64_t pfn, lo, hi;
	int f;

	for (f = 0; f < KPAGE_FILES && p->out[f] == NULL; f++)
		;
	if (f == KPAGE_FILES)
		return 0;	/* no file to read */
	/*
	 * First, runs of entries in virtual order whose PFNs lie close
	 * together (pages next to each other are often next to each other
	 * in physical memory too, up or down).
	 */
	for (i = 0; i < n; i++) {
		if ((pfn = pass_pfn(p, i)) == NO_PFN)
			continue;	/* nothing to look up */
		if (run != NULL && pfn + KPAGE_GAP >= run->lo &&
		    pfn <= run->hi + KPAGE_GAP &&
		    (pfn < run->lo ? run->hi - pfn : pfn > run->hi ?
		    pfn - run->lo : 0) < KPAGE_RUN) {
			if (pfn < run->lo)
				run->lo = pfn;
			if (pfn > run->hi)
				run->hi = pfn;
			run->last = i + 1;
			continue;
		}
		run = &k->runs[nruns++];
		run->lo = run->hi = pfn;
		run->first = i;
		run->last = i + 1;
	}
	/*
	 * Then, in PFN order, runs that overlap or nearly touch share one
	 * window: one pread per window and file.
	 */
	sort_runs(k, nruns);
	for (i = 0; i < nruns; i = w) {
		lo = k->runs[i].lo;
		hi = k->runs[i].hi;
		for (w = i + 1; w < nruns && k->runs[w].lo <= hi + KPAGE_GAP &&
		    (k->runs[w].hi > hi ? k->runs[w].hi : hi) - lo <
		    KPAGE_RUN; w++)
			if (k->runs[w].hi > hi)
				hi = k->runs[w].hi;
		if (read_window(k, p, k->runs + i, w - i, lo, hi,
		    failed) != 0)
			return -1;
	}
	return 0;
}

int
kpage_lookup(struct kpage *k, const uint64_t *entries, size_t n,
    uint64_t *const out[KPAGE_FILES], enum kpage_file *failed)
{
	const uint64_t both = PM_PRESENT | PM_EXCLUSIVE;
	uint64_t *other[KPAGE_FILES], *count[KPAGE_FILES] = { NULL };
	const uint64_t *flags = out[KPAGE_FLAGS];
	struct pass p = { entries, out, NULL, k->frames };
	bool small = k->count_rule == KPAGE_COUNT_SMALL, unknown = false;
	bool known = out[KPAGE_COUNT] != NULL &&
	    (k->count_rule == KPAGE_COUNT_EXCLUSIVE ||
	    (small && flags != NULL));
	uint64_t e, once;
	size_t i;
	int f;

	for (f = 0; f < KPAGE_FILES; f++)
		if (out[f] != NULL && !(known && f == KPAGE_COUNT))
			memset(out[f], 0, n * sizeof(uint64_t));
	if (!known)
		return look_up(k, &p, n, failed);
	/*
	 * Counts that the entries (and flags) tell are not read: first the
	 * other files for every present page, then the rest of the counts.
	 */
	memcpy(other, out, sizeof(other));
	other[KPAGE_COUNT] = NULL;
	p.out = other;
	if (look_up(k, &p, n, failed) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		e = entries[i] & both;
		once = e == both && (!small || (flags[i] != 0 &&
		    (flags[i] & NOT_SMALL) == 0));
		out[KPAGE_COUNT][i] = once;
		unknown |= (e & PM_PRESENT) != 0 && !once;
	}
	if (!unknown)
		return 0;	/* every count is known */
	count[KPAGE_COUNT] = out[KPAGE_COUNT];
	p.out = count;
	p.known = out[KPAGE_COUNT];
	return look_up(k, &p, n, failed);
}

const char *
kpage_flag_name(unsigned int bit)
{
	return bit < 64 ? flag_names[bit] : NULL;
}

#define KF(bit) (UINT64_C(1) << (bit))

/*
 * The name of a bit the kernel overloads, for what it means given the
 * other flags (as tools/mm/page-types reads them), or NULL: owner_2 on an
 * anonymous page is anon_exclusive; active and error on a slab page are
 * slub_frozen and slub_debug; reclaim without writeback is readahead.
 */
static const char *
overloaded_name(unsigned int bit, uint64_t flags)
{
	if (bit == 34 && (flags & KF(12)))
		return "anon_exclusive";
	if (bit == 6 && (flags & KF(7)))
		return "slub_frozen";
	if (bit == 1 && (flags & KF(7)))
		return "slub_debug";
	if (bit == 9 && !(flags & KF(8)))
		return "readahead";
	return NULL;
}

size_t
kpage_flag_names(char *dst, uint64_t flags)
{
	const uint64_t all = flags;
	const char *name;
	size_t len = 0, n;
	unsigned int bit;

	for (; flags != 0; flags &= flags - 1) {
		bit = (unsigned int)__builtin_ctzll(flags);
		if (len > 0)
			dst[len++] = ',';
		name = overloaded_name(bit, all);
		if (name == NULL)
			name = flag_names[bit];
		if (name != NULL) {
			n = strlen(name);
			memcpy(dst + len, name, n);
			len += n;
		} else
			len += (size_t)snprintf(dst + len, 8, "bit%u", bit);
	}
	return len;
}

/* The meanings of overloaded bits (see overloaded_name) as flags. */
static const struct {
	const char *name;
	uint64_t want, refuse;
} meanings[] = {
	{ "anon_exclusive", KF(12) | KF(34), 0 },
	{ "slub_frozen", KF(7) | KF(6), 0 },
	{ "slub_debug", KF(7) | KF(1), 0 },
	{ "readahead", KF(9), KF(8) },
};

/* Writes the valid flag names, comma-separated. */
static void
valid_names(char *buf, size_t len)
{
	size_t used = 0;
	unsigned int bit;

	size_t i;

	buf[0] = '\0';
	for (bit = 0; bit < 64 && used < len; bit++)
		if (flag_names[bit] != NULL)
			used += (size_t)snprintf(buf + used, len - used, "%s%s",
			    used > 0 ? "," : "", flag_names[bit]);
	for (i = 0; i < sizeof(meanings) / sizeof(meanings[0]) && used < len;
	    i++)
		used += (size_t)snprintf(buf + used, len - used, ",%s",
		    meanings[i].name);
}

/*
 * Takes one name of a -k list (len bytes at p; absent: it had a '~').
 * Returns 0, or -1 with why set.
 */
static int
take_flag(const char *p, size_t len, bool absent, uint64_t *want,
    uint64_t *refuse, char *why, size_t whylen)
{
	char names[600], q[ESCAPE_QUOTE_SIZE];
	unsigned int bit;
	size_t i;

	for (bit = 0; bit < 64; bit++)
		if (flag_names[bit] != NULL && strlen(flag_names[bit]) == len &&
		    memcmp(flag_names[bit], p, len) == 0) {
			*(absent ? refuse : want) |= UINT64_C(1) << bit;
			return 0;
		}
	for (i = 0; i < sizeof(meanings) / sizeof(meanings[0]); i++) {
		if (strlen(meanings[i].name) != len ||
		    memcmp(meanings[i].name, p, len) != 0)
			continue;
		if (absent) {
			snprintf(why, whylen, "'~%s' cannot be asked for: it "
			    "means two flags together", meanings[i].name);
			return -1;
		}
		*want |= meanings[i].want;
		*refuse |= meanings[i].refuse;
		return 0;
	}
	valid_names(names, sizeof(names));
	snprintf(why, whylen, "unknown page flag '%s' (valid: %s)",
	    escape_quote(q, sizeof(q), p, len > 32 ? 32 : len), names);
	return -1;
}

int
kpage_parse_flags(const char *list, uint64_t *want, uint64_t *refuse,
    char *why, size_t whylen)
{
	const char *p = list, *comma;

	*want = *refuse = 0;
	for (;;) {
		bool absent = *p == '~';
		size_t len;
		if (absent)
			p++;
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (take_flag(p, len, absent, want, refuse, why, whylen) != 0)
			return -1;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	return 0;
}
