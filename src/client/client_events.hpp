// What `tcpecho send` says happened, as typed events: the Exchange reports
// these, and a sink decides what to make of them (client_transcript.cpp
// prints the seed's client transcript and tcpecho's one-line errors).
// Nothing that reports an event formats it.
#pragma once

#include <chrono>
#include <string_view>
#include <variant>

#include "net/stream.hpp"
#include "output/sink.hpp"
#include "tls/tls_facts.hpp"

namespace tcpecho {

// How far an exchange got: what a failure or the timeout interrupted.
enum class ClientStage { resolving, connecting, securing, exchanging };

namespace client_events {

struct Connected {
  const Endpoint& local;  // where the client's socket was bound
};
struct Secured {
  const TlsFacts& facts;
};
struct Replied {
  std::string_view reply;
};
struct Failed {
  ClientStage stage;
  std::string_view target;
  asio::error_code error;
};
struct TimedOut {
  ClientStage stage;
  std::string_view target;
  std::chrono::milliseconds timeout;
};
// The seed's client refuses these: no reply, or the start of the seed's.
struct ClosedEarly {
  std::string_view target;
  std::string_view reply;
  std::string_view expected;
};
// TLS: the server closed without close_notify, so the reply may be cut.
struct Truncated {
  std::string_view target;
  std::string_view reply;
};
struct UnexpectedReply {
  std::string_view target;
  std::string_view reply;
  std::string_view expected;
};
// TLS 1.3: the server asked for a client certificate and got none.
struct CertificateRequired {
  std::string_view target;
};
// Before connecting: what --tls-insecure skips.
struct TlsWarning {
  std::string_view text;
};

}  // namespace client_events

using ClientEvent =
    std::variant<client_events::Connected, client_events::Secured, client_events::Replied,
                 client_events::Failed, client_events::TimedOut, client_events::ClosedEarly,
                 client_events::Truncated, client_events::UnexpectedReply,
                 client_events::CertificateRequired, client_events::TlsWarning>;

using ClientSink = Sink<ClientEvent>;

}  // namespace tcpecho
