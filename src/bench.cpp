#include "bench.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "endpoints.hpp"
#include "failure.hpp"
#include "link.hpp"
#include "pattern.hpp"

namespace tcpecho {
namespace {

using Clock = std::chrono::steady_clock;

// A connection as the worker's watchdog sees it: busy since when, on which
// socket. The watchdog closes a socket that has been busy longer than the
// timeout, so a stalled server becomes a counted error, not a hung bench.
struct Watch {
  Socket* socket = nullptr;
  Clock::time_point busy_since = Clock::time_point::max();
  bool timed_out = false;

  void busy() { busy_since = Clock::now(); }
  void idle() { busy_since = Clock::time_point::max(); }
};

class Worker {
 public:
  Worker(const BenchConfig& config, std::vector<Endpoint> endpoints, std::size_t first_id,
         std::size_t connections, Clock::time_point measure_from, Clock::time_point stop)
      : config_(config),
        endpoints_(std::move(endpoints)),
        first_id_(first_id),
        watches_(connections),
        measure_from_(measure_from),
        stop_(stop),
        stop_timer_(io_, stop),
        watchdog_timer_(io_),
        tls_(config.tls ? make_tls_client(*config.tls) : nullptr) {}

  // What --tls-insecure has to say, once.
  std::string tls_warning() const { return tls_ ? tls_->warning() : ""; }

  void run() {
    running_ = watches_.size();
    for (std::size_t i = 0; i < watches_.size(); ++i) {
      co_spawn(io_, connection(watches_[i], first_id_ + i),
               [this, &watch = watches_[i]](std::exception_ptr failure) {
                 if (failure) fail_internally(failure);
                 connection_finished(watch);
               });
    }
    // --timeout 0: no operation is ever too slow.
    if (config_.timeout.count() > 0) {
      co_spawn(io_, watchdog(), [this](std::exception_ptr failure) {
        if (failure) fail_internally(failure);
      });
    }
    io_.run();
  }

  BenchResult result;
  std::atomic<std::uint64_t> completed{0};  // for the live display

 private:
  awaitable<void> connection(Watch& watch, std::size_t id) {
    switch (config_.mode) {
      case BenchConfig::Mode::rr:
        co_await request_response(watch, id);
        break;
      case BenchConfig::Mode::stream:
        co_await stream(watch);
        break;
      case BenchConfig::Mode::exchange:
        co_await exchanges(watch);
        break;
      case BenchConfig::Mode::idle:
        co_await hold(watch);
        break;
      case BenchConfig::Mode::flood:
        co_await flood(watch);
        break;
    }
  }

  void connection_finished(Watch& watch) {
    watch.socket = nullptr;
    if (--running_ == 0) {
      stop_timer_.cancel();
      watchdog_timer_.cancel();
    }
  }

  // A bug or exhaustion inside bench, not the server's doing: counted, and
  // the first one's words kept for the report.
  void fail_internally(const std::exception_ptr& failure) {
    ++result.errors[static_cast<std::size_t>(BenchError::other)];
    if (result.internal_failure.empty()) result.internal_failure = failure_text(failure);
  }

  awaitable<bool> connect(Link& link, Watch& watch) {
    watch.socket = &link.socket;
    watch.busy();
    auto [error, endpoint] =
        co_await asio::async_connect(link.socket, endpoints_, nothrow_awaitable);
    if (!error && !is_unix(endpoint)) link.socket.set_option(tcp::no_delay(true), error);
    if (!error && tls_) error = co_await secure(link);
    watch.idle();
    if (error) {
      if (result.connect_failure.empty()) {
        result.connect_failure = watch.timed_out ? "timed out" : error.message();
      }
      fail(watch, BenchError::connect_failed);
      co_return false;
    }
    co_return true;
  }

  // The TLS handshake, timed: full and resumed ones are counted apart.
  awaitable<asio::error_code> secure(Link& link) {
    const auto started = Clock::now();
    link.tls = tls_->connect(link.socket, config_.host);
    const auto error = co_await handshake(link);
    if (error) co_return error;
    auto facts = link.tls->facts();
    const auto now = Clock::now();
    if (now >= measure_from_ && now < stop_) {
      auto& latency = facts.resumed ? result.resumed_handshake_ns : result.full_handshake_ns;
      latency.record(static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(now - started).count()));
    }
    if (!result.tls) result.tls = std::move(facts);
    co_return error;
  }

  // rr: one request in flight per connection. With --rate, requests are due
  // on a fixed schedule and latency counts from when each was due, so a
  // server that stalls cannot hide the requests it held up.
  awaitable<void> request_response(Watch& watch, std::size_t id) {
    Link link{Socket(io_), nullptr};
    if (!co_await connect(link, watch)) co_return;
    const auto first = pattern_slice(id * 7919, config_.size);
    std::vector<char> request(first.begin(), first.end());
    std::vector<char> response(config_.size);
    asio::steady_timer pacer(io_);
    const auto interval = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
        config_.rate > 0 ? static_cast<double>(config_.connections) / config_.rate : 0.0));
    // Spread the connections' schedules over one interval.
    auto due = Clock::now() + interval * id / std::max<std::size_t>(config_.connections, 1);

    for (std::uint64_t sequence = 0;; ++sequence) {
      if (interval.count() > 0) {
        pacer.expires_at(due);
        co_await pacer.async_wait(nothrow_awaitable);
      } else {
        due = Clock::now();
      }
      if (due >= stop_) break;
      // Every request differs, so a stale or repeated reply is a mismatch.
      std::memcpy(request.data(), &sequence, std::min(sizeof sequence, request.size()));

      watch.busy();
      auto [write_error, written] = co_await write_all(link, asio::buffer(request));
      if (write_error) co_return fail(watch, write_error);
      auto [read_error, read] = co_await read_exactly(link, asio::buffer(response));
      watch.idle();
      if (read_error) co_return fail(watch, read_error);
      if (response != request) co_return fail(watch, BenchError::mismatch);
      record(due, response.size());
      due += interval;
    }
  }

  // stream: a writer keeps up to a window of bytes in flight while a reader
  // checks every byte that comes back against what was sent.
  awaitable<void> stream(Watch& watch) {
    Link link{Socket(io_), nullptr};
    if (!co_await connect(link, watch)) co_return;
    StreamState state(io_, config_.size, config_.window);
    using namespace asio::experimental::awaitable_operators;
    co_await (write_stream(link, state) && read_stream(link, watch, state));
    // A reset can reach the writer as the error and the reader as a plain end
    // of stream, in either order: judge once both have stopped.
    if (state.mismatch) {
      fail(watch, BenchError::mismatch);
    } else if (state.write_error || (state.read_error && state.read_error != asio::error::eof)) {
      fail(watch, state.read_error && state.read_error != asio::error::eof ? state.read_error
                                                                           : state.write_error);
    } else if (state.verified != state.written) {
      fail(watch, BenchError::short_reply);
    }
  }

  struct StreamState {
    // `window`: bytes in flight at most; 0 for four chunks.
    StreamState(asio::io_context& io, std::size_t chunk, std::size_t window)
        : chunk(chunk),
          window_chunks(window == 0 ? 4 : std::max<std::size_t>(1, (window + chunk - 1) / chunk)),
          sent_at(window_chunks),
          space(io, Clock::time_point::max()) {}
    std::size_t chunk;
    std::size_t window_chunks;
    std::uint64_t written = 0;
    std::uint64_t verified = 0;
    std::vector<Clock::time_point> sent_at;  // when each chunk in flight was sent
    asio::steady_timer space;                // cancelled when the window opens
    bool done = false;
    bool mismatch = false;
    asio::error_code write_error;
    asio::error_code read_error;
  };

  awaitable<void> write_stream(Link& link, StreamState& state) {
    while (!state.done && Clock::now() < stop_) {
      if (state.written - state.verified >= state.window_chunks * state.chunk) {
        co_await state.space.async_wait(nothrow_awaitable);
        continue;
      }
      state.sent_at[(state.written / state.chunk) % state.window_chunks] = Clock::now();
      const auto slice = pattern_slice(state.written, state.chunk);
      auto [error, n] = co_await write_all(link, asio::buffer(slice.data(), slice.size()));
      if (error) {
        if (!state.write_error) state.write_error = error;
        state.done = true;
        co_return;
      }
      state.written += n;
    }
    shutdown_send(link);
  }

  awaitable<void> read_stream(Link& link, Watch& watch, StreamState& state) {
    std::vector<char> buffer(std::clamp<std::size_t>(state.chunk, 64 * 1024, max_slice));
    for (;;) {
      watch.busy();
      auto [error, n] = co_await read_some(link, asio::buffer(buffer));
      if (n > 0 && std::memcmp(buffer.data(), pattern_slice(state.verified, n).data(), n) != 0) {
        state.mismatch = true;
      } else if (n > 0) {
        const auto chunks_before = state.verified / state.chunk;
        state.verified += n;
        for (auto c = chunks_before; c < state.verified / state.chunk; ++c) {
          record(state.sent_at[c % state.window_chunks], state.chunk);
        }
        state.space.cancel();
        continue;
      }
      watch.idle();
      if (!state.read_error) state.read_error = error;
      state.done = true;
      state.space.cancel();
      link.socket.close(error);
      co_return;
    }
  }

  // exchange: the seed's protocol, one connection per exchange.
  awaitable<void> exchanges(Watch& watch) {
    std::string reply;
    while (Clock::now() < stop_) {
      const auto started = Clock::now();
      Link link{Socket(io_), nullptr};
      if (!co_await connect(link, watch)) co_return;
      if (!co_await check_reply(link, watch, reply)) co_return;
      record(started, reply.size());
    }
  }

  // idle: open (with --echo-first, have 16 bytes echoed), hold until the
  // end, then check the connection still answers.
  awaitable<void> hold(Watch& watch) {
    Link link{Socket(io_), nullptr};
    if (!co_await connect(link, watch)) co_return;
    if (config_.echo_first && !co_await echo_once(link, watch)) co_return;
    co_await stop_timer_.async_wait(nothrow_awaitable);
    std::string reply;
    const auto started = Clock::now();
    if (co_await check_reply(link, watch, reply)) record(started, reply.size(), true);
  }

  awaitable<bool> echo_once(Link& link, Watch& watch) {
    const auto sent = pattern_slice(0, 16);
    std::array<char, 16> back{};
    watch.busy();
    auto [write_error, written] = co_await write_all(link, asio::buffer(sent.data(), sent.size()));
    auto [read_error, read] = co_await read_exactly(link, asio::buffer(back));
    watch.idle();
    if (write_error || read_error) {
      fail(watch, write_error ? write_error : read_error);
      co_return false;
    }
    if (!std::equal(back.begin(), back.end(), sent.begin())) {
      fail(watch, BenchError::mismatch);
      co_return false;
    }
    co_return true;
  }

  // flood: send the message, then keep sending until the end without reading
  // a reply: the client that would have a reply-mode server spend its turns
  // on it. Measures nothing of its own: it is the load beside another bench.
  awaitable<void> flood(Watch& watch) {
    Link link{Socket(io_), nullptr};
    if (!co_await connect(link, watch)) co_return;
    auto [error, written] = co_await write_all(link, asio::buffer(config_.message));
    for (std::uint64_t offset = 0; !error && Clock::now() < stop_;) {
      const auto slice = pattern_slice(offset, config_.size);
      std::tie(error, written) = co_await write_all(link, asio::buffer(slice.data(), slice.size()));
      offset += written;
      record(Clock::now(), written);
    }
    if (error) fail(watch, error);
  }

  // Sends the message, half-closes, reads to EOF, compares with --expect.
  awaitable<bool> check_reply(Link& link, Watch& watch, std::string& reply) {
    watch.busy();
    auto [write_error, written] = co_await write_all(link, asio::buffer(config_.message));
    if (write_error) {
      fail(watch, write_error);
      co_return false;
    }
    shutdown_send(link);
    reply.clear();
    // A reply longer than the expected one is judged a mismatch below.
    const auto read_error = co_await read_to_end(link, reply, config_.expect.size() + 1);
    watch.idle();
    if (read_error && read_error != asio::error::eof && read_error != asio::error::message_size) {
      fail(watch, read_error);
      co_return false;
    }
    if (reply != config_.expect) {
      fail(watch, reply.size() < config_.expect.size() && config_.expect.starts_with(reply)
                      ? BenchError::short_reply
                      : BenchError::mismatch);
      co_return false;
    }
    co_return true;
  }

  awaitable<void> watchdog() {
    const auto tick = std::clamp<Clock::duration>(config_.timeout / 4, 10ms, 250ms);
    while (running_ > 0) {
      watchdog_timer_.expires_after(tick);
      co_await watchdog_timer_.async_wait(nothrow_awaitable);
      const auto now = Clock::now();
      for (auto& watch : watches_) {
        if (watch.socket != nullptr && watch.busy_since != Clock::time_point::max() &&
            now - watch.busy_since > config_.timeout) {
          watch.timed_out = true;
          asio::error_code ignored;
          watch.socket->close(ignored);
        }
      }
    }
  }

  static BenchError classify(const asio::error_code& error) {
    if (error == asio::error::eof) return BenchError::short_reply;
    if (error == asio::error::connection_reset || error == asio::error::broken_pipe) {
      return BenchError::reset;
    }
    return BenchError::other;
  }

  void fail(Watch& watch, const asio::error_code& error) {
    fail(watch, watch.timed_out ? BenchError::timeout : classify(error));
  }
  void fail(Watch& watch, BenchError kind) {
    if (watch.timed_out) kind = BenchError::timeout;
    ++result.errors[static_cast<std::size_t>(kind)];
  }

  // Counts an operation that ended now; only the measured window counts
  // (idle mode checks after the window, so it always counts).
  void record(Clock::time_point started, std::size_t bytes, bool always = false) {
    const auto now = Clock::now();
    completed.fetch_add(1, std::memory_order_relaxed);
    if (!always && (now < measure_from_ || now >= stop_)) return;
    result.latency_ns.record(static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(now - started).count()));
    ++result.operations;
    result.bytes += bytes;
  }

  asio::io_context io_{one_thread_only};  // no other thread posts to a worker
  const BenchConfig& config_;
  std::vector<Endpoint> endpoints_;
  std::size_t first_id_;
  std::vector<Watch> watches_;
  std::size_t running_ = 0;
  Clock::time_point measure_from_;
  Clock::time_point stop_;
  asio::steady_timer stop_timer_;  // idle connections wait on it
  asio::steady_timer watchdog_timer_;
  // Each worker its own: the session to resume is the last this worker saw.
  std::unique_ptr<TlsClient> tls_;
};

std::vector<Endpoint> resolve(const BenchConfig& config) {
  if (!config.unix_path.empty()) return {unix_endpoint(config.unix_path)};
  asio::io_context io;
  tcp::resolver resolver(io);
  asio::error_code error;
  auto results = resolver.resolve(config.host, std::to_string(config.port),
                                  tcp::resolver::numeric_service, error);
  if (error) {
    throw StartupError(
        ExitStatus::resolve_failed,
        fmt::format("cannot resolve {} port {}: {}", config.host, config.port, error.message()));
  }
  return endpoints_of(results);
}

}  // namespace

std::string_view error_name(BenchError kind) {
  switch (kind) {
    case BenchError::mismatch:
      return "mismatch";
    case BenchError::short_reply:
      return "short_reply";
    case BenchError::reset:
      return "reset";
    case BenchError::timeout:
      return "timeout";
    case BenchError::connect_failed:
      return "connect_failed";
    case BenchError::other:
    case BenchError::count:
      break;
  }
  return "other";
}

std::uint64_t BenchResult::error_total() const {
  std::uint64_t total = 0;
  for (auto n : errors) total += n;
  return total;
}

void BenchResult::merge(const BenchResult& other) {
  latency_ns.merge(other.latency_ns);
  operations += other.operations;
  bytes += other.bytes;
  for (std::size_t i = 0; i < errors.size(); ++i) errors[i] += other.errors[i];
  if (connect_failure.empty()) connect_failure = other.connect_failure;
  if (!tls) tls = other.tls;
  full_handshake_ns.merge(other.full_handshake_ns);
  resumed_handshake_ns.merge(other.resumed_handshake_ns);
  if (internal_failure.empty()) internal_failure = other.internal_failure;
}

BenchResult run_bench(const BenchConfig& config, Output& out) {
  const auto endpoints = resolve(config);
  const auto start = Clock::now();
  const auto measure_from = start + config.warmup;
  const auto stop = measure_from + config.duration;

  const std::size_t thread_count = std::clamp<std::size_t>(config.threads, 1, config.connections);
  std::vector<std::unique_ptr<Worker>> workers;
  for (std::size_t t = 0, first = 0; t < thread_count; ++t) {
    const std::size_t share =
        config.connections / thread_count + (t < config.connections % thread_count ? 1 : 0);
    workers.push_back(
        std::make_unique<Worker>(config, endpoints, first, share, measure_from, stop));
    first += share;
  }
  if (auto warning = workers.front()->tls_warning(); !warning.empty()) {
    out.print_error("tcpecho: {}", warning);
  }

  std::mutex mutex;
  std::condition_variable all_done;
  std::size_t finished = 0;
  std::vector<std::jthread> threads;
  for (auto& worker : workers) {
    threads.emplace_back([&, w = worker.get()] {
      w->run();
      std::lock_guard lock(mutex);
      ++finished;
      all_done.notify_one();
    });
  }
  // The live display: once a second, operations per second over that second.
  std::uint64_t last = 0;
  for (std::unique_lock lock(mutex); finished < workers.size();) {
    if (all_done.wait_for(lock, 1s, [&] { return finished == workers.size(); })) break;
    std::uint64_t total = 0;
    for (auto& worker : workers) total += worker->completed.load(std::memory_order_relaxed);
    const auto elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    out.progress(fmt::format("  {:.0f}s  {} ops/s{}", elapsed, total - last,
                             Clock::now() < measure_from ? " (warming up)" : ""));
    last = total;
  }
  threads.clear();
  out.progress("");

  BenchResult result;
  for (auto& worker : workers) result.merge(worker->result);
  result.seconds = seconds_of(config.duration);
  return result;
}

}  // namespace tcpecho
