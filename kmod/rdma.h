/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmet-dda RDMA transport: the parts other files (and the KUnit suite) see.
 */
#ifndef _NVMET_DDA_RDMA_H
#define _NVMET_DDA_RDMA_H

#include <linux/types.h>
#include <linux/nvme.h>
#include <linux/nvme-rdma.h>

/* Deepest host queue we accept, admin queues excepted (NVME_AQ_DEPTH). */
#define DDA_RDMA_MAX_QUEUE_SIZE		128
/* Highest queue ID a host may ask for in its CM private data. */
#define DDA_RDMA_MAX_QID		128
/* In-capsule data: default and ceiling of the port's inline_data_size. */
#define DDA_RDMA_DEFAULT_INLINE_SIZE	4096
#define DDA_RDMA_MAX_INLINE_SIZE	16384
/* MDTS in units of 4 KiB (CAP.MPSMIN): 2^8 * 4 KiB = 1 MiB per command. */
#define DDA_RDMA_MDTS			8
#define DDA_RDMA_MAX_DATA_LEN		(4096U << DDA_RDMA_MDTS)

/**
 * struct dda_cm_params - what a valid connect request asks for.
 * @qid: host queue ID, 0 for the admin queue.
 * @recv_size: capsules the host may have outstanding (HSQSIZE + 1): the
 *	receive buffers we post.
 * @send_size: responses the host can take at once (HRQSIZE).
 */
struct dda_cm_params {
	u16 qid;
	u16 recv_size;
	u16 send_size;
};

int dda_rdma_check_cm_req(const void *data, u8 len, struct dda_cm_params *p);

/**
 * enum dda_sgl_kind - where the data of a command lives.
 * @DDA_SGL_NONE: no data.
 * @DDA_SGL_INLINE: in the capsule, after the command (writes only).
 * @DDA_SGL_KEYED: in host memory, reached with RDMA READ/WRITE.
 */
enum dda_sgl_kind {
	DDA_SGL_NONE,
	DDA_SGL_INLINE,
	DDA_SGL_KEYED,
};

/**
 * struct dda_sgl - a command's data descriptor, checked.
 * @kind: see enum dda_sgl_kind.
 * @invalidate: (keyed) the host asks us to invalidate @key with the response.
 * @addr: remote address (keyed) or offset into the in-capsule data (inline).
 * @len: data length in bytes.
 * @key: remote key (keyed).
 * @err_loc: on error, the command byte offset to report (Error Information
 *	log).
 */
struct dda_sgl {
	enum dda_sgl_kind kind;
	bool invalidate;
	u64 addr;
	u32 len;
	u32 key;
	u16 err_loc;
};

u16 dda_rdma_parse_sgl(struct nvme_command *cmd, u32 inline_size,
		       struct dda_sgl *sgl);

int dda_rdma_init(void);
bool dda_rdma_registered(void);
void dda_rdma_exit(void);

#endif /* _NVMET_DDA_RDMA_H */
