/*
 * host.c: the two helpers of node_int.h that name things on this host, a
 * path inside the data directory and a user by uid. They sit in a file of
 * their own because the local API's transport (localapi.c) needs them and
 * is linked into the thin `ward` (ward_msg), which has no store.
 */
#include <pwd.h>
#include <stdio.h>

#include "node/api/node_int.h"

void node_path(char *out, const char *dir, const char *name)
{
	snprintf(out, NODE_PATH_MAX, "%s/%s", dir, name);
}

void node_uid_name(int64_t uid, char *out, size_t out_len)
{
	if (uid < 0) {
		snprintf(out, out_len, "?");
		return;
	}
	struct passwd pw, *res = NULL;
	char buf[2048];
	if (getpwuid_r((uid_t)uid, &pw, buf, sizeof(buf), &res) == 0 && res &&
	    res->pw_name && *res->pw_name)
		snprintf(out, out_len, "%s", res->pw_name);
	else
		snprintf(out, out_len, "uid %lld", (long long)uid);
}
