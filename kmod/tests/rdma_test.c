// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the RDMA transport's checks of what hosts send (CM private data,
 * SGL descriptors), the queue state machine on fake capsules, and which
 * RDMA devices get P2P memory, on fake devices.
 */
#include <kunit/test.h>
#include <linux/nvme.h>
#include <linux/nvme-rdma.h>
#include <linux/pci.h>
#include <rdma/ib_verbs.h>

#include "../rdma.h"
#include "../p2p.h"
#include "fakes.h"

#define DNR 0x4000

struct cm_case {
	const char *name;
	u16 recfmt, qid, hrqsize, hsqsize;
	u8 len;		/* private data length; 0: the full record */
	bool null;	/* no private data at all */
	int want;	/* 0 or enum nvme_rdma_cm_status */
	u16 recv_size, send_size;
};

static const struct cm_case cm_cases[] = {
	{ "admin queue as Linux hosts ask", 0, 0, 32, 31, .recv_size = 32,
	  .send_size = 32 },
	{ "I/O queue of 128", 0, 1, 128, 127, .recv_size = 128,
	  .send_size = 128 },
	{ "I/O queue of 2", 0, 7, 2, 1, .recv_size = 2, .send_size = 2 },
	{ "highest qid", 0, DDA_RDMA_MAX_QID, 64, 63, .recv_size = 64,
	  .send_size = 64 },
	{ "more responses than capsules", 0, 3, 100, 31, .recv_size = 32,
	  .send_size = 100 },
	{ "no private data", .null = true, .want = NVME_RDMA_CM_INVALID_LEN },
	{ "short private data", 0, 1, 128, 127, .len = 7,
	  .want = NVME_RDMA_CM_INVALID_LEN },
	{ "record format 1", 1, 1, 128, 127,
	  .want = NVME_RDMA_CM_INVALID_RECFMT },
	{ "record format 0xffff", 0xffff, 1, 128, 127,
	  .want = NVME_RDMA_CM_INVALID_RECFMT },
	{ "qid beyond the limit", 0, DDA_RDMA_MAX_QID + 1, 128, 127,
	  .want = NVME_RDMA_CM_INVALID_QID },
	{ "qid 0xffff", 0, 0xffff, 128, 127,
	  .want = NVME_RDMA_CM_INVALID_QID },
	{ "hsqsize 0", 0, 1, 1, 0, .want = NVME_RDMA_CM_INVALID_HSQSIZE },
	{ "hsqsize 128 (129 entries)", 0, 1, 129, 128,
	  .want = NVME_RDMA_CM_INVALID_HSQSIZE },
	{ "hsqsize 0xffff", 0, 1, 128, 0xffff,
	  .want = NVME_RDMA_CM_INVALID_HSQSIZE },
	{ "admin hsqsize beyond NVME_AQ_DEPTH", 0, 0, 33, 32,
	  .want = NVME_RDMA_CM_INVALID_HSQSIZE },
	{ "hrqsize below hsqsize + 1", 0, 1, 127, 127,
	  .want = NVME_RDMA_CM_INVALID_HRQSIZE },
	{ "hrqsize 0", 0, 1, 0, 127, .want = NVME_RDMA_CM_INVALID_HRQSIZE },
	{ "hrqsize beyond 128", 0, 1, 129, 127,
	  .want = NVME_RDMA_CM_INVALID_HRQSIZE },
	{ "admin hrqsize beyond NVME_AQ_DEPTH", 0, 0, 33, 31,
	  .want = NVME_RDMA_CM_INVALID_HRQSIZE },
};

static void cm_case_desc(const struct cm_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(cm, cm_cases, cm_case_desc);

static void cm_req_checked(struct kunit *test)
{
	const struct cm_case *c = test->param_value;
	struct nvme_rdma_cm_req req = {
		.recfmt = cpu_to_le16(c->recfmt),
		.qid = cpu_to_le16(c->qid),
		.hrqsize = cpu_to_le16(c->hrqsize),
		.hsqsize = cpu_to_le16(c->hsqsize),
	};
	struct dda_cm_params p = {};
	u8 len = c->len ? c->len : sizeof(req);

	KUNIT_EXPECT_EQ(test,
			dda_rdma_check_cm_req(c->null ? NULL : &req, len, &p),
			c->want);
	if (c->want)
		return;
	KUNIT_EXPECT_EQ(test, p.qid, c->qid);
	KUNIT_EXPECT_EQ(test, p.recv_size, c->recv_size);
	KUNIT_EXPECT_EQ(test, p.send_size, c->send_size);
}

/* Longer private data (a future record format) is fine if the head is. */
static void cm_req_longer_is_fine(struct kunit *test)
{
	u8 buf[56] = {};
	struct nvme_rdma_cm_req *req = (void *)buf;
	struct dda_cm_params p;

	req->qid = cpu_to_le16(2);
	req->hrqsize = cpu_to_le16(16);
	req->hsqsize = cpu_to_le16(15);
	KUNIT_EXPECT_EQ(test, dda_rdma_check_cm_req(buf, sizeof(buf), &p), 0);
	KUNIT_EXPECT_EQ(test, p.recv_size, 16);
}

enum { WR, RD };	/* a write (host to controller) or read command */

struct sgl_case {
	const char *name;
	int dir;
	u8 type;
	u64 addr;
	u32 len;
	u32 key;
	u32 inline_size;
	u16 want;
	enum dda_sgl_kind kind;
	bool invalidate;
	u16 err_loc;
};

#define KEYED	(NVME_KEY_SGL_FMT_DATA_DESC << 4)
#define KEYED_INV ((NVME_KEY_SGL_FMT_DATA_DESC << 4) | NVME_SGL_FMT_INVALIDATE)
#define INLINE	((NVME_SGL_FMT_DATA_DESC << 4) | NVME_SGL_FMT_OFFSET)
#define DPTR	offsetof(struct nvme_common_command, dptr)
#define OPCODE	offsetof(struct nvme_common_command, opcode)

static const struct sgl_case sgl_cases[] = {
	{ "keyed read 4k", RD, KEYED, 0x1000, 4096, 0x1234, 4096, 0,
	  DDA_SGL_KEYED },
	{ "keyed write 1M with invalidate", WR, KEYED_INV, 0xdead0000,
	  DDA_RDMA_MAX_DATA_LEN, 0xabcdef01, 4096, 0, DDA_SGL_KEYED, true },
	{ "keyed length 0 is no data", RD, KEYED, 0, 0, 0, 4096, 0,
	  DDA_SGL_NONE },
	{ "keyed beyond MDTS", WR, KEYED, 0, DDA_RDMA_MAX_DATA_LEN + 1, 1,
	  4096, NVME_SC_SGL_INVALID_DATA | DNR, .err_loc = DPTR },
	{ "keyed 16M - 1", RD, KEYED, 0, 0xffffff, 1, 4096,
	  NVME_SC_SGL_INVALID_DATA | DNR, .err_loc = DPTR },
	{ "inline write 4k", WR, INLINE, 0, 4096, 0, 4096, 0, DDA_SGL_INLINE },
	{ "inline write at an offset", WR, INLINE, 512, 1024, 0, 4096, 0,
	  DDA_SGL_INLINE },
	{ "inline write of 0 bytes", WR, INLINE, 0, 0, 0, 4096, 0,
	  DDA_SGL_NONE },
	{ "inline write past the end", WR, INLINE, 1, 4096, 0, 4096,
	  NVME_SC_SGL_INVALID_OFFSET | DNR, .err_loc = DPTR },
	{ "inline write larger than inline size", WR, INLINE, 0, 8192, 0,
	  4096, NVME_SC_SGL_INVALID_OFFSET | DNR, .err_loc = DPTR },
	{ "inline offset that would wrap", WR, INLINE, ~0ULL - 10, 100, 0,
	  4096, NVME_SC_SGL_INVALID_OFFSET | DNR, .err_loc = DPTR },
	{ "inline on a port without inline data", WR, INLINE, 0, 64, 0, 0,
	  NVME_SC_SGL_INVALID_OFFSET | DNR, .err_loc = DPTR },
	{ "inline read", RD, INLINE, 0, 512, 0, 4096,
	  NVME_SC_INVALID_FIELD | DNR, .err_loc = OPCODE },
	{ "data block with an address", WR,
	  (NVME_SGL_FMT_DATA_DESC << 4) | NVME_SGL_FMT_ADDRESS, 0, 512, 0, 4096,
	  NVME_SC_SGL_INVALID_TYPE | DNR, .err_loc = DPTR },
	{ "keyed with offset subtype", RD, KEYED | NVME_SGL_FMT_OFFSET, 0,
	  512, 1, 4096, NVME_SC_SGL_INVALID_TYPE | DNR, .err_loc = DPTR },
	{ "segment descriptor", RD, NVME_SGL_FMT_SEG_DESC << 4, 0, 512, 1,
	  4096, NVME_SC_SGL_INVALID_TYPE | DNR, .err_loc = DPTR },
	{ "transport descriptor", RD, NVME_TRANSPORT_SGL_DATA_DESC << 4, 0,
	  512, 1, 4096, NVME_SC_SGL_INVALID_TYPE | DNR, .err_loc = DPTR },
};

static void sgl_case_desc(const struct sgl_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(sgl, sgl_cases, sgl_case_desc);

static void sgl_classified(struct kunit *test)
{
	const struct sgl_case *c = test->param_value;
	struct nvme_command cmd = {};
	struct dda_sgl sgl;

	cmd.common.opcode = c->dir == WR ? nvme_cmd_write : nvme_cmd_read;
	if (c->type == KEYED || c->type == KEYED_INV ||
	    (c->type >> 4) == NVME_KEY_SGL_FMT_DATA_DESC) {
		cmd.common.dptr.ksgl.addr = cpu_to_le64(c->addr);
		put_unaligned_le24(c->len, cmd.common.dptr.ksgl.length);
		put_unaligned_le32(c->key, cmd.common.dptr.ksgl.key);
		cmd.common.dptr.ksgl.type = c->type;
	} else {
		cmd.common.dptr.sgl.addr = cpu_to_le64(c->addr);
		cmd.common.dptr.sgl.length = cpu_to_le32(c->len);
		cmd.common.dptr.sgl.type = c->type;
	}

	KUNIT_ASSERT_EQ(test, dda_rdma_parse_sgl(&cmd, c->inline_size, &sgl),
			c->want);
	if (c->want) {
		KUNIT_EXPECT_EQ(test, sgl.err_loc, c->err_loc);
		return;
	}
	KUNIT_EXPECT_EQ(test, sgl.kind, c->kind);
	if (sgl.kind == DDA_SGL_NONE)
		return;
	KUNIT_EXPECT_EQ(test, sgl.len, c->len);
	KUNIT_EXPECT_EQ(test, sgl.addr, c->addr);
	KUNIT_EXPECT_EQ(test, sgl.invalidate, c->invalidate);
	if (sgl.kind == DDA_SGL_KEYED)
		KUNIT_EXPECT_EQ(test, sgl.key, c->key);
}

/* Fabrics commands take their direction from fctype, not the opcode. */
static void sgl_fabrics_connect_is_a_write(struct kunit *test)
{
	struct nvme_command cmd = {};
	struct dda_sgl sgl;

	cmd.connect.opcode = nvme_fabrics_command;
	cmd.connect.fctype = nvme_fabrics_type_connect;
	cmd.common.dptr.sgl.length = cpu_to_le32(1024);
	cmd.common.dptr.sgl.type = INLINE;
	KUNIT_EXPECT_EQ(test, dda_rdma_parse_sgl(&cmd, 4096, &sgl), 0);
	KUNIT_EXPECT_EQ(test, sgl.kind, DDA_SGL_INLINE);

	cmd.connect.fctype = nvme_fabrics_type_property_get;
	KUNIT_EXPECT_EQ(test, dda_rdma_parse_sgl(&cmd, 4096, &sgl),
			NVME_SC_INVALID_FIELD | DNR);
}

/* What decides about P2P memory for an RDMA device, on fake devices. */
static void peer_of_device(struct kunit *test)
{
	struct ib_device *ibdev = kunit_kzalloc(test, sizeof(*ibdev),
						GFP_KERNEL);
	struct pci_dev *pdev = kunit_kzalloc(test, sizeof(*pdev), GFP_KERNEL);
	struct device *plain = kunit_kzalloc(test, sizeof(*plain), GFP_KERNEL);
	struct dda_peer peer;

	KUNIT_ASSERT_NOT_NULL(test, ibdev);
	KUNIT_ASSERT_NOT_NULL(test, pdev);
	KUNIT_ASSERT_NOT_NULL(test, plain);
	dda_fake_pci(pdev);

	if (IS_ENABLED(CONFIG_INFINIBAND_VIRT_DMA)) {
		/* rxe, siw: the CPU copies; no device in the distance check. */
		dda_rdma_peer_init(&peer, ibdev);
		KUNIT_EXPECT_NULL(test, peer.dma);
	}
	/* A device whose DMA is not a PCI function's: no P2P memory. */
	ibdev->dma_device = plain;
	dda_rdma_peer_init(&peer, ibdev);
	KUNIT_EXPECT_PTR_EQ(test, peer.dma, plain);
	KUNIT_EXPECT_FALSE(test, peer.p2p);
	/* A PCI NIC with dma-direct (no dma_ops): P2P, and distance counts. */
	ibdev->dma_device = &pdev->dev;
	dda_rdma_peer_init(&peer, ibdev);
	KUNIT_EXPECT_PTR_EQ(test, peer.dma, &pdev->dev);
	KUNIT_EXPECT_EQ(test, peer.p2p,
			IS_ENABLED(CONFIG_PCI_P2PDMA) &&
			compat_ib_dma_p2p_supported(ibdev));
	/* ... but not one the IOMMU does not trust (its maps may bounce). */
	pdev->untrusted = 1;
	dda_rdma_peer_init(&peer, ibdev);
	KUNIT_EXPECT_FALSE(test, peer.p2p);
}

static struct kunit_case nvmet_dda_rdma_cases[] = {
	KUNIT_CASE_PARAM(cm_req_checked, cm_gen_params),
	KUNIT_CASE(cm_req_longer_is_fine),
	KUNIT_CASE_PARAM(sgl_classified, sgl_gen_params),
	KUNIT_CASE(sgl_fabrics_connect_is_a_write),
	KUNIT_CASE(peer_of_device),
	{}
};

static struct kunit_suite nvmet_dda_rdma_suite = {
	.name = "nvmet_dda_rdma",
	.test_cases = nvmet_dda_rdma_cases,
};

/* A capsule as the state machine sees it: a list entry and a number. */
struct fake_cap {
	struct list_head entry;
	int n;
};

/* The numbers of the capsules on @l, in order, into @out; how many. */
static int caps_of(struct list_head *l, int *out, int max)
{
	struct fake_cap *c;
	int n = 0;

	list_for_each_entry(c, l, entry)
		if (n < max)
			out[n++] = c->n;
	return n;
}

/* Capsules before ESTABLISHED wait, then run in arrival order. */
static void qsm_early_capsules_run_in_order(struct kunit *test)
{
	struct fake_cap caps[4];
	struct dda_qsm m;
	LIST_HEAD(run);
	LIST_HEAD(none);
	int got[4], i;

	dda_qsm_init(&m);
	for (i = 0; i < 3; i++) {
		caps[i].n = i;
		KUNIT_EXPECT_EQ(test, dda_qsm_arrive(&m, &caps[i].entry),
				DDA_QSM_PARKED);
	}
	KUNIT_EXPECT_TRUE(test, dda_qsm_establish(&m, &run));
	KUNIT_ASSERT_EQ(test, caps_of(&run, got, 4), 3);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, got[i], i);
	KUNIT_EXPECT_TRUE(test, list_empty(&m.early));

	/* Live: capsules run at once; a second ESTABLISHED changes nothing. */
	KUNIT_EXPECT_EQ(test, dda_qsm_arrive(&m, &caps[3].entry),
			DDA_QSM_RUN);
	KUNIT_EXPECT_FALSE(test, dda_qsm_establish(&m, &none));
	KUNIT_EXPECT_TRUE(test, list_empty(&none));

	/* Closing is for good: once, then capsules are dropped. */
	KUNIT_EXPECT_TRUE(test, dda_qsm_close(&m, &none));
	KUNIT_EXPECT_TRUE(test, list_empty(&none));
	KUNIT_EXPECT_FALSE(test, dda_qsm_close(&m, &none));
	KUNIT_EXPECT_EQ(test, dda_qsm_arrive(&m, &caps[3].entry),
			DDA_QSM_DROP);
	KUNIT_EXPECT_FALSE(test, dda_qsm_establish(&m, &none));
	KUNIT_EXPECT_EQ(test, m.state, DDA_Q_CLOSING);
}

/* A queue closed before it was established hands its parked capsules back. */
static void qsm_close_while_connecting(struct kunit *test)
{
	struct fake_cap caps[2] = { { .n = 10 }, { .n = 11 } };
	struct dda_qsm m;
	LIST_HEAD(dropped);
	LIST_HEAD(run);
	int got[2];

	dda_qsm_init(&m);
	KUNIT_EXPECT_EQ(test, dda_qsm_arrive(&m, &caps[0].entry),
			DDA_QSM_PARKED);
	KUNIT_EXPECT_EQ(test, dda_qsm_arrive(&m, &caps[1].entry),
			DDA_QSM_PARKED);
	KUNIT_EXPECT_TRUE(test, dda_qsm_close(&m, &dropped));
	KUNIT_ASSERT_EQ(test, caps_of(&dropped, got, 2), 2);
	KUNIT_EXPECT_EQ(test, got[0], 10);
	KUNIT_EXPECT_EQ(test, got[1], 11);
	/* A late ESTABLISHED does not bring it back. */
	KUNIT_EXPECT_FALSE(test, dda_qsm_establish(&m, &run));
	KUNIT_EXPECT_TRUE(test, list_empty(&run));
	KUNIT_EXPECT_EQ(test, dda_qsm_arrive(&m, &caps[0].entry),
			DDA_QSM_DROP);
}

/* Errors fail the controller as a whole, as in nvmet-rdma. */
static void qsm_faults(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, dda_qsm_fault(true, true), DDA_QSM_IGNORE);
	KUNIT_EXPECT_EQ(test, dda_qsm_fault(true, false), DDA_QSM_IGNORE);
	KUNIT_EXPECT_EQ(test, dda_qsm_fault(false, true), DDA_QSM_FAIL_CTRL);
	KUNIT_EXPECT_EQ(test, dda_qsm_fault(false, false), DDA_QSM_CLOSE);
}

static struct kunit_case nvmet_dda_queue_cases[] = {
	KUNIT_CASE(qsm_early_capsules_run_in_order),
	KUNIT_CASE(qsm_close_while_connecting),
	KUNIT_CASE(qsm_faults),
	{}
};

static struct kunit_suite nvmet_dda_queue_suite = {
	.name = "nvmet_dda_queue",
	.test_cases = nvmet_dda_queue_cases,
};

kunit_test_suites(&nvmet_dda_rdma_suite, &nvmet_dda_queue_suite);
