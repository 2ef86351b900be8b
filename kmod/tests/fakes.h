/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit fakes shared by the suites.
 */
#ifndef _NVMET_DDA_TEST_FAKES_H
#define _NVMET_DDA_TEST_FAKES_H

#include <linux/blkdev.h>
#include <linux/device.h>
#include <linux/pci.h>
#include <linux/dma-map-ops.h>
#include <linux/slab.h>

/*
 * Make a zeroed @pdev look like a trusted, cache-coherent PCI function to
 * the DMA checks (dev_is_pci(), dev_is_dma_coherent()).
 */
static inline void dda_fake_pci(struct pci_dev *pdev)
{
	pdev->dev.bus = &pci_bus_type;
#if defined(CONFIG_ARCH_HAS_SYNC_DMA_FOR_DEVICE) || \
	defined(CONFIG_ARCH_HAS_SYNC_DMA_FOR_CPU) || \
	defined(CONFIG_ARCH_HAS_SYNC_DMA_FOR_CPU_ALL)
	pdev->dev.dma_coherent = true;
#endif
}

/*
 * A block device as the P2P checks see it: a disk whose queue takes P2PDMA
 * pages (@p2p) or not, its device a child of @parent (an SSD's PCI function,
 * or NULL). Only what bdev_get_queue(), blk_queue_pci_p2pdma() and
 * disk_to_dev() read is set. The P2P distance code takes references on the
 * disk's device, so it is a real (unregistered) device: dda_fake_bdev_put()
 * drops it and its release frees the whole.
 */
struct dda_fake_bdev {
	struct block_device bdev;
	struct gendisk disk;
	struct request_queue q;
};

static inline void dda_fake_bdev_release(struct device *dev)
{
	kfree(container_of(dev, struct dda_fake_bdev, bdev.bd_device));
}

static inline struct block_device *dda_fake_bdev(bool p2p,
						 struct device *parent)
{
	struct dda_fake_bdev *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return NULL;
	f->bdev.bd_disk = &f->disk;
	f->bdev.bd_queue = &f->q;
	f->disk.part0 = &f->bdev;
	f->disk.queue = &f->q;
	if (p2p) {
#ifdef BLK_FEAT_PCI_P2PDMA
		f->q.limits.features |= BLK_FEAT_PCI_P2PDMA;
#else
		__set_bit(QUEUE_FLAG_PCI_P2PDMA, &f->q.queue_flags);
#endif
	}
	device_initialize(&f->bdev.bd_device);
	f->bdev.bd_device.parent = parent;
	f->bdev.bd_device.release = dda_fake_bdev_release;
	return &f->bdev;
}

static inline void dda_fake_bdev_put(struct block_device *bdev)
{
	put_device(&bdev->bd_device);
}

#endif /* _NVMET_DDA_TEST_FAKES_H */
