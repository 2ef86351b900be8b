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

# The sysfs directory of every NVMe controller, one a line; nothing when
# there is none (a bare glob would stay as is, and reading its transport
# would end a set -e test).
nvme_ctrl_dirs() {
	local c
	for c in /sys/class/nvme/nvme*; do
		[ -e "$c/transport" ] && echo "$c"
	done
	return 0
}

# The local PCIe SSD (the CMB one), as /dev/nvmeXnY. Neither number is to
# be trusted: X is the NVMe subsystem's instance, not the controller's
# (after the SSD is removed and rescanned they differ), and Y the order in
# which the namespaces were found, not the NSID (6.12 scans them in
# parallel: after a rescan nvme0n1 was namespace 2). So: the controller's
# disks, by their nsid attribute.
local_ssd() {
	local_ssd_find || fail "no local NVMe SSD in the VM"
}

local_ssd_find() { # [NSID]
	local c n id
	for c in $(nvme_ctrl_dirs); do
		[ "$(<"$c/transport")" = pcie ] || continue
		for n in "$c"/nvme*n[0-9]*; do
			[ -e "$n/nsid" ] && [ -b "/dev/${n##*/}" ] || continue
			read -r id <"$n/nsid" || continue
			[ "$id" = "${1:-1}" ] || continue
			echo "/dev/${n##*/}"
			return 0
		done
	done
	return 1
}

# The SSD's second namespace, which QEMU throttles to 8 I/Os per second
# (tests/vm/run): I/O to it stays in flight for a while, so whatever the
# target holds for it is held at a predictable time.
slow_ssd() {
	local_ssd_find 2 || fail "no throttled namespace 2 on the local NVMe SSD"
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

# Not while an RDMA host controller is still there: one whose queues are
# down (reconnecting, or deleted but still referenced) keeps a pointer to
# the nvme-rdma device it freed, which nvme_rdma_remove_one() then reads
# (KASAN, 6.1 and 6.12). A live controller is fine: it is deleted.
rxe_down() {
	local left
	left=$(fabric_ctrls rdma)
	if [ -n "$left" ]; then
		echo "warning: $DDA_RXE kept for host controllers" $left >&2
		return 0
	fi
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

# DEVICE is a block device (bdev backend) or a regular file (file backend;
# buffered, since tmpfs has no O_DIRECT on 6.1).
nvmet_ns() { # SUBNQN NSID DEVICE
	local ns="$NVMET_CFS/subsystems/$1/namespaces/$2"
	mkdir "$ns"
	echo -n "$3" >"$ns/device_path"
	[ -f "$3" ] && echo 1 >"$ns/buffered_io"
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

# Several SUBNQNs are linked by one ln, one symlink(2) right after another.
nvmet_link() { # PORTID SUBNQN...
	local port=$1 q targets=()
	shift
	for q; do targets+=("$NVMET_CFS/subsystems/$q"); done
	ln -s "${targets[@]}" "$NVMET_CFS/ports/$port/subsystems/"
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
# The disk's node once devtmpfs made it (its thread does that a moment
# after sysfs shows the disk): a program that opened the path before then
# would have written a regular file there.
fabric_node() { # /dev/NAME
	local n=40
	while [ ! -b "$1" ]; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || { echo "Error: $1 is not a block device" >&2; return 1; }
		nap 0.25
	done
	echo "$1"
}

fabric_dev() { # SUBNQN [NSID]
	local c
	for c in $(nvme_ctrl_dirs); do
		[ "$(<"$c/subsysnqn")" = "$1" ] || continue
		[ "$(<"$c/transport")" = pcie ] && continue
		local b
		for b in /sys/class/nvme/"${c##*/}"/nvme*n*; do
			[ -e "$b" ] || continue
			if [ -z "${2:-}" ] || [ "$(<"$b/nsid")" = "$2" ]; then
				fabric_node "/dev/${b##*/}" && return 0
				return 1
			fi
		done
	done
	return 1
}

# Sleep SECONDS (fractions too) without forking sleep(1): under TCG with the
# debug kernel every exec costs a good part of a second. read -t on a pipe
# nobody writes to (the process substitution forks once, on first use).
nap() { # SECONDS
	[ -n "${_nap_fd:-}" ] || exec {_nap_fd}<> <(:)
	read -t "$1" -u "$_nap_fd" || :
}

# Wait up to N seconds for a command to succeed; it is tried twice a second.
wait_for() { # SECONDS CMD...
	local n=$(($1 * 2))
	shift
	while ! "$@" >/dev/null 2>&1; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		nap 0.5
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

# Whether kernel module NAME (as /proc/modules spells it) is loaded; no
# fork, unlike grep.
module_loaded() { # NAME
	local m _
	while read -r m _; do
		[ "$m" = "$1" ] && return 0
	done </proc/modules
	return 1
}

# --- Transports -----------------------------------------------------------
# Tests with a "# variants: dda upstream" header run once per transport, with
# TRANSPORT=dda (our transport in nvmet-dda.ko) or TRANSPORT=upstream
# (nvmet-rdma). Both register nvmet's "rdma" trtype, so only one is loaded.

# The kernel module that serves trtype rdma for $TRANSPORT.
transport_module() {
	case "${TRANSPORT:-}" in
	dda) echo nvmet_dda ;;
	upstream) echo nvmet_rdma ;;
	*) fail "TRANSPORT='${TRANSPORT:-}': run this test through tests/vm/run (variants dda, upstream)" ;;
	esac
}

# Load the target transport for $TRANSPORT and the host's nvme-rdma. Skips
# the test (exit 77) when nvmet-dda has no rdma transport yet.
transport_load() {
	local caps
	case "$(transport_module)" in
	nvmet_dda)
		module_loaded nvmet_rdma &&
			fail "nvmet-rdma is loaded; it would serve instead of nvmet-dda"
		modprobe nvmet-dda
		caps=$(ddactl -j info | jq -c .capabilities)
		if ! jq -e 'index("rdma")' <<<"$caps" >/dev/null; then
			modprobe -r nvmet-dda
			skip "nvmet-dda has no rdma transport (capabilities: $caps)"
		fi
		;;
	nvmet_rdma)
		module_loaded nvmet_dda &&
			fail "nvmet-dda is loaded; it would serve instead of nvmet-rdma"
		modprobe nvmet-rdma
		;;
	esac
	modprobe nvme-rdma
}

# Unload host and target transports and nvmet. Returns non-zero if any of
# them stays loaded.
transport_unload() {
	local m rc=0
	modprobe -r nvme-rdma 2>/dev/null || true
	case "${TRANSPORT:-}" in
	dda) modprobe -r nvmet-dda 2>/dev/null || true ;;
	upstream) modprobe -r nvmet-rdma 2>/dev/null || true ;;
	esac
	modprobe -r nvmet 2>/dev/null || true
	for m in nvme_rdma nvme_fabrics nvmet_dda nvmet_rdma nvmet; do
		if module_loaded "$m"; then
			echo "still loaded: $m" >&2
			rc=1
		fi
	done
	return "$rc"
}

# nvmet takes a reference on the transport module for every enabled port:
# prove that the transport of this variant, not the other, serves the ports.
transport_check_serving() {
	local m refs
	m=$(transport_module)
	read -r refs <"/sys/module/$m/refcnt" 2>/dev/null || refs=none
	{ [ "$refs" != none ] && [ "$refs" -ge 1 ]; } ||
		fail "$m does not serve the enabled port (refcnt $refs)"
	case "$m" in
	nvmet_dda) ! module_loaded nvmet_rdma || fail "nvmet-rdma got loaded" ;;
	nvmet_rdma) ! module_loaded nvmet_dda || fail "nvmet-dda got loaded" ;;
	esac
}

# --- Backing devices --------------------------------------------------------
# null_blk keeps no data unless memory_backed; pages are allocated on write.
# Prints /dev/nullb0 ... /dev/nullb(N-1), N devices of 1 GiB.
nullb_load() { # N
	modprobe null_blk nr_devices="$1" memory_backed=1 gb=1
	local i
	for ((i = 0; i < $1; i++)); do
		wait_for 10 test -b "/dev/nullb$i" || fail "no /dev/nullb$i"
		echo "/dev/nullb$i"
	done
}

# A regular file on tmpfs (nvmet's file backend). Prints its path.
tmpfs_file() { # NAME SIZE_MB
	mkdir -p /run/dda-files
	truncate -s "$2M" "/run/dda-files/$1"
	echo "/run/dda-files/$1"
}

# A loop device over a tmpfs file (nvmet's bdev backend). Prints /dev/loopN.
loop_dev() { # NAME SIZE_MB
	losetup -f --show "$(tmpfs_file "$1" "$2")"
}

# Undo nullb_load, tmpfs_file and loop_dev.
backing_clear() {
	losetup -D 2>/dev/null || true
	modprobe -r null_blk 2>/dev/null || true
	rm -rf /run/dda-files
}

# --- Target ---------------------------------------------------------------
# An rdma port on the guest's own addresses.
target_port() { # ID ipv4|ipv6 [SVCID]
	case "$2" in
	ipv4) nvmet_port "$1" rdma ipv4 "$DDA_ADDR4" "${3:-4420}" ;;
	ipv6) nvmet_port "$1" rdma ipv6 "$DDA_ADDR6" "${3:-4421}" ;;
	*) fail "target_port: family $2" ;;
	esac
}

# The common setup: subsystem NQN that admits $HOSTNQN, namespaces 1..N on
# the given devices or files, exported on port PORTID (created as IPv4
# 192.0.2.1:4420 when it does not exist yet).
target_setup() { # NQN PORTID DEVICE...
	local nqn=$1 port=$2 nsid=1 dev
	shift 2
	nvmet_subsys "$nqn"
	nvmet_allow_host "$nqn" "$HOSTNQN"
	for dev in "$@"; do
		nvmet_ns "$nqn" "$nsid" "$dev"
		nsid=$((nsid + 1))
	done
	[ -d "$NVMET_CFS/ports/$port" ] || target_port "$port" ipv4
	nvmet_link "$port" "$nqn"
	transport_check_serving
}

# For a test of nvmet-dda's fault attribute NAME (FA, under
# /sys/kernel/debug/nvmet_dda/; test kernels only): skips without fault
# injection, loads the transport, fails when the module has no NAME (it
# cannot WHAT on purpose), and turns it off again on exit.
fault_attr() { # NAME WHAT
	FA=/sys/kernel/debug/nvmet_dda/$1
	[ -d /sys/kernel/debug/fail_make_request ] || skip "kernel without fault injection"
	trap 'echo 0 >"$FA/probability" 2>/dev/null || true; transport_cleanup' EXIT
	transport_load
	[ -d "$FA" ] || fail "no $FA: nvmet-dda cannot $2 on purpose"
}

# FA fires at the next N chances (-1: at every one), without stack traces.
fault_inject() { # N
	echo 0 >"$FA/verbose"
	echo 1 >"$FA/interval"
	echo "$1" >"$FA/times"
	echo 100 >"$FA/probability"
}

fault_stop() {
	echo 0 >"$FA/probability"
}

# Port 1 on IPv4 without in-capsule data (which would sit in host-memory
# receive buffers, so every command's data goes where placement puts it)
# and subsystem NQN on it with DEVICE... as namespaces 1..N.
target_no_inline() { # NQN DEVICE...
	local nqn=$1
	shift
	target_port 1 ipv4
	echo 0 >"$NVMET_CFS/ports/1/param_inline_data_size"
	target_setup "$nqn" 1 "$@"
}

# The usual P2P target: target_no_inline, and namespace 1 under MODE on
# PROVIDER.
p2p_target() { # NQN MODE PROVIDER DEVICE...
	local nqn=$1 mode=$2 prov=$3
	shift 3
	target_no_inline "$nqn" "$@"
	ddactl offload set "$nqn" 1 mode "$mode" provider "$prov"
}

# --- Host -----------------------------------------------------------------
# nvme-cli with this guest's host identity.
host_discover() { # ADDR SVCID
	nvme discover -t rdma -a "$1" -s "$2" --hostnqn="$HOSTNQN" --hostid="$HOSTID"
}

# The NVMe subsystems (not discovery entries) a discovery log lists, one
# "SUBNQN TRTYPE ADRFAM TRADDR TRSVCID" line each, sorted. The full log is
# echoed to stderr.
discovered() { # ADDR SVCID
	local log
	log=$(host_discover "$1" "$2") || fail "discover on $1:$2 failed"
	echo "$log" >&2
	awk '
		function flush() {
			if (f["subtype"] == "nvme subsystem")
				print f["subnqn"], f["trtype"], f["adrfam"], f["traddr"], f["trsvcid"]
			delete f
		}
		/^=+Discovery Log Entry/ { flush(); next }
		/^[a-z_]+:/ { k = $1; sub(/:$/, "", k); v = $0; sub(/^[^:]*: */, "", v); sub(/ +$/, "", v); f[k] = v }
		END { flush() }' <<<"$log" | sort
}

# Connect to NQN and wait for its namespaces' block devices.
host_connect() { # NQN [ADDR [SVCID [NVME-CONNECT-OPTION...]]]
	local nqn=$1 addr=${2:-$DDA_ADDR4} svc=${3:-4420}
	shift $(($# < 3 ? $# : 3))
	nvme connect -t rdma -n "$nqn" -a "$addr" -s "$svc" \
		--hostnqn="$HOSTNQN" --hostid="$HOSTID" "$@"
	wait_for 30 fabric_dev "$nqn" || fail "no block device for $nqn after connect"
}

# Disconnect from NQN; fail unless exactly one controller went away.
host_disconnect() { # NQN
	local out
	out=$(nvme disconnect -n "$1")
	echo "$out"
	[[ $out == *"disconnected 1 controller"* ]] ||
		fail "disconnect $1: '$out', want one controller"
	wait_for 15 ctrl_gone "$1" || fail "controller for $1 still present after disconnect"
}

# The fabric controller's character device for SUBNQN, as /dev/nvmeX.
fabric_ctrl() { # SUBNQN
	local c
	for c in $(nvme_ctrl_dirs); do
		[ "$(<"$c/subsysnqn")" = "$1" ] || continue
		[ "$(<"$c/transport")" = pcie ] && continue
		echo "/dev/${c##*/}"
		return 0
	done
	return 1
}

ctrl_gone() { # SUBNQN
	! fabric_ctrl "$1" >/dev/null
}

# How often the host controller NAME (nvmeN) has reconnected (from the
# kernel log), and a predicate for wait_for: more than COUNT times.
reconnects() { # NAME
	dmesg | grep -c "nvme $1: Successfully reconnected" || :
}

reconnected() { # NAME COUNT
	[ "$(reconnects "$1")" -gt "$2" ]
}

# Disconnect every fabric controller (cleanup paths).
# Also waits for the controllers to be gone: removing an RDMA device while
# nvme-rdma still tears one down (or one waits to reconnect) runs into a
# use-after-free in 6.1's nvme_rdma_remove_one().
host_disconnect_all() {
	nvme disconnect-all >/dev/null 2>&1 || true
	wait_for 60 fabric_ctrls_gone || echo "warning: fabrics controllers left: $(fabric_ctrls)" >&2
}

# The host's fabric controllers (nvmeN), or only those of TRANSPORT.
fabric_ctrls() { # [TRANSPORT]
	local c t
	for c in $(nvme_ctrl_dirs); do
		t=
		read -r t <"$c/transport" 2>/dev/null
		[ "$t" != pcie ] && [ "${1:-$t}" = "$t" ] && echo "${c##*/}"
	done
	return 0
}

fabric_ctrls_gone() { # [TRANSPORT]
	[ -z "$(fabric_ctrls "$@")" ]
}

# --- I/O ------------------------------------------------------------------
# fio against DEV with crc32c verify; NUMJOBS jobs, each on its own SIZE
# region (MiB, or with a K or M suffix). Asserts from fio's JSON output (kept
# as /tmp/TAG.json) that no job had an error, that each job wrote
# (randwrite/write: exactly SIZE) and that every written byte was read back
# and verified. RW: randrw, randwrite or write.
run_fio() { # DEV RW BS IODEPTH NUMJOBS SIZE [TAG]
	local dev=$1 rw=$2 bs=$3 qd=$4 jobs=$5 size=$6 tag=${7:-fio} kb
	case "$size" in
	*[kK]) kb=${size%?} ;;
	*[mM]) kb=$((${size%?} * 1024)) ;;
	*) kb=$((size * 1024)) ;;
	esac
	local raw=/tmp/$tag.raw json=/tmp/$tag.json n
	echo "fio $tag: $rw bs=$bs iodepth=$qd numjobs=$jobs size=${kb}k on $dev"
	fio --name="$tag" --filename="$dev" --direct=1 --ioengine=libaio \
		--rw="$rw" --bs="$bs" --iodepth="$qd" --numjobs="$jobs" \
		--size="${kb}k" --offset_increment="${kb}k" \
		--verify=crc32c --do_verify=1 --verify_fatal=1 --allow_file_create=0 \
		--output-format=json --output="$raw" ||
		{ cat "$raw" >&2; fail "fio $tag exited non-zero"; }
	# fio puts warnings ("multiple writers may overwrite...") before the JSON.
	sed -n '/^{/,$p' "$raw" >"$json"
	case "$rw" in
	randwrite | write | randrw) ;;
	*) fail "run_fio: rw=$rw not supported" ;;
	esac
	# One jq for the per-job lines and the verdict (the last line): an exec
	# is expensive in the guest.
	local lines
	mapfile -t lines < <(jq -r --argjson jobs "$jobs" --argjson kb "$kb" --arg rw "$rw" '
		(.jobs[] | {job: .jobname, error, read_kib: .read.io_kbytes,
			write_kib: .write.io_kbytes, read_iops: (.read.iops | floor),
			write_iops: (.write.iops | floor)} | tojson),
		if (.jobs | length) != $jobs then
			"jobs: got \(.jobs | length), want \($jobs)"
		elif any(.jobs[]; .error != 0) then
			"a job reported an error"
		elif $rw == "randrw" then
			# The mix adds up to SIZE; the verify pass re-reads what was
			# written, so reads total exactly SIZE and writes are a share
			# of it (a random share: with few blocks one job may write none).
			if all(.jobs[]; .read.io_kbytes == $kb and .write.io_kbytes <= $kb)
			   and ([.jobs[].write.io_kbytes] | add) > 0 then "ok"
			else "want \($kb) KiB read (workload + verify) per job and some writes" end
		else
			# Every block written once, then read back once by the verify pass.
			if all(.jobs[]; .write.io_kbytes == $kb and .read.io_kbytes == $kb)
			then "ok" else "want \($kb) KiB written and verified per job" end
		end' "$json")
	[ "${#lines[@]}" -gt 0 ] || fail "fio $tag: no JSON output"
	printf '%s\n' "${lines[@]:0:${#lines[@]}-1}"
	[ "${lines[-1]}" = ok ] || fail "fio $tag: ${lines[-1]}"
}

# The usual end of a transport test: hosts off, target config, backing
# devices, soft-RoCE and modules gone (tests/vm/guest-init checks).
transport_cleanup() {
	host_disconnect_all
	nvmet_clear
	backing_clear
	rxe_down
	transport_unload || true
}

# --- P2P ------------------------------------------------------------------
# PCI address of the local NVMe SSD (whose CMB nvme-pci publishes).
ssd_bdf() {
	local c
	for c in $(nvme_ctrl_dirs); do
		[ "$(<"$c/transport")" = pcie ] || continue
		basename "$(readlink -f "$c/device")"
		return 0
	done
	fail "no local NVMe SSD in the VM"
}

# PCI address of the ivshmem-plain device (our stand-in for a NIC BAR).
ivshmem_bdf() {
	local d
	for d in /sys/bus/pci/devices/*; do
		[ "$(<"$d/vendor")" = 0x1af4 ] && [ "$(<"$d/device")" = 0x1110 ] || continue
		echo "${d##*/}"
		return 0
	done
	fail "no ivshmem device in the VM"
}

# One field of a provider as `ddactl -j provider show BDF` reports it.
p2p_prov() { # BDF KEY
	ddactl -j provider show "$1" | jq -r --arg k "$2" \
		'(if type == "array" then .[0] else (.providers[0] // .) end)[$k]'
}

# One counter of a namespace as `ddactl -j stats show NQN NSID` reports it.
p2p_ns() { # NQN NSID KEY
	ddactl -j stats show "$1" "$2" | jq -r --arg k "$3" '.namespaces[0][$k]'
}

# Whether a namespace, and a provider if given, hold no P2P bytes.
p2p_idle() { # NQN NSID [BDF]
	[ "$(p2p_ns "$1" "$2" outstanding_bytes)" = 0 ] &&
		{ [ -z "${3:-}" ] || [ "$(p2p_prov "$3" outstanding_bytes)" = 0 ]; }
}

# Wait (10 s at most) until p2p_idle. The target gives a buffer back when
# the SEND of its response completes, which can be after the host, and
# fio, saw the response; a check right after fio exits would race with
# that. Never fails itself: the check that follows reports what it finds.
p2p_settle() { # NQN NSID [BDF]
	wait_for 10 p2p_idle "$@" || :
}

# Bytes and commands fio moved in run_fio TAG (reads + writes, all jobs).
fio_bytes() { # TAG
	jq '[.jobs[] | .read.io_bytes + .write.io_bytes] | add' "/tmp/$1.json"
}
fio_ios() { # TAG
	jq '[.jobs[] | .read.total_ios + .write.total_ios] | add' "/tmp/$1.json"
}

# Snapshot of the namespace counters into an associative array NAME.
p2p_snap() { # NAME NQN NSID
	local -n _snap=$1
	local k v
	while read -r k v; do
		_snap[$k]=$v
	done < <(ddactl -j stats show "$2" "$3" |
		jq -r '.namespaces[0] | to_entries[] | select(.value | type == "number") | "\(.key) \(.value)"')
}

# fio without verify, for load while something else is watched. Started
# with & it becomes fio (exec in the background subshell), so $! is fio and
# kill -INT $! stops the load; a subshell bash would ignore the SIGINT (a
# script's background jobs do) and the load ran to its end.
fio_load() { # DEV RW BS IODEPTH SECONDS TAG
	local cmd=(fio --name="$6" --filename="$1" --direct=1 --ioengine=libaio
		--rw="$2" --bs="$3" --iodepth="$4" --time_based --runtime="$5"
		--size=32M --allow_file_create=0 --output-format=json --output="/tmp/$6.raw")
	[ "$BASHPID" = "$$" ] || exec "${cmd[@]}"
	"${cmd[@]}"
}

proc_gone() { # PID
	! kill -0 "$1" 2>/dev/null
}

# For a step that waits too long: the fabric controllers' states, the
# kernel's messages, every kernel stack in the RDMA and NVMe code, and the
# busy workqueues (a work item waiting for ever shows there).
stuck_report() {
	local c p st log
	for c in $(nvme_ctrl_dirs); do
		echo "${c##*/}: $(cat "$c/transport" "$c/state" 2>/dev/null | tr '\n' ' ')"
	done
	log=$(dmesg | grep -v -e 'I/O Error' -e 'I/O error' -e 'transport error')
	echo "the host's and the target's messages:"
	grep -E 'nvme|nvmet|rxe|dda|workqueue' <<<"$log" | tail -n 80
	echo "the kernel log's end:"
	tail -n 150 <<<"$log"
	echo "kernel stacks in the transports and of fio:"
	for p in /proc/[0-9]*; do
		st=$(cat "$p/stack" 2>/dev/null) || continue
		# fio too: where a stuck I/O waits in the block layer.
		[[ $st == *nvme* || $st == *rdma* || $st == *rxe* || $st == *ib_* || $st == *dda* ||
			$(<"$p/comm") == fio ]] || continue
		echo "${p#/proc/} $(cat "$p/comm") $(cut -d' ' -f3 "$p/stat")"
		echo "$st" | head -n 20
	done
	echo t >/proc/sysrq-trigger
	echo "busy workqueues:"
	dmesg | sed -n '/Showing busy workqueues/,$p' | head -n 80
}

# Whether the kernel log has TEXT (for wait_for).
dmesg_has() { # TEXT
	dmesg | grep -qF -- "$1"
}

# DDA_TRACE=1 (tests/vm/run passes it): every command of the test in its
# log, with the time (profiling the suite under TCG).
if [ -n "${DDA_TRACE:-}" ]; then
	PS4='+ ${EPOCHREALTIME} '
	set -x
fi
