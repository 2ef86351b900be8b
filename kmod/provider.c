// SPDX-License-Identifier: GPL-2.0
/*
 * nvmet-dda BAR providers: a PCI driver, "nvmet_dda_bar", that binds only
 * through driver_override and publishes one BAR region of its function as
 * p2pmem. PROVIDER_ADD records the region wanted, sets the override and
 * attaches the driver; probe publishes what was recorded. Only prefetchable
 * memory BARs are accepted: they are memory without read side effects, the
 * kind PCI bridges forward for P2P; other BARs are usually registers.
 *
 * PROVIDER_DEL stops new buffers for a moment and looks whether any is out:
 * if so it answers "in use" at once, else it unbinds the driver. Any unbind
 * (PROVIDER_DEL, sysfs, the function's removal, module unload) takes the
 * provider off the list without waiting; the devres of the probe then
 * unmaps the region, and the kernel's P2P teardown waits there for pages
 * still in use. The driver_override nvmet-dda set is cleared once the
 * driver is gone (from a work item: remove() runs under the device lock,
 * which 6.1's override setter takes).
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/pci-p2pdma.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
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

/* A function whose driver_override is to be cleared (dda_bar_unset_work). */
struct dda_bar_unset {
	struct list_head entry;
	struct pci_dev *pdev;
};

/*
 * @unset is allocated at probe, so that remove never fails to hand the
 * function over; remove takes it, and it outlives the binding.
 */
struct dda_bar_priv {
	struct dda_provider *prov;
	struct dda_bar_unset *unset;
};

static LIST_HEAD(dda_bar_unsets);
static DEFINE_SPINLOCK(dda_bar_unsets_lock);

static void dda_bar_unset_work(struct work_struct *work)
{
	struct dda_bar_unset *u, *tmp;
	LIST_HEAD(todo);

	spin_lock(&dda_bar_unsets_lock);
	list_splice_init(&dda_bar_unsets, &todo);
	spin_unlock(&dda_bar_unsets_lock);

	/*
	 * remove() queued us while the driver core still holds the
	 * function's lock, with dev->driver set until the unbind ends (it
	 * may wait there for P2P pages in use): wait for it, outside
	 * dda_bar_lock so that netlink users are not held up meanwhile.
	 */
	list_for_each_entry(u, &todo, entry) {
		device_lock(&u->pdev->dev);
		device_unlock(&u->pdev->dev);
	}

	/*
	 * Not between PROVIDER_ADD's override and its bind: a function
	 * bound again since is left alone (its next unbind queues it anew).
	 * Only nvmet_dda_bar matches the override, and its probe runs under
	 * dda_bar_lock, so nothing binds between this check and the clear.
	 */
	mutex_lock(&dda_bar_lock);
	list_for_each_entry_safe(u, tmp, &todo, entry) {
		if (!READ_ONCE(u->pdev->dev.driver))
			compat_pci_set_override(u->pdev, "");
		pci_dev_put(u->pdev);
		kfree(u);
	}
	mutex_unlock(&dda_bar_lock);
}

static DECLARE_WORK(dda_bar_unset_wk, dda_bar_unset_work);

/* devres: the node, unless remove took it. */
static void dda_bar_unset_free(void *data)
{
	struct dda_bar_priv *priv = data;

	kfree(priv->unset);
}

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
	priv->unset = kzalloc(sizeof(*priv->unset), GFP_KERNEL);
	if (!priv->unset)
		return -ENOMEM;
	ret = devm_add_action_or_reset(&pdev->dev, dda_bar_unset_free, priv);
	if (ret)
		return ret;

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
	priv->prov = dda_provider_register(pdev, NVMET_DDA_PROVIDER_BAR,
					   DDA_BAR_DRV_NAME);
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
	struct dda_bar_unset *u = priv->unset;
	u64 out;

	pci_p2pmem_publish(pdev, false);
	mutex_lock(&dda_p2p_lock);
	dda_provider_unlist(prov);
	mutex_unlock(&dda_p2p_lock);
	out = dda_counter(&prov->st, NVMET_DDA_STAT_OUTSTANDING_BYTES);
	dda_provider_put(prov);
	if (out)
		pci_info(pdev, "P2P memory unpublished; %llu bytes are still in use by I/O, the region is unmapped when they come back\n",
			 out);
	else
		pci_info(pdev, "P2P memory unpublished\n");

	/* The override is cleared once the device lock is free. */
	priv->unset = NULL;
	u->pdev = pci_dev_get(pdev);
	spin_lock(&dda_bar_unsets_lock);
	list_add_tail(&u->entry, &dda_bar_unsets);
	spin_unlock(&dda_bar_unsets_lock);
	queue_work(system_long_wq, &dda_bar_unset_wk);
}

static struct pci_driver dda_bar_driver = {
	.name = DDA_BAR_DRV_NAME,
	.id_table = NULL,	/* driver_override only */
	.probe = dda_bar_probe,
	.remove = dda_bar_remove,
};

static bool dda_bar_prefetchable(struct pci_dev *pdev, int bar)
{
	unsigned long want = IORESOURCE_MEM | IORESOURCE_PREFETCH;

	return (pci_resource_flags(pdev, bar) & want) == want;
}

/* The largest prefetchable memory BAR of @pdev, or -1. */
static int dda_bar_largest(struct pci_dev *pdev)
{
	resource_size_t best = 0;
	int bar, found = -1;

	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
		if (!dda_bar_prefetchable(pdev, bar))
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
	if (bar < 0) {
		bar = dda_bar_largest(pdev);
		if (bar < 0) {
			NL_SET_ERR_MSG(ext,
				       "the function has no prefetchable memory BAR");
			ret = -EINVAL;
			goto out_put;
		}
	}
	if (bar >= PCI_STD_NUM_BARS ||
	    !(pci_resource_flags(pdev, bar) & IORESOURCE_MEM) ||
	    !pci_resource_len(pdev, bar)) {
		NL_SET_ERR_MSG(ext, "the function has no such memory BAR");
		ret = -EINVAL;
		goto out_put;
	}
	if (!dda_bar_prefetchable(pdev, bar)) {
		NL_SET_ERR_MSG(ext,
			       "the BAR is not prefetchable memory (registers, most likely); only prefetchable BARs can be published");
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

	ret = mutex_lock_interruptible(&dda_bar_lock);
	if (ret)
		goto out_put;
	ret = device_lock_interruptible(&pdev->dev);
	if (ret)
		goto out_unlock;
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
 * Never waits for I/O: while buffers of the provider are out it answers
 * -EBUSY at once.
 *
 * Return: 0, -ENODEV (no such provider), -EOPNOTSUPP (not ours), -EBUSY
 * (buffers outstanding), -EINTR (interrupted while another PROVIDER_ADD or
 * PROVIDER_DEL ran).
 */
int dda_bar_del(const char *name, struct netlink_ext_ack *ext)
{
	struct dda_provider *prov;
	struct pci_dev *pdev;
	int ret;

	prov = dda_provider_find(name);
	if (!prov) {
		NL_SET_ERR_MSG(ext, "no such provider");
		return -ENODEV;
	}
	if (prov->kind != NVMET_DDA_PROVIDER_BAR) {
		NL_SET_ERR_MSG(ext,
			       "the provider belongs to its own driver; only BAR providers added by nvmet-dda can be deleted");
		ret = -EOPNOTSUPP;
		goto out_put_prov;
	}
	ret = mutex_lock_interruptible(&dda_bar_lock);
	if (ret)
		goto out_put_prov;
	/* Unbound meanwhile (and maybe added again: not this provider). */
	if (READ_ONCE(prov->dead)) {
		NL_SET_ERR_MSG(ext, "no such provider");
		ret = -ENODEV;
		goto out_unlock;
	}

	/* In use: refused without touching the I/O path. */
	if (dda_counter(&prov->st, NVMET_DDA_STAT_OUTSTANDING_BYTES))
		goto busy;
	/*
	 * Idle: no new buffers while we look again (see dda_place()): a
	 * buffer is either counted already or sees the pause and goes back
	 * (falls back, or fails under require). Only a command placed at
	 * this very moment can meet the pause; the delete then usually wins.
	 */
	WRITE_ONCE(prov->paused, true);
	smp_mb();	/* pairs with dda_place()'s outstanding increment */
	if (dda_counter(&prov->st, NVMET_DDA_STAT_OUTSTANDING_BYTES)) {
		WRITE_ONCE(prov->paused, false);
		goto busy;
	}
	/* Nothing out, nothing can come: the unbind does not wait. */
	pdev = pci_dev_get(prov->pdev);
	device_release_driver(&pdev->dev);
	compat_pci_set_override(pdev, "");
	pci_dev_put(pdev);
	goto out_unlock;
busy:
	NL_SET_ERR_MSG(ext,
		       "P2P buffers of the provider are in use by I/O; stop the I/O or set the offload policy off first");
	ret = -EBUSY;
out_unlock:
	mutex_unlock(&dda_bar_lock);
out_put_prov:
	dda_provider_put(prov);
	return ret;
}

int dda_bar_init(void)
{
	return pci_register_driver(&dda_bar_driver);
}

/* Unbinds every BAR provider; their driver_override is cleared before this returns. */
void dda_bar_exit(void)
{
	pci_unregister_driver(&dda_bar_driver);
	flush_work(&dda_bar_unset_wk);
}
