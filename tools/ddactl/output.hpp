// SPDX-License-Identifier: GPL-2.0-only
//
// One printer for text and JSON, after iproute2's print_*(PRINT_ANY, key,
// fmt, value): a command describes each field once and the printer renders
// it as an aligned "label: value" line or as a JSON member.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace ddactl {

enum class Format { text, json, json_pretty };

// The version of ddactl's JSON layout: every JSON object ddactl prints as a
// whole document has it as "schema"; lists are arrays of objects of the same
// version. Raised when a key changes meaning or goes away.
inline constexpr unsigned json_schema = 2;

// Which output a field belongs to.
enum class Show { any, text, json };

class Printer {
public:
	Printer(std::ostream &out, Format format) : out_(out), format_(format) {}

	// @key names the JSON member, @label the text line; the one not used
	// by @show may be empty.
	void print_string(Show show, std::string_view key, std::string_view label,
			  std::string_view value);
	// Text "yes"/"no", JSON true/false.
	void print_bool(Show show, std::string_view key, std::string_view label,
			bool value);
	void print_uint(Show show, std::string_view key, std::string_view label,
			uint64_t value);
	// Text "0x..." hex, JSON number.
	void print_hex(Show show, std::string_view key, std::string_view label,
		       uint64_t value);
	// Text space-separated ("none" when empty), JSON array of strings.
	void print_list(Show show, std::string_view key, std::string_view label,
			const std::vector<std::string> &values);

	// Writes what was printed: aligned text lines, or one JSON document.
	void finish();

private:
	void add(Show show, std::string_view key, std::string_view label,
		 nlohmann::ordered_json value, std::string text);

	std::ostream &out_;
	Format format_;
	nlohmann::ordered_json doc_ = nlohmann::ordered_json::object();
	std::vector<std::pair<std::string, std::string>> lines_;
};

// A list of objects, as iproute2 prints them: text is one line per object,
// "<kind> <first value> <key> <value>...", lists joined by ',' ("none" when
// empty), booleans yes/no; JSON is one array of the objects.
void print_objects(std::ostream &out, Format format, std::string_view kind,
		   const std::vector<nlohmann::ordered_json> &objects);

// A byte count for people: "512B", "64MiB", "1.5GiB" (binary units, one
// decimal when not exact, rounded to nearest).
std::string human_size(uint64_t bytes);

// @v with one decimal ("12.5"), "0" for zero.
std::string one_decimal(double v);

// One object for print_objects() in two renderings: the text row holds
// what people read (human sizes, percent signs), the JSON row raw numbers.
struct Row {
	nlohmann::ordered_json text = nlohmann::ordered_json::object();
	nlohmann::ordered_json json = nlohmann::ordered_json::object();

	// The same key in both.
	void add(const std::string &key, nlohmann::ordered_json text_value,
		 nlohmann::ordered_json json_value)
	{
		text[key] = std::move(text_value);
		json[key] = std::move(json_value);
	}
	void add(const std::string &key, const nlohmann::ordered_json &value)
	{
		add(key, value, value);
	}
	// A byte count the kernel may not know: human size or "-" in text,
	// the number or null in JSON.
	void add_bytes(const std::string &key, std::optional<uint64_t> bytes)
	{
		if (bytes)
			add(key, human_size(*bytes), *bytes);
		else
			add(key, "-", nullptr);
	}
};

// print_objects() of the text or the JSON rows of @rows.
void print_rows(std::ostream &out, Format format, std::string_view kind,
		const std::vector<Row> &rows);

// @doc as one line of JSON, or indented for Format::json_pretty.
void print_json(std::ostream &out, Format format,
		const nlohmann::ordered_json &doc);

// "Warning: <msg>." on @err.
void warn(std::ostream &err, std::string_view msg);

} // namespace ddactl
