"""The seed's server, written independently from its description
(shared/seed.md), standard library only. Used to check that tcpecho talks to
it, and prints what it prints, byte for byte.

Usage: seed_server.py [HOST [PORT]]   (PORT 0 picks a free port)
       seed_server.py /PATH | @NAME     (AF_UNIX: a path, or an abstract name)"""
import socket
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


def server(host, port):
    if host.startswith(("/", "@")):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(unix_address(host))
    else:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    sock.listen(1)
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
        sc.close()
        print("  Closing socket")


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)
    server(sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1",
           int(sys.argv[2]) if len(sys.argv) > 2 else 3000)
