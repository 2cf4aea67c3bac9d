#!/usr/bin/env bash
# End-to-end suite: real unbound, Dovecot and Postfix in network namespaces, probed by the mailcheck binary
# exactly as a user runs it. See e2e/README.md.
#
#   bash e2e/run.sh          build, set up the world, run the Go assertions (e2e/e2e_test.go), tear down
#   bash e2e/run.sh shell    set up the world and open a shell inside the client namespace; exit to tear down
#   bash e2e/run.sh hold     set up the world and wait (Ctrl-C or SIGTERM tears it down)
#
# Needs root on Debian 12 (it installs the servers when missing). Changes nothing under /etc besides
# /etc/netns/mc-*, which it removes again; the tear-down always runs.
set -euo pipefail

MODE=${1:-test}
case "$MODE" in
test | shell | hold) ;;
*)
	echo "usage: $0 [test|shell|hold]" >&2
	exit 2
	;;
esac

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TD=$ROOT/testdata/e2e
# shellcheck source=../testdata/e2e/world.env
source "$TD/world.env"
WORLD_VARS=($(sed -n 's/^\([A-Z][A-Z0-9_]*\)=.*/\1/p' "$TD/world.env"))

PACKAGES=(dovecot-imapd dovecot-pop3d dovecot-lmtpd postfix unbound openssl swaks libnet-ssleay-perl
	bind9-dnsutils nftables iproute2 python3 nginx prometheus curl chromium postgresql)

log() { printf 'e2e: %s\n' "$*" >&2; }
die() {
	log "FAIL: $*"
	exit 1
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }

RUN_START=$(now_ms)
TIMINGS=()
# timed NAME CMD...: runs one phase and records how long it took.
timed() {
	local name=$1 start end
	shift
	start=$(now_ms)
	"$@"
	end=$(now_ms)
	TIMINGS+=("$(printf '%-34s %7d ms' "$name" $((end - start)))")
	log "$(printf '%-34s %7d ms' "$name" $((end - start)))"
	if [[ $name == start* ]] && [ $((end - start)) -gt 1000 ]; then
		log "warning: $name took more than a second (budget: 1 s per server)"
	fi
}

[ "$(id -u)" = 0 ] || die "run as root: the suite creates network namespaces and starts mail servers"
command -v go >/dev/null || PATH=$PATH:/usr/local/go/bin

# Only one world at a time on this machine: the namespaces and addresses are fixed, so every checkout shares
# one lock file and a second run waits for the first (at most E2E_LOCK_WAIT seconds, default 900). The daemons
# are started with fd 9 closed, so that they never hold this lock.
exec 9>>/run/mailcheck-e2e.lock
flock -w "${E2E_LOCK_WAIT:-900}" 9 || die "another e2e/run.sh (any checkout) held the world for ${E2E_LOCK_WAIT:-900} s"

WORK=
CREATED_POLICY_RC=0
CREATED_ETC_NETNS=0
CREATED_RUN_NETNS=0
STATUS=1
HOLD_PID=
# A throw-away PostgreSQL for mailcheck serve's results store (web's TestStoreOnPostgres).
PG_BIN=
PG_DATA=
PG_PORT=54329

# ---------------------------------------------------------------------------------------------------------
# Tear-down: always, whatever happened. Ends only the processes inside our own namespaces, by pid.
kill_namespace() {
	local ns=$1 pids i
	ip netns list 2>/dev/null | grep -qE "^$ns( |$)" || return 0
	pids=$(ip netns pids "$ns" 2>/dev/null || true)
	if [ -n "$pids" ]; then
		# shellcheck disable=SC2086
		kill -TERM $pids 2>/dev/null || true
		for i in $(seq 1 60); do
			pids=$(ip netns pids "$ns" 2>/dev/null || true)
			[ -z "$pids" ] && break
			sleep 0.05
		done
		if [ -n "$pids" ]; then
			log "killing what is left in $ns: $pids"
			# shellcheck disable=SC2086
			kill -KILL $pids 2>/dev/null || true
			sleep 0.1
		fi
	fi
	ip netns del "$ns" 2>/dev/null || true
}

teardown() {
	local rc=$? start
	set +e
	trap - EXIT INT TERM
	start=$(now_ms)
	if [ -n "$HOLD_PID" ]; then kill "$HOLD_PID" 2>/dev/null; fi
	if [ -n "$PG_DATA" ]; then runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate stop >/dev/null 2>&1; fi
	kill_namespace "$NS_CLIENT"
	kill_namespace "$NS_SERVER"
	rm -rf "/etc/netns/$NS_CLIENT" "/etc/netns/$NS_SERVER"
	if [ "$CREATED_ETC_NETNS" = 1 ]; then rmdir /etc/netns 2>/dev/null; fi
	# ip netns add creates /run/netns as a bind mount of itself; undo that when we made it and it is empty.
	if [ "$CREATED_RUN_NETNS" = 1 ] && [ -z "$(ls -A /run/netns 2>/dev/null)" ]; then
		while mountpoint -q /run/netns; do umount /run/netns || break; done
		rmdir /run/netns 2>/dev/null
	fi
	if [ "$CREATED_POLICY_RC" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
	if [ -n "$WORK" ] && [ -d "$WORK" ]; then
		if [ "$rc" != 0 ] || [ "$STATUS" != 0 ]; then
			for f in "$WORK"/log/*.log; do
				[ -s "$f" ] || continue
				log "---- last lines of $(basename "$f") ----"
				tail -n 25 "$f" >&2
			done
		fi
		if [ "${E2E_KEEP:-}" = 1 ]; then
			log "kept $WORK (E2E_KEEP=1)"
		else
			rm -rf "$WORK"
		fi
	fi
	TIMINGS+=("$(printf '%-34s %7d ms' "tear-down" $(($(now_ms) - start)))")
	log "timings:"
	printf '  %s\n' "${TIMINGS[@]}" >&2
	log "$(printf '%-34s %7d ms' "total" $(($(now_ms) - RUN_START)))"
	exit "$rc"
}
trap teardown EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------------------------
install_packages() {
	local missing=() p
	for p in "${PACKAGES[@]}"; do
		if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" != installed ]; then
			missing+=("$p")
		fi
	done
	if [ ${#missing[@]} = 0 ]; then
		log "packages already installed"
		return
	fi
	log "installing ${missing[*]}"
	# Keep the packaged daemons from starting on the host while they install.
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\n# created by mailcheck e2e/run.sh for the duration of apt-get install\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		CREATED_POLICY_RC=1
	fi
	local aptlog
	aptlog=$(mktemp)
	if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"; } >"$aptlog" 2>&1; then
		tail -n 40 "$aptlog" >&2
		rm -f "$aptlog"
		die "apt-get install failed"
	fi
	rm -f "$aptlog"
	if [ "$CREATED_POLICY_RC" = 1 ]; then
		rm -f /usr/sbin/policy-rc.d
		CREATED_POLICY_RC=0
	fi
}

build_binary() {
	if [ -n "${E2E_BIN:-}" ]; then
		[ -x "$E2E_BIN" ] || die "E2E_BIN=$E2E_BIN is not an executable"
		cp "$E2E_BIN" "$WORK/bin/mailcheck"
		log "using prebuilt $E2E_BIN"
		return
	fi
	if ! (cd "$ROOT" && go build -o "$WORK/bin/mailcheck" ./cmd/mailcheck); then
		if [ "$MODE" = test ]; then die "go build ./cmd/mailcheck failed"; fi
		log "warning: go build ./cmd/mailcheck failed; the world comes up without the binary"
	fi
}

# render TEMPLATE OUTPUT: replaces @NAME@ with the value of NAME (world.env and WORK).
render() {
	local args=() v
	for v in "${WORLD_VARS[@]}" WORK; do args+=(-e "s|@$v@|${!v}|g"); done
	sed "${args[@]}" "$1" >"$2"
	if grep -nE '@[A-Z][A-Z0-9_]*@' "$2" >&2; then die "unreplaced placeholder in $2"; fi
}

# ---------------------------------------------------------------------------------------------------------
setup_namespaces() {
	# A world left by a killed run goes first.
	kill_namespace "$NS_CLIENT"
	kill_namespace "$NS_SERVER"
	[ -d /run/netns ] || CREATED_RUN_NETNS=1
	ip netns add "$NS_SERVER"
	ip netns add "$NS_CLIENT"
	ip -n "$NS_SERVER" link set lo up
	ip -n "$NS_CLIENT" link set lo up
	ip link add "$VETH_CLIENT" netns "$NS_CLIENT" type veth peer name "$VETH_SERVER" netns "$NS_SERVER"
	ip -n "$NS_CLIENT" addr add "$CLIENT_IP/24" dev "$VETH_CLIENT"
	ip -n "$NS_SERVER" addr add "$SERVER_LINK_IP/24" dev "$VETH_SERVER"
	local ip
	for ip in "$DNS_IP" "$IP_IMAP_PROVIDER" "$IP_POP_PROVIDER" "$IP_SMTP_PROVIDER" "$IP_MX_MXONLY" \
		"$IP_IMAP_GUESS" "$IP_SMTP_GUESS" "$IP_MAIL_GUESS" "$IP_EXPIRED" "$IP_WRONGHOST" "$IP_PLAIN" \
		"$IP_REFUSED" "$IP_DROPPED" "$IP_OAUTH" "$IP_WEB"; do
		ip -n "$NS_SERVER" addr add "$ip/32" dev "$VETH_SERVER"
	done
	# IPv6 without duplicate address detection, so the addresses work at once.
	ip -n "$NS_CLIENT" -6 addr add "$IP6_CLIENT/64" dev "$VETH_CLIENT" nodad
	ip -n "$NS_SERVER" -6 addr add "$IP6_V6CERT/64" dev "$VETH_SERVER" nodad
	ip -n "$NS_SERVER" link set "$VETH_SERVER" up
	ip -n "$NS_CLIENT" link set "$VETH_CLIENT" up
	# Each namespace resolves through the world's DNS only (ip netns exec bind-mounts these files).
	if [ ! -d /etc/netns ]; then
		mkdir /etc/netns
		CREATED_ETC_NETNS=1
	fi
	mkdir -p "/etc/netns/$NS_CLIENT" "/etc/netns/$NS_SERVER"
	printf 'nameserver %s\noptions timeout:1 attempts:1\n' "$DNS_IP" >"/etc/netns/$NS_CLIENT/resolv.conf"
	printf 'nameserver %s\noptions timeout:1 attempts:1\n' "$DNS_IP" >"/etc/netns/$NS_SERVER/resolv.conf"
	render "$TD/faults.nft.in" "$WORK/faults.nft"
	ip netns exec "$NS_SERVER" nft -f "$WORK/faults.nft"
}

# ---------------------------------------------------------------------------------------------------------
# The test PKI: root -> intermediate -> server certificates (leaf + intermediate sent by the servers).
date_ago() { date -u -d "$1" +%Y%m%d%H%M%SZ; }

make_leaf() { # name san notBefore notAfter
	local name=$1 san=$2 from=$3 to=$4 pki=$WORK/pki
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$pki/$name.key" 2>/dev/null
	openssl req -new -key "$pki/$name.key" -subj "/CN=${san%%,*}" -out "$pki/$name.csr" \
		-config "$TD/pki/ca.cnf" 2>/dev/null
	local dns="" n
	IFS=, read -ra names <<<"$san"
	for n in "${names[@]}"; do dns+="${dns:+,}DNS:$n"; done
	CA_DIR=$pki/ca LEAF_SAN=$dns openssl ca -batch -notext -rand_serial -config "$TD/pki/ca.cnf" \
		-extensions v3_server -startdate "$from" -enddate "$to" -subj "/CN=${san%%,*}" \
		-in "$pki/$name.csr" -out "$pki/$name.pem" 2>"$pki/$name.log" ||
		{
			cat "$pki/$name.log" >&2
			die "cannot sign $name"
		}
	cat "$pki/$name.pem" "$pki/ca/intermediate.pem" >"$pki/$name.chain.pem"
}

make_pki() {
	local pki=$WORK/pki
	mkdir -p "$pki/ca/newcerts"
	: >"$pki/ca/index.txt"
	export LEAF_SAN=DNS:unused CA_DIR=$pki/ca
	# Root and intermediate start long before the expired leaf, so that it is expired and nothing else.
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$pki/ca/root.key" 2>/dev/null
	openssl req -new -key "$pki/ca/root.key" -subj "/O=mailcheck e2e/CN=mailcheck e2e Root CA" \
		-config "$TD/pki/ca.cnf" -out "$pki/ca/root.csr" 2>/dev/null
	openssl ca -batch -notext -rand_serial -selfsign -config "$TD/pki/ca.cnf" -keyfile "$pki/ca/root.key" \
		-extensions v3_root -startdate "$(date_ago '-5 years')" -enddate "$(date_ago '+10 years')" \
		-subj "/O=mailcheck e2e/CN=mailcheck e2e Root CA" -in "$pki/ca/root.csr" -out "$pki/ca/root.pem" \
		2>"$pki/root.log" || {
		cat "$pki/root.log" >&2
		die "cannot make the root CA"
	}
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$pki/ca/intermediate.key" 2>/dev/null
	openssl req -new -key "$pki/ca/intermediate.key" -subj "/O=mailcheck e2e/CN=mailcheck e2e Issuing CA" \
		-config "$TD/pki/ca.cnf" -out "$pki/ca/intermediate.csr" 2>/dev/null
	openssl ca -batch -notext -rand_serial -config "$TD/pki/ca.cnf" -cert "$pki/ca/root.pem" \
		-keyfile "$pki/ca/root.key" -extensions v3_intermediate -startdate "$(date_ago '-4 years')" \
		-enddate "$(date_ago '+9 years')" -subj "/O=mailcheck e2e/CN=mailcheck e2e Issuing CA" \
		-in "$pki/ca/intermediate.csr" -out "$pki/ca/intermediate.pem" 2>"$pki/intermediate.log" || {
		cat "$pki/intermediate.log" >&2
		die "cannot make the intermediate CA"
	}
	cp "$pki/ca/root.pem" "$pki/root.pem"

	local srvmx=smtp.$DOMAIN_SRVMX,imap.$DOMAIN_SRVMX,mx.$DOMAIN_SRVMX
	local onebox=$DOMAIN_ONEBOX,mail.$DOMAIN_ONEBOX,imap.$DOMAIN_ONEBOX,pop.$DOMAIN_ONEBOX,smtp.$DOMAIN_ONEBOX,mx.$DOMAIN_ONEBOX
	make_leaf good "$HOST_IMAP_PROVIDER,$HOST_POP_PROVIDER,$HOST_SMTP_PROVIDER,$HOST_MX_MXONLY,$HOST_IMAP_GUESS,$HOST_SMTP_GUESS,$HOST_MAIL_GUESS,$HOST_OAUTH,$srvmx,$onebox,$HOST_V6CERT" \
		"$(date_ago '-1 day')" "$(date_ago '+365 days')"
	make_leaf v6expired "$HOST_V6CERT" "$(date_ago '-400 days')" "$(date_ago '-30 days')"
	make_leaf expired "$HOST_EXPIRED" "$(date_ago '-400 days')" "$(date_ago '-30 days')"
	make_leaf web "$HOST_AUTOCONFIG_WEB,$HOST_AUTODISCOVER_WEB,$HOST_ISPDB" "$(date_ago '-1 day')" "$(date_ago '+365 days')"
	make_leaf wronghost "$HOST_WRONGHOST_CERT" "$(date_ago '-1 day')" "$(date_ago '+365 days')"
	chmod 644 "$pki"/*.pem
	chmod 600 "$pki"/*.key
	# Sanity: the good chain verifies, the expired one does not.
	openssl verify -CAfile "$pki/root.pem" -untrusted "$pki/ca/intermediate.pem" "$pki/good.pem" >/dev/null ||
		die "the good certificate does not verify"
	if openssl verify -CAfile "$pki/root.pem" -untrusted "$pki/ca/intermediate.pem" "$pki/expired.pem" >/dev/null 2>&1; then
		die "the expired certificate verifies"
	fi
}

# ---------------------------------------------------------------------------------------------------------
prepare_configs() {
	mkdir -p "$WORK/log" "$WORK/unbound" "$WORK/dovecot" "$WORK/dovecot-plain" "$WORK/dovecot-oauth" "$WORK/oauth" "$WORK/mail" \
		"$WORK/postfix/conf" "$WORK/postfix/spool" "$WORK/postfix/data"
	render "$TD/unbound.conf.in" "$WORK/unbound/unbound.conf"
	render "$TD/dovecot.conf.in" "$WORK/dovecot/dovecot.conf"
	render "$TD/dovecot-plain.conf.in" "$WORK/dovecot-plain/dovecot.conf"
	render "$TD/dovecot-oauth.conf.in" "$WORK/dovecot-oauth/dovecot.conf"
	render "$TD/dovecot-oauth2.conf.in" "$WORK/dovecot-oauth/oauth2.conf"
	# The tokens the introspection endpoint knows: none until the test mints them.
	echo '{}' >"$WORK/oauth/tokens.json"
	render "$TD/postfix/main.cf.in" "$WORK/postfix/conf/main.cf"
	render "$TD/postfix/master.cf.in" "$WORK/postfix/conf/master.cf"
	# alice@ every domain with working servers; one password (passwd-file, PLAIN scheme: test data).
	local d home
	: >"$WORK/dovecot/users"
	: >"$WORK/postfix/vmailbox"
	for d in "$DOMAIN_SRV" "$DOMAIN_MX" "$DOMAIN_GUESS" "$DOMAIN_LEGACY" "$DOMAIN_OAUTH" "$DOMAIN_ONEBOX"; do
		home=$WORK/mail/$MAIL_USER_LOCAL@$d
		mkdir -p "$home/Maildir"
		printf '%s@%s:{PLAIN}%s:%s:%s::%s\n' "$MAIL_USER_LOCAL" "$d" "$MAIL_PASSWORD" "$MAIL_UID" "$MAIL_UID" "$home" \
			>>"$WORK/dovecot/users"
		printf '%s@%s ok\n' "$MAIL_USER_LOCAL" "$d" >>"$WORK/postfix/vmailbox"
	done
	chown -R "$MAIL_UID:$MAIL_UID" "$WORK/mail"
	chmod 640 "$WORK/dovecot/users"
	chown root:dovecot "$WORK/dovecot/users"
	chown postfix "$WORK/postfix/data"
	# Postfix waits (300 ms at a time) until a configuration or map file is at least a second old, in case
	# it is still being written: backdate them so that it starts at once.
	touch -d '-1 minute' "$WORK/postfix/conf/main.cf" "$WORK/postfix/conf/master.cf" "$WORK/postfix/vmailbox"
	chmod 755 "$WORK" "$WORK/dovecot" "$WORK/dovecot-plain" "$WORK/dovecot-oauth" "$WORK/postfix"
	# nginx: the web server of the discovery sources.
	mkdir -p "$WORK/nginx/tmp" "$WORK/nginx/autoconfig/mail" "$WORK/nginx/autoconfig/.well-known/autoconfig/mail" \
		"$WORK/nginx/autodiscover/autodiscover" "$WORK/nginx/ispdb/v1.1"
	render "$TD/web/nginx.conf.in" "$WORK/nginx/nginx.conf"
	render "$TD/web/config-v1.1.xml.in" "$WORK/nginx/autoconfig/mail/config-v1.1.xml"
	render "$TD/web/autodiscover.xml.in" "$WORK/nginx/autodiscover/autodiscover/autodiscover.xml"
	render "$TD/web/ispdb.xml.in" "$WORK/nginx/ispdb/v1.1/$DOMAIN_WEB"
	chmod -R a+rX "$WORK/nginx"
	# A fresh directory has no stale anvil-auth-penalty socket (see test-servers.md); make sure anyway.
	rm -f "$WORK/dovecot/run/anvil-auth-penalty" "$WORK/dovecot-plain/run/anvil-auth-penalty" "$WORK/dovecot-oauth/run/anvil-auth-penalty"
}

# wait_listening tcp|udp ADDR:PORT...: until every socket listens in the server namespace (5 s at most).
wait_listening() {
	local proto=$1 flag deadline have a missing
	shift
	[ "$proto" = udp ] && flag=-Hlnu || flag=-Hlnt
	deadline=$(($(now_ms) + 5000))
	while :; do
		have=$(ip netns exec "$NS_SERVER" ss $flag | awk '{print $4}')
		missing=()
		for a in "$@"; do grep -qxF "$a" <<<"$have" || missing+=("$a"); done
		[ ${#missing[@]} = 0 ] && return 0
		if [ "$(now_ms)" -ge "$deadline" ]; then
			log "not listening after 5 s: ${missing[*]}"
			return 1
		fi
		sleep 0.02
	done
}

ports_on() { # ADDR PORT...
	local a=$1 p
	shift
	for p in "$@"; do printf '%s:%s ' "$a" "$p"; done
}

start_unbound() {
	ip netns exec "$NS_SERVER" unbound-checkconf "$WORK/unbound/unbound.conf" >/dev/null
	ip netns exec "$NS_SERVER" unbound -d -c "$WORK/unbound/unbound.conf" >>"$WORK/log/unbound.log" 2>&1 9<&- &
	wait_listening udp "$DNS_IP:53" || die "unbound did not start"
	wait_listening tcp "$DNS_IP:53" || die "unbound did not start"
}

start_dovecot() {
	ip netns exec "$NS_SERVER" dovecot -c "$WORK/dovecot/dovecot.conf" 9<&- || die "dovecot did not start"
	# shellcheck disable=SC2046
	wait_listening tcp $(for a in "$IP_IMAP_PROVIDER" "$IP_POP_PROVIDER" "$IP_MX_MXONLY" "$IP_IMAP_GUESS" \
		"$IP_MAIL_GUESS" "$IP_EXPIRED" "$IP_WRONGHOST" "[$IP6_V6CERT]"; do ports_on "$a" 110 143 993 995; done) ||
		die "dovecot did not start"
}

start_dovecot_plain() {
	ip netns exec "$NS_SERVER" dovecot -c "$WORK/dovecot-plain/dovecot.conf" 9<&- || die "dovecot (plain) did not start"
	# shellcheck disable=SC2046
	wait_listening tcp $(ports_on "$IP_PLAIN" 110 143) || die "dovecot (plain) did not start"
}

# The token-introspection endpoint Dovecot's oauth2 passdb asks, on the server namespace's loopback.
start_introspect() {
	ip netns exec "$NS_SERVER" python3 "$ROOT/e2e/introspect.py" "$OAUTH_INTROSPECT_PORT" "$WORK/oauth/tokens.json" \
		>>"$WORK/log/introspect.log" 2>&1 9<&- &
	wait_listening tcp "127.0.0.1:$OAUTH_INTROSPECT_PORT" || die "the introspection endpoint did not start"
}

start_dovecot_oauth() {
	ip netns exec "$NS_SERVER" dovecot -c "$WORK/dovecot-oauth/dovecot.conf" 9<&- || die "dovecot (oauth) did not start"
	# shellcheck disable=SC2046
	wait_listening tcp $(ports_on "$IP_OAUTH" 110 143 993 995) || die "dovecot (oauth) did not start"
}

start_postfix() {
	if ! ip netns exec "$NS_SERVER" postfix -c "$WORK/postfix/conf" start >"$WORK/log/postfix-start.log" 2>&1 9<&-; then
		cat "$WORK/log/postfix-start.log" >&2
		die "postfix did not start (see postfix.log)"
	fi
	# shellcheck disable=SC2046
	wait_listening tcp $(for a in "$IP_SMTP_PROVIDER" "$IP_MX_MXONLY" "$IP_SMTP_GUESS" "$IP_MAIL_GUESS"; do
		ports_on "$a" 25 465 587
	done) "$IP_EXPIRED:465" "$IP_WRONGHOST:587" "$IP_PLAIN:587" "$IP_OAUTH:587" "$IP_OAUTH:465" || die "postfix did not start"
}

start_nginx() {
	ip netns exec "$NS_SERVER" nginx -e "$WORK/log/nginx.log" -c "$WORK/nginx/nginx.conf" 9<&- ||
		die "nginx did not start (see nginx.log)"
	wait_listening tcp "$IP_WEB:443" "$IP_WEB:80" || die "nginx did not start"
}

# A quick look from the client's side: its resolver finds the world and the servers answer.
smoke_check() {
	local srv
	srv=$(ip netns exec "$NS_CLIENT" dig +time=1 +tries=1 +short SRV "_imaps._tcp.$DOMAIN_SRV")
	[ "$srv" = "0 1 993 $HOST_IMAP_PROVIDER." ] || die "SRV lookup from $NS_CLIENT gave '$srv'"
	ip netns exec "$NS_CLIENT" bash -c "exec 3<>/dev/tcp/$IP_IMAP_PROVIDER/143 && head -c 4 <&3" | grep -q '^\* OK' ||
		die "no IMAP greeting from $HOST_IMAP_PROVIDER"
}

export_world() {
	local v
	for v in "${WORLD_VARS[@]}"; do export "E2E_$v=${!v}"; done
	export E2E_BIN=$WORK/bin/mailcheck E2E_CA_FILE=$WORK/pki/root.pem E2E_MAIL_ROOT=$WORK/mail E2E_WORK=$WORK
}

# start_postgres starts a PostgreSQL of its own (trust authentication, loopback only, its socket in $WORK)
# with an empty database for the results store's test.
start_postgres() {
	PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	[ -x "$PG_BIN/initdb" ] || die "no PostgreSQL server under /usr/lib/postgresql"
	mkdir -p "$WORK/pg" && chown postgres "$WORK/pg"
	runuser -u postgres -- "$PG_BIN/initdb" -D "$WORK/pg/data" -A trust -U mc >"$WORK/log/postgres-initdb.log" 2>&1 ||
		die "initdb failed"
	PG_DATA=$WORK/pg/data
	runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$WORK/pg/postgres.log" -w \
		-o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $WORK/pg" start >/dev/null || die "PostgreSQL did not start"
	"$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U mc -d postgres -qc 'create database mailcheck' ||
		die "creating the test database failed"
}

run_tests() {
	# The web page's browser test (build tag e2ebrowser) runs in the same binary, over its own in-process
	# sandbox; E2E_REQUIRE_BROWSER turns a missing chromium into a failure, not a skip.
	mkdir -p "$WORK/shots"
	(cd "$ROOT" && E2E_SCREENSHOTS="$WORK/shots" E2E_REQUIRE_BROWSER=1 \
		go test -tags 'e2e e2ebrowser' -count=1 -timeout 5m -v ./e2e/) || STATUS=$?
	# mailcheck serve's results store on a real PostgreSQL (build tag e2epostgres).
	(cd "$ROOT" && MAILCHECK_TEST_POSTGRES="postgres://mc@127.0.0.1:$PG_PORT/mailcheck" \
		go test -tags e2epostgres -count=1 -v -run Postgres ./web/) || STATUS=$?
}

# ---------------------------------------------------------------------------------------------------------
timed "install packages" install_packages
WORK=$(mktemp -d /tmp/mailcheck-e2e.XXXXXX)
chmod 755 "$WORK"
mkdir -p "$WORK/bin" "$WORK/log"
timed "go build ./cmd/mailcheck" build_binary
timed "network namespaces" setup_namespaces
timed "test PKI" make_pki
timed "server configurations" prepare_configs
timed "start unbound" start_unbound
timed "start dovecot" start_dovecot
timed "start dovecot (plain-text)" start_dovecot_plain
timed "start token introspection" start_introspect
timed "start dovecot (oauth2)" start_dovecot_oauth
timed "start postfix" start_postfix
timed "start nginx" start_nginx
timed "start postgresql" start_postgres
timed "smoke check from $NS_CLIENT" smoke_check
export_world

case "$MODE" in
test)
	STATUS=0
	timed "go test -tags e2e ./e2e/" run_tests
	[ "$STATUS" = 0 ] && log "PASS" || log "FAIL: go test exited $STATUS"
	exit "$STATUS"
	;;
shell)
	STATUS=0
	log "world is up; in this shell: \$E2E_BIN probe alice@$DOMAIN_SRV (SSL_CERT_FILE is set). exit to tear down."
	ip netns exec "$NS_CLIENT" env SSL_CERT_FILE="$E2E_CA_FILE" PS1='mc-client# ' bash --norc -i || true
	;;
hold)
	STATUS=0
	log "world is up (work dir $WORK); enter it with: ip netns exec $NS_CLIENT env SSL_CERT_FILE=$E2E_CA_FILE bash"
	log "binary: $E2E_BIN; stop with Ctrl-C or kill -TERM $$"
	sleep infinity &
	HOLD_PID=$!
	wait "$HOLD_PID" || true
	;;
esac
