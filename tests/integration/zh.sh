#!/usr/bin/env bash
# Errors in the operator's language: under a zh locale the node's messages
# (bad value, unknown field or type, unknown or ambiguous id, not
# initialised, refused writes, bad register rows) are Chinese, and so are
# history verbs, status lines and audit's report; under any
# other locale they stay the English that scripts match. Exit codes are the
# same in both. The last part asks a running wardd, so the language has to
# travel in the request over ipc.
. "$(dirname "$0")/lib.sh" "$@"

# zh ARGS...: runs ward under a Chinese locale (LANG, as an operator's
# terminal has it; no installed locale is needed).
zh() { env -u LC_ALL -u LC_MESSAGES LANG=zh_CN.UTF-8 "$W" "$@"; }
# en ARGS...: the same under the C locale.
en() { env -u LC_ALL -u LC_MESSAGES LANG=C "$W" "$@"; }

# both RC ZH_TEXT EN_TEXT ARGS...: ward ARGS exits RC in both languages,
# its stderr holds ZH_TEXT under zh and EN_TEXT under C (and no Chinese).
# Both texts are matched as substrings.
both() {
	want=$1 ztext=$2 etext=$3
	shift 3
	zh "$@" >"$TMP/.out" 2>"$TMP/.err"
	RC=$?
	ERR=$(cat "$TMP/.err")
	[ "$RC" = "$want" ] || fail "zh: ward $* exited $RC, want $want: $ERR"
	contains "$ERR" "$ztext" "zh: ward $*"
	en "$@" >"$TMP/.out" 2>"$TMP/.err"
	RC=$?
	ERR=$(cat "$TMP/.err")
	[ "$RC" = "$want" ] || fail "C: ward $* exited $RC, want $want: $ERR"
	contains "$ERR" "$etext" "C: ward $* (English unchanged)"
	# None of these English messages quotes Chinese input: any byte
	# outside ASCII would be a translation leaking into C.
	if printf '%s' "$ERR" | LC_ALL=C grep -q '[^[:print:][:space:]]'; then
		fail "C: non-ASCII in: $ERR"
	fi
}

export LANG=C
unset LC_ALL LC_MESSAGES
PORT=$(free_port)
ok init --data h --role health --name "Binhai health" --scope 120116 --listen "127.0.0.1:$PORT"
ok init --data t --role township --name "Xinhe street" --scope 120116001

note "not initialised, no node, not joined"
mkdir empty
both 4 "empty 中的节点尚未初始化：请运行 ward init --data empty" \
	"empty is not initialised: run ward init --data empty" status --data empty
both 4 "nowhere 处没有节点：请先运行 ward init --data nowhere" \
	"no node at nowhere: run ward init --data nowhere first" list patient --data nowhere
both 2 "没有指定数据目录" "no data directory: give --data DIR or set WARD_DATA" status
both 4 "本节点尚未加入网络" \
	"this node has not joined a network: run ward network create (first node) or ward network join ROSTER" \
	add patient --data t scope=120116001 name=张三
both 2 "--role 必须是以下之一：health（卫生健康）" \
	"--role must be one of health, township" init --data x --role nurse --name x --scope 120116

ok network create --data h --member t/node.pub --out roster
ok network join --data t roster
ok add patient --data t scope=120116001 name=张三 sex=male
P=$OUT

note "bad value, unknown field, unknown type"
both 2 "字段 sex 的值 'm' 无效，应为以下之一：male（男）、female（女）" \
	"sex: 'm' is not one of male, female" add patient --data t scope=120116001 name=李四 sex=m
both 2 "字段 birth_date 的值 '1990-02-30' 无效，应为格式为 YYYY-MM-DD 的日期" \
	"birth_date: '1990-02-30' is not a date YYYY-MM-DD (years 1900-2100)" \
	set "$P" --data t birth_date=1990-02-30
both 2 "应为有效的 18 位居民身份证号码；校验码不对" \
	"id_number: '110101199003071234' is not an 18-character resident ID number: its check character is wrong" \
	set "$P" --data t id_number=110101199003071234
both 2 "patient 没有字段 'age'：请核对字段名" "patient has no field 'age'" \
	add patient --data t scope=120116001 name=李四 age=40
both 2 "未知的记录类型 'patent'" "unknown record type 'patent'; types: patient, guardian" \
	add patent --data t scope=120116001 name=李四
both 2 "未知的记录类型 'patent'" "unknown record type 'patent'" list patent --data t

note "refused writes: role, jurisdiction, write-once, exit date"
both 2 "已拒绝，未写入任何内容：角色 township 无权填写 patient.diagnosis" \
	"refused, nothing written: role township may not write patient.diagnosis" \
	set "$P" --data t diagnosis=schizophrenia
both 2 "已拒绝，未写入任何内容：角色 township 无权新建 hospitalization 记录" \
	"refused, nothing written: role township may not create hospitalization" \
	add hospitalization --data t patient="$P" admitted=2026-01-01
both 2 "已拒绝，未写入任何内容：辖区 120116002 不在本节点的管辖范围 120116001 内" \
	"refused, nothing written: scope 120116002 is outside the author's jurisdiction 120116001" \
	add patient --data t scope=120116002 name=李四
both 2 "status 为 exited（已退出管理）时必须填写 exit_date" \
	"refused, nothing written: exit_date is required when status is exited (give exit_date=YYYY-MM-DD)" \
	set "$P" --data t status=exited

note "unknown and ambiguous ids"
both 3 "没有记录 patient-abcdef：请核对编号" "no record patient-abcdef" show patient-abcdef --data t
both 2 "'zz' 不是记录编号" "'zz' is not a record id (TYPE-<hex> or at least 6 hex digits)" \
	history zz --data t
# Two of 20,000 ids share their first 6 hex digits (all but surely: the
# chance that none do is e^-12); import more until they do.
for round in 1 2 3; do
	python3 -c "
import sys
print('scope,name')
for i in range(20000): print('120116001,p%d-%d' % (int(sys.argv[1]), i))" "$round" >many.csv
	ok import --csv many.csv --type patient --data t
	ok export --csv ids.csv --type patient --data t
	PRE=$(cut -d, -f1 ids.csv | grep '^patient-' | cut -c9-14 | sort | uniq -d | head -1)
	[ -n "$PRE" ] && break
done
[ -n "$PRE" ] || fail "no two of 60,000 ids share 6 hex digits"
both 3 "编号 $PRE 对应多条记录，请多输入几位：" "$PRE is ambiguous: patient-$PRE" show "$PRE" --data t

note "a register with bad rows"
printf 'scope,name,sex\n120116001,甲,male\n120116001,乙,x\n120116002,丙,female\n120116001,丁\n' >bad.csv
zh import --csv bad.csv --type patient --data t >"$TMP/.out" 2>&1
RC=$?
OUT=$(cat "$TMP/.out")
eq "$RC" 2 "zh: import with bad rows"
contains "$OUT" "第 3 行：字段 sex 的值 'x' 无效，应为以下之一：male（男）、female（女）" "zh: bad value row"
contains "$OUT" "第 4 行：辖区 120116002 不在本节点的管辖范围 120116001 内" "zh: outside row"
contains "$OUT" "第 5 行：这一行有 2 格，表头有 3 列" "zh: short row"
expect 2 import --csv bad.csv --type patient --data t
contains "$OUT" "bad line 3: sex: 'x' is not one of male, female" "C: bad value row"
contains "$OUT" "bad line 4: scope 120116002 is outside this node's jurisdiction 120116001" "C: outside row"
contains "$OUT" "bad line 5: 2 cells, the header has 3" "C: short row"
printf 'scope,name,age\n120116001,甲,40\n' >col.csv
both 2 "表头中的列 'age' 不是 patient 的字段；未导入任何内容" \
	"column 'age' is no field of patient; nothing imported" import --csv col.csv --type patient --data t

note "history verbs, status lines and audit in the reader's language"
# stdout this time: what ward prints for people, not its errors.
zh history "$P" --data t >"$TMP/.out" 2>&1 || fail "zh history"
OUT=$(cat "$TMP/.out")
contains "$OUT" "新建 患者" "zh: history verb create and type label"
contains "$OUT" "性别=男" "zh: history field and value labels"
contains "$OUT" "乡镇街道" "zh: history role label"
contains "$OUT" "设置" "zh: history verb set"
expect 0 history "$P" --data t
contains "$OUT" " create " "C: history verb"
zh show "$P" --data t >"$TMP/.out" 2>&1 || fail "zh show"
OUT=$(cat "$TMP/.out")
contains "$OUT" "男" "zh: show value label"
if printf '%s' "$OUT" | grep -qE ' male |township'; then
	fail "zh: codes left in show: $OUT"
fi
both 2 "（单位 天）" "(in days)" add policy --data t scope=120116001 stable_days=x
zh status --data t >"$TMP/.out" 2>&1 || fail "zh status"
OUT=$(cat "$TMP/.out")
contains "$OUT" "记录流" "zh: status feeds"
contains "$OUT" "序号" "zh: status feed line"
contains "$OUT" "落后" "zh: status peer line"
contains "$OUT" "最近联系 从未" "zh: status peer never seen"
if printf '%s' "$OUT" | grep -qE ' lag | seen |never|seq '; then
	fail "zh: English left in status: $OUT"
fi
zh audit verify --data t >"$TMP/.out" 2>&1 || fail "zh audit"
OUT=$(cat "$TMP/.out")
contains "$OUT" "审计通过" "zh: audit line"

note "help: a type's fields, values and writers, in both languages"
expect 0 add patient --help
contains "$OUT" "id_number" "C: type help lists fields"
contains "$OUT" "health, township" "C: type help names the writers"
contains "$OUT" "male 男, female 女" "C: type help lists values"
contains "$OUT" "FIELD=N.." "C: type help offers filters without quoting"
zh help followup >"$TMP/.out" 2>&1 || fail "zh help followup"
OUT=$(cat "$TMP/.out")
contains "$OUT" "followup（随访）：由 卫生健康" "zh: type help head"
contains "$OUT" "随访日期" "zh: type help labels"
contains "$OUT" "日期 YYYY-MM-DD（必填）" "zh: type help kinds and flags"
both 2 "没有关于 'nosuch' 的帮助" "no help for 'nosuch'" help nosuch
zh --help >"$TMP/.out" 2>&1 || fail "zh --help"
OUT=$(cat "$TMP/.out")
contains "$OUT" "用法：ward 命令" "zh: --help"
contains "$OUT" "随访工作与指标" "zh: --help sections"
contains "$OUT" "退出码：0 成功" "zh: --help exit codes"
expect 0 --help
contains "$OUT" "usage: ward COMMAND" "C: --help unchanged"
expect 0 help
contains "$OUT" "Record types" "C: help lists the types"

note "through a running wardd: the language crosses ipc"
start_node h --standalone
test -S h/ward.sock || fail "wardd has no socket"
both 2 "字段 sex 的值 'x' 无效" "sex: 'x' is not one of male, female" \
	add patient --data h scope=120116 name=王五 sex=x
both 3 "没有记录 patient-abcdef" "no record patient-abcdef" show patient-abcdef --data h
both 2 "未知的记录类型 'patent'" "unknown record type 'patent'" list patent --data h
# An import's rejected entries, in the ledger's words (issue 9): a value
# that is no entry, and a network join refused by the roster checks.
printf '\x07' >notentry.bin
zh import --entries notentry.bin --data h >"$TMP/.out" 2>&1
RC=$?
eq "$RC" 1 "zh: import of a rejected entry"
contains "$(cat "$TMP/.out")" "第 1 条：条目不是 [正文, 签名]" "zh: rejected entry"
en import --entries notentry.bin --data h >"$TMP/.out" 2>&1
RC=$?
eq "$RC" 1 "C: import of a rejected entry"
contains "$(cat "$TMP/.out")" "entry 1: entry is not [body, sig]" "C: rejected entry"
printf 'hello' >notroster
both 2 "不是名册，也不是名册链" "not a roster or a roster chain" \
	network join --data t notroster
# The daemon serves many requests with one node: a zh request must not
# leave it speaking Chinese to the next.
zh show patient-abcdef --data h 2>/dev/null
expect 3 show patient-abcdef --data h
eq "$ERR" "ward: no record patient-abcdef" "English after a zh request"
reap
echo "PASS $TEST"
