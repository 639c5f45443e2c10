"""The seed's client, written independently from its description
(shared/seed.md), standard library only.

Usage: seed_client.py [HOST [PORT]]
       seed_client.py /PATH | @NAME     (AF_UNIX: a path, or an abstract name)"""
import socket
import sys


def client(host, port):
    if host.startswith(("/", "@")):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(b"\0" + host[1:].encode() if host.startswith("@") else host)
    else:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.connect((host, port))
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
    client(sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1",
           int(sys.argv[2]) if len(sys.argv) > 2 else 3000)
