// A server's events as JSON lines: see json_log.hpp.
#include "server/json_log.hpp"

#include "server/connections.hpp"

namespace tcpecho {

void JsonLog::on(const ServerEvent& event) { std::visit(*this, event); }

JsonLine JsonLog::about(std::string_view event, const Connection& connection) const {
  JsonLine line(event);
  line.address("peer", connection.peer.endpoint());
  return line;
}

JsonLine JsonLog::closed(const Connection& connection, const asio::error_code& error) const {
  auto line = about("closed", connection);
  line.text("reason", error == asio::error::eof ? "client ended" : ending_text(error, timeout_));
  const std::chrono::duration<double> lived = Connection::Clock::now() - connection.accepted_at;
  return std::move(line.seconds("duration_s", lived.count()));
}

void JsonLog::operator()(const events::Listening& event) {
  const auto& listener = event.listener;
  JsonLine line("listening");
  line.address("address", event.at);
  if (!listener.spec.empty()) line.text("listener", listener.spec);
  line.text("mode", listener.mode == ServeMode::echo ? "echo" : "reply")
      .flag("tls", listener.tls)
      .flag("proxy_protocol", listener.proxy_protocol);
  say(line);
}

void JsonLog::operator()(const events::MetricsReady& event) {
  say(JsonLine("metrics").text("url", event.url()));
}

void JsonLog::operator()(const events::TlsReady& event) {
  say_error(JsonLine("tls").text("certificate", event.certificate));
}

void JsonLog::operator()(const events::Waiting&) {
  if (!quiet_) say(JsonLine("waiting"));
}

// Behind a proxy, "peer" is the client the header names and "socket_peer"
// the proxy; otherwise they are one, and "socket_peer" is left out.
void JsonLog::operator()(const events::Accepted& event) {
  if (quiet_) return;
  auto line = about("connection", event.connection);
  if (event.proxied) line.address("socket_peer", event.socket_peer);
  if (event.local_unknown) {
    line.text("local_unknown", event.local_unknown.message());
  } else {
    line.address("local", event.local);
  }
  say(line);
}

void JsonLog::operator()(const events::Refused& event) {
  if (!event.untold) return;
  const char* reason = event.reason == Admission::Refusal::deny    ? "deny"
                       : event.reason == Admission::Refusal::allow ? "allow"
                                                                   : "per_client";
  say_error(JsonLine("refused")
                .address("peer", event.client.endpoint())
                .text("reason", reason)
                .number("untold", *event.untold));
}

void JsonLog::operator()(const events::ProxyRefused& event) {
  if (!quiet_) say(about("refused", event.connection).text("reason", "proxy_from"));
}

void JsonLog::operator()(const events::ProxyHeaderFailed& event) {
  if (!quiet_) say(closed(event.connection, event.error));
}

void JsonLog::operator()(const events::Secured& event) {
  if (quiet_) return;
  say(about("tls", event.connection).tls(event.facts));
}

void JsonLog::operator()(const events::HandshakeFailed& event) {
  if (quiet_) return;
  say(about("closed", event.connection)
          .text("reason", "TLS handshake failed: " + ending_text(event.error, timeout_)));
}

void JsonLog::operator()(const events::Echoing& event) {
  if (!verbose_ || quiet_) return;
  say(about("message", event.connection)
          .number("bytes", event.bytes.size())
          .bytes("message", event.bytes));
}

void JsonLog::operator()(const events::EchoEnded& event) {
  if (!quiet_) say(closed(event.connection, event.error).number("echoed_bytes", event.echoed));
}

void JsonLog::operator()(const events::Answered& event) {
  if (quiet_) return;
  say(about("message", event.connection)
          .number("bytes", event.message.size())
          .bytes("message", event.message));
  say(about("reply", event.connection));
  if (event.client_ended) say(closed(event.connection, asio::error::eof));
}

void JsonLog::operator()(const events::ExchangeFailed& event) {
  if (quiet_) return;
  const bool reading = event.stage == events::ExchangeFailed::Stage::reading;
  say(closed(event.connection, event.error)
          .text("stage", reading ? "reading" : "replying")
          .number("bytes", event.message.size())
          .bytes("message", event.message));
}

void JsonLog::operator()(const events::Discarded& event) {
  if (!quiet_) say(about("discarded", event.connection).number("bytes", event.bytes));
}

void JsonLog::operator()(const events::EndedAfterReply& event) {
  if (!quiet_) say(closed(event.connection, event.error));
}

void JsonLog::operator()(const events::AcceptFailed& event) {
  if (!event.first) return;
  say_error(JsonLine("accept_error")
                .address("address", event.listener)
                .text("reason", event.error.message()));
}

void JsonLog::operator()(const events::AcceptResumed& event) {
  say_error(JsonLine("accept_error").address("address", event.listener).flag("resumed", true));
}

void JsonLog::operator()(const events::ShuttingDown& event) {
  const std::chrono::duration<double> grace = event.grace;
  say(JsonLine("shutdown")
          .text("reason", event.reason)
          .number("in_flight", event.in_flight)
          .seconds("grace_s", grace.count()));
}

void JsonLog::operator()(const events::Failed& event) {
  say_error(JsonLine("error").text("what", event.what).text("reason", event.why));
}

}  // namespace tcpecho
