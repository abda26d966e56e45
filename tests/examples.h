/*
 * examples: the example commands of README.md and of the manual's
 * EXAMPLES section, read out of the documents, and each made ready for
 * sh: the placeholders substituted, the programs it runs named, and
 * wrapped so that every failure in a pipeline is recorded. test_examples
 * runs them; see the top of test_examples.c for the rules.
 */
#ifndef PAGEMAP_DUMP_EXAMPLES_H
#define PAGEMAP_DUMP_EXAMPLES_H

#include "testlib.h"

#define README "README.md"
#define MANPAGE "man/pagemap-dump.1"

/* The placeholders of the documents. */
#define PLACEHOLDER_ADDR "0x7f12a0001234"
#define PLACEHOLDER_PADDR "0x1b2c3234"	/* its physical address */
#define PLACEHOLDER_PID1 "1234"
#define PLACEHOLDER_PID2 "5678"

#define MAX_EXAMPLES 64
#define MAX_CMDS 8
#define MAX_NAMES 16

/* The name of the shell function that stands for the tool. */
#define TOOL_FUNCTION "pagemap_dump_"

/* One command of an example. */
struct command {
	char *text;	/* as the document has it, unescaped, lines joined */
	char *shown;	/* the output the document shows after it, or NULL */
	int line;
};

struct example {
	const char *doc;
	char section[96];
	int line;
	struct command cmd[MAX_CMDS];
	int ncmd;
	char name[200];
};

/* The examples found, and what the documents have that cannot be read. */
extern struct example examples[MAX_EXAMPLES];
extern int nexamples;
extern struct tl_buf problems;

/* Adds the examples of README.md's fenced blocks. */
void parse_readme(const char *text);
/* Adds the examples of the manual's EXAMPLES section. */
void parse_man(const char *text);

/* A command made ready for sh. */
struct prepared {
	char *text;			/* the command, substituted */
	bool sudo;			/* it had a "sudo " to drop */
	int nnames;
	char names[MAX_NAMES][64];	/* the programs it runs */
};

/* What the placeholders become. */
struct subst {
	unsigned long addr;	/* for PLACEHOLDER_ADDR */
	uint64_t paddr;		/* for PLACEHOLDER_PADDR (0 unknown) */
	const char *pid[2];	/* for the two pids; the first for $$ */
};

/*
 * Substitutes the placeholders of raw and notes the programs it runs:
 * the first word of each simple command.
 */
void prepare(struct prepared *pc, const char *raw, const struct subst *sb);

/* The first line of a command, without a comment after it, for messages. */
void summary_of(char *out, size_t size, const char *text);
bool is_builtin(const char *name);
/* Whether name is a program in $PATH. */
bool installed(const char *name);

/*
 * The script sh runs for a prepared command: set -e, a function for the
 * tool, and one for every other program, each of which writes
 * "name status" to the file status when it fails.
 */
char *script_of(const struct prepared *pc, const char *status,
    const char *tool);

/* ---- running a command ---- */

struct run;

/*
 * What an example command is and how its output is checked. A command
 * matches the first recipe all of whose need strings it contains (as the
 * document writes it).
 */
struct recipe {
	const char *what;
	const char *need[4];
	const char *not_run;	/* why it is not run, or NULL */
	const char *run_as;	/* the command run instead, or NULL */
	int exit_status;	/* of the whole command */
	const char *may_fail;	/* "name status" that a function may record */
	/*
	 * What stderr may say as root (lines that start so), or NULL for
	 * nothing: --all counts what root may not read in a sandbox.
	 */
	const char *may_say;
	void (*check)(const struct run *);
};

/* One command as run. */
struct run {
	const struct example *ex;
	const struct command *cmd;
	const struct prepared *pc;
	const struct recipe *rc;
	char *script;
	char dir[96];		/* where it ran */
	int status;		/* of sh, from waitpid */
	char *out, *err;
	char *failures;		/* "name status" lines of the functions */
	bool head;		/* a program of it is head */
};

/* The run whose output the checks look at, printed when they fail. */
extern const struct run *cur;
void show_run(void);

/* Fails the test, after showing the command, unless cond holds. */
#define require(cond, ...)                                              \
	do {                                                            \
		if (!(cond)) {                                          \
			show_run();                                     \
			fail_msg(__VA_ARGS__);                          \
		}                                                       \
	} while (0)

/* Runs r->script with sh in r->dir; the functions' failures go to status. */
void sh_run(struct run *r, const char *status);

/*
 * Checks that the output has the shape of the one the document shows
 * after the command: the same header; every row of the form of a row
 * shown, and every row shown of the form of one printed; and when the
 * document does not cut it ("..."), as many rows.
 */
void check_shown_shape(const struct run *r);

/* The checks of the views' examples (examples_views.c). */
void check_column_help(const struct run *r);
void check_heap_ranges(const struct run *r);
void check_folio_summary(const struct run *r);
void check_heap_nodes(const struct run *r);
void check_node_summary(const struct run *r);
void check_all_pss(const struct run *r);
void check_frame_owners(const struct run *r);
void check_physical_histogram(const struct run *r);

/* What the views' checks need of the children (test_examples.c). */
pid_t example_pid(int i);
uintptr_t example_thp(void);	/* the first child's THP mapping */
uintptr_t example_addr(void);	/* what PLACEHOLDER_ADDR stands for */
uintptr_t example_touched(void);	/* the page the last sleep wrote */

/* The recipes of the snapshot examples (examples_snap.c). */
extern const struct recipe snapshot_recipes[];
extern const size_t nsnapshot_recipes;

#endif
