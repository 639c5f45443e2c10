// What a server says happened, as typed events: the accept loops, the
// connection coroutine and the modes report these, and a sink decides what
// to make of them (transcript.cpp prints the seed's transcript). Nothing that
// reports an event formats it, so a second sink (a JSON log, metrics) plugs
// in without touching a mode.
//
// An event lives only for the call that reports it: a sink copies what it
// keeps. `error` is the reason a connection ended as the I/O layer gave it:
// eof for the client's end, cut_error's values when the server cut it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>

#include <fmt/format.h>

#include "config/listener_config.hpp"
#include "net/peer_address.hpp"
#include "net/stream.hpp"
#include "server/admission.hpp"
#include "output/sink.hpp"
#include "tls/tls_facts.hpp"

namespace tcpecho {

class Connection;

namespace events {

struct Listening {
  const Endpoint& at;
  const ListenerConfig& listener;  // its mode, TLS, PROXY protocol, --listen SPEC
};
// --metrics: /metrics is served at http://HOST:PORT/metrics.
struct MetricsReady {
  std::string_view host;
  std::uint16_t port;
  std::string url() const {
    const bool ipv6 = host.find(':') != std::string_view::npos;
    return fmt::format("http://{}{}{}:{}/metrics", ipv6 ? "[" : "", host, ipv6 ? "]" : "", port);
  }
};
struct TlsReady {
  std::string_view certificate;  // which one, and its fingerprint
};
// No exchange is owed: like the seed before accept().
struct Waiting {};
// Behind a proxy, the connection's peer is the client its PROXY header
// names; the socket's own peer (the proxy) is `socket_peer`.
struct Accepted {
  const Connection& connection;
  const Endpoint& local;  // where the client reached us
  asio::error_code local_unknown;
  const Endpoint& socket_peer;
  bool proxied;  // on a --proxy-protocol listener: the client is not the socket's peer
};
// A connection taken off the listener at `position` (in the order of the
// Listening events), before anything else about it is known.
struct Opened {
  const Connection& connection;
  std::size_t position;
};
// Its socket closed, whichever way it ended; what metrics count.
struct Closed {
  const Connection& connection;
};
// --deny, --allow, --max-per-client: closed before anything was read (but a
// PROXY header), holding no slot under --max-connections. Every refusal is
// reported; the log tells of one per address per RefusalLog::window, when
// `untold` has a value: how many came since the last one it told.
struct Refused {
  const PeerAddress& client;
  Admission::Refusal reason;
  std::optional<std::size_t> untold;
};
// --proxy-protocol: a connection from an address --proxy-from does not name.
struct ProxyRefused {
  const Connection& connection;
};
// --proxy-protocol: no valid header (its proxy::Error), or none in time.
struct ProxyHeaderFailed {
  const Connection& connection;
  asio::error_code error;
};
struct Secured {
  const Connection& connection;
  const TlsFacts& facts;
};
struct HandshakeFailed {
  const Connection& connection;
  asio::error_code error;
};
// Echo mode: a chunk read, about to go back.
struct Echoing {
  const Connection& connection;
  std::string_view bytes;
};
// Echo mode: `written` bytes of the chunk went back.
struct Echoed {
  const Connection& connection;
  std::size_t written;
};
struct EchoEnded {
  const Connection& connection;
  asio::error_code error;  // eof: the client ended, and its end went back
  std::size_t echoed;
};
// Reply mode: the message is in, the reply out, the sending side closed.
struct Answered {
  const Connection& connection;
  std::string_view message;
  bool client_ended;  // its end came with the message: nothing follows
};
// Reply mode: the exchange failed reading the message, or sending the reply.
struct ExchangeFailed {
  enum class Stage { reading, replying };
  const Connection& connection;
  Stage stage;
  asio::error_code error;
  std::string_view message;  // what had arrived
};
// Reply mode, after the reply: what the client sent on, and its end.
struct Discarded {
  const Connection& connection;
  std::size_t bytes;
};
struct EndedAfterReply {
  const Connection& connection;
  asio::error_code error;
};
// Every failed accept; the log tells of the first of an episode.
struct AcceptFailed {
  const Endpoint& listener;
  asio::error_code error;
  bool first;
};
struct AcceptResumed {
  const Endpoint& listener;
};
struct ShuttingDown {
  std::string_view reason;
  std::size_t in_flight;  // exchanges given the grace period, on every thread
  std::chrono::milliseconds grace;
};
// A coroutine of the server's own failed.
struct Failed {
  std::string_view what;
  std::string_view why;
};

}  // namespace events

using ServerEvent =
    std::variant<events::Listening, events::MetricsReady, events::TlsReady, events::Waiting, events::Opened,
                 events::Closed, events::Accepted, events::Refused, events::ProxyRefused,
                 events::ProxyHeaderFailed, events::Secured, events::HandshakeFailed,
                 events::Echoing, events::Echoed, events::EchoEnded,
                 events::Answered, events::ExchangeFailed, events::Discarded,
                 events::EndedAfterReply, events::AcceptFailed, events::AcceptResumed,
                 events::ShuttingDown, events::Failed>;

using ServerSink = Sink<ServerEvent>;

}  // namespace tcpecho
