# SPDX-License-Identifier: GPL-2.0
# Netlink permissions: as an unprivileged user (nobody, via setpriv), as root
# without CAP_NET_ADMIN, and as root of a user namespace (own network
# namespace, no capability over the initial user namespace; skipped on
# kernels without CONFIG_USER_NS, like the test kernel), every
# mutating command (PROVIDER_ADD, PROVIDER_DEL, POLICY_SET, POLICY_DEL) is
# refused with EPERM: ddactl says "permission denied" and exits 5, and the
# kernel's own answer (nlfuzz -c, raw netlink) is EPERM. Nothing changes.
# GET commands (info, provider, offload, stats; do and dump) work
# unprivileged and show what root sees. Then 20000 fuzz messages as nobody:
# every intact mutating request gets EPERM.
# timeout: 600
set -euo pipefail
. "$TOP/tests/vm/lib.sh"

NQN=nqn.2026-11.io.nvmet-dda:perm
BIN=/tmp/netlink-perm
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
NOCAP=(setpriv --inh-caps=-net_admin --bounding-set=-net_admin)

cleanup() {
	# Under set -e a failing command would end the trap with its status.
	[ -z "${ivs:-}" ] || ddactl provider del "$ivs" >/dev/null 2>&1 || true
	ddactl offload del "$NQN" 1 >/dev/null 2>&1 || true
	ddactl offload del port 3 >/dev/null 2>&1 || true
	rm -rf "$BIN"
	modprobe -r nvmet-dda nvmet 2>/dev/null || true
}
trap cleanup EXIT
modprobe nvmet-dda
ivs=$(ivshmem_bdf)
ssd_pci=$(ssd_bdf)

# The tree may not be readable by nobody: copies in a world-readable place.
mkdir -p "$BIN"
cp "$(command -v ddactl)" "$(command -v nlfuzz)" "$BIN/"
chmod 755 "$BIN" "$BIN"/*

step "state as root: a BAR provider, a namespace rule and a port rule"
ddactl provider add "$ivs" bar 2 size 2M
ddactl offload set "$NQN" 1 mode prefer min-io 8k
ddactl offload set port 3 mode off max-bytes 4M
state() {
	ddactl -j offload show
	ddactl -j provider show
	ddactl -j stats show
}
before=$(state)
echo "$before"

# refused WHO... -- ddactl ARGS...: exit 5, "permission denied", no change.
refused() {
	local who=() rc=0 err
	while [ "$1" != -- ]; do
		who+=("$1")
		shift
	done
	shift
	err=$("${who[@]}" "$BIN/ddactl" "$@" 2>&1 >/dev/null) || rc=$?
	echo "${who[0]} ${who[1]:-}: ddactl $*: exit $rc: $err"
	[ "$rc" -eq 5 ] || fail "ddactl $* as ${who[*]}: exit $rc, want 5"
	[[ $err == *"permission denied"* ]] || fail "ddactl $*: '$err' lacks 'permission denied'"
	expect_eq "state after ddactl $* as ${who[*]}" "$(state)" "$before"
}

# kernel_says WANT WHO... -- OP [nlfuzz options]: the raw answer is WANT.
kernel_says() {
	local want=$1 who=() out
	shift
	while [ "$1" != -- ]; do
		who+=("$1")
		shift
	done
	shift
	out=$("${who[@]}" "$BIN/nlfuzz" -q "$NQN" -N 1 -c "$@") ||
		fail "nlfuzz -c $* as ${who[*]} failed: $out"
	echo "${who[0]} ${who[1]:-}: raw $*: $out"
	[[ $'\n'$out == *$'\n'"$1: $want "* ]] || fail "raw $1 as ${who[*]}: '$out', want $want"
	expect_eq "state after raw $1 as ${who[*]}" "$(state)" "$before"
}

for who in NOBODY NOCAP; do
	declare -n w=$who
	step "mutating commands as ${w[*]}: EPERM"
	refused "${w[@]}" -- provider add "$ivs" bar 2 size 2M
	refused "${w[@]}" -- provider add 0000:7f:1f.7
	refused "${w[@]}" -- provider del "$ivs"
	refused "${w[@]}" -- provider del "$ssd_pci"
	refused "${w[@]}" -- offload set "$NQN" 1 mode require
	refused "${w[@]}" -- offload set "$NQN" 2 mode off
	refused "${w[@]}" -- offload set port 3 mode prefer
	refused "${w[@]}" -- offload del "$NQN" 1
	refused "${w[@]}" -- offload del port 3
	kernel_says EPERM "${w[@]}" -- provider-add -a "$ivs" -b 2 -z 0x200000
	kernel_says EPERM "${w[@]}" -- provider-add -a 0000:7f:1f.7
	kernel_says EPERM "${w[@]}" -- provider-del -a "$ivs"
	kernel_says EPERM "${w[@]}" -- policy-set
	kernel_says EPERM "${w[@]}" -- policy-del

	step "GET commands as ${w[*]}: work, same answers as root"
	for args in info "provider show" "provider show $ivs" "offload show" \
		"offload show $NQN 1" "offload show port 3" "stats show" \
		"stats show $NQN 1"; do
		# shellcheck disable=SC2086 # word splitting wanted
		got=$("${w[@]}" "$BIN/ddactl" -j $args) || fail "ddactl $args as ${w[*]} failed"
		# shellcheck disable=SC2086
		expect_eq "ddactl -j $args as ${w[*]}" "$got" "$(ddactl -j $args)"
		echo "ddactl $args as ${w[0]}: ok"
	done
	kernel_says OK "${w[@]}" -- info
	kernel_says OK "${w[@]}" -- provider-get -a "$ivs"
	kernel_says OK "${w[@]}" -- provider-dump
	kernel_says OK "${w[@]}" -- policy-get
	kernel_says OK "${w[@]}" -- policy-dump
	kernel_says OK "${w[@]}" -- stats-get
	kernel_says OK "${w[@]}" -- stats-dump
done

step "root of an unprivileged user namespace (own network namespace): EPERM"
# Made by root (so no sysctl can forbid it), mapping root to root: full
# capabilities inside, none over the initial user namespace.
USERNS=(unshare --user --map-root-user --net)
if "${USERNS[@]}" true 2>/dev/null; then
	# netnsok: the family is there; CAP_NET_ADMIN over that namespace is
	# not enough, since the module's state is global.
	refused "${USERNS[@]}" -- offload del port 3
	refused "${USERNS[@]}" -- provider del "$ivs"
	kernel_says EPERM "${USERNS[@]}" -- policy-set
	kernel_says EPERM "${USERNS[@]}" -- provider-del -a "$ivs"
	kernel_says OK "${USERNS[@]}" -- policy-dump
else
	# The test kernel has no CONFIG_USER_NS.
	echo "no user namespaces in this kernel; skipped"
fi

step "20000 fuzz messages as nobody: every mutating request gets EPERM"
"${NOBODY[@]}" "$BIN/nlfuzz" -E -n 20000 -s "${FUZZ_SEED:-$(date +%s)}" \
	-q "$NQN" -N 1 -P 3 -a "$ivs" -a "$ssd_pci" >/tmp/nlfuzz-perm.out 2>&1 || {
	cat /tmp/nlfuzz-perm.out
	fail "nlfuzz -E as nobody failed"
}
cat /tmp/nlfuzz-perm.out
grep -q "not refused with EPERM: 0$" /tmp/nlfuzz-perm.out || fail "nlfuzz -E found no EPERM count"
expect_eq "state after the unprivileged fuzz" "$(state)" "$before"

step "root still may"
ddactl offload del port 3
ddactl offload del "$NQN" 1
ddactl provider del "$ivs"
ivs=
modprobe -r nvmet-dda
modprobe -r nvmet
echo "netlink permissions: ok"
