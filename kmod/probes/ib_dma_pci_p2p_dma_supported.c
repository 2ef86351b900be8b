// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_IB_DMA_PCI_P2P_DMA_SUPPORTED: the RDMA core says whether a device's
 * DMA layer can map PCI P2PDMA pages (ib_dma_pci_p2p_dma_supported()).
 */
#include <rdma/ib_verbs.h>

static __maybe_unused bool probe(struct ib_device *dev)
{
	return ib_dma_pci_p2p_dma_supported(dev);
}
