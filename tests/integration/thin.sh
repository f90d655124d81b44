#!/usr/bin/env bash
# thin: `ward` links no store, and a command that only reads leaves the
# store's files as they were (docs/architecture.md, "A thin ward").
# 1. ward has no RocksDB symbol and loads no RocksDB, nng or TLS library
#    (it speaks the local API's req/rep bytes itself); ward-local,
#    the helper that serves it when no daemon runs, sits beside it.
# 2. show, list, history, status, due, report, duplicates, access-log,
#    export and audit verify, with no daemon, make no new file in the store
#    (RocksDB writes a MANIFEST and an OPTIONS file on every read-write
#    open) and change none (size, time or contents), and still see every
#    synced write and log their reads.
# 3. While a writer holds the store a reading command waits for no one and
#    reports it busy (exit 5); while a reader holds it a writer does too.
. "$(dirname "$0")/lib.sh" "$@"

# (1) no RocksDB in ward
syms=$(nm "$W" 2>/dev/null | grep -ci rocksdb)
eq "$syms" 0 "RocksDB symbols in ward"
if ldd "$W" 2>/dev/null | grep -qi rocksdb; then
	fail "ward loads librocksdb: $(ldd "$W" | grep -i rocksdb)"
fi
[ -x "$(dirname "$W")/ward-local" ] || fail "no ward-local beside $W"
# nor nng or a TLS library: it speaks the local API's bytes itself
if ldd "$W" 2>/dev/null | grep -qiE 'nng|mbed|ssl'; then
	fail "ward loads nng or TLS: $(ldd "$W" | grep -iE 'nng|mbed|ssl')"
fi

# (2) reads write no store file
ok init --data n --role health --name n --scope 120116
ok network create --data n --member n/node.pub --out roster
ok add patient --data n scope=120116 name=Li sex=female
id=$OUT
ok set "$id" --data n name=Li2
# every file's name, size, modification time and contents: a read writes
# no byte to any of them either (ward-local's store options and its
# oneshot.c must not change that)
files() {
	(cd n/db && for f in $(ls -1 | LC_ALL=C sort); do
		printf '%s %s %s\n' "$(stat -c '%n %s %.9Y' "$f")" \
			"$(sha256sum <"$f" | cut -c1-16)"
	done)
}
before=$(files)
ok show "$id" --data n
contains "$OUT" "Li2" "show after a synced write"
ok list patient --data n
contains "$OUT" "1 records" "list"
ok history "$id" --data n
ok status --data n --json
eq "$(echo "$OUT" | jq -r .entries)" 2 "status entries"
ok due --data n
ok report --from 2026-01-01 --to 2026-12-31 --data n
ok duplicates --data n
ok export --csv out.csv --type patient --data n
ok export --entries out.entries --data n
ok audit verify --data n
ok access-log --data n --json
eq "$(echo "$OUT" | jq -r '[.[] | select(.action == "show")] | length')" 1 \
	"show logged in the access log"
after=$(files)
[ "$before" = "$after" ] || fail "a read changed the store's files:
--- before:
$before
--- after:
$after"

# (3) readers and writers exclude each other as before
lock() { # MODE: holds an fcntl lock on n/db/LOCK until killed
	python3 -c '
import fcntl, sys, time
f = open("n/db/LOCK", "r+")
fcntl.lockf(f, fcntl.LOCK_EX if sys.argv[1] == "w" else fcntl.LOCK_SH)
print("held", flush=True)
time.sleep(60)' "$1" >"$TMP/lock.out" &
	LOCKER=$!
	for _ in $(seq 100); do
		grep -q held "$TMP/lock.out" 2>/dev/null && return
		sleep 0.05
	done
	fail "no lock taken"
}
lock w
expect 5 show "$id" --data n
contains "$ERR" "in use" "a read while a writer holds the store"
kill "$LOCKER"; wait "$LOCKER" 2>/dev/null
lock r
expect 5 add patient --data n scope=120116 name=Wu sex=male
kill "$LOCKER"; wait "$LOCKER" 2>/dev/null
ok show "$id" --data n
note "thin: ok"
