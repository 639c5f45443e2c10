// bench's options for where and how its connections are made: --target
// (several servers), --connect-rate, --source (source addresses in turn)
// and --start-at (several machines beginning together).
#pragma once

#include <CLI/CLI.hpp>

#include "cli/cli_endpoint.hpp"
#include "config/bench_config.hpp"

namespace tcpecho {

void add_target_option(CLI::App& bench, BenchConfig& config);
void describe_connections(CLI::App& bench, BenchConfig& config);

// Without --target, the one target --host, --port or --unix names; with it,
// those are refused.
void settle_targets(const EndpointRequest& endpoint, BenchConfig& config);

}  // namespace tcpecho
