// The seed's transcript, made from a server's events: the one place that
// knows its wording, the Python reprs in it, and what --quiet and --verbose
// leave out. Lines go to an Output; lines printed at the same moment go as
// one, so that concurrent connections never interleave inside them.
#pragma once

#include "config/server_config.hpp"
#include "output/output.hpp"
#include "server/server_events.hpp"

namespace tcpecho {

class Transcript final : public ServerSink {
 public:
  Transcript(Output& out, const ServerConfig& config)
      : out_(out),
        quiet_(config.quiet),
        verbose_(config.verbose),
        timeout_(config.timeout),
        max_per_client_(config.max_per_client) {}

  void on(const ServerEvent& event) override;

  // One per event, each printing its own lines.
  void operator()(const events::Listening& event);
  void operator()(const events::MetricsReady& event);
  void operator()(const events::TlsReady& event);
  void operator()(const events::Waiting& event);
  void operator()(const events::Opened&) {}
  void operator()(const events::Closed&) {}
  void operator()(const events::Accepted& event);
  void operator()(const events::Refused& event);
  void operator()(const events::ProxyRefused& event);
  void operator()(const events::ProxyHeaderFailed& event);
  void operator()(const events::Secured& event);
  void operator()(const events::HandshakeFailed& event);
  void operator()(const events::Echoing& event);
  void operator()(const events::Echoed&) {}
  void operator()(const events::EchoEnded& event);
  void operator()(const events::Answered& event);
  void operator()(const events::ExchangeFailed& event);
  void operator()(const events::Discarded& event);
  void operator()(const events::EndedAfterReply& event);
  void operator()(const events::AcceptFailed& event);
  void operator()(const events::AcceptResumed& event);
  void operator()(const events::ShuttingDown& event);
  void operator()(const events::Failed& event);

 private:
  // Why a connection ended, in words.
  std::string why(const asio::error_code& error) const;

  Output& out_;
  bool quiet_;    // no line about a connection
  bool verbose_;  // a line per echoed chunk and per TLS handshake
  std::chrono::milliseconds timeout_;
  std::size_t max_per_client_;
};

}  // namespace tcpecho
