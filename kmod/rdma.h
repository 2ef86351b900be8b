/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmet-dda RDMA transport: the parts other files (and the KUnit suite) see.
 */
#ifndef _NVMET_DDA_RDMA_H
#define _NVMET_DDA_RDMA_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/nvme.h>
#include <linux/nvme-rdma.h>

struct ib_device;
struct dda_peer;

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

/**
 * enum dda_queue_state - the life of a queue.
 * @DDA_Q_CONNECTING: accepted, waiting for the connection to be established;
 *	capsules that come first are parked.
 * @DDA_Q_LIVE: established: capsules are handled as they come.
 * @DDA_Q_CLOSING: going down, for good: capsules are dropped.
 */
enum dda_queue_state {
	DDA_Q_CONNECTING,
	DDA_Q_LIVE,
	DDA_Q_CLOSING,
};

/**
 * struct dda_qsm - a queue's state and the capsules it parked.
 * @lock: protects both.
 * @state: enum dda_queue_state; it only moves forward.
 * @early: capsules that beat the ESTABLISHED event, in arrival order.
 */
struct dda_qsm {
	spinlock_t lock;	/* @state, @early */
	enum dda_queue_state state;
	struct list_head early;
};

/**
 * enum dda_qsm_verdict - what to do with a capsule that arrived.
 * @DDA_QSM_RUN: handle it now.
 * @DDA_QSM_PARKED: parked on the queue, to run when it is established.
 * @DDA_QSM_DROP: the queue is closing: give its context back.
 */
enum dda_qsm_verdict {
	DDA_QSM_RUN,
	DDA_QSM_PARKED,
	DDA_QSM_DROP,
};

/**
 * enum dda_qsm_fault - what a failed work request costs.
 * @DDA_QSM_IGNORE: flushed because the queue is going down anyway.
 * @DDA_QSM_FAIL_CTRL: the controller fails, and all its queues with it.
 * @DDA_QSM_CLOSE: no controller yet: this queue closes.
 */
enum dda_qsm_fault {
	DDA_QSM_IGNORE,
	DDA_QSM_FAIL_CTRL,
	DDA_QSM_CLOSE,
};

void dda_qsm_init(struct dda_qsm *m);
enum dda_qsm_verdict dda_qsm_arrive(struct dda_qsm *m, struct list_head *cap);
bool dda_qsm_establish(struct dda_qsm *m, struct list_head *run);
bool dda_qsm_close(struct dda_qsm *m, struct list_head *dropped);
enum dda_qsm_fault dda_qsm_fault(bool flushed, bool has_ctrl);

void dda_rdma_peer_init(struct dda_peer *peer, struct ib_device *ibdev);

int dda_rdma_init(void);
bool dda_rdma_registered(void);
void dda_rdma_exit(void);

#endif /* _NVMET_DDA_RDMA_H */
