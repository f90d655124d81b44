/*
 * oneshot.c: what a one-shot process (ward-local) lets RocksDB skip or
 * overlap in its store directory, and why no acknowledged write can be
 * lost for it. Linked into ward-local only, with -Wl,--wrap for fsync,
 * fdatasync, open, rename, link, mkdir and unlink (node/CMakeLists.txt):
 * every call of those in the program, RocksDB's included, comes here
 * first. wardd and the tests keep RocksDB's own behaviour.
 *
 * A read-write open of RocksDB 7.8 syncs seven times, one after the
 * other, before a command's one write is acknowledged (strace -e
 * fsync,fdatasync on `ward add`): the new MANIFEST, CURRENT's temporary
 * file, the directory after CURRENT's rename, the new OPTIONS file, the
 * directory after its rename, the WAL with the write, and the directory
 * again on the WAL's first sync. It also writes, reads back and parses a
 * 15 KB OPTIONS file, about 1 ms of CPU (perf). RocksDB has no option to
 * skip any of it: 7.8 rewrites the MANIFEST and OPTIONS file on every
 * read-write open. In the directory node_oneshot_manage names, and only
 * there, this file
 *
 *  1. makes no OPTIONS file when the store has one: creating
 *     OPTIONS-N.dbtmp fails here (EACCES), and with
 *     fail_if_options_file_error false (store.c sets it) RocksDB notes
 *     that in its info log and opens as before. DB::Open never reads an
 *     OPTIONS file: ward passes its options in. People and tools (ldb)
 *     read the newest, which an earlier open wrote from the same options
 *     (store.c's configure: ward init, wardd and every open outside
 *     ward-local write one). A store without one gets one.
 *  2. skips a directory sync when no entry that must survive was made in
 *     the directory since its last real sync. Entries that must survive
 *     are every create, rename or link in it (WAL, MANIFEST, CURRENT,
 *     tables, OPTIONS) except the info LOG files, which RocksDB never
 *     syncs: a directory sync makes durable every entry made before it,
 *     so a later one with nothing new writes nothing needed. Removals
 *     never make it dirty: a removed file that comes back after a power
 *     loss is one RocksDB's open deletes as obsolete (an old MANIFEST
 *     CURRENT does not name, an old OPTIONS file, a flushed WAL, a
 *     temporary file).
 *  3. runs three kinds of sync on threads of their own, and tells
 *     RocksDB at once that they are done: a new MANIFEST's first sync,
 *     which only CURRENT's rename depends on; CURRENT's temporary file's,
 *     which only that rename depends on; and a directory sync when no
 *     table file was made since the last one and no WAL has been synced
 *     in this process (the open's, after CURRENT's rename), which only
 *     later names and the acknowledgement depend on. Once a WAL's sync
 *     has acknowledged a write, RocksDB acknowledges the next one right
 *     after the directory sync that follows a new WAL's first sync (a WAL
 *     switch in a long import): that one, like every later directory
 *     sync, is made in place, so that its failure fails the write.
 *     Nothing that depends on them happens before they have ended: every
 *     name made or removed in the directory (CURRENT's rename; a WAL's
 *     removal) and every other sync (a WAL's acknowledges a write; a
 *     MANIFEST's later ones) first waits for all of them, and fails if one
 *     failed (as every later one then does: what RocksDB was told is
 *     durable may not be). Between the open's MANIFEST sync and CURRENT's
 *     rename RocksDB writes only CURRENT's temporary file; after the
 *     directory sync, nothing it writes refers to an entry that sync
 *     covers before a later sync or name (a flush makes a table file
 *     first, and its directory sync is made in place, before the MANIFEST
 *     edit that names the table is written). So at any instant the disk
 *     holds what RocksDB's own sequence could have left there at a crash.
 *     Each thread syncs a duplicate of the descriptor: RocksDB may close
 *     its own at once (CURRENT's temporary file, before the rename).
 *  4. removes files on a thread of its own, in RocksDB's order, each once
 *     every deferred sync has ended (and none if one failed), and tells
 *     RocksDB at once that they are gone. RocksDB removes the old MANIFEST
 *     right after syncing the directory for CURRENT, which would make the
 *     open wait for that sync, and on the loaded disk a removal took up to
 *     3.5 ms (the old MANIFEST, old info LOGs, and after a flush each of
 *     up to 16 WALs). Nothing RocksDB does needs a file gone: it never
 *     makes a name twice. A WAL's removal still waits for the MANIFEST
 *     edit that records its flush. node_oneshot_finish waits for the
 *     queue; a file that stays (a crash first) is one the next open
 *     removes as obsolete.
 *
 * So the open's new WAL file, created before the MANIFEST is written, is
 * made durable by the directory sync after CURRENT's rename, and the WAL's
 * first sync needs no directory sync after it. Of the seven syncs four
 * remain, in two rounds instead of seven: the MANIFEST and CURRENT's
 * temporary file together, before CURRENT's rename; then the directory,
 * which runs while the command does its work and the WAL sync, and ends
 * before the write is acknowledged.
 *
 * This holds only while every entry in the store directory is made
 * through the wrapped calls: RocksDB's posix file system uses open,
 * rename, link, mkdir and unlink; nothing else of ward writes in db/. The
 * state starts dirty, so the first directory sync in a process is always
 * real (it covers entries an earlier process made and did not sync).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
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
int __real_unlink(const char *path);

int __wrap_fsync(int fd);
int __wrap_fdatasync(int fd);
int __wrap_open(const char *path, int flags, ...);
int __wrap_rename(const char *from, const char *to);
int __wrap_link(const char *from, const char *to);
int __wrap_mkdir(const char *path, mode_t mode);
int __wrap_unlink(const char *path);

static int settle(void);

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static bool managed;	  /* a directory is managed */
static dev_t dir_dev;	  /* its identity */
static ino_t dir_ino;
static bool dirty = true; /* an entry may be unsynced */
static bool tables;	  /* a table file among them */
static bool wal_synced;	  /* a WAL synced: a write was acknowledged */
static ino_t manifests[16]; /* MANIFESTs synced (or being synced) once */
static size_t n_manifests;
static pthread_cond_t done = PTHREAD_COND_INITIALIZER;
static unsigned pending; /* deferred syncs running */
static int failed;	 /* errno of the first deferred sync that failed */
static char **queue;	 /* removals waiting (4. above) */
static size_t q_len, q_cap;
static unsigned removing; /* removals queued or under way */
static bool remover;	 /* the thread that makes them runs */
static struct node_oneshot_stats stats;

void node_oneshot_manage(const char *dir)
{
	struct stat st;
	node_oneshot_finish(); /* what the last directory started */
	pthread_mutex_lock(&mu);
	managed = stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
	if (managed) {
		dir_dev = st.st_dev;
		dir_ino = st.st_ino;
	}
	dirty = true;
	tables = false;
	wal_synced = false;
	n_manifests = 0;
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

static bool in_managed_locked(const char *path)
{
	pthread_mutex_lock(&mu);
	bool in = in_managed(path);
	pthread_mutex_unlock(&mu);
	return in;
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
	const char *name = base_name(path);
	if (in_managed(path) && !unneeded(name)) {
		dirty = true;
		size_t len = strlen(name);
		if ((len > 4 && !strcmp(name + len - 4, ".sst")) ||
		    (len > 5 && !strcmp(name + len - 5, ".blob")))
			tables = true;
	}
	pthread_mutex_unlock(&mu);
}

enum verdict { SKIP, SYNC, DEFER };

/* 3. above: a temporary file (CURRENT's) in the managed directory, or a
 * MANIFEST there that this process has not synced before (st: fd's).
 * Notes a WAL's sync (wal_synced) on the way. */
static bool deferrable(int fd, const struct stat *st)
{
	char link[64], path[PATH_MAX];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return false;
	path[n] = '\0';
	const char *name = base_name(path);
	size_t len = strlen(name);
	if (!in_managed(path))
		return false;
	if (len > 4 && !strcmp(name + len - 4, ".log")) {
		wal_synced = true;
		return false;
	}
	if (len > 6 && !strcmp(name + len - 6, ".dbtmp"))
		return true;
	if (strncmp(name, "MANIFEST-", 9))
		return false;
	for (size_t i = 0; i < n_manifests; i++)
		if (manifests[i] == st->st_ino)
			return false;
	if (n_manifests == sizeof(manifests) / sizeof(manifests[0]))
		return false;
	manifests[n_manifests++] = st->st_ino;
	return true;
}

/* What to do with a sync of fd (2. and 3. above). Clears dirty for a
 * directory it syncs (before the sync: an entry made while it runs sets
 * it again). */
static enum verdict decide(int fd)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return SYNC;
	pthread_mutex_lock(&mu);
	enum verdict v = SYNC;
	if (managed && S_ISDIR(st.st_mode) && st.st_dev == dir_dev &&
	    st.st_ino == dir_ino) {
		v = !dirty ? SKIP : tables || wal_synced ? SYNC : DEFER;
		dirty = false;
		tables = false;
	} else if (managed && S_ISREG(st.st_mode) && deferrable(fd, &st)) {
		v = DEFER;
	}
	if (v == SYNC)
		stats.synced++;
	else if (v == SKIP)
		stats.skipped++;
	else
		stats.deferred++;
	pthread_mutex_unlock(&mu);
	return v;
}

/* Waits until no deferred sync runs. -1 with its errno when one failed
 * (from then on, for good: what RocksDB was told is durable may not be,
 * so nothing that depends on it may happen). */
static int settle(void)
{
	pthread_mutex_lock(&mu);
	while (pending)
		pthread_cond_wait(&done, &mu);
	int e = failed;
	pthread_mutex_unlock(&mu);
	if (e) {
		errno = e;
		return -1;
	}
	return 0;
}

int node_oneshot_settle(void)
{
	return settle();
}

struct job {
	int fd; /* a dup: RocksDB may close its own at once */
	bool data;
};

static void *run_job(void *arg)
{
	struct job *j = arg;
	int rc = j->data ? __real_fdatasync(j->fd) : __real_fsync(j->fd);
	int e = errno;
	close(j->fd);
	pthread_mutex_lock(&mu);
	if (rc != 0 && !failed)
		failed = e ? e : EIO;
	pending--;
	pthread_cond_broadcast(&done);
	pthread_mutex_unlock(&mu);
	free(j);
	return NULL;
}

/* Starts a sync of fd on a thread of its own; false when it cannot (the
 * caller syncs instead). */
static bool defer(int fd, bool data)
{
	struct job *j = malloc(sizeof(*j));
	if (!j)
		return false;
	j->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	j->data = data;
	if (j->fd < 0) {
		free(j);
		return false;
	}
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_mutex_lock(&mu);
	pending++;
	pthread_mutex_unlock(&mu);
	pthread_t t;
	int rc = pthread_create(&t, &attr, run_job, j);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		pthread_mutex_lock(&mu);
		pending--;
		pthread_cond_broadcast(&done);
		pthread_mutex_unlock(&mu);
		close(j->fd);
		free(j);
		return false;
	}
	return true;
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

/* A sync of fd: skipped, started on a thread, or made after every
 * deferred one has ended (a WAL's sync acknowledges a write: all that
 * came before it is durable when it returns). */
static int sync_fd(int fd, bool data)
{
	switch (decide(fd)) {
	case SKIP:
		return settle();
	case DEFER:
		if (defer(fd, data))
			return 0;
		break;
	case SYNC:
		break;
	}
	/* This sync and the deferred ones run at once; it returns when all
	 * have ended. */
	int rc = synced(fd, data ? __real_fdatasync(fd) : __real_fsync(fd));
	int e = errno;
	if (settle() != 0)
		return -1;
	errno = e;
	return rc;
}

int __wrap_fsync(int fd)
{
	return sync_fd(fd, false);
}

int __wrap_fdatasync(int fd)
{
	return sync_fd(fd, true);
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

/* Before a name is made or removed in the managed directory, every
 * deferred sync has ended: CURRENT's rename makes the MANIFEST it names
 * count, a WAL's removal relies on the MANIFEST that records its flush. */
static int before_name(const char *path)
{
	return in_managed_locked(path) ? settle() : 0;
}

int __wrap_rename(const char *from, const char *to)
{
	if (before_name(to) != 0 || before_name(from) != 0)
		return -1;
	int rc = __real_rename(from, to);
	if (rc == 0)
		made(to);
	return rc;
}

int __wrap_link(const char *from, const char *to)
{
	if (before_name(to) != 0)
		return -1;
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

/* The removals queue's one thread: each path in turn, once every
 * deferred sync has ended well (4. above). */
static void *run_remover(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&mu);
	while (q_len) {
		char *path = queue[0];
		memmove(queue, queue + 1, (q_len - 1) * sizeof(*queue));
		q_len--;
		pthread_mutex_unlock(&mu);
		if (settle() == 0)
			__real_unlink(path); /* gone already: fine */
		free(path);
		pthread_mutex_lock(&mu);
		removing--;
		pthread_cond_broadcast(&done);
	}
	remover = false;
	pthread_mutex_unlock(&mu);
	return NULL;
}

/* Queues path's removal (starting the thread when none runs); false when
 * it cannot, and the caller removes it itself. */
static bool remove_later(const char *path)
{
	char *copy = strdup(path);
	if (!copy)
		return false;
	pthread_mutex_lock(&mu);
	if (q_len == q_cap) {
		size_t cap = q_cap ? 2 * q_cap : 16;
		char **more = realloc(queue, cap * sizeof(*queue));
		if (!more) {
			pthread_mutex_unlock(&mu);
			free(copy);
			return false;
		}
		queue = more;
		q_cap = cap;
	}
	queue[q_len++] = copy;
	removing++;
	bool start = !remover;
	remover = true;
	pthread_mutex_unlock(&mu);
	if (start) {
		pthread_attr_t attr;
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		pthread_t t;
		int rc = pthread_create(&t, &attr, run_remover, NULL);
		pthread_attr_destroy(&attr);
		if (rc != 0) {
			/* The queue was empty: no thread ran to drain it. */
			pthread_mutex_lock(&mu);
			q_len--;
			removing--;
			remover = false;
			pthread_cond_broadcast(&done);
			pthread_mutex_unlock(&mu);
			free(copy);
			return false;
		}
	}
	pthread_mutex_lock(&mu);
	stats.postponed++;
	pthread_mutex_unlock(&mu);
	return true;
}

int __wrap_unlink(const char *path)
{
	if (in_managed_locked(path) && remove_later(path))
		return 0;
	if (before_name(path) != 0)
		return -1;
	return __real_unlink(path);
}

int node_oneshot_finish(void)
{
	int rc = settle();
	pthread_mutex_lock(&mu);
	while (removing)
		pthread_cond_wait(&done, &mu);
	pthread_mutex_unlock(&mu);
	return rc;
}
