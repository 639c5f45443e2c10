// The client's transcript and error lines: see client_transcript.hpp.
#include "client/client_transcript.hpp"

#include "output/python_format.hpp"

namespace tcpecho {
namespace {

// The words of a failure at each stage: "tcpecho: <failed> <target>: <why>"
// and "tcpecho: timed out after <timeout> <waiting> <target>".
struct StageWords {
  const char* failed;
  const char* waiting;
};

StageWords words_at(ClientStage stage) {
  switch (stage) {
    case ClientStage::resolving:
      return {"cannot resolve", "resolving"};
    case ClientStage::connecting:
      return {"cannot connect to", "connecting to"};
    case ClientStage::securing:
      return {"TLS handshake failed with", "in the TLS handshake with"};
    case ClientStage::exchanging:
      break;
  }
  return {"exchange failed with", "waiting for the reply from"};
}

}  // namespace

void ClientTranscript::on(const ClientEvent& event) { std::visit(*this, event); }

void ClientTranscript::operator()(const client_events::Connected& event) {
  out_.print("Client has been assigned the socket:  {}", event.local);
}

void ClientTranscript::operator()(const client_events::Secured& event) {
  if (verbose_) out_.print("TLS: {}", description(event.facts));
}

void ClientTranscript::operator()(const client_events::Replied& event) {
  out_.print("Server:  {}", python::bytes_repr(event.reply));
}

void ClientTranscript::operator()(const client_events::Failed& event) {
  out_.print_error("tcpecho: {} {}: {}", words_at(event.stage).failed, event.target,
                   event.error.message());
}

void ClientTranscript::operator()(const client_events::TimedOut& event) {
  out_.print_error("tcpecho: timed out after {} {} {}", seconds_text(event.timeout),
                   words_at(event.stage).waiting, event.target);
}

void ClientTranscript::operator()(const client_events::ClosedEarly& event) {
  if (event.reply.empty()) {
    out_.print_error("tcpecho: {} closed the connection without a reply", event.target);
  } else {
    out_.print_error("tcpecho: {} closed the connection after {} of the {} bytes of {}",
                     event.target, python::bytes_repr(event.reply), event.expected.size(),
                     python::bytes_repr(event.expected));
  }
}

void ClientTranscript::operator()(const client_events::Truncated& event) {
  out_.print_error("tcpecho: {} closed the connection without TLS close_notify after {}",
                   event.target, python::bytes_repr(event.reply));
}

void ClientTranscript::operator()(const client_events::UnexpectedReply& event) {
  out_.print_error("tcpecho: {} replied {}, expected {}", event.target,
                   python::bytes_repr(event.reply), python::bytes_repr(event.expected));
}

void ClientTranscript::operator()(const client_events::CertificateRequired& event) {
  out_.print_error(
      "tcpecho: {} {}: certificate required: the server asked for a client certificate and "
      "none was given (--tls-cert)",
      words_at(ClientStage::securing).failed, event.target);
}

void ClientTranscript::operator()(const client_events::TlsWarning& event) {
  out_.print_error("tcpecho: {}", event.text);
}

}  // namespace tcpecho
