// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_DEVICE_SET_DRIVER_OVERRIDE: the driver override lives in struct
 * device and is set with device_set_driver_override().
 */
#include <linux/pci.h>

static __maybe_unused int probe(struct pci_dev *pdev)
{
	return device_set_driver_override(&pdev->dev, "probe");
}
