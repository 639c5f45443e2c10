#include "client.hpp"

#include "python_format.hpp"

namespace tcpecho {
namespace {

// How far the exchange got, for the message when it runs out of time.
enum class Stage { resolving, connecting, exchanging };

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
    case Stage::exchanging:
      break;
  }
  return {ExitStatus::exchange_failed, "exchange failed with", "waiting for the reply from"};
}

class Exchange {
 public:
  Exchange(const ClientConfig& config, Output& out) : config_(config), out_(out) {}

  awaitable<ExitStatus> run() {
    auto executor = co_await asio::this_coro::executor;

    tcp::resolver resolver(executor);
    auto [resolve_error, addresses] =
        co_await resolver.async_resolve(config_.host, std::to_string(config_.port),
                                        tcp::resolver::numeric_service, nothrow_awaitable);
    if (resolve_error) co_return fail(resolve_error);

    stage = Stage::connecting;
    tcp::socket socket(executor);
    auto [connect_error, endpoint] =
        co_await asio::async_connect(socket, addresses, nothrow_awaitable);
    if (connect_error) co_return fail(connect_error);

    stage = Stage::exchanging;
    asio::error_code error;
    out_.print("Client has been assigned the socket:  {}", socket.local_endpoint(error));

    auto [write_error, written] =
        co_await asio::async_write(socket, asio::buffer(config_.message), nothrow_awaitable);
    if (write_error) co_return fail(write_error);
    // The half-close tells echo servers, and any server reading to EOF, that
    // the message is complete.
    socket.shutdown(tcp::socket::shutdown_send, error);

    std::string reply;
    auto [read_error, received] = co_await asio::async_read(
        socket, asio::dynamic_buffer(reply, max_reply_size), nothrow_awaitable);
    if (read_error != asio::error::eof) {
      co_return fail(read_error ? read_error : asio::error::message_size);
    }
    out_.print("Server:  {}", python::bytes_repr(reply));
    if (config_.expect && reply != *config_.expect) {
      out_.print_error("tcpecho: {} port {} replied {}, expected {}", config_.host, config_.port,
                       python::bytes_repr(reply), python::bytes_repr(*config_.expect));
      co_return ExitStatus::unexpected_reply;
    }
    co_return ExitStatus::ok;
  }

  ExitStatus fail(const asio::error_code& error) const {
    const Failure failure = failure_at(stage);
    // Aborted: the timeout won, and send_message() says so.
    if (error != asio::error::operation_aborted) {
      out_.print_error("tcpecho: {} {} port {}: {}", failure.failed, config_.host, config_.port,
                       error.message());
    }
    return failure.status;
  }

  Stage stage = Stage::resolving;

 private:
  const ClientConfig& config_;
  Output& out_;
};

awaitable<void> sleep_for(std::chrono::milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  co_await timer.async_wait(use_awaitable);
}

awaitable<ExitStatus> exchange_once(const ClientConfig& config, Output& out) {
  Exchange exchange(config, out);
  if (config.timeout.count() == 0) co_return co_await exchange.run();

  using namespace asio::experimental::awaitable_operators;
  auto outcome = co_await (exchange.run() || sleep_for(config.timeout));
  if (outcome.index() == 0) co_return std::get<0>(outcome);

  const Failure failure = failure_at(exchange.stage);
  out.print_error("tcpecho: timed out after {} {} {} port {}", seconds_text(config.timeout),
                  failure.timed_out, config.host, config.port);
  co_return failure.status;
}

}  // namespace

awaitable<ExitStatus> send_message(const ClientConfig& config, Output& out) {
  for (std::size_t i = 0; i < config.count; ++i) {
    if (auto status = co_await exchange_once(config, out); status != ExitStatus::ok) {
      co_return status;
    }
  }
  co_return ExitStatus::ok;
}

}  // namespace tcpecho
