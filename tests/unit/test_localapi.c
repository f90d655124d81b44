/*
 * test_localapi.c: the client's side of the local API socket
 * (node/api/localapi.c), which speaks nng's req/rep bytes itself. A fake
 * daemon in a child process answers the way a real one does, and the ways
 * a broken or hostile one might: ward gets the answer, or an error, and
 * never a crash or an allocation the other side chose. The real wardd is
 * driven by every integration test.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "crdt/crdt.h"
#include "node/api/doc.h"
#include "node/api/node_int.h"

enum fake {
	FAKE_GOOD,     /* a rep0 daemon's answer */
	FAKE_WRONG_ID, /* a reply to another request */
	FAKE_HUGE,     /* a length of 2^40 */
	FAKE_NOT_REP,  /* an SP header of another protocol */
	FAKE_HANG_UP,  /* closes after the request */
};

static char dir[64];

static void put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static int read_all(int fd, uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t r = read(fd, p, n);
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* Serves one connection as `how`, then exits. */
static void fake_daemon(int lfd, enum fake how)
{
	int c = accept(lfd, NULL, NULL);
	if (c < 0)
		_exit(1);
	uint8_t hello[8], head[9];
	if (read_all(c, hello, 8) || hello[1] != 'S' || hello[5] != 0x30)
		_exit(2);
	uint8_t mine[8] = {0, 'S', 'P', 0, 0, how == FAKE_NOT_REP ? 0x10 : 0x31,
			   0, 0};
	if (write(c, mine, 8) != 8)
		_exit(3);
	if (how == FAKE_NOT_REP)
		_exit(0);
	if (read_all(c, head, 9) || head[0] != 1)
		_exit(4);
	uint64_t len = 0;
	for (int i = 0; i < 8; i++)
		len = len << 8 | head[1 + i];
	uint8_t *req = malloc(len);
	if (!req || read_all(c, req, len) || !(req[0] & 0x80))
		_exit(5);
	if (how == FAKE_HANG_UP)
		_exit(0);
	/* the answer: {"ok": true} after the request id */
	struct node_doc *d = node_doc_object();
	node_doc_set(d, "ok", node_doc_bool(true));
	struct crdt_buf b;
	crdt_buf_init(&b);
	node_doc_encode(d, &b);
	uint8_t out[9 + 4];
	out[0] = 1;
	put_u64(out + 1, how == FAKE_HUGE ? (uint64_t)1 << 40 : b.len + 4);
	memcpy(out + 9, req, 4);
	if (how == FAKE_WRONG_ID)
		out[12] ^= 1;
	if (write(c, out, sizeof(out)) != (ssize_t)sizeof(out))
		_exit(6);
	/* ward may hang up after a bad header: the body may not go out */
	if (write(c, b.data, b.len) != (ssize_t)b.len && how == FAKE_GOOD)
		_exit(7);
	_exit(0);
}

/* Starts a fake daemon on dir/ward.sock and asks it one request. */
static struct node_doc *ask(enum fake how, int *rc)
{
	snprintf(dir, sizeof(dir), "/tmp/ward-test-localapi.XXXXXX");
	assert_non_null(mkdtemp(dir));
	chmod(dir, 0700);
	char path[128];
	snprintf(path, sizeof(path), "%s/ward.sock", dir);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	assert_true(strlen(path) < sizeof(sa.sun_path));
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		fake_daemon(lfd, how);
	close(lfd);
	struct node_doc *req = node_doc_object();
	node_doc_set(req, "cmd", node_doc_str("status"));
	struct crdt_buf b;
	crdt_buf_init(&b);
	node_doc_encode(req, &b);
	node_doc_free(req);
	char msg[512] = "";
	struct node_doc *d =
	    node_localapi_call(dir, false, b.data, b.len, rc, msg, sizeof(msg));
	crdt_buf_fini(&b);
	int status;
	waitpid(pid, &status, 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	unlink(path);
	rmdir(dir);
	return d;
}

static void test_answer(void **state)
{
	(void)state;
	int rc;
	struct node_doc *d = ask(FAKE_GOOD, &rc);
	assert_int_equal(rc, 0);
	assert_non_null(d);
	assert_true(node_doc_get_bool(d, "ok", false));
	node_doc_free(d);
}

static void test_broken_daemons(void **state)
{
	(void)state;
	static const enum fake bad[] = {FAKE_WRONG_ID, FAKE_HUGE, FAKE_NOT_REP,
					FAKE_HANG_UP};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = 0;
		struct node_doc *d = ask(bad[i], &rc);
		assert_null(d);
		assert_int_equal(rc, -EIO);
	}
}

static void test_no_daemon(void **state)
{
	(void)state;
	char empty[] = "/tmp/ward-test-localapi.XXXXXX";
	assert_non_null(mkdtemp(empty));
	int rc = 0;
	char msg[256];
	assert_null(node_localapi_call(empty, false, (const uint8_t *)"x", 1,
				       &rc, msg, sizeof(msg)));
	assert_int_equal(rc, -ENOENT);
	rmdir(empty);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_answer),
	    cmocka_unit_test(test_broken_daemons),
	    cmocka_unit_test(test_no_daemon),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
