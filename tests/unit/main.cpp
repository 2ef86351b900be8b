// SPDX-License-Identifier: GPL-2.0-only
//
// Catch2 v2 entry point for the ddactl unit tests (tools/build/unit-tests).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
