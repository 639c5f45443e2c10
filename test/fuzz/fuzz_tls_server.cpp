// libFuzzer target: a TLS server connection fed arbitrary bytes, in-process,
// over real loopback sockets. Each input is one client that sends what the
// input says (see fuzz_harness.hpp) where a ClientHello belongs, then
// half-closes or resets.
//
// Invariants: whatever arrives, the server ends the connection (the client
// sees the end or a reset, within the bound), logs one line saying why, and
// goes on to the next input. Nothing crashes, nothing leaks, nothing stalls.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "fuzz_harness.hpp"

namespace {

using namespace tcpecho;
using fuzz::fail;
using fuzz::Harness;

// True once the connection has ended, by the server's end or a reset.
awaitable<bool> run_client(Endpoint server, const fuzz::Client& client) {
  Socket socket(co_await asio::this_coro::executor);
  co_await socket.async_connect(server, use_awaitable);
  for (auto chunk : client.chunks) {
    // The server may have given up on the handshake already: not a failure.
    auto [error, n] = co_await asio::async_write(socket, asio::buffer(chunk), nothrow_awaitable);
    if (error) co_return true;
  }
  // The server may have closed already: these may fail, and that is no news.
  asio::error_code ignored;
  if (client.reset) {
    socket.set_option(asio::socket_base::linger(true, 0), ignored);
    socket.close(ignored);
    co_return true;
  }
  socket.shutdown(Socket::shutdown_send, ignored);
  std::string answer;
  auto [error, n] = co_await asio::async_read(socket, asio::dynamic_buffer(answer, 1 << 20),
                                              nothrow_awaitable);
  co_return error == asio::error::eof || error == asio::error::connection_reset;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Never destroyed: at exit, connections still lingering would outlive them.
  static Harness& replying = *new Harness(ServerConfig::Mode::reply, TlsServerOptions{});
  static Harness& echoing = *new Harness(ServerConfig::Mode::echo, TlsServerOptions{});
  const auto client = fuzz::decode({reinterpret_cast<const char*>(data), size});
  Harness& harness = client.echo ? echoing : replying;

  harness.out.lines.clear();
  std::optional<bool> ended;
  co_spawn(harness.io, run_client(harness.server.local_endpoints().front(), client),
           [&](std::exception_ptr failure, bool result) {
             if (failure) fail("client coroutine threw");
             ended = result;
           });
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  auto closed = [&] {
    for (const auto& line : harness.out.lines)
      if (line.find("Closing socket") != std::string::npos) return true;
    return false;
  };
  while ((!ended || !closed()) && std::chrono::steady_clock::now() < give_up) {
    harness.io.run_one_for(std::chrono::milliseconds(100));
  }
  if (!ended) fail("the connection did not end within 10s");
  if (!*ended) fail("the connection ended with an error other than the end or a reset");
  if (!closed()) fail("no line says why the connection was closed");
  return 0;
}
