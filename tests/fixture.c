/*
 * fixture: captures processes into state files, and renders state files
 * with the tool's options through its fixture entry point.
 *
 *   tests/fixture capture PID > FILE     one process, as it is now
 *   tests/fixture render FILE [OPTION...] what pagemap-dump would print
 *   tests/fixture corpus DIR             the children of tests/corpus/pages
 *
 * The corpus children have address spaces described in make_child; the
 * corpus was captured once and is kept, so that its renders are the same
 * on every machine (see test_corpus).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "maps.h"
#include "pagemap.h"
#include "state.h"

#define PAGE 4096
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif

static void
die(const char *what)
{
	perror(what);
	_exit(1);
}

static char *
map(size_t pages, int prot, int flags, int fd)
{
	char *p = mmap(NULL, pages * PAGE, prot, flags, fd, 0);

	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

/* A file of pages pages in dir, named name, each page filled. */
static int
make_file(const char *dir, const char *name, size_t pages)
{
	char path[256], page[PAGE];
	size_t i;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		die(path);
	for (i = 0; i < pages; i++) {
		memset(page, 'a' + (int)i, sizeof(page));
		if (write(fd, page, sizeof(page)) != PAGE)
			die("write");
	}
	return fd;
}

/* The "mixed" address space: a bit of every kind of mapping. */
static void
mixed(const char *dir)
{
	volatile char sink;
	char *a, *f, *g, *h, *m, *sh, *t;
	int fd = make_file(dir, "data file", 8), fd2, mfd;

	a = map(16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	a[0] = a[PAGE] = a[2 * PAGE] = a[5 * PAGE] = 1;
	sink = a[8 * PAGE];		/* the zero page */
	f = map(8, PROT_READ, MAP_SHARED, fd);
	sink = f[0], sink = f[PAGE], sink = f[3 * PAGE];
	f = map(8, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd);
	sink = f[0];
	f[PAGE] = 2;			/* a COW copy in a file mapping */
	fd2 = make_file(dir, "odd\tname\\x", 2);
	f = map(2, PROT_READ, MAP_PRIVATE, fd2);
	sink = f[0];
	mfd = memfd_create("fixture memfd", 0);
	if (mfd < 0 || ftruncate(mfd, 4 * PAGE) != 0)
		die("memfd");
	m = map(4, PROT_READ | PROT_WRITE, MAP_SHARED, mfd);
	memset(m, 3, 4 * PAGE);
	g = map(8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	g[0] = 1;
	madvise(g + 2 * PAGE, 2 * PAGE, MADV_GUARD_INSTALL);
	h = map(8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	memset(h, 4, 8 * PAGE);
	mprotect(h + 4 * PAGE, 4 * PAGE, PROT_READ);
	/* A THP, where the kernel gives one on madvise. */
	t = map(1024, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	t = (char *)(((uintptr_t)t + (2u << 20) - 1) & ~(uintptr_t)((2u << 20) - 1));
	madvise(t, 2u << 20, MADV_HUGEPAGE);
	t[0] = 5;
	/* Pages mapped twice: shared anonymous memory, and COW after fork. */
	sh = map(4, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1);
	memset(sh, 6, 4 * PAGE);
	if (fork() == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			pause();
	}
	(void)sink;
}

/* The "sparse" address space: a large mapping, a page in 37 touched. */
static void
sparse(const char *dir)
{
	char *p = map(16384, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1);
	size_t i;

	(void)dir;
	for (i = 0; i < 16384; i += 37)
		p[i * PAGE] = 1;
}

/* Starts a child that builds an address space, then waits to be killed. */
static pid_t
make_child(void (*build)(const char *), const char *dir)
{
	int ready[2];
	char c = 0;
	pid_t pid;

	if (pipe(ready) != 0)
		die("pipe");
	pid = fork();
	if (pid == 0) {
		build(dir);
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	if (read(ready[0], &c, 1) != 1)
		die("child");
	close(ready[0]);
	close(ready[1]);
	usleep(200000);	/* for the forked pages' counts to settle */
	return pid;
}

static int
capture_to(pid_t pid, const char *path, struct state *s)
{
	FILE *fp;

	if (state_capture(s, pid) != 0)
		return -1;
	fp = fopen(path, "we");
	if (fp == NULL || state_write(s, fp) != 0 || fclose(fp) != 0)
		return -1;
	return 0;
}

/*
 * The "synthetic" state: mixed, with entries no live process here shows
 * put into the untouched pages of its first anonymous mapping: in swap,
 * soft-dirty, exclusive, each PTE marker, migration and hwpoison.
 */
static int
synthetic(struct state *s, const char *path)
{
	const struct pagemap_swap_layout *l = &s->layout;
	uint64_t base = 0, swp = PM_SWAPPED, i;
	uint64_t mig = l->max_swapfiles + l->nhwpoison;
	FILE *fp;

	struct maps maps;
	const char *why;
	size_t bad;
	char *text = malloc(s->maps_len + 1);

	/* The 16-page anonymous mapping of mixed; pages 9 on are empty. */
	memcpy(text, s->maps_text, s->maps_len);
	if (maps_parse(&maps, text, s->maps_len, &bad, &why) != 0)
		return -1;
	for (i = 0; i < maps.count && base == 0; i++)
		if (maps.entries[i].end - maps.entries[i].start == 16 * PAGE &&
		    maps.entries[i].name_len == 0)
			base = maps.entries[i].start / PAGE;
	maps_free(&maps);
	uint64_t raw[] = {
		swp | 0x1234u << PM_SWAP_TYPE_BITS,		/* swap 0 */
		swp | PM_SOFT_DIRTY | 1 | 0x77u << PM_SWAP_TYPE_BITS,
		swp | PM_SWAP_MARKER | (uint64_t)PM_MARKER_UFFD_WP <<
		    PM_SWAP_TYPE_BITS | PM_UFFD_WP,
		swp | PM_SWAP_MARKER | (uint64_t)PM_MARKER_POISONED <<
		    PM_SWAP_TYPE_BITS,
		swp | mig | 0x42u << PM_SWAP_TYPE_BITS,
		swp | (l->max_swapfiles) | 0x9u << PM_SWAP_TYPE_BITS,
		PM_SOFT_DIRTY,
		PM_PRESENT | PM_SOFT_DIRTY | PM_EXCLUSIVE | PM_UFFD_WP | 0x1,
	};
	for (i = 0; i < sizeof(raw) / sizeof(raw[0]); i++)
		if (state_add_entry(s, base + 9 + i, raw[i]) != 0)
			return -1;
	fp = fopen(path, "we");
	if (fp == NULL || state_write(s, fp) != 0 || fclose(fp) != 0)
		return -1;
	return 0;
}

static int
corpus(const char *dir)
{
	char tmp[] = "/tmp/pagemap-dump-fixture.XXXXXX", path[512];
	struct state s;
	pid_t mixed_pid, sparse_pid;
	int rc = 0;

	if (mkdtemp(tmp) == NULL)
		die("mkdtemp");
	mixed_pid = make_child(mixed, tmp);
	sparse_pid = make_child(sparse, tmp);
	snprintf(path, sizeof(path), "%s/mixed.state", dir);
	rc |= capture_to(mixed_pid, path, &s);
	snprintf(path, sizeof(path), "%s/synthetic.state", dir);
	rc |= synthetic(&s, path);
	state_free(&s);
	snprintf(path, sizeof(path), "%s/sparse.state", dir);
	rc |= capture_to(sparse_pid, path, &s);
	state_free(&s);
	kill(mixed_pid, SIGKILL);
	kill(sparse_pid, SIGKILL);
	waitpid(mixed_pid, NULL, 0);
	waitpid(sparse_pid, NULL, 0);
	snprintf(path, sizeof(path), "rm -rf '%s'", tmp);
	if (system(path) != 0)
		rc = -1;
	return rc != 0;
}

int
main(int argc, char **argv)
{
	struct state s;

	if (argc == 3 && strcmp(argv[1], "capture") == 0) {
		if (state_capture(&s, (pid_t)atoi(argv[2])) != 0 ||
		    state_write(&s, stdout) != 0)
			return 1;
		state_free(&s);
		return 0;
	}
	if (argc >= 3 && strcmp(argv[1], "render") == 0) {
		const char *path = argv[2];
		argv[2] = argv[0];	/* the options' program name */
		return state_render(path, argc - 2, argv + 2);
	}
	if (argc == 3 && strcmp(argv[1], "corpus") == 0)
		return corpus(argv[2]);
	fprintf(stderr, "usage: fixture capture PID | render FILE [OPTION...] "
	    "| corpus DIR\n");
	return 2;
}
