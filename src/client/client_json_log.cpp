// The client's events as JSON lines: see client_json_log.hpp.
#include "client/client_json_log.hpp"

namespace tcpecho {
namespace {

const char* stage_name(ClientStage stage) {
  switch (stage) {
    case ClientStage::resolving:
      return "resolving";
    case ClientStage::connecting:
      return "connecting";
    case ClientStage::securing:
      return "tls";
    case ClientStage::exchanging:
      break;
  }
  return "exchanging";
}

}  // namespace

JsonLine ClientJsonLog::failure(ClientStage stage, std::string_view target,
                                std::string_view reason) {
  JsonLine line("error");
  line.text("stage", stage_name(stage)).text("target", target).text("reason", reason);
  return line;
}

void ClientJsonLog::operator()(const client_events::Connected& event) {
  say(JsonLine("connected").address("local", event.local));
}

void ClientJsonLog::operator()(const client_events::Secured& event) {
  say(JsonLine("tls").tls(event.facts));
}

void ClientJsonLog::operator()(const client_events::Replied& event) {
  say(JsonLine("reply").number("bytes", event.reply.size()).bytes("reply", event.reply));
}

void ClientJsonLog::operator()(const client_events::Failed& event) {
  say_error(failure(event.stage, event.target, event.error.message()));
}

void ClientJsonLog::operator()(const client_events::TimedOut& event) {
  say_error(failure(event.stage, event.target, "timed out after " + seconds_text(event.timeout)));
}

void ClientJsonLog::operator()(const client_events::ClosedEarly& event) {
  say_error(failure(ClientStage::exchanging, event.target, "closed before the whole reply")
                .bytes("reply", event.reply)
                .bytes("expected", event.expected));
}

void ClientJsonLog::operator()(const client_events::Truncated& event) {
  say_error(failure(ClientStage::exchanging, event.target, "closed without TLS close_notify")
                .bytes("reply", event.reply));
}

void ClientJsonLog::operator()(const client_events::UnexpectedReply& event) {
  say_error(failure(ClientStage::exchanging, event.target, "unexpected reply")
                .bytes("reply", event.reply)
                .bytes("expected", event.expected));
}

void ClientJsonLog::operator()(const client_events::CertificateRequired& event) {
  say_error(failure(ClientStage::securing, event.target,
                    "certificate required: the server asked for a client certificate and none "
                    "was given (--tls-cert)"));
}

void ClientJsonLog::operator()(const client_events::TlsWarning& event) {
  say_error(JsonLine("warning").text("message", event.text));
}

}  // namespace tcpecho
