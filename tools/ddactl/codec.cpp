// SPDX-License-Identifier: GPL-2.0-only
#include "codec.hpp"

#include <array>
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

} // namespace

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
	off = NLMSG_ALIGN(off);
	const std::size_t payload = nlh->nlmsg_len - NLMSG_HDRLEN;
	if (off >= payload)
		return ack;

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
		return ack;

	if (tb[NLMSGERR_ATTR_MSG])
		ack.msg = nla_get_string(tb[NLMSGERR_ATTR_MSG]);
	if (tb[NLMSGERR_ATTR_MISS_TYPE])
		ack.miss_type = nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
	return ack;
}

} // namespace ddactl
