#!/usr/bin/env bash
# The report as a page (issue 12, finding 4), on two live daemons: a
# district health node h and a township node t, with patients in two
# villages and one on the township's own register. `ward report` breaks
# the rates down by village, township and month, lists who is behind a
# gap, and writes one self-contained HTML page (0600), which headless
# Chromium then renders: its DOM must hold the charts and the figures, and
# its screenshot must show them; printed, it is A4.
#
# Chromium is Debian's `chromium` (ops/setup-deps --chromium, which
# ops/test runs). Where it is missing, every check but the browser's runs
# and the test ends skipped (exit 77) saying so.
. "$(dirname "$0")/lib.sh" "$@"

ok init --data h --role health --name "District health" --scope 120116 --listen "127.0.0.1:$(free_port)"
ok init --data t --role township --name "Xinhe street" --scope 120116001 --listen "127.0.0.1:$(free_port)"
ok network create --data h --member t/node.pub --out roster
ok network join --data t roster
start_node h
start_node t
wait_until 20 "h connected" connected h 1
wait_until 20 "t connected" connected t 1

# ---- a township's register, written where each agency writes ----
V1=120116001001
V2=120116001002
add() { d=$1; shift; ok add "$@" --data "$d"; echo "$OUT"; }
# The township registers its patients and regions; the name needs escaping.
P1=$(add t patient scope=$V1 "name=张<三>&\"'" patient_no=TJ-001 \
	registered_on=2025-06-01 phone=13800000001)
P2=$(add t patient scope=$V1 name=李四 patient_no=TJ-002 registered_on=2026-03-15)
P3=$(add t patient scope=$V2 name=王五 patient_no=TJ-003 registered_on=2025-01-01)
P4=$(add t patient scope=120116001 name=赵六 patient_no=TJ-004 registered_on=2025-01-01)
add h region scope=120116001 name=新河街道 population=10000 year=2025 >/dev/null
add h region scope=$V1 name=王庄村 population=3000 year=2025 >/dev/null
add h region scope=$V2 name=李庄村 population=2000 year=2025 >/dev/null
wait_until 20 "the patients reach h" same_digest h t
# Health visits them: P1 every quarter, face to face, regular and stable;
# P2 once by phone (registered in March: only Q2 counts); P3 once in Q1,
# in the clinic, no medication; P4 never.
add h followup patient="$P1" date=2026-02-10 mode=clinic reached=yes \
	class=stable adherence=regular >/dev/null
add h followup patient="$P1" date=2026-05-10 mode=home reached=yes \
	class=stable adherence=regular >/dev/null
add h followup patient="$P2" date=2026-04-20 mode=phone reached=yes \
	class=basic adherence=intermittent >/dev/null
add h followup patient="$P3" date=2026-03-01 mode=clinic reached=yes \
	class=unstable adherence=none >/dev/null
wait_until 20 "the visits reach t" same_digest h t

R="--from 2026-01-01 --to 2026-06-30"
# ---- the totals, as before ----
ok report --data t $R --scope 120116001 --json
eq "$(jq -c '[.registered, .managed, .regularly_managed, .face_to_face, .regular_medication]' <<<"$OUT")" \
	'[4,3,2,2,1]' "township totals"
eq "$(jq -c '[.rates.regular_management.value, .rates.face_to_face.value, .rates.regular_medication.value]' <<<"$OUT")" \
	'[50,50,25]' "township rates"
eq "$(jq -c 'has("areas") or has("missing") or has("months")' <<<"$OUT")" false \
	"no option, no breakdown"

# ---- by village ----
ok report --data t $R --scope 120116001 --by village --json
BY=$OUT
eq "$(jq -r .by <<<"$BY")" village "by"
eq "$(jq -c '[.areas[] | [.area, .name, .own, .registered, .population]]' <<<"$BY")" \
	'[["120116001",null,true,1,null],["120116001001","王庄村",false,2,3000],["120116001002","李庄村",false,1,2000]]' \
	"the villages, and the township's own register first"
eq "$(jq -c '[.areas[] | [.rates.regular_management.value, .rates.face_to_face.value, .rates.regular_medication.value]]' <<<"$BY")" \
	'[[0,0,0],[100,50,50],[0,100,0]]' "each village's rates"
# A village's row is what the report of that village says.
for v in $V1 $V2; do
	ok report --data t $R --scope $v --json
	eq "$(jq -c '.rates' <<<"$OUT")" \
		"$(jq -c --arg v "$v" '.areas[] | select(.area == $v) | .rates' <<<"$BY")" \
		"row $v = report --scope $v"
done
# And the areas add up to the township.
eq "$(jq -c '[(.areas | map(.registered) | add), (.areas | map(.regularly_managed) | add)]' <<<"$BY")" \
	'[4,2]' "the areas add up"
# The table, in Chinese.
OUT=$(LANG=zh_CN.UTF-8 "$W" report --data t $R --scope 120116001 --by village)
contains "$OUT" "王庄村" "village names in the table"
contains "$OUT" "规范管理率" "Chinese column"
contains "$OUT" "（本级）" "the township's own row"

# ---- by township, at the district ----
ok report --data h $R --scope 120116 --by township --json
eq "$(jq -c '[.areas[] | [.area, .name, .registered, .rates.regular_management.value]]' <<<"$OUT")" \
	'[["120116001","新河街道",4,50]]' "by township"
# ---- by month ----
ok report --data t $R --scope 120116001 --by month --json
eq "$(jq -c '[.months[] | .month]' <<<"$OUT")" \
	'["2026-01","2026-02","2026-03","2026-04","2026-05","2026-06"]' "months"
# February: P1, P3, P4 on the register (P2 from March), P1 seen.
eq "$(jq -c '.months[1] | [.from, .to, .registered, .rates.face_to_face.value]' <<<"$OUT")" \
	'["2026-02-01","2026-02-28",3,33.33]' "February"

# ---- the patients behind a gap ----
ok report --data t $R --scope 120116001 --missing regular_management --json
eq "$(jq -c '[.missing.rate, [.missing.patients[] | [.patient_no, .name, .scope]]]' <<<"$OUT")" \
	'["regular_management",[["TJ-004","赵六","120116001"],["TJ-003","王五","120116001002"]]]' \
	"not regularly managed"
eq "$(jq -r '.missing.patients[1].id' <<<"$OUT")" "$P3" "the list's ids"
ok report --data t $R --scope 120116001 --missing face_to_face --json
eq "$(jq -c '[.missing.patients[] | .patient_no]' <<<"$OUT")" '["TJ-004","TJ-002"]' \
	"not face to face"
ok report --data t $R --scope 120116001 --missing regular_medication --json
eq "$(jq -c '[.missing.patients[] | .patient_no]' <<<"$OUT")" '["TJ-004","TJ-002","TJ-003"]' \
	"not regularly medicated"
ok report --data t $R --scope 120116001 --missing management
contains "$OUT" "not managed: 1 patients" "table heading"
contains "$OUT" "TJ-004" "table row"
OUT=$(LANG=zh_CN.UTF-8 "$W" report --data t $R --scope 120116001 --missing regular_management)
contains "$OUT" "未规范管理：2 人" "Chinese heading"
contains "$OUT" "赵六" "names in the list"
# Bad options say what to give.
expect 2 report --data t $R --missing incident
contains "$ERR" "regular_management" "--missing names the keys"
expect 2 report --data t $R --by county
contains "$ERR" "--by village" "--by names its values"
expect 2 report --data t $R --scope $V1 --by village
expect 2 due --data t --html x.html
[ ! -e x.html ] || fail "due wrote a page"

# ---- the page ----
touch page.html
chmod 644 page.html
ok report --data t $R --scope 120116001 --html page.html
contains "$OUT" "report page written to $TMP/page.html" "where the page went"
contains "$OUT" "file://" "how to open it"
eq "$(stat -c %a page.html)" 600 "the page is 0600 (it holds names)"
H=$(cat page.html)
contains "$H" '<svg class="chart rates"' "rates chart"
contains "$H" '<svg class="chart months"' "monthly chart"
contains "$H" '<table class="areas">' "breakdown by village"
contains "$H" '张&lt;三&gt;&amp;&quot;&#39;' "the name escaped"
for bad in http '<script' 'src=' 'href' 'url(' 'data:' '<img' '<link'; do
	case $H in *"$bad"*) fail "the page holds $bad" ;; esac
done
# The access log names the patients the page shows (P1..P4 each once).
ok access-log --data t --json
eq "$(jq -r '[.[] | select(.action == "report" and (.what | startswith("report page")))] | last | .count' <<<"$OUT")" \
	4 "the page's patients in the access log"
# Under zh, Chinese labels.
LANG=zh_CN.UTF-8 "$W" report --data t $R --scope 120116001 --html page-zh.html >/dev/null ||
	fail "zh page"
contains "$(cat page-zh.html)" '规范管理率' "Chinese page"
contains "$(cat page-zh.html)" '<html lang="zh-CN">' "Chinese page's lang"

# ---- in a browser ----
CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ]; then
	echo "SKIP [$TEST]: Chromium is not installed (ops/setup-deps --chromium installs Debian's chromium); every check but the browser's passed"
	exit 77
fi
chrome() {
	# As root Chromium needs --no-sandbox; a profile of its own in $TMP.
	local sandbox=()
	[ "$(id -u)" -ne 0 ] || sandbox=(--no-sandbox)
	timeout 120 "$CHROME" --headless "${sandbox[@]}" --disable-gpu \
		--hide-scrollbars --no-first-run --user-data-dir="$TMP/chrome" \
		"$@" 2>>"$TMP/chrome.log"
}
chrome --dump-dom "file://$TMP/page.html" >dom.html || fail "chromium --dump-dom failed"
DOM=$(cat dom.html)
# The browser parsed the charts: nine rate bars (free-medication consent
# has no denominator), six target lines, three villages, 18 month bars
# less the empty ones.
count() { grep -o "$2" <<<"$1" | wc -l; }
RATES=$(sed -n '/<svg class="chart rates"/,/<\/svg>/p' dom.html)
eq "$(count "$RATES" '<rect class="bar ')" 9 "rate bars in the DOM"
eq "$(count "$RATES" '<line class="target"')" 6 "target lines in the DOM"
contains "$RATES" 'data-key="regular_management" data-value="50.00"' "regular management bar"
contains "$RATES" 'data-key="regular_medication" data-value="25.00"' "regular medication bar"
eq "$(count "$DOM" '<tr class="area"')" 3 "area rows in the DOM"
contains "$DOM" 'data-month="2026-02" data-key="face_to_face" data-value="33.33"' "February's bar"
contains "$DOM" 'data-key="regular_management" data-count="2"' "the gap list"
contains "$DOM" '张&lt;三&gt;&amp;"'"'" "the name as text, not markup"
case $DOM in *"<script"*) fail "a script in the DOM" ;; esac

chrome --screenshot="$TMP/page.png" --window-size=900,2600 "file://$TMP/page.html" ||
	fail "chromium --screenshot failed"
chrome --screenshot="$TMP/page-zh.png" --window-size=900,2600 "file://$TMP/page-zh.html" ||
	fail "chromium --screenshot (zh) failed"
# The PNG: its size, how much is not white, and the bars' colours (below
# target red, met green, no target blue) each covering some area.
png_stats() {
	python3 - "$1" <<'EOF'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, w = 8, b"", 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        assert depth == 8 and ctype in (2, 6), "unexpected PNG format"
        bpp = 3 if ctype == 2 else 4
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
stride = w * bpp
# Up, the filter of most rows, as one addition of 8-bit lanes.
lo = int.from_bytes(b"\x7f" * stride, "big")
hi = int.from_bytes(b"\x80" * stride, "big")
prev = bytes(stride)
white = red = green = blue = 0
i = 0
for _ in range(h):
    f = raw[i]
    line = raw[i + 1:i + 1 + stride]
    i += 1 + stride
    if f == 2:
        a, b = int.from_bytes(line, "big"), int.from_bytes(prev, "big")
        line = (((a & lo) + (b & lo)) ^ ((a ^ b) & hi)).to_bytes(stride, "big")
    elif f:
        line = bytearray(line)
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            else:
                c = prev[x - bpp] if x >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        line = bytes(line)
    prev = line
    px = line if bpp == 3 else bytes(v for k, v in enumerate(line) if k % 4 != 3)
    white += px.count(b"\xff\xff\xff")
    red += px.count(b"\xc6\x28\x28")
    green += px.count(b"\x2e\x7d\x32")
    blue += px.count(b"\x15\x65\xc0")
print(w, h, w * h - white, red, green, blue)
EOF
}
for png in page.png page-zh.png; do
	read -r pw ph nonwhite red green blue < <(png_stats "$png") || fail "reading $png"
	note "$png: ${pw}x${ph}, $nonwhite pixels not white, bars: $red red, $green green, $blue blue"
	eq "$pw x $ph" "900 x 2600" "$png size"
	[ "$nonwhite" -gt $((900 * 2600 / 50)) ] || fail "$png is nearly blank ($nonwhite pixels not white)"
	[ "$red" -gt 2000 ] || fail "$png: too few pixels of below-target bars ($red)"
	[ "$green" -gt 300 ] || fail "$png: too few pixels of met-target bars ($green)"
	[ "$blue" -gt 2000 ] || fail "$png: too few pixels of bars without a target ($blue)"
done
# Printed: A4 pages (595 x 842 points).
chrome --no-pdf-header-footer --print-to-pdf="$TMP/page.pdf" "file://$TMP/page.html" ||
	fail "chromium --print-to-pdf failed"
BOX=$(grep -a -o 'MediaBox \[[^]]*\]' page.pdf | sort -u)
[ "$(wc -l <<<"$BOX")" = 1 ] || fail "pages of different sizes: $BOX"
read -r _ _ _ bw bh <<<"$(tr -d '[]' <<<"$BOX")"
[ "${bw%.*}" -ge 594 ] && [ "${bw%.*}" -le 595 ] && [ "${bh%.*}" -ge 841 ] && [ "${bh%.*}" -le 842 ] ||
	fail "not A4: $BOX"
note "printed: $(grep -a -c '/Type /Page\b' page.pdf) A4 pages"
if [ -n "${WARD_KEEP_REPORT:-}" ]; then cp page.html page.png page-zh.png page.pdf "$WARD_KEEP_REPORT"/; fi
echo "PASS [$TEST]"
