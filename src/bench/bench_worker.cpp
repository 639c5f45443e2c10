// The driver half of a bench thread: connecting (TLS included), the
// watchdog, counting; see bench_worker.hpp.
#include "bench/bench_worker.hpp"

#include <algorithm>

#include "failure.hpp"
#include "net/connect.hpp"
#include "net/tcp_info.hpp"
#include "output/python_format.hpp"

namespace tcpecho::bench_load {

BenchWorker::BenchWorker(const BenchConfig& config, std::vector<std::vector<Endpoint>> targets,
                         std::size_t first_id, std::size_t connections)
    : config_(config),
      targets_(std::move(targets)),
      first_id_(first_id),
      watches_(connections),
      stop_timer_(io_),
      watchdog_timer_(io_),
      interval_timer_(io_),
      // --connect-rate in all, shared by the threads as their connections are.
      connect_interval_(
          config.connect_rate > 0
              ? std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                    static_cast<double>(config.connections) /
                    (config.connect_rate * static_cast<double>(connections))))
              : Clock::duration::zero()),
      tls_(config.tls ? make_tls_client(*config.tls) : nullptr) {}

void BenchWorker::run(Clock::time_point measure_from, Clock::time_point stop) {
  measure_from_ = measure_from;
  stop_ = stop;
  stop_timer_.expires_at(stop);
  window_start_ = measure_from;
  running_ = watches_.size();
  windows_.resize(targets_.size());
  result.targets.resize(targets_.size());
  for (std::size_t i = 0; i < watches_.size(); ++i) {
    watches_[i].target = (first_id_ + i) % targets_.size();
    co_spawn(io_, connection(watches_[i], first_id_ + i), [this](std::exception_ptr failure) {
      if (failure) fail_internally(failure);
      connection_finished();
    });
  }
  const auto count_failure = [this](std::exception_ptr failure) {
    if (failure) fail_internally(failure);
  };
  co_spawn(io_, watchdog(), count_failure);
  if (on_interval) co_spawn(io_, intervals(), count_failure);
  io_.run();
  // The window as measured: to -d, to the signal, or to when the last
  // connection ended, whichever came first.
  const auto end = std::max(measure_from_, std::min(stop_, Clock::now()));
  result.seconds = std::chrono::duration<double>(end - measure_from_).count();
  close_window(end);
}

awaitable<void> BenchWorker::connection(Watch& watch, std::size_t id) {
  // Every slot connects at least once, however short the run, so that a
  // server that cannot be reached is always reported.
  asio::steady_timer pacer(io_);
  do {
    if (connect_interval_.count() > 0 && !co_await wait_connect_turn(pacer)) co_return;
    const auto connecting = Clock::now();
    Link link(io_.get_executor());
    Watching watching(watch, link.socket);
    if (!co_await connect(link, watch)) co_return;
    co_await load(link, watch, id, connecting);
    if (auto facts = tcp_facts(link.socket.native_handle())) result.tcp.add(*facts);
  } while (Clock::now() < stop_);
}

awaitable<bool> BenchWorker::wait_connect_turn(asio::steady_timer& pacer) {
  const auto due = std::max(next_connect_, Clock::now());
  next_connect_ = due + connect_interval_;
  if (due > Clock::now()) co_await wait_until(pacer, due);
  co_return Clock::now() < stop_;
}

awaitable<void> BenchWorker::load(Link& link, Watch& watch, std::size_t id,
                                  Clock::time_point connecting) {
  switch (config_.mode) {
    case BenchConfig::Mode::rr:
      co_return co_await request_response(link, watch, id);
    case BenchConfig::Mode::stream:
      co_return co_await stream(link, watch);
    case BenchConfig::Mode::exchange:
      co_return co_await exchange(link, watch, connecting);
    case BenchConfig::Mode::idle:
      co_return co_await hold(link, watch);
    case BenchConfig::Mode::flood:
      co_return co_await flood(link, watch);
  }
}

awaitable<void> BenchWorker::wait_until(asio::steady_timer& timer, Clock::time_point when) {
  using namespace asio::experimental::awaitable_operators;
  timer.expires_at(when);
  co_await (timer.async_wait(nothrow_awaitable) || stop_timer_.async_wait(nothrow_awaitable));
}

void BenchWorker::connection_finished() {
  if (--running_ == 0) {
    stop_timer_.cancel();
    watchdog_timer_.cancel();
  }
}

void BenchWorker::fail_internally(const std::exception_ptr& failure) {
  ++result.errors[static_cast<std::size_t>(BenchError::other)];
  ++windows_.front().errors;
  if (result.internal_failure.empty()) result.internal_failure = failure_text(failure);
}

awaitable<bool> BenchWorker::connect(Link& link, Watch& watch) {
  watch.busy();
  const auto started = Clock::now();
  const auto& endpoints = targets_[watch.target];
  auto [error, endpoint] = config_.source
                               ? co_await connect_from(link.socket, next_source(), endpoints)
                               : co_await connect_first(link.socket, endpoints);
  if (!error) time(result.connect_ns, started);
  if (!error && !is_unix(endpoint)) link.socket.set_option(tcp::no_delay(true), error);
  if (!error && tls_) error = co_await secure(link, config_.targets[watch.target].host);
  watch.idle();
  if (error) {
    fail(watch, BenchError::connect_failed,
         watch.timed_out ? "no connection within the timeout" : error.message());
    co_return false;
  }
  co_return true;
}

asio::ip::address BenchWorker::next_source() {
  return asio::ip::make_address(config_.source->at(first_id_ + sources_used_++));
}

awaitable<asio::error_code> BenchWorker::secure(Link& link, const std::string& host) {
  const auto started = Clock::now();
  link.tls = tls_->connect(link.socket, host);
  const auto error = co_await handshake(link);
  if (error) co_return error;
  auto facts = link.tls->facts();
  time(facts.resumed ? result.resumed_handshake_ns : result.full_handshake_ns, started);
  if (!result.tls) result.tls = std::move(facts);
  co_return error;
}

awaitable<void> BenchWorker::watchdog() {
  const bool timing = config_.timeout.count() > 0;  // --timeout 0: nothing is too slow
  const auto tick = timing ? std::clamp<Clock::duration>(config_.timeout / 4, 10ms, 250ms)
                           : Clock::duration(250ms);
  while (running_ > 0) {
    watchdog_timer_.expires_after(tick);
    co_await watchdog_timer_.async_wait(nothrow_awaitable);
    if (stop_requested_.load(std::memory_order_relaxed) && !cut_short_) cut_short();
    const auto now = Clock::now();
    for (auto& watch : watches_) {
      if (timing && watch.socket != nullptr && watch.busy_since != Clock::time_point::max() &&
          now - watch.busy_since > config_.timeout) {
        watch.timed_out = true;
        asio::error_code ignored;
        watch.socket->close(ignored);
      }
    }
  }
}

awaitable<void> BenchWorker::intervals() {
  for (auto boundary = measure_from_ + config_.interval; running_ > 0 && boundary < stop_;
       boundary += config_.interval) {
    co_await wait_until(interval_timer_, boundary);
    if (Clock::now() < boundary) co_return;  // the run ended first
    close_window(boundary);
  }
}

void BenchWorker::close_window(Clock::time_point end) {
  const auto seconds = [](Clock::duration d) { return std::chrono::duration<double>(d).count(); };
  for (std::size_t t = 0; t < windows_.size(); ++t) {
    auto& window = windows_[t];
    window.offset = seconds(window_start_ - measure_from_);
    window.seconds = seconds(end - window_start_);
    result.latency_ns.add(window.latency_ns);
    result.operations += window.operations;
    result.bytes += window.bytes;
    result.targets[t].add(window);
    result.targets[t].seconds = seconds(end - measure_from_);
  }
  if (on_interval) on_interval(windows_closed_++, std::move(windows_));
  windows_.assign(targets_.size(), BenchInterval{});
  window_start_ = end;
}

void BenchWorker::cut_short() {
  cut_short_ = true;
  stop_ = std::min(stop_, Clock::now());
  stop_timer_.expires_at(stop_);  // wakes whoever waits for the end
  for (auto& watch : watches_) {
    asio::error_code ignored;
    if (watch.socket != nullptr) watch.socket->close(ignored);
  }
}

BenchError BenchWorker::classify(const asio::error_code& error) {
  if (error == asio::error::eof) return BenchError::short_reply;
  if (error == asio::error::connection_reset || error == asio::error::broken_pipe) {
    return BenchError::reset;
  }
  return BenchError::other;
}

void BenchWorker::fail(Watch& watch, const asio::error_code& error) {
  fail(watch, classify(error), error.message());
}

void BenchWorker::fail(Watch& watch, BenchError kind, const std::string& words) {
  if (cut_short_) return;
  const bool timed_out = watch.timed_out;
  if (timed_out && kind != BenchError::connect_failed) kind = BenchError::timeout;
  const auto i = static_cast<std::size_t>(kind);
  ++result.errors[i];
  ++windows_[watch.target].errors;
  if (result.first_error[i].empty()) {
    result.first_error[i] =
        timed_out ? fmt::format("no answer within {}", seconds_text(config_.timeout)) : words;
  }
}

std::string first_difference(std::string_view expected, std::string_view got,
                             std::uint64_t offset) {
  constexpr std::size_t shown = 8;
  const auto at = static_cast<std::size_t>(
      std::mismatch(expected.begin(), expected.end(), got.begin(), got.end()).first -
      expected.begin());
  const auto part = [&](std::string_view bytes) {
    return at < bytes.size() ? python::bytes_repr(bytes.substr(at, shown)) : std::string("the end");
  };
  return fmt::format("at byte {}: expected {}, got {}", offset + at, part(expected), part(got));
}

void BenchWorker::time(Histogram& latency, Clock::time_point started) {
  const auto now = Clock::now();
  if (now < measure_from_ || now >= stop_) return;
  latency.record(static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(now - started).count()));
}

void BenchWorker::record(const Watch& watch, Clock::time_point started, std::size_t bytes,
                         bool always) {
  const auto now = Clock::now();
  completed.fetch_add(1, std::memory_order_relaxed);
  if (!always && (now < measure_from_ || now >= stop_)) return;
  auto& window = windows_[watch.target];
  window.latency_ns.record(static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(now - started).count()));
  ++window.operations;
  window.bytes += bytes;
}

}  // namespace tcpecho::bench_load
