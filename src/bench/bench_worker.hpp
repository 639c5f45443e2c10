// One thread of `tcpecho bench`: its io_context, its share of the
// connections, its counters and histogram. The driver half (connecting, the
// TLS handshake, the watchdog, counting) is in bench_worker.cpp; each load
// mode is a coroutine per connection in bench_loads.cpp.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bench/bench.hpp"
#include "transport/link.hpp"

namespace tcpecho::bench_load {

using Clock = std::chrono::steady_clock;

// A connection as the worker's watchdog sees it: busy since when, on which
// socket. The watchdog closes a socket that has been busy longer than the
// timeout, so a stalled server becomes a counted error, not a hung bench.
struct Watch {
  std::size_t target = 0;  // which of --target the slot's connections go to
  Socket* socket = nullptr;
  Clock::time_point busy_since = Clock::time_point::max();
  bool timed_out = false;

  void busy() { busy_since = Clock::now(); }
  void idle() { busy_since = Clock::time_point::max(); }
};

// Points a Watch at a connection for exactly as long as the connection
// lives: declared after its Link, it lets go before the socket is gone, on
// every way out, so the watchdog never closes a socket that is no more.
class Watching {
 public:
  Watching(Watch& watch, Socket& socket) : watch_(watch) {
    watch_.socket = &socket;
    watch_.timed_out = false;
    watch_.idle();
  }
  ~Watching() {
    watch_.socket = nullptr;
    watch_.idle();
  }
  Watching(const Watching&) = delete;
  Watching& operator=(const Watching&) = delete;

 private:
  Watch& watch_;
};

// Where `got` first differs from `expected`, for the report: "at byte 7:
// expected b'...', got b'...'", a few bytes of each from there; `offset` is
// where `expected` starts in its stream.
std::string first_difference(std::string_view expected, std::string_view got,
                             std::uint64_t offset = 0);

class BenchWorker {
 public:
  BenchWorker(const BenchConfig& config, std::vector<std::vector<Endpoint>> targets,
              std::size_t first_id, std::size_t connections);

  // What --tls-insecure has to say, once.
  std::string tls_warning() const { return tls_ ? tls_->warning() : ""; }

  // Runs the connections, measuring from `measure_from` until `stop`.
  void run(Clock::time_point measure_from, Clock::time_point stop);
  // From another thread: end the run now (a signal). The worker's watchdog
  // sees it within a tick, closes the connections and counts no error of
  // theirs after it.
  void request_stop() { stop_requested_.store(true, std::memory_order_relaxed); }

  BenchResult result;
  std::atomic<std::uint64_t> completed{0};  // for the live display
  // With --interval: called on the worker's thread with each interval it
  // closes, numbered from 0, a share per target.
  std::function<void(std::size_t, std::vector<BenchInterval>)> on_interval;

 private:
  // A connection slot: connects, runs the mode over the connection, and
  // replaces a connection that failed, until the end of the run. One that
  // cannot connect ends the slot: there is nothing to load.
  awaitable<void> connection(Watch& watch, std::size_t id);

  // The mode's work on one connection, until the run ends or it fails;
  // `connecting`: when its connect() began.
  awaitable<void> load(Link& link, Watch& watch, std::size_t id, Clock::time_point connecting);

  // --connect-rate: waits for this connect's turn on the worker's schedule;
  // false if the run ended first.
  awaitable<bool> wait_connect_turn(asio::steady_timer& pacer);

  // Waits for `timer` (set to `when`) or the end of the run, whichever is first.
  awaitable<void> wait_until(asio::steady_timer& timer, Clock::time_point when);

  void connection_finished();

  // A bug or exhaustion inside bench, not the server's doing: counted, and
  // the first one's words kept for the report.
  void fail_internally(const std::exception_ptr& failure);

  awaitable<bool> connect(Link& link, Watch& watch);
  // --source: the next address of the range, the workers starting apart.
  asio::ip::address next_source();

  // The TLS handshake, timed: full and resumed ones are counted apart.
  // `host`: the name the server's certificate must have.
  awaitable<asio::error_code> secure(Link& link, const std::string& host);

  // rr: one request in flight per connection. With --rate, requests are due
  // on a fixed schedule and latency counts from when each was due, so a
  // server that stalls cannot hide the requests it held up.
  awaitable<void> request_response(Link& link, Watch& watch, std::size_t id);

  // stream: a writer keeps up to a window of bytes in flight while a reader
  // checks every byte that comes back against what was sent.
  awaitable<void> stream(Link& link, Watch& watch);

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
    std::string mismatch;  // where the echoed stream first differed
    asio::error_code write_error;
    asio::error_code read_error;
  };

  awaitable<void> write_stream(Link& link, StreamState& state);

  awaitable<void> read_stream(Link& link, Watch& watch, StreamState& state);

  // exchange: the seed's protocol, one connection per exchange, timed from
  // the connect() that began at `connecting`.
  awaitable<void> exchange(Link& link, Watch& watch, Clock::time_point connecting);

  // idle: (with --echo-first, have 16 bytes echoed), hold until the end,
  // then check the connection still answers.
  awaitable<void> hold(Link& link, Watch& watch);

  awaitable<bool> echo_once(Link& link, Watch& watch);

  // flood: send the message, then keep sending until the end without reading
  // a reply: the client that would have a reply-mode server spend its turns
  // on it. Counts writes and bytes, and no latency: it is the load beside
  // another bench.
  awaitable<void> flood(Link& link, Watch& watch);

  // Sends the message, half-closes, reads to EOF, compares with --expect;
  // times the reply's first byte in `first_byte` if given.
  awaitable<bool> check_reply(Link& link, Watch& watch, std::string& reply,
                              Histogram* first_byte = nullptr);

  awaitable<void> watchdog();

  // Closes an interval at each --interval boundary of the measured window.
  awaitable<void> intervals();

  // The current interval ends at `end`: its counts join the run's, and with
  // --interval it goes to on_interval.
  void close_window(Clock::time_point end);

  static BenchError classify(const asio::error_code& error);

  // Counts an error (none after a signal cut the run short: those are
  // bench's own doing) and keeps the first of its kind's words.
  void fail(Watch& watch, const asio::error_code& error);
  void fail(Watch& watch, BenchError kind, const std::string& words);

  // The signal's stop, on the worker's thread.
  void cut_short();

  // Records in `latency` how long since `started`, if now is in the
  // measured window.
  void time(Histogram& latency, Clock::time_point started);

  // Counts an operation that ended now; only the measured window counts
  // (idle mode checks after the window, so it always counts).
  void record(const Watch& watch, Clock::time_point started, std::size_t bytes,
              bool always = false);

  asio::io_context io_{one_thread_only};  // no other thread posts to a worker
  const BenchConfig& config_;
  std::vector<std::vector<Endpoint>> targets_;  // each target's addresses
  std::size_t first_id_;
  std::vector<Watch> watches_;
  std::size_t running_ = 0;
  std::atomic<bool> stop_requested_{false};
  bool cut_short_ = false;
  Clock::time_point measure_from_;
  Clock::time_point stop_;
  asio::steady_timer stop_timer_;  // idle connections wait on it
  asio::steady_timer watchdog_timer_;
  asio::steady_timer interval_timer_;
  // What the current interval has counted; the run's totals are its
  // intervals' sums, so an operation is recorded once.
  std::vector<BenchInterval> windows_;  // per target
  Clock::time_point window_start_;
  std::size_t windows_closed_ = 0;
  Clock::duration connect_interval_;  // between this worker's connects; 0: no limit
  Clock::time_point next_connect_;
  std::uint64_t sources_used_ = 0;
  // Each worker its own: the session to resume is the last this worker saw.
  std::unique_ptr<TlsClient> tls_;
};

}  // namespace tcpecho::bench_load
