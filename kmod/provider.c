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
 *
 * Waiting for a function's device lock (a driver core operation on it may
 * hold it for long: an unbind waits for its P2P pages) holds up only the
 * request for that function: dda_bar_lock is held briefly, never across
 * such a wait, and marks the functions with an ADD or DEL in progress.
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

/*
 * A PROVIDER_ADD or PROVIDER_DEL in progress on @pdev; for an ADD, what it
 * asked for, for the probe it triggers, and whether that probe bound.
 */
struct dda_bar_req {
	struct list_head entry;
	struct pci_dev *pdev;
	bool add;
	bool bound;
	int bar;
	u64 offset;
	u64 size;
	struct netlink_ext_ack *ext;
};

/*
 * Guards dda_bar_reqs: one request per function at a time. Held only for
 * list work, never while waiting for a device lock; taken under one (probe,
 * dda_bar_unset_work()).
 */
static DEFINE_MUTEX(dda_bar_lock);
static LIST_HEAD(dda_bar_reqs);

static struct dda_bar_req *__dda_bar_req_find(struct pci_dev *pdev)
{
	struct dda_bar_req *rq;

	lockdep_assert_held(&dda_bar_lock);
	list_for_each_entry(rq, &dda_bar_reqs, entry)
		if (rq->pdev == pdev)
			return rq;
	return NULL;
}

/* The ADD or DEL in progress for @pdev, or NULL (a look, not a hold). */
static struct dda_bar_req *dda_bar_req_find(struct pci_dev *pdev)
{
	struct dda_bar_req *rq;

	mutex_lock(&dda_bar_lock);
	rq = __dda_bar_req_find(pdev);
	mutex_unlock(&dda_bar_lock);
	return rq;
}

/* @rq's function is ours until dda_bar_req_end(), unless -EBUSY. */
static int dda_bar_req_begin(struct dda_bar_req *rq)
{
	int ret = 0;

	mutex_lock(&dda_bar_lock);
	if (__dda_bar_req_find(rq->pdev)) {
		NL_SET_ERR_MSG(rq->ext,
			       "another provider add or del of this function is in progress; try again when it ends");
		ret = -EBUSY;
	} else {
		list_add(&rq->entry, &dda_bar_reqs);
	}
	mutex_unlock(&dda_bar_lock);
	return ret;
}

static void dda_bar_req_end(struct dda_bar_req *rq)
{
	mutex_lock(&dda_bar_lock);
	list_del(&rq->entry);
	mutex_unlock(&dda_bar_lock);
}

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
	 * may wait there for P2P pages in use): the lock is free after.
	 * Under it nothing binds, and a PROVIDER_ADD sets the override only
	 * after dda_bar_req_begin() and under it: a function bound again,
	 * or with an ADD or DEL in progress (which sees to the override),
	 * is left alone.
	 */
	list_for_each_entry_safe(u, tmp, &todo, entry) {
		device_lock(&u->pdev->dev);
		if (!dda_bar_req_find(u->pdev) && !u->pdev->dev.driver)
			compat_pci_clear_override_locked(u->pdev);
		device_unlock(&u->pdev->dev);
		pci_dev_put(u->pdev);
		kfree(u);
	}
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
	struct dda_bar_priv *priv;
	struct dda_bar_req *rq;
	int ret;

	/*
	 * Only PROVIDER_ADD binds us; a stray override or sysfs bind doesn't.
	 * The request stays listed until its device_driver_attach() returns,
	 * which needs the device lock this runs under.
	 */
	rq = dda_bar_req_find(pdev);
	if (!rq || !rq->add)
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
	rq->bound = true;
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

	rq.pdev = pdev;
	rq.add = true;
	rq.bar = bar;
	rq.offset = offset;
	rq.size = size;
	ret = dda_bar_req_begin(&rq);
	if (ret)
		goto out_put;
	/* Only this request waits here, and can be interrupted. */
	ret = device_lock_interruptible(&pdev->dev);
	if (ret)
		goto out_end;
	if (pdev->dev.driver) {
		ret = pdev->dev.driver == &dda_bar_driver.driver ? -EEXIST :
		      -EBUSY;
		device_unlock(&pdev->dev);
		if (ret == -EEXIST)
			NL_SET_ERR_MSG(ext, "the function is already a provider");
		else
			NL_SET_ERR_MSG(ext,
				       "the function is bound to another driver; unbind it first");
		goto out_end;
	}
	device_unlock(&pdev->dev);

	ret = compat_pci_set_override(pdev, DDA_BAR_DRV_NAME);
	if (ret)
		goto out_end;
	ret = device_driver_attach(&dda_bar_driver.driver, &pdev->dev);
	/* A bind through sysfs meanwhile ran our probe for this request. */
	if (rq.bound)
		ret = 0;
	if (ret) {
		compat_pci_set_override(pdev, "");
		if (ret == -ENODEV || ret == -ENXIO)
			ret = -EINVAL;
		if (ext && !ext->_msg)
			NL_SET_ERR_MSG(ext, "binding nvmet_dda_bar failed (see dmesg)");
	}
out_end:
	dda_bar_req_end(&rq);
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
 * (buffers outstanding, or another ADD or DEL of the function in
 * progress), -EINTR (interrupted while the function's device lock was
 * held by another operation on it).
 */
int dda_bar_del(const char *name, struct netlink_ext_ack *ext)
{
	struct dda_bar_req rq = { };
	struct dda_provider *prov;
	bool gone;
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
	rq.pdev = prov->pdev;
	rq.ext = ext;
	ret = dda_bar_req_begin(&rq);
	if (ret)
		goto out_put_prov;
	/* Unbound meanwhile (and maybe added again: not this provider). */
	if (READ_ONCE(prov->dead)) {
		NL_SET_ERR_MSG(ext, "no such provider");
		ret = -ENODEV;
		goto out_end;
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
	/*
	 * Nothing out, nothing can come: the unbind does not wait for I/O.
	 * The device lock may be held by a driver core operation on the
	 * function (a sysfs unbind waiting for pages, which unlists the
	 * provider first): wait for it interruptibly; only this request waits.
	 */
	ret = device_lock_interruptible(&prov->pdev->dev);
	if (ret) {
		WRITE_ONCE(prov->paused, false);
		goto out_end;
	}
	/* Nothing binds us meanwhile: that takes an ADD, and we hold it off. */
	gone = READ_ONCE(prov->dead) ||
	       prov->pdev->dev.driver != &dda_bar_driver.driver;
	device_unlock(&prov->pdev->dev);
	if (gone) {
		NL_SET_ERR_MSG(ext, "no such provider");
		ret = -ENODEV;
		goto out_end;
	}
	device_release_driver(&prov->pdev->dev);
	compat_pci_set_override(prov->pdev, "");
	goto out_end;
busy:
	NL_SET_ERR_MSG(ext,
		       "P2P buffers of the provider are in use by I/O; stop the I/O or set the offload policy off first");
	ret = -EBUSY;
out_end:
	dda_bar_req_end(&rq);
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
