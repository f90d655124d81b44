/*
 * timefmt.c: times as people read them. The node and its JSON speak UTC
 * (RFC 3339 with Z, what scripts and other nodes compare); tables show
 * the reader's local time, by TZ as the C library reads it.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/timefmt.h"

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian), without timegm's
 * global TZ dependence. */
static long long days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - (int)(era * 400);
	int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

const char *cli_local_time(const char *utc, char *out, size_t len)
{
	int y, mo, d, h, mi, s;
	char tail[16] = "";
	if (!utc || len == 0)
		return utc ? utc : "";
	if (sscanf(utc, "%4d-%2d-%2dT%2d:%2d:%2d%15s", &y, &mo, &d, &h, &mi,
		   &s, tail) < 6 ||
	    tail[strlen(tail) ? strlen(tail) - 1 : 0] != 'Z' || mo < 1 ||
	    mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) {
		snprintf(out, len, "%s", utc); /* not ours to convert */
		return out;
	}
	time_t t = (time_t)(days_from_civil(y, mo, d) * 86400LL + h * 3600LL +
			    mi * 60LL + s);
	struct tm tm;
	if (!localtime_r(&t, &tm)) {
		snprintf(out, len, "%s", utc);
		return out;
	}
	strftime(out, len, "%Y-%m-%d %H:%M:%S", &tm);
	return out;
}
