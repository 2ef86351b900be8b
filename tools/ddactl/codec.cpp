// SPDX-License-Identifier: GPL-2.0-only
#include "codec.hpp"

#include <array>
#include <cstring>
#include <new>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include <linux/nvmet_dda.h>

#include "errors.hpp"

namespace ddactl {

namespace {

// libnl's parsing API takes non-const pointers but does not write through
// them; keep the cast in one place.
nlmsghdr *mut(const nlmsghdr *nlh)
{
	return const_cast<nlmsghdr *>(nlh);
}

constexpr nla_policy u8_policy{NLA_U8, 1, 1};
constexpr nla_policy u32_policy{NLA_U32, 4, 4};
constexpr nla_policy u64_policy{NLA_U64, 8, 8};
constexpr nla_policy nested_policy{NLA_NESTED, 0, 0};
// libnl's NLA_STRING (unlike the kernel's) requires the NUL terminator.
constexpr nla_policy string_policy{NLA_STRING, 1, NVMET_DDA_STR_MAX};

// Attribute names (for error messages) and libnl policy of one attribute set,
// both indexed by attribute type.
template <std::size_t N>
struct AttrSet {
	const char *what;
	std::array<const char *, N> names{};
	std::array<nla_policy, N> policy{};

	constexpr AttrSet &add(int type, const char *name, nla_policy p)
	{
		names[type] = name;
		policy[type] = p;
		return *this;
	}
};

#define DDA_ATTR(name, policy) .add(name, #name, policy)

// enum nvmet_dda_attr, shared by every command but INFO_GET.
constexpr auto dda_attrs(const char *what)
{
	constexpr nla_policy pci_policy{NLA_STRING, 1, NVMET_DDA_STR_MAX};
	constexpr nla_policy nqn_policy{NLA_STRING, 1, NVMET_DDA_NQN_MAX};

	return AttrSet<NVMET_DDA_A_MAX + 1>{what}
		DDA_ATTR(NVMET_DDA_A_PROVIDER, pci_policy)
		DDA_ATTR(NVMET_DDA_A_PROVIDER_KIND, u32_policy)
		DDA_ATTR(NVMET_DDA_A_PROVIDER_BAR, u32_policy)
		DDA_ATTR(NVMET_DDA_A_PROVIDER_OFFSET, u64_policy)
		DDA_ATTR(NVMET_DDA_A_PROVIDER_SIZE, u64_policy)
		DDA_ATTR(NVMET_DDA_A_PROVIDER_AVAILABLE, u64_policy)
		DDA_ATTR(NVMET_DDA_A_PROVIDER_DRIVER, string_policy)
		DDA_ATTR(NVMET_DDA_A_SUBSYS, nqn_policy)
		DDA_ATTR(NVMET_DDA_A_NSID, u32_policy)
		DDA_ATTR(NVMET_DDA_A_PORT, u32_policy)
		DDA_ATTR(NVMET_DDA_A_POLICY_MODE, u32_policy)
		DDA_ATTR(NVMET_DDA_A_POLICY_PROVIDER, pci_policy)
		DDA_ATTR(NVMET_DDA_A_POLICY_MIN_IO, u32_policy)
		DDA_ATTR(NVMET_DDA_A_POLICY_MAX_BYTES, u64_policy)
		DDA_ATTR(NVMET_DDA_A_STATS, nested_policy)
		DDA_ATTR(NVMET_DDA_A_IO_BYTES, u32_policy);
}

#undef DDA_ATTR

using DdaAttrs = AttrSet<NVMET_DDA_A_MAX + 1>;
using DdaTable = std::array<nlattr *, NVMET_DDA_A_MAX + 1>;

constexpr auto provider_attrs = dda_attrs("PROVIDER_GET reply");
constexpr auto policy_attrs = dda_attrs("POLICY_GET reply");
constexpr auto stats_attrs = dda_attrs("STATS_GET reply");
constexpr auto pool_dry_attrs = dda_attrs("EVENT_POOL_DRY event");

constexpr auto info_attrs =
	AttrSet<NVMET_DDA_A_INFO_MAX + 1>{"INFO_GET reply"}
		.add(NVMET_DDA_A_INFO_VERSION, "NVMET_DDA_A_INFO_VERSION",
		     string_policy)
		.add(NVMET_DDA_A_INFO_KERNEL_RELEASE,
		     "NVMET_DDA_A_INFO_KERNEL_RELEASE", string_policy)
		.add(NVMET_DDA_A_INFO_P2PDMA, "NVMET_DDA_A_INFO_P2PDMA",
		     u8_policy)
		.add(NVMET_DDA_A_INFO_CAPS, "NVMET_DDA_A_INFO_CAPS",
		     u32_policy)
		.add(NVMET_DDA_A_INFO_GENL_VERSION,
		     "NVMET_DDA_A_INFO_GENL_VERSION", u32_policy);

std::string malformed(const char *what)
{
	return std::string("malformed ") + what + " from " + module_name;
}

std::string length_rule(const nla_policy &p)
{
	if (p.minlen == p.maxlen)
		return std::to_string(p.minlen) + " bytes";
	return std::to_string(p.minlen) + " to " + std::to_string(p.maxlen) +
	       " bytes";
}

// Parses the attributes of a generic netlink message without user header
// into @tb. libnl's policy check does not say which attribute failed, so on
// failure look for the culprit to name it.
template <std::size_t N>
void parse_attrs(const nlmsghdr *nlh, std::array<nlattr *, N> &tb,
		 const AttrSet<N> &set)
{
	if (!genlmsg_valid_hdr(mut(nlh), 0))
		throw NetlinkError(malformed(set.what) +
				   ": truncated generic netlink header");

	int err = genlmsg_parse(mut(nlh), 0, tb.data(), N - 1,
				set.policy.data());
	if (!err)
		return;

	const auto *gnlh = static_cast<const genlmsghdr *>(nlmsg_data(nlh));
	nlattr *pos;
	int rem;
	nla_for_each_attr(pos, genlmsg_attrdata(gnlh, 0),
			  genlmsg_attrlen(gnlh, 0), rem) {
		if (nla_validate(pos, pos->nla_len, N - 1, set.policy.data()) == 0)
			continue;
		const int type = nla_type(pos);
		const auto &p = set.policy[type];
		std::string why;
		if (p.type == NLA_STRING && nla_len(pos) >= p.minlen &&
		    nla_len(pos) <= p.maxlen)
			why = "is not NUL-terminated";
		else
			why = "has length " + std::to_string(nla_len(pos)) +
			      ", expected " + length_rule(p);
		throw NetlinkError(malformed(set.what) + ": attribute " +
				   set.names[type] + " " + why);
	}
	throw NetlinkError(malformed(set.what) + ": " + nl_geterror(err));
}

template <std::size_t N>
const nlattr *require(const std::array<nlattr *, N> &tb, int type,
		      const AttrSet<N> &set)
{
	if (!tb[type])
		throw NetlinkError(malformed(set.what) +
				   ": missing attribute " + set.names[type]);
	return tb[type];
}

void check_cmd(const nlmsghdr *nlh, int cmd, const char *what)
{
	const auto *gnlh = static_cast<const genlmsghdr *>(nlmsg_data(nlh));
	if (gnlh->cmd != cmd)
		throw NetlinkError(malformed(what) + ": command " +
				   std::to_string(gnlh->cmd) + ", expected " +
				   std::to_string(cmd));
}

// Parses a reply of command @cmd into @tb.
void parse_dda(const nlmsghdr *nlh, int cmd, DdaTable &tb, const DdaAttrs &set)
{
	parse_attrs(nlh, tb, set);
	check_cmd(nlh, cmd, set.what);
}

std::string get_string(const DdaTable &tb, int type, const DdaAttrs &set)
{
	return nla_get_string(require(tb, type, set));
}

uint32_t get_u32(const DdaTable &tb, int type, const DdaAttrs &set)
{
	return nla_get_u32(require(tb, type, set));
}

uint64_t get_u64(const DdaTable &tb, int type, const DdaAttrs &set)
{
	return nla_get_u64(require(tb, type, set));
}

// A request for @cmd; a dump when @dump.
MsgPtr request(int family, uint8_t cmd, bool dump = false)
{
	MsgPtr msg = make_msg();
	const int flags = NLM_F_REQUEST | (dump ? NLM_F_DUMP : NLM_F_ACK);

	if (!genlmsg_put(msg.get(), NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, flags,
			 cmd, NVMET_DDA_GENL_VERSION))
		throw std::bad_alloc();
	return msg;
}

// libnl's nla_put_*() fail only when the message is full.
void check_put(int err)
{
	if (err < 0)
		throw std::bad_alloc();
}

void put_string(nl_msg *m, int type, const std::string &v)
{
	check_put(nla_put_string(m, type, v.c_str()));
}

void put_u32(nl_msg *m, int type, uint32_t v)
{
	check_put(nla_put_u32(m, type, v));
}

void put_u64(nl_msg *m, int type, uint64_t v)
{
	check_put(nla_put_u64(m, type, v));
}

void put_target(nl_msg *m, const PolicyTarget &t)
{
	if (t.port) {
		put_u32(m, NVMET_DDA_A_PORT, *t.port);
		return;
	}
	put_string(m, NVMET_DDA_A_SUBSYS, t.subsys);
	put_u32(m, NVMET_DDA_A_NSID, t.nsid);
}

// The extended ACK attributes starting @off bytes into the payload of @nlh.
void decode_ack_tlvs(const nlmsghdr *nlh, std::size_t off, ExtAck &ack)
{
	off = NLMSG_ALIGN(off);
	const std::size_t payload = nlh->nlmsg_len - NLMSG_HDRLEN;
	if (off >= payload)
		return;

	static constexpr auto policy = [] {
		std::array<nla_policy, NLMSGERR_ATTR_MAX + 1> p{};
		p[NLMSGERR_ATTR_MSG] = {NLA_STRING, 1, 0};
		p[NLMSGERR_ATTR_MISS_TYPE] = u32_policy;
		return p;
	}();
	std::array<nlattr *, NLMSGERR_ATTR_MAX + 1> tb{};
	auto *head = reinterpret_cast<nlattr *>(
		static_cast<char *>(nlmsg_data(nlh)) + off);
	if (nla_parse(tb.data(), NLMSGERR_ATTR_MAX, head,
		      static_cast<int>(payload - off), policy.data()) < 0)
		return;

	if (tb[NLMSGERR_ATTR_MSG])
		ack.msg = nla_get_string(tb[NLMSGERR_ATTR_MSG]);
	if (tb[NLMSGERR_ATTR_MISS_TYPE])
		ack.miss_type = nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
}

} // namespace

MsgPtr encode_provider_get(int family, const std::string &address)
{
	MsgPtr msg = request(family, NVMET_DDA_CMD_PROVIDER_GET, address.empty());
	if (!address.empty())
		put_string(msg.get(), NVMET_DDA_A_PROVIDER, address);
	return msg;
}

MsgPtr encode_provider_add(int family, const ProviderAdd &req)
{
	MsgPtr msg = request(family, NVMET_DDA_CMD_PROVIDER_ADD);
	put_string(msg.get(), NVMET_DDA_A_PROVIDER, req.address);
	if (req.bar)
		put_u32(msg.get(), NVMET_DDA_A_PROVIDER_BAR, *req.bar);
	if (req.offset)
		put_u64(msg.get(), NVMET_DDA_A_PROVIDER_OFFSET, *req.offset);
	if (req.size)
		put_u64(msg.get(), NVMET_DDA_A_PROVIDER_SIZE, *req.size);
	return msg;
}

MsgPtr encode_provider_del(int family, const std::string &address)
{
	MsgPtr msg = request(family, NVMET_DDA_CMD_PROVIDER_DEL);
	put_string(msg.get(), NVMET_DDA_A_PROVIDER, address);
	return msg;
}

MsgPtr encode_policy_get(int family, const PolicyTarget &target)
{
	MsgPtr msg = request(family, NVMET_DDA_CMD_POLICY_GET);
	put_target(msg.get(), target);
	return msg;
}

MsgPtr encode_policy_dump(int family, const std::optional<std::string> &subsys)
{
	MsgPtr msg = request(family, NVMET_DDA_CMD_POLICY_GET, true);
	if (subsys)
		put_string(msg.get(), NVMET_DDA_A_SUBSYS, *subsys);
	return msg;
}

MsgPtr encode_policy_set(int family, const PolicyTarget &target,
			 const PolicySettings &settings)
{
	MsgPtr msg = request(family, NVMET_DDA_CMD_POLICY_SET);
	put_target(msg.get(), target);
	if (settings.mode)
		put_u32(msg.get(), NVMET_DDA_A_POLICY_MODE, *settings.mode);
	if (settings.provider)
		put_string(msg.get(), NVMET_DDA_A_POLICY_PROVIDER, *settings.provider);
	if (settings.min_io)
		put_u32(msg.get(), NVMET_DDA_A_POLICY_MIN_IO, *settings.min_io);
	if (settings.max_bytes)
		put_u64(msg.get(), NVMET_DDA_A_POLICY_MAX_BYTES, *settings.max_bytes);
	return msg;
}

MsgPtr encode_policy_del(int family, const PolicyTarget &target)
{
	MsgPtr msg = request(family, NVMET_DDA_CMD_POLICY_DEL);
	put_target(msg.get(), target);
	return msg;
}

MsgPtr encode_stats_get(int family, const std::string &subsys, uint32_t nsid)
{
	MsgPtr msg = request(family, NVMET_DDA_CMD_STATS_GET);
	put_string(msg.get(), NVMET_DDA_A_SUBSYS, subsys);
	put_u32(msg.get(), NVMET_DDA_A_NSID, nsid);
	return msg;
}

MsgPtr encode_stats_dump(int family, const std::optional<std::string> &subsys)
{
	MsgPtr msg = request(family, NVMET_DDA_CMD_STATS_GET, true);
	if (subsys)
		put_string(msg.get(), NVMET_DDA_A_SUBSYS, *subsys);
	return msg;
}

Counters decode_counters(const nlattr *nest, const std::string &what)
{
	Counters c;
	const nlattr *pos;
	int rem;

	nla_for_each_nested(pos, nest, rem) {
		const int type = nla_type(pos);
		const char *key = stat_key(type);
		if (!key)
			continue;	// PAD, or newer than this build
		if (nla_len(pos) != sizeof(uint64_t))
			throw NetlinkError(malformed(what.c_str()) + ": counter " +
					   key + " in NVMET_DDA_A_STATS has length " +
					   std::to_string(nla_len(pos)) +
					   ", expected 8 bytes");
		c.values[type] = nla_get_u64(const_cast<nlattr *>(pos));
	}
	if (rem > 0)
		throw NetlinkError(malformed(what.c_str()) +
				   ": truncated attribute in NVMET_DDA_A_STATS");
	return c;
}

Provider decode_provider(const nlmsghdr *nlh)
{
	const auto &set = provider_attrs;
	DdaTable tb{};
	parse_dda(nlh, NVMET_DDA_CMD_PROVIDER_GET, tb, set);

	Provider p;
	p.address = get_string(tb, NVMET_DDA_A_PROVIDER, set);
	p.kind = get_u32(tb, NVMET_DDA_A_PROVIDER_KIND, set);
	if (tb[NVMET_DDA_A_PROVIDER_BAR])
		p.bar = nla_get_u32(tb[NVMET_DDA_A_PROVIDER_BAR]);
	if (tb[NVMET_DDA_A_PROVIDER_OFFSET])
		p.offset = nla_get_u64(tb[NVMET_DDA_A_PROVIDER_OFFSET]);
	if (p.kind == NVMET_DDA_PROVIDER_BAR) {
		require(tb, NVMET_DDA_A_PROVIDER_BAR, set);
		require(tb, NVMET_DDA_A_PROVIDER_OFFSET, set);
	}
	// Absent when the module cannot read the kernel's pool (uapi header).
	if (tb[NVMET_DDA_A_PROVIDER_SIZE])
		p.size = nla_get_u64(tb[NVMET_DDA_A_PROVIDER_SIZE]);
	if (tb[NVMET_DDA_A_PROVIDER_AVAILABLE])
		p.available = nla_get_u64(tb[NVMET_DDA_A_PROVIDER_AVAILABLE]);
	if (p.kind == NVMET_DDA_PROVIDER_BAR)
		require(tb, NVMET_DDA_A_PROVIDER_SIZE, set);
	p.driver = get_string(tb, NVMET_DDA_A_PROVIDER_DRIVER, set);
	p.stats = decode_counters(require(tb, NVMET_DDA_A_STATS, set), set.what);
	return p;
}

PolicyRule decode_policy(const nlmsghdr *nlh)
{
	const auto &set = policy_attrs;
	DdaTable tb{};
	parse_dda(nlh, NVMET_DDA_CMD_POLICY_GET, tb, set);

	PolicyRule r;
	if (tb[NVMET_DDA_A_PORT] && !tb[NVMET_DDA_A_SUBSYS] && !tb[NVMET_DDA_A_NSID]) {
		r.target.port = nla_get_u32(tb[NVMET_DDA_A_PORT]);
	} else if (tb[NVMET_DDA_A_PORT]) {
		throw NetlinkError(malformed(set.what) +
				   ": a rule with both NVMET_DDA_A_PORT and a namespace");
	} else {
		r.target.subsys = get_string(tb, NVMET_DDA_A_SUBSYS, set);
		r.target.nsid = get_u32(tb, NVMET_DDA_A_NSID, set);
	}
	r.mode = get_u32(tb, NVMET_DDA_A_POLICY_MODE, set);
	r.provider = get_string(tb, NVMET_DDA_A_POLICY_PROVIDER, set);
	r.min_io = get_u32(tb, NVMET_DDA_A_POLICY_MIN_IO, set);
	r.max_bytes = get_u64(tb, NVMET_DDA_A_POLICY_MAX_BYTES, set);
	return r;
}

NsStats decode_ns_stats(const nlmsghdr *nlh)
{
	const auto &set = stats_attrs;
	DdaTable tb{};
	parse_dda(nlh, NVMET_DDA_CMD_STATS_GET, tb, set);

	NsStats s;
	s.subsys = get_string(tb, NVMET_DDA_A_SUBSYS, set);
	s.nsid = get_u32(tb, NVMET_DDA_A_NSID, set);
	s.stats = decode_counters(require(tb, NVMET_DDA_A_STATS, set), set.what);
	return s;
}

PoolDryEvent decode_pool_dry(const nlmsghdr *nlh)
{
	const auto &set = pool_dry_attrs;
	DdaTable tb{};
	parse_dda(nlh, NVMET_DDA_CMD_EVENT_POOL_DRY, tb, set);

	PoolDryEvent e;
	e.provider = get_string(tb, NVMET_DDA_A_PROVIDER, set);
	e.subsys = get_string(tb, NVMET_DDA_A_SUBSYS, set);
	e.nsid = get_u32(tb, NVMET_DDA_A_NSID, set);
	if (tb[NVMET_DDA_A_PROVIDER_AVAILABLE])
		e.available = nla_get_u64(tb[NVMET_DDA_A_PROVIDER_AVAILABLE]);
	e.io_bytes = get_u32(tb, NVMET_DDA_A_IO_BYTES, set);
	return e;
}

MsgPtr encode_info_get(int family)
{
	MsgPtr msg = make_msg();

	if (!genlmsg_put(msg.get(), NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
			 NLM_F_REQUEST | NLM_F_ACK, NVMET_DDA_CMD_INFO_GET,
			 NVMET_DDA_GENL_VERSION))
		throw std::bad_alloc();
	return msg;
}

Info decode_info(const nlmsghdr *nlh)
{
	const auto &set = info_attrs;
	std::array<nlattr *, NVMET_DDA_A_INFO_MAX + 1> tb{};

	parse_attrs(nlh, tb, set);

	const auto *gnlh = static_cast<const genlmsghdr *>(nlmsg_data(nlh));
	if (gnlh->cmd != NVMET_DDA_CMD_INFO_GET)
		throw NetlinkError(malformed(set.what) + ": command " +
				   std::to_string(gnlh->cmd) + ", expected " +
				   std::to_string(NVMET_DDA_CMD_INFO_GET));

	Info info;
	info.version = nla_get_string(require(tb, NVMET_DDA_A_INFO_VERSION, set));
	info.kernel_release =
		nla_get_string(require(tb, NVMET_DDA_A_INFO_KERNEL_RELEASE, set));

	const uint8_t p2pdma = nla_get_u8(require(tb, NVMET_DDA_A_INFO_P2PDMA, set));
	if (p2pdma > 1)
		throw NetlinkError(malformed(set.what) + ": attribute " +
				   set.names[NVMET_DDA_A_INFO_P2PDMA] + " is " +
				   std::to_string(p2pdma) + ", expected 0 or 1");
	info.p2pdma = p2pdma;

	info.caps = nla_get_u32(require(tb, NVMET_DDA_A_INFO_CAPS, set));
	info.genl_version =
		nla_get_u32(require(tb, NVMET_DDA_A_INFO_GENL_VERSION, set));
	return info;
}

std::string ExtAck::describe() const
{
	if (!miss_type)
		return msg;

	std::string missing = "missing attribute type " + std::to_string(*miss_type);
	return msg.empty() ? missing : msg + " (" + missing + ")";
}

ExtAck decode_error_ack(const nlmsghdr *nlh)
{
	if (nlh->nlmsg_type != NLMSG_ERROR ||
	    nlh->nlmsg_len < NLMSG_LENGTH(sizeof(nlmsgerr)))
		throw NetlinkError("malformed netlink error message");

	const auto *e = static_cast<const nlmsgerr *>(nlmsg_data(nlh));
	ExtAck ack;
	ack.error = -e->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return ack;

	// The TLVs follow the echoed request: just its header when the
	// kernel capped the echo (NETLINK_CAP_ACK), all of it otherwise.
	std::size_t off = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < NLMSG_HDRLEN)
			return ack;
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	}
	decode_ack_tlvs(nlh, off, ack);
	return ack;
}

ExtAck decode_done(const nlmsghdr *nlh)
{
	if (nlh->nlmsg_type != NLMSG_DONE)
		throw NetlinkError("malformed netlink done message");

	ExtAck ack;
	// Kernels before 4.x sent no payload; the errno is negative.
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(int)))
		return ack;
	int error;
	std::memcpy(&error, nlmsg_data(nlh), sizeof(error));
	ack.error = error < 0 ? -error : error;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
		decode_ack_tlvs(nlh, sizeof(error), ack);
	return ack;
}

} // namespace ddactl
