// SPDX-License-Identifier: GPL-2.0-only
#include "keywords.hpp"

#include <algorithm>

#include "errors.hpp"

namespace ddactl {

namespace {

std::string normal(std::string word)
{
	std::replace(word.begin(), word.end(), '_', '-');
	return word;
}

} // namespace

std::string keyword_list(const std::vector<Keyword> &keywords)
{
	std::string r;
	for (const auto &k : keywords)
		r += (r.empty() ? "" : ", ") + k.key;
	return r;
}

void KeywordArgs::attach(CLI::App *verb, const std::string &positional,
			 const std::string &help, std::vector<Keyword> keywords,
			 bool required)
{
	keywords_ = std::move(keywords);
	auto *p = verb->add_option(positional, positional_, help);
	if (required)
		p->required();
	for (const auto &k : keywords_) {
		const std::string key = k.key;
		verb->add_option_function<std::string>(
			    "--" + key,
			    [this, key](const std::string &v) { options_.emplace_back(key, v); },
			    k.help + " (also: " + key + " " + k.value_name + ")")
			->type_name(k.value_name);
	}
}

std::vector<std::string> KeywordArgs::words() const
{
	std::vector<std::string> w = positional_;
	for (const auto &[k, v] : options_) {
		w.push_back(k);
		w.push_back(v);
	}
	return w;
}

const Keyword *KeywordArgs::find(const std::string &word) const
{
	const std::string n = normal(word);
	for (const auto &k : keywords_)
		if (k.key == n)
			return &k;
	return nullptr;
}

KeywordValues KeywordArgs::parse(const std::string &object, std::size_t min_leading,
				 std::size_t max_leading, const std::string &usage) const
{
	const std::vector<std::string> w = words();
	KeywordValues r;
	std::size_t i = 0;
	while (i < w.size() && r.leading.size() < max_leading && !find(w[i]))
		r.leading.push_back(w[i++]);
	if (r.leading.size() < min_leading)
		throw UsageError(object + ": give " + usage);
	for (; i < w.size(); i += 2) {
		const Keyword *k = find(w[i]);
		if (!k)
			throw UsageError(object + ": unknown argument '" + w[i] + "'; " +
					 (keywords_.empty() ? "give " + usage
							    : "use " + keyword_list(keywords_)));
		if (i + 1 >= w.size())
			throw UsageError(object + ": '" + k->key + "' needs a value (" +
					 k->key + " " + k->value_name + ")");
		if (r.values.count(k->key))
			throw UsageError(object + ": '" + k->key + "' is given twice; give it once");
		r.values[k->key] = w[i + 1];
	}
	for (const auto &k : keywords_)
		if (r.values.count(k.key))
			r.order.push_back(k.key);
	return r;
}

Settings KeywordArgs::settings(const std::string &object, const KeywordValues &v) const
{
	Settings s;
	for (const auto &key : v.order) {
		const Keyword *k = find(key);
		if (!k || k->file.empty())
			continue;
		const std::string &value = v.values.at(key);
		s.emplace_back(k->file, k->check ? k->check(object + ": " + key, value) : value);
	}
	return s;
}

} // namespace ddactl
