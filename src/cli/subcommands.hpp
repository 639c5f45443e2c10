// The three subcommands as the command line describes them, one file each
// (serve_command.cpp, send_command.cpp, bench_command.cpp): each adds itself
// to the program's CLI::App with its options, bound to the config it fills.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/cli_endpoint.hpp"
#include "cli/cli_tls.hpp"
#include "config/bench_config.hpp"
#include "config/client_config.hpp"
#include "config/merge_config.hpp"
#include "config/server_config.hpp"

namespace tcpecho {

CLI::App* add_serve(CLI::App& app, ServerConfig& config, TlsRequest<TlsServerOptions>& tls,
                    EndpointRequest& endpoint);
CLI::App* add_send(CLI::App& app, ClientConfig& config, TlsRequest<TlsClientOptions>& tls,
                   EndpointRequest& endpoint);
// `bench merge`, a subcommand of bench's (bench_merge_command.cpp).
CLI::App* add_bench_merge(CLI::App& bench, MergeConfig& config);
CLI::App* add_bench(CLI::App& app, BenchConfig& config, TlsRequest<TlsClientOptions>& tls,
                    EndpointRequest& endpoint);

// Once the command line is parsed: what only all of it can tell. Options
// that mean nothing in the mode chosen, and would be silently ignored, are
// a usage error; defaults that depend on other options are set.
void settle_serve(const CLI::App& serve, const EndpointRequest& endpoint,
                  const TlsServerOptions& tls, ServerConfig& config);
void settle_bench(const CLI::App& bench, const EndpointRequest& endpoint, BenchConfig& config);

}  // namespace tcpecho
