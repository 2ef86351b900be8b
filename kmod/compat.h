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

/* GENL_REQ_ATTR_CHECK() arrived around v6.1. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#include <net/genetlink.h>
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
#endif

/* get_unaligned_le24() and friends: <asm/unaligned.h> became
 * <linux/unaligned.h> in v6.12.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/*
 * The p2pmem pool of a PCI function, for its size and free bytes: the core
 * exports neither, and struct pci_p2pdma is private to drivers/pci/p2pdma.c.
 * Its first member has been the gen_pool since the struct appeared (v4.20)
 * through v6.12, so only that member is mirrored here. Caller holds
 * rcu_read_lock().
 */
#include <linux/genalloc.h>
#include <linux/pci.h>

#ifdef CONFIG_PCI_P2PDMA

struct compat_pci_p2pdma_head {
	struct gen_pool *pool;
};

static inline struct gen_pool *compat_p2pmem_pool(struct pci_dev *pdev)
{
	struct compat_pci_p2pdma_head *p2p = (void *)rcu_dereference(pdev->p2pdma);

	return p2p ? p2p->pool : NULL;
}
#else
static inline struct gen_pool *compat_p2pmem_pool(struct pci_dev *pdev)
{
	return NULL;
}
#endif

/* driver_set_override() (v5.19) replaced open-coded driver_override. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 19, 0)
static inline int compat_pci_set_override(struct pci_dev *pdev, const char *s)
{
	return driver_set_override(&pdev->dev, &pdev->driver_override, s,
				   strlen(s));
}
#else
static inline int compat_pci_set_override(struct pci_dev *pdev, const char *s)
{
	char *new = NULL, *old;

	if (*s) {
		new = kstrdup(s, GFP_KERNEL);
		if (!new)
			return -ENOMEM;
	}
	device_lock(&pdev->dev);
	old = pdev->driver_override;
	pdev->driver_override = new;
	device_unlock(&pdev->dev);
	kfree(old);
	return 0;
}
#endif

#endif /* _NVMET_DDA_COMPAT_H */
