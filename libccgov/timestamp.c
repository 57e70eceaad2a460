#include <ccgov/error.h>
#include <ccgov/timestamp.h>

#include <stdio.h>
#include <time.h>

/* 9999-12-31T23:59:59Z: four-digit years keep RFC 3339 strings valid. */
#define MAX_EPOCH 253402300799LL

int ccgov_timestamp_format(char out[CCGOV_TIMESTAMP_MAX], int64_t seconds)
{
	time_t t = (time_t)seconds;
	struct tm tm;

	if (seconds < 0 || seconds > MAX_EPOCH || !gmtime_r(&t, &tm))
		return ccgov_error_set(CCGOV_EINVALID, "%lld: time out of range",
				       (long long)seconds);
	if (strftime(out, CCGOV_TIMESTAMP_MAX, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return ccgov_error_set(CCGOV_ERROR, "cannot format time");
	return 0;
}

int ccgov_timestamp_parse_epoch(int64_t *out, const char *text)
{
	int64_t v = 0;

	if (!*text)
		return ccgov_error_set(CCGOV_EINVALID, "SOURCE_DATE_EPOCH: empty");
	for (const char *p = text; *p; p++) {
		if (*p < '0' || *p > '9')
			return ccgov_error_set(CCGOV_EINVALID,
					       "SOURCE_DATE_EPOCH: '%.40s' is not a whole number of seconds",
					       text);
		v = v * 10 + (*p - '0');
		if (v > MAX_EPOCH)
			return ccgov_error_set(CCGOV_EINVALID,
					       "SOURCE_DATE_EPOCH: '%.40s' is after the year 9999",
					       text);
	}
	*out = v;
	return 0;
}
