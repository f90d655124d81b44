/*
 * export_file.c: files of records, private to this user (export_file.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "node/api/export_file.h"

FILE *node_export_file_open(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return NULL;
	FILE *f = fchmod(fd, 0600) == 0 ? fdopen(fd, "wb") : NULL;
	if (!f) {
		int e = errno;
		close(fd);
		errno = e;
	}
	return f;
}
