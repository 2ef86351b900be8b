// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_DRIVER_SET_OVERRIDE: struct pci_dev has driver_override, set with
 * driver_set_override().
 */
#include <linux/pci.h>
#include <linux/string.h>

static __maybe_unused int probe(struct pci_dev *pdev)
{
	return driver_set_override(&pdev->dev, &pdev->driver_override,
				   "probe", strlen("probe"));
}
