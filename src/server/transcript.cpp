// The seed's transcript: see transcript.hpp.
#include "server/transcript.hpp"

#include <fmt/format.h>

#include "output/python_format.hpp"
#include "server/connections.hpp"

namespace tcpecho {
namespace {

const char* plural(std::size_t n) { return n == 1 ? "" : "s"; }

// The peer as the lines after the seed's name it: an unnamed Unix client as
// such, where the seed's own lines print nothing.
std::string named(const Connection& connection) {
  std::string text = python::endpoint_repr(connection.peer.endpoint());
  return text.empty() ? "(unnamed)" : text;
}

}  // namespace

void Transcript::on(const ServerEvent& event) { std::visit(*this, event); }

std::string Transcript::why(const asio::error_code& error) const {
  return ending_text(error, timeout_);
}

// A listener --listen gave says what it does there; the one --host and
// --port describe prints the seed's line.
void Transcript::operator()(const events::Listening& event) {
  const auto& listener = event.listener;
  if (listener.spec.empty()) {
    out_.print("Listening at {}", event.at);
    return;
  }
  out_.print("Listening at {} ({}{}{})", event.at,
             listener.mode == ServeMode::echo ? "echo" : "reply", listener.tls ? ", TLS" : "",
             listener.proxy_protocol ? ", PROXY protocol" : "");
}

void Transcript::operator()(const events::MetricsReady& event) {
  out_.print("Metrics at {}", event.url());
}

void Transcript::operator()(const events::TlsReady& event) {
  out_.print_error("tcpecho: {}", event.certificate);
}

void Transcript::operator()(const events::Waiting&) {
  if (!quiet_) out_.line("Waiting for a new connection");
}

void Transcript::operator()(const events::Accepted& event) {
  if (quiet_) return;
  out_.print("Connection from {}\n  Socket name: {}\n  Socket peer: {}",
             python::endpoint_repr(event.connection.peer.endpoint()),
             event.local_unknown ? "(unknown: " + event.local_unknown.message() + ")"
                                 : python::endpoint_repr(event.local),
             python::endpoint_repr(event.socket_peer));
}

// Said even with --quiet, as errors are, when the throttle lets it be said.
void Transcript::operator()(const events::Refused& event) {
  if (!event.untold) return;
  const std::string why = event.reason == Admission::Refusal::deny ? "--deny names it"
                          : event.reason == Admission::Refusal::allow
                              ? "--allow does not name it"
                              : fmt::format(
                                    "already {} connection{} open "
                                    "from it (--max-per-client)",
                                    max_per_client_, plural(max_per_client_));
  const std::string more =
      *event.untold > 0 ? fmt::format("; {} more refused since the last such line", *event.untold)
                       : "";
  out_.print_error("tcpecho: refused connection from {}: {}{}",
                   python::endpoint_repr(event.client.endpoint()), why, more);
}

void Transcript::operator()(const events::ProxyRefused& event) {
  if (quiet_) return;
  out_.print("Refused connection from {}: not a --proxy-from address", named(event.connection));
}

void Transcript::operator()(const events::ProxyHeaderFailed& event) {
  if (quiet_) return;
  out_.print("Closing connection from {}: {}", named(event.connection), why(event.error));
}

void Transcript::operator()(const events::Secured& event) {
  if (verbose_ && !quiet_) out_.print("  TLS: {}", description(event.facts));
}

void Transcript::operator()(const events::HandshakeFailed& event) {
  if (quiet_) return;
  out_.print("  Closing socket {}: TLS handshake failed: {}", named(event.connection),
             why(event.error));
}

void Transcript::operator()(const events::Echoing& event) {
  if (verbose_ && !quiet_) out_.print("  echoing {}", python::bytes_repr(event.bytes));
}

void Transcript::operator()(const events::EchoEnded& event) {
  if (quiet_) return;
  if (event.error == asio::error::eof) {
    out_.print("  Closing socket after echoing {} byte{}", event.echoed, plural(event.echoed));
  } else {
    out_.print("  Closing socket {}: {}; echoed {} byte{}", named(event.connection),
               why(event.error), event.echoed, plural(event.echoed));
  }
}

void Transcript::operator()(const events::Answered& event) {
  if (quiet_) return;
  out_.print("  message from client: {}\n  Closing socket", python::bytes_repr(event.message));
}

void Transcript::operator()(const events::ExchangeFailed& event) {
  if (quiet_) return;
  const std::string message = python::bytes_repr(event.message);
  if (event.stage == events::ExchangeFailed::Stage::reading) {
    out_.print("  Closing socket {}: {}; message from client: {}", named(event.connection),
               why(event.error), message);
  } else {
    out_.print("  message from client: {}\n  Closing socket {}: could not send the reply: {}",
               message, named(event.connection), why(event.error));
  }
}

void Transcript::operator()(const events::Discarded& event) {
  if (quiet_) return;
  out_.print("  Discarded {} byte{} that {} sent after the message", event.bytes,
             plural(event.bytes), named(event.connection));
}

void Transcript::operator()(const events::EndedAfterReply& event) {
  // The client's end, with or without TLS's close_notify (many clients close
  // without it), cuts nothing short: its message is in, its reply out. Nor
  // does the server's own shutdown, which closes such connections first.
  const auto& error = event.error;
  if (quiet_ || error == asio::error::eof || error == tls_truncated() ||
      is_cut(error, Cut::shutting_down))
    return;
  out_.print("  Connection {} ended after the reply: {}", named(event.connection), why(error));
}

void Transcript::operator()(const events::AcceptFailed& event) {
  if (!event.first) return;
  out_.print_error("tcpecho: cannot accept connections on {}: {}; retrying", event.listener,
                   event.error.message());
}

void Transcript::operator()(const events::AcceptResumed& event) {
  out_.print_error("tcpecho: accepting connections on {} again", event.listener);
}

void Transcript::operator()(const events::ShuttingDown& event) {
  out_.print("Shutting down ({}): {} exchange{} in progress, up to {} to finish", event.reason,
             event.in_flight, plural(event.in_flight), seconds_text(event.grace));
}

void Transcript::operator()(const events::Failed& event) {
  out_.print_error("tcpecho: {} failed: {}", event.what, event.why);
}

}  // namespace tcpecho
