// Name lookup that a timeout can abandon: see resolve.hpp.
#include "net/resolve.hpp"

#include <memory>
#include <mutex>
#include <thread>

namespace tcpecho {
namespace {

// What the lookup's thread and the waiting coroutine share. The thread may
// outlive the coroutine, the io_context and all: once the coroutine has gone
// (`abandoned`), the thread touches nothing but this.
struct Answer {
  std::mutex mutex;
  bool abandoned = false;
  asio::error_code error;
  tcp::resolver::results_type results;
  bool ready = false;
  asio::steady_timer* waiting = nullptr;  // the coroutine's; used on its thread only
};

// Marks the answer abandoned when the coroutine's frame goes, however it goes.
struct Abandon {
  std::shared_ptr<Answer> answer;
  ~Abandon() {
    std::lock_guard lock(answer->mutex);
    answer->abandoned = true;
    answer->waiting = nullptr;
  }
};

}  // namespace

tcp::resolver::results_type system_lookup(const std::string& host, const std::string& port,
                                          asio::error_code& error) {
  asio::io_context io;  // a synchronous resolve() runs nothing on it
  tcp::resolver resolver(io);
  return resolver.resolve(host, port, tcp::resolver::numeric_service, error);
}

awaitable<std::tuple<asio::error_code, tcp::resolver::results_type>> resolve_abandonably(
    std::string host, std::uint16_t port, const NameLookup& lookup) {
  const auto executor = co_await asio::this_coro::executor;
  asio::steady_timer answered(executor, asio::steady_timer::time_point::max());
  Abandon guard{std::make_shared<Answer>()};
  guard.answer->waiting = &answered;

  std::thread([answer = guard.answer, executor, lookup, host, port = std::to_string(port)] {
    asio::error_code error;
    auto results = lookup(host, port, error);
    std::lock_guard lock(answer->mutex);
    if (answer->abandoned) return;  // executor may be gone: touch nothing else
    answer->error = error;
    answer->results = std::move(results);
    answer->ready = true;
    asio::post(executor, [answer] {
      if (answer->waiting != nullptr) answer->waiting->cancel();
    });
  }).detach();

  co_await answered.async_wait(nothrow_awaitable);  // cancelled either way
  std::lock_guard lock(guard.answer->mutex);
  if (!guard.answer->ready) {
    co_return std::tuple(asio::error_code(asio::error::operation_aborted),
                         tcp::resolver::results_type());
  }
  co_return std::tuple(guard.answer->error, std::move(guard.answer->results));
}

}  // namespace tcpecho
