/*
 * e2e_util: the old names of what testlib.h now holds, so that the test
 * files not yet moved onto testlib build unchanged. Remove it once no
 * test includes it.
 */
#ifndef PAGEMAP_DUMP_E2E_UTIL_H
#define PAGEMAP_DUMP_E2E_UTIL_H

#include "testlib.h"

/* struct e2e_run and e2e_run() alike. */
#define e2e_run tl_run
#define e2e_tool tl_tool
#define e2e_exit_code tl_exit_code
#define e2e_run_free tl_run_free
#define e2e_swap_exists tl_swap_exists
#define e2e_skip(why) tl_skip(why)

#endif
