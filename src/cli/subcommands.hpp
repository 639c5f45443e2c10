// The three subcommands as the command line describes them, one file each
// (serve_command.cpp, send_command.cpp, bench_command.cpp): each adds itself
// to the program's CLI::App with its options, bound to the config it fills.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/cli_tls.hpp"
#include "config/bench_config.hpp"
#include "config/client_config.hpp"
#include "config/server_config.hpp"

namespace tcpecho {

CLI::App* add_serve(CLI::App& app, ServerConfig& config, TlsRequest<TlsServerOptions>& tls);
CLI::App* add_send(CLI::App& app, ClientConfig& config, TlsRequest<TlsClientOptions>& tls);
CLI::App* add_bench(CLI::App& app, BenchConfig& config, TlsRequest<TlsClientOptions>& tls);

}  // namespace tcpecho
