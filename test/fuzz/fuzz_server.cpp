// libFuzzer target: the server's connection handling, in-process, over real
// loopback sockets. Each input is one client: the bytes it sends, split into
// writes at points the input chooses, then a half-close or a reset.
//
// Input layout: see fuzz_harness.hpp.
//
// Invariants: after a half-close the client always receives exactly the
// reply, or in echo mode exactly what it sent, ended by a clean EOF (never a
// reset, however much it sent); in reply mode the server logs the first 17
// bytes in Python's repr. Nothing crashes, nothing leaks, nothing stalls, and
// the server goes on to the next input.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "fuzz_harness.hpp"
#include "output/python_format.hpp"

namespace {

using namespace tcpecho;
using fuzz::Client;
using fuzz::decode;
using fuzz::fail;
using fuzz::Harness;

awaitable<std::optional<std::string>> run_client(Endpoint server, const Client& client) {
  Socket socket(co_await asio::this_coro::executor);
  co_await socket.async_connect(server, use_awaitable);
  socket.set_option(tcp::no_delay(true));
  for (auto chunk : client.chunks) {
    auto [error, n] = co_await asio::async_write(socket, asio::buffer(chunk), nothrow_awaitable);
    if (error) fail("write to the server failed: " + error.message());
  }
  if (client.reset) {
    socket.set_option(asio::socket_base::linger(true, 0));
    socket.close();
    co_return std::nullopt;
  }
  socket.shutdown(Socket::shutdown_send);
  std::string reply;
  auto [error, n] =
      co_await asio::async_read(socket, asio::dynamic_buffer(reply), nothrow_awaitable);
  if (error != asio::error::eof) fail("reply ended by " + error.message() + ", not EOF");
  co_return reply;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Never destroyed: at exit, connections still lingering would outlive them.
  static Harness& replying = *new Harness(ServerConfig::Mode::reply, std::nullopt);
  static Harness& echoing = *new Harness(ServerConfig::Mode::echo, std::nullopt);
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const Client client = decode(input);
  Harness& harness = client.echo ? echoing : replying;
  std::string sent;
  for (auto chunk : client.chunks) sent += chunk;

  harness.out.lines.clear();
  std::optional<std::optional<std::string>> reply;
  co_spawn(harness.io, run_client(harness.server.local_endpoints().front(), client),
           [&](std::exception_ptr failure, std::optional<std::string> received) {
             if (failure) fail("client coroutine threw");
             reply = std::move(received);
           });
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!reply && std::chrono::steady_clock::now() < give_up) {
    harness.io.run_one_for(std::chrono::milliseconds(100));
  }
  if (!reply) fail("no answer within 10s");
  if (!*reply) return 0;  // reset: no reply is owed
  if (client.echo) {
    if (**reply != sent) fail("echoed " + python::bytes_repr(**reply) + ", not what was sent");
    return 0;
  }

  if (**reply != "Goodbye, client!") fail("wrong reply: " + python::bytes_repr(**reply));
  const std::string expected =
      "  message from client: " + python::bytes_repr(std::string_view(sent).substr(0, 17));
  bool logged = false;
  for (const auto& line : harness.out.lines) logged = logged || line == expected;
  if (!logged) fail("missing transcript line: " + expected);
  return 0;
}
