// What the server's and the client's TLS settings have in common: the
// protocol versions and write modes, and reading a certificate and its key
// from the files the command line named.
#pragma once

#include <asio/ssl/context.hpp>
#include <string>

#include "asio_compat.hpp"

namespace tcpecho {

// TLS 1.2 and 1.3; partial writes, retried from another buffer, as
// send_now() and send_rest() make them; record buffers released whenever a
// connection has nothing in flight, so that a quiet one holds none.
void common_settings(asio::ssl::context& tls);

// Throws StartupError (usage) with one line when `error`, from using `file`
// for `option`, says the file does not do.
void check_file(const char* option, const std::string& file, const asio::error_code& error);

// --tls-cert and --tls-key: a chain, and the key that goes with it.
void use_certificate(asio::ssl::context& tls, const std::string& cert_file,
                     const std::string& key_file);

}  // namespace tcpecho
