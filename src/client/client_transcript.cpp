// The client's transcript and error lines: see client_transcript.hpp.
#include "client/client_transcript.hpp"

#include "output/python_format.hpp"

namespace tcpecho {
namespace {

// "tcpecho: <what failed> <target>: <why>".
const char* failed_words(ClientStage stage) {
  switch (stage) {
    case ClientStage::resolving:
      return "cannot resolve";
    case ClientStage::connecting:
      return "cannot connect to";
    case ClientStage::securing:
      return "TLS handshake failed with";
    case ClientStage::exchanging:
      break;
  }
  return "exchange failed with";
}

// "tcpecho: timed out after <timeout> <what it was doing> <target>".
const char* waiting_words(ClientStage stage) {
  switch (stage) {
    case ClientStage::resolving:
      return "resolving";
    case ClientStage::connecting:
      return "connecting to";
    case ClientStage::securing:
      return "in the TLS handshake with";
    case ClientStage::exchanging:
      break;
  }
  return "waiting for the reply from";
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
  out_.print_error("tcpecho: {} {}: {}", failed_words(event.stage), event.target,
                   event.error.message());
}

void ClientTranscript::operator()(const client_events::TimedOut& event) {
  out_.print_error("tcpecho: timed out after {} {} {}", seconds_text(event.timeout),
                   waiting_words(event.stage), event.target);
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
      failed_words(ClientStage::securing), event.target);
}

void ClientTranscript::operator()(const client_events::TlsWarning& event) {
  out_.print_error("tcpecho: {}", event.text);
}

}  // namespace tcpecho
