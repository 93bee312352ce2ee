// json.cpp: simdjson parsing the typical session's JSON into its DOM and
// walking every key and value (bench/c_parts.sh builds and runs it). It
// makes no Python values: it is a floor for the tokenizing alone.
//
//   json RAW_FILE
#include <simdjson.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

using namespace simdjson;

static size_t walk(dom::element e) {
	size_t n = 1;
	switch (e.type()) {
	case dom::element_type::OBJECT:
		for (auto field : dom::object(e)) {
			n += field.key.size() + walk(field.value);
		}
		break;
	case dom::element_type::ARRAY:
		for (auto x : dom::array(e)) {
			n += walk(x);
		}
		break;
	case dom::element_type::STRING:
		n += std::string_view(e).size();
		break;
	default:
		break;
	}
	return n;
}

int main(int argc, char **argv) {
	if (argc != 2) {
		std::fprintf(stderr, "usage: json RAW_FILE\n");
		return 2;
	}
	std::ifstream f(argv[1], std::ios::binary);
	std::stringstream ss;
	ss << f.rdbuf();
	padded_string input(ss.str());
	dom::parser parser;
	const long N = 100000;
	double best = 1e30;
	static volatile size_t sink; // keeps the walk from being optimized away
	for (int w = 0; w < 60; w++) {
		auto t0 = std::chrono::steady_clock::now();
		for (long i = 0; i < N; i++) {
			dom::element doc;
			if (parser.parse(input).get(doc)) {
				std::fprintf(stderr, "json: parse failed\n");
				return 1;
			}
			sink += walk(doc);
		}
		double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count() / N;
		best = ns < best ? ns : best;
	}
	std::printf("json/simdjson-%s %.1f 0\n", get_active_implementation()->name().c_str(), best);
	return 0;
}
