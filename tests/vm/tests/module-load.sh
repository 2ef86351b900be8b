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
for i in $(seq 1 10); do
	step "cycle $i"
	modprobe nvmet-dda
	grep -q '^nvmet_dda ' /proc/modules || fail "not loaded after modprobe"
	json=$(ddactl -j info)
	expect_eq "version" "$(jq -r .version <<<"$json")" "$(cat "$TOP/VERSION")"
	expect_eq "kernel_release" "$(jq -r .kernel_release <<<"$json")" "$(uname -r)"
	expect_eq "p2pdma" "$(jq -r .p2pdma <<<"$json")" true
	expect_eq "genl_version" "$(jq -r .genl_version <<<"$json")" 1
	jq -e '.capabilities | index("p2pdma")' <<<"$json" >/dev/null ||
		fail "capabilities lack p2pdma: $json"
	ddactl info | grep -qE '^p2pdma: +yes$' || fail "text output lacks 'p2pdma: yes'"
	modprobe -r nvmet-dda
	grep -q '^nvmet_dda ' /proc/modules && fail "still loaded after modprobe -r"
done
loads=$(($(dmesg | grep -c 'nvmet_dda: version') - loads_before))
expect_eq "load messages in dmesg" "$loads" 10
echo "10 load/unload cycles ok"
