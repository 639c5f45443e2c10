// Echo mode, RFC 862: everything the client sends comes back, in order,
// until it ends.
#include "server/server.hpp"

namespace tcpecho {

// Asio's echo example, as a server loop: read some, write it back. The next
// chunk is read only once the last one is out, so a client that does not
// read is not read either (TCP's flow control holds it back). The bytes pass
// through the thread's scratch buffer: a quiet connection holds none.
awaitable<void> Server::echo(Connection connection, const Listener& listener) {
  if (!co_await begin(connection, listener)) co_return;
  Link& link = connection.link;
  const asio::mutable_buffer scratch = scratch_buffer();
  std::size_t echoed = 0;
  asio::error_code error;
  while (!error) {
    auto [read_error, n] = co_await read_some(link, scratch);
    if (read_error) {
      error = read_error;
      break;
    }
    const auto chunk = asio::buffer(scratch, n);
    report(events::Echoing{connection, {static_cast<const char*>(chunk.data()), n}});
    auto [write_error, written] = co_await write_all(link, chunk);
    report(events::Echoed{connection, written});
    error = write_error;
    echoed += written;
  }
  // The client's end goes back too: then both sides have said all.
  if (error == asio::error::eof) shutdown_send(link);
  report(events::EchoEnded{connection, error, echoed});
}

}  // namespace tcpecho
