/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API differences, all in one place. Force-included into every object
 * of nvmet-dda.ko (see Kbuild). The differences are found by compiling the
 * probes in kmod/probes/ against the target kernel (scripts/probe-kernel,
 * run by `make module`), not by version numbers: distribution and stable
 * kernels backport API changes. Built and tested on Debian's 6.1 and 6.12,
 * x86-64 and arm64 (README, "Kernels").
 */
#ifndef _NVMET_DDA_COMPAT_H
#define _NVMET_DDA_COMPAT_H

#include <linux/version.h>
#include <nvmet_dda_probes.h>

/* The oldest kernel nvmet-dda is built for; no probe can tell this. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#error "nvmet-dda needs Linux 6.1 or newer (built and tested on 6.1 and 6.12)"
#endif

#ifndef NVMET_DDA_PROBED
#error "nvmet_dda_probes.h is not the header scripts/probe-kernel generates"
#endif

#include <net/genetlink.h>

/*
 * genetlink: struct genl_family::resv_start_op makes the core reject
 * attributes on ops without a policy and reserved header bits. Without it,
 * per-op policies are all there is, and every op here has one.
 */
#ifdef HAVE_GENL_RESV_START_OP
#define COMPAT_GENL_RESV_START_OP(op)	.resv_start_op = (op),
#else
#define COMPAT_GENL_RESV_START_OP(op)
#endif

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

/* The parsed attributes of a dump request, NULL when it had none. */
static inline struct nlattr **compat_genl_dump_attrs(struct netlink_callback *cb)
{
#ifdef HAVE_GENL_DUMPIT_INFO_INFO
	return genl_dumpit_info(cb)->info.attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

#ifdef HAVE_LINUX_UNALIGNED_H
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/*
 * The p2pmem pool of a PCI function, for its size and free bytes: the core
 * exports neither, and struct pci_p2pdma is private to drivers/pci/p2pdma.c.
 * HAVE_PCI_P2PDMA_POOL_FIRST says the probe found, in this kernel's
 * p2pdma.c, that the struct begins with the gen_pool pointer; p2p.c checks
 * the first pool it reads this way (dda_pool_sane()) before it reports any.
 * Caller holds rcu_read_lock().
 */
#include <linux/genalloc.h>
#include <linux/pci.h>

#if IS_ENABLED(CONFIG_PCI_P2PDMA) && defined(HAVE_PCI_P2PDMA_POOL_FIRST)
#define COMPAT_HAVE_P2PMEM_POOL 1

static inline struct gen_pool *compat_p2pmem_pool(struct pci_dev *pdev)
{
	struct gen_pool **p2p = (void *)rcu_dereference(pdev->p2pdma);

	return p2p ? *p2p : NULL;
}
#else
#define COMPAT_HAVE_P2PMEM_POOL 0

static inline struct gen_pool *compat_p2pmem_pool(struct pci_dev *pdev)
{
	return NULL;
}
#endif

/*
 * Whether the DMA layer of an RDMA device (struct ib_device *) maps PCI
 * P2PDMA pages. Where the kernel cannot tell, the answer is no: P2P memory
 * then stays off for RDMA devices that do DMA themselves. A macro, so that
 * this header does not pull in the RDMA headers.
 */
#ifdef HAVE_IB_DMA_PCI_P2P_DMA_SUPPORTED
#define compat_ib_dma_p2p_supported(ibdev) ib_dma_pci_p2p_dma_supported(ibdev)
#else
#define compat_ib_dma_p2p_supported(ibdev) ((void)(ibdev), false)
#endif

/* Set (@s a driver name) or clear (@s "") the driver override of @pdev. */
static inline int compat_pci_set_override(struct pci_dev *pdev, const char *s)
{
#if defined(HAVE_DEVICE_SET_DRIVER_OVERRIDE)
	return device_set_driver_override(&pdev->dev, s);
#elif defined(HAVE_DRIVER_SET_OVERRIDE)
	return driver_set_override(&pdev->dev, &pdev->driver_override, s,
				   strlen(s));
#else
#error "no driver_set_override() or device_set_driver_override() in this kernel"
#endif
}

/*
 * Clear the driver override of @pdev, whose device lock the caller holds.
 * The kernel's setter takes its own lock where it has one (the
 * device_set_driver_override() kernels); 6.1's driver_set_override() takes
 * the device lock, so here the field is cleared as it does it, under that
 * lock.
 */
static inline void compat_pci_clear_override_locked(struct pci_dev *pdev)
{
	device_lock_assert(&pdev->dev);
#if defined(HAVE_DEVICE_SET_DRIVER_OVERRIDE)
	device_set_driver_override(&pdev->dev, "");
#else
	const char *old = pdev->driver_override;

	pdev->driver_override = NULL;
	kfree(old);
#endif
}

#endif /* _NVMET_DDA_COMPAT_H */
