/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel version differences, all in one place. Force-included into every
 * object of nvmet-dda.ko (see Kbuild), so no other file tests
 * LINUX_VERSION_CODE. Tested on 6.1 LTS; written to build on 5.15 to 6.12.
 */
#ifndef _NVMET_DDA_COMPAT_H
#define _NVMET_DDA_COMPAT_H

#include <linux/version.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 15, 0)
#error "nvmet-dda requires Linux 5.15 or newer"
#endif

/*
 * genetlink: struct genl_family::resv_start_op (v6.0) makes the core reject
 * attributes on ops without a policy and reserved header bits. Older kernels
 * validate per-op policies only, so ops there carry an explicit empty policy.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 0, 0)
#define COMPAT_GENL_RESV_START_OP(op)	.resv_start_op = (op),
#else
#define COMPAT_GENL_RESV_START_OP(op)
#endif

/* GENL_REQ_ATTR_CHECK() arrived in v6.0. */
#ifndef GENL_REQ_ATTR_CHECK
#define GENL_REQ_ATTR_CHECK(info, attr) ({				\
	struct genl_info *__info = (info);				\
	bool __missing = !__info->attrs[(attr)];			\
	if (__missing)							\
		NL_SET_ERR_MSG_ATTR(__info->extack, NULL,		\
				    "missing required attribute");	\
	__missing;							\
})
#endif

/* get_unaligned_le24() and friends: <asm/unaligned.h> became
 * <linux/unaligned.h> in v6.12.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

#endif /* _NVMET_DDA_COMPAT_H */
