"""Certificates for the TLS tests, made at test time with the openssl
command in a temporary folder (no private key is ever committed): a CA;
server certificates it signed for the loopback names, for another host, and
one that has expired; a client certificate it signed, and one that another
CA signed."""
import os
import subprocess
import tempfile

LOOPBACK = "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost"


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=30)


class Certificates:
    def __init__(self):
        self._folder = tempfile.TemporaryDirectory()
        self.dir = self._folder.name
        self.ca = self._authority("ca", "tcpecho test CA")
        self.other_ca = self._authority("other-ca", "another test CA")
        self.server = self._signed("server", "localhost", LOOPBACK)
        self.other_host = self._signed("other-host", "example.invalid",
                                       "subjectAltName=DNS:example.invalid")
        self.expired = self._signed("expired", "localhost", LOOPBACK, expired=True)
        self.client = self._signed("client", "tcpecho test client",
                                   "extendedKeyUsage=clientAuth")
        self.stranger = self._signed("stranger", "tcpecho stranger",
                                     "extendedKeyUsage=clientAuth", authority=self.other_ca)

    def cleanup(self):
        self._folder.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def _key(self, name):
        key = self.path(name + ".key")
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-out", key)
        return key

    def _authority(self, name, common_name):
        key = self._key(name)
        cert = self.path(name + ".pem")
        openssl("req", "-x509", "-new", "-key", key, "-subj", f"/CN={common_name}",
                "-days", "2", "-out", cert,
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        return cert, key

    def _signed(self, name, common_name, extension, expired=False, authority=None):
        ca_cert, ca_key = authority or self.ca
        key = self._key(name)
        request, cert, extensions = (self.path(name + suffix) for suffix in (".csr", ".pem", ".ext"))
        with open(extensions, "w") as file:
            file.write(extension + "\n")
        openssl("req", "-new", "-key", key, "-subj", f"/CN={common_name}", "-out", request)
        if expired:
            self._sign_in_the_past(request, cert, extensions, ca_cert, ca_key)
        else:
            openssl("x509", "-req", "-in", request, "-CA", ca_cert, "-CAkey", ca_key,
                    "-CAcreateserial", "-days", "2", "-extfile", extensions, "-out", cert)
        return cert, key

    def _sign_in_the_past(self, request, cert, extensions, ca_cert, ca_key):
        """`openssl x509` signs from now on; `openssl ca` takes any dates."""
        database = self.path("index.txt")
        open(database, "w").close()
        config = self.path("ca.cnf")
        with open(config, "w") as file:
            file.write(f"[ca]\ndefault_ca = test\n[test]\ndatabase = {database}\n"
                       f"new_certs_dir = {self.dir}\nserial = {self.path('serial')}\n"
                       "default_md = sha256\npolicy = any\n[any]\ncommonName = supplied\n")
        with open(self.path("serial"), "w") as file:
            file.write("1000\n")
        openssl("ca", "-batch", "-notext", "-config", config, "-cert", ca_cert,
                "-keyfile", ca_key, "-in", request, "-out", cert, "-extfile", extensions,
                "-startdate", "20200101000000Z", "-enddate", "20200102000000Z")
