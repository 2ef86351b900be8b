// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the placement of one command's buffer (dda_place()) and what
 * happens when the RDMA device cannot map it (dda_buf_unmappable()), on a
 * fake provider with a fake pool and a namespace record outside the table.
 * Each case sets the rule's mode, MIN_IO and quota, the bytes the
 * namespace already holds, the pool's free bytes and the provider's state,
 * and says what must come out: the buffer, the counters, the status, the
 * references.
 */
#include <kunit/test.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "../p2p.h"

/* A pool of host pages with a byte budget, standing in for p2pmem. */
static struct {
	u64 room;
	int allocs;
	int frees;
	bool pause_in_alloc;	/* PROVIDER_DEL strikes during the allocation */
} fake;

static struct scatterlist *fake_alloc(struct dda_provider *prov, u32 len,
				      unsigned int *nents)
{
	struct scatterlist *sg;

	if (len > fake.room)
		return NULL;
	sg = sgl_alloc(len, GFP_KERNEL, nents);
	if (!sg)
		return NULL;
	fake.room -= len;
	fake.allocs++;
	if (fake.pause_in_alloc)
		WRITE_ONCE(prov->paused, true);
	return sg;
}

static void fake_free(struct dda_provider *prov, struct scatterlist *sg)
{
	struct scatterlist *s;
	u64 len = 0;
	int i;

	for_each_sg(sg, s, sg_nents(sg), i)
		len += s->length;
	fake.room += len;
	fake.frees++;
	sgl_free(sg);
}

static const struct dda_pool_ops fake_ops = {
	.alloc = fake_alloc,
	.free = fake_free,
};

struct place_ctx {
	struct dda_nsrec *ns;
	struct dda_provider *prov;
};

static int place_init(struct kunit *test)
{
	struct place_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->ns = kunit_kzalloc(test, sizeof(*c->ns), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c->ns);
	KUNIT_ASSERT_EQ(test, dda_counters_init(&c->ns->st), 0);
	refcount_set(&c->ns->ref, 1);	/* the test's own */
	strscpy(c->ns->nqn, "nqn.2026-11.io.nvmet-dda:kunit-place",
		sizeof(c->ns->nqn));
	c->ns->nsid = 1;
	c->prov = dda_provider_alloc(NULL, NVMET_DDA_PROVIDER_BAR, &fake_ops);
	KUNIT_ASSERT_NOT_NULL(test, c->prov);
	memset(&fake, 0, sizeof(fake));
	test->priv = c;
	return 0;
}

static void place_exit(struct kunit *test)
{
	struct place_ctx *c = test->priv;

	/* Every case gives back all it took: only the test's references. */
	KUNIT_EXPECT_EQ(test, refcount_read(&c->ns->ref), 1);
	KUNIT_EXPECT_EQ(test, kref_read(&c->prov->ref), 1U);
	KUNIT_EXPECT_EQ(test, fake.allocs, fake.frees);
	dda_provider_put(c->prov);
	dda_counters_destroy(&c->ns->st);
}

enum { PROV_NONE, PROV_OK, PROV_DEAD, PROV_PAUSED };
enum { BUF_NONE, BUF_HOST, BUF_P2P };

struct place_case {
	const char *name;
	u32 mode;
	u32 min_io;
	u64 max_bytes;
	u64 held;		/* P2P bytes the namespace has out already */
	u64 room;		/* free bytes in the pool */
	int prov;		/* the resolved provider */
	u32 len;
	/* what must come out */
	u16 status;
	int buf;
	int reason;		/* the one FB_* counter that counts, or 0 */
	bool alloc_failed;	/* the pool was asked and said no */
};

#define OFF	NVMET_DDA_MODE_OFF
#define PREFER	NVMET_DDA_MODE_PREFER
#define REQUIRE	NVMET_DDA_MODE_REQUIRE
#define REQ_ST	NVMET_DDA_REQUIRE_STATUS

static const struct place_case place_cases[] = {
	{ "off, reachable, room", OFF, 0, 0, 0, SZ_1M, PROV_OK, 4096,
	  0, BUF_HOST, NVMET_DDA_STAT_FB_POLICY_OFF },
	{ "off, unreachable", OFF, 0, 0, 0, SZ_1M, PROV_NONE, 4096,
	  0, BUF_HOST, NVMET_DDA_STAT_FB_POLICY_OFF },
	{ "prefer, below min-io", PREFER, 8192, 0, 0, SZ_1M, PROV_OK, 4096,
	  0, BUF_HOST, NVMET_DDA_STAT_FB_TOO_SMALL },
	{ "require, below min-io: host, not a failure", REQUIRE, 8192, 0, 0,
	  SZ_1M, PROV_OK, 4096, 0, BUF_HOST, NVMET_DDA_STAT_FB_TOO_SMALL },
	{ "prefer, at min-io", PREFER, 8192, 0, 0, SZ_1M, PROV_OK, 8192,
	  0, BUF_P2P },
	{ "prefer, reachable, room", PREFER, 0, 0, 0, SZ_1M, PROV_OK, 4096,
	  0, BUF_P2P },
	{ "require, reachable, room", REQUIRE, 0, 0, 0, SZ_1M, PROV_OK, 4096,
	  0, BUF_P2P },
	{ "prefer, unreachable", PREFER, 0, 0, 0, SZ_1M, PROV_NONE, 4096,
	  0, BUF_HOST, NVMET_DDA_STAT_FB_UNREACHABLE },
	{ "require, unreachable", REQUIRE, 0, 0, 0, SZ_1M, PROV_NONE, 4096,
	  REQ_ST, BUF_NONE },
	{ "prefer, provider gone", PREFER, 0, 0, 0, SZ_1M, PROV_DEAD, 4096,
	  0, BUF_HOST, NVMET_DDA_STAT_FB_UNREACHABLE },
	{ "require, provider gone", REQUIRE, 0, 0, 0, SZ_1M, PROV_DEAD, 4096,
	  REQ_ST, BUF_NONE },
	{ "prefer, provider paused by a delete", PREFER, 0, 0, 0, SZ_1M,
	  PROV_PAUSED, 4096, 0, BUF_HOST, NVMET_DDA_STAT_FB_UNREACHABLE },
	{ "prefer, quota full", PREFER, 0, 8192, 8192, SZ_1M, PROV_OK, 4096,
	  0, BUF_HOST, NVMET_DDA_STAT_FB_QUOTA },
	{ "prefer, quota one byte short", PREFER, 0, 8191, 4096, SZ_1M,
	  PROV_OK, 4096, 0, BUF_HOST, NVMET_DDA_STAT_FB_QUOTA },
	{ "prefer, quota just fits", PREFER, 0, 8192, 4096, SZ_1M, PROV_OK,
	  4096, 0, BUF_P2P },
	{ "require, quota full", REQUIRE, 0, 8192, 8192, SZ_1M, PROV_OK, 4096,
	  REQ_ST, BUF_NONE },
	{ "prefer, no quota, much held", PREFER, 0, 0, SZ_1G, SZ_1M, PROV_OK,
	  4096, 0, BUF_P2P },
	{ "prefer, pool empty", PREFER, 0, 0, 0, 0, PROV_OK, 4096,
	  0, BUF_HOST, NVMET_DDA_STAT_FB_EXHAUSTED, true },
	{ "prefer, pool smaller than the I/O", PREFER, 0, 0, 0, 4096, PROV_OK,
	  8192, 0, BUF_HOST, NVMET_DDA_STAT_FB_EXHAUSTED, true },
	{ "require, pool empty", REQUIRE, 0, 0, 0, 0, PROV_OK, 4096,
	  REQ_ST, BUF_NONE, 0, true },
	{ "prefer, pool exactly the I/O", PREFER, 0, 0, 0, 4096, PROV_OK, 4096,
	  0, BUF_P2P },
};

static void place_case_desc(const struct place_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(place, place_cases, place_case_desc);

static u64 ns_stat(struct place_ctx *c, int stat)
{
	return dda_counter(&c->ns->st, stat);
}

static void placed(struct kunit *test)
{
	const struct place_case *pc = test->param_value;
	struct place_ctx *c = test->priv;
	struct dda_rule r = {
		.mode = pc->mode, .min_io = pc->min_io,
		.max_bytes = pc->max_bytes,
	};
	struct dda_provider *prov = NULL;
	struct dda_buf b = {};
	int stat;
	u16 st;

	fake.room = pc->room;
	if (pc->held)
		KUNIT_ASSERT_TRUE(test, dda_outstanding_reserve(&c->ns->st,
								pc->held, 0));
	if (pc->prov != PROV_NONE) {
		prov = c->prov;
		kref_get(&prov->ref);	/* the resolved reference */
		prov->dead = pc->prov == PROV_DEAD;
		prov->paused = pc->prov == PROV_PAUSED;
	}
	refcount_inc(&c->ns->ref);	/* dda_data_alloc()'s lookup */
	b.ns = c->ns;

	st = dda_place(&b, &r, prov, pc->len);

	KUNIT_EXPECT_EQ(test, st, pc->status);
	KUNIT_EXPECT_EQ(test, b.mode, pc->mode);
	switch (pc->buf) {
	case BUF_NONE:
		KUNIT_EXPECT_NULL(test, b.sg);
		KUNIT_EXPECT_NULL(test, b.prov);
		break;
	case BUF_HOST:
		KUNIT_EXPECT_NOT_NULL(test, b.sg);
		KUNIT_EXPECT_NULL(test, b.prov);
		KUNIT_EXPECT_EQ(test, ns_stat(c, NVMET_DDA_STAT_HOST_IOS), 1ULL);
		KUNIT_EXPECT_EQ(test, ns_stat(c, NVMET_DDA_STAT_HOST_BYTES),
				(u64)pc->len);
		break;
	case BUF_P2P:
		KUNIT_EXPECT_NOT_NULL(test, b.sg);
		KUNIT_EXPECT_PTR_EQ(test, b.prov, c->prov);
		KUNIT_EXPECT_EQ(test, ns_stat(c, NVMET_DDA_STAT_HOST_IOS), 0ULL);
		break;
	}
	/* Exactly one fallback reason, the expected one. */
	for (stat = NVMET_DDA_STAT_FB_EXHAUSTED;
	     stat <= NVMET_DDA_STAT_FB_POLICY_OFF; stat++)
		KUNIT_EXPECT_EQ_MSG(test, ns_stat(c, stat),
				    stat == pc->reason ? 1ULL : 0ULL,
				    "counter %d", stat);
	KUNIT_EXPECT_EQ(test, ns_stat(c, NVMET_DDA_STAT_REQUIRE_FAILED),
			pc->status ? 1ULL : 0ULL);
	KUNIT_EXPECT_EQ(test, dda_counter(&c->prov->st,
					  NVMET_DDA_STAT_ALLOC_FAILED),
			pc->alloc_failed ? 1ULL : 0ULL);
	/* The pool is asked only when everything else allows P2P. */
	KUNIT_EXPECT_EQ(test, fake.allocs,
			pc->buf == BUF_P2P ? 1 : 0);
	/* A P2P buffer holds the record and the provider, and its bytes. */
	KUNIT_EXPECT_EQ(test, refcount_read(&c->ns->ref),
			pc->buf == BUF_P2P ? 2 : 1);
	KUNIT_EXPECT_EQ(test, kref_read(&c->prov->ref),
			pc->buf == BUF_P2P ? 2U : 1U);
	KUNIT_EXPECT_EQ(test, ns_stat(c, NVMET_DDA_STAT_OUTSTANDING_BYTES),
			pc->held + (pc->buf == BUF_P2P ? pc->len : 0));
	KUNIT_EXPECT_EQ(test, dda_counter(&c->prov->st,
					  NVMET_DDA_STAT_OUTSTANDING_BYTES),
			pc->buf == BUF_P2P ? (u64)pc->len : 0ULL);
	/* ... and is counted only once the RDMA device mapped it. */
	KUNIT_EXPECT_EQ(test, ns_stat(c, NVMET_DDA_STAT_P2P_IOS), 0ULL);
	dda_buf_mapped(&b);
	KUNIT_EXPECT_EQ(test, ns_stat(c, NVMET_DDA_STAT_P2P_IOS),
			pc->buf == BUF_P2P ? 1ULL : 0ULL);
	/* Host memory was counted when taken, not again. */
	KUNIT_EXPECT_EQ(test, ns_stat(c, NVMET_DDA_STAT_HOST_IOS),
			pc->buf == BUF_HOST ? 1ULL : 0ULL);

	dda_buf_release(&b);
	KUNIT_EXPECT_NULL(test, b.sg);
	KUNIT_EXPECT_EQ(test, ns_stat(c, NVMET_DDA_STAT_P2P_BYTES),
			pc->buf == BUF_P2P ? (u64)pc->len : 0ULL);
	KUNIT_EXPECT_EQ(test, dda_counter(&c->prov->st,
					  NVMET_DDA_STAT_P2P_BYTES),
			pc->buf == BUF_P2P ? (u64)pc->len : 0ULL);
	KUNIT_EXPECT_EQ(test, ns_stat(c, NVMET_DDA_STAT_OUTSTANDING_BYTES),
			pc->held);
	KUNIT_EXPECT_EQ(test, fake.room, pc->room);
	if (pc->held)
		dda_outstanding_release(&c->ns->st, pc->held);
}

/* Without a record (the table is full) nothing is counted or refused. */
static void place_without_record(struct kunit *test)
{
	struct dda_rule r = { .mode = NVMET_DDA_MODE_REQUIRE };
	struct place_ctx *c = test->priv;
	struct dda_buf b = {};

	fake.room = SZ_1M;
	kref_get(&c->prov->ref);
	KUNIT_EXPECT_EQ(test, dda_place(&b, &r, c->prov, 4096), 0);
	KUNIT_EXPECT_NOT_NULL(test, b.sg);
	KUNIT_EXPECT_NULL(test, b.prov);
	KUNIT_EXPECT_EQ(test, fake.allocs, 0);
	dda_buf_release(&b);
}

/* A delete that pauses the provider while the pool is giving a buffer. */
static void place_pause_races_alloc(struct kunit *test)
{
	struct dda_rule r = { .mode = NVMET_DDA_MODE_PREFER };
	struct place_ctx *c = test->priv;
	struct dda_buf b = {};

	fake.room = SZ_1M;
	fake.pause_in_alloc = true;
	kref_get(&c->prov->ref);
	refcount_inc(&c->ns->ref);
	b.ns = c->ns;
	KUNIT_EXPECT_EQ(test, dda_place(&b, &r, c->prov, 4096), 0);
	KUNIT_EXPECT_NULL(test, b.prov);
	KUNIT_EXPECT_EQ(test, fake.allocs, 1);
	KUNIT_EXPECT_EQ(test, fake.frees, 1);
	KUNIT_EXPECT_EQ(test, fake.room, (u64)SZ_1M);
	KUNIT_EXPECT_EQ(test, ns_stat(c, NVMET_DDA_STAT_FB_UNREACHABLE), 1ULL);
	KUNIT_EXPECT_EQ(test, dda_counter(&c->prov->st,
					  NVMET_DDA_STAT_OUTSTANDING_BYTES),
			0ULL);
	KUNIT_EXPECT_EQ(test, ns_stat(c, NVMET_DDA_STAT_OUTSTANDING_BYTES),
			0ULL);
	dda_buf_release(&b);
}

struct unmap_case {
	const char *name;
	u32 mode;
	u16 status;
};

static const struct unmap_case unmap_cases[] = {
	{ "prefer: host memory instead", NVMET_DDA_MODE_PREFER, 0 },
	{ "require: fails, do not retry", NVMET_DDA_MODE_REQUIRE,
	  NVMET_DDA_REQUIRE_STATUS },
};

static void unmap_case_desc(const struct unmap_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(unmap, unmap_cases, unmap_case_desc);

/* The RDMA device cannot map the P2P buffer it got (rdma_rw_ctx_init()). */
static void unmappable(struct kunit *test)
{
	const struct unmap_case *uc = test->param_value;
	struct dda_rule r = { .mode = uc->mode };
	struct place_ctx *c = test->priv;
	struct dda_buf b = {};

	fake.room = SZ_1M;
	kref_get(&c->prov->ref);
	refcount_inc(&c->ns->ref);
	b.ns = c->ns;
	KUNIT_ASSERT_EQ(test, dda_place(&b, &r, c->prov, 65536), 0);
	KUNIT_ASSERT_NOT_NULL(test, b.prov);

	KUNIT_EXPECT_EQ(test, dda_buf_unmappable(&b), uc->status);
	KUNIT_EXPECT_NULL(test, b.prov);
	/* The P2P buffer went back at once, uncounted. */
	KUNIT_EXPECT_EQ(test, fake.room, (u64)SZ_1M);
	KUNIT_EXPECT_EQ(test, ns_stat(c, NVMET_DDA_STAT_OUTSTANDING_BYTES),
			0ULL);
	KUNIT_EXPECT_EQ(test, kref_read(&c->prov->ref), 1U);
	if (uc->status) {
		KUNIT_EXPECT_NULL(test, b.sg);
		KUNIT_EXPECT_EQ(test,
				ns_stat(c, NVMET_DDA_STAT_REQUIRE_FAILED), 1ULL);
		KUNIT_EXPECT_EQ(test, ns_stat(c, NVMET_DDA_STAT_HOST_IOS),
				0ULL);
	} else {
		KUNIT_EXPECT_NOT_NULL(test, b.sg);
		KUNIT_EXPECT_EQ(test,
				ns_stat(c, NVMET_DDA_STAT_FB_UNREACHABLE), 1ULL);
		KUNIT_EXPECT_EQ(test, ns_stat(c, NVMET_DDA_STAT_HOST_IOS),
				1ULL);
		KUNIT_EXPECT_EQ(test, ns_stat(c, NVMET_DDA_STAT_HOST_BYTES),
				65536ULL);
	}
	/* The host buffer that replaced it maps: it is not counted again. */
	dda_buf_mapped(&b);
	KUNIT_EXPECT_EQ(test, ns_stat(c, NVMET_DDA_STAT_HOST_IOS),
			uc->status ? 0ULL : 1ULL);
	dda_buf_release(&b);
	/* Counted once, where the data went: never as P2P. */
	KUNIT_EXPECT_EQ(test, ns_stat(c, NVMET_DDA_STAT_P2P_IOS), 0ULL);
	KUNIT_EXPECT_EQ(test, dda_counter(&c->prov->st, NVMET_DDA_STAT_P2P_IOS),
			0ULL);
}

static struct kunit_case nvmet_dda_place_cases[] = {
	KUNIT_CASE_PARAM(placed, place_gen_params),
	KUNIT_CASE(place_without_record),
	KUNIT_CASE(place_pause_races_alloc),
	KUNIT_CASE_PARAM(unmappable, unmap_gen_params),
	{}
};

static struct kunit_suite nvmet_dda_place_suite = {
	.name = "nvmet_dda_place",
	.init = place_init,
	.exit = place_exit,
	.test_cases = nvmet_dda_place_cases,
};

kunit_test_suites(&nvmet_dda_place_suite);
