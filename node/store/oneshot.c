/*
 * oneshot.c: what a one-shot process (ward-local) lets RocksDB skip in its
 * store directory, and why no acknowledged write can be lost for it.
 * Linked into ward-local only, with -Wl,--wrap for fsync, fdatasync,
 * open, rename, link and mkdir (node/CMakeLists.txt): every call of those
 * in the program, RocksDB's included, comes here first. wardd and the
 * tests keep RocksDB's own behaviour.
 *
 * A read-write open of RocksDB 7.8 syncs seven times before a command's
 * one write is acknowledged (strace -e fsync,fdatasync on `ward add`):
 * the new MANIFEST, CURRENT's temporary file, the directory after
 * CURRENT's rename, the new OPTIONS file, the directory after its rename,
 * the WAL with the write, and the directory again on the WAL's first
 * sync. It also writes, reads back and parses a 15 KB OPTIONS file, about
 * 1 ms of CPU (perf). RocksDB has no option to skip any of it: 7.8
 * rewrites the MANIFEST and OPTIONS file on every read-write open. In
 * the directory node_oneshot_manage names, and only there, this file
 * skips:
 *
 *  1. The OPTIONS file, when the store has one: creating OPTIONS-N.dbtmp
 *     fails here (EACCES), and with fail_if_options_file_error false
 *     (store.c sets it) RocksDB notes that in its info log and opens as
 *     before, without an OPTIONS file. DB::Open never reads one: ward
 *     passes its options in. People and tools (ldb) read the newest,
 *     which an earlier open wrote from the same options (store.c's
 *     configure: ward init, wardd and every open outside ward-local write
 *     one). A store without one gets one, synced as RocksDB syncs it.
 *  2. A directory sync when no entry that must survive was added to the
 *     directory since its last real sync. Entries that must survive are
 *     every create, rename or link in it (the WAL, MANIFEST, CURRENT,
 *     tables, OPTIONS) except the info LOG files, which RocksDB never
 *     syncs: a directory sync makes durable every entry made before it, so
 *     a later one with nothing new writes nothing needed. Removals never
 *     make it dirty: a removed file that comes back after a power loss is
 *     one RocksDB's open deletes as obsolete (an old MANIFEST CURRENT does
 *     not name, an old OPTIONS file, a flushed WAL, a temporary file).
 *
 * So the open's new WAL file, created before the MANIFEST is written, is
 * made durable by the directory sync after CURRENT's rename, and the WAL's
 * first sync needs no directory sync after it. What remains is what
 * RocksDB's own crash safety orders (the MANIFEST, then CURRENT's
 * temporary file, then the directory, each before the next step) and the
 * WAL's sync of the write, which comes before the command is acknowledged:
 * four syncs of seven, and no OPTIONS file written, read and parsed.
 *
 * This holds only while every entry in the store directory is made
 * through the wrapped calls: RocksDB's posix file system uses open,
 * rename, link and mkdir; nothing else of ward writes in db/. The state
 * starts dirty, so the first directory sync in a process is always real
 * (it covers entries an earlier process made and did not sync). A failed
 * sync leaves it dirty.
 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "node/store/oneshot.h"

int __real_fsync(int fd);
int __real_fdatasync(int fd);
int __real_open(const char *path, int flags, ...);
int __real_rename(const char *from, const char *to);
int __real_link(const char *from, const char *to);
int __real_mkdir(const char *path, mode_t mode);

int __wrap_fsync(int fd);
int __wrap_fdatasync(int fd);
int __wrap_open(const char *path, int flags, ...);
int __wrap_rename(const char *from, const char *to);
int __wrap_link(const char *from, const char *to);
int __wrap_mkdir(const char *path, mode_t mode);

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static bool managed;	  /* a directory is managed */
static dev_t dir_dev;	  /* its identity */
static ino_t dir_ino;
static bool dirty = true; /* an entry may be unsynced */
static struct node_oneshot_stats stats;

void node_oneshot_manage(const char *dir)
{
	struct stat st;
	pthread_mutex_lock(&mu);
	managed = stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
	if (managed) {
		dir_dev = st.st_dev;
		dir_ino = st.st_ino;
	}
	dirty = true;
	pthread_mutex_unlock(&mu);
}

struct node_oneshot_stats node_oneshot_stats(void)
{
	pthread_mutex_lock(&mu);
	struct node_oneshot_stats s = stats;
	pthread_mutex_unlock(&mu);
	return s;
}

/* The last component of path. */
static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* The info LOG files: RocksDB never syncs them, and their loss after a
 * power failure costs nothing. */
static bool unneeded(const char *name)
{
	return !strncmp(name, "LOG", 3);
}

/* Whether dir holds an OPTIONS file with something in it (not a
 * temporary one). */
static bool has_options(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return false;
	bool found = false;
	const struct dirent *e;
	while (!found && (e = readdir(d)) != NULL) {
		struct stat st;
		found = !strncmp(e->d_name, "OPTIONS-", 8) &&
			!strstr(e->d_name, ".dbtmp") &&
			fstatat(dirfd(d), e->d_name, &st, 0) == 0 &&
			S_ISREG(st.st_mode) && st.st_size > 0;
	}
	closedir(d);
	return found;
}

/* path's directory, in dir. */
static void dir_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		snprintf(dir, len, ".");
	else if (slash == path)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

/* Whether path's directory is the managed one. */
static bool in_managed(const char *path)
{
	if (!managed)
		return false;
	char dir[PATH_MAX];
	dir_of(path, dir, sizeof(dir));
	struct stat st;
	return stat(dir, &st) == 0 && st.st_dev == dir_dev &&
	       st.st_ino == dir_ino;
}

/* 1. above: whether to refuse creating path. */
static bool refuse(const char *path, int flags)
{
	if (!(flags & O_CREAT) || strncmp(base_name(path), "OPTIONS-", 8))
		return false;
	char dir[PATH_MAX];
	dir_of(path, dir, sizeof(dir));
	pthread_mutex_lock(&mu);
	bool no = in_managed(path) && has_options(dir);
	if (no)
		stats.refused++;
	pthread_mutex_unlock(&mu);
	return no;
}

/* An entry was made at path: the managed directory needs its next sync
 * unless the entry is one that may be lost. */
static void made(const char *path)
{
	pthread_mutex_lock(&mu);
	if (in_managed(path) && !unneeded(base_name(path)))
		dirty = true;
	pthread_mutex_unlock(&mu);
}

/* 1 to sync fd, 0 to skip it (2. above). Clears dirty for a directory it syncs
 * (before the sync: an entry made while it runs sets it again). */
static int decide(int fd)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return 1;
	pthread_mutex_lock(&mu);
	int sync = 1;
	if (managed && S_ISDIR(st.st_mode) && st.st_dev == dir_dev &&
	    st.st_ino == dir_ino) {
		sync = dirty;
		dirty = false;
	}
	if (sync)
		stats.synced++;
	else
		stats.skipped++;
	pthread_mutex_unlock(&mu);
	return sync;
}

/* A sync that failed leaves the directory dirty. */
static int synced(int fd, int rc)
{
	if (rc != 0) {
		int e = errno;
		struct stat st;
		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			pthread_mutex_lock(&mu);
			dirty = true;
			pthread_mutex_unlock(&mu);
		}
		errno = e;
	}
	return rc;
}

int __wrap_fsync(int fd)
{
	if (!decide(fd))
		return 0;
	return synced(fd, __real_fsync(fd));
}

int __wrap_fdatasync(int fd)
{
	if (!decide(fd))
		return 0;
	return synced(fd, __real_fdatasync(fd));
}

int __wrap_open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	int with_mode = O_CREAT;
#ifdef O_TMPFILE
	with_mode |= O_TMPFILE;
#endif
	if (flags & with_mode) {
		va_list ap;
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	if (refuse(path, flags)) {
		errno = EACCES;
		return -1;
	}
	int fd = __real_open(path, flags, mode);
	if (fd >= 0 && (flags & O_CREAT))
		made(path);
	return fd;
}

int __wrap_rename(const char *from, const char *to)
{
	int rc = __real_rename(from, to);
	if (rc == 0)
		made(to);
	return rc;
}

int __wrap_link(const char *from, const char *to)
{
	int rc = __real_link(from, to);
	if (rc == 0)
		made(to);
	return rc;
}

int __wrap_mkdir(const char *path, mode_t mode)
{
	int rc = __real_mkdir(path, mode);
	if (rc == 0)
		made(path);
	return rc;
}
