// The command line. Turns argv into a configuration for one component, and
// is the only place that validates what the user typed: components receive
// values already known to be in range.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "config/bench_config.hpp"
#include "config/client_config.hpp"
#include "config/merge_config.hpp"
#include "config/server_config.hpp"
#include "exit_status.hpp"
#include "output/output.hpp"

namespace tcpecho {

using Command = std::variant<ServerConfig, ClientConfig, BenchConfig, MergeConfig>;

// Either a command to run, or the exit status of a run that is already over:
// --help or --version printed, or a usage error reported on stderr.
using ParsedCommandLine = std::variant<Command, ExitStatus>;

// --help and --version go to `out`'s transcript, mistakes to its errors.
ParsedCommandLine parse_command_line(int argc, const char* const* argv, Output& out);

}  // namespace tcpecho
