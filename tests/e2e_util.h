/*
 * e2e_util: what the end-to-end tests share: running the built tool with
 * its output captured, and skipping with a printed reason.
 */
#ifndef PAGEMAP_DUMP_E2E_UTIL_H
#define PAGEMAP_DUMP_E2E_UTIL_H

#include <stdbool.h>
#include <stddef.h>

/* What one run of the tool gave. */
struct e2e_run {
	int status;		/* as from waitpid */
	char *out;		/* stdout, NUL-terminated */
	char *err;		/* stderr, NUL-terminated */
};

/* The binary under test: $PAGEMAP_DUMP, or ./pagemap-dump. */
const char *e2e_tool(void);

/*
 * Runs the tool with the NULL-terminated args, with env (NAME=value
 * strings, NULL-terminated, or NULL) added to the environment, stdout
 * and stderr captured in memory.
 */
void e2e_run(struct e2e_run *r, const char *const *env,
    const char *const *args);

/* The exit code, or -1 when the tool was killed by a signal. */
int e2e_exit_code(const struct e2e_run *r);

void e2e_run_free(struct e2e_run *r);

/* Whether /proc/swaps lists a swap area. */
bool e2e_swap_exists(void);

/* Prints why a test is skipped, then skips it (cmocka's skip()). */
#define e2e_skip(why)                                                   \
	do {                                                            \
		printf("[  SKIP    ] %s\n", (why));                     \
		fflush(stdout);                                         \
		skip();                                                 \
	} while (0)

#endif
