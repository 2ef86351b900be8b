// SPDX-License-Identifier: GPL-2.0-only
//
// ddactl: control the nvmet-dda NVMe-oF target module.
#include <iostream>

#include "app.hpp"

int main(int argc, char **argv)
{
	return ddactl::run(argc, argv, std::cout, std::cerr);
}
