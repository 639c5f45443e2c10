// A server thread's events counted: see metrics_sink.hpp.
#include "metrics/metrics_sink.hpp"

#include "server/connections.hpp"

namespace tcpecho {
namespace {

Tally::Outcome outcome(const asio::error_code& error) {
  if (!error || error == asio::error::eof) return Tally::ok;
  if (is_cut(error, Cut::timed_out)) return Tally::timeout;
  if (is_cut(error, Cut::shutting_down)) return Tally::shutdown;
  return Tally::error;
}

}  // namespace

void MetricsSink::operator()(const events::Opened& event) {
  Tally::add(tally_.accepted.at(event.position));
}

void MetricsSink::operator()(const events::Closed& event) {
  const std::chrono::duration<double> lived =
      Connection::Clock::now() - event.connection.accepted_at;
  tally_.observe_duration(lived.count());
  Tally::add(tally_.closed);
}

void MetricsSink::operator()(const events::Refused& event) {
  const auto reason = event.reason == Admission::Refusal::deny    ? Tally::deny
                      : event.reason == Admission::Refusal::allow ? Tally::allow
                                                                  : Tally::per_client;
  Tally::add(tally_.refused[reason]);
}

void MetricsSink::operator()(const events::ProxyRefused&) {
  Tally::add(tally_.refused[Tally::proxy]);
}

void MetricsSink::operator()(const events::ProxyHeaderFailed&) {
  Tally::add(tally_.refused[Tally::proxy]);
}

void MetricsSink::operator()(const events::Secured& event) {
  Tally::add(tally_.handshakes[event.facts.resumed ? 1 : 0]);
}

void MetricsSink::operator()(const events::HandshakeFailed&) {
  Tally::add(tally_.handshake_failures);
}

void MetricsSink::operator()(const events::Echoing& event) {
  Tally::add(tally_.bytes_received, event.bytes.size());
}

void MetricsSink::operator()(const events::Echoed& event) {
  Tally::add(tally_.bytes_sent, event.written);
}

void MetricsSink::operator()(const events::EchoEnded& event) {
  Tally::add(tally_.exchanges[Tally::echo][outcome(event.error)]);
}

void MetricsSink::operator()(const events::Answered& event) {
  Tally::add(tally_.bytes_received, event.message.size());
  Tally::add(tally_.bytes_sent, reply_size_);
  Tally::add(tally_.exchanges[Tally::reply][Tally::ok]);
}

void MetricsSink::operator()(const events::ExchangeFailed& event) {
  Tally::add(tally_.bytes_received, event.message.size());
  Tally::add(tally_.exchanges[Tally::reply][outcome(event.error)]);
}

void MetricsSink::operator()(const events::Discarded& event) {
  Tally::add(tally_.bytes_received, event.bytes);
}

void MetricsSink::operator()(const events::AcceptFailed&) { Tally::add(tally_.accept_errors); }

}  // namespace tcpecho
