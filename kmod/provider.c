// SPDX-License-Identifier: GPL-2.0
/*
 * nvmet-dda BAR providers: a PCI driver, "nvmet_dda_bar", that binds only
 * through driver_override and publishes one BAR region of its function as
 * p2pmem. PROVIDER_ADD records the region wanted, sets the override and
 * attaches the driver; probe publishes what was recorded. PROVIDER_DEL (or
 * an unbind, or the function's removal) takes the provider off the list,
 * waits for its outstanding buffers, and the devres of the probe unmaps the
 * region when the driver detaches.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/pci-p2pdma.h>
#include <linux/slab.h>
#include <net/genetlink.h>

#include "p2p.h"

#define DDA_BAR_DRV_NAME	"nvmet_dda_bar"

/* What PROVIDER_ADD asked for, for the probe it triggers. */
struct dda_bar_req {
	struct pci_dev *pdev;
	int bar;
	u64 offset;
	u64 size;
	struct netlink_ext_ack *ext;
};

/* Serialises PROVIDER_ADD/DEL; probe reads the pending request under it. */
static DEFINE_MUTEX(dda_bar_lock);
static struct dda_bar_req *dda_bar_pending;

struct dda_bar_priv {
	struct dda_provider *prov;
};

static int dda_bar_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct dda_bar_req *rq = dda_bar_pending;
	struct dda_bar_priv *priv;
	int ret;

	/* Only PROVIDER_ADD binds us; a stray override or sysfs bind doesn't. */
	if (!rq || rq->pdev != pdev)
		return -ENODEV;

	priv = devm_kzalloc(&pdev->dev, sizeof(*priv), GFP_KERNEL);
	if (!priv)
		return -ENOMEM;

	ret = pcim_enable_device(pdev);
	if (ret) {
		NL_SET_ERR_MSG(rq->ext, "cannot enable the PCI function");
		return ret;
	}
	ret = pci_p2pdma_add_resource(pdev, rq->bar, rq->size, rq->offset);
	if (ret) {
		NL_SET_ERR_MSG(rq->ext,
			       "the kernel refused to map the region as P2P memory (see dmesg)");
		return ret;
	}
	pci_p2pmem_publish(pdev, true);

	mutex_lock(&dda_p2p_lock);
	priv->prov = dda_provider_register(pdev, NVMET_DDA_PROVIDER_BAR);
	if (priv->prov) {
		priv->prov->bar = rq->bar;
		priv->prov->offset = rq->offset;
		priv->prov->size = rq->size;
	}
	mutex_unlock(&dda_p2p_lock);
	if (!priv->prov) {
		pci_p2pmem_publish(pdev, false);
		return -ENOMEM;
	}
	pci_set_drvdata(pdev, priv);
	pci_info(pdev, "BAR %d [%#llx+%#llx] published as P2P memory\n",
		 rq->bar, rq->offset, rq->size);
	return 0;
}

static void dda_bar_remove(struct pci_dev *pdev)
{
	struct dda_bar_priv *priv = pci_get_drvdata(pdev);
	struct dda_provider *prov = priv->prov;

	pci_p2pmem_publish(pdev, false);
	mutex_lock(&dda_p2p_lock);
	dda_provider_unlist(prov);
	mutex_unlock(&dda_p2p_lock);
	if (dda_counter(&prov->st, NVMET_DDA_STAT_OUTSTANDING_BYTES))
		pci_info(pdev, "waiting for outstanding P2P buffers\n");
	dda_provider_drain_put(prov);
	pci_info(pdev, "P2P memory unpublished\n");
}

static struct pci_driver dda_bar_driver = {
	.name = DDA_BAR_DRV_NAME,
	.id_table = NULL,	/* driver_override only */
	.probe = dda_bar_probe,
	.remove = dda_bar_remove,
};

/* The largest memory BAR of @pdev, or -1. */
static int dda_bar_largest(struct pci_dev *pdev)
{
	resource_size_t best = 0;
	int bar, found = -1;

	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
		if (!(pci_resource_flags(pdev, bar) & IORESOURCE_MEM))
			continue;
		if (pci_resource_len(pdev, bar) > best) {
			best = pci_resource_len(pdev, bar);
			found = bar;
		}
	}
	return found;
}

static struct pci_dev *dda_pci_get(const char *name)
{
	unsigned int dom, bus, dev, fn;

	if (sscanf(name, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) != 4)
		return NULL;
	return pci_get_domain_bus_and_slot(dom, bus, PCI_DEVFN(dev, fn));
}

/**
 * dda_bar_add() - PROVIDER_ADD: publish a BAR region of a PCI function.
 * @name: normalised PCI address.
 * @bar: BAR number, or -1 for the largest memory BAR.
 * @offset: region offset in the BAR.
 * @size: region size, 0 for the rest of the BAR.
 * @ext: error message.
 *
 * Return: 0 or a negative errno.
 */
int dda_bar_add(const char *name, int bar, u64 offset, u64 size,
		struct netlink_ext_ack *ext)
{
	struct dda_bar_req rq = { .ext = ext };
	struct pci_dev *pdev;
	u64 len;
	int ret;

	if (!IS_ENABLED(CONFIG_PCI_P2PDMA)) {
		NL_SET_ERR_MSG(ext,
			       "this kernel has no CONFIG_PCI_P2PDMA; P2P providers cannot work");
		return -EOPNOTSUPP;
	}
	pdev = dda_pci_get(name);
	if (!pdev) {
		NL_SET_ERR_MSG(ext, "no such PCI function");
		return -ENODEV;
	}
	if (bar < 0)
		bar = dda_bar_largest(pdev);
	if (bar < 0 || bar >= PCI_STD_NUM_BARS ||
	    !(pci_resource_flags(pdev, bar) & IORESOURCE_MEM) ||
	    !pci_resource_len(pdev, bar)) {
		NL_SET_ERR_MSG(ext, "the function has no such memory BAR");
		ret = -EINVAL;
		goto out_put;
	}
	len = pci_resource_len(pdev, bar);
	if (!size && offset < len)
		size = len - offset;
	if (!IS_ALIGNED(offset, NVMET_DDA_PROVIDER_ALIGN) ||
	    !IS_ALIGNED(size, NVMET_DDA_PROVIDER_ALIGN)) {
		NL_SET_ERR_MSG(ext, "offset and size must be multiples of 2 MiB");
		ret = -EINVAL;
		goto out_put;
	}
	if (!size || offset >= len || size > len - offset) {
		NL_SET_ERR_MSG(ext, "the region does not fit in the BAR");
		ret = -EINVAL;
		goto out_put;
	}

	mutex_lock(&dda_bar_lock);
	device_lock(&pdev->dev);
	if (pdev->dev.driver) {
		ret = pdev->dev.driver == &dda_bar_driver.driver ? -EEXIST :
		      -EBUSY;
		device_unlock(&pdev->dev);
		if (ret == -EEXIST)
			NL_SET_ERR_MSG(ext, "the function is already a provider");
		else
			NL_SET_ERR_MSG(ext,
				       "the function is bound to another driver; unbind it first");
		goto out_unlock;
	}
	device_unlock(&pdev->dev);

	ret = compat_pci_set_override(pdev, DDA_BAR_DRV_NAME);
	if (ret)
		goto out_unlock;
	rq.pdev = pdev;
	rq.bar = bar;
	rq.offset = offset;
	rq.size = size;
	dda_bar_pending = &rq;
	ret = device_driver_attach(&dda_bar_driver.driver, &pdev->dev);
	dda_bar_pending = NULL;
	if (ret) {
		compat_pci_set_override(pdev, "");
		if (ret == -ENODEV || ret == -ENXIO)
			ret = -EINVAL;
		if (ext && !ext->_msg)
			NL_SET_ERR_MSG(ext, "binding nvmet_dda_bar failed (see dmesg)");
	}
out_unlock:
	mutex_unlock(&dda_bar_lock);
out_put:
	pci_dev_put(pdev);
	return ret;
}

/**
 * dda_bar_del() - PROVIDER_DEL: unpublish a BAR provider.
 * @name: normalised PCI address.
 * @ext: error message.
 *
 * Return: 0, -ENODEV (no such provider), -EOPNOTSUPP (not ours), -EBUSY
 * (buffers outstanding).
 */
int dda_bar_del(const char *name, struct netlink_ext_ack *ext)
{
	struct dda_provider *prov;
	struct pci_dev *pdev;
	int ret = 0;

	prov = dda_provider_find(name);
	if (!prov) {
		NL_SET_ERR_MSG(ext, "no such provider");
		return -ENODEV;
	}
	if (prov->kind != NVMET_DDA_PROVIDER_BAR) {
		NL_SET_ERR_MSG(ext,
			       "the provider belongs to its own driver; only BAR providers added by nvmet-dda can be deleted");
		dda_provider_put(prov);
		return -EOPNOTSUPP;
	}
	pdev = pci_dev_get(prov->pdev);

	mutex_lock(&dda_bar_lock);
	if (dda_counter(&prov->st, NVMET_DDA_STAT_OUTSTANDING_BYTES)) {
		NL_SET_ERR_MSG(ext,
			       "P2P buffers of the provider are in use by I/O; stop the I/O or set the offload policy off first");
		ret = -EBUSY;
		goto out;
	}
	dda_provider_put(prov);
	prov = NULL;
	device_release_driver(&pdev->dev);
	compat_pci_set_override(pdev, "");
out:
	mutex_unlock(&dda_bar_lock);
	if (prov)
		dda_provider_put(prov);
	pci_dev_put(pdev);
	return ret;
}

int dda_bar_init(void)
{
	return pci_register_driver(&dda_bar_driver);
}

void dda_bar_exit(void)
{
	pci_unregister_driver(&dda_bar_driver);
}
