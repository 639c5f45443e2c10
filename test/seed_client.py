"""The seed's client, written independently from its description
(shared/seed.md), standard library only.

Usage: seed_client.py [--tls CAFILE] [HOST [PORT]]
       seed_client.py /PATH | @NAME     (AF_UNIX: a path, or an abstract name)

With --tls, the same over TLS (Python's ssl module), trusting CAFILE and
checking the host name; CAFILE '-' checks nothing."""
import socket
import ssl
import sys


def tls_context(cafile):
    if cafile == "-":
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    return ssl.create_default_context(cafile=cafile)


def client(host, port, cafile=None):
    if host.startswith(("/", "@")):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(b"\0" + host[1:].encode() if host.startswith("@") else host)
    else:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.connect((host, port))
    if cafile:
        sock = tls_context(cafile).wrap_socket(sock, server_hostname=host)
    print("Client has been assigned the socket: ", sock.getsockname())
    sock.sendall(b"Greetings, server")
    reply = b""
    while True:
        more = sock.recv(1024)
        if not more:
            break
        reply += more
    print("Server: ", repr(reply))
    sock.close()


if __name__ == "__main__":
    args = sys.argv[1:]
    cafile = None
    if args[:1] == ["--tls"]:
        cafile, args = args[1], args[2:]
    client(args[0] if args else "127.0.0.1", int(args[1]) if len(args) > 1 else 3000, cafile)
