// SPDX-License-Identifier: GPL-2.0-only
#include "output.hpp"

#include <algorithm>
#include <cstdio>
#include <ostream>

namespace ddactl {

void Printer::add(Show show, std::string_view key, std::string_view label,
		  nlohmann::ordered_json value, std::string text)
{
	if (format_ == Format::text) {
		if (show != Show::json)
			lines_.emplace_back(label, std::move(text));
	} else if (show != Show::text) {
		doc_[std::string(key)] = std::move(value);
	}
}

void Printer::print_string(Show show, std::string_view key,
			   std::string_view label, std::string_view value)
{
	add(show, key, label, value, std::string(value));
}

void Printer::print_bool(Show show, std::string_view key,
			 std::string_view label, bool value)
{
	add(show, key, label, value, value ? "yes" : "no");
}

void Printer::print_uint(Show show, std::string_view key,
			 std::string_view label, uint64_t value)
{
	add(show, key, label, value, std::to_string(value));
}

void Printer::print_hex(Show show, std::string_view key,
			std::string_view label, uint64_t value)
{
	char hex[sizeof("0x") + 16];
	std::snprintf(hex, sizeof(hex), "0x%llx",
		      static_cast<unsigned long long>(value));
	add(show, key, label, value, hex);
}

void Printer::print_list(Show show, std::string_view key,
			 std::string_view label,
			 const std::vector<std::string> &values)
{
	std::string text;
	for (const auto &v : values)
		text += (text.empty() ? "" : " ") + v;
	add(show, key, label, values, values.empty() ? "none" : text);
}

void Printer::finish()
{
	if (format_ != Format::text) {
		const int indent = format_ == Format::json_pretty ? 2 : -1;
		out_ << doc_.dump(indent, ' ', false,
				  nlohmann::ordered_json::error_handler_t::replace)
		     << '\n';
		return;
	}

	std::size_t width = 0;
	for (const auto &[label, text] : lines_)
		width = std::max(width, label.size());
	for (const auto &[label, text] : lines_)
		out_ << label << ':' << std::string(width - label.size() + 1, ' ')
		     << text << '\n';
}

namespace {

std::string text_of(const nlohmann::ordered_json &v)
{
	if (v.is_string()) {
		const std::string s = v.get<std::string>();
		if (s.empty())
			return "\"\"";
		return s.find(' ') == std::string::npos ? s : "\"" + s + "\"";
	}
	if (v.is_boolean())
		return v.get<bool>() ? "yes" : "no";
	if (v.is_array()) {
		if (v.empty())
			return "none";
		std::string r;
		for (const auto &e : v)
			r += (r.empty() ? "" : ",") + text_of(e);
		return r;
	}
	return v.dump();
}

} // namespace

void print_objects(std::ostream &out, Format format, std::string_view kind,
		   const std::vector<nlohmann::ordered_json> &objects)
{
	if (format != Format::text) {
		const nlohmann::ordered_json doc(objects);
		out << doc.dump(format == Format::json_pretty ? 2 : -1, ' ', false,
				nlohmann::ordered_json::error_handler_t::replace)
		    << '\n';
		return;
	}
	for (const auto &o : objects) {
		std::string line(kind);
		bool first = true;
		for (const auto &[key, value] : o.items()) {
			if (first)
				line += " " + text_of(value);
			else
				line += " " + key + " " + text_of(value);
			first = false;
		}
		out << line << '\n';
	}
}

void print_rows(std::ostream &out, Format format, std::string_view kind,
		const std::vector<Row> &rows)
{
	std::vector<nlohmann::ordered_json> objects;
	for (const auto &r : rows)
		objects.push_back(format == Format::text ? r.text : r.json);
	print_objects(out, format, kind, objects);
}

void print_json(std::ostream &out, Format format,
		const nlohmann::ordered_json &doc)
{
	out << doc.dump(format == Format::json_pretty ? 2 : -1, ' ', false,
			nlohmann::ordered_json::error_handler_t::replace)
	    << '\n';
}

std::string human_size(uint64_t bytes)
{
	static constexpr const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB",
						"PiB", "EiB"};
	std::size_t u = 0;
	while (u + 1 < std::size(units) && bytes >= (uint64_t{1} << (10 * (u + 1))))
		u++;
	const uint64_t base = uint64_t{1} << (10 * u);
	if (bytes % base == 0)
		return std::to_string(bytes / base) + units[u];
	// Tenths, rounded to nearest; 1023.96KiB rounds up into the next unit.
	uint64_t tenths = (bytes / base) * 10 +
			  ((bytes % base) * 10 + base / 2) / base;
	if (tenths >= 10240 && u + 1 < std::size(units)) {
		u++;
		tenths = 10;
	}
	std::string r = std::to_string(tenths / 10);
	if (tenths % 10)
		r += "." + std::to_string(tenths % 10);
	return r + units[u];
}

std::string one_decimal(double v)
{
	char buf[64];
	std::snprintf(buf, sizeof(buf), "%.1f", v);
	std::string r = buf;
	if (r.ends_with(".0"))
		r.resize(r.size() - 2);
	return r;
}

void warn(std::ostream &err, std::string_view msg)
{
	err << "Warning: " << msg << ".\n";
}

} // namespace ddactl
