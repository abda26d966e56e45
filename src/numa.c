/*
 * numa: the node of physical frames, from sysfs's memory blocks, and of
 * virtual pages, from move_pages(2) (see numa.h).
 */
#include "numa.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pagemap.h"

/* PFNs [start, end) are on node. */
struct range {
	uint64_t start, end;
	unsigned node;
};

struct numa_map {
	struct range *v;	/* ascending, disjoint */
	size_t n;
	unsigned nodes;		/* the highest node number + 1 */
	size_t conflicts;
};

/* A memory block as a node directory lists it. */
struct block {
	uint64_t number;
	unsigned node;
};

/* The blocks read so far, and the highest node seen. */
struct listing {
	struct block *v;
	size_t n, cap;
	unsigned nodes;
};

/*
 * Parses the digits of s in base (10 or 16), all of it, at least one.
 * Returns 0 with *value set, or -1 when s is not such a number or it
 * does not fit in 64 bits.
 */
static int
parse_number(const char *s, unsigned base, uint64_t *value)
{
	uint64_t v = 0;
	unsigned d;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return -1;
		if (v > (UINT64_MAX - d) / base)
			return -1;
		v = v * base + d;
	}
	*value = v;
	return 0;
}

/*
 * Whether name is prefix followed by decimal digits only ("node3",
 * "memory12", not "memory_failure" nor "node"); *value is the number.
 * Sets *bad when the digits are there but overflow.
 */
static bool
numbered(const char *name, const char *prefix, uint64_t *value, bool *bad)
{
	size_t len = strlen(prefix);
	const char *p;

	if (strncmp(name, prefix, len) != 0 || name[len] == '\0')
		return false;
	for (p = name + len; *p != '\0'; p++)
		if (*p < '0' || *p > '9')
			return false;
	if (parse_number(name + len, 10, value) != 0)
		*bad = true;
	return true;
}

/*
 * Reads memory/block_size_bytes under the directory dfd: hex, with or
 * without 0x, then at most a newline. Returns the size, or 0 with errno
 * set (EINVAL when malformed or 0, else that of the open or read).
 */
static uint64_t
read_block_size(int dfd)
{
	char buf[64], *s = buf;
	ssize_t got;
	size_t len;
	uint64_t size;
	int fd, saved;

	fd = openat(dfd, "memory/block_size_bytes", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	do
		got = read(fd, buf, sizeof(buf) - 1);
	while (got < 0 && errno == EINTR);
	saved = errno;
	close(fd);
	if (got < 0) {
		errno = saved;
		return 0;
	}
	len = (size_t)got;
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	buf[len] = '\0';
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	/* Too long to be a size, a NUL inside, not hex, or 0. */
	if ((size_t)got == sizeof(buf) - 1 || strlen(buf) != len ||
	    parse_number(s, 16, &size) != 0 || size == 0) {
		errno = EINVAL;
		return 0;
	}
	return size;
}

/* Adds block number to the listing, on node. Returns 0, or -1 (ENOMEM). */
static int
add_block(struct listing *l, uint64_t number, unsigned node)
{
	struct block *grown;
	size_t cap;

	if (l->n == l->cap) {
		cap = l->cap > 0 ? l->cap * 2 : 256;
		if (cap > SIZE_MAX / sizeof(*grown) ||
		    (grown = realloc(l->v, cap * sizeof(*grown))) == NULL) {
			errno = ENOMEM;
			return -1;
		}
		l->v = grown;
		l->cap = cap;
	}
	l->v[l->n].number = number;
	l->v[l->n].node = node;
	l->n++;
	return 0;
}

/*
 * Adds the blocks listed in the directory of node (dfd, which it takes
 * and closes). Returns 0, or -1 with errno set (EINVAL for a block
 * number that overflows).
 */
static int
read_node(struct listing *l, int dfd, unsigned node)
{
	DIR *d = fdopendir(dfd);
	struct dirent *e;
	uint64_t number;
	bool bad = false;
	int rc = 0, saved;

	if (d == NULL) {
		saved = errno;
		close(dfd);
		errno = saved;
		return -1;
	}
	while (rc == 0 && (errno = 0, e = readdir(d)) != NULL) {
		if (!numbered(e->d_name, "memory", &number, &bad))
			continue;
		if (bad) {
			errno = EINVAL;
			rc = -1;
		} else
			rc = add_block(l, number, node);
	}
	if (rc == 0 && errno != 0)
		rc = -1;	/* readdir failed */
	saved = errno;
	closedir(d);
	errno = saved;
	return rc;
}

/*
 * Reads every directory nodeN of the node directory (dfd, which it
 * takes and closes) into the listing. Returns 0, or -1 with errno set.
 */
static int
read_nodes(struct listing *l, int dfd)
{
	DIR *d = fdopendir(dfd);
	struct dirent *e;
	uint64_t node;
	bool bad = false;
	int rc = 0, saved, fd;

	if (d == NULL) {
		saved = errno;
		close(dfd);
		errno = saved;
		return -1;
	}
	while (rc == 0 && (errno = 0, e = readdir(d)) != NULL) {
		if (!numbered(e->d_name, "node", &node, &bad))
			continue;
		if (bad || node > NUMA_NODE_MAX) {
			errno = EINVAL;
			rc = -1;
		} else if ((fd = openat(dirfd(d), e->d_name, O_RDONLY |
		    O_DIRECTORY | O_CLOEXEC)) < 0)
			rc = -1;
		else if ((rc = read_node(l, fd, (unsigned)node)) == 0 &&
		    node + 1 > l->nodes)
			l->nodes = (unsigned)node + 1;
	}
	if (rc == 0 && errno != 0)
		rc = -1;	/* readdir failed */
	saved = errno;
	closedir(d);
	errno = saved;
	return rc;
}

/* Orders blocks by number, then node. */
static int
compare_blocks(const void *a, const void *b)
{
	const struct block *x = a, *y = b;

	if (x->number != y->number)
		return x->number < y->number ? -1 : 1;
	return x->node < y->node ? -1 : x->node > y->node;
}

/*
 * Makes the ranges of m from the blocks of l, of block_pfns frames each:
 * sorted, a block listed twice kept for its lowest node (a conflict when
 * the nodes differ), adjacent blocks of one node merged. Returns 0, or
 * -1 with errno set (EINVAL: a block beyond 2^64 bytes; ENOMEM).
 */
static int
make_ranges(struct numa_map *m, struct listing *l, uint64_t block_pfns)
{
	const struct block *b;
	struct range *r;
	size_t i;

	qsort(l->v, l->n, sizeof(*l->v), compare_blocks);
	if ((m->v = malloc(l->n * sizeof(*m->v))) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	for (i = 0; i < l->n; i++) {
		b = &l->v[i];
		if (i > 0 && b->number == b[-1].number) {
			m->conflicts += b->node != b[-1].node;
			continue;
		}
		if (b->number >= UINT64_MAX / block_pfns) {
			errno = EINVAL;
			return -1;
		}
		r = m->n > 0 ? &m->v[m->n - 1] : NULL;
		if (r != NULL && r->node == b->node &&
		    r->end == b->number * block_pfns) {
			r->end += block_pfns;
			continue;
		}
		r = &m->v[m->n++];
		r->start = b->number * block_pfns;
		r->end = r->start + block_pfns;
		r->node = b->node;
	}
	return 0;
}

/*
 * Reads the layout under the directory dfd (root/devices/system) into
 * m, for pages of page_size. Returns 0, or -1 with errno set.
 */
static int
read_layout(struct numa_map *m, int dfd, uint64_t page_size)
{
	struct listing l = { NULL, 0, 0, 0 };
	uint64_t block_size;
	int fd, rc, saved;

	if ((block_size = read_block_size(dfd)) == 0)
		return -1;
	if (block_size % page_size != 0) {
		errno = EINVAL;
		return -1;
	}
	fd = openat(dfd, "node", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = read_nodes(&l, fd);
	if (rc == 0 && l.n == 0) {
		errno = ENOENT;	/* nodes, but no memory block in them */
		rc = -1;
	}
	if (rc == 0)
		rc = make_ranges(m, &l, block_size / page_size);
	m->nodes = l.nodes;
	saved = errno;
	free(l.v);
	errno = saved;
	return rc;
}

struct numa_map *
numa_open(const char *root, uint64_t page_size)
{
	struct numa_map *m;
	int dfd, rc, saved;

	if (page_size == 0 || (page_size & (page_size - 1)) != 0) {
		errno = EINVAL;
		return NULL;
	}
	dfd = openat(AT_FDCWD, root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		saved = dfd;
		dfd = openat(saved, "devices/system", O_RDONLY |
		    O_DIRECTORY | O_CLOEXEC);
		close(saved);
	}
	if (dfd < 0)
		return NULL;
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		close(dfd);
		errno = ENOMEM;
		return NULL;
	}
	rc = read_layout(m, dfd, page_size);
	saved = errno;
	close(dfd);
	if (rc != 0) {
		numa_free(m);
		errno = saved;
		return NULL;
	}
	return m;
}

/*
 * The index of the last range that starts at or below pfn, or of the
 * first range when none does.
 */
static size_t
search(const struct numa_map *m, uint64_t pfn)
{
	size_t lo = 0, hi = m->n, mid;

	/* Invariant: ranges below lo start at or below pfn, from hi above. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (m->v[mid].start <= pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 ? lo - 1 : 0;
}

uint64_t
numa_node_of(const struct numa_map *m, struct numa_cursor *c, uint64_t pfn)
{
	size_t i = c != NULL ? c->at : 0;
	const struct range *r;

	if (m->n == 0)
		return NUMA_NODE_NONE;
	/*
	 * The range of the last lookup, the hole after it or the next
	 * range: what neighbouring pages hit. Anything else is searched.
	 */
	if (c == NULL || i >= m->n || pfn < m->v[i].start)
		i = search(m, pfn);
	else if (pfn >= m->v[i].end && i + 1 < m->n &&
	    pfn >= m->v[i + 1].start)
		i = pfn < m->v[i + 1].end ? i + 1 : search(m, pfn);
	if (c != NULL)
		c->at = i;
	r = &m->v[i];
	return pfn >= r->start && pfn < r->end ? r->node : NUMA_NODE_NONE;
}

/*
 * Neighbouring entries mostly lie in one range: the range of the last
 * hit is kept in lo..hi (lo == hi: none), and only a frame outside it is
 * looked up.
 */
void
numa_lookup(const struct numa_map *m, struct numa_cursor *c,
    const uint64_t *entries, size_t n, uint64_t *out)
{
	struct numa_cursor own = NUMA_CURSOR_INIT;
	uint64_t pfn, lo = 0, hi = 0, node = NUMA_NODE_NONE;
	size_t i;

	if (c == NULL)
		c = &own;
	for (i = 0; i < n; i++) {
		pfn = entries[i] & PM_PFN_MASK;
		if (!(entries[i] & PM_PRESENT) || pfn == 0) {
			out[i] = NUMA_NODE_NONE;
			continue;
		}
		if (pfn - lo >= hi - lo) {
			node = numa_node_of(m, c, pfn);
			lo = hi = 0;
			if (node != NUMA_NODE_NONE) {
				lo = m->v[c->at].start;
				hi = m->v[c->at].end;
			}
		}
		out[i] = node;
	}
}

int
numa_exclude(struct numa_map *m, uint64_t lo, uint64_t hi)
{
	struct range *grown, *r;
	size_t i;

	if (lo >= hi || m->n == 0)
		return 0;
	i = search(m, lo);
	r = &m->v[i];
	if (lo < r->start || lo >= r->end || hi > r->end)
		return 0;	/* not within one range: nothing is cut */
	grown = realloc(m->v, (m->n + 1) * sizeof(*grown));
	if (grown == NULL)
		return -1;
	m->v = grown;
	r = &m->v[i];
	/* [start, lo) stays; [hi, end) follows it, unless empty. */
	memmove(r + 2, r + 1, (m->n - i - 1) * sizeof(*r));
	r[1] = (struct range){ hi, r->end, r->node };
	r->end = lo;
	m->n++;
	return 0;
}

unsigned
numa_nodes(const struct numa_map *m)
{
	return m->nodes;
}

size_t
numa_ranges(const struct numa_map *m)
{
	return m->n;
}

size_t
numa_conflicts(const struct numa_map *m)
{
	return m->conflicts;
}

void
numa_free(struct numa_map *m)
{
	if (m == NULL)
		return;
	free(m->v);
	free(m);
}

int
numa_query(int pid, const uint64_t *addrs, size_t n, uint64_t *out)
{
	void *pages[NUMA_QUERY_BATCH];
	int status[NUMA_QUERY_BATCH];
	size_t done, k, i;

	for (done = 0; done < n; done += k) {
		k = n - done < NUMA_QUERY_BATCH ? n - done : NUMA_QUERY_BATCH;
		for (i = 0; i < k; i++) {
			pages[i] = (void *)(uintptr_t)addrs[done + i];
			status[i] = -ENOENT;
		}
		/* No nodes: only asks where each page is. */
		if (syscall(SYS_move_pages, pid, (unsigned long)k, pages,
		    (const int *)NULL, status, 0) != 0)
			return -1;
		for (i = 0; i < k; i++)
			out[done + i] = status[i] >= 0 ?
			    (uint64_t)status[i] : NUMA_NODE_NONE;
	}
	return 0;
}
