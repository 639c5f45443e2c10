// `tcpecho send`: one Exchange per --count, each under --timeout; see
// client.hpp.
#include "client/client.hpp"

#include "net/connect.hpp"
#include "net/endpoints.hpp"
#include "output/python_format.hpp"
#include "transport/link.hpp"

namespace tcpecho {
namespace {

// How far the exchange got, for the message when it runs out of time.
enum class Stage { resolving, connecting, securing, exchanging };

// What failing at each stage means: the exit status, and the words for an
// error and for running out of time there.
struct Failure {
  ExitStatus status;
  const char* failed;
  const char* timed_out;
};

Failure failure_at(Stage stage) {
  switch (stage) {
    case Stage::resolving:
      return {ExitStatus::resolve_failed, "cannot resolve", "resolving"};
    case Stage::connecting:
      return {ExitStatus::connect_failed, "cannot connect to", "connecting to"};
    // A server whose certificate fails verification is not the one asked for.
    case Stage::securing:
      return {ExitStatus::connect_failed, "TLS handshake failed with", "in the TLS handshake with"};
    case Stage::exchanging:
      break;
  }
  return {ExitStatus::exchange_failed, "exchange failed with", "waiting for the reply from"};
}

class Exchange {
 public:
  Exchange(const ClientConfig& config, Output& out, const NameLookup& lookup, TlsClient* tls)
      : config_(config),
        out_(out),
        lookup_(lookup),
        tls_(tls),
        target_(target_text(config.host, config.port, config.unix_path)) {}

  awaitable<ExitStatus> run() {
    Link link(co_await asio::this_coro::executor);
    if (auto error = co_await connect(link)) co_return fail(error);

    stage = Stage::exchanging;
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
    if (!config_.expect && is_missing_or_short(reply_)) return fail_short(reply_);
    out_.print("Server:  {}", python::bytes_repr(reply_));
    if (config_.expect && reply_ != *config_.expect) {
      out_.print_error("tcpecho: {} replied {}, expected {}", target_,
                       python::bytes_repr(reply_), python::bytes_repr(*config_.expect));
      return ExitStatus::unexpected_reply;
    }
    return ExitStatus::ok;
  }

  // --no-half-close: a server that keeps the connection open has said what it
  // had to say when the timeout comes, if it said anything.
  bool timeout_ends_reply() const {
    return stage == Stage::exchanging && !config_.half_close && !reply_.empty();
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

    stage = Stage::connecting;
    auto [connect_error, endpoint] =
        co_await connect_first(link.socket, endpoints);
    if (connect_error) co_return connect_error;
    asio::error_code error;
    out_.print("Client has been assigned the socket:  {}", link.socket.local_endpoint(error));
    if (!tls_) co_return asio::error_code{};

    stage = Stage::securing;
    link.tls = tls_->connect(link.socket, config_.host);
    if (auto handshake_error = co_await handshake(link)) co_return handshake_error;
    if (config_.verbose) out_.print("TLS: {}", description(link.tls->facts()));
    co_return asio::error_code{};
  }

  // What the seed's client refuses: nothing at all, or, after its greeting,
  // the first bytes of the seed's reply and then the end.
  bool is_missing_or_short(std::string_view reply) const {
    return reply.empty() || (config_.message == seed_greeting && reply.size() < seed_reply.size() &&
                             seed_reply.starts_with(reply));
  }

  ExitStatus fail_short(std::string_view reply) const {
    if (reply.empty()) {
      out_.print_error("tcpecho: {} closed the connection without a reply", target_);
    } else {
      out_.print_error("tcpecho: {} closed the connection after {} of the {} bytes of {}",
                       target_, python::bytes_repr(reply), seed_reply.size(),
                       python::bytes_repr(seed_reply));
    }
    return ExitStatus::exchange_failed;
  }

  // The bytes may be all the server meant to send, or the start of it cut
  // short by somebody who could not forge the end: TLS cannot tell.
  ExitStatus fail_truncated(std::string_view reply) const {
    out_.print_error("tcpecho: {} closed the connection without TLS close_notify after {}",
                     target_, python::bytes_repr(reply));
    return ExitStatus::exchange_failed;
  }

  // TLS 1.3 ends the client's handshake before the server has judged its
  // certificate: a server that asked for one and got none refuses after it,
  // with an alert, or with a reset that overtakes the alert when it closes
  // with the message unread. Either is a refused certificate, not a failed
  // exchange.
  ExitStatus fail_exchange(const Link& link, const asio::error_code& error) const {
    if (link.tls && reply_.empty() && error != asio::error::operation_aborted &&
        link.tls->facts().owed_certificate) {
      out_.print_error("tcpecho: {} {}: certificate required: the server asked for a client "
                       "certificate and none was given (--tls-cert)",
                       failure_at(Stage::securing).failed, target_);
      return failure_at(Stage::securing).status;
    }
    if (error == tls_truncated()) return fail_truncated(reply_);
    return fail(error);
  }

  ExitStatus fail(const asio::error_code& error) const {
    const Failure failure = failure_at(stage);
    // Aborted: the timeout won, and send_message() says so.
    if (error != asio::error::operation_aborted) {
      out_.print_error("tcpecho: {} {}: {}", failure.failed, target_, error.message());
    }
    return failure.status;
  }

  Stage stage = Stage::resolving;

 private:
  // Without the half-close, the expected length is where the reply ends.
  std::size_t reply_limit() const {
    return config_.expect && !config_.half_close ? config_.expect->size() : max_reply_size;
  }

  const ClientConfig& config_;
  Output& out_;
  const NameLookup& lookup_;
  TlsClient* tls_;  // none: plain
  std::string target_;
  std::string reply_;
};

awaitable<void> sleep_for(std::chrono::milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  co_await timer.async_wait(use_awaitable);
}

awaitable<ExitStatus> exchange_once(const ClientConfig& config, Output& out,
                                    const NameLookup& lookup, TlsClient* tls) {
  Exchange exchange(config, out, lookup, tls);
  if (config.timeout.count() == 0) co_return co_await exchange.run();

  using namespace asio::experimental::awaitable_operators;
  auto outcome = co_await (exchange.run() || sleep_for(config.timeout));
  if (outcome.index() == 0) co_return std::get<0>(outcome);
  if (exchange.timeout_ends_reply()) co_return exchange.judge_reply();

  const Failure failure = failure_at(exchange.stage);
  out.print_error("tcpecho: timed out after {} {} {}", seconds_text(config.timeout),
                  failure.timed_out, target_text(config.host, config.port, config.unix_path));
  co_return failure.status;
}

}  // namespace

awaitable<ExitStatus> send_message(const ClientConfig& config, Output& out, NameLookup lookup) {
  std::unique_ptr<TlsClient> tls;
  if (config.tls) {
    tls = make_tls_client(*config.tls);
    if (auto warning = tls->warning(); !warning.empty()) out.print_error("tcpecho: {}", warning);
  }
  for (std::size_t i = 0; i < config.count; ++i) {
    if (auto status = co_await exchange_once(config, out, lookup, tls.get());
        status != ExitStatus::ok) {
      co_return status;
    }
  }
  co_return ExitStatus::ok;
}

}  // namespace tcpecho
