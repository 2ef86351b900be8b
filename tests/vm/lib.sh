# SPDX-License-Identifier: GPL-2.0
# Helpers sourced by the VM tests (tests/vm/tests/*.sh). Runs in the guest.
# All traffic stays in the guest: a dummy interface carries documentation
# addresses (RFC 5737 / RFC 3849) and soft-RoCE runs on top of it.

DDA_IF=dda0
DDA_ADDR4=192.0.2.1
DDA_ADDR6=2001:db8::1
DDA_RXE=rxe0
NVMET_CFS=/sys/kernel/config/nvmet
HOSTNQN=nqn.2014-08.org.nvmexpress:uuid:6a3a0c2c-1f4e-4d6b-9d0e-5c0ffee0dda1
HOSTID=6a3a0c2c-1f4e-4d6b-9d0e-5c0ffee0dda1

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

skip() {
	echo "SKIP: $*"
	exit 77
}

step() {
	echo "--- $*"
}

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}

# The local PCIe SSD (the CMB one), as /dev/nvmeXnY.
local_ssd() {
	local c
	for c in /sys/class/nvme/nvme*; do
		[ "$(cat "$c/transport")" = pcie ] || continue
		echo "/dev/$(basename "$c")n1"
		return 0
	done
	fail "no local NVMe SSD in the VM"
}

# Soft-RoCE on a dummy interface, IPv4 and IPv6.
rxe_up() {
	modprobe dummy
	modprobe rdma_rxe
	ip link add "$DDA_IF" type dummy
	ip addr add "$DDA_ADDR4/24" dev "$DDA_IF"
	ip addr add "$DDA_ADDR6/64" dev "$DDA_IF" nodad
	ip link set "$DDA_IF" up
	rdma link add "$DDA_RXE" type rxe netdev "$DDA_IF"
}

rxe_down() {
	rdma link delete "$DDA_RXE" 2>/dev/null || true
	ip link del "$DDA_IF" 2>/dev/null || true
}

# nvmet configfs helpers (the raw ABI, as nvmetcli uses it).
nvmet_subsys() { # NQN
	mkdir "$NVMET_CFS/subsystems/$1"
	echo 0 >"$NVMET_CFS/subsystems/$1/attr_allow_any_host"
}

nvmet_allow_host() { # SUBNQN HOSTNQN
	mkdir -p "$NVMET_CFS/hosts/$2"
	ln -s "$NVMET_CFS/hosts/$2" "$NVMET_CFS/subsystems/$1/allowed_hosts/$2"
}

nvmet_ns() { # SUBNQN NSID DEVICE
	local ns="$NVMET_CFS/subsystems/$1/namespaces/$2"
	mkdir "$ns"
	echo -n "$3" >"$ns/device_path"
	echo 1 >"$ns/enable"
}

nvmet_port() { # ID TRTYPE ADRFAM TRADDR TRSVCID
	local p="$NVMET_CFS/ports/$1"
	mkdir "$p"
	echo "$2" >"$p/addr_trtype"
	echo "$3" >"$p/addr_adrfam"
	echo "$4" >"$p/addr_traddr"
	echo "$5" >"$p/addr_trsvcid"
}

nvmet_link() { # PORTID SUBNQN
	ln -s "$NVMET_CFS/subsystems/$2" "$NVMET_CFS/ports/$1/subsystems/$2"
}

# Tear down the whole nvmet configuration, in dependency order.
nvmet_clear() {
	local l d
	[ -d "$NVMET_CFS" ] || return 0
	for l in "$NVMET_CFS"/ports/*/subsystems/*; do
		[ -L "$l" ] && rm "$l"
	done
	for d in "$NVMET_CFS"/ports/*; do
		[ -d "$d" ] && rmdir "$d"
	done
	for l in "$NVMET_CFS"/subsystems/*/allowed_hosts/*; do
		[ -L "$l" ] && rm "$l"
	done
	for d in "$NVMET_CFS"/subsystems/*/namespaces/*; do
		[ -d "$d" ] || continue
		echo 0 >"$d/enable"
		rmdir "$d"
	done
	for d in "$NVMET_CFS"/subsystems/* "$NVMET_CFS"/hosts/*; do
		[ -d "$d" ] && rmdir "$d"
	done
	return 0
}

# The fabric controller's block device for SUBNQN, as /dev/nvmeXnY.
fabric_dev() { # SUBNQN [NSID]
	local c
	for c in /sys/class/nvme/nvme*; do
		[ "$(cat "$c/subsysnqn" 2>/dev/null)" = "$1" ] || continue
		[ "$(cat "$c/transport")" = pcie ] && continue
		local b
		for b in /sys/class/nvme/"$(basename "$c")"/nvme*n*; do
			[ -e "$b" ] || continue
			if [ -z "${2:-}" ] || [ "$(cat "$b/nsid")" = "$2" ]; then
				echo "/dev/$(basename "$b")"
				return 0
			fi
		done
	done
	return 1
}

# Wait up to N seconds for a command to succeed.
wait_for() { # SECONDS CMD...
	local n=$1
	shift
	while ! "$@" >/dev/null 2>&1; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 1
	done
}

# Read a KUnit suite's KTAP results; fail unless every case passed.
# Prints the number of cases that passed.
kunit_check() { # SUITE MIN_CASES
	local f="/sys/kernel/debug/kunit/$1/results" total notok
	[ -r "$f" ] || fail "no KUnit results at $f"
	cat "$f"
	notok=$(grep -cE '^\s+not ok ' "$f" || true)
	total=$(grep -cE '^\s+ok [0-9]+ ' "$f" || true)
	[ "$notok" -eq 0 ] || fail "$1: $notok KUnit case(s) failed"
	[ "$total" -ge "$2" ] || fail "$1: only $total KUnit case(s) passed, want at least $2"
	grep -qE "^ok [0-9]+ $1\$" "$f" || fail "$1: suite did not report ok"
	echo "$total"
}
