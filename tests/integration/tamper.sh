#!/usr/bin/env bash
# One changed byte in one stored entry is caught by ward audit verify,
# which names the feed and seq.
. "$(dirname "$0")/lib.sh" "$@"

LDB=$(command -v ldb || command -v rocksdb_ldb || true)
[ -n "$LDB" ] ||
	fail "needs RocksDB's ldb tool: install rocksdb-tools (apt-get install rocksdb-tools)"

net_setup
T_ID=$(status_field t .node_id)
H_ID=$(status_field h .node_id)
for i in 1 2 3; do
	ok add patient --data t scope=120116001 name=病人$i phone=1380000000$i
done
for i in 1 2; do
	ok add patient --data h scope=120116 name=患者$i
done
ok export --data t --entries t.bin
ok import --data h --entries t.bin
ok audit verify --data h
ok audit verify --data t
digest=$(status_field h .digest)

# hexkey AUTHOR SCOPE SEQ: the log key, as ldb --hex prints it:
# 'L' author(32) len(scope) scope be64(seq).
hexkey() {
	printf '0x4C%s%02X%s%016X' "$(tr a-f A-F <<<"$1")" "${#2}" \
		"$(printf %s "$2" | od -An -tx1 | tr -d ' \n' | tr a-f A-F)" "$3"
}

# tamper DIR AUTHOR SCOPE SEQ: change one byte in the middle of that entry.
tamper() {
	local db=$1/db key line val mid c n newval
	key=$(hexkey "$2" "$3" "$4")
	"$LDB" --db="$db" --column_family=log scan --hex >scan.txt 2>ldb.err ||
		fail "ldb scan: $(cat ldb.err)"
	[ "$(grep -c '^0x4C' scan.txt)" -ge 1 ] || fail "ldb scan found no 'L' keys"
	line=$(grep "^$key : " scan.txt) ||
		fail "no log key $key in ldb scan:
$(cut -c1-200 scan.txt)"
	val=${line#* : 0x}
	[ ${#val} -gt 100 ] || fail "stored entry too short: $val"
	mid=$((${#val} / 2))
	c=${val:$mid:1}
	n=$(printf '%X' $(((0x$c + 1) % 16)))
	newval=${val:0:$mid}$n${val:$((mid + 1))}
	[ "$newval" != "$val" ] || fail "tamper changed nothing"
	"$LDB" --db="$db" --column_family=log put --hex "$key" "0x$newval" \
		>ldb.out 2>ldb.err || fail "ldb put: $(cat ldb.err)"
	"$LDB" --db="$db" --column_family=log get --hex "$key" >ldb.out 2>&1
	grep -q "$newval" ldb.out || fail "ldb put did not stick: $(cat ldb.out)"
}

# 1. An imported entry (t's feed, seq 2) changed at h.
cp -a h h0
tamper h "$T_ID" 120116001 2
expect 1 audit verify --data h
all="$OUT
$ERR"
contains "$all" "$T_ID/120116001 seq 2" "audit names t's feed and seq 2"
if grep -q "$H_ID" <<<"$all"; then
	fail "audit blames h's own, untouched feed:
$all"
fi
# t still holds the good copy.
ok audit verify --data t
# the copy taken before tampering verifies
ok audit verify --data h0
eq "$(status_field h0 .digest)" "$digest" "untampered copy's digest"

# 2. h's own feed, the last entry (seq 2 of h/120116).
rm -rf h && cp -a h0 h
tamper h "$H_ID" 120116 2
expect 1 audit verify --data h
all="$OUT
$ERR"
contains "$all" "$H_ID/120116 seq 2" "audit names h's feed and seq 2"
if grep -q "$T_ID/120116001 seq" <<<"$all"; then
	fail "audit blames t's untouched feed:
$all"
fi

# 3. The first entry of a feed (seq 1) at t itself.
tamper t "$T_ID" 120116001 1
expect 1 audit verify --data t
contains "$OUT
$ERR" "$T_ID/120116001 seq 1" "audit names t's feed and seq 1"

note "tamper ok"
