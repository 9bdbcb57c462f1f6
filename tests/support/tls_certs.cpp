#include "support/tls_certs.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <stdexcept>

#include "support/server_process.hpp"

namespace procshare::test {

namespace {

// EC keys: made in milliseconds, unlike RSA. `openssl ca` is the only way
// OpenSSL 3.0's command line sets a certificate's dates (the expired one).
constexpr const char* kScript = R"(set -e
umask 077
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out "$1.key"; }
csr() { key "$1"; openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$2"; }
sign() { # name ca extfile
  openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial -days 3650 \
    -sha256 -out "$1.crt" ${3:+-extfile "$3"}
}
for ca in ca other-ca; do
  key $ca
  openssl req -x509 -new -key $ca.key -out $ca.crt -days 3650 -sha256 -subj "/CN=procshare test $ca"
done
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > server.ext
printf 'subjectAltName=DNS:elsewhere.example\n' > wrong.ext
printf 'extendedKeyUsage=clientAuth\n' > client.ext
csr server localhost && sign server ca server.ext
csr client "test client" && sign client ca client.ext
csr other-client "stranger" && sign other-client other-ca client.ext
csr other-server localhost && sign other-server other-ca server.ext
csr wrong-host elsewhere.example && sign wrong-host ca wrong.ext
mkdir db && touch db/index.txt && echo 1000 > db/serial
cat > ca.cnf <<EOF
[ca]
default_ca = test
[test]
database = db/index.txt
new_certs_dir = db
serial = db/serial
default_md = sha256
policy = any
[any]
commonName = supplied
EOF
csr expired "expired client"
openssl ca -batch -notext -config ca.cnf -cert ca.crt -keyfile ca.key -in expired.csr \
  -out expired.crt -startdate 20200101000000Z -enddate 20200102000000Z
)";

struct CertDir {
  TestCerts certs;
  pid_t owner = ::getpid();  // a forked child that exits must not remove them
  ~CertDir() {
    if (!certs.dir.empty() && ::getpid() == owner) {
      std::string cmd = "rm -rf '" + certs.dir + "'";
      if (std::system(cmd.c_str()) != 0) {
        // Nothing to do: a temp dir left behind is harmless.
      }
    }
  }
};

}  // namespace

bool tls_mode() {
  const char* v = std::getenv("PROCSHARE_TEST_TLS");
  return v && *v && std::string(v) != "0";
}

bool openssl_available() {
  return std::system("openssl version >/dev/null 2>&1") == 0;
}

const TestCerts& test_certs() {
  static CertDir made = [] {
    CertDir d;
    std::string dir = temp_path("tls");
    if (::mkdir(dir.c_str(), 0700) != 0) throw std::runtime_error("mkdir " + dir);
    d.certs.dir = dir;
    std::string script = dir + "/make.sh";
    std::ofstream(script) << kScript;
    std::string cmd = "cd '" + dir + "' && sh make.sh > make.log 2>&1";
    if (std::system(cmd.c_str()) != 0) {
      std::ifstream f(dir + "/make.log");
      std::string log((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
      throw std::runtime_error("making test certificates with openssl failed:\n" + log);
    }
    auto p = [&](const char* name) { return dir + "/" + name; };
    TestCerts& c = d.certs;
    c.ca_cert = p("ca.crt");
    c.ca_key = p("ca.key");
    c.server_cert = p("server.crt");
    c.server_key = p("server.key");
    c.client_cert = p("client.crt");
    c.client_key = p("client.key");
    c.other_ca_cert = p("other-ca.crt");
    c.other_client_cert = p("other-client.crt");
    c.other_client_key = p("other-client.key");
    c.other_server_cert = p("other-server.crt");
    c.other_server_key = p("other-server.key");
    c.expired_client_cert = p("expired.crt");
    c.expired_client_key = p("expired.key");
    c.wrong_host_cert = p("wrong-host.crt");
    c.wrong_host_key = p("wrong-host.key");
    return d;
  }();
  return made.certs;
}

std::vector<std::string> tls_server_args(const TestCerts& c) {
  return {"--tls-port",     "0",          "--tls-cert-file",    c.server_cert,
          "--tls-key-file", c.server_key, "--tls-ca-cert-file", c.ca_cert};
}

}  // namespace procshare::test
