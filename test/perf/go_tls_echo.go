// Reference for the TLS benchmarks beside tls_echo_epoll: an RFC 862 echo
// server in Go's crypto/tls, with Go's own defaults (TLS 1.2 and 1.3;
// AES-128-GCM first on processors with AES instructions), one goroutine per
// connection, as a Go programmer would write it.
//
// Usage: go_tls_echo CERT KEY [PORT]   (0 or none: any free port; prints "port N")
package main

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: go_tls_echo CERT KEY [PORT]")
		os.Exit(2)
	}
	certificate, err := tls.LoadX509KeyPair(os.Args[1], os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	port := "0"
	if len(os.Args) > 3 {
		port = os.Args[3]
	}
	config := &tls.Config{Certificates: []tls.Certificate{certificate}}
	listener, err := tls.Listen("tcp", "127.0.0.1:"+port, config)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("port %d\n", listener.Addr().(*net.TCPAddr).Port)
	for {
		connection, err := listener.Accept()
		if err != nil {
			continue // out of descriptors, say: the next accept may do
		}
		go func(connection net.Conn) {
			defer connection.Close()
			io.Copy(connection, connection)
		}(connection)
	}
}
