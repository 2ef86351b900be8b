// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_NVMET_GET_MAX_QUEUE_SIZE: nvmet asks the transport for its largest
 * queue size (struct nvmet_fabrics_ops::get_max_queue_size), so CAP.MQES
 * tells hosts the transport's limit.
 */
#include "nvmet.h"

static u16 probe_size(const struct nvmet_ctrl *ctrl)
{
	return 1;
}

static const struct nvmet_fabrics_ops probe_ops __maybe_unused = {
	.get_max_queue_size = probe_size,
};
