// Where a component's events go: the server's (server_events.hpp) and the
// client's (client_events.hpp). A sink decides what to make of each event
// (a transcript, a log, metrics); the code that reports them formats nothing.
#pragma once

namespace tcpecho {

// Owned through this interface where the sink is chosen at run time
// (--log-format): hence the virtual destructor.
template <typename Event>
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void on(const Event& event) = 0;
};

}  // namespace tcpecho
