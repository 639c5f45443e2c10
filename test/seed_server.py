"""The seed's server, written independently from its description
(shared/seed.md), standard library only. Used to check that tcpecho talks to
it, and prints what it prints, byte for byte.

Usage: seed_server.py [--tls CERT KEY] [HOST [PORT]]   (PORT 0 picks a free port)
       seed_server.py /PATH | @NAME     (AF_UNIX: a path, or an abstract name)

With --tls, the same over TLS (Python's ssl module), ending each connection
with close_notify."""
import socket
import ssl
import sys

MESSAGE_LENGTH = len(b"Greetings, server")


def recvall(sock, length):
    data = b""
    while len(data) < length:
        more = sock.recv(length - len(data))
        if not more:
            break
        data += more
    return data


def unix_address(name):
    """The seed adapted to AF_UNIX: a path, or '@name' for b'\\0name'."""
    return b"\0" + name[1:].encode() if name.startswith("@") else name


def server(host, port, credentials=None):
    if host.startswith(("/", "@")):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(unix_address(host))
    else:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    sock.listen(1)
    if credentials:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*credentials)
        sock = context.wrap_socket(sock, server_side=True)
    print("Listening at", sock.getsockname())
    while True:
        print("Waiting for a new connection")
        sc, sockname = sock.accept()
        print("Connection from", sockname)
        print("  Socket name:", sc.getsockname())
        print("  Socket peer:", sc.getpeername())
        message = recvall(sc, MESSAGE_LENGTH)
        print("  message from client:", repr(message))
        sc.sendall(b"Goodbye, client!")
        if credentials:
            try:
                sc = sc.unwrap()
            except (ssl.SSLError, OSError):
                pass  # a client that closes without close_notify: nothing is lost
        sc.close()
        print("  Closing socket")


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)
    args = sys.argv[1:]
    credentials = None
    if args[:1] == ["--tls"]:
        credentials, args = (args[1], args[2]), args[3:]
    server(args[0] if args else "127.0.0.1", int(args[1]) if len(args) > 1 else 3000,
           credentials)
