// `tcpecho send`: one Exchange per --count, each under --timeout; see
// client.hpp.
#include "client/client.hpp"

#include "client/client_json_log.hpp"
#include "client/client_transcript.hpp"
#include "net/connect.hpp"
#include "net/endpoints.hpp"
#include "transport/link.hpp"

namespace tcpecho {
namespace {

// The exit status of a failure at each stage. A server whose certificate
// fails verification is not the one asked for: a failed connection.
ExitStatus status_at(ClientStage stage) {
  switch (stage) {
    case ClientStage::resolving:
      return ExitStatus::resolve_failed;
    case ClientStage::connecting:
    case ClientStage::securing:
      return ExitStatus::connect_failed;
    case ClientStage::exchanging:
      break;
  }
  return ExitStatus::exchange_failed;
}

class Exchange {
 public:
  Exchange(const ClientConfig& config, ClientSink& sink, const NameLookup& lookup, TlsClient* tls)
      : config_(config),
        sink_(sink),
        lookup_(lookup),
        tls_(tls),
        target_(target_text(config.host, config.port, config.unix_path)) {}

  awaitable<ExitStatus> run() {
    Link link(co_await asio::this_coro::executor);
    if (auto error = co_await connect(link)) co_return fail(error);

    stage = ClientStage::exchanging;
    auto [write_error, written] = co_await write_all(link, asio::buffer(config_.message));
    if (write_error) co_return fail_exchange(link, write_error);
    // The half-close tells echo servers, and any server reading to the end,
    // that the message is complete. Without it (--no-half-close), the reply
    // ends at --expect's length, the server's end, or the timeout.
    if (config_.half_close) shutdown_send(link);

    const auto read_error = co_await read_to_end(link, reply_, reply_limit());
    const bool complete = read_error == asio::error::eof ||
                          (read_error == asio::error::message_size && !config_.half_close);
    if (!complete) co_return fail_exchange(link, read_error);
    co_return judge_reply();
  }

  // The reply as it stands: printed, and compared with --expect.
  ExitStatus judge_reply() const {
    if (!config_.expect && is_missing_or_short(reply_)) {
      sink_.on(client_events::ClosedEarly{target_, reply_, seed_reply});
      return ExitStatus::exchange_failed;
    }
    sink_.on(client_events::Replied{reply_});
    if (config_.expect && reply_ != *config_.expect) {
      sink_.on(client_events::UnexpectedReply{target_, reply_, *config_.expect});
      return ExitStatus::unexpected_reply;
    }
    return ExitStatus::ok;
  }

  // --no-half-close: a server that keeps the connection open has said what it
  // had to say when the timeout comes, if it said anything.
  bool timeout_ends_reply() const {
    return stage == ClientStage::exchanging && !config_.half_close && !reply_.empty();
  }

  // Resolves the host (a Unix path needs no lookup), connects to the first
  // address that answers, and makes the TLS handshake if asked to.
  awaitable<asio::error_code> connect(Link& link) {
    std::vector<Endpoint> endpoints;
    if (!config_.unix_path.empty()) {
      endpoints.push_back(unix_endpoint(config_.unix_path));
    } else {
      auto [resolve_error, addresses] =
          co_await resolve_abandonably(config_.host, config_.port, lookup_);
      if (resolve_error) co_return resolve_error;
      endpoints = endpoints_of(addresses, config_.family);
      if (endpoints.empty()) co_return no_address_of(config_.family);
    }

    stage = ClientStage::connecting;
    auto [connect_error, endpoint] =
        co_await connect_first(link.socket, endpoints);
    if (connect_error) co_return connect_error;
    asio::error_code error;
    sink_.on(client_events::Connected{link.socket.local_endpoint(error)});
    if (!tls_) co_return asio::error_code{};

    stage = ClientStage::securing;
    link.tls = tls_->connect(link.socket, config_.host);
    if (auto handshake_error = co_await handshake(link)) co_return handshake_error;
    sink_.on(client_events::Secured{link.tls->facts()});
    co_return asio::error_code{};
  }

  // What the seed's client refuses: nothing at all, or, after its greeting,
  // the first bytes of the seed's reply and then the end.
  bool is_missing_or_short(std::string_view reply) const {
    return reply.empty() || (config_.message == seed_greeting && reply.size() < seed_reply.size() &&
                             seed_reply.starts_with(reply));
  }

  // TLS 1.3 ends the client's handshake before the server has judged its
  // certificate: a server that asked for one and got none refuses after it,
  // with an alert, or with a reset that overtakes the alert when it closes
  // with the message unread. Either is a refused certificate, not a failed
  // exchange.
  ExitStatus fail_exchange(const Link& link, const asio::error_code& error) const {
    if (link.tls && reply_.empty() && error != asio::error::operation_aborted &&
        link.tls->facts().owed_certificate) {
      sink_.on(client_events::CertificateRequired{target_});
      return status_at(ClientStage::securing);
    }
    if (error == tls_truncated()) {
      sink_.on(client_events::Truncated{target_, reply_});
      return ExitStatus::exchange_failed;
    }
    return fail(error);
  }

  ExitStatus fail(const asio::error_code& error) const {
    // Aborted: the timeout won, and exchange_once() says so.
    if (error != asio::error::operation_aborted)
      sink_.on(client_events::Failed{stage, target_, error});
    return status_at(stage);
  }

  // The timeout came first.
  ExitStatus time_out() const {
    sink_.on(client_events::TimedOut{stage, target_, config_.timeout});
    return status_at(stage);
  }

  ClientStage stage = ClientStage::resolving;

 private:
  // Without the half-close, the expected length is where the reply ends.
  std::size_t reply_limit() const {
    return config_.expect && !config_.half_close ? config_.expect->size() : max_reply_size;
  }

  const ClientConfig& config_;
  ClientSink& sink_;
  const NameLookup& lookup_;
  TlsClient* tls_;  // none: plain
  std::string target_;
  std::string reply_;
};

awaitable<void> sleep_for(std::chrono::milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  co_await timer.async_wait(use_awaitable);
}

awaitable<ExitStatus> exchange_once(const ClientConfig& config, ClientSink& sink,
                                    const NameLookup& lookup, TlsClient* tls) {
  Exchange exchange(config, sink, lookup, tls);
  if (config.timeout.count() == 0) co_return co_await exchange.run();

  using namespace asio::experimental::awaitable_operators;
  auto outcome = co_await (exchange.run() || sleep_for(config.timeout));
  if (outcome.index() == 0) co_return std::get<0>(outcome);
  if (exchange.timeout_ends_reply()) co_return exchange.judge_reply();
  co_return exchange.time_out();
}

}  // namespace

awaitable<ExitStatus> send_message(const ClientConfig& config, Output& out, NameLookup lookup) {
  ClientTranscript transcript(out, config.verbose);
  ClientJsonLog json(out);
  ClientSink& log = config.log_format == LogFormat::json ? static_cast<ClientSink&>(json)
                                                          : transcript;
  std::unique_ptr<TlsClient> tls;
  if (config.tls) {
    tls = make_tls_client(*config.tls);
    if (auto warning = tls->warning(); !warning.empty()) log.on(client_events::TlsWarning{warning});
  }
  for (std::size_t i = 0; i < config.count; ++i) {
    if (auto status = co_await exchange_once(config, log, lookup, tls.get());
        status != ExitStatus::ok) {
      co_return status;
    }
  }
  co_return ExitStatus::ok;
}

}  // namespace tcpecho
