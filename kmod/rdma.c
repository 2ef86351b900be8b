// SPDX-License-Identifier: GPL-2.0
/*
 * nvmet-dda RDMA transport: the NVMe over Fabrics RDMA binding for nvmet.
 *
 * Registered as nvmet's "rdma" transport; nvmet core does everything that is
 * not about moving capsules and data (command parsing and execution,
 * controllers, subsystems, discovery, configfs).
 *
 * Objects:
 * - dda_rdma_port: one listening rdma_cm ID per enabled nvmet port.
 * - dda_rdma_dev: per RDMA device, the protection domain its queues share.
 * - dda_queue: one per host queue (admin or I/O): its rdma_cm ID, a QP on a
 *   CQ from the RDMA core's shared pool, and the nvmet SQ/CQ pair.
 * - dda_cmd: a receive buffer for one command capsule (the 64-byte command
 *   plus the in-capsule data pages); HSQSIZE + 1 of them are kept posted.
 * - dda_rsp: the context of one command from arrival to the completion of
 *   its response SEND; it carries the nvmet_req. There are as many as the
 *   host can keep busy: one per capsule in flight plus one per response it
 *   has not yet acknowledged (HSQSIZE + 1 + HRQSIZE).
 *
 * Data path: a capsule's receive completion takes a dda_rsp, nvmet parses
 * the command, the SGL says where the data is. Keyed SGL writes pull the
 * data with RDMA READ before execution; keyed SGL reads push it with RDMA
 * WRITEs chained in front of the response SEND. In-capsule data is used in
 * place. The receive buffer is posted again as soon as the response is
 * queued, since the host cannot reuse that credit before it sees it.
 *
 * Send queue accounting: every dda_rsp owns one SEND slot in the QP, so
 * responses never wait. RDMA READ/WRITE work requests come out of an atomic
 * budget (wr_avail); a command that does not fit waits in wr_wait, in order,
 * until completions give work requests back.
 *
 * Per command, the transport takes no lock: response contexts come from a
 * lock-free stack, the queue state is read once it is LIVE, the budget is
 * an atomic; only commands that must wait for work requests take wr_lock.
 *
 * Queue states (struct dda_qsm): CONNECTING until rdma_cm reports the
 * connection established (capsules that come first are parked), LIVE, then
 * CLOSING for good (capsules are dropped).
 *
 * Teardown: every way a queue dies (CM disconnect or error events, nvmet's
 * delete_ctrl, port removal, device removal) ends in dda_queue_close(),
 * which moves the queue to CLOSING, disconnects and queues release_work on
 * nvmet_wq: nvmet core flushes that workqueue before it frees a port, so no
 * command of a released queue outlives its port. Release drains the QP
 * (after which no completion handler runs), fails commands still waiting
 * for work requests, lets nvmet_sq_destroy() wait for the commands the
 * backend still holds, waits until every dda_rsp is idle, and frees. A
 * failed work request of a queue whose controller exists fails the whole
 * controller (nvmet_ctrl_fatal_error(), which ends in delete_ctrl), as
 * nvmet-rdma does: the host recovers the controller as a whole.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/workqueue.h>
#include <linux/wait.h>
#include <linux/wait_bit.h>
#include <linux/llist.h>
#include <linux/inet.h>
#include <linux/debugfs.h>
#include <linux/fault-inject.h>
#include <linux/nvme.h>
#include <linux/nvme-rdma.h>
#include <rdma/ib_verbs.h>
#include <rdma/ib_cm.h>
#include <rdma/rdma_cm.h>
#include <rdma/rw.h>

#include "nvmet.h"
#include "rdma.h"
#include "p2p.h"

/* Do Not Retry bit of an NVMe status (NVME_SC_DNR / NVME_STATUS_DNR). */
#define DDA_NVME_DNR			0x4000
#define DDA_RDMA_BACKLOG		128
#define DDA_RDMA_MAX_INLINE_PAGES	DIV_ROUND_UP(DDA_RDMA_MAX_INLINE_SIZE, PAGE_SIZE)
/* RDMA READ/WRITE work requests budgeted per response context. */
#define DDA_RDMA_WRS_PER_RSP		4
#define DDA_RDMA_RELISTEN_DELAY		(5 * HZ)

/* What an rdma_cm ID's context points to; the first member of both. */
enum dda_cm_kind {
	DDA_CM_PORT,
	DDA_CM_QUEUE,
};

struct dda_rdma_dev {
	struct list_head entry;		/* in dda_rdma_devs */
	struct ib_device *ibdev;
	struct ib_pd *pd;
	struct dda_peer peer;		/* the device, for P2P placement */
	struct kref ref;
};

struct dda_rdma_port {
	enum dda_cm_kind kind;
	struct nvmet_port *nport;
	struct sockaddr_storage addr;
	struct rdma_cm_id *cm_id;	/* listener; owner takes it with xchg() */
	struct delayed_work relisten_work;
	spinlock_t lock;		/* @stopping vs. scheduling relisten */
	bool stopping;
};

struct dda_queue;

struct dda_cmd {
	struct ib_cqe cqe;
	struct dda_queue *queue;	/* for its completion: CQs are shared */
	struct ib_recv_wr wr;
	struct ib_sge sge[1 + DDA_RDMA_MAX_INLINE_PAGES];
	struct page *pages[DDA_RDMA_MAX_INLINE_PAGES];
	struct scatterlist inline_sg[DDA_RDMA_MAX_INLINE_PAGES];
	unsigned int nr_pages;		/* allocated and mapped */
	struct nvme_command *nvme_cmd;
};

struct dda_rsp {
	struct ib_cqe send_cqe;
	struct ib_cqe read_cqe;
	struct ib_send_wr send_wr;
	struct ib_sge send_sge;
	struct dda_queue *queue;
	struct dda_cmd *cmd;
	struct llist_node free_node;	/* in the queue's free_rsps */
	struct list_head entry;		/* parked or wr_wait list */
	struct dda_sgl sgl;
	struct rdma_rw_ctx rw;
	enum dma_data_direction rw_dir;
	int n_rdma;			/* work requests of @rw, 0: no @rw */
	int wr_held;			/* taken from the queue's budget */
	bool data_alloc;		/* req.sg from dda_data_alloc() in @buf */
	struct dda_buf buf;
	struct nvmet_req req;
};

struct dda_queue {
	enum dda_cm_kind kind;
	struct rdma_cm_id *cm_id;
	struct ib_qp *qp;
	struct ib_cq *cq;		/* from the pool, shared */
	unsigned int cq_size;		/* entries asked of the pool */
	struct dda_rdma_dev *dev;
	struct nvmet_port *nport;
	struct nvmet_sq nvme_sq;
	struct nvmet_cq nvme_cq;
	int idx;
	u16 host_qid;
	u16 recv_size;
	u16 send_size;
	u16 nr_rsps;
	u32 inline_size;
	unsigned int inline_pages;

	struct dda_cmd *cmds;
	struct nvme_command *cmd_buf;
	u64 cmd_dma;
	struct dda_rsp *rsps;
	struct nvme_completion *cqe_buf;
	u64 cqe_dma;

	struct llist_head free_rsps;	/* see dda_rsp_get() */
	atomic_t rsps_busy;	/* release_work waits for 0 (wait_var_event) */

	atomic_t wr_avail;		/* RDMA READ/WRITE budget left */
	int wr_total;
	spinlock_t wr_lock;		/* wr_wait */
	struct list_head wr_wait;

	struct dda_qsm sm;
	struct dda_nscache nsc;		/* records of its namespaces */

	struct work_struct live_work;	/* runs the capsules parked early */
	struct work_struct release_work;
	struct list_head entry;		/* in dda_rdma_queues while open */
};

static LIST_HEAD(dda_rdma_queues);
static DEFINE_MUTEX(dda_rdma_queues_lock);
static LIST_HEAD(dda_rdma_devs);
static DEFINE_MUTEX(dda_rdma_devs_lock);
static DEFINE_IDA(dda_rdma_queue_ida);
static bool dda_rdma_is_registered;

/*
 * /sys/kernel/debug/nvmet_dda/ (not an ABI; for tests and debugging):
 * - pci_scans: PCI bus scans for providers since load (dda_p2p_scan()).
 *
 * On kernels with CONFIG_FAULT_INJECTION_DEBUG_FS (the test kernels), also
 * fault attributes (probability, times, ...; Documentation/fault-injection):
 * - fail_p2p_map: mapping a command's P2P buffer for RDMA fails as if the
 *   RDMA device could not reach the memory;
 * - fail_rkey: the RDMA READ of a command's data (a host write) goes out
 *   with a wrong remote key (its key byte changed, its memory region the
 *   same): the host's RDMA device refuses it and the READ completes with an
 *   error here, as when a host invalidated its memory too early. (A failed
 *   RDMA WRITE is unsignalled: this side sees only its SEND flushed.)
 */
static struct dentry *dda_debugfs;

#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
static DECLARE_FAULT_ATTR(dda_fail_p2p_map);
static DECLARE_FAULT_ATTR(dda_fail_rkey);

static void dda_rdma_fault_init(void)
{
	fault_create_debugfs_attr("fail_p2p_map", dda_debugfs,
				  &dda_fail_p2p_map);
	fault_create_debugfs_attr("fail_rkey", dda_debugfs, &dda_fail_rkey);
}

static bool dda_p2p_map_fails(u32 len)
{
	return should_fail(&dda_fail_p2p_map, len);
}

static u32 dda_rkey_for_rw(u32 key, u32 len, enum dma_data_direction dir)
{
	if (dir == DMA_FROM_DEVICE && should_fail(&dda_fail_rkey, len))
		return key ^ 0xff;
	return key;
}
#else
static void dda_rdma_fault_init(void)
{
}

static bool dda_p2p_map_fails(u32 len)
{
	return false;
}

static u32 dda_rkey_for_rw(u32 key, u32 len, enum dma_data_direction dir)
{
	return key;
}
#endif

static void dda_rdma_debugfs_init(void)
{
	dda_debugfs = debugfs_create_dir("nvmet_dda", NULL);
	debugfs_create_u64("pci_scans", 0400, dda_debugfs, &dda_scan_count);
	dda_rdma_fault_init();
}

static void dda_rdma_debugfs_exit(void)
{
	debugfs_remove_recursive(dda_debugfs);
}

static const struct nvmet_fabrics_ops dda_rdma_ops;

static void dda_rdma_send_done(struct ib_cq *cq, struct ib_wc *wc);
static void dda_rdma_recv_done(struct ib_cq *cq, struct ib_wc *wc);
static void dda_rdma_read_done(struct ib_cq *cq, struct ib_wc *wc);
static void dda_queue_disconnect(struct dda_queue *q);

/**
 * dda_rdma_check_cm_req() - Validate the private data of a connect request.
 * @data: the host's private data (struct nvme_rdma_cm_req), may be NULL.
 * @len: its length.
 * @p: filled with the queue parameters when the request is valid.
 *
 * HSQSIZE is 0's based; a queue has at least two entries, at most
 * NVME_AQ_DEPTH for the admin queue and DDA_RDMA_MAX_QUEUE_SIZE otherwise.
 * HRQSIZE must let the host receive a response for every capsule it can
 * have outstanding.
 *
 * Return: 0, or the enum nvme_rdma_cm_status to reject with.
 */
int dda_rdma_check_cm_req(const void *data, u8 len, struct dda_cm_params *p)
{
	const struct nvme_rdma_cm_req *req = data;
	u16 hsqsize, hrqsize, qid, max;

	if (!req || len < sizeof(*req))
		return NVME_RDMA_CM_INVALID_LEN;
	if (le16_to_cpu(req->recfmt) != NVME_RDMA_CM_FMT_1_0)
		return NVME_RDMA_CM_INVALID_RECFMT;
	qid = le16_to_cpu(req->qid);
	if (qid > DDA_RDMA_MAX_QID)
		return NVME_RDMA_CM_INVALID_QID;
	max = qid ? DDA_RDMA_MAX_QUEUE_SIZE : NVME_AQ_DEPTH;
	hsqsize = le16_to_cpu(req->hsqsize);
	if (hsqsize < 1 || hsqsize >= max)
		return NVME_RDMA_CM_INVALID_HSQSIZE;
	hrqsize = le16_to_cpu(req->hrqsize);
	if (hrqsize < hsqsize + 1 || hrqsize > max)
		return NVME_RDMA_CM_INVALID_HRQSIZE;

	p->qid = qid;
	p->recv_size = hsqsize + 1;
	p->send_size = hrqsize;
	return 0;
}

/**
 * dda_rdma_parse_sgl() - Classify and check a command's data descriptor.
 * @cmd: the command; its SGL descriptor is in dptr.
 * @inline_size: bytes of in-capsule data this queue receives.
 * @sgl: filled with the result.
 *
 * Keyed data block descriptors (with or without remote invalidation) are at
 * most DDA_RDMA_MAX_DATA_LEN long; a zero length means no data. In-capsule
 * data (data block descriptor, offset subtype) is for host-to-controller
 * transfers only and must lie within @inline_size.
 *
 * Return: 0, or an NVMe status (with @sgl->err_loc set).
 */
u16 dda_rdma_parse_sgl(struct nvme_command *cmd, u32 inline_size,
		       struct dda_sgl *sgl)
{
	struct nvme_keyed_sgl_desc *ksgl = &cmd->common.dptr.ksgl;
	struct nvme_sgl_desc *dsgl = &cmd->common.dptr.sgl;
	u64 off;
	u32 len;

	memset(sgl, 0, sizeof(*sgl));
	sgl->err_loc = offsetof(struct nvme_common_command, dptr);

	switch (ksgl->type) {
	case (NVME_KEY_SGL_FMT_DATA_DESC << 4) | NVME_SGL_FMT_ADDRESS:
	case (NVME_KEY_SGL_FMT_DATA_DESC << 4) | NVME_SGL_FMT_INVALIDATE:
		len = get_unaligned_le24(ksgl->length);
		if (!len)
			return 0;
		if (len > DDA_RDMA_MAX_DATA_LEN)
			return NVME_SC_SGL_INVALID_DATA | DDA_NVME_DNR;
		sgl->kind = DDA_SGL_KEYED;
		sgl->invalidate = (ksgl->type & 0xf) == NVME_SGL_FMT_INVALIDATE;
		sgl->addr = le64_to_cpu(ksgl->addr);
		sgl->len = len;
		sgl->key = get_unaligned_le32(ksgl->key);
		return 0;
	case (NVME_SGL_FMT_DATA_DESC << 4) | NVME_SGL_FMT_OFFSET:
		if (!nvme_is_write(cmd)) {
			sgl->err_loc = offsetof(struct nvme_common_command,
						opcode);
			return NVME_SC_INVALID_FIELD | DDA_NVME_DNR;
		}
		off = le64_to_cpu(dsgl->addr);
		len = le32_to_cpu(dsgl->length);
		if (off > inline_size || len > inline_size - off)
			return NVME_SC_SGL_INVALID_OFFSET | DDA_NVME_DNR;
		if (!len)
			return 0;
		sgl->kind = DDA_SGL_INLINE;
		sgl->addr = off;
		sgl->len = len;
		return 0;
	default:
		return NVME_SC_SGL_INVALID_TYPE | DDA_NVME_DNR;
	}
}

void dda_qsm_init(struct dda_qsm *m)
{
	spin_lock_init(&m->lock);
	m->state = DDA_Q_CONNECTING;
	INIT_LIST_HEAD(&m->early);
}

/**
 * dda_qsm_arrive() - A capsule arrived on the queue.
 * @m: the queue's state.
 * @cap: the capsule's list entry, parked on @m before connection.
 *
 * Return: what to do with it (enum dda_qsm_verdict).
 */
enum dda_qsm_verdict dda_qsm_arrive(struct dda_qsm *m, struct list_head *cap)
{
	enum dda_qsm_verdict v;
	unsigned long flags;

	/*
	 * The state only moves forward, and LIVE ends only in CLOSING: once
	 * live, a capsule runs without the lock. One that reads LIVE while
	 * the queue starts closing runs as if it had come a moment earlier;
	 * the release drains the QP and waits for it either way.
	 */
	if (likely(READ_ONCE(m->state) == DDA_Q_LIVE))
		return DDA_QSM_RUN;

	spin_lock_irqsave(&m->lock, flags);
	switch (m->state) {
	case DDA_Q_CONNECTING:
		list_add_tail(cap, &m->early);
		v = DDA_QSM_PARKED;
		break;
	case DDA_Q_LIVE:
		v = DDA_QSM_RUN;
		break;
	default:
		v = DDA_QSM_DROP;
		break;
	}
	spin_unlock_irqrestore(&m->lock, flags);
	return v;
}

/**
 * dda_qsm_establish() - The connection is established.
 * @m: the queue's state.
 * @run: receives the parked capsules, in arrival order, to handle now.
 *
 * Return: true when the queue went LIVE; false when it was not connecting
 * (closing already, or live: a repeated event), and nothing is in @run.
 */
bool dda_qsm_establish(struct dda_qsm *m, struct list_head *run)
{
	unsigned long flags;
	bool live = false;

	spin_lock_irqsave(&m->lock, flags);
	if (m->state == DDA_Q_CONNECTING) {
		WRITE_ONCE(m->state, DDA_Q_LIVE);
		list_splice_tail_init(&m->early, run);
		live = true;
	}
	spin_unlock_irqrestore(&m->lock, flags);
	return live;
}

/**
 * dda_qsm_close() - The queue goes down.
 * @m: the queue's state.
 * @dropped: receives the capsules still parked, whose contexts go back.
 *
 * Return: true when this call closed the queue, false when it was closing.
 */
bool dda_qsm_close(struct dda_qsm *m, struct list_head *dropped)
{
	unsigned long flags;
	bool closed;

	spin_lock_irqsave(&m->lock, flags);
	closed = m->state != DDA_Q_CLOSING;
	WRITE_ONCE(m->state, DDA_Q_CLOSING);
	list_splice_tail_init(&m->early, dropped);
	spin_unlock_irqrestore(&m->lock, flags);
	return closed;
}

/**
 * dda_qsm_fault() - What a failed work request of a queue costs.
 * @flushed: it was flushed (the QP is in error: the queue is going down).
 * @has_ctrl: the queue belongs to a controller (its Connect went through).
 *
 * As in nvmet-rdma: an error fails the controller, whose queues all go;
 * a queue without a controller yet just closes.
 *
 * Return: enum dda_qsm_fault.
 */
enum dda_qsm_fault dda_qsm_fault(bool flushed, bool has_ctrl)
{
	if (flushed)
		return DDA_QSM_IGNORE;
	return has_ctrl ? DDA_QSM_FAIL_CTRL : DDA_QSM_CLOSE;
}

/**
 * dda_rdma_peer_init() - @ibdev as the other end of P2P transfers.
 * @peer: filled in.
 * @ibdev: the RDMA device.
 *
 * A virtual-DMA device (rxe, siw) copies with the CPU and can use any
 * provider. Any other device gets P2P memory only when its DMA layer maps
 * P2PDMA pages (ib_dma_pci_p2p_dma_supported()) and the mapping cannot
 * bounce them (dda_dma_p2p_safe()); the distance check then includes it.
 */
void dda_rdma_peer_init(struct dda_peer *peer, struct ib_device *ibdev)
{
	peer->dma = NULL;
	peer->p2p = false;
	if (ib_uses_virt_dma(ibdev))
		return;
	peer->dma = ibdev->dma_device;
	/* The DMA layer says yes to dma-direct devices even without P2PDMA. */
	peer->p2p = IS_ENABLED(CONFIG_PCI_P2PDMA) &&
		    compat_ib_dma_p2p_supported(ibdev) &&
		    dda_dma_p2p_safe(peer->dma);
}

static inline u32 dda_port_num(struct dda_queue *q)
{
	return q->cm_id->port_num;
}

/*
 * Free response contexts: a lock-free stack. llist_del_first() needs its
 * callers serialised: only the receive completion handler takes contexts,
 * and the completions of a CQ are handled one at a time (one poll work per
 * CQ). Contexts go back from anywhere, in any context, with llist_add().
 */
static struct dda_rsp *dda_rsp_get(struct dda_queue *q)
{
	struct llist_node *node = llist_del_first(&q->free_rsps);

	if (!node)
		return NULL;
	atomic_inc(&q->rsps_busy);
	return llist_entry(node, struct dda_rsp, free_node);
}

static void dda_rsp_put(struct dda_rsp *rsp)
{
	struct dda_queue *q = rsp->queue;

	llist_add(&rsp->free_node, &q->free_rsps);
	/*
	 * Once this drops to 0, release_work may free @q at once: the wake-up
	 * uses only the counter's address (a wait_queue_head in @q could be
	 * freed under it).
	 */
	if (atomic_dec_and_test(&q->rsps_busy))
		wake_up_var(&q->rsps_busy);
}

static int dda_rdma_post_recv(struct dda_queue *q, struct dda_cmd *cmd)
{
	struct ib_device *ibdev = q->dev->ibdev;
	unsigned int i;

	for (i = 0; i < cmd->wr.num_sge; i++)
		ib_dma_sync_single_for_device(ibdev, cmd->sge[i].addr,
					      cmd->sge[i].length,
					      DMA_FROM_DEVICE);
	return ib_post_recv(q->qp, &cmd->wr, NULL);
}

static void dda_rsp_start(struct dda_rsp *rsp);

/* Take @rsp's RDMA work requests from the budget, if they fit. */
static bool dda_wr_take(struct dda_queue *q, struct dda_rsp *rsp)
{
	/* Fully ordered (see dda_wr_put()). */
	if (atomic_sub_return(rsp->n_rdma, &q->wr_avail) >= 0) {
		rsp->wr_held = rsp->n_rdma;
		return true;
	}
	atomic_add(rsp->n_rdma, &q->wr_avail);
	return false;
}

/*
 * Start the commands waiting for work requests, in order, as long as they
 * fit. Starting a command may sleep: process context only (submission and
 * completion handlers, which run from a workqueue).
 */
static void dda_wr_kick(struct dda_queue *q)
{
	struct dda_rsp *rsp, *tmp;
	unsigned long flags;
	LIST_HEAD(ready);

	spin_lock_irqsave(&q->wr_lock, flags);
	while ((rsp = list_first_entry_or_null(&q->wr_wait, struct dda_rsp,
					       entry)) &&
	       dda_wr_take(q, rsp))
		list_move_tail(&rsp->entry, &ready);
	spin_unlock_irqrestore(&q->wr_lock, flags);

	list_for_each_entry_safe(rsp, tmp, &ready, entry) {
		list_del_init(&rsp->entry);
		dda_rsp_start(rsp);
	}
}

/*
 * Give @n RDMA work requests back. With @kick, commands waiting for work
 * requests start; only completion handlers kick.
 */
static void dda_wr_put(struct dda_queue *q, int n, bool kick)
{
	atomic_add(n, &q->wr_avail);
	if (!kick)
		return;
	/*
	 * Pairs with the full barrier of atomic_sub_return() in the kick of
	 * a command that just joined wr_wait: either this sees the waiter,
	 * or that kick sees the work requests given back.
	 */
	smp_mb__after_atomic();
	if (!list_empty(&q->wr_wait))
		dda_wr_kick(q);
}

static void dda_rsp_destroy_rw(struct dda_rsp *rsp)
{
	struct dda_queue *q = rsp->queue;

	if (!rsp->n_rdma)
		return;
	rdma_rw_ctx_destroy(&rsp->rw, q->qp, dda_port_num(q), rsp->req.sg,
			    rsp->req.sg_cnt, rsp->rw_dir);
	rsp->n_rdma = 0;
}

/* Everything a command held goes back; the context becomes free. */
static void dda_rsp_release(struct dda_rsp *rsp, bool kick)
{
	struct dda_queue *q = rsp->queue;
	int held = rsp->wr_held;

	dda_rsp_destroy_rw(rsp);
	if (rsp->data_alloc) {
		dda_data_free(&rsp->buf, &rsp->req);
		rsp->data_alloc = false;
	}
	rsp->wr_held = 0;
	if (held)
		dda_wr_put(q, held, kick);
	/* Last: after the final put, release_work may free @q. */
	dda_rsp_put(rsp);
}

/*
 * A fatal transport error on @q (see dda_qsm_fault()). Completion handlers
 * run in process context (IB_POLL_WORKQUEUE), and before release_work
 * drains the QP and nvmet_sq_destroy() drops the controller reference.
 */
static void dda_queue_fatal(struct dda_queue *q)
{
	struct nvmet_ctrl *ctrl = READ_ONCE(q->nvme_sq.ctrl);

	switch (dda_qsm_fault(false, ctrl)) {
	case DDA_QSM_FAIL_CTRL:
		nvmet_ctrl_fatal_error(ctrl);
		break;
	case DDA_QSM_CLOSE:
		dda_queue_disconnect(q);
		break;
	case DDA_QSM_IGNORE:
		break;
	}
}

/* A failed completion: fatal unless flushed by a queue going down anyway. */
static void dda_queue_wc_error(struct dda_queue *q, const char *what,
			       struct ib_wc *wc)
{
	if (dda_qsm_fault(wc->status == IB_WC_WR_FLUSH_ERR, true) ==
	    DDA_QSM_IGNORE)
		return;
	pr_err("queue %d: %s failed: %s (%d)\n", q->idx, what,
	       ib_wc_status_msg(wc->status), wc->status);
	dda_queue_fatal(q);
}

static void dda_rdma_send_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct dda_rsp *rsp = container_of(wc->wr_cqe, struct dda_rsp,
					   send_cqe);
	struct dda_queue *q = rsp->queue;

	dda_rsp_release(rsp, true);
	if (unlikely(wc->status != IB_WC_SUCCESS))
		dda_queue_wc_error(q, "response SEND", wc);
}

/**
 * dda_rdma_queue_response() - Send a command's completion to the host.
 * @req: the command, completed by nvmet core.
 *
 * Called from any context, interrupts included: only posts work requests.
 * For a successful read with a keyed SGL the RDMA WRITEs carrying the data
 * go first, chained in front of the SEND.
 */
static void dda_rdma_queue_response(struct nvmet_req *req)
{
	struct dda_rsp *rsp = container_of(req, struct dda_rsp, req);
	struct dda_queue *q = rsp->queue;
	struct ib_device *ibdev = q->dev->ibdev;
	struct ib_send_wr *first = &rsp->send_wr;
	int ret;

	if (rsp->sgl.invalidate) {
		rsp->send_wr.opcode = IB_WR_SEND_WITH_INV;
		rsp->send_wr.ex.invalidate_rkey = rsp->sgl.key;
	} else {
		rsp->send_wr.opcode = IB_WR_SEND;
	}

	if (rsp->n_rdma && rsp->rw_dir == DMA_TO_DEVICE && !req->cqe->status) {
		/*
		 * The backend filled the buffer after it was mapped. Host
		 * memory needs the sync; the CPU never wrote P2P memory, and
		 * P2P buffers only go to devices whose mappings cannot bounce
		 * (dda_dma_p2p_safe()) or that have no DMA (virtual DMA).
		 */
		if (!rsp->buf.prov && !ib_uses_virt_dma(ibdev))
			dma_sync_sg_for_device(ibdev->dma_device, req->sg,
					       req->sg_cnt, DMA_TO_DEVICE);
		first = rdma_rw_ctx_wrs(&rsp->rw, q->qp, dda_port_num(q),
					NULL, &rsp->send_wr);
	}

	/* The capsule is consumed: its buffer takes the host's next one. */
	ret = dda_rdma_post_recv(q, rsp->cmd);
	if (unlikely(ret))
		pr_debug("queue %d: receive repost failed: %d\n", q->idx, ret);

	ib_dma_sync_single_for_device(ibdev, rsp->send_sge.addr,
				      rsp->send_sge.length, DMA_TO_DEVICE);
	ret = ib_post_send(q->qp, first, NULL);
	if (unlikely(ret)) {
		pr_err_ratelimited("queue %d: response post failed: %d\n",
				   q->idx, ret);
		dda_rsp_release(rsp, false);
	}
}

static void dda_rdma_read_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct dda_rsp *rsp = container_of(wc->wr_cqe, struct dda_rsp,
					   read_cqe);
	struct dda_queue *q = rsp->queue;
	int held = rsp->wr_held;

	/* Unmapping hands the buffer to the CPU and the backend. */
	dda_rsp_destroy_rw(rsp);
	rsp->wr_held = 0;
	dda_wr_put(q, held, true);

	if (unlikely(wc->status != IB_WC_SUCCESS)) {
		nvmet_req_uninit(&rsp->req);
		dda_rsp_release(rsp, true);
		dda_queue_wc_error(q, "RDMA READ", wc);
		return;
	}
	rsp->req.execute(&rsp->req);
}

/* Run a command whose RDMA work requests (if any) are reserved. */
static void dda_rsp_start(struct dda_rsp *rsp)
{
	struct dda_queue *q = rsp->queue;
	int ret;

	if (rsp->n_rdma && rsp->rw_dir == DMA_FROM_DEVICE) {
		ret = rdma_rw_ctx_post(&rsp->rw, q->qp, dda_port_num(q),
				       &rsp->read_cqe, NULL);
		if (ret) {
			pr_err_ratelimited("queue %d: RDMA READ post failed: %d\n",
					   q->idx, ret);
			nvmet_req_complete(&rsp->req, NVME_SC_DATA_XFER_ERROR);
		}
		return;
	}
	rsp->req.execute(&rsp->req);
}

/* Point req->sg at the in-capsule data the host sent with the command. */
static void dda_rsp_use_inline(struct dda_rsp *rsp)
{
	struct dda_cmd *cmd = rsp->cmd;
	struct nvmet_req *req = &rsp->req;
	unsigned int page = rsp->sgl.addr >> PAGE_SHIFT;
	unsigned int off = offset_in_page(rsp->sgl.addr);
	u32 left = rsp->sgl.len;
	unsigned int n = 0;

	sg_init_table(cmd->inline_sg, cmd->nr_pages);
	while (left) {
		u32 chunk = min_t(u32, left, PAGE_SIZE - off);

		sg_set_page(&cmd->inline_sg[n++], cmd->pages[page++], chunk,
			    off);
		left -= chunk;
		off = 0;
	}
	sg_mark_end(&cmd->inline_sg[n - 1]);
	req->sg = cmd->inline_sg;
	req->sg_cnt = n;
	req->transfer_len = rsp->sgl.len;
	dda_data_inline(req, &rsp->queue->nsc, rsp->sgl.len);
}

/* Map the command's buffer for RDMA READ or WRITE (number of WRs or -errno). */
static int dda_rsp_init_rw(struct dda_rsp *rsp)
{
	struct dda_queue *q = rsp->queue;
	struct nvmet_req *req = &rsp->req;

	if (rsp->buf.prov && dda_p2p_map_fails(rsp->sgl.len))
		return -EREMOTEIO;
	return rdma_rw_ctx_init(&rsp->rw, q->qp, dda_port_num(q), req->sg,
				req->sg_cnt, 0, rsp->sgl.addr,
				dda_rkey_for_rw(rsp->sgl.key, rsp->sgl.len,
						rsp->rw_dir),
				rsp->rw_dir);
}

static u16 dda_rsp_map_data(struct dda_rsp *rsp)
{
	struct dda_queue *q = rsp->queue;
	struct nvmet_req *req = &rsp->req;
	u16 status;
	int ret;

	status = dda_rdma_parse_sgl(req->cmd, q->inline_size, &rsp->sgl);
	if (status) {
		req->error_loc = rsp->sgl.err_loc;
		return status;
	}

	switch (rsp->sgl.kind) {
	case DDA_SGL_NONE:
		return 0;
	case DDA_SGL_INLINE:
		dda_rsp_use_inline(rsp);
		return 0;
	case DDA_SGL_KEYED:
		break;
	}

	/*
	 * The buffer, by offload policy: P2P memory or host memory. Both are
	 * one scatterlist that rdma_rw maps (bus addresses for P2P pages on a
	 * PCI device) and a virtual-DMA device reaches through the pages'
	 * kernel mapping.
	 */
	status = dda_data_alloc(&rsp->buf, req, &q->nsc,
				le16_to_cpu(q->nport->disc_addr.portid),
				&q->dev->peer, rsp->sgl.len);
	if (status)
		return status;
	rsp->data_alloc = true;
	req->transfer_len = rsp->sgl.len;
	rsp->rw_dir = nvme_is_write(req->cmd) ? DMA_FROM_DEVICE : DMA_TO_DEVICE;

	ret = dda_rsp_init_rw(rsp);
	if (ret < 0 && rsp->buf.prov) {
		/* PREFER: host memory instead; REQUIRE: fail, Do Not Retry. */
		pr_warn_ratelimited("queue %d: %s cannot map %u bytes of P2P memory of %s: %d\n",
				    q->idx, dev_name(&q->dev->ibdev->dev),
				    rsp->sgl.len, rsp->buf.prov->name, ret);
		status = dda_data_map_failed(&rsp->buf, req);
		if (status) {
			rsp->data_alloc = false;
			return status;
		}
		ret = dda_rsp_init_rw(rsp);
	}
	if (ret < 0) {
		pr_err_ratelimited("queue %d: cannot map %u bytes for RDMA: %d\n",
				   q->idx, rsp->sgl.len, ret);
		return NVME_SC_INTERNAL;
	}
	dda_buf_mapped(&rsp->buf);
	rsp->n_rdma = ret;
	return 0;
}

/* Start the command now if its RDMA work requests fit, else queue it. */
static void dda_rsp_submit(struct dda_rsp *rsp)
{
	struct dda_queue *q = rsp->queue;
	unsigned long flags;

	if (!rsp->n_rdma) {
		dda_rsp_start(rsp);
		return;
	}
	if (unlikely(rsp->n_rdma > q->wr_total)) {
		pr_warn_ratelimited("queue %d: command needs %d RDMA work requests, the queue has %d\n",
				    q->idx, rsp->n_rdma, q->wr_total);
		nvmet_req_complete(&rsp->req, NVME_SC_INTERNAL | DDA_NVME_DNR);
		return;
	}

	/* Nobody waiting and it fits: the usual case, without a lock. */
	if (likely(list_empty(&q->wr_wait)) && dda_wr_take(q, rsp)) {
		dda_rsp_start(rsp);
		return;
	}
	spin_lock_irqsave(&q->wr_lock, flags);
	list_add_tail(&rsp->entry, &q->wr_wait);
	spin_unlock_irqrestore(&q->wr_lock, flags);
	/* Work requests may have come back meanwhile (dda_wr_put()). */
	dda_wr_kick(q);
}

static void dda_rdma_handle_cmd(struct dda_queue *q, struct dda_rsp *rsp)
{
	struct dda_cmd *cmd = rsp->cmd;
	struct ib_device *ibdev = q->dev->ibdev;
	unsigned int i;
	u16 status;

	for (i = 0; i < cmd->wr.num_sge; i++)
		ib_dma_sync_single_for_cpu(ibdev, cmd->sge[i].addr,
					   cmd->sge[i].length, DMA_FROM_DEVICE);

	if (!nvmet_req_init(&rsp->req, &q->nvme_cq, &q->nvme_sq,
			    &dda_rdma_ops))
		return;		/* nvmet already answered */

	status = dda_rsp_map_data(rsp);
	if (status) {
		nvmet_req_complete(&rsp->req, status);
		return;
	}
	dda_rsp_submit(rsp);
}

static void dda_rdma_recv_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct dda_cmd *cmd = container_of(wc->wr_cqe, struct dda_cmd, cqe);
	struct dda_queue *q = cmd->queue;
	struct dda_rsp *rsp;

	if (unlikely(wc->status != IB_WC_SUCCESS)) {
		dda_queue_wc_error(q, "capsule RECV", wc);
		return;
	}
	if (unlikely(wc->byte_len < sizeof(struct nvme_command))) {
		pr_err("queue %d: capsule of %u bytes, shorter than a command\n",
		       q->idx, wc->byte_len);
		dda_queue_fatal(q);
		return;
	}

	rsp = dda_rsp_get(q);
	if (unlikely(!rsp)) {
		pr_err("queue %d: host sent more capsules than its queue holds\n",
		       q->idx);
		dda_queue_fatal(q);
		return;
	}
	rsp->cmd = cmd;
	rsp->req.cmd = cmd->nvme_cmd;
	rsp->req.port = q->nport;
	memset(&rsp->sgl, 0, sizeof(rsp->sgl));
	rsp->n_rdma = 0;
	rsp->wr_held = 0;
	rsp->data_alloc = false;

	switch (dda_qsm_arrive(&q->sm, &rsp->entry)) {
	case DDA_QSM_RUN:
		dda_rdma_handle_cmd(q, rsp);
		break;
	case DDA_QSM_PARKED:
		break;
	case DDA_QSM_DROP:
		dda_rsp_put(rsp);
		break;
	}
}

/* Devices: one protection domain per RDMA device, shared by its queues. */
static struct dda_rdma_dev *dda_rdma_dev_get(struct ib_device *ibdev)
{
	struct dda_rdma_dev *dev;

	mutex_lock(&dda_rdma_devs_lock);
	list_for_each_entry(dev, &dda_rdma_devs, entry) {
		if (dev->ibdev == ibdev) {
			kref_get(&dev->ref);
			goto out_unlock;
		}
	}

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev) {
		dev = ERR_PTR(-ENOMEM);
		goto out_unlock;
	}
	dev->pd = ib_alloc_pd(ibdev, 0);
	if (IS_ERR(dev->pd)) {
		int ret = PTR_ERR(dev->pd);

		kfree(dev);
		dev = ERR_PTR(ret);
		goto out_unlock;
	}
	dev->ibdev = ibdev;
	dda_rdma_peer_init(&dev->peer, ibdev);
	if (dev->peer.dma && !dev->peer.p2p)
		pr_info("%s: no P2P memory for this RDMA device (not a PCI function, no P2PDMA in its DMA layer, or mappings that may bounce): its I/O uses host memory\n",
			dev_name(&ibdev->dev));
	kref_init(&dev->ref);
	list_add(&dev->entry, &dda_rdma_devs);
out_unlock:
	mutex_unlock(&dda_rdma_devs_lock);
	return dev;
}

/* kref release, called with dda_rdma_devs_lock held; drops it. */
static void dda_rdma_dev_free(struct kref *ref)
	__releases(&dda_rdma_devs_lock)
{
	struct dda_rdma_dev *dev = container_of(ref, struct dda_rdma_dev, ref);

	list_del(&dev->entry);
	mutex_unlock(&dda_rdma_devs_lock);
	ib_dealloc_pd(dev->pd);
	kfree(dev);
}

static void dda_rdma_dev_put(struct dda_rdma_dev *dev)
{
	kref_put_mutex(&dev->ref, dda_rdma_dev_free, &dda_rdma_devs_lock);
}

static void dda_queue_free_cmds(struct dda_queue *q)
{
	struct ib_device *ibdev = q->dev->ibdev;
	unsigned int i, j;

	for (i = 0; i < q->recv_size; i++) {
		struct dda_cmd *cmd = &q->cmds[i];

		for (j = 0; j < cmd->nr_pages; j++) {
			ib_dma_unmap_page(ibdev, cmd->sge[1 + j].addr,
					  cmd->sge[1 + j].length,
					  DMA_FROM_DEVICE);
			__free_page(cmd->pages[j]);
		}
	}
	kfree(q->cmds);
	ib_dma_unmap_single(ibdev, q->cmd_dma,
			    q->recv_size * sizeof(*q->cmd_buf), DMA_FROM_DEVICE);
	kfree(q->cmd_buf);
}

static int dda_cmd_init(struct dda_queue *q, unsigned int i)
{
	struct ib_device *ibdev = q->dev->ibdev;
	struct dda_cmd *cmd = &q->cmds[i];
	u32 left = q->inline_size;
	unsigned int j;

	cmd->queue = q;
	cmd->nvme_cmd = &q->cmd_buf[i];
	cmd->sge[0].addr = q->cmd_dma + i * sizeof(*q->cmd_buf);
	cmd->sge[0].length = sizeof(*q->cmd_buf);
	cmd->sge[0].lkey = q->dev->pd->local_dma_lkey;

	for (j = 0; j < q->inline_pages; j++) {
		struct ib_sge *sge = &cmd->sge[1 + j];
		u32 len = min_t(u32, left, PAGE_SIZE);

		cmd->pages[j] = alloc_page(GFP_KERNEL);
		if (!cmd->pages[j])
			return -ENOMEM;
		/* Mapped, synced and unmapped with the SGE's length. */
		sge->addr = ib_dma_map_page(ibdev, cmd->pages[j], 0, len,
					    DMA_FROM_DEVICE);
		if (ib_dma_mapping_error(ibdev, sge->addr)) {
			__free_page(cmd->pages[j]);
			return -EIO;
		}
		sge->length = len;
		sge->lkey = q->dev->pd->local_dma_lkey;
		cmd->nr_pages++;
		left -= len;
	}

	cmd->cqe.done = dda_rdma_recv_done;
	cmd->wr.wr_cqe = &cmd->cqe;
	cmd->wr.sg_list = cmd->sge;
	cmd->wr.num_sge = 1 + cmd->nr_pages;
	return 0;
}

static int dda_queue_alloc_cmds(struct dda_queue *q)
{
	struct ib_device *ibdev = q->dev->ibdev;
	size_t size = q->recv_size * sizeof(*q->cmd_buf);
	unsigned int i;
	int ret;

	q->cmd_buf = kzalloc(size, GFP_KERNEL);
	if (!q->cmd_buf)
		return -ENOMEM;
	q->cmd_dma = ib_dma_map_single(ibdev, q->cmd_buf, size,
				       DMA_FROM_DEVICE);
	if (ib_dma_mapping_error(ibdev, q->cmd_dma)) {
		ret = -EIO;
		goto out_free_buf;
	}
	q->cmds = kcalloc(q->recv_size, sizeof(*q->cmds), GFP_KERNEL);
	if (!q->cmds) {
		ret = -ENOMEM;
		goto out_unmap_buf;
	}
	for (i = 0; i < q->recv_size; i++) {
		ret = dda_cmd_init(q, i);
		if (ret)
			goto out_free_cmds;
	}
	return 0;

out_free_cmds:
	/* dda_queue_free_cmds() copes with partly set up commands. */
	dda_queue_free_cmds(q);
	return ret;
out_unmap_buf:
	ib_dma_unmap_single(ibdev, q->cmd_dma, size, DMA_FROM_DEVICE);
out_free_buf:
	kfree(q->cmd_buf);
	return ret;
}

static void dda_queue_free_rsps(struct dda_queue *q)
{
	ib_dma_unmap_single(q->dev->ibdev, q->cqe_dma,
			    q->nr_rsps * sizeof(*q->cqe_buf), DMA_TO_DEVICE);
	kfree(q->cqe_buf);
	kvfree(q->rsps);
}

static int dda_queue_alloc_rsps(struct dda_queue *q)
{
	struct ib_device *ibdev = q->dev->ibdev;
	size_t size = q->nr_rsps * sizeof(*q->cqe_buf);
	unsigned int i;

	q->cqe_buf = kzalloc(size, GFP_KERNEL);
	if (!q->cqe_buf)
		return -ENOMEM;
	q->cqe_dma = ib_dma_map_single(ibdev, q->cqe_buf, size, DMA_TO_DEVICE);
	if (ib_dma_mapping_error(ibdev, q->cqe_dma))
		goto out_free_buf;
	q->rsps = kvcalloc(q->nr_rsps, sizeof(*q->rsps), GFP_KERNEL);
	if (!q->rsps)
		goto out_unmap_buf;

	for (i = 0; i < q->nr_rsps; i++) {
		struct dda_rsp *rsp = &q->rsps[i];

		rsp->queue = q;
		rsp->req.cqe = &q->cqe_buf[i];
		rsp->send_sge.addr = q->cqe_dma + i * sizeof(*q->cqe_buf);
		rsp->send_sge.length = sizeof(*q->cqe_buf);
		rsp->send_sge.lkey = q->dev->pd->local_dma_lkey;
		rsp->send_cqe.done = dda_rdma_send_done;
		rsp->read_cqe.done = dda_rdma_read_done;
		rsp->send_wr.wr_cqe = &rsp->send_cqe;
		rsp->send_wr.sg_list = &rsp->send_sge;
		rsp->send_wr.num_sge = 1;
		rsp->send_wr.opcode = IB_WR_SEND;
		rsp->send_wr.send_flags = IB_SEND_SIGNALED;
		llist_add(&rsp->free_node, &q->free_rsps);
	}
	return 0;

out_unmap_buf:
	ib_dma_unmap_single(ibdev, q->cqe_dma, size, DMA_TO_DEVICE);
out_free_buf:
	kfree(q->cqe_buf);
	return -ENOMEM;
}

static void dda_rdma_qp_event(struct ib_event *event, void *context)
{
	struct dda_queue *q = context;

	switch (event->event) {
	case IB_EVENT_COMM_EST:
		/* A capsule beat the CM's RTU: let rdma_cm catch up. */
		rdma_notify(q->cm_id, event->event);
		break;
	default:
		pr_err("queue %d: QP event %s (%d)\n", q->idx,
		       ib_event_msg(event->event), event->event);
		break;
	}
}

static int dda_queue_create_qp(struct dda_queue *q)
{
	struct ib_device *ibdev = q->dev->ibdev;
	struct ib_qp_init_attr attr = {};
	unsigned int mrs;
	int room, cqes, ret;

	/*
	 * Send queue: one SEND per response context, the RDMA READ/WRITE
	 * budget, one for ib_drain_qp(). rdma_rw adds what its MRs need.
	 */
	room = ibdev->attrs.max_qp_wr - q->nr_rsps - 1;
	q->wr_total = min(q->nr_rsps * DDA_RDMA_WRS_PER_RSP, room);
	if (q->wr_total < 1)
		return -ENOSPC;
	atomic_set(&q->wr_avail, q->wr_total);
	cqes = q->recv_size + 1 + q->nr_rsps + q->wr_total + 1;

	/* Shared with other queues: the completion handlers find theirs. */
	q->cq = ib_cq_pool_get(ibdev, cqes, q->idx % ibdev->num_comp_vectors,
			       IB_POLL_WORKQUEUE);
	if (IS_ERR(q->cq))
		return PTR_ERR(q->cq);
	q->cq_size = cqes;

	attr.event_handler = dda_rdma_qp_event;
	attr.qp_context = q;
	attr.send_cq = q->cq;
	attr.recv_cq = q->cq;
	attr.sq_sig_type = IB_SIGNAL_REQ_WR;
	attr.qp_type = IB_QPT_RC;
	attr.port_num = q->cm_id->port_num;
	attr.cap.max_send_wr = q->nr_rsps + q->wr_total + 1;
	/*
	 * rdma_rw sizes its MR pool by contexts: a device that registers
	 * memory for RDMA (iWARP, or force_mr) may need several MRs for one
	 * command of DDA_RDMA_MAX_DATA_LEN.
	 */
	mrs = rdma_rw_mr_factor(ibdev, q->cm_id->port_num,
				DIV_ROUND_UP(DDA_RDMA_MAX_DATA_LEN, PAGE_SIZE));
	attr.cap.max_rdma_ctxs = q->nr_rsps * mrs;
	attr.cap.max_send_sge = max(ibdev->attrs.max_sge_rd,
				    ibdev->attrs.max_send_sge);
	attr.cap.max_recv_wr = q->recv_size + 1;
	attr.cap.max_recv_sge = 1 + q->inline_pages;

	ret = rdma_create_qp(q->cm_id, q->dev->pd, &attr);
	if (ret)
		goto out_free_cq;
	q->qp = q->cm_id->qp;
	return 0;

out_free_cq:
	ib_cq_pool_put(q->cq, q->cq_size);
	return ret;
}

static void dda_queue_destroy_qp(struct dda_queue *q)
{
	rdma_destroy_qp(q->cm_id);
	ib_cq_pool_put(q->cq, q->cq_size);
}

static void dda_queue_live_work(struct work_struct *work);
static void dda_queue_release_work(struct work_struct *work);

/**
 * dda_queue_create() - Set up a queue for a connect request.
 * @dev: the RDMA device; the queue takes over this reference.
 * @cm_id: the new connection's rdma_cm ID.
 * @nport: the nvmet port it came in on.
 * @p: the checked queue parameters.
 *
 * Return: the queue with its receive buffers posted, or an ERR_PTR (then
 * the caller still owns @dev's reference).
 */
static struct dda_queue *dda_queue_create(struct dda_rdma_dev *dev,
					  struct rdma_cm_id *cm_id,
					  struct nvmet_port *nport,
					  const struct dda_cm_params *p)
{
	struct ib_device *ibdev = dev->ibdev;
	struct dda_queue *q;
	unsigned int i;
	int ret;

	q = kzalloc(sizeof(*q), GFP_KERNEL);
	if (!q)
		return ERR_PTR(-ENOMEM);
	q->kind = DDA_CM_QUEUE;
	q->cm_id = cm_id;
	q->dev = dev;
	q->nport = nport;
	q->host_qid = p->qid;
	q->recv_size = p->recv_size;
	q->send_size = p->send_size;
	q->nr_rsps = p->recv_size + p->send_size;
	dda_qsm_init(&q->sm);
	spin_lock_init(&q->wr_lock);
	init_llist_head(&q->free_rsps);
	INIT_LIST_HEAD(&q->wr_wait);
	INIT_LIST_HEAD(&q->entry);
	atomic_set(&q->rsps_busy, 0);
	INIT_WORK(&q->live_work, dda_queue_live_work);
	INIT_WORK(&q->release_work, dda_queue_release_work);

	q->inline_size = READ_ONCE(nport->inline_data_size);
	q->inline_pages = DIV_ROUND_UP(q->inline_size, PAGE_SIZE);
	if (q->inline_pages + 1 > ibdev->attrs.max_recv_sge) {
		/* The host sizes its capsules by what the port advertises. */
		pr_err("%s: %u receive SGEs are too few for %u bytes of in-capsule data\n",
		       dev_name(&ibdev->dev), ibdev->attrs.max_recv_sge,
		       q->inline_size);
		ret = -EINVAL;
		goto out_free_queue;
	}

	ret = ida_alloc(&dda_rdma_queue_ida, GFP_KERNEL);
	if (ret < 0)
		goto out_free_queue;
	q->idx = ret;

	ret = nvmet_sq_init(&q->nvme_sq);
	if (ret)
		goto out_free_idx;

	ret = dda_queue_create_qp(q);
	if (ret)
		goto out_destroy_sq;

	ret = dda_queue_alloc_cmds(q);
	if (ret)
		goto out_destroy_qp;

	ret = dda_queue_alloc_rsps(q);
	if (ret)
		goto out_free_cmds;

	for (i = 0; i < q->recv_size; i++) {
		ret = dda_rdma_post_recv(q, &q->cmds[i]);
		if (ret)
			goto out_drain_qp;
	}
	return q;

out_drain_qp:
	/* Reap the receives already posted before their buffers go. */
	ib_drain_qp(q->qp);
	dda_queue_free_rsps(q);
out_free_cmds:
	dda_queue_free_cmds(q);
out_destroy_qp:
	dda_queue_destroy_qp(q);
out_destroy_sq:
	nvmet_sq_destroy(&q->nvme_sq);
out_free_idx:
	ida_free(&dda_rdma_queue_ida, q->idx);
out_free_queue:
	kfree(q);
	return ERR_PTR(ret);
}

/* Commands still waiting for RDMA work requests will never run. */
static void dda_queue_fail_waiters(struct dda_queue *q)
{
	struct dda_rsp *rsp, *tmp;
	unsigned long flags;
	LIST_HEAD(doomed);

	spin_lock_irqsave(&q->wr_lock, flags);
	list_splice_init(&q->wr_wait, &doomed);
	spin_unlock_irqrestore(&q->wr_lock, flags);

	list_for_each_entry_safe(rsp, tmp, &doomed, entry) {
		list_del_init(&rsp->entry);
		nvmet_req_uninit(&rsp->req);
		dda_rsp_release(rsp, false);
	}
}

static void dda_queue_release_work(struct work_struct *work)
{
	struct dda_queue *q = container_of(work, struct dda_queue,
					   release_work);
	struct dda_rdma_dev *dev = q->dev;
	struct rdma_cm_id *cm_id = q->cm_id;

	pr_debug("queue %d: releasing\n", q->idx);
	/* After the drain, only flush completions can still come. */
	ib_drain_qp(q->qp);
	dda_queue_fail_waiters(q);
	/* Waits for the commands the backend holds; they answer into a dead QP. */
	nvmet_sq_destroy(&q->nvme_sq);
	/*
	 * Those answers posted a receive and a send after the first drain;
	 * their flush completions must run before q->cmds and q are freed.
	 * The responses are counted in rsps_busy, the receives are not.
	 */
	ib_drain_qp(q->qp);
	wait_var_event(&q->rsps_busy, !atomic_read(&q->rsps_busy));

	dda_queue_destroy_qp(q);
	dda_queue_free_rsps(q);
	dda_queue_free_cmds(q);
	dda_nscache_clear(&q->nsc);
	/*
	 * No CM event comes after this, and none may find the queue freed;
	 * nor a live_work it queued (which, the queue closing, does nothing).
	 */
	rdma_destroy_id(cm_id);
	cancel_work_sync(&q->live_work);
	ida_free(&dda_rdma_queue_ida, q->idx);
	kfree(q);
	dda_rdma_dev_put(dev);
}

/*
 * Start tearing @q down; call exactly once per queue, after taking it off
 * dda_rdma_queues (or for a queue never put there).
 */
static void dda_queue_close(struct dda_queue *q)
{
	struct dda_rsp *rsp, *tmp;
	LIST_HEAD(parked);

	dda_qsm_close(&q->sm, &parked);
	list_for_each_entry_safe(rsp, tmp, &parked, entry) {
		list_del_init(&rsp->entry);
		dda_rsp_put(rsp);
	}

	rdma_disconnect(q->cm_id);
	/* nvmet flushes nvmet_wq before it frees a port (see the top). */
	queue_work(nvmet_wq, &q->release_work);
}

static void dda_queue_disconnect(struct dda_queue *q)
{
	bool mine = false;

	mutex_lock(&dda_rdma_queues_lock);
	if (!list_empty(&q->entry)) {
		list_del_init(&q->entry);
		mine = true;
	}
	mutex_unlock(&dda_rdma_queues_lock);

	if (mine)
		dda_queue_close(q);
}

/*
 * The connection is established: the queue goes live and runs the capsules
 * that came first. Not in the CM event handler, which holds the ID's
 * handler mutex: running a Connect takes nvmet_config_sem, under which
 * nvmet removes ports, and removing a port destroys IDs. Capsules keep
 * being parked until this runs, so they run in order.
 */
static void dda_queue_live_work(struct work_struct *work)
{
	struct dda_queue *q = container_of(work, struct dda_queue, live_work);
	struct dda_rsp *rsp, *tmp;
	LIST_HEAD(early);

	if (!dda_qsm_establish(&q->sm, &early))
		return;
	list_for_each_entry_safe(rsp, tmp, &early, entry) {
		list_del_init(&rsp->entry);
		dda_rdma_handle_cmd(q, rsp);
	}
}

static void dda_queue_established(struct dda_queue *q)
{
	queue_work(nvmet_wq, &q->live_work);
}

static void dda_rdma_reject(struct rdma_cm_id *cm_id,
			    enum nvme_rdma_cm_status sts)
{
	struct nvme_rdma_cm_rej rej = {
		.recfmt = cpu_to_le16(NVME_RDMA_CM_FMT_1_0),
		.sts = cpu_to_le16(sts),
	};

	rdma_reject(cm_id, &rej, sizeof(rej), IB_CM_REJ_CONSUMER_DEFINED);
}

static int dda_queue_accept(struct dda_queue *q,
			    const struct rdma_conn_param *host)
{
	struct nvme_rdma_cm_rep rep = {
		.recfmt = cpu_to_le16(NVME_RDMA_CM_FMT_1_0),
		.crqsize = cpu_to_le16(q->recv_size),
	};
	struct rdma_conn_param param = {
		.rnr_retry_count = 7,
		.flow_control = 1,
		/* We issue the RDMA READs: no more than the host serves. */
		.initiator_depth = min_t(u32, host->initiator_depth,
					 q->dev->ibdev->attrs.max_qp_init_rd_atom),
		.private_data = &rep,
		.private_data_len = sizeof(rep),
	};

	return rdma_accept(q->cm_id, &param);
}

/*
 * CONNECT_REQUEST on a new ID. A non-zero return makes rdma_cm destroy the
 * ID, so nothing here may destroy it.
 */
static int dda_rdma_connect(struct rdma_cm_id *cm_id,
			    struct rdma_cm_event *ev)
{
	struct dda_rdma_port *port = cm_id->context;
	struct dda_cm_params p;
	struct dda_rdma_dev *dev;
	struct dda_queue *q;
	int sts, ret;

	sts = dda_rdma_check_cm_req(ev->param.conn.private_data,
				    ev->param.conn.private_data_len, &p);
	if (sts) {
		pr_warn_ratelimited("rejecting connection from %pISpc: %s\n",
				    &cm_id->route.addr.dst_addr,
				    nvme_rdma_cm_msg(sts));
		dda_rdma_reject(cm_id, sts);
		return -ECONNREFUSED;
	}

	dev = dda_rdma_dev_get(cm_id->device);
	if (IS_ERR(dev)) {
		ret = PTR_ERR(dev);
		goto out_reject;
	}
	q = dda_queue_create(dev, cm_id, port->nport, &p);
	if (IS_ERR(q)) {
		ret = PTR_ERR(q);
		goto out_put_dev;
	}
	cm_id->context = &q->kind;

	ret = dda_queue_accept(q, &ev->param.conn);
	if (ret) {
		pr_err("queue %d: accept failed: %d\n", q->idx, ret);
		goto out_free_queue;
	}

	mutex_lock(&dda_rdma_queues_lock);
	list_add_tail(&q->entry, &dda_rdma_queues);
	mutex_unlock(&dda_rdma_queues_lock);
	pr_debug("queue %d: host qid %u, %u capsules, %u responses\n",
		 q->idx, q->host_qid, q->recv_size, q->send_size);
	return 0;

out_free_queue:
	/* Nothing ran on it yet: drain, then undo dda_queue_create(). */
	ib_drain_qp(q->qp);
	nvmet_sq_destroy(&q->nvme_sq);
	dda_queue_destroy_qp(q);
	dda_queue_free_rsps(q);
	dda_queue_free_cmds(q);
	ida_free(&dda_rdma_queue_ida, q->idx);
	kfree(q);
	cm_id->context = port;
	dda_rdma_dev_put(dev);
	return ret;
out_put_dev:
	dda_rdma_dev_put(dev);
out_reject:
	pr_err("cannot set up a queue for %pISpc: %d\n",
	       &cm_id->route.addr.dst_addr, ret);
	dda_rdma_reject(cm_id, NVME_RDMA_CM_NO_RSC);
	return ret;
}

static void dda_rdma_schedule_relisten(struct dda_rdma_port *port,
				       unsigned long delay)
{
	unsigned long flags;

	spin_lock_irqsave(&port->lock, flags);
	if (!port->stopping)
		mod_delayed_work(system_wq, &port->relisten_work, delay);
	spin_unlock_irqrestore(&port->lock, flags);
}

static int dda_rdma_port_event(struct dda_rdma_port *port,
			       struct rdma_cm_id *cm_id,
			       struct rdma_cm_event *ev)
{
	switch (ev->event) {
	case RDMA_CM_EVENT_DEVICE_REMOVAL:
		/* remove_port or relisten may own the ID already. */
		if (xchg(&port->cm_id, NULL) != cm_id)
			return 0;
		pr_info("port %d: RDMA device gone, will listen again when %pISpc is back\n",
			le16_to_cpu(port->nport->disc_addr.portid),
			(struct sockaddr *)&port->addr);
		dda_rdma_schedule_relisten(port, DDA_RDMA_RELISTEN_DELAY);
		return 1;	/* rdma_cm destroys the ID */
	case RDMA_CM_EVENT_ADDR_CHANGE:
		dda_rdma_schedule_relisten(port, 0);
		return 0;
	default:
		pr_debug("port %d: ignoring CM event %s\n",
			 le16_to_cpu(port->nport->disc_addr.portid),
			 rdma_event_msg(ev->event));
		return 0;
	}
}

static int dda_rdma_cm_handler(struct rdma_cm_id *cm_id,
			       struct rdma_cm_event *ev)
{
	enum dda_cm_kind *kind = cm_id->context;
	struct dda_queue *q;

	if (*kind == DDA_CM_PORT) {
		struct dda_rdma_port *port =
			container_of(kind, struct dda_rdma_port, kind);

		if (ev->event == RDMA_CM_EVENT_CONNECT_REQUEST)
			return dda_rdma_connect(cm_id, ev);
		return dda_rdma_port_event(port, cm_id, ev);
	}

	q = container_of(kind, struct dda_queue, kind);
	switch (ev->event) {
	case RDMA_CM_EVENT_ESTABLISHED:
		dda_queue_established(q);
		break;
	case RDMA_CM_EVENT_REJECTED:
	case RDMA_CM_EVENT_UNREACHABLE:
	case RDMA_CM_EVENT_CONNECT_ERROR:
		pr_warn("queue %d: connection failed: %s (%d)\n", q->idx,
			rdma_event_msg(ev->event), ev->status);
		dda_queue_disconnect(q);
		break;
	case RDMA_CM_EVENT_DISCONNECTED:
	case RDMA_CM_EVENT_TIMEWAIT_EXIT:
	case RDMA_CM_EVENT_ADDR_CHANGE:
	case RDMA_CM_EVENT_DEVICE_REMOVAL:
		dda_queue_disconnect(q);
		break;
	default:
		pr_debug("queue %d: ignoring CM event %s\n", q->idx,
			 rdma_event_msg(ev->event));
		break;
	}
	return 0;
}

static int dda_rdma_listen(struct dda_rdma_port *port)
{
	struct sockaddr *addr = (struct sockaddr *)&port->addr;
	struct rdma_cm_id *cm_id;
	int ret;

	cm_id = rdma_create_id(&init_net, dda_rdma_cm_handler, &port->kind,
			       RDMA_PS_TCP, IB_QPT_RC);
	if (IS_ERR(cm_id))
		return PTR_ERR(cm_id);

	/* An IPv6 port must not take the same port number from IPv4. */
	ret = rdma_set_afonly(cm_id, 1);
	if (ret)
		goto out_destroy_id;
	ret = rdma_bind_addr(cm_id, addr);
	if (ret)
		goto out_destroy_id;
	ret = rdma_listen(cm_id, DDA_RDMA_BACKLOG);
	if (ret)
		goto out_destroy_id;

	cm_id = xchg(&port->cm_id, cm_id);
	WARN_ON_ONCE(cm_id);
	return 0;

out_destroy_id:
	rdma_destroy_id(cm_id);
	return ret;
}

static void dda_rdma_unlisten(struct dda_rdma_port *port)
{
	struct rdma_cm_id *cm_id = xchg(&port->cm_id, NULL);

	if (cm_id)
		rdma_destroy_id(cm_id);
}

static void dda_rdma_relisten_work(struct work_struct *work)
{
	struct dda_rdma_port *port = container_of(to_delayed_work(work),
						  struct dda_rdma_port,
						  relisten_work);

	dda_rdma_unlisten(port);
	if (dda_rdma_listen(port)) {
		dda_rdma_schedule_relisten(port, DDA_RDMA_RELISTEN_DELAY);
		return;
	}
	pr_info("port %d: listening again on %pISpc\n",
		le16_to_cpu(port->nport->disc_addr.portid),
		(struct sockaddr *)&port->addr);
}

static int dda_rdma_add_port(struct nvmet_port *nport)
{
	struct nvmf_disc_rsp_page_entry *da = &nport->disc_addr;
	int portid = le16_to_cpu(da->portid);
	int asked = nport->inline_data_size, inline_size = asked;
	struct dda_rdma_port *port;
	u16 af;
	int ret;

	switch (da->adrfam) {
	case NVMF_ADDR_FAMILY_IP4:
		af = AF_INET;
		break;
	case NVMF_ADDR_FAMILY_IP6:
		af = AF_INET6;
		break;
	default:
		pr_err("port %d: address family %u is not IPv4 or IPv6\n",
		       portid, da->adrfam);
		return -EINVAL;
	}
	if (strnlen(da->traddr, NVMF_TRADDR_SIZE) == NVMF_TRADDR_SIZE ||
	    strnlen(da->trsvcid, NVMF_TRSVCID_SIZE) == NVMF_TRSVCID_SIZE) {
		pr_err("port %d: address or service not NUL-terminated\n",
		       portid);
		return -EINVAL;
	}

	if (inline_size < 0) {
		inline_size = DDA_RDMA_DEFAULT_INLINE_SIZE;
	} else if (inline_size > DDA_RDMA_MAX_INLINE_SIZE) {
		pr_warn("port %d: inline_data_size %d reduced to %d\n",
			portid, inline_size, DDA_RDMA_MAX_INLINE_SIZE);
		inline_size = DDA_RDMA_MAX_INLINE_SIZE;
	}

	port = kzalloc(sizeof(*port), GFP_KERNEL);
	if (!port)
		return -ENOMEM;
	port->kind = DDA_CM_PORT;
	port->nport = nport;
	spin_lock_init(&port->lock);
	INIT_DELAYED_WORK(&port->relisten_work, dda_rdma_relisten_work);

	ret = inet_pton_with_scope(&init_net, af, da->traddr, da->trsvcid,
				   &port->addr);
	if (ret) {
		pr_err("port %d: bad address %s port %s\n", portid,
		       da->traddr, da->trsvcid);
		goto out_free_port;
	}

	/*
	 * Queues of the listener read the size: set it first, and give the
	 * port back as it came when it cannot be enabled.
	 */
	nport->inline_data_size = inline_size;
	ret = dda_rdma_listen(port);
	if (ret) {
		pr_err("port %d: cannot listen on %pISpc: %d\n", portid,
		       (struct sockaddr *)&port->addr, ret);
		nport->inline_data_size = asked;
		goto out_free_port;
	}

	nport->priv = port;
	pr_info("port %d: listening on %pISpc\n", portid,
		(struct sockaddr *)&port->addr);
	return 0;

out_free_port:
	kfree(port);
	return ret;
}

static void dda_rdma_remove_port(struct nvmet_port *nport)
{
	struct dda_rdma_port *port = nport->priv;
	struct dda_queue *q, *tmp;
	unsigned long flags;

	spin_lock_irqsave(&port->lock, flags);
	port->stopping = true;
	spin_unlock_irqrestore(&port->lock, flags);
	cancel_delayed_work_sync(&port->relisten_work);
	dda_rdma_unlisten(port);

	/* No new queues can come now; close the ones the port still has. */
	mutex_lock(&dda_rdma_queues_lock);
	list_for_each_entry_safe(q, tmp, &dda_rdma_queues, entry) {
		if (q->nport != nport)
			continue;
		list_del_init(&q->entry);
		dda_queue_close(q);
	}
	mutex_unlock(&dda_rdma_queues_lock);

	nport->priv = NULL;
	kfree(port);
}

static void dda_rdma_delete_ctrl(struct nvmet_ctrl *ctrl)
{
	struct dda_queue *q, *tmp;

	mutex_lock(&dda_rdma_queues_lock);
	list_for_each_entry_safe(q, tmp, &dda_rdma_queues, entry) {
		if (q->nvme_sq.ctrl != ctrl)
			continue;
		list_del_init(&q->entry);
		dda_queue_close(q);
	}
	mutex_unlock(&dda_rdma_queues_lock);
}

static void dda_rdma_disc_traddr(struct nvmet_req *req,
				 struct nvmet_port *nport, char *traddr)
{
	struct dda_rdma_port *port = nport->priv;
	struct dda_rsp *rsp = container_of(req, struct dda_rsp, req);

	/* A wildcard listener reports the address the host came in on. */
	if (port && inet_addr_is_any((struct sockaddr *)&port->addr))
		snprintf(traddr, NVMF_TRADDR_SIZE, "%pISc",
			 &rsp->queue->cm_id->route.addr.src_addr);
	else
		memcpy(traddr, nport->disc_addr.traddr, NVMF_TRADDR_SIZE);
}

/* The Connect command must match the RDMA connection it arrives on. */
static u16 dda_rdma_install_queue(struct nvmet_sq *sq)
{
	struct dda_queue *q = container_of(sq, struct dda_queue, nvme_sq);

	if (sq->qid != q->host_qid || sq->size > q->recv_size) {
		pr_warn_ratelimited("queue %d: Connect for qid %u size %u on a connection for qid %u size %u\n",
				    q->idx, sq->qid, sq->size, q->host_qid,
				    q->recv_size);
		return NVME_SC_CONNECT_INVALID_PARAM | DDA_NVME_DNR;
	}
	return 0;
}

static u8 dda_rdma_get_mdts(const struct nvmet_ctrl *ctrl)
{
	return DDA_RDMA_MDTS;
}

#ifdef HAVE_NVMET_GET_MAX_QUEUE_SIZE
static u16 dda_rdma_get_max_queue_size(const struct nvmet_ctrl *ctrl)
{
	return DDA_RDMA_MAX_QUEUE_SIZE;
}
#endif

static const struct nvmet_fabrics_ops dda_rdma_ops = {
	.owner			= THIS_MODULE,
	.type			= NVMF_TRTYPE_RDMA,
	.msdbd			= 1,
	.flags			= NVMF_KEYED_SGLS,
	.add_port		= dda_rdma_add_port,
	.remove_port		= dda_rdma_remove_port,
	.queue_response		= dda_rdma_queue_response,
	.delete_ctrl		= dda_rdma_delete_ctrl,
	.disc_traddr		= dda_rdma_disc_traddr,
	.install_queue		= dda_rdma_install_queue,
	.get_mdts		= dda_rdma_get_mdts,
#ifdef HAVE_NVMET_GET_MAX_QUEUE_SIZE
	.get_max_queue_size	= dda_rdma_get_max_queue_size,
#endif
};

/* An RDMA device is going away: so do the queues on it, before it does. */
static void dda_rdma_remove_one(struct ib_device *ibdev, void *client_data)
{
	struct dda_queue *q, *tmp;

	mutex_lock(&dda_rdma_queues_lock);
	list_for_each_entry_safe(q, tmp, &dda_rdma_queues, entry) {
		if (q->dev->ibdev != ibdev)
			continue;
		pr_info("queue %d: closing, %s is being removed\n", q->idx,
			dev_name(&ibdev->dev));
		list_del_init(&q->entry);
		dda_queue_close(q);
	}
	mutex_unlock(&dda_rdma_queues_lock);
	flush_workqueue(nvmet_wq);
}

static struct ib_client dda_rdma_client = {
	.name = "nvmet_dda",
	.remove = dda_rdma_remove_one,
};

/**
 * dda_rdma_registered() - Whether our transport holds nvmet's rdma type.
 *
 * Return: true between a successful dda_rdma_init() and dda_rdma_exit().
 */
bool dda_rdma_registered(void)
{
	return READ_ONCE(dda_rdma_is_registered);
}

/*
 * Namespace @nsid of subsystem @nqn as a controller of ours serves it, with
 * a reference (percpu_ref_put() it), and in *@qp the queue that has it; NULL
 * when no controller of ours has the namespace enabled. Caller holds
 * dda_rdma_queues_lock.
 */
static struct nvmet_ns *dda_rdma_served_ns(const char *nqn, u32 nsid,
					   struct dda_queue **qp)
{
	struct nvmet_ns *ns = NULL;
	struct dda_queue *q;

	lockdep_assert_held(&dda_rdma_queues_lock);
	list_for_each_entry(q, &dda_rdma_queues, entry) {
		/* A queue on the list holds its controller. */
		struct nvmet_ctrl *ctrl = READ_ONCE(q->nvme_sq.ctrl);

		if (!ctrl || strcmp(ctrl->subsys->subsysnqn, nqn))
			continue;
		rcu_read_lock();
		ns = xa_load(&ctrl->subsys->namespaces, nsid);
		if (ns && !percpu_ref_tryget_live(&ns->ref))
			ns = NULL;
		rcu_read_unlock();
		*qp = q;
		break;
	}
	return ns;
}

/**
 * dda_rdma_check_ns() - Check a rule against a namespace being served.
 * @nqn: subsystem NQN.
 * @nsid: namespace ID.
 * @r: the rule about to apply.
 * @ext: error message.
 *
 * When a controller of @nqn is connected through nvmet-dda and the namespace
 * is enabled, its backing device and the queue's RDMA device are checked
 * with dda_ns_check(). Namespaces not served now are checked per command.
 * Caller holds dda_policy_lock.
 *
 * Return: 0, or the error of dda_ns_check().
 */
int dda_rdma_check_ns(const char *nqn, u32 nsid, const struct dda_rule *r,
		      struct netlink_ext_ack *ext)
{
	struct dda_queue *q;
	struct nvmet_ns *ns;
	int ret = 0;

	if (r->mode == NVMET_DDA_MODE_OFF)
		return 0;

	mutex_lock(&dda_rdma_queues_lock);
	ns = dda_rdma_served_ns(nqn, nsid, &q);
	if (ns) {
		ret = dda_ns_check(ns->bdev, &q->dev->peer, r, ext);
		percpu_ref_put(&ns->ref);
	}
	mutex_unlock(&dda_rdma_queues_lock);
	return ret;
}

/**
 * dda_rdma_ns_served() - Does a controller of nvmet-dda serve a namespace?
 * @nqn: subsystem NQN.
 * @nsid: namespace ID.
 *
 * Caller may hold dda_policy_lock.
 *
 * Return: true when a queue of ours belongs to a controller of @nqn whose
 * subsystem has namespace @nsid enabled.
 */
bool dda_rdma_ns_served(const char *nqn, u32 nsid)
{
	struct dda_queue *q;
	struct nvmet_ns *ns;

	mutex_lock(&dda_rdma_queues_lock);
	ns = dda_rdma_served_ns(nqn, nsid, &q);
	if (ns)
		percpu_ref_put(&ns->ref);
	mutex_unlock(&dda_rdma_queues_lock);
	return ns;
}

/**
 * dda_rdma_init() - Register the RDMA transport with nvmet.
 *
 * Return: 0; -EBUSY when another module (nvmet-rdma) holds the rdma
 * transport type; another negative errno on other failures.
 */
int dda_rdma_init(void)
{
	int ret;

	ret = ib_register_client(&dda_rdma_client);
	if (ret)
		return ret;

	ret = nvmet_register_transport(&dda_rdma_ops);
	if (ret == -EINVAL) {
		pr_err("the rdma transport is already registered, probably by nvmet_rdma; unload it (modprobe -r nvmet-rdma) to use nvmet-dda\n");
		ret = -EBUSY;
	}
	if (ret)
		goto out_unregister_client;

	WRITE_ONCE(dda_rdma_is_registered, true);
	dda_rdma_debugfs_init();
	return 0;

out_unregister_client:
	ib_unregister_client(&dda_rdma_client);
	return ret;
}

/**
 * dda_rdma_exit() - Unregister the transport; every queue is gone after.
 *
 * nvmet holds a module reference per enabled port, so no port is left;
 * queues of removed ports may still be releasing: wait for them (their
 * release work, on nvmet_wq, is code of this module).
 */
void dda_rdma_exit(void)
{
	dda_rdma_debugfs_exit();
	WRITE_ONCE(dda_rdma_is_registered, false);
	nvmet_unregister_transport(&dda_rdma_ops);
	ib_unregister_client(&dda_rdma_client);
	flush_workqueue(nvmet_wq);
	WARN_ON_ONCE(!list_empty(&dda_rdma_queues));
	ida_destroy(&dda_rdma_queue_ida);
}
