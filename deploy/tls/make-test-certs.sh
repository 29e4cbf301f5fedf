#!/usr/bin/env bash
# Makes a private certificate authority and certificates for Grpo.Orleans' mutual TLS with openssl: one silo
# certificate (server and client authentication; every silo may share it) and one client certificate (client
# authentication) per name given. For trials and tests; in production issue them from your own CA the same way.
#
#   deploy/tls/make-test-certs.sh --out DIR [--clients NAME,...] [--days N] [--ca-name NAME] [--owner UID[:GID]]
#
# Writes into DIR (created 0700): ca.pem, ca.key, silo.pem, silo.key and <name>.pem, <name>.key per client
# (default --clients client). Keys are 0600. An existing ca.pem/ca.key in DIR is reused, so more clients can be
# added later; other files are replaced. Defaults: --days 365, --ca-name "Grpo.Orleans test CA".
# --owner (as root) hands DIR and its files to the user a container runs as (1654 in the Grpo.Orleans images).
# A silo uses --tls-cert DIR/silo.pem --tls-key DIR/silo.key --tls-ca DIR/ca.pem; a client the same with its own pair.
set -euo pipefail

usage() { sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; }
fail() { echo "make-test-certs.sh: $*" >&2; exit 1; }

out=""
clients="client"
days="365"
ca_name="Grpo.Orleans test CA"
owner=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out|--clients|--days|--ca-name|--owner)
      [ $# -ge 2 ] || { echo "make-test-certs.sh: $1 needs a value" >&2; exit 2; }
      case "$1" in
        --out) out="$2" ;;
        --clients) clients="$2" ;;
        --days) days="$2" ;;
        --ca-name) ca_name="$2" ;;
        --owner) owner="$2" ;;
      esac
      shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "make-test-certs.sh: unknown argument '$1'" >&2; usage; exit 2 ;;
  esac
done
[ -n "$out" ] || { echo "make-test-certs.sh: --out DIR is required" >&2; usage; exit 2; }
[[ "$days" =~ ^[0-9]+$ ]] && [ "$days" -ge 1 ] || { echo "make-test-certs.sh: --days '$days' is not a positive number" >&2; exit 2; }
IFS=',' read -r -a client_names <<< "$clients"
for name in "${client_names[@]}"; do
  [[ "$name" =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] || { echo "make-test-certs.sh: client name '$name' may only use letters, digits, '.', '_' and '-'" >&2; exit 2; }
  case "$name" in ca|silo) echo "make-test-certs.sh: client name '$name' is taken by the $name files" >&2; exit 2 ;; esac
done
command -v openssl >/dev/null || fail "openssl is not installed (apt-get install openssl)"

umask 077
mkdir -p "$out"
chmod 700 "$out"

# EC P-256 keys: small and quick to make, and every TLS 1.2/1.3 stack speaks them.
new_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null || fail "openssl could not make a key at $1"; }

if [ -f "$out/ca.pem" ] && [ -f "$out/ca.key" ]; then
  echo "make-test-certs.sh: reusing the CA in $out" >&2
else
  new_key "$out/ca.key"
  openssl req -x509 -new -key "$out/ca.key" -sha256 -days "$days" -subj "/CN=$ca_name" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$out/ca.pem" 2>/dev/null || fail "openssl could not make the CA certificate"
fi

# issue NAME USAGE: a certificate for NAME signed by the CA, with extended key usage USAGE.
issue() {
  local name="$1" usage="$2" extensions
  new_key "$out/$name.key"
  extensions="$(mktemp)"
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyAgreement\nextendedKeyUsage=%s\nsubjectAltName=DNS:%s\n' \
    "$usage" "$name" > "$extensions"
  openssl req -new -key "$out/$name.key" -subj "/CN=$name" 2>/dev/null \
    | openssl x509 -req -CA "$out/ca.pem" -CAkey "$out/ca.key" -CAcreateserial -CAserial "$out/ca.srl" -sha256 -days "$days" \
        -extfile "$extensions" -out "$out/$name.pem" 2>/dev/null \
    || { rm -f "$extensions"; fail "openssl could not issue the certificate for $name"; }
  rm -f "$extensions"
  echo "make-test-certs.sh: $out/$name.pem ($usage)" >&2
}

issue silo "serverAuth,clientAuth"
for name in "${client_names[@]}"; do
  issue "$name" "clientAuth"
done
chmod 600 "$out"/*.key
chmod 644 "$out"/*.pem
if [ -n "$owner" ]; then
  chown -R "$owner" "$out" || fail "could not hand $out to $owner (run as root)"
fi
echo "$out"
