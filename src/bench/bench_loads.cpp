// The load modes of `tcpecho bench`, each a coroutine over one connection
// that the worker's connection slot made (bench_worker.cpp), with its
// counting. Each returns when the run ends or the connection fails.
#include <algorithm>
#include <cstring>

#include "bench/bench_worker.hpp"
#include "bench/pattern.hpp"

namespace tcpecho::bench_load {

awaitable<void> BenchWorker::request_response(Link& link, Watch& watch, std::size_t id) {
  const auto first = pattern_slice(id * 7919, config_.size);
  std::vector<char> request(first.begin(), first.end());
  std::vector<char> response(config_.size);
  asio::steady_timer pacer(io_);
  const auto interval = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
      config_.rate > 0 ? static_cast<double>(config_.connections) / config_.rate : 0.0));
  // Spread the connections' schedules over one interval.
  Clock::time_point due =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(
                         interval * id / std::max<std::size_t>(config_.connections, 1));

  for (std::uint64_t sequence = 0;; ++sequence) {
    if (interval.count() > 0) {
      co_await wait_until(pacer, std::min(due, stop_));
      // A schedule that fell behind ends with the run, not at its last due time.
      if (Clock::now() >= stop_) co_return;
    } else {
      due = Clock::now();
    }
    if (due >= stop_) co_return;
    // Every request differs, so a stale or repeated reply is a mismatch.
    std::memcpy(request.data(), &sequence, std::min(sizeof sequence, request.size()));

    watch.busy();
    auto [write_error, written] = co_await write_all(link, asio::buffer(request));
    if (write_error) co_return fail(watch, write_error);
    auto [read_error, read] = co_await read_exactly(link, asio::buffer(response));
    watch.idle();
    if (read_error) co_return fail(watch, read_error);
    if (response != request) {
      co_return fail(
          watch, BenchError::mismatch,
          first_difference({request.data(), request.size()}, {response.data(), response.size()}));
    }
    record(watch, due, response.size());
    due += interval;
  }
}

awaitable<void> BenchWorker::stream(Link& link, Watch& watch) {
  StreamState state(io_, config_.size, config_.window);
  using namespace asio::experimental::awaitable_operators;
  co_await (write_stream(link, state) && read_stream(link, watch, state));
  // A reset can reach the writer as the error and the reader as a plain end
  // of stream, in either order: judge once both have stopped.
  if (!state.mismatch.empty()) {
    fail(watch, BenchError::mismatch, state.mismatch);
  } else if (state.write_error || (state.read_error && state.read_error != asio::error::eof)) {
    fail(watch, state.read_error && state.read_error != asio::error::eof ? state.read_error
                                                                         : state.write_error);
  } else if (state.verified != state.written) {
    fail(watch, BenchError::short_reply,
         fmt::format("the echo ended after {} of {} bytes", state.verified, state.written));
  }
}

awaitable<void> BenchWorker::write_stream(Link& link, StreamState& state) {
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

awaitable<void> BenchWorker::read_stream(Link& link, Watch& watch, StreamState& state) {
  std::vector<char> buffer(std::clamp<std::size_t>(state.chunk, 64 * 1024, max_slice));
  for (;;) {
    watch.busy();
    auto [error, n] = co_await read_some(link, asio::buffer(buffer));
    const auto expected = pattern_slice(state.verified, n);
    if (n > 0 && std::memcmp(buffer.data(), expected.data(), n) != 0) {
      state.mismatch = first_difference({expected.data(), n}, {buffer.data(), n}, state.verified);
    } else if (n > 0) {
      const auto chunks_before = state.verified / state.chunk;
      state.verified += n;
      for (auto c = chunks_before; c < state.verified / state.chunk; ++c) {
        record(watch, state.sent_at[c % state.window_chunks], state.chunk);
      }
      state.space.cancel();
      continue;
    }
    watch.idle();
    if (!state.read_error) state.read_error = error;
    state.done = true;
    state.space.cancel();
    // A writer still writing stops at once; after the echo's clean end
    // there is none, and the connection stays for its TCP_INFO.
    if (error != asio::error::eof || !state.mismatch.empty()) link.socket.close(error);
    co_return;
  }
}

awaitable<void> BenchWorker::exchange(Link& link, Watch& watch, Clock::time_point connecting) {
  std::string reply;
  if (co_await check_reply(link, watch, reply, &result.first_byte_ns)) {
    record(watch, connecting, reply.size());
  }
}

awaitable<void> BenchWorker::hold(Link& link, Watch& watch) {
  if (config_.echo_first && !co_await echo_once(link, watch)) co_return;
  co_await stop_timer_.async_wait(nothrow_awaitable);
  if (cut_short_) co_return;
  std::string reply;
  const auto started = Clock::now();
  if (co_await check_reply(link, watch, reply)) record(watch, started, reply.size(), true);
}

awaitable<bool> BenchWorker::echo_once(Link& link, Watch& watch) {
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
    fail(watch, BenchError::mismatch,
         first_difference({sent.data(), sent.size()}, {back.data(), back.size()}));
    co_return false;
  }
  co_return true;
}

awaitable<void> BenchWorker::flood(Link& link, Watch& watch) {
  using namespace asio::experimental::awaitable_operators;
  auto [error, written] = co_await write_all(link, asio::buffer(config_.message));
  // A write the server does not take ends with the run all the same.
  for (std::uint64_t offset = 0; !error && Clock::now() < stop_;) {
    const auto slice = pattern_slice(offset, config_.size);
    auto outcome = co_await (write_all(link, asio::buffer(slice.data(), slice.size())) ||
                             stop_timer_.async_wait(nothrow_awaitable));
    if (outcome.index() == 1) break;
    std::tie(error, written) = std::get<0>(outcome);
    offset += written;
    record(watch, Clock::now(), written);
  }
  if (error) fail(watch, error);
}

awaitable<bool> BenchWorker::check_reply(Link& link, Watch& watch, std::string& reply,
                                         Histogram* first_byte) {
  watch.busy();
  auto [write_error, written] = co_await write_all(link, asio::buffer(config_.message));
  if (write_error) {
    fail(watch, write_error);
    co_return false;
  }
  shutdown_send(link);
  const auto sent = Clock::now();
  // A reply longer than the expected one is judged a mismatch below.
  const auto limit = config_.expect.size() + 1;
  reply.resize(limit);
  auto [read_error, first] = co_await read_some(link, asio::buffer(reply));
  reply.resize(first);
  if (!read_error) {
    if (first_byte != nullptr) time(*first_byte, sent);
    read_error = co_await read_to_end(link, reply, limit);
  }
  watch.idle();
  if (read_error && read_error != asio::error::eof && read_error != asio::error::message_size) {
    fail(watch, read_error);
    co_return false;
  }
  if (reply != config_.expect) {
    const bool short_reply =
        reply.size() < config_.expect.size() && config_.expect.starts_with(reply);
    fail(watch, short_reply ? BenchError::short_reply : BenchError::mismatch,
         first_difference(config_.expect, reply));
    co_return false;
  }
  co_return true;
}

}  // namespace tcpecho::bench_load
