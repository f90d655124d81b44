/*
 * timefmt.h: times for people (timefmt.c).
 */
#ifndef WARD_CLI_TIMEFMT_H
#define WARD_CLI_TIMEFMT_H

#include <stddef.h>

/* An RFC 3339 UTC time ("2026-12-05T23:30:01.123Z", as the node sends
 * them) as the reader's local time, "2026-12-06 07:30:01" under
 * TZ=Asia/Shanghai, into out; returns out. Anything else is copied as it
 * is. */
const char *cli_local_time(const char *utc, char *out, size_t len);

#endif
