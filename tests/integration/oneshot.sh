#!/usr/bin/env bash
# oneshot: a node used only through `ward`, with no daemon, stays whole
# and healthy (docs/architecture.md, "A thin ward").
# 1. Each command is one process that opens the store, answers and ends
#    without closing it: every acknowledged write is there for the next
#    command.
# 2. The store's compactions finish. A command's open writes what earlier
#    commands left in the WAL to a table file in level 0 of each column
#    family once it is big (an import) or there are 17 WAL files; at 8
#    files RocksDB starts a compaction, and a close stops it. Before, every
#    command's close did, so level 0 only grew and every lookup read each
#    file in it. Now the command that started one lets it end after
#    printing its answer.
. "$(dirname "$0")/lib.sh" "$@"

ok init --data n --role health --name n --scope 120116
ok network create --data n --member n/node.pub --out roster

# Eight registers of 2,500 patients, each imported in one command and
# written to level 0 by the next command's open.
rows=2500
for r in $(seq 8); do
	awk -v r="$r" -v n="$rows" 'BEGIN {
		print "patient_no,scope,name,sex,registered_on,phone"
		for (i = 1; i <= n; i++)
			printf "R%d-%05d,120116,P%d-%d,female,2025-01-05,138%08d\n",
				r, i, r, i, r * 100000 + i
	}' >"reg$r.csv"
	ok import --data n --csv "reg$r.csv" --type patient
	ok add patient --data n scope=120116 name="A$r" sex=male
done
ids=()
for i in $(seq 40); do
	ok add patient --data n scope=120116 name="B$i" sex=female
	ids+=("$OUT")
done
ok status --data n --json
level0=$(echo "$OUT" | jq -r .store.level0_files)
files=$(echo "$OUT" | jq -r .store.table_files)
note "after 8 imports and 48 adds: $files table files, $level0 in level 0"
# 3 column families; RocksDB compacts one at 8 files in level 0
[ "$level0" -lt 24 ] ||
	fail "level 0 holds $level0 files: the compactions never finished"
ok list patient --data n --json
eq "$(jq length <<<"$OUT")" $((8 * rows + 48)) "every write is in the store"
ok show "${ids[39]}" --data n
contains "$OUT" "B40" "the last add"
note "oneshot: ok"
