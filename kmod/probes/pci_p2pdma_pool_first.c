// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_PCI_P2PDMA_POOL_FIRST: struct pci_p2pdma, private to
 * drivers/pci/p2pdma.c, begins with its gen_pool pointer, so a pointer to the
 * struct is a pointer to that pointer (compat_p2pmem_pool()). probe-kernel
 * copies the struct out of this kernel's p2pdma.c into p2pdma_layout.h; with
 * no such source, or another layout, this fails and pool sizes are not
 * reported.
 */
#include <linux/build_bug.h>
#include <linux/genalloc.h>
#include <linux/stddef.h>
#include <linux/xarray.h>
#include "p2pdma_layout.h"

static_assert(offsetof(struct pci_p2pdma, pool) == 0);
static_assert(__same_type(((struct pci_p2pdma *)0)->pool, struct gen_pool *));
