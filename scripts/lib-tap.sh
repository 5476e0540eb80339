# shellcheck shell=bash
# TAP helpers for the guest scripts: source it, call ok/nok/check, then
# tap_done (prints the plan and "N passed, N failed", returns non-zero on
# any failure).
TAP_N=0
TAP_FAIL=0

tap_line() { # ok(0/1) description [detail]
	TAP_N=$((TAP_N + 1))
	if [ "$1" = 0 ]; then
		echo "ok $TAP_N - $2"
	else
		TAP_FAIL=$((TAP_FAIL + 1))
		echo "not ok $TAP_N - $2${3:+ # $3}"
	fi
}
ok() { tap_line 0 "$1"; }
nok() { tap_line 1 "$1" "${2:-}"; }
skip() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1 # SKIP ${2:-}"; }
# check "description" command...: ok if the command succeeds
check() {
	local d=$1
	shift
	if "$@"; then ok "$d"; else nok "$d" "failed: $*"; fi
}
diag() { echo "# $*"; }

# tap_import PREFIX FILE: renumber the ok/not ok lines of a TAP stream
tap_import() {
	local p=$1 f=$2 line d
	while IFS= read -r line; do
		case "$line" in
		"not ok "*)
			d=${line#not ok }; d=${d#* - }
			case "$d" in
			*" # "*) tap_line 1 "$p: ${d%% # *}" "${d#* # }" ;;
			*) tap_line 1 "$p: $d" ;;
			esac ;;
		"ok "*)
			d=${line#ok }; d=${d#* - }
			case "$d" in
			*"# SKIP"*) skip "$p: ${d%% # SKIP*}" "${d#*# SKIP }" ;;
			*) tap_line 0 "$p: $d" ;;
			esac ;;
		"#"*) echo "$line" ;;
		esac
	done <"$f"
}

tap_done() {
	echo "1..$TAP_N"
	echo "$((TAP_N - TAP_FAIL)) passed, $TAP_FAIL failed"
	[ "$TAP_FAIL" = 0 ]
}

# the module file for this kernel (XTCP_KO overrides)
xtcp_ko() {
	local root
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	# each guest kernel has its own build dir (make stock61-modules,
	# stock612-modules, debug-modules)
	case "${XTCP_KO:-}:${XTCP_KERNEL:-stock}" in
	?*:*) echo "$XTCP_KO" ;;
	:debug) echo "$root/build/debug/module/xtcp.ko" ;;
	:stock612) echo "$root/build/stock612/module/xtcp.ko" ;;
	*) echo "$root/build/stock61/module/xtcp.ko" ;;
	esac
}
