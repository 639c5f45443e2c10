// `tcpecho bench`'s threads: one BenchWorker each, the live line, the merged
// result; see bench.hpp.
#include "bench/bench.hpp"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

#include "bench/bench_worker.hpp"
#include "bench/interval_series.hpp"
#include "bench/report_files.hpp"
#include "net/endpoints.hpp"
#include "stop_on_signals.hpp"

namespace tcpecho {
namespace {

using bench_load::BenchWorker;
using bench_load::Clock;

std::vector<Endpoint> resolve(const BenchTarget& target, AddressFamily family) {
  if (!target.unix_path.empty()) return {unix_endpoint(target.unix_path)};
  asio::io_context io;
  tcp::resolver resolver(io);
  asio::error_code error;
  auto results = resolver.resolve(target.host, std::to_string(target.port),
                                  tcp::resolver::numeric_service, error);
  auto endpoints = endpoints_of(results, family);
  if (!error && endpoints.empty()) error = no_address_of(family);
  if (error) {
    throw StartupError(
        ExitStatus::resolve_failed,
        fmt::format("cannot resolve {} port {}: {}", target.host, target.port, error.message()));
  }
  return endpoints;
}

// Each target's addresses, in the targets' order.
std::vector<std::vector<Endpoint>> resolve(const BenchConfig& config) {
  if (config.targets.empty()) throw std::invalid_argument("bench has no target");
  std::vector<std::vector<Endpoint>> targets;
  for (const auto& target : config.targets) targets.push_back(resolve(target, config.family));
  return targets;
}

// A worker per thread (no more threads than connections), each with its
// share of the connections, numbered on from the one before.
std::vector<std::unique_ptr<BenchWorker>> make_workers(
    const BenchConfig& config, const std::vector<std::vector<Endpoint>>& targets) {
  const std::size_t thread_count = std::clamp<std::size_t>(config.threads, 1, config.connections);
  std::vector<std::unique_ptr<BenchWorker>> workers;
  for (std::size_t t = 0, first = 0; t < thread_count; ++t) {
    const std::size_t share =
        config.connections / thread_count + (t < config.connections % thread_count ? 1 : 0);
    workers.push_back(std::make_unique<BenchWorker>(config, targets, first, share));
    first += share;
  }
  return workers;
}

}  // namespace

namespace {

using Workers = std::vector<std::unique_ptr<BenchWorker>>;

// The live display: once a second, operations per second over that second,
// until the workers are `done` (a tick that had already expired when they
// were is not cancelled: the flag ends the loop).
awaitable<void> show_progress(asio::steady_timer& tick, const Workers& workers, const bool& done,
                              Output& out, Clock::time_point start,
                              Clock::time_point measure_from) {
  for (std::uint64_t last = 0;;) {
    tick.expires_after(1s);
    co_await tick.async_wait(nothrow_awaitable);
    if (done) co_return;
    std::uint64_t total = 0;
    for (const auto& worker : workers) total += worker->completed.load(std::memory_order_relaxed);
    const auto elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    out.progress(fmt::format("  {:.0f}s  {} ops/s{}", elapsed, total - last,
                             Clock::now() < measure_from ? " (warming up)" : ""));
    last = total;
  }
}

// With --interval, each worker hands the main thread its share of each
// interval as it closes it.
void report_intervals(const Workers& workers, asio::io_context& io, IntervalSeries& series) {
  for (const auto& worker : workers) {
    worker->on_interval = [&io, &series](std::size_t index, std::vector<BenchInterval> share) {
      asio::post(io, [&series, index, share = std::move(share)] { series.add(index, share); });
    };
  }
}

// A steady-clock time as Unix time in seconds, for the reports and logs
// that line up runs from several machines.
double unix_time_at(Clock::time_point when) {
  const auto wall =
      std::chrono::system_clock::now() +
      std::chrono::duration_cast<std::chrono::system_clock::duration>(when - Clock::now());
  return std::chrono::duration<double>(wall.time_since_epoch()).count();
}

// --start-at: before any thread or event loop, so a plain sleep (a signal
// ends it, and bench, at once). A time already past is said and begun at.
void wait_for_start(double unix_time, Output& out) {
  using namespace std::chrono;
  const auto when =
      system_clock::time_point(duration_cast<system_clock::duration>(duration<double>(unix_time)));
  const auto late = system_clock::now() - when;
  if (late > 0s) {
    out.print_error("tcpecho: --start-at was {:.3f}s ago; starting now",
                    duration<double>(late).count());
  }
  std::this_thread::sleep_until(when);
}

// Rethrows what escaped a coroutine of the main thread, out of io.run().
void rethrow(std::exception_ptr failure) {
  if (failure) std::rethrow_exception(failure);
}

// The main thread watches while the workers run: the live line, the
// signals, the workers' ends. The first signal ends the run, and the report
// still comes; a second one ends the process at once. Returns the signal
// that ended the run, or 0.
int watch_workers(const BenchConfig& config, const Workers& workers, asio::io_context& io,
                  Output& out, Clock::time_point start, Clock::time_point measure_from) {
  int stopped_by = 0;
  StopOnSignals signals(
      io.get_executor(),
      [&](int signal) {
        stopped_by = signal;
        for (const auto& worker : workers) worker->request_stop();
      },
      [](int signal) { std::_Exit(signal_exit_status(signal)); });
  asio::steady_timer tick(io);
  bool done = false;
  if (config.interval.count() == 0) {  // the intervals' lines say more
    co_spawn(io, show_progress(tick, workers, done, out, start, measure_from), rethrow);
  }
  std::size_t finished = 0;
  std::vector<std::jthread> threads;
  for (const auto& worker : workers) {
    threads.emplace_back([&, w = worker.get()] {
      w->run(measure_from, measure_from + config.duration);
      asio::post(io, [&] {
        if (++finished < workers.size()) return;
        done = true;
        signals.cancel();
        tick.cancel();
      });
    });
  }
  io.run();
  threads.clear();
  out.progress("");
  return stopped_by;
}

}  // namespace

BenchResult run_bench(const BenchConfig& config, Output& out) {
  ReportFiles files(config);
  auto workers = make_workers(config, resolve(config));
  if (auto warning = workers.front()->tls_warning(); !warning.empty()) {
    out.print_error("tcpecho: {}", warning);
  }
  if (config.start_at) wait_for_start(*config.start_at, out);
  // The clock starts once the workers are ready: loading the system's CA
  // certificates for --tls can take longer than a short run.
  const auto start = Clock::now();
  const auto measure_from = start + config.warmup;
  const double start_time = unix_time_at(measure_from);

  asio::io_context io(1);
  IntervalSeries series(config, workers.size(), start_time, out, files);
  if (config.interval.count() > 0) report_intervals(workers, io, series);
  const int stopped_by = watch_workers(config, workers, io, out, start, measure_from);

  BenchResult result;
  for (auto& worker : workers) result.merge(worker->result);
  result.stopped_by_signal = stopped_by;
  result.start_time = start_time;
  result.intervals = series.finish(result);
  files.finish(result);
  result.output_failure = files.failure();
  return result;
}

}  // namespace tcpecho
