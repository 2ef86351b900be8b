/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * nvmet-dda: direct device access for the Linux NVMe-oF target.
 *
 * Generic netlink ABI between the nvmet-dda kernel module and userspace
 * (ddactl). This header is the single source of truth for both sides.
 *
 * Family:  NVMET_DDA_GENL_NAME ("nvmet_dda"), version NVMET_DDA_GENL_VERSION.
 * The family is registered when nvmet-dda.ko loads; the kernel can load the
 * module on demand when userspace resolves the family name.
 *
 * Conventions
 * -----------
 * - Attribute numbering starts at 1; 0 is always UNSPEC and never sent.
 * - Every operation has a strict policy: unknown attributes, wrong lengths and
 *   strings without their NUL terminator are rejected with an extended ACK
 *   message (NETLINK_EXT_ACK) naming the offending attribute.
 * - Integers are at least 32 bits wide; booleans are NLA_U8 holding 0 or 1.
 * - Flag words carry an _ALL mask; a request setting a bit outside it is
 *   rejected.
 * - Mutating commands (ADD, SET, DEL) require CAP_NET_ADMIN in the initial
 *   user namespace (the module's state is global, not per network
 *   namespace); GET commands are unprivileged.
 * - GET commands with NLM_F_DUMP answer one message per object; filter
 *   attributes in the request narrow the dump.
 * - Counters are NLA_U64 (padded with NVMET_DDA_A_PAD, inside
 *   NVMET_DDA_A_STATS with NVMET_DDA_STAT_PAD) and only grow while the module
 *   is loaded.
 *
 * Commands
 * --------
 * NVMET_DDA_CMD_INFO_GET (do, unprivileged)
 *   Request: no attributes.
 *   Reply:   NVMET_DDA_CMD_INFO_GET with
 *     NVMET_DDA_A_INFO_VERSION          NLA_NUL_STRING  module version, e.g. "0.1.0"
 *     NVMET_DDA_A_INFO_KERNEL_RELEASE   NLA_NUL_STRING  kernel release the module
 *                                                       was built for (UTS_RELEASE)
 *     NVMET_DDA_A_INFO_P2PDMA           NLA_U8          1 when the kernel was built
 *                                                       with CONFIG_PCI_P2PDMA,
 *                                                       0 otherwise (host-memory
 *                                                       mode only)
 *     NVMET_DDA_A_INFO_CAPS             NLA_U32         enum nvmet_dda_caps bits:
 *                                                       P2PDMA (as above),
 *                                                       SELFTEST (KUnit suites
 *                                                       built in: only for
 *                                                       kernels with KUnit
 *                                                       built in), RDMA (our
 *                                                       RDMA transport is
 *                                                       registered with nvmet
 *                                                       as trtype "rdma")
 *     NVMET_DDA_A_INFO_GENL_VERSION     NLA_U32         NVMET_DDA_GENL_VERSION the
 *                                                       module implements
 *
 * Providers
 * ---------
 * A provider is a PCI function whose memory is published as PCI P2P memory
 * (p2pmem): an NVMe SSD's controller memory buffer published by nvme-pci
 * (kind CMB, or PUBLISHED for any other driver's), or a BAR region that
 * nvmet-dda publishes itself after binding its PCI driver "nvmet_dda_bar"
 * to the function (kind BAR). Providers are named by their PCI address,
 * "DDDD:BB:DD.F".
 *
 * NVMET_DDA_CMD_PROVIDER_GET (do or dump, unprivileged)
 *   Request (do): NVMET_DDA_A_PROVIDER; dump: no attributes.
 *   The module follows PCI driver events; a requester with CAP_NET_ADMIN
 *   has the PCI bus scanned for published p2pmem first, others get the
 *   list as it is (and a scan within a second).
 *   Reply, per provider:
 *     NVMET_DDA_A_PROVIDER          NLA_NUL_STRING  PCI address
 *     NVMET_DDA_A_PROVIDER_KIND     NLA_U32         enum nvmet_dda_provider_kind
 *     NVMET_DDA_A_PROVIDER_BAR      NLA_U32         BAR number (kind BAR only)
 *     NVMET_DDA_A_PROVIDER_OFFSET   NLA_U64         offset into the BAR (BAR only)
 *     NVMET_DDA_A_PROVIDER_SIZE     NLA_U64         bytes in the p2pmem pool
 *     NVMET_DDA_A_PROVIDER_AVAILABLE NLA_U64        bytes free in the pool now
 *       (AVAILABLE, and SIZE but for BAR providers, whose pool is the
 *       region they published, are absent when the module cannot read the
 *       kernel's pool: it reads a structure private to the PCI core, checks
 *       its layout when built and when first used, and logs why it stopped)
 *     NVMET_DDA_A_PROVIDER_DRIVER   NLA_NUL_STRING  driver that published it
 *       (as it was when the provider was listed)
 *     NVMET_DDA_A_STATS             NLA_NESTED      enum nvmet_dda_stat counters
 *       of the I/O nvmet-dda placed in this provider: P2P_IOS, P2P_BYTES,
 *       OUTSTANDING_BYTES, OUTSTANDING_HWM (highest OUTSTANDING_BYTES seen),
 *       ALLOC_FAILED (allocations the pool could not satisfy)
 *
 * NVMET_DDA_CMD_PROVIDER_ADD (do, CAP_NET_ADMIN)
 *   Publish a BAR region: binds "nvmet_dda_bar" to the function through
 *   driver_override. The function must not be bound to another driver.
 *     NVMET_DDA_A_PROVIDER          required  PCI address
 *     NVMET_DDA_A_PROVIDER_BAR      optional  a prefetchable memory BAR
 *                                             (default: the largest one)
 *     NVMET_DDA_A_PROVIDER_OFFSET   optional  default 0
 *     NVMET_DDA_A_PROVIDER_SIZE     optional  default: the rest of the BAR
 *   Offset and size are multiples of NVMET_DDA_PROVIDER_ALIGN (the memory
 *   hotplug granule) and the region lies inside the BAR.
 *
 * NVMET_DDA_CMD_PROVIDER_DEL (do, CAP_NET_ADMIN)
 *     NVMET_DDA_A_PROVIDER          required
 *   Unpublishes a BAR provider, unbinds the driver and clears the function's
 *   driver_override. Fails at once with EBUSY while nvmet-dda buffers from
 *   it are outstanding (it never waits for I/O); CMB providers belong to
 *   their driver (EOPNOTSUPP).
 *
 * Offload policy
 * --------------
 * A rule applies to one namespace (NVMET_DDA_A_SUBSYS + NVMET_DDA_A_NSID) or
 * is the default of one nvmet port (NVMET_DDA_A_PORT, the port's configfs
 * number). Per I/O command the namespace rule wins, then the rule of the port
 * the command arrived on, then the built-in default (mode OFF).
 *
 * NVMET_DDA_CMD_POLICY_GET (do or dump, unprivileged)
 *   Request (do): the rule's target; dump: NVMET_DDA_A_SUBSYS narrows to one
 *   subsystem. Reply per rule: its target and
 *     NVMET_DDA_A_POLICY_MODE       NLA_U32   enum nvmet_dda_mode
 *     NVMET_DDA_A_POLICY_PROVIDER   NLA_NUL_STRING "auto", "cmb" or a PCI
 *                                             address
 *     NVMET_DDA_A_POLICY_MIN_IO     NLA_U32   bytes; smaller I/O stays in host
 *                                             memory (fallback TOO_SMALL)
 *     NVMET_DDA_A_POLICY_MAX_BYTES  NLA_U64   quota of outstanding P2P bytes of
 *                                             the namespace, 0: no quota
 *
 * NVMET_DDA_CMD_POLICY_SET (do, CAP_NET_ADMIN)
 *   The target, plus any of MODE, PROVIDER, MIN_IO, MAX_BYTES; a new rule
 *   starts from mode OFF, provider "auto", MIN_IO 0, MAX_BYTES 0 and an
 *   existing one keeps what the request leaves out. For a namespace served
 *   through nvmet-dda at the time, the backing device must be able to do
 *   P2PDMA and a named provider must exist (ENODEV otherwise) and be
 *   reachable from it (EINVAL otherwise), each with an extack message;
 *   other namespaces are checked per I/O.
 *
 * NVMET_DDA_CMD_POLICY_DEL (do, CAP_NET_ADMIN)
 *   The target. ENOENT when there is no such rule.
 *
 * Statistics
 * ----------
 * NVMET_DDA_CMD_STATS_GET (do or dump, unprivileged)
 *   Request (do): NVMET_DDA_A_SUBSYS + NVMET_DDA_A_NSID; dump: optionally
 *   NVMET_DDA_A_SUBSYS. One message per namespace that has a rule, or that
 *   nvmet-dda serves or served lately (the counters of a namespace without
 *   a rule go once no controller of nvmet-dda serves it and no command used
 *   it for the module parameter nsrec_idle_secs, 60 by default):
 *   NVMET_DDA_A_SUBSYS, NVMET_DDA_A_NSID, and
 *     NVMET_DDA_A_STATS  NLA_NESTED  enum nvmet_dda_stat: P2P_IOS, P2P_BYTES,
 *       HOST_IOS, HOST_BYTES (data commands and their bytes, by where the
 *       buffer was), FB_* (host-memory I/O by reason), REQUIRE_FAILED
 *       (commands failed under mode REQUIRE), OUTSTANDING_BYTES,
 *       OUTSTANDING_HWM, FB_INLINE (writes whose data came inside the
 *       command capsule, up to the port's inline_data_size: it lands in
 *       the receive buffers in host memory whatever the mode; a port with
 *       inline_data_size 0 keeps all data out of target DRAM)
 *   Only commands that move data are counted, each once, when their buffer
 *   is ready: a P2P buffer the RDMA device cannot map is replaced by host
 *   memory, counted as FB_UNREACHABLE, or under REQUIRE fails the command.
 *
 * Events
 * ------
 * Multicast group NVMET_DDA_MCGRP_EVENTS ("events"):
 *   NVMET_DDA_CMD_EVENT_POOL_DRY  a provider's pool could not satisfy an
 *     allocation: NVMET_DDA_A_PROVIDER, NVMET_DDA_A_SUBSYS, NVMET_DDA_A_NSID,
 *     NVMET_DDA_A_PROVIDER_AVAILABLE (absent as in PROVIDER_GET),
 *     NVMET_DDA_A_IO_BYTES (the request).
 *     At most one per provider per second.
 *
 * Attribute tree
 * --------------
 * INFO_GET reply
 *   NVMET_DDA_A_INFO_VERSION
 *   NVMET_DDA_A_INFO_KERNEL_RELEASE
 *   NVMET_DDA_A_INFO_P2PDMA
 *   NVMET_DDA_A_INFO_CAPS
 *   NVMET_DDA_A_INFO_GENL_VERSION
 * every other command (enum nvmet_dda_attr)
 *   NVMET_DDA_A_PROVIDER, _PROVIDER_*, NVMET_DDA_A_SUBSYS, NVMET_DDA_A_NSID,
 *   NVMET_DDA_A_PORT, NVMET_DDA_A_POLICY_*, NVMET_DDA_A_IO_BYTES
 *   NVMET_DDA_A_STATS
 *     enum nvmet_dda_stat counters (NLA_U64)
 *
 * Errors
 * ------
 * EINVAL (with extack) bad or missing attributes; ENODEV no such PCI function
 * or provider; ENOENT no such rule or namespace statistics; EBUSY provider
 * in use or function bound to another driver; EPERM missing CAP_NET_ADMIN;
 * EOPNOTSUPP P2P operations on a kernel without CONFIG_PCI_P2PDMA; EINTR
 * PROVIDER_ADD/DEL interrupted while waiting for another one or for the
 * PCI function.
 */
#ifndef _UAPI_LINUX_NVMET_DDA_H
#define _UAPI_LINUX_NVMET_DDA_H

#define NVMET_DDA_GENL_NAME	"nvmet_dda"
#define NVMET_DDA_GENL_VERSION	1

/*
 * Longest string attribute the module sends, terminator included, except
 * NVMET_DDA_A_SUBSYS (NVMET_DDA_NQN_MAX).
 */
#define NVMET_DDA_STR_MAX	65

enum nvmet_dda_cmd {
	NVMET_DDA_CMD_UNSPEC,
	NVMET_DDA_CMD_INFO_GET,
	NVMET_DDA_CMD_PROVIDER_GET,
	NVMET_DDA_CMD_PROVIDER_ADD,
	NVMET_DDA_CMD_PROVIDER_DEL,
	NVMET_DDA_CMD_POLICY_GET,
	NVMET_DDA_CMD_POLICY_SET,
	NVMET_DDA_CMD_POLICY_DEL,
	NVMET_DDA_CMD_STATS_GET,
	NVMET_DDA_CMD_EVENT_POOL_DRY,

	__NVMET_DDA_CMD_MAX
};

#define NVMET_DDA_CMD_MAX (__NVMET_DDA_CMD_MAX - 1)

/**
 * enum nvmet_dda_caps - what this build of the module can do
 * @NVMET_DDA_CAP_P2PDMA: the kernel has CONFIG_PCI_P2PDMA, so fabric buffers
 *	can be placed in PCI peer-to-peer memory.
 * @NVMET_DDA_CAP_SELFTEST: the module carries its KUnit self-test suites
 *	(built only for kernels with KUnit built in: test kernels).
 * @NVMET_DDA_CAP_RDMA: the module's own NVMe-oF RDMA transport is registered
 *	with nvmet as its "rdma" transport type.
 * @NVMET_DDA_CAP_ALL: every bit defined by this header.
 */
enum nvmet_dda_caps {
	NVMET_DDA_CAP_P2PDMA = 1U << 0,
	NVMET_DDA_CAP_SELFTEST = 1U << 1,
	NVMET_DDA_CAP_RDMA = 1U << 2,

	NVMET_DDA_CAP_ALL = NVMET_DDA_CAP_P2PDMA | NVMET_DDA_CAP_SELFTEST |
			    NVMET_DDA_CAP_RDMA
};

enum nvmet_dda_info_attr {
	NVMET_DDA_A_INFO_UNSPEC,
	NVMET_DDA_A_INFO_VERSION,
	NVMET_DDA_A_INFO_KERNEL_RELEASE,
	NVMET_DDA_A_INFO_P2PDMA,
	NVMET_DDA_A_INFO_CAPS,
	NVMET_DDA_A_INFO_GENL_VERSION,

	__NVMET_DDA_A_INFO_MAX
};

#define NVMET_DDA_A_INFO_MAX (__NVMET_DDA_A_INFO_MAX - 1)

#define NVMET_DDA_MCGRP_EVENTS	"events"

/* PROVIDER_ADD offsets and sizes are multiples of this (2 MiB). */
#define NVMET_DDA_PROVIDER_ALIGN	(2ULL << 20)

/* Longest NVMET_DDA_A_SUBSYS, terminator included (NVMF_NQN_SIZE). */
#define NVMET_DDA_NQN_MAX	224

enum nvmet_dda_provider_kind {
	NVMET_DDA_PROVIDER_CMB,		/* NVMe CMB, published by nvme-pci */
	NVMET_DDA_PROVIDER_BAR,		/* a BAR nvmet-dda published */
	NVMET_DDA_PROVIDER_PUBLISHED,	/* p2pmem another driver published */
};

/**
 * enum nvmet_dda_mode - where a namespace's I/O buffers go
 * @NVMET_DDA_MODE_OFF: host memory always (counted as fallback POLICY_OFF).
 * @NVMET_DDA_MODE_PREFER: P2P memory when possible, host memory otherwise.
 * @NVMET_DDA_MODE_REQUIRE: P2P memory or the command fails with NVMe status
 *	NVMET_DDA_REQUIRE_STATUS (I/O below MIN_IO excepted).
 */
enum nvmet_dda_mode {
	NVMET_DDA_MODE_OFF,
	NVMET_DDA_MODE_PREFER,
	NVMET_DDA_MODE_REQUIRE,

	__NVMET_DDA_MODE_MAX
};

#define NVMET_DDA_MODE_MAX (__NVMET_DDA_MODE_MAX - 1)

/*
 * NVMe status of a command refused under mode REQUIRE (no P2P buffer, or
 * one the RDMA device cannot map): Internal Error (0x06) with Do Not
 * Retry, so hosts fail the I/O instead of retrying it.
 */
#define NVMET_DDA_REQUIRE_STATUS	0x4006

enum nvmet_dda_attr {
	NVMET_DDA_A_UNSPEC,
	NVMET_DDA_A_PAD,
	NVMET_DDA_A_PROVIDER,		/* NLA_NUL_STRING, PCI address */
	NVMET_DDA_A_PROVIDER_KIND,	/* NLA_U32 */
	NVMET_DDA_A_PROVIDER_BAR,	/* NLA_U32 */
	NVMET_DDA_A_PROVIDER_OFFSET,	/* NLA_U64 */
	NVMET_DDA_A_PROVIDER_SIZE,	/* NLA_U64 */
	NVMET_DDA_A_PROVIDER_AVAILABLE,	/* NLA_U64 */
	NVMET_DDA_A_PROVIDER_DRIVER,	/* NLA_NUL_STRING */
	NVMET_DDA_A_SUBSYS,		/* NLA_NUL_STRING, subsystem NQN */
	NVMET_DDA_A_NSID,		/* NLA_U32, 1 and up */
	NVMET_DDA_A_PORT,		/* NLA_U32, nvmet port number */
	NVMET_DDA_A_POLICY_MODE,	/* NLA_U32 */
	NVMET_DDA_A_POLICY_PROVIDER,	/* NLA_NUL_STRING */
	NVMET_DDA_A_POLICY_MIN_IO,	/* NLA_U32 */
	NVMET_DDA_A_POLICY_MAX_BYTES,	/* NLA_U64 */
	NVMET_DDA_A_STATS,		/* NLA_NESTED, enum nvmet_dda_stat */
	NVMET_DDA_A_IO_BYTES,		/* NLA_U32 */

	__NVMET_DDA_A_MAX
};

#define NVMET_DDA_A_MAX (__NVMET_DDA_A_MAX - 1)

enum nvmet_dda_stat {
	NVMET_DDA_STAT_UNSPEC,
	NVMET_DDA_STAT_PAD,
	NVMET_DDA_STAT_P2P_IOS,
	NVMET_DDA_STAT_P2P_BYTES,
	NVMET_DDA_STAT_HOST_IOS,
	NVMET_DDA_STAT_HOST_BYTES,
	NVMET_DDA_STAT_FB_EXHAUSTED,	/* the provider's pool was empty */
	NVMET_DDA_STAT_FB_QUOTA,	/* MAX_BYTES would be exceeded */
	NVMET_DDA_STAT_FB_TOO_SMALL,	/* below MIN_IO */
	NVMET_DDA_STAT_FB_UNREACHABLE,	/* no provider usable for the device */
	NVMET_DDA_STAT_FB_POLICY_OFF,	/* mode OFF */
	NVMET_DDA_STAT_REQUIRE_FAILED,
	NVMET_DDA_STAT_OUTSTANDING_BYTES,
	NVMET_DDA_STAT_OUTSTANDING_HWM,
	NVMET_DDA_STAT_ALLOC_FAILED,	/* providers only */
	NVMET_DDA_STAT_FB_INLINE,	/* write data that came in the capsule */

	__NVMET_DDA_STAT_MAX
};

#define NVMET_DDA_STAT_MAX (__NVMET_DDA_STAT_MAX - 1)

#endif /* _UAPI_LINUX_NVMET_DDA_H */
