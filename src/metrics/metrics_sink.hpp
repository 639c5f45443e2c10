// The server's events as counts in one thread's Tally, for --metrics: the
// sink beside the log, which Server::report() feeds when --metrics is on.
#pragma once

#include <cstddef>

#include "metrics/tally.hpp"
#include "server/server_events.hpp"

namespace tcpecho {

class MetricsSink final : public ServerSink {
 public:
  // `reply_size`: what reply mode sends for each message.
  MetricsSink(std::size_t listeners, std::size_t reply_size)
      : tally_(listeners), reply_size_(reply_size) {}

  const Tally& tally() const { return tally_; }

  void on(const ServerEvent& event) override { std::visit(*this, event); }

  void operator()(const events::Opened& event);
  void operator()(const events::Closed& event);
  void operator()(const events::Refused& event);
  void operator()(const events::ProxyRefused& event);
  void operator()(const events::ProxyHeaderFailed& event);
  void operator()(const events::Secured& event);
  void operator()(const events::HandshakeFailed& event);
  void operator()(const events::Echoing& event);
  void operator()(const events::Echoed& event);
  void operator()(const events::EchoEnded& event);
  void operator()(const events::Answered& event);
  void operator()(const events::ExchangeFailed& event);
  void operator()(const events::Discarded& event);
  void operator()(const events::AcceptFailed& event);
  // What counts nothing: the lines about listening, waiting, shutting down.
  template <typename Event>
  void operator()(const Event&) {}

 private:
  Tally tally_;
  std::size_t reply_size_;
};

}  // namespace tcpecho
