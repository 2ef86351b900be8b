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
 * - Mutating commands (none yet) require CAP_NET_ADMIN.
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
 *                                                       built in), RDMA (our
 *                                                       RDMA transport is
 *                                                       registered with nvmet
 *                                                       as trtype "rdma")
 *     NVMET_DDA_A_INFO_GENL_VERSION     NLA_U32         NVMET_DDA_GENL_VERSION the
 *                                                       module implements
 *
 * Attribute tree
 * --------------
 * INFO_GET reply
 *   NVMET_DDA_A_INFO_VERSION
 *   NVMET_DDA_A_INFO_KERNEL_RELEASE
 *   NVMET_DDA_A_INFO_P2PDMA
 *   NVMET_DDA_A_INFO_CAPS
 *   NVMET_DDA_A_INFO_GENL_VERSION
 */
#ifndef _UAPI_LINUX_NVMET_DDA_H
#define _UAPI_LINUX_NVMET_DDA_H

#define NVMET_DDA_GENL_NAME	"nvmet_dda"
#define NVMET_DDA_GENL_VERSION	1

/* Longest string attribute the module sends, terminator included. */
#define NVMET_DDA_STR_MAX	65

enum nvmet_dda_cmd {
	NVMET_DDA_CMD_UNSPEC,
	NVMET_DDA_CMD_INFO_GET,

	__NVMET_DDA_CMD_MAX
};

#define NVMET_DDA_CMD_MAX (__NVMET_DDA_CMD_MAX - 1)

/**
 * enum nvmet_dda_caps - what this build of the module can do
 * @NVMET_DDA_CAP_P2PDMA: the kernel has CONFIG_PCI_P2PDMA, so fabric buffers
 *	can be placed in PCI peer-to-peer memory.
 * @NVMET_DDA_CAP_SELFTEST: the module carries its KUnit self-test suites.
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

#endif /* _UAPI_LINUX_NVMET_DDA_H */
