// `tcpecho send --log-format json`: the client's events as JSON lines, the
// fields named as the server's (json_log.hpp) and listed in the man page.
#pragma once

#include "client/client_events.hpp"
#include "output/json_line.hpp"
#include "output/output.hpp"

namespace tcpecho {

class ClientJsonLog final : public ClientSink {
 public:
  explicit ClientJsonLog(Output& out) : out_(out) {}

  void on(const ClientEvent& event) override { std::visit(*this, event); }

  void operator()(const client_events::Connected& event);
  void operator()(const client_events::Secured& event);
  void operator()(const client_events::Replied& event);
  void operator()(const client_events::Failed& event);
  void operator()(const client_events::TimedOut& event);
  void operator()(const client_events::ClosedEarly& event);
  void operator()(const client_events::Truncated& event);
  void operator()(const client_events::UnexpectedReply& event);
  void operator()(const client_events::CertificateRequired& event);
  void operator()(const client_events::TlsWarning& event);

 private:
  // An "error" line: what failed (`stage`), with whom, and why.
  static JsonLine failure(ClientStage stage, std::string_view target, std::string_view reason);
  void say(const JsonLine& line) { out_.json_line(line.str()); }
  void say_error(const JsonLine& line) { out_.json_error(line.str()); }

  Output& out_;
};

}  // namespace tcpecho
