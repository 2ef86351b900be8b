// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_LINUX_UNALIGNED_H: get_unaligned_le24() and friends come from
 * <linux/unaligned.h> (they were in <asm/unaligned.h>).
 */
#include <linux/types.h>
#include <linux/unaligned.h>

static __maybe_unused u32 probe(const u8 *p)
{
	return get_unaligned_le24(p);
}
