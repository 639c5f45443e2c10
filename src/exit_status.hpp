// The exit statuses of tcpecho, one per kind of failure, so scripts can tell
// "the server is down" from "I typed the command wrong". `--help` lists them.
#pragma once

#include <csignal>
#include <stdexcept>
#include <string>

namespace tcpecho {

enum class ExitStatus : int {
  ok = 0,
  internal_error = 1,    // a bug or resource exhaustion inside tcpecho
  usage = 2,             // the command line was wrong
  resolve_failed = 3,    // the host name could not be resolved
  connect_failed = 4,    // refused, unreachable, or no answer within --timeout
  exchange_failed = 5,   // reset, or no complete reply within --timeout
  listen_failed = 6,     // address in use, permission denied, no such address
  unexpected_reply = 7,  // send --expect: the reply differed
  output_failed = 8,     // standard output could not be written (a full disk, an I/O error)
};

// A command could not start (a port in use, a name that does not resolve);
// what() is the one line to show the user.
class StartupError : public std::runtime_error {
 public:
  StartupError(ExitStatus status, const std::string& what)
      : std::runtime_error(what), status(status) {}
  ExitStatus status;
};

// Listening failed at `where` (an address and port, or a path) for `reason`.
inline StartupError cannot_listen(const std::string& where, const std::string& reason) {
  return StartupError(ExitStatus::listen_failed, "cannot listen on " + where + ": " + reason);
}

// A forced stop by a second Ctrl+C/SIGTERM exits 128 + the signal number, as
// shells report a process killed by that signal.
constexpr int signal_exit_status(int signal_number) { return 128 + signal_number; }

// How the transcript and bench's report name the signals that stop tcpecho.
inline const char* signal_name(int signal_number) {
  switch (signal_number) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case SIGHUP:
      return "SIGHUP";
    default:
      return "a signal";
  }
}

}  // namespace tcpecho
