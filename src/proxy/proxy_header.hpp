// The PROXY protocol header that a load balancer (HAProxy, an AWS NLB, ...)
// sends before a client's bytes to say who the client is: versions 1 (a text
// line) and 2 (binary), as HAProxy's doc/proxy-protocol.txt defines them.
//
// A parser only, of the bytes a connection began with; reading them is
// read_proxy_header()'s (proxy_read.hpp). It never guesses: bytes that do not
// begin with either version's signature are an error, as the specification
// asks of a receiver configured for the protocol.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "net/stream.hpp"

namespace tcpecho::proxy {

// Version 1's line, "PROXY ... \r\n", is at most 107 bytes.
inline constexpr std::size_t v1_max = 107;
// Version 2: 16 bytes, then as many as its length field says. The addresses
// take at most 216 (two Unix paths); TLVs (HAProxy's ALPN, authority, TLS
// details, ...) the rest: 512 in all is room for any HAProxy sends, and a
// bound on what a client can make the server read before it is served.
inline constexpr std::size_t v2_fixed = 16;
inline constexpr std::size_t v2_max_length = 512;

enum class Error {
  bad_signature = 1,  // neither version's signature: no header
  too_long,           // past 107 bytes (v1) or 16 + 512 (v2)
  malformed,          // the right signature, then what the version does not allow
  unknown_version,    // v2's version nibble is not 2
  unknown_command,    // v2's command is neither LOCAL nor PROXY
  unknown_family,     // an address family or transport the version does not define
  truncated,          // the client ended before the header did
};
asio::error_code make_error_code(Error error);

// How far the bytes a connection began with go as a header.
struct Progress {
  asio::error_code error;  // the header is bad
  // Complete: the bytes the header took (what follows is the client's).
  std::size_t size = 0;
  // Incomplete: the most bytes it may still take. Reading no more than that
  // reads past a version 2 header never, past a version 1 line at most by
  // what follows it in the same read.
  std::size_t may_need = 0;
  // Complete: the client the header names; none for LOCAL (v2) and UNKNOWN
  // (v1), which mean the connection's own peer.
  std::optional<Endpoint> source;

  bool complete() const { return !error && size > 0; }
};

Progress parse(std::string_view bytes);

}  // namespace tcpecho::proxy

template <>
struct std::is_error_code_enum<tcpecho::proxy::Error> : std::true_type {};
