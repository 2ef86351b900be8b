// SPDX-License-Identifier: GPL-2.0
/*
 * Always compiles: the control that tells a kernel without a feature from a
 * probe run that compiled nothing (wrong compiler, broken tree).
 */
#include <linux/kernel.h>

static __maybe_unused int probe(int x)
{
	return x + 1;
}
