// The seed's client transcript, made from `tcpecho send`'s events: the one
// place that knows its wording and the Python reprs in it, and the words
// of each failure's one line on stderr.
#pragma once

#include "client/client_events.hpp"
#include "output/output.hpp"

namespace tcpecho {

class ClientTranscript final : public ClientSink {
 public:
  ClientTranscript(Output& out, bool verbose) : out_(out), verbose_(verbose) {}

  void on(const ClientEvent& event) override;

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
  Output& out_;
  bool verbose_;  // a line for the TLS handshake
};

}  // namespace tcpecho
