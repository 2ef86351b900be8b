# SPDX-License-Identifier: GPL-2.0
# Bad input, one table row each: raw configfs writes the kernel must refuse
# (bad trtype, adrfam, traddr, trsvcid and inline data size, changes to an
# enabled port or namespace, nsid 0, a duplicate subsystem, a namespace on a
# missing device, a port on an address the guest lacks), ddactl input it
# must refuse (the same through ddactl, offload set with a bad mode, provider
# or size, provider add with an unaligned offset, an unknown BDF, bar 7, a
# BAR that does not exist, is not prefetchable or does not fit, a bound
# function) and the kernel's
# own answer to what ddactl would not send (nlfuzz -c). Each row: the
# command, its expected exit code, a piece of its expected message; after
# each row the whole state (ddactl config save -, ddactl -j offload show,
# ddactl -j provider show) is unchanged. One line per row.
# timeout: 420
set -euo pipefail
. "$TOP/tests/vm/lib.sh"

SUB=nqn.2026-11.io.nvmet-dda:bad
TRANSPORT=dda
ABSENT=198.51.100.7	# documentation address, not on the guest

cleanup() {
	# Under set -e a failing command would end the trap with its status.
	[ -z "${ivs:-}" ] || ddactl provider del "$ivs" >/dev/null 2>&1 || true
	transport_cleanup
}
trap cleanup EXIT
transport_load
rxe_up
ssd=$(local_ssd)
ivs=$(ivshmem_bdf)
ssd_pci=$(ssd_bdf)
# ivshmem-plain: BAR 0 registers (256 bytes), BAR 2 the shared memory.
read -r start end _ < <(sed -n 3p "/sys/bus/pci/devices/$ivs/resource")
barsize=$((end - start + 1))

step "the state every row must leave alone"
target_setup "$SUB" 1 "$ssd"		# port 1: 192.0.2.1:4420, enabled
nvmet_port 2 rdma ipv4 "$DDA_ADDR4" 4430	# not linked: writable
nvmet_port 3 rdma ipv4 "$ABSENT" 4420	# not linked: cannot be enabled
mkdir "$NVMET_CFS/subsystems/$SUB/namespaces/2"	# disabled, no such device
echo -n /dev/no-such-disk >"$NVMET_CFS/subsystems/$SUB/namespaces/2/device_path"
ddactl offload set "$SUB" 1 mode prefer min-io 4k
ddactl offload set port 1 mode off max-bytes 8M

state() {
	ddactl config save -
	ddactl -j offload show
	ddactl -j provider show
}
base=$(state)
echo "$base"

# cfs_write PATH VALUE: what `echo VALUE >$NVMET_CFS/PATH` makes of it.
cfs_write() {
	echo "$2" 2>&1 >"$NVMET_CFS/$1"
}

n=0
# row CODE TEXT CMD...: CMD exits CODE, its output contains TEXT (any case),
# and the state is what it was.
# Only the command and the state check fork: processes are what this test
# costs in the guest.
row() {
	local want=$1 text=$2 rc=0 out now cmd
	shift 2
	n=$((n + 1))
	out=$("$@" 2>&1) || rc=$?
	out=${out//$'\n'/ }
	out=${out//"$NVMET_CFS"/CFS}
	cmd="$*"
	cmd=${cmd//"$NVMET_CFS"/CFS}
	printf 'row %2d: exit %d: %s => %s\n' "$n" "$rc" "${cmd:0:100}" "${out:0:160}"
	[ "$rc" -eq "$want" ] || fail "row $n: exit $rc, want $want"
	[[ ${out,,} == *"${text,,}"* ]] || fail "row $n: output lacks '$text'"
	now=$(state)
	[ "$now" = "$base" ] || {
		diff -u <(echo "$base") <(echo "$now") || true
		fail "row $n changed the state"
	}
}

printf -v long 'x%.0s' {1..300}

step "configfs: the kernel refuses"
row 1 "Invalid argument" cfs_write ports/2/addr_trtype udp
row 1 "Invalid argument" cfs_write ports/2/addr_adrfam ipv5
row 1 "Invalid argument" cfs_write ports/2/addr_traddr "$long"
row 1 "Invalid argument" cfs_write ports/2/addr_trsvcid "${long:0:40}"
row 1 "Invalid argument" cfs_write ports/2/param_inline_data_size lots
row 1 "Invalid argument" cfs_write ports/2/param_inline_data_size 99999999999
row 1 "Invalid argument" cfs_write ports/2/addr_treq maybe
row 1 "Permission denied" cfs_write ports/1/addr_trsvcid 4499
row 1 "Permission denied" cfs_write ports/1/param_inline_data_size 8192
row 1 "busy" cfs_write "subsystems/$SUB/namespaces/1/device_path" /dev/null
row 1 "No such file" cfs_write "subsystems/$SUB/namespaces/2/enable" 1
row 1 "Invalid argument" cfs_write "subsystems/$SUB/namespaces/2/enable" maybe
row 1 "Invalid argument" cfs_write "subsystems/$SUB/attr_allow_any_host" maybe
row 1 "Invalid argument" mkdir "$NVMET_CFS/subsystems/$SUB/namespaces/0"
row 1 "Invalid argument" mkdir "$NVMET_CFS/subsystems/$SUB/namespaces/4294967295"
row 1 "File exists" mkdir "$NVMET_CFS/subsystems/$SUB"
row 1 "Cannot assign requested address" \
	ln -s "$NVMET_CFS/subsystems/$SUB" "$NVMET_CFS/ports/3/subsystems/$SUB"

step "ddactl: configfs objects"
row 2 "unknown transport type" ddactl port add 9 --trtype udp --traddr "$DDA_ADDR4"
row 2 "unknown address family" ddactl port add 9 --trtype rdma --adrfam ipv5 --traddr "$DDA_ADDR4"
row 2 "cannot tell the address family" ddactl port add 9 --trtype rdma --traddr 300.0.2.1
row 2 "is not an IPv4 address" ddactl port add 9 --trtype rdma --adrfam ipv4 --traddr "$DDA_ADDR6"
row 2 "is not a port number" ddactl port add 9 --trtype rdma --traddr "$DDA_ADDR4" --trsvcid 70000
row 2 "is not a port number" ddactl port add 9 --trtype rdma --traddr "$DDA_ADDR4" --trsvcid nvme
row 2 "give a byte count" ddactl port add 9 --trtype rdma --traddr "$DDA_ADDR4" --inline-data-size 99999999999
row 2 "from 0 to 65535" ddactl port add 65536 --trtype rdma --traddr "$DDA_ADDR4"
row 1 "already exists" ddactl subsys add "$SUB"
row 2 "the NVMe limit is 223" ddactl subsys add "nqn.2026-11.io.nvmet-dda:$(printf 'x%.0s' {1..199})"
row 2 "from 1 to 4294967294" ddactl ns add "$SUB" 0 --path "$ssd"
row 3 "does not exist" ddactl ns add "$SUB" 3 --path /dev/no-such-disk
row 5 "Cannot assign requested address" ddactl port link 3 "$SUB"
row 4 "disable it first" ddactl ns set "$SUB" 1 --path "$ssd"

step "ddactl: offload rules"
row 2 "use off, prefer or require" ddactl offload set "$SUB" 1 mode fast
row 2 "use auto, cmb or a PCI address" ddactl offload set "$SUB" 1 provider 0000:zz:00.0
row 3 "no such provider" ddactl offload set "$SUB" 1 mode require provider 0000:7f:1f.7
row 3 "no such provider" ddactl offload set "$SUB" 1 provider "$ivs"
row 2 "give bytes" ddactl offload set "$SUB" 1 min-io 1Q
row 2 "too large" ddactl offload set "$SUB" 1 min-io 5G
row 2 "give bytes" ddactl offload set "$SUB" 1 max-bytes -1
row 2 "nothing to set" ddactl offload set "$SUB" 1
row 2 "needs a value" ddactl offload set "$SUB" 1 mode
row 2 "from 1 to 4294967294" ddactl offload set "$SUB" 0 mode off
row 2 "from 0 to 65535" ddactl offload set port 70000 mode off
row 3 "no such offload rule" ddactl offload del "$SUB" 3
row 3 "no such offload rule" ddactl offload del port 7

step "ddactl: providers"
row 2 "not a multiple of 2MiB" ddactl provider add "$ivs" bar 2 offset 1M
row 2 "publishes nothing" ddactl provider add "$ivs" bar 2 size 0
row 2 "give a BAR number from 0 to 5" ddactl provider add "$ivs" bar 7
row 2 "give it as DDDD:BB:DD.F" ddactl provider add 0000:0g:00.0
row 2 "given twice" ddactl provider add "$ivs" bar 2 bar 2
row 3 "no such PCI function" ddactl provider add 0000:7f:1f.7
row 5 "no such memory BAR" ddactl provider add "$ivs" bar 1
# BAR 0 (registers) is not prefetchable: refused before its size is looked at.
row 5 "not prefetchable" ddactl provider add "$ivs" bar 0
row 5 "does not fit" ddactl provider add "$ivs" bar 2 offset $((barsize >> 20))M
row 5 "does not fit" ddactl provider add "$ivs" bar 2 offset 2M size $((barsize >> 20))M
row 4 "bound to another driver" ddactl provider add "$ssd_pci"
row 3 "no such provider" ddactl provider del 0000:7f:1f.7
row 3 "no such provider" ddactl provider del "$ivs"
row 5 "belongs to its own driver" ddactl provider del "$ssd_pci"

step "the kernel's answer to what ddactl does not send"
row 0 "provider-add: EINVAL" nlfuzz -c provider-add -a "$ivs" -b 2 -o 0x100000
row 0 "provider-add: EINVAL" nlfuzz -c provider-add -a "$ivs" -b 2 -z 0x1000
row 0 "provider-add: EINVAL" nlfuzz -c provider-add -a "$ivs" -b 2 -z 0
row 0 "provider-add: ERANGE" nlfuzz -c provider-add -a "$ivs" -b 7
row 0 "provider-add: EINVAL" nlfuzz -c provider-add -a "$ivs" -b 2 -o 0xffffffffffe00000 -z 0x400000
row 0 "provider-add: EINVAL" nlfuzz -c provider-add -a "$ivs" -b 2 -o 0x200000 -z 0xffffffffffe00000
row 0 "policy-set: ERANGE" nlfuzz -c policy-set -q "$SUB" -N 0
row 0 "policy-del: ENOENT" nlfuzz -c policy-del -q "$SUB" -N 5

echo "bad input: $n rows, state unchanged after each"
