// --log-format json: a server's events as one JSON object per line, for
// log collectors, where the Transcript makes the seed's lines of the same
// events. What --quiet and --verbose leave out is as in the transcript.
// Field by field in the man page.
#pragma once

#include "config/server_config.hpp"
#include "output/json_line.hpp"
#include "output/output.hpp"
#include "server/server_events.hpp"

namespace tcpecho {

class JsonLog final : public ServerSink {
 public:
  JsonLog(Output& out, const ServerConfig& config)
      : out_(out),
        quiet_(config.quiet),
        verbose_(config.verbose),
        timeout_(config.timeout) {}

  void on(const ServerEvent& event) override;

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
  // A line about a connection: its event, and its client as "peer".
  JsonLine about(std::string_view event, const Connection& connection) const;
  // "closed": why, and how long the connection lived.
  JsonLine closed(const Connection& connection, const asio::error_code& error) const;
  void say(const JsonLine& line) { out_.json_line(line.str()); }
  void say_error(const JsonLine& line) { out_.json_error(line.str()); }

  Output& out_;
  bool quiet_;
  bool verbose_;
  std::chrono::milliseconds timeout_;
};

}  // namespace tcpecho
