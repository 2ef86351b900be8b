// SPDX-License-Identifier: GPL-2.0
/*
 * insn-count: a QEMU TCG plugin that counts the guest's instructions, for
 * `BENCH_INSN=1 make bench`. Under TCG the guest's CPU time follows QEMU's
 * device and clock emulation more than the guest's own work; the number of
 * instructions the guest executes per I/O does not, so it can tell two
 * transports' costs apart where seconds cannot.
 *
 * Counted per vCPU, at the start of each translation block (its whole
 * length, also when an interrupt or fault leaves it early): user space,
 * kernel (any address with the top bit set), and inside the kernel the
 * module area by granule (4 KiB unless told), so that the guest can sum
 * its modules from /proc/modules, or with a fine granule its functions from
 * /proc/kallsyms. The counters live in a file mapped shared, which the
 * guest reads through its 9p share (with O_DIRECT, past its page cache):
 *
 *   u64 magic "DDAINSN1", u64 vCPUs, u64 module area base, u64 granules,
 *   u64 granule shift, then per vCPU: u64 user, u64 kernel,
 *   u64 granule[granules];
 *
 * all little-endian (the host's order; x86-64 and arm64 hosts alike). The
 * values are stored whole but read by QEMU's 9p server while the vCPUs
 * run, so a read can in principle catch one half-written.
 *
 * Arguments: out=PATH (required), modules=ADDRESS (module area base,
 * default 0xffffffffa0000000: x86-64's MODULES_VADDR without
 * CONFIG_RANDOMIZE_BASE, as the test kernels are built), size=BYTES (of
 * the area counted, default 64 MiB), shift=N (granule 2^N bytes, 4-12,
 * default 12). A block is counted in the granule it starts in.
 *
 * QEMU's plugin API, version 1 (QEMU 7.2, Debian 12), is declared here:
 * Debian ships no qemu-plugin.h. Only the calls below are used.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_info;

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
	void (*cb)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb));
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb,
	void (*cb)(unsigned int vcpu, void *data), int flags, void *data);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
int qemu_plugin_n_max_vcpus(void);

/* enum qemu_plugin_cb_flags: the callback reads no registers. */
#define CB_NO_REGS 0

EXPORT int qemu_plugin_version = 1;

#define MAGIC 0x314e534e49414444ULL	/* "DDAINSN1" */
#define HEADER 5			/* u64 words before the first vCPU */
#define USER 0				/* slots within a vCPU's block */
#define KERNEL 1
#define GRANULE0 2

static uint64_t *counts;
static uint64_t mod_base;
static uint64_t mod_size = 64 << 20;
static uint64_t shift = 12;
static unsigned int nr_vcpus;
static size_t stride;			/* u64 words per vCPU */

/*
 * One call per executed block. @data holds the slot (bits 16 up) and the
 * block's instruction count (bits 0-15; TCG makes at most 512).
 */
static void tb_exec(unsigned int vcpu, void *data)
{
	uintptr_t v = (uintptr_t)data;
	uint64_t *c;
	uint64_t n = v & 0xffff;
	size_t slot = v >> 16;

	if (vcpu >= nr_vcpus)
		return;
	c = counts + HEADER + vcpu * stride;
	c[slot] += n;
	if (slot >= GRANULE0)
		c[KERNEL] += n;
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	uint64_t va = qemu_plugin_tb_vaddr(tb);
	size_t n = qemu_plugin_tb_n_insns(tb);
	size_t slot = USER;

	(void)id;
	if (va >> 63) {
		slot = KERNEL;
		if (va >= mod_base && va - mod_base < mod_size)
			slot = GRANULE0 + ((va - mod_base) >> shift);
	}
	if (n > 0xffff)
		n = 0xffff;
	qemu_plugin_register_vcpu_tb_exec_cb(tb, tb_exec, CB_NO_REGS,
					     (void *)(uintptr_t)(slot << 16 | n));
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || !*s || *end ? -1 : 0;
}

EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
			       const struct qemu_info *info,
			       int argc, char **argv)
{
	const char *file = NULL;
	uint64_t granules;
	size_t bytes;
	int fd, i;

	(void)info;
	mod_base = 0xffffffffa0000000ULL;
	for (i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "out=", 4)) {
			file = argv[i] + 4;
		} else if (!strncmp(argv[i], "modules=", 8)) {
			if (parse_u64(argv[i] + 8, &mod_base))
				goto bad;
		} else if (!strncmp(argv[i], "size=", 5)) {
			if (parse_u64(argv[i] + 5, &mod_size) || !mod_size ||
			    mod_size > 1ULL << 32)
				goto bad;
		} else if (!strncmp(argv[i], "shift=", 6)) {
			if (parse_u64(argv[i] + 6, &shift) || shift < 4 || shift > 12)
				goto bad;
		} else {
			goto bad;
		}
	}
	if (!file) {
		fprintf(stderr, "insn-count: Error: no out=PATH\n");
		return -1;
	}
	i = qemu_plugin_n_max_vcpus();
	nr_vcpus = i > 0 ? (unsigned int)i : 1;
	granules = (mod_size + (1ULL << shift) - 1) >> shift;
	if (granules > 1 << 24) {
		fprintf(stderr, "insn-count: Error: size >> shift: more than 2^24 granules\n");
		return -1;
	}
	stride = GRANULE0 + granules;
	bytes = (HEADER + nr_vcpus * stride) * sizeof(uint64_t);

	fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, bytes)) {
		fprintf(stderr, "insn-count: Error: %s: %s\n", file, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	counts = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (counts == MAP_FAILED) {
		fprintf(stderr, "insn-count: Error: mmap %s: %s\n", file, strerror(errno));
		return -1;
	}
	counts[1] = nr_vcpus;
	counts[2] = mod_base;
	counts[3] = granules;
	counts[4] = shift;
	__atomic_store_n(&counts[0], MAGIC, __ATOMIC_RELEASE);
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	return 0;
bad:
	fprintf(stderr, "insn-count: Error: argument '%s' (out=PATH, modules=ADDRESS, size=BYTES, shift=N)\n",
		argv[i]);
	return -1;
}
