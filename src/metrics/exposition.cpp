// /metrics through prometheus-cpp: see exposition.hpp. One Collectable of
// our own sums the threads' Tallies at each scrape; prometheus-cpp's own
// counters are not used, since each would be shared by every thread.
#include "metrics/exposition.hpp"

#include <fmt/format.h>
#include <prometheus/collectable.h>
#include <prometheus/exposer.h>
#include <prometheus/metric_family.h>

#include <array>
#include <asio/version.hpp>
#include <limits>

#include "exit_status.hpp"
#include "net/stream.hpp"
#include "tls/tls.hpp"

namespace tcpecho {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

constexpr std::array<const char*, Tally::refusals> refusal_names{"deny", "allow", "per_client",
                                                                 "proxy"};
constexpr std::array<const char*, Tally::modes> mode_names{"reply", "echo"};
constexpr std::array<const char*, Tally::outcomes> outcome_names{"ok", "timeout", "shutdown",
                                                                 "error"};

ClientMetric valued(double value, std::vector<ClientMetric::Label> labels = {}) {
  ClientMetric metric;
  metric.label = std::move(labels);
  metric.counter.value = value;
  metric.gauge.value = value;
  return metric;
}

MetricFamily family(std::string name, std::string help, MetricType type,
                    std::vector<ClientMetric> metrics) {
  return {std::move(name), std::move(help), type, std::move(metrics)};
}

class Collector final : public prometheus::Collectable {
 public:
  Collector(std::vector<const Tally*> tallies, std::vector<std::string> listeners)
      : tallies_(std::move(tallies)), listeners_(std::move(listeners)) {}

  std::vector<MetricFamily> Collect() const override {
    std::vector<MetricFamily> families = connection_families();
    families.push_back(exchange_family());
    families.push_back(counter("tcpecho_bytes_received_total", "Bytes received from clients",
                               &Tally::bytes_received));
    families.push_back(
        counter("tcpecho_bytes_sent_total", "Bytes sent to clients", &Tally::bytes_sent));
    families.push_back(counter("tcpecho_accept_errors_total",
                               "Failed accept() calls (out of descriptors, say)",
                               &Tally::accept_errors));
    families.push_back(tls_family());
    families.push_back(counter("tcpecho_tls_handshake_failures_total", "TLS handshakes that failed",
                               &Tally::handshake_failures));
    families.push_back(duration_family());
    families.push_back(build_info());
    return families;
  }

 private:
  // One count summed over the threads; `count` picks it out of a Tally.
  template <typename Pick>
  std::uint64_t sum(Pick count) const {
    std::uint64_t total = 0;
    for (const Tally* tally : tallies_) total += Tally::read(count(*tally));
    return total;
  }

  MetricFamily counter(std::string name, std::string help, const Tally::Count Tally::*count) const {
    const auto total =
        sum([count](const Tally& tally) -> const Tally::Count& { return tally.*count; });
    return family(std::move(name), std::move(help), MetricType::Counter,
                  {valued(static_cast<double>(total))});
  }

  std::vector<MetricFamily> connection_families() const {
    // Closed first: whatever is accepted meanwhile only raises the open count.
    const auto closed = sum([](const Tally& tally) -> const Tally::Count& { return tally.closed; });
    std::vector<ClientMetric> accepted;
    std::uint64_t all = 0;
    for (std::size_t i = 0; i < listeners_.size(); ++i) {
      const auto count =
          sum([i](const Tally& tally) -> const Tally::Count& { return tally.accepted[i]; });
      all += count;
      accepted.push_back(valued(static_cast<double>(count), {{"listener", listeners_[i]}}));
    }
    std::vector<ClientMetric> refused;
    for (std::size_t r = 0; r < Tally::refusals; ++r) {
      const auto count =
          sum([r](const Tally& tally) -> const Tally::Count& { return tally.refused[r]; });
      refused.push_back(valued(static_cast<double>(count), {{"reason", refusal_names[r]}}));
    }
    return {family("tcpecho_connections_accepted_total", "Connections accepted, by listener",
                   MetricType::Counter, std::move(accepted)),
            family("tcpecho_connections_open", "Connections open now", MetricType::Gauge,
                   {valued(static_cast<double>(all - std::min(all, closed)))}),
            family("tcpecho_connections_refused_total",
                   "Connections refused: --deny, --allow, --max-per-client, PROXY header",
                   MetricType::Counter, std::move(refused))};
  }

  MetricFamily exchange_family() const {
    std::vector<ClientMetric> metrics;
    for (std::size_t m = 0; m < Tally::modes; ++m) {
      for (std::size_t o = 0; o < Tally::outcomes; ++o) {
        const auto count = sum(
            [m, o](const Tally& tally) -> const Tally::Count& { return tally.exchanges[m][o]; });
        metrics.push_back(valued(static_cast<double>(count),
                                 {{"mode", mode_names[m]}, {"outcome", outcome_names[o]}}));
      }
    }
    return family("tcpecho_exchanges_total",
                  "Exchanges ended (reply: message and reply; echo: a connection), by outcome",
                  MetricType::Counter, std::move(metrics));
  }

  MetricFamily tls_family() const {
    std::vector<ClientMetric> metrics;
    for (std::size_t resumed = 0; resumed < 2; ++resumed) {
      const auto count = sum([resumed](const Tally& tally) -> const Tally::Count& {
        return tally.handshakes[resumed];
      });
      metrics.push_back(
          valued(static_cast<double>(count), {{"resumed", resumed == 1 ? "true" : "false"}}));
    }
    return family("tcpecho_tls_handshakes_total", "TLS handshakes completed", MetricType::Counter,
                  std::move(metrics));
  }

  MetricFamily duration_family() const {
    ClientMetric metric;
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < Tally::duration_bounds.size() + 1; ++b) {
      cumulative +=
          sum([b](const Tally& tally) -> const Tally::Count& { return tally.durations[b]; });
      const double bound = b < Tally::duration_bounds.size()
                               ? Tally::duration_bounds[b]
                               : std::numeric_limits<double>::infinity();
      metric.histogram.bucket.push_back({cumulative, bound});
    }
    metric.histogram.sample_count = cumulative;
    for (const Tally* tally : tallies_)
      metric.histogram.sample_sum += tally->duration_sum.load(std::memory_order_relaxed);
    return family("tcpecho_connection_duration_seconds", "How long connections stayed open",
                  MetricType::Histogram, {metric});
  }

  static MetricFamily build_info() {
    const std::string asio = fmt::format("{}.{}.{}", ASIO_VERSION / 100000,
                                         ASIO_VERSION / 100 % 1000, ASIO_VERSION % 100);
    return family(
        "tcpecho_build_info", "The build: tcpecho's version and its libraries'", MetricType::Gauge,
        {valued(
            1,
            {{"version", TCPECHO_VERSION}, {"asio", asio}, {"openssl", tls_library_version()}})});
  }

  std::vector<const Tally*> tallies_;
  std::vector<std::string> listeners_;
};

class Exposer final : public MetricsExposer {
 public:
  Exposer(const std::string& address, std::shared_ptr<Collector> collector)
      : exposer_(address, 1), collector_(std::move(collector)) {
    exposer_.RegisterCollectable(collector_);
  }
  std::uint16_t port() const override {
    return static_cast<std::uint16_t>(exposer_.GetListeningPorts().at(0));
  }

 private:
  prometheus::Exposer exposer_;
  std::shared_ptr<Collector> collector_;
};

// civetweb says only that it could not bind; a bind of our own says why
// ("Address already in use"), before civetweb tries.
void check_can_listen(const MetricsAddress& where, const std::string& address) {
  asio::io_context io;
  tcp::acceptor probe(io);
  asio::error_code error;
  const tcp::endpoint endpoint(asio::ip::make_address(where.host, error), where.port);
  if (!error) probe.open(endpoint.protocol(), error);
  if (!error) probe.set_option(tcp::acceptor::reuse_address(true), error);
  if (!error) probe.bind(endpoint, error);
  if (error) throw cannot_listen(fmt::format("{} (--metrics)", address), error.message());
}

}  // namespace

std::unique_ptr<MetricsExposer> expose_metrics(const MetricsAddress& where,
                                               std::vector<const Tally*> tallies,
                                               std::vector<std::string> listeners) {
  const bool ipv6 = where.host.find(':') != std::string::npos;
  const auto address =
      fmt::format("{}{}{}:{}", ipv6 ? "[" : "", where.host, ipv6 ? "]" : "", where.port);
  check_can_listen(where, address);
  auto collector = std::make_shared<Collector>(std::move(tallies), std::move(listeners));
  try {
    return std::make_unique<Exposer>(address, std::move(collector));
  } catch (const std::exception& error) {
    throw cannot_listen(fmt::format("{} (--metrics)", address), error.what());
  }
}

}  // namespace tcpecho
