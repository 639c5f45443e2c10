// bench's connection options: see bench_connections.hpp.
#include "cli/bench_connections.hpp"

#include "cli/cli_options.hpp"
#include "cli/cli_time.hpp"

namespace tcpecho {

// --target SPEC, repeatable: where connections go, in turn.
void add_target_option(CLI::App& bench, BenchConfig& config) {
  bench
      .add_option_function<std::vector<std::string>>(
          "--target",
          [&config](const std::vector<std::string>& specs) {
            for (const auto& spec : specs) {
              auto [host, port, path] = parse_address_spec("--target", spec, spec);
              config.targets.push_back({std::move(host), port, std::move(path)});
            }
          },
          "A server to load: HOST:PORT, [IPV6]:PORT or unix:PATH; repeat it for several, "
          "the connections spread over them in turn, reported apart and in all. Instead of "
          "--host, --port and --unix")
      ->type_name("SPEC");
}

void settle_targets(const EndpointRequest& endpoint, BenchConfig& config) {
  if (config.targets.empty()) {
    config.targets.push_back({config.host, config.port, config.unix_path});
  } else if (const auto* given = endpoint.typed_option()) {
    throw CLI::ValidationError(given->get_name(), "does not apply with --target");
  }
}

void describe_connections(CLI::App& bench, BenchConfig& config) {
  add_per_second_option(bench, "--connect-rate", config.connect_rate, 1e7,
                        "Open at most this many connections per second in all, in every mode "
                        "(exchange: exchanges per second). 0: as fast as they complete");
  bench
      .add_option_function<std::string>(
          "--source",
          [&config](const std::string& text) {
            std::string why;
            config.source = AddressRange::parse(text, why);
            if (!config.source) throw CLI::ValidationError("--source", "'" + text + "': " + why);
          },
          "Bind each connection to the next of these source addresses, in turn: ADDRESS or "
          "ADDRESS-ADDRESS (past one address's ephemeral ports)")
      ->type_name("ADDRESS[-ADDRESS]");
  bench
      .add_option_function<std::string>(
          "--start-at",
          [&config](const std::string& text) {
            config.start_at = unix_time_of(text);
            if (!config.start_at) {
              throw CLI::ValidationError("--start-at",
                                         "'" + text +
                                             "' is neither RFC 3339 (2026-12-06T20:00:00Z) nor "
                                             "Unix seconds");
            }
          },
          "Begin (the warm-up, then the run) at this wall-clock time, RFC 3339 or Unix seconds, "
          "so that bench on several machines runs together; a time past begins at once")
      ->type_name("TIME");
}

}  // namespace tcpecho
