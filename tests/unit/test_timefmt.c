/*
 * test_timefmt.c: cli/timefmt.c, the reader's local time of the node's
 * UTC times (compiled in: the CLI is no library).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "cli/timefmt.c"

static const char *at(const char *tz, const char *utc)
{
	static char out[64];
	setenv("TZ", tz, 1);
	tzset();
	return cli_local_time(utc, out, sizeof(out));
}

static void test_local_time(void **state)
{
	(void)state;
	assert_string_equal(at("CST-8", "2026-12-05T23:30:01.123Z"),
			    "2026-12-06 07:30:01");
	assert_string_equal(at("UTC0", "2026-12-05T23:30:01.123Z"),
			    "2026-12-05 23:30:01");
	assert_string_equal(at("UTC0", "2026-12-05T23:30:01Z"),
			    "2026-12-05 23:30:01");
	/* a leap day and the year's turn (POSIX TZ strings: no tzdata needed) */
	assert_string_equal(at("CST-8", "2028-02-29T16:00:00.000Z"),
			    "2028-03-01 00:00:00");
	assert_string_equal(at("CST-8", "2026-12-31T16:00:00.000Z"),
			    "2027-01-01 00:00:00");
	/* what is no UTC time passes through */
	assert_string_equal(at("CST-8", "never"), "never");
	assert_string_equal(at("CST-8", "2026-12-05"), "2026-12-05");
	assert_string_equal(at("CST-8", "2026-13-05T00:00:00Z"),
			    "2026-13-05T00:00:00Z");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_local_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
