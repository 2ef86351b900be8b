# SPDX-License-Identifier: GPL-2.0
# The guest's instructions per I/O between two snapshots of the counters of
# tests/vm/insn-count.c, for tests/vm/bench.sh (BENCH_INSN):
#
#   paste -d ' ' <(od -An -v -t u8 -w8 BEFORE) <(od -An -v -t u8 -w8 AFTER) |
#	awk -v ios=N -v fmods=REGEX -v modfile=MODULES -v symfile=SYMS \
#		-f insn-per-io.awk MODULES SYMS -
#
# MODULES: /proc/modules. SYMS: the modules' text symbols from
# /proc/kallsyms ("address t name [module]"), sorted by address. Prints one JSON object: {ios, user, kernel,
# modules: {name: n}, functions: {"module:function": n}}, n per I/O; kernel
# includes the modules; modules with no instruction are left out, and
# functions are those of the modules matching fmods with at least one per
# I/O. A block counts where it starts: with a 16-byte granule (the
# alignment of functions) every block lands in its own function.

# The low 32 bits of a hexadecimal address: awk's numbers are doubles, in
# which whole 64-bit addresses would round. The module area and its symbols
# share the upper half.
function low32(s,   i, v) {
	v = 0
	s = tolower(s)
	sub(/^0x/, "", s)
	s = substr(s, length(s) > 8 ? length(s) - 7 : 1)
	for (i = 1; i <= length(s); i++)
		v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
	return v
}

FILENAME == modfile {
	mname[++nm] = $1
	msize[nm] = $2
	maddr[nm] = low32($6)
	next
}

FILENAME == symfile {
	saddr[++ns] = low32($1)
	sname[ns] = $3
	smod[ns] = $4
	gsub(/[][]/, "", smod[ns])
	next
}

FNR <= 5 {	# magic, vCPUs, module area base, granules, shift
	if (FNR == 3)
		base = $2 % 4294967296
	if (FNR == 4)
		stride = (granules = $2) + 2
	if (FNR == 5)
		granule = 2 ^ $2
	next
}

{
	k = (FNR - 6) % stride
	d = $2 - $1
	if (k == 0)
		user += d
	else if (k == 1)
		kernel += d
	else if (d)
		g[k - 2] += d
}

END {
	if (ios <= 0 || !stride)
		exit 1
	printf "{\"ios\": %d, \"user\": %.0f, \"kernel\": %.0f, \"modules\": {", ios, user / ios, kernel / ios
	sep = ""
	for (m = 1; m <= nm; m++) {
		first = int((maddr[m] - base) / granule)
		last = int((maddr[m] + msize[m] - 1 - base) / granule)
		if (first < 0 || last >= granules) {
			printf "insn-count: module %s lies outside the counted area\n", mname[m] > "/dev/stderr"
			exit 1
		}
		n = 0
		for (p = first; p <= last; p++)
			n += g[p]
		if (n > 0) {
			printf "%s\"%s\": %.1f", sep, mname[m], n / ios
			sep = ", "
		}
	}
	printf "}, \"functions\": {"
	# Each counted granule to the symbol at or below its address.
	for (p in g) {
		a = base + p * granule
		if (!ns || a < saddr[1])
			continue
		lo = 1
		hi = ns
		while (lo < hi) {
			mid = int((lo + hi + 1) / 2)
			if (saddr[mid] <= a)
				lo = mid
			else
				hi = mid - 1
		}
		if (smod[lo] ~ fmods)
			fn[smod[lo] ":" sname[lo]] += g[p]
	}
	sep = ""
	for (f in fn)
		if (fn[f] >= ios) {
			printf "%s\"%s\": %.1f", sep, f, fn[f] / ios
			sep = ", "
		}
	print "}}"
}
