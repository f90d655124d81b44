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
# 3. A command whose output is closed prints into no store file.
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

# 3. With its output closed a command still works, and prints into none
#    of the store's files (the store opens after the standard descriptors
#    are taken, so none of its files can get number 1 or 2).
"$W" add patient --data n scope=120116 name=Closed sex=male >&- 2>&- ||
	fail "ward add with stdout and stderr closed: exit $?"
ok list patient --data n --json
id=$(jq -r '.[] | select(.name == "Closed") | .id' <<<"$OUT")
[ -n "$id" ] || fail "the add with its output closed is not in the store"
if grep -rl "$id" n/db >/dev/null 2>&1; then
	fail "the id went into a store file: $(grep -rl "$id" n/db)"
fi
note "oneshot: ok"
