# SPDX-License-Identifier: GPL-2.0
# nvmet-dda.ko loads and unloads cleanly 10 times; ddactl info answers from
# the loaded module and reports it absent when unloaded.
set -euo pipefail
. "$TOP/tests/vm/lib.sh"

lsmod | grep -q '^nvmet_dda ' && fail "module already loaded"

step "ddactl info without the module, autoload off"
modprobe_path=$(cat /proc/sys/kernel/modprobe)
echo /bin/false >/proc/sys/kernel/modprobe
rc=0
err=$(ddactl info 2>&1 >/dev/null) || rc=$?
echo "$modprobe_path" >/proc/sys/kernel/modprobe
expect_eq "exit code without module" "$rc" 1
expect_eq "error without module" "$err" "Error: nvmet-dda is not loaded (modprobe nvmet-dda)."
grep -q '^nvmet_dda ' /proc/modules && fail "module loaded with autoload off"

step "ddactl info autoloads the module (MODULE_ALIAS_GENL_FAMILY)"
ddactl info >/dev/null
grep -q '^nvmet_dda ' /proc/modules || fail "family lookup did not load the module"
modprobe -r nvmet-dda

loads_before=$(dmesg | grep -c 'nvmet_dda: version' || true)
read -r version <"$TOP/VERSION"
read -r release </proc/sys/kernel/osrelease
for i in {1..10}; do
	step "cycle $i"
	modprobe nvmet-dda
	module_loaded nvmet_dda || fail "not loaded after modprobe"
	json=$(ddactl -j info)
	# One jq for every field: an exec costs a lot in the guest.
	IFS=$'\t' read -r v krel p2p genl p2pcap < <(jq -r \
		'[.version, .kernel_release, .p2pdma, .genl_version,
		  (.capabilities | index("p2pdma") != null)] | @tsv' <<<"$json")
	expect_eq "version" "$v" "$version"
	expect_eq "kernel_release" "$krel" "$release"
	expect_eq "p2pdma" "$p2p" true
	expect_eq "genl_version" "$genl" 1
	expect_eq "capabilities include p2pdma ($json)" "$p2pcap" true
	[[ $'\n'$(ddactl info)$'\n' =~ $'\n'p2pdma:\ +yes$'\n' ]] ||
		fail "text output lacks 'p2pdma: yes'"
	modprobe -r nvmet-dda
	! module_loaded nvmet_dda || fail "still loaded after modprobe -r"
done
loads=$(($(dmesg | grep -c 'nvmet_dda: version') - loads_before))
expect_eq "load messages in dmesg" "$loads" 10
echo "10 load/unload cycles ok"
