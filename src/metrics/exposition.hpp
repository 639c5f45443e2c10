// --metrics HOST:PORT: the Prometheus text exposition format at /metrics,
// served by prometheus-cpp's Exposer on a thread of its own, never on a
// server thread. A scrape sums the servers' Tallies (tally.hpp) then and
// there; serving itself writes nothing shared. A build without
// prometheus-cpp (-Dmetrics=disabled) refuses --metrics at start.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/server_config.hpp"
#include "metrics/tally.hpp"

namespace tcpecho {

class MetricsExposer {
 public:
  virtual ~MetricsExposer() = default;
  // The port it listens on: the one asked for, or the one port 0 picked.
  virtual std::uint16_t port() const = 0;
};

// Listens at `where`, and from then on answers each scrape with the sums of
// `tallies` (one per server thread, which outlive the exposer); `listeners`
// names their listening sockets, in the order each Tally counts them.
// Throws StartupError: exit 6 when it cannot listen, 2 when built without.
std::unique_ptr<MetricsExposer> expose_metrics(const MetricsAddress& where,
                                               std::vector<const Tally*> tallies,
                                               std::vector<std::string> listeners);

}  // namespace tcpecho
