/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit fakes shared by the suites.
 */
#ifndef _NVMET_DDA_TEST_FAKES_H
#define _NVMET_DDA_TEST_FAKES_H

#include <linux/pci.h>
#include <linux/dma-map-ops.h>

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

#endif /* _NVMET_DDA_TEST_FAKES_H */
