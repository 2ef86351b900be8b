/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmet-dda: module-internal declarations shared between its parts.
 */
#ifndef _NVMET_DDA_H
#define _NVMET_DDA_H

#include <linux/types.h>

struct sk_buff;

/* netlink.c */
int nvmet_dda_genl_init(void);
void nvmet_dda_genl_exit(void);
int nvmet_dda_info_fill(struct sk_buff *skb);
u32 nvmet_dda_caps(void);

#endif /* _NVMET_DDA_H */
