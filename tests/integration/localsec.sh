#!/usr/bin/env bash
# Local security (issue 8, findings 8, 9 and 10a): the ipc socket never
# leaves the data directory, whatever its path's length, so no other local
# user can squat it; ward checks the socket's owner and its directory
# before it sends a byte, and wardd checks the directory before it binds;
# the access log names the OS user the kernel reports for the connection,
# not the one a request claims; ward init closes the data directory to
# other users.
. "$(dirname "$0")/lib.sh" "$@"

command -v python3 >/dev/null 2>&1 || fail "needs python3"

# sp.py: a hand-rolled nng SP peer over a unix socket (no msgpack module
# needed).
#   squat PATH CAPTURE: a fake wardd on PATH that answers the SP handshake
#     as rep0 and appends every byte a client sends to CAPTURE.
#   forge PATH: a client that sends `list patient` claiming user "alice".
cat >sp.py <<'PY'
import os, socket, struct, sys
def mstr(s):
    b = s.encode()
    assert len(b) < 32
    return bytes([0xa0 | len(b)]) + b
def reach(path):  # as ward does past 107 bytes: through the directory
    if len(path.encode()) <= 107:
        return path
    fd = os.open(os.path.dirname(path), os.O_RDONLY)
    return "/proc/self/fd/%d/%s" % (fd, os.path.basename(path))
mode, path = sys.argv[1], reach(sys.argv[2])
if mode == "squat":
    cap = sys.argv[3]
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    os.chmod(path, 0o666)
    s.listen(8)
    open(cap, "ab").close()
    open(cap + ".ready", "w").close()
    while True:
        c, _ = s.accept()
        c.settimeout(2)
        got = b""
        try:
            got = c.recv(8)
            c.sendall(bytes([0, ord("S"), ord("P"), 0, 0, 0x31, 0, 0]))
            while True:
                b = c.recv(65536)
                if not b:
                    break
                got += b
        except OSError:
            pass
        with open(cap, "ab") as f:
            f.write(got)
        c.close()
elif mode == "forge":
    doc = bytes([0x83]) + mstr("cmd") + mstr("list") + mstr("type") + \
        mstr("patient") + mstr("user") + mstr("alice")
    body = bytes([0x92, 0x01]) + doc
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.settimeout(10)
    c.connect(path)
    c.sendall(bytes([0, ord("S"), ord("P"), 0, 0, 0x30, 0, 0]))
    hdr = c.recv(8)
    assert hdr[1:3] == b"SP", hdr
    msg = struct.pack(">I", 0x80000001) + body
    c.sendall(bytes([1]) + struct.pack(">Q", len(msg)) + msg)
    want, got = None, b""
    while want is None or len(got) < want:
        b = c.recv(65536)
        if not b:
            break
        got += b
        if want is None and len(got) >= 9:
            want = 9 + struct.unpack(">Q", got[1:9])[0]
    print("answered" if want and len(got) >= want else "no answer")
PY

# squat PATH CAPTURE: starts the fake wardd in the background.
squat() {
	rm -f "$2" "$2.ready"
	python3 sp.py squat "$1" "$2" &
	DAEMONS="$DAEMONS $!"
	SQUAT_PID=$!
	wait_until 10 "squatter on $1" test -e "$2.ready"
}
unsquat() {
	kill "$SQUAT_PID" 2>/dev/null
	wait "$SQUAT_PID" 2>/dev/null
	DAEMONS=$(echo "$DAEMONS" | tr ' ' '\n' | grep -vx "$SQUAT_PID" | tr '\n' ' ')
}
# wardd_on DIR: starts wardd --standalone on DIR (log wardd.log), waits
# until it answers through its socket inside DIR.
wardd_on() {
	[ -x "$WD" ] || fail "no wardd binary (second argument)"
	"$WD" --data "$1" --standalone 2>>"$TMP/wardd.log" &
	WPID=$!
	DAEMONS="$DAEMONS $WPID"
	wait_until 10 "wardd on $1 answers" sh -c "test -S '$1/ward.sock' && '$W' status --data '$1' --json | jq -e '.daemon' >/dev/null"
}
wardd_stop() {
	kill "$WPID" 2>/dev/null
	wait "$WPID" 2>/dev/null
	DAEMONS=$(echo "$DAEMONS" | tr ' ' '\n' | grep -vx "$WPID" | tr '\n' ' ')
}

# ---- ward init closes the data directory (finding 10a) ----
mkdir -m 0755 open
ok init --data open --role health --name "Open dir" --scope 120116
eq "$(stat -c %a open)" 700 "an existing 0755 directory after init"
contains "$OUT" "0700" "init says it closed the directory"
mkdir -m 0711 fresh
(umask 022 && "$W" init --data fresh/node --role health --name New --scope 120116 >/dev/null) ||
	fail "init into a new directory"
eq "$(stat -c %a fresh/node)" 700 "a directory init created"

# ---- a data directory whose socket path exceeds 107 bytes ----
L=$TMP/n/$(printf 'd%.0s' $(seq 1 50))/$(printf 'e%.0s' $(seq 1 50))
mkdir -p "$(dirname "$L")"
[ ${#L} -gt 100 ] || fail "test path too short: $L"
ok init --data "$L" --role health --name "Long path health" --scope 120116 --listen "127.0.0.1:$(free_port)"
ok network create --data "$L" --out roster
# Where wardd used to put the socket of such a directory: /tmp, by hash.
h=$(python3 -c 'import hashlib,os,sys; print(hashlib.blake2b(os.path.realpath(sys.argv[1]).encode(), digest_size=8).hexdigest())' "$L")
OLD=/tmp/ward-$h.sock

note "a squatter on the old shared path receives nothing"
squat "$OLD" old.cap
run_t() { # run_t ARGS...: ward with a time limit (a squatter may hang it)
	timeout 20 "$W" "$@" >"$TMP/.out" 2>"$TMP/.err"
	RC=$?
	OUT=$(cat "$TMP/.out")
	ERR=$(cat "$TMP/.err")
}
run_t add patient --data "$L" scope=120116 name=张三 id_number=11010519491231002X phone=13800000000
[ "$RC" = 0 ] || fail "add with no wardd beside a squatter exited $RC: $ERR"
[ ! -s old.cap ] || fail "the squatter on $OLD received $(wc -c <old.cap) bytes"

note "wardd listens inside the data directory, not in /tmp"
wardd_on "$L"
[ -S "$L/ward.sock" ] || fail "no socket in the data directory"
eq "$(stat -c %a "$L/ward.sock")" 600 "socket mode"
contains "$(cat wardd.log)" "ward.sock" "node.started names the socket"
run_t add patient --data "$L" scope=120116 name=李四 phone=13900000000
[ "$RC" = 0 ] || fail "add through wardd exited $RC: $ERR"
[ ! -s old.cap ] || fail "the squatter on $OLD received $(wc -c <old.cap) bytes"
unsquat

note "the access log names the connecting uid, not the request's user"
out=$(python3 sp.py forge "$L/ward.sock") || fail "forged client: $out"
eq "$out" answered "forged client"
ok access-log --data "$L" --json
eq "$(jq -r '.[-1].action' <<<"$OUT")" list "last access-log action"
eq "$(jq -r '.[-1].user' <<<"$OUT")" "$(id -un)" "user of a request claiming alice"
eq "$(jq -r '.[-1].uid' <<<"$OUT")" "$(id -u)" "uid of a request claiming alice"
ok list patient --data "$L"
ok access-log --data "$L" --json
eq "$(jq -r '.[-1].user' <<<"$OUT")" "$(id -un)" "user through wardd"
wardd_stop
[ ! -e "$L/ward.sock" ] || fail "wardd left its socket behind"
ok list patient --data "$L"
ok access-log --data "$L" --json
eq "$(jq -r '.[-1].user' <<<"$OUT")" "$(id -un)" "user in process"
eq "$(jq -r '.[-1].uid' <<<"$OUT")" "$(id -u)" "uid in process"

note "a directory others may write: wardd refuses, ward sends nothing"
chmod 0777 "$L"
"$WD" --data "$L" --standalone 2>wardd.err &
wp=$!
DAEMONS="$DAEMONS $wp"
wait "$wp"
rc=$?
DAEMONS=$(echo "$DAEMONS" | tr ' ' '\n' | grep -vx "$wp" | tr '\n' ' ')
eq "$rc" 2 "wardd exit in a world-writable directory"
contains "$(cat wardd.err)" "writable by other users" "wardd's message"
contains "$(cat wardd.err)" "chmod" "wardd's message says what to do"
squat "$L/ward.sock" dir.cap
run_t add patient --data "$L" scope=120116 name=王五 phone=13700000000
eq "$RC" 5 "ward add beside a socket in a world-writable directory"
contains "$ERR" "writable by other users" "ward's message"
[ ! -s dir.cap ] || fail "a socket in a world-writable directory received $(wc -c <dir.cap) bytes"
unsquat
chmod 0700 "$L"

if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	note "a socket owned by another user: ward sends nothing"
	squat "$L/ward.sock" own.cap
	chown nobody "$L/ward.sock"
	run_t add patient --data "$L" scope=120116 name=赵六 phone=13600000000
	eq "$RC" 5 "ward add to a socket owned by nobody"
	contains "$ERR" "nobody" "ward's message names the owner"
	[ ! -s own.cap ] || fail "a socket owned by nobody received $(wc -c <own.cap) bytes"
	unsquat
	rm -f "$L/ward.sock"
else
	note "(not root: the foreign-owner case is skipped)"
fi

reap
note "localsec ok"
