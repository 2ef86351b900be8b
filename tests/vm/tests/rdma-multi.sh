# SPDX-License-Identifier: GPL-2.0
# Two subsystems with three namespaces each (SSD, null_blk, loop device,
# tmpfs files), exported on an IPv4 and an IPv6 port; one host controller per
# subsystem, one per address family; verified I/O on all six namespaces at
# once, and each namespace's data lands on its own backing device.
# variants: dda upstream
# timeout: 420
set -euo pipefail
. "$TOP/tests/vm/lib.sh"

A=nqn.2026-11.io.nvmet-dda:multi-a
B=nqn.2026-11.io.nvmet-dda:multi-b

trap transport_cleanup EXIT
transport_load
rxe_up
mapfile -t nullb < <(nullb_load 2)
ssd=$(local_ssd)
declare -A backing
backing[$A:1]=$ssd
backing[$A:2]=$(tmpfs_file a2.img 64)
backing[$A:3]=${nullb[0]}
backing[$B:1]=$(loop_dev b1.img 64)
backing[$B:2]=${nullb[1]}
backing[$B:3]=$(tmpfs_file b3.img 48)

step "target: two subsystems, ports 1 ($DDA_ADDR4:4420) and 2 ([$DDA_ADDR6]:4421)"
target_port 1 ipv4 4420
target_port 2 ipv6 4421
target_setup "$A" 1 "${backing[$A:1]}" "${backing[$A:2]}" "${backing[$A:3]}"
target_setup "$B" 2 "${backing[$B:1]}" "${backing[$B:2]}" "${backing[$B:3]}"
nvmet_link 2 "$A"
nvmet_link 1 "$B"

for p in "$DDA_ADDR4 4420 ipv4" "$DDA_ADDR6 4421 ipv6"; do
	read -r addr svc fam <<<"$p"
	step "discover on $addr:$svc lists both subsystems"
	got=$(discovered "$addr" "$svc")
	echo "$got"
	expect_eq "discovery on $fam" "$got" \
		"$(printf '%s\n' "$A rdma $fam $addr $svc" "$B rdma $fam $addr $svc" | sort)"
done

step "connect $A over IPv4, $B over IPv6"
host_connect "$A" "$DDA_ADDR4" 4420
host_connect "$B" "$DDA_ADDR6" 4421
grep -q "traddr=$DDA_ADDR6,trsvcid=4421" "/sys/class/nvme/$(basename "$(fabric_ctrl "$B")")/address" ||
	fail "$B not connected over IPv6"

step "every namespace: size of its backing, then fio on all six at once"
pids=()
for key in "$A:1" "$A:2" "$A:3" "$B:1" "$B:2" "$B:3"; do
	nqn=${key%:*} nsid=${key##*:}
	wait_for 20 fabric_dev "$nqn" "$nsid" || fail "no namespace $nsid of $nqn on the host"
	dev=$(fabric_dev "$nqn" "$nsid")
	b=${backing[$key]}
	if [ -b "$b" ]; then want=$(blockdev --getsize64 "$b"); else want=$(stat -c %s "$b"); fi
	expect_eq "size of $nqn ns $nsid ($dev on $b)" "$(blockdev --getsize64 "$dev")" "$want"
	run_fio "$dev" randwrite 4k 8 1 1 "multi-${nqn##*-}$nsid" >"/tmp/multi-$nsid-${nqn##*-}.log" 2>&1 &
	pids+=("$!:$key")
done
bad=0
for p in "${pids[@]}"; do
	if ! wait "${p%%:*}"; then
		echo "fio on ${p#*:} failed" >&2
		bad=1
	fi
done
cat /tmp/multi-*.log
[ "$bad" -eq 0 ] || fail "verified I/O failed on some namespace"

step "each namespace's data is on its own backing device"
for key in "$A:1" "$A:2" "$A:3" "$B:1" "$B:2" "$B:3"; do
	nqn=${key%:*} nsid=${key##*:}
	dev=$(fabric_dev "$nqn" "$nsid")
	label="nvmet-dda $key"
	printf '%-4096s' "$label" | dd of="$dev" bs=4k count=1 oflag=direct status=none
	b=${backing[$key]}
	if [ -b "$b" ]; then
		got=$(dd if="$b" bs=4k count=1 iflag=direct status=none | head -c ${#label})
	else
		got=$(head -c ${#label} "$b")
	fi
	expect_eq "label on $b" "$got" "$label"
done

host_disconnect "$A"
host_disconnect "$B"
